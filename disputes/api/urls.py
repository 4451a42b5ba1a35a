from core.api.routers import Router

from . import views

router = Router()
router.register("disputes", views.DisputeViewSet, basename="dispute")
router.register("repairs", views.RepairViewSet, basename="repair")
router.register("referrals", views.ReferralViewSet, basename="referral")
router.register("filings", views.FilingViewSet, basename="filing")
router.register("stations", views.StationViewSet, basename="station")
router.register("repair-teams", views.RepairTeamViewSet, basename="repair-team")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("time-limits", views.TimeLimitViewSet, basename="time-limit")

# The GeoReport v2 endpoints (/api/georeport/v2/) moved to integrations/georeport.py.
urlpatterns = router.urls
