"""`/v1/processing-jobs` (composed under /v1/ by config.urls)."""

from django.urls import re_path
from rest_framework.routers import SimpleRouter

from config.api.viewsets import UUID_PATTERN

from .views import ProcessingJobErrorViewSet, ProcessingJobViewSet

router = SimpleRouter(trailing_slash=False)
router.register("processing-jobs", ProcessingJobViewSet, basename="processing-job")

urlpatterns = [
    *router.urls,
    re_path(
        rf"^processing-jobs/(?P<id>{UUID_PATTERN})/errors$",
        ProcessingJobErrorViewSet.as_view({"get": "list"}),
        name="processing-job-errors",
    ),
]
