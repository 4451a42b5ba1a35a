from django.urls import path

from core.import_views import template_view, upload_view

from . import case_views, views
from .imports import DisputeImporter, RepairImporter

app_name = "disputes"

urlpatterns = [
    path("", views.home, name="home"),
    # every case kind's receive, detail and step pages (disputes.workflow)
    *case_views.urls(),
    # disputes
    path("disputes/", views.dispute_list, name="dispute_list"),
    path(
        "disputes/import/",
        upload_view(
            DisputeImporter, template_url_name="disputes:dispute_import_template", back=("矛盾纠纷", "/cases/disputes/")
        ),
        name="dispute_import",
    ),
    path("disputes/import/template/", template_view(DisputeImporter), name="dispute_import_template"),
    # repairs
    path("repairs/", views.repair_list, name="repair_list"),
    path(
        "repairs/import/",
        upload_view(
            RepairImporter, template_url_name="disputes:repair_import_template", back=("应急维修", "/cases/repairs/")
        ),
        name="repair_import",
    ),
    path("repairs/import/template/", template_view(RepairImporter), name="repair_import_template"),
    # call-backs after a resident's 不满意 (回访)
    path("callbacks/", views.callback_list, name="callback_list"),
    path("callbacks/<slug:kind>/<int:pk>/", views.callback_record, name="callback_record"),
    # overdue
    path("overdue/", views.overdue_list, name="overdue_list"),
    # joint enforcement
    path("referrals/", views.referral_list, name="referral_list"),
    path("referrals/departments/", views.referral_departments, name="referral_departments"),
    # filings
    path("filings/", views.filing_list, name="filing_list"),
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
