from .audits import InvoiceAuditFinding, InvoiceAuditFindingInvoice, supply_point_key
from .catalog import CATALOG_NAMESPACE, StationaryFuel, Supplier, Unit, catalog_uuid
from .facilities import Facility, FacilityFuel, SupplyContract
from .factors import (
    CalorificBasis,
    EmissionFactor,
    EmissionFactorDataset,
    FactorBasis,
    FactorCategory,
    FactorKind,
    OrganizationCustomFactor,
    OrganizationFactorConfig,
)
from .imports import ImportStatus, InvoiceImport, InvoiceImportFilePart
from .inventory import InvoiceMonth
from .invoices import EmissionBasis, Invoice, InvoiceCalculationFailure, InvoiceEmission
from .organizations import ApiKey, Membership, Organization

__all__ = [
    "CATALOG_NAMESPACE",
    "ApiKey",
    "CalorificBasis",
    "EmissionBasis",
    "EmissionFactor",
    "EmissionFactorDataset",
    "Facility",
    "FacilityFuel",
    "FactorBasis",
    "FactorCategory",
    "FactorKind",
    "ImportStatus",
    "Invoice",
    "InvoiceAuditFinding",
    "InvoiceAuditFindingInvoice",
    "InvoiceCalculationFailure",
    "InvoiceEmission",
    "InvoiceImport",
    "InvoiceImportFilePart",
    "InvoiceMonth",
    "Membership",
    "Organization",
    "OrganizationCustomFactor",
    "OrganizationFactorConfig",
    "StationaryFuel",
    "Supplier",
    "SupplyContract",
    "Unit",
    "catalog_uuid",
    "supply_point_key",
]
