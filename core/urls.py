from django.urls import path

from . import audit_views, views

app_name = "core"

urlpatterns = [
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<int:pk>/", views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("healthz/", views.healthz, name="healthz"),
    path("history/", audit_views.history_log, name="history_log"),
    path("history/export/", audit_views.history_export, name="history_export"),
]
