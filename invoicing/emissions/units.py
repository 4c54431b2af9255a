"""Unit conversion from an invoice's unit to a factor's unit (docs/emissions.md, "Conversions").

Every conversion is exact decimal arithmetic and is described in words for the stored result.
Energy quantities on invoices are taken as gross calorific value (as billed, PCS); net-CV factors
are never applied, so gross and net are never mixed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

KWH_PER: dict[str, Decimal] = {"kwh": Decimal(1), "mwh": Decimal(1000), "gj": Decimal(1000) / Decimal("3.6")}
KWH_PER_TEXT = {"kwh": "1", "mwh": "1000", "gj": "1000/3.6"}
SYMBOL = {"kwh": "kWh", "mwh": "MWh", "gj": "GJ", "m3": "m³", "litre": "L", "kg": "kg", "tonne": "t"}

# Natural gas m³ → kWh (gross CV): the ratio of DESNZ 2024's natural-gas factors per m³ and per kWh
# gross (2.04542 / 0.18290 = 11.18327 kWh/m³ to five decimals), so that either route gives the same
# kg CO2e. It already includes the UK volume correction. Used only when no factor per m³ exists.
NATURAL_GAS_KWH_PER_M3 = Decimal("11.18327")
NATURAL_GAS_CV_SOURCE = "DESNZ 2024 ratio 2.04542 kg/m³ ÷ 0.18290 kg/kWh (gross CV)"

# Liquid densities printed by MITECO (RD 61/2006), kg per litre. Only these fuels convert litres ↔ kg.
DENSITY_KG_PER_LITRE: dict[str, Decimal] = {
    "gas_oil": Decimal("0.900"),
    "propane": Decimal("0.5185"),
    "butane": Decimal("0.560"),
}
DENSITY_SOURCE = "MITECO density (RD 61/2006)"

LIQUID_VOLUME_LITRES = {"litre": Decimal(1), "m3": Decimal(1000)}
MASS_KG = {"kg": Decimal(1), "tonne": Decimal(1000)}


@dataclass(frozen=True)
class Conversion:
    multiplier: Decimal
    description: str

    def apply(self, quantity: Decimal) -> Decimal:
        return quantity * self.multiplier


IDENTITY = Conversion(Decimal(1), "")


def conversion(from_unit: str, to_unit: str, *, fuel: str = "") -> Conversion | None:
    """How to turn a quantity in `from_unit` into `to_unit` for this fuel, or None if it cannot be done."""
    if from_unit == to_unit:
        return IDENTITY
    if from_unit in KWH_PER and to_unit in KWH_PER:
        text = f"{SYMBOL[from_unit]}→{SYMBOL[to_unit]}: x {KWH_PER_TEXT[from_unit]} / {KWH_PER_TEXT[to_unit]}"
        return Conversion(KWH_PER[from_unit] / KWH_PER[to_unit], text)
    if fuel == "natural_gas" and from_unit == "m3" and to_unit in KWH_PER:
        multiplier = NATURAL_GAS_KWH_PER_M3 / KWH_PER[to_unit]
        text = f"m³→{SYMBOL[to_unit]}: x {NATURAL_GAS_KWH_PER_M3} kWh/m³ gross ({NATURAL_GAS_CV_SOURCE})"
        if to_unit != "kwh":
            text += f" / {KWH_PER_TEXT[to_unit]}"
        return Conversion(multiplier, text)
    if fuel == "natural_gas":
        return None  # m³ of gas is not a liquid volume; kWh → m³ is never needed
    if from_unit in MASS_KG and to_unit in MASS_KG:
        return Conversion(MASS_KG[from_unit] / MASS_KG[to_unit], f"{SYMBOL[from_unit]}→{SYMBOL[to_unit]}")
    if from_unit in LIQUID_VOLUME_LITRES and to_unit in LIQUID_VOLUME_LITRES:
        return Conversion(
            LIQUID_VOLUME_LITRES[from_unit] / LIQUID_VOLUME_LITRES[to_unit], f"{SYMBOL[from_unit]}→{SYMBOL[to_unit]}"
        )
    density = DENSITY_KG_PER_LITRE.get(fuel)
    if density is None:
        return None
    density_text = f"{density} kg/L ({DENSITY_SOURCE})"
    if from_unit in LIQUID_VOLUME_LITRES and to_unit in MASS_KG:
        multiplier = LIQUID_VOLUME_LITRES[from_unit] * density / MASS_KG[to_unit]
        return Conversion(multiplier, f"{SYMBOL[from_unit]}→{SYMBOL[to_unit]}: x {density_text}")
    if from_unit in MASS_KG and to_unit in LIQUID_VOLUME_LITRES:
        multiplier = MASS_KG[from_unit] / density / LIQUID_VOLUME_LITRES[to_unit]
        return Conversion(multiplier, f"{SYMBOL[from_unit]}→{SYMBOL[to_unit]}: ÷ {density_text}")
    return None


def same_dimension(from_unit: str, to_unit: str) -> bool:
    groups = (set(KWH_PER), set(LIQUID_VOLUME_LITRES), set(MASS_KG))
    return any(from_unit in group and to_unit in group for group in groups)
