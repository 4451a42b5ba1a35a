from django.urls import path

from . import views

app_name = "subsidies"

urlpatterns = [
    path("", views.index, name="index"),
    path("sheets/<int:pk>/", views.sheet_detail, name="sheet_detail"),
    path("sheets/<int:pk>/confirm/", views.sheet_confirm, name="sheet_confirm"),
    path("sheets/<int:pk>/approve/", views.sheet_approve, name="sheet_approve"),
    path("sheets/<int:pk>/print/", views.sheet_print, name="sheet_print"),
    path("sheets/<int:pk>/disbursements/new/", views.disbursement_new, name="disbursement_new"),
    path("rows/<int:pk>/payee/", views.allocation_payee, name="allocation_payee"),
    path("disbursements/", views.disbursement_list, name="disbursement_list"),
    path("export/", views.export, name="export"),
    path("policies/", views.policy_list, name="policy_list"),
    path("policies/<int:pk>/", views.policy_detail, name="policy_detail"),
    path("budget/", views.budget, name="budget"),
    path("what-if/", views.what_if, name="what_if"),
]
