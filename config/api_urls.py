"""The REST API under /api/: each app's api/urls.py, the OpenAPI schema and Swagger UI
(served from drf-spectacular-sidecar, no CDN), and token issuing for other systems."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.api.views import ObtainTokenView

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script as a file: no inline script (CSP).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("token/", ObtainTokenView.as_view(), name="token"),
    path("", include("communities.api.urls")),
    path("", include("assessments.api.urls")),
    path("", include("subsidies.api.urls")),
    path("", include("disputes.api.urls")),
    path("", include("integrations.georeport_urls")),  # Open311 GeoReport v2
]
