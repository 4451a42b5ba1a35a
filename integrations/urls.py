from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("keys/", views.key_list, name="key_list"),
    path("keys/<str:prefix>/revoke/", views.key_revoke, name="key_revoke"),
]
