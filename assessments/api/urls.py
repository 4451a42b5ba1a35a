from core.api.routers import Router

from . import views

router = Router()
router.register("inspections", views.InspectionViewSet, basename="inspection")
router.register("fee-rates", views.FeeRateViewSet, basename="fee-rate")
router.register("estate-results", views.EstateResultViewSet, basename="estate-result")
router.register("unit-results", views.UnitResultViewSet, basename="unit-result")
router.register("cycle-runs", views.CycleRunViewSet, basename="cycle-run")

urlpatterns = router.urls
