from core.api.routers import Router

from .views import (
    CommunityViewSet,
    DistrictViewSet,
    EstateViewSet,
    PropertyCommitteeViewSet,
    ServiceFirmViewSet,
    StreetViewSet,
)

router = Router()
router.register("districts", DistrictViewSet, basename="district")
router.register("streets", StreetViewSet, basename="street")
router.register("communities", CommunityViewSet, basename="community")
router.register("estates", EstateViewSet, basename="estate")
router.register("firms", ServiceFirmViewSet, basename="firm")
router.register("committees", PropertyCommitteeViewSet, basename="committee")

urlpatterns = router.urls
