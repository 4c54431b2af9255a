from .catalog import CATALOG_NAMESPACE, StationaryFuel, Supplier, Unit, catalog_uuid
from .facilities import Facility, FacilityFuel, SupplyContract
from .invoices import Invoice, InvoiceEmission
from .organizations import ApiKey, Membership, Organization

__all__ = [
    "CATALOG_NAMESPACE",
    "ApiKey",
    "Facility",
    "FacilityFuel",
    "Invoice",
    "InvoiceEmission",
    "Membership",
    "Organization",
    "StationaryFuel",
    "Supplier",
    "SupplyContract",
    "Unit",
    "catalog_uuid",
]
