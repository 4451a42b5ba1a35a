from django.urls import path

from core.import_views import template_view, upload_view

from . import views
from .imports import DisputeImporter, RepairImporter

app_name = "disputes"

urlpatterns = [
    path("", views.home, name="home"),
    # disputes
    path("disputes/", views.dispute_list, name="dispute_list"),
    path("disputes/new/", views.dispute_create, name="dispute_create"),
    path("disputes/<int:pk>/", views.dispute_detail, name="dispute_detail"),
    path("disputes/<int:pk>/step/", views.dispute_step, name="dispute_step"),
    path("disputes/import/", upload_view(DisputeImporter, template_url_name="disputes:dispute_import_template",
                                         back=("矛盾纠纷", "/cases/disputes/")), name="dispute_import"),
    path("disputes/import/template/", template_view(DisputeImporter), name="dispute_import_template"),
    # repairs
    path("repairs/", views.repair_list, name="repair_list"),
    path("repairs/new/", views.repair_create, name="repair_create"),
    path("repairs/<int:pk>/", views.repair_detail, name="repair_detail"),
    path("repairs/<int:pk>/step/", views.repair_step, name="repair_step"),
    path("repairs/import/", upload_view(RepairImporter, template_url_name="disputes:repair_import_template",
                                        back=("应急维修", "/cases/repairs/")), name="repair_import"),
    path("repairs/import/template/", template_view(RepairImporter), name="repair_import_template"),
    # call-backs after a resident's 不满意 (回访)
    path("callbacks/", views.callback_list, name="callback_list"),
    path("callbacks/<slug:kind>/<int:pk>/", views.callback_record, name="callback_record"),
    # overdue
    path("overdue/", views.overdue_list, name="overdue_list"),
    # joint enforcement
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/new/", views.referral_create, name="referral_create"),
    path("referrals/departments/", views.referral_departments, name="referral_departments"),
    path("referrals/<int:pk>/", views.referral_detail, name="referral_detail"),
    path("referrals/<int:pk>/step/", views.referral_step, name="referral_step"),
    # filings
    path("filings/", views.filing_list, name="filing_list"),
    path("filings/new/", views.filing_create, name="filing_create"),
    path("filings/<int:pk>/", views.filing_detail, name="filing_detail"),
    path("filings/<int:pk>/step/", views.filing_step, name="filing_step"),
    # stations and teams
    path("stations/", views.station_list, name="station_list"),
    path("stations/<int:street_id>/", views.station_street, name="station_street"),
    path("stations/<int:street_id>/<slug:kind>/edit/", views.station_edit, name="station_edit"),
    path("stations/<int:street_id>/teams/new/", views.team_edit, name="team_create"),
    path("stations/<int:street_id>/teams/<int:pk>/", views.team_edit, name="team_edit"),
    # attachments, an estate's cases, exports
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("estates/<int:estate_pk>/<int:year>/", views.estate_cases, name="estate_cases"),
    path("export/<slug:list_name>/", views.export, name="export"),
]
