"""`/v1/invoices`, its recalculation and audit, the emissions summary and the reference endpoints
(composed under /v1/ by config.urls)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from config.api.viewsets import UUID_PATTERN

from .audits import AuditFindingViewSet
from .inventory import EmissionsSummaryView
from .invoices import InvoiceViewSet
from .recalculation import RecalculateView
from .reference import (
    FacilityFuelViewSet,
    FacilityViewSet,
    StationaryFuelViewSet,
    SupplierViewSet,
    SupplyContractViewSet,
    UnitViewSet,
)

router = SimpleRouter(trailing_slash=False)
router.register("invoices", InvoiceViewSet, basename="invoice")
router.register("units", UnitViewSet, basename="unit")
router.register("suppliers", SupplierViewSet, basename="supplier")
router.register("stationary-fuels", StationaryFuelViewSet, basename="stationary-fuel")
router.register("facilities", FacilityViewSet, basename="facility")
router.register(rf"facilities/(?P<facility_id>{UUID_PATTERN})/fuels", FacilityFuelViewSet, basename="facility-fuel")
router.register("supply-contracts", SupplyContractViewSet, basename="supply-contract")

urlpatterns = [
    path("invoices/recalculate", RecalculateView.as_view(), name="invoice-recalculate"),
    path("invoices/audit", AuditFindingViewSet.as_view({"get": "list"}), name="invoice-audit"),
    path("emissions/summary", EmissionsSummaryView.as_view(), name="emissions-summary"),
    *router.urls,
]
