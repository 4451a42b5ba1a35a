from django.urls import path

from core.import_views import template_view, upload_view

from . import views
from .imports import EstateImporter

app_name = "communities"

urlpatterns = [
    path("estates/", views.estate_list, name="estate_list"),
    path(
        "estates/import/",
        upload_view(EstateImporter, template_url_name="communities:estate_import_template", back=("小区", "/registry/estates/")),
        name="estate_import",
    ),
    path("estates/import/template/", template_view(EstateImporter), name="estate_import_template"),
]
