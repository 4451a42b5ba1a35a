from django.urls import path

from . import views

app_name = "workbench"

urlpatterns = [
    path("", views.index, name="index"),
    path("home/", views.set_home, name="set_home"),
    path("reminders/", views.reminders, name="reminders"),
    path("reminders/<int:pk>/read/", views.reminder_read, name="reminder_read"),
    path("reminders/read-all/", views.reminders_read_all, name="reminders_read_all"),
    path("bell/", views.bell, name="bell"),
]
