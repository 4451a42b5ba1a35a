from django.urls import path

from core.api.routers import Router

from . import georeport, views

router = Router()
router.register("disputes", views.DisputeViewSet, basename="dispute")
router.register("repairs", views.RepairViewSet, basename="repair")
router.register("referrals", views.ReferralViewSet, basename="referral")
router.register("filings", views.FilingViewSet, basename="filing")
router.register("stations", views.StationViewSet, basename="station")
router.register("repair-teams", views.RepairTeamViewSet, basename="repair-team")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("time-limits", views.TimeLimitViewSet, basename="time-limit")

urlpatterns = router.urls + [
    path("georeport/v2/services.json", georeport.ServicesView.as_view(), name="georeport-services"),
    path("georeport/v2/requests.json", georeport.RequestsView.as_view(), name="georeport-requests"),
    path("georeport/v2/requests/<str:request_id>.json", georeport.RequestView.as_view(), name="georeport-request"),
]
