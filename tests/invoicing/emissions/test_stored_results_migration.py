"""Results stored in the earlier format keep their numbers until recalculated; their scope and energy are fixed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_migrating_keeps_stored_numbers_corrects_their_scope_and_drops_the_life_cycle_datasets(tmp_path):
    env = {"EMBEDDED_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin", "REDIS_URL": "redis://127.0.0.1:1/0"}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tests.invoicing.emissions.stored_results_world"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        subprocess.run([sys.executable, "-m", "config.embedded", "stop"], cwd=ROOT, env=env, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    world = json.loads(result.stdout.strip().splitlines()[-1])
    heat, power = world["ids"]["heat"], world["ids"]["power"]
    assert world["emissions"] == [
        {
            "invoice_id": power,
            "category": "electricity_location_based",
            "scope": "scope_2_location_based",
            "kg_co2e": "2157.900000",
            "kwh": None,
            "factor_id": None,
            "source_location": "",
            "dataset_version": "",
        },
        {
            "invoice_id": heat,
            "category": "energy",
            "scope": "",
            "kg_co2e": None,
            "kwh": "10000.000000",
            "factor_id": None,
            "source_location": "",
            "dataset_version": "",
        },
        {
            "invoice_id": heat,
            "category": "stationary",
            "scope": "scope_2_heat_and_steam",
            "kg_co2e": "1796.500000",
            "kwh": None,
            "factor_id": None,
            "source_location": "10_401_4002_5_1",
            "dataset_version": "2024",
        },
    ]
    assert world["invoices"][heat] == ["1796.500000", "10000.000000"]  # untouched until a recalculation
    # The counts and the months the inventory reads are filled from the stored rows, as the calculator keeps them.
    assert world["figures"] == world["figures_refreshed"]
    heat_month = {"stationary_scope_2_location_based": "1796.500000", "stationary_scope_2_market_based": "1796.500000"}
    assert world["figures"][heat] == [2, None, [["2024-01-01", {**heat_month, "energy_energy_kwh": "10000.000000"}]]]
    location_based = {"electricity_location_based_scope_2_location_based": "2157.900000"}
    assert world["figures"][power] == [1, None, [["2024-01-01", location_based]]]
    # Ember's configuration is gone (its invoices get the defaults); DESNZ 2024 follows the publication's file.
    assert world["configs"] == [["stationary", "DESNZ", world["desnz_2024"][0]]]
    assert world["desnz_2024"] == ["2024 flat file v1.1 (updated 2024-10-18); GWP100 AR5"]
    assert "Ember" not in world["publishers"]
    assert "Electricity Maps" not in world["publishers"]
    assert world["acme_factor"] == [
        "fuel_combustion",
        "standard",
        "Natural gas",
        "Table 3 row 1",
        "0.22700000000000000",
        "co2e",
    ]
    assert world["acme_td"] == ["electricity_wtt_td", "standard", "electricity_transmission_and_distribution (wtt_td)"]
