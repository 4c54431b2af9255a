"""Catalogue rows shipped with the project: units, stationary fuels and real electricity suppliers.

Ids are uuid5 of the code (see models.catalog.catalog_uuid), so they are the same on every
install and API clients may store them. `upsert_reference_data` is idempotent and is run by
migration 0004 and by `manage.py load_reference_data`.
"""

from __future__ import annotations

from typing import Any

# code, name, symbol, dimension
UNITS = [
    ("kwh", "Kilowatt-hour", "kWh", "energy"),
    ("mwh", "Megawatt-hour", "MWh", "energy"),
    ("gj", "Gigajoule", "GJ", "energy"),
    ("m3", "Cubic metre", "m³", "volume"),
    ("litre", "Litre", "L", "volume"),
    ("kg", "Kilogram", "kg", "mass"),
    ("tonne", "Tonne", "t", "mass"),
]

# code, name, is_biomass
STATIONARY_FUELS = [
    ("natural_gas", "Natural gas", False),
    ("diesel", "Diesel (average biofuel blend)", False),
    ("gas_oil", "Gas oil / gasóleo C (heating)", False),
    ("fuel_oil", "Fuel oil / fuelóleo", False),
    ("burning_oil", "Burning oil / kerosene / queroseno", False),
    ("lpg", "LPG", False),
    ("propane", "Propane", False),
    ("butane", "Butane", False),
    ("wood_pellets", "Wood pellets (biomass)", True),
    ("wood_logs", "Wood logs (biomass)", True),
    ("wood_chips", "Wood chips (biomass)", True),
    ("district_heat", "District heat and steam", False),
]

# code, trading name, legal name as published (MITECO v31 list for Spain), country
SUPPLIERS = [
    ("iberdrola-clientes", "Iberdrola", "IBERDROLA CLIENTES, S.A.U.", "ES"),
    ("endesa-energia", "Endesa", "ENDESA ENERGÍA S.A.U.", "ES"),
    ("naturgy-iberia", "Naturgy Iberia", "NATURGY IBERIA, S.A.", "ES"),
    ("naturgy-clientes", "Naturgy Clientes", "NATURGY CLIENTES, S.A.U.", "ES"),
    ("repsol-electricidad-gas", "Repsol", "REPSOL COMERCIALIZADORA DE ELECTRICIDAD Y GAS, S.L.U", "ES"),
    ("totalenergies-es", "TotalEnergies", "TOTALENERGIES ELECTRICIDAD Y GAS ESPAÑA, S.A.U.", "ES"),
    ("edp-clientes", "EDP", "EDP CLIENTES SAU", "ES"),
    ("cepsa-gas-electricidad", "Cepsa (Moeve)", "CEPSA GAS Y ELECTRICIDAD, S.A.U.", "ES"),
    ("audax-renovables", "Audax Renovables", "AUDAX RENOVABLES, S.A", "ES"),
    ("factor-energia", "Factor Energía", "FACTOR ENERGÍA, S.A.", "ES"),
    ("octopus-energy-es", "Octopus Energy España", "OCTOPUS ENERGY ESPAÑA, S.L.U.", "ES"),
    ("holaluz", "Holaluz", "HOLALUZ-CLIDOM, S.A", "ES"),
    ("som-energia", "Som Energia", "SOM ENERGIA SCCL", "ES"),
    ("british-gas", "British Gas", "British Gas Trading Limited", "GB"),
    ("edf-energy", "EDF Energy", "EDF Energy Customers Limited", "GB"),
    ("eon-next", "E.ON Next", "E.ON Next Energy Limited", "GB"),
    ("octopus-energy-uk", "Octopus Energy", "Octopus Energy Limited", "GB"),
    ("ovo-energy", "OVO Energy", "OVO Energy Limited", "GB"),
    ("scottishpower", "ScottishPower", "ScottishPower Energy Retail Limited", "GB"),
]


def upsert_reference_data(apps: Any = None) -> None:
    """Create or update every catalogue row. `apps` is a migration's app registry, or None."""
    from invoicing.models.catalog import catalog_uuid

    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    unit_model = apps.get_model("invoicing", "Unit")
    fuel_model = apps.get_model("invoicing", "StationaryFuel")
    supplier_model = apps.get_model("invoicing", "Supplier")
    for code, name, symbol, dimension in UNITS:
        unit_model.objects.update_or_create(
            id=catalog_uuid("unit", code),
            defaults={"code": code, "name": name, "symbol": symbol, "dimension": dimension},
        )
    for code, name, is_biomass in STATIONARY_FUELS:
        fuel_model.objects.update_or_create(
            id=catalog_uuid("fuel", code), defaults={"code": code, "name": name, "is_biomass": is_biomass}
        )
    for code, name, legal_name, country in SUPPLIERS:
        supplier_model.objects.update_or_create(
            id=catalog_uuid("supplier", code),
            defaults={"code": code, "name": name, "legal_name": legal_name, "country": country},
        )
