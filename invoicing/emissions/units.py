"""Unit conversion from an invoice's unit to a factor's unit (docs/emissions.md, "Conversions").

Only conversions that need no sourced property of the fuel: energy units among themselves, mass
units, liquid volume units. Natural gas in m³ reaches kWh only with the bill's own conversion
factor (kWh/m³ as printed on the invoice, `Invoice.kwh_per_m3`); no calorific value or density is
borrowed from another publication. Every conversion is exact decimal arithmetic, described in words
for the stored result. Billed energy is taken as gross calorific value (PCS).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

KWH_PER: dict[str, Decimal] = {"kwh": Decimal(1), "mwh": Decimal(1000), "gj": Decimal(1000) / Decimal("3.6")}
KWH_PER_TEXT = {"kwh": "1", "mwh": "1000", "gj": "1000/3.6"}
SYMBOL = {"kwh": "kWh", "mwh": "MWh", "gj": "GJ", "m3": "m³", "litre": "L", "kg": "kg", "tonne": "t"}
LIQUID_VOLUME_LITRES = {"litre": Decimal(1), "m3": Decimal(1000)}
MASS_KG = {"kg": Decimal(1), "tonne": Decimal(1000)}
NATURAL_GAS = "natural_gas"


@dataclass(frozen=True)
class Conversion:
    multiplier: Decimal
    description: str

    def apply(self, quantity: Decimal) -> Decimal:
        return quantity * self.multiplier


IDENTITY = Conversion(Decimal(1), "")


def conversion(from_unit: str, to_unit: str, *, fuel: str = "", kwh_per_m3: Decimal | None = None) -> Conversion | None:
    """How to turn a quantity in `from_unit` into `to_unit` for this fuel, or None if it cannot be done.

    `kwh_per_m3` is the bill's own natural-gas conversion factor (kWh gross per m³), if it prints one.
    """
    if from_unit == to_unit:
        return IDENTITY
    if from_unit in KWH_PER and to_unit in KWH_PER:
        text = f"{SYMBOL[from_unit]}→{SYMBOL[to_unit]}: x {KWH_PER_TEXT[from_unit]} / {KWH_PER_TEXT[to_unit]}"
        return Conversion(KWH_PER[from_unit] / KWH_PER[to_unit], text)
    if fuel == NATURAL_GAS:
        if from_unit == "m3" and to_unit in KWH_PER and kwh_per_m3 is not None:
            text = f"m³→{SYMBOL[to_unit]}: x {kwh_per_m3.normalize():f} kWh/m³ (the bill's conversion factor)"
            if to_unit != "kwh":
                text += f" / {KWH_PER_TEXT[to_unit]}"
            return Conversion(kwh_per_m3 / KWH_PER[to_unit], text)
        return None  # m³ of gas is not a liquid volume, and kWh → m³ is never needed
    if from_unit in MASS_KG and to_unit in MASS_KG:
        return Conversion(MASS_KG[from_unit] / MASS_KG[to_unit], f"{SYMBOL[from_unit]}→{SYMBOL[to_unit]}")
    if from_unit in LIQUID_VOLUME_LITRES and to_unit in LIQUID_VOLUME_LITRES:
        return Conversion(
            LIQUID_VOLUME_LITRES[from_unit] / LIQUID_VOLUME_LITRES[to_unit], f"{SYMBOL[from_unit]}→{SYMBOL[to_unit]}"
        )
    return None


def same_dimension(from_unit: str, to_unit: str) -> bool:
    groups = (set(KWH_PER), set(LIQUID_VOLUME_LITRES), set(MASS_KG))
    return any(from_unit in group and to_unit in group for group in groups)
