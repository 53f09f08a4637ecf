"""Write src/klimacore/data/example_plan.json: an ILLUSTRATIVE plan for the demo and the docs.

The figures are invented for demonstration (rounded, of a plausible size for a Danish rural
municipality of about 23,000 inhabitants). They are not Odder Kommune's adopted plan.
Run: python scripts/make_example_plan.py
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "klimacore" / "data" / "example_plan.json"

# Illustrative inventory, t CO2e (AR5 GWP100): 1990, 2010, 2019 by sector.
OBSERVED = {
    "energy": {1990: 118_000, 2010: 71_000, 2019: 38_000},
    "transport": {1990: 52_000, 2010: 58_000, 2019: 56_000},
    "agriculture": {1990: 96_000, 2010: 84_000, 2019: 81_000},
    "land_use": {1990: 14_000, 2010: 11_000, 2019: 10_000},
    "waste": {1990: 7_000, 2010: 4_500, 2019: 3_000},
    "industry": {1990: 6_000, 2010: 4_000, 2019: 3_500},
}
# Action scenario emissions in 2030 and 2050, and BAU in 2050, as fractions of 2019.
ACTION_2030 = {"energy": 0.15, "transport": 0.55, "agriculture": 0.62, "land_use": 0.40,
               "waste": 0.50, "industry": 0.60}
ACTION_2050 = {"energy": 0.0, "transport": 0.05, "agriculture": 0.35, "land_use": -1.2,
               "waste": 0.20, "industry": 0.15}
BAU_2050 = {"energy": 0.45, "transport": 0.80, "agriculture": 0.95, "land_use": 0.9,
            "waste": 0.8, "industry": 0.9}


def _path(start: float, mid: float | None, end: float) -> dict[int, float]:
    """Linear 2019→2030→2050 (or 2019→2050 when mid is None), rounded to 10 t."""
    out = {}
    for year in range(2019, 2051):
        if mid is not None and year <= 2030:
            value = start + (mid - start) * (year - 2019) / 11
        elif mid is not None:
            value = mid + (end - mid) * (year - 2030) / 20
        else:
            value = start + (end - start) * (year - 2019) / 31
        out[year] = round(value, -1)
    return out


def main() -> None:
    base = {s: v[2019] for s, v in OBSERVED.items()}
    action = {s: _path(base[s], base[s] * ACTION_2030[s], base[s] * ACTION_2050[s]) for s in base}
    bau = {s: _path(base[s], None, base[s] * BAU_2050[s]) for s in base}
    plan = {
        "municipality": 727,
        "title": "Eksempelplan: klimahandleplan (illustrative example, not an adopted plan)",
        "version": "2.0",
        "adopted": "2025-06-16",
        "previous_version": "1.0",
        "illustrative": True,
        "gwp_metric": "AR5GWP100",
        "baseline_year": 2019,
        "baseline_emissions": base,
        "inventory": {
            "source": "Illustrative figures in the layout of Energistyrelsen's Energi- og CO2-regnskab",
            "year": 2019,
            "release_date": "2024-06-01",
            "retrieved": "2024-08-15",
            "gwp_metric": "AR5GWP100",
            "boundary": "territorial",
            "reporting_level": "BASIC+",
            "includes_lulucf": True,
            "gases": ["CO2", "CH4", "N2O"],
        },
        "population": {2019: 22_700, 2024: 23_300},
        "targets": [
            {"kind": "absolute", "base_year": 1990, "target_year": 2025, "reduction_pct": 50,
             "includes_lulucf": True, "description": "Indicative 2025 milestone"},
            {"kind": "absolute", "base_year": 1990, "target_year": 2030, "reduction_pct": 70,
             "includes_lulucf": True, "description": "First target, as the Danish Climate Act"},
            {"kind": "absolute", "base_year": 1990, "target_year": 2035, "reduction_pct": 80,
             "includes_lulucf": True},
            {"kind": "absolute", "base_year": 1990, "target_year": 2040, "reduction_pct": 90,
             "includes_lulucf": True},
            {"kind": "net_zero", "target_year": 2050, "includes_lulucf": True},
            {"kind": "sector", "sector": "transport", "base_year": 2019, "target_year": 2030,
             "reduction_pct": 45},
        ],
        "observed": {"name": "observed", "emissions": OBSERVED},
        "bau": {"name": "bau", "emissions": bau},
        "action_scenario": {"name": "action", "emissions": action},
        "actions": [
            {"id": "E1", "title": "Phase out oil and gas boilers outside district heating areas",
             "owner": "Teknik og Miljø", "start": 2023, "end": 2030, "status": "ongoing",
             "sector": "energy", "expected_effect_t": 9_000, "effect_year": 2030,
             "indicators": ["heat-pumps"]},
            {"id": "E2", "title": "District heating from surplus heat and large heat pumps",
             "owner": "Local district heating company", "start": 2024, "end": 2028,
             "status": "ongoing", "sector": "energy", "expected_effect_t": 12_000,
             "effect_year": 2030, "indicators": ["dh-fossil-share"]},
            {"id": "T1", "title": "Charging infrastructure and electric municipal fleet",
             "owner": "Teknik og Miljø", "start": 2022, "end": 2030, "status": "ongoing",
             "sector": "transport", "expected_effect_t": 15_000, "effect_year": 2030,
             "indicators": ["ev-share", "chargers"]},
            {"id": "T2", "title": "Cycling routes between villages and the town centre",
             "owner": "Vej og Park", "start": 2024, "end": 2032, "status": "planned",
             "sector": "transport", "expected_effect_t": 2_000, "effect_year": 2030},
            {"id": "L1", "title": "Rewetting of carbon-rich lowland soils",
             "owner": "Land use partnership with farmers' association", "start": 2024,
             "end": 2035, "status": "delayed", "sector": "land_use",
             "expected_effect_t": 6_000, "effect_year": 2030, "indicators": ["rewetted-ha"]},
            {"id": "A1", "title": "Advisory service on feed additives and manure handling",
             "owner": "Farmers' advisory service", "start": 2025, "end": 2030,
             "status": "planned", "sector": "agriculture", "expected_effect_t": 8_000,
             "effect_year": 2030},
        ],
        "indicators": [
            {"id": "heat-pumps", "name": "Individual heat pumps installed", "level": "output",
             "unit": "dimensionless", "direction": "increase", "baseline_year": 2020,
             "baseline_value": 1_900, "targets": {2025: 3_200, 2030: 4_500},
             "observations": {2022: 2_300, 2023: 2_650, 2024: 2_900}},
            {"id": "dh-fossil-share", "name": "Fossil share of district heating supply",
             "level": "outcome", "unit": "percent", "direction": "decrease",
             "baseline_year": 2019, "baseline_value": 22, "targets": {2030: 0},
             "observations": {2022: 14, 2023: 11}},
            {"id": "ev-share", "name": "Share of electric cars in the car stock",
             "level": "outcome", "unit": "percent", "direction": "increase",
             "baseline_year": 2020, "baseline_value": 2.1, "targets": {2030: 45},
             "observations": {2022: 5.3, 2023: 8.0, 2024: 11.6}},
            {"id": "chargers", "name": "Public charging points", "level": "output",
             "unit": "dimensionless", "direction": "increase", "baseline_year": 2020,
             "baseline_value": 24, "targets": {2030: 400},
             "observations": {2022: 61, 2023: 98, 2024: 150}},
            {"id": "rewetted-ha", "name": "Rewetted lowland soils", "level": "output",
             "unit": "hectare", "direction": "increase", "baseline_year": 2022,
             "baseline_value": 0, "targets": {2030: 900},
             "observations": {2023: 15, 2024: 40}},
        ],
        "adaptation": {
            "hazards": ["cloudburst", "sea_level_rise", "storm_surge", "groundwater"],
            "risk_assessment_date": "2023-03-01",
            "risk_assessment_data_year": 2021,
        },
    }
    OUT.write_text(json.dumps(plan, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
