from core.api.routers import Router

from . import views

router = Router()
router.register("allocation-sheets", views.SheetViewSet, basename="allocation-sheet")
router.register("allocations", views.AllocationViewSet, basename="allocation")

urlpatterns = router.urls
