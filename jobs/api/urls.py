"""Included under /v1/ before the invoice routes, so `invoices/recalculate` is not taken for an id."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import ProcessingJobViewSet, RecalculateView

router = SimpleRouter(trailing_slash=False)
router.register("processing-jobs", ProcessingJobViewSet, basename="processing-job")

urlpatterns = [
    path("invoices/recalculate", RecalculateView.as_view(), name="invoice-recalculate"),
    *router.urls,
]
