"""/api/georeport/v2/… (in the api namespace): every endpoint as .json and as .xml."""

from django.urls import path

from .georeport import VIEWS, XML_VIEWS

ROUTES = {
    "discovery": "discovery",
    "services": "services",
    "service": "services/<str:service_code>",
    "requests": "requests",
    "request": "requests/<str:request_id>",
    "token": "tokens/<str:token>",
}

urlpatterns = [
    path(f"georeport/v2/{route}.json", VIEWS[name].as_view(), name=f"georeport-{name}")
    for name, route in ROUTES.items()
] + [
    path(f"georeport/v2/{route}.xml", XML_VIEWS[name].as_view(), name=f"georeport-{name}-xml")
    for name, route in ROUTES.items()
]
