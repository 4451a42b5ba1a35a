from django.urls import path

from . import views

app_name = "residents"

urlpatterns = [
    # public, no login (tokens are URL-safe base64: letters, digits, - and _)
    path("e/<str:token>/", views.entry, name="entry"),
    path("t/<str:token>/", views.track, name="track"),
    path("captcha.png", views.captcha_image, name="captcha"),
    # staff
    path("estates/<int:pk>/", views.manage, name="manage"),
    path("estates/<int:pk>/poster/", views.poster, name="poster"),
]
