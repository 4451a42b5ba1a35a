"""The unit assessment's routes (三级考核), included by assessments/urls.py under units/."""

from django.urls import path

from . import unit_views

urlpatterns = [
    path("", unit_views.unit_assessment_index, name="unit_assessment_index"),
    path("<int:year>/export/", unit_views.unit_assessment_export, name="unit_assessment_export"),
    path("<int:year>/<str:key>/", unit_views.unit_assessment_sheet, name="unit_assessment_sheet"),
    path("<int:year>/<str:key>/compute/", unit_views.unit_assessment_compute, name="unit_assessment_compute"),
    path("<int:year>/<str:key>/sign-off/", unit_views.unit_assessment_sign_off, name="unit_assessment_sign_off"),
    path("scores/<int:pk>/daily/", unit_views.unit_assessment_daily, name="unit_assessment_daily"),
]
