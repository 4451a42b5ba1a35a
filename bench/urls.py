"""The application's URLs plus the benchmark's floor view (bench settings only)."""

from django.urls import include, path

from . import views

urlpatterns = [
    path("bench-floor/estates/", views.estates_floor),
    path("", include("config.urls")),
]
