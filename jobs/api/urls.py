"""`/v1/processing-jobs` (composed under /v1/ by config.urls)."""

from rest_framework.routers import SimpleRouter

from .views import ProcessingJobViewSet

router = SimpleRouter(trailing_slash=False)
router.register("processing-jobs", ProcessingJobViewSet, basename="processing-job")

urlpatterns = router.urls
