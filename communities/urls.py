from django.urls import path

from . import views

app_name = "communities"

urlpatterns = [
    path("estates/", views.estate_list, name="estate_list"),
    path("estates/import/", views.estate_import, name="estate_import"),
]
