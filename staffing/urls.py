from django.urls import path

from . import views

app_name = "staffing"

urlpatterns = [
    path("", views.index, name="index"),
    path("compliance/", views.compliance, name="compliance"),
    path("export/<str:name>/", views.export, name="export"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("units/<str:level>/<int:pk>/", views.unit_staff, name="unit_staff"),
    path("coverage/", views.coverage, name="coverage"),
    path("meetings/", views.meeting_list, name="meeting_list"),
    path("meetings/new/", views.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("tasks/<int:pk>/status/", views.task_status, name="task_status"),
    path("tasks/overdue/", views.overdue_tasks, name="overdue_tasks"),
    path("targets/", views.targets, name="targets"),
]
