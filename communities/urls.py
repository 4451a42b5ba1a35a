from django.urls import path

from core.import_views import template_view, upload_view

from . import views
from .imports import EstateImporter

app_name = "communities"

urlpatterns = [
    # estates
    path("estates/", views.estate_list, name="estate_list"),
    path(
        "estates/import/",
        upload_view(
            EstateImporter, template_url_name="communities:estate_import_template", back=("小区", "/registry/estates/")
        ),
        name="estate_import",
    ),
    path("estates/import/template/", template_view(EstateImporter), name="estate_import_template"),
    path("estates/export/", views.estate_export, name="estate_export"),
    path("estates/new/", views.estate_create, name="estate_create"),
    path("estates/<int:pk>/", views.estate_detail, name="estate_detail"),
    path("estates/<int:pk>/edit/", views.estate_edit, name="estate_edit"),
    path("estates/<int:estate_pk>/committees/new/", views.committee_create, name="committee_create"),
    path("estates/<int:estate_pk>/owners-organisations/new/", views.owners_org_create, name="owners_org_create"),
    # service firms (a public register)
    path("firms/", views.firm_list, name="firm_list"),
    path("firms/new/", views.firm_create, name="firm_create"),
    path("firms/<int:pk>/", views.firm_detail, name="firm_detail"),
    path("firms/<int:pk>/edit/", views.firm_edit, name="firm_edit"),
    # property committees and owners' organisations
    path("committees/", views.committee_list, name="committee_list"),
    path("committees/<int:pk>/", views.committee_detail, name="committee_detail"),
    path("committees/<int:pk>/edit/", views.committee_edit, name="committee_edit"),
    path("owners-organisations/", views.owners_org_list, name="owners_org_list"),
    path("owners-organisations/<int:pk>/", views.owners_org_detail, name="owners_org_detail"),
    path("owners-organisations/<int:pk>/edit/", views.owners_org_edit, name="owners_org_edit"),
    # entrustment contracts, committee vettings and supervision, term warnings (issue 6)
    path("estates/<int:estate_pk>/contracts/new/", views.contract_create, name="contract_create"),
    path("contracts/", views.contract_list, name="contract_list"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contracts/<int:pk>/edit/", views.contract_edit, name="contract_edit"),
    path("committees/terms/", views.committee_terms, name="committee_terms"),
    path("committees/<int:pk>/members/<int:member_pk>/vetting/", views.member_vetting, name="member_vetting"),
    path("committees/<int:pk>/supervision/new/", views.supervision_create, name="supervision_create"),
    # units
    path("districts/", views.district_list, name="district_list"),
    path("districts/<str:code>/", views.district_detail, name="district_detail"),
    path("streets/<str:code>/", views.street_detail, name="street_detail"),
    path("streets/<str:code>/edit/", views.street_edit, name="street_edit"),
    path("streets/<str:code>/reassign/", views.street_reassign, name="street_reassign"),
    path("streets/<str:code>/communities/new/", views.community_create, name="community_create"),
    path("communities/<int:pk>/edit/", views.community_edit, name="community_edit"),
    # option lists of the dependent selects (htmx)
    path("options/streets/", views.street_options, name="street_options"),
    path("options/communities/", views.community_options, name="community_options"),
]
