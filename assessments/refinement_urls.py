"""细化分解 (clause 十): included by assessments/urls.py under refinements/."""

from django.urls import path

from . import refinement_views as views

urlpatterns = [
    path("", views.refinement_list, name="refinement_list"),
    path("new/", views.refinement_new, name="refinement_new"),
    path("<int:pk>/", views.refinement_detail, name="refinement_detail"),
    path("<int:pk>/approve/", views.refinement_approve, name="refinement_approve"),
]
