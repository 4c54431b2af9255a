"""URLs of the invoice API under /v1/ (included from invoicing/api/urls.py)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny
from rest_framework.routers import SimpleRouter

from . import schema  # noqa: F401  (registers the OpenAPI extensions)
from .invoices import UUID_PATTERN, InvoiceViewSet
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

# The schema and its docs are public: no API key needed to read them.
_public = {"authentication_classes": [], "permission_classes": [AllowAny]}

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(**_public), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema", **_public), name="docs"),
    *router.urls,
]
