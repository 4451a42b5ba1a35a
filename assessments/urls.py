from django.urls import include, path

from core.import_views import template_view, upload_view

from . import refinement_views, views
from .imports import FeeRateImporter, InspectionImporter

app_name = "assessments"

urlpatterns = [
    path("", views.index, name="index"),
    path("notices/<int:pk>/dismiss/", views.notice_dismiss, name="notice_dismiss"),
    path("schemes/", views.scheme_list, name="scheme_list"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/new-version/", views.scheme_new_version, name="scheme_new_version"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_new, name="inspection_new"),
    path("inspections/checklist/", views.inspection_checklist, name="inspection_checklist"),
    path("inspections/export/", views.inspection_export, name="inspection_export"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("inspections/<int:pk>/edit/", views.inspection_edit, name="inspection_edit"),
    path("inspections/<int:pk>/review/", views.inspection_review, name="inspection_review"),
    path("inspections/review/", views.inspection_review_bulk, name="inspection_review_bulk"),
    path(
        "inspections/import/",
        upload_view(
            InspectionImporter,
            template_url_name="assessments:inspection_import_template",
            back=("检查记录", "/assessments/inspections/"),
        ),
        name="inspection_import",
    ),
    # A district's template carries its refinement's sub-items (细化分解).
    path(
        "inspections/import/template/", refinement_views.inspection_import_template, name="inspection_import_template"
    ),
    path("fee-rates/", views.fee_rate_list, name="fee_rate_list"),
    path("fee-rates/new/", views.fee_rate_new, name="fee_rate_new"),
    path(
        "fee-rates/import/",
        upload_view(
            FeeRateImporter,
            template_url_name="assessments:fee_rate_import_template",
            back=("物业费收缴率", "/assessments/fee-rates/"),
        ),
        name="fee_rate_import",
    ),
    path("fee-rates/import/template/", template_view(FeeRateImporter), name="fee_rate_import_template"),
    path("cycle/", views.cycle, name="cycle"),
    path("cycle/runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("cycle/runs/<int:pk>/progress/", views.run_progress, name="run_progress"),
    path("years/<int:year>/", views.year_detail, name="year_detail"),
    path("years/<int:year>/publish/", views.year_publish, name="year_publish"),
    path("years/<int:year>/close/", views.year_close, name="year_close"),
    path("years/<int:year>/reopen/", views.year_reopen, name="year_reopen"),
    path("years/<int:year>/publication/", views.publication, name="publication"),
    path("results/", views.result_list, name="result_list"),
    path("results/units/", views.unit_results, name="unit_results"),
    path("results/export/", views.result_export, name="result_export"),
    path("appeals/", views.appeal_list, name="appeal_list"),
    path("appeals/new/<int:result_pk>/", views.appeal_new, name="appeal_new"),
    path("appeals/<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("appeals/<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("appeals/<int:pk>/rescore/", views.appeal_rescore, name="appeal_rescore"),
    # 三级考核 (policy-defaults.md §3c): assessments/unit_urls.py
    path("units/", include("assessments.unit_urls")),
    # 第三方评估 (clause 十): assessments/third_party_urls.py
    path("third-party/", include("assessments.third_party_urls")),
    # 细化分解 (clause 十): assessments/refinement_urls.py
    path("refinements/", include("assessments.refinement_urls")),
]
