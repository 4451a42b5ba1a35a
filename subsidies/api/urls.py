from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("allocation-sheets", views.SheetViewSet, basename="allocation-sheet")
router.register("allocations", views.AllocationViewSet, basename="allocation")

urlpatterns = router.urls
