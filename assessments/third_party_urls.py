"""第三方评估 (clause 10): included by assessments/urls.py under third-party/."""

from django.urls import path

from . import third_party_views as views

urlpatterns = [
    path("engagements/", views.engagement_list, name="engagement_list"),
    path("engagements/new/", views.engagement_new, name="engagement_new"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement_detail"),
    path("engagements/<int:pk>/cancel/", views.engagement_cancel, name="engagement_cancel"),
    path("deviation/", views.deviation, name="deviation"),
    path("deviation/export/", views.deviation_export, name="deviation_export"),
    path("deviation/<int:year>/streets/<int:street_id>/review/", views.deviation_review, name="deviation_review"),
]
