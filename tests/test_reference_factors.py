"""Bundled fuel and grid emission-factor tables: structure, units, sources, plausibility.

That every bundled CSV is described in datapackage.json is checked in tests/test_reference.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from klimacore import reference
from klimacore.units import conversion_factor, normalize_gas

FUEL_KEYS = {
    "natural_gas", "gas_oil", "fuel_oil", "lpg", "kerosene", "coal", "coke", "petroleum_coke",
    "petrol", "diesel", "jet_fuel", "biogas", "wood", "wood_pellets", "straw", "waste",
}
BIOMASS = {"biogas", "wood", "wood_pellets", "straw"}
GRID_METHODS = {
    "national_location", "municipality_location", "municipality_local_production",
    "network_declaration", "market_based",
}


@pytest.fixture(scope="module")
def fuel() -> pd.DataFrame:
    return reference.fuel_emission_factors()


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    return reference.read_table("grid_emission_factors.csv")


def _schema(path: str) -> dict[str, object]:
    for resource in reference.datapackage()["resources"]:
        if resource["path"] == path:
            return dict(resource["schema"])
    raise AssertionError(f"{path} not described in datapackage.json")


def _per_gj(frame: pd.DataFrame) -> pd.Series:
    factors = {u: conversion_factor(u, "kg/GJ") for u in set(frame["unit"])}
    return frame["value"] * frame["unit"].map(factors)


# --- fuel_emission_factors -------------------------------------------------------------------


def test_fuel_columns_and_types(fuel: pd.DataFrame) -> None:
    assert fuel.columns.tolist() == [
        "fuel", "gas", "value", "unit", "year", "source", "note", "biogenic_co2", "verified",
        "sector", "publisher", "document", "table", "source_year", "url"]
    assert fuel["value"].dtype == "float64"
    assert fuel["year"].dtype == "int64"
    assert fuel["biogenic_co2"].dtype == bool


def test_fuel_primary_key_is_unique(fuel: pd.DataFrame) -> None:
    key = _schema("fuel_emission_factors.csv")["primaryKey"]
    assert key == ["fuel", "gas", "year", "biogenic_co2", "sector"]
    dupes = fuel[fuel.duplicated(key, keep=False)]
    assert dupes.empty, dupes[key].to_string()


def test_fuel_keys_gases_and_coverage(fuel: pd.DataFrame) -> None:
    assert set(fuel["fuel"]) == FUEL_KEYS
    assert set(fuel["gas"]) == {"CO2", "CH4", "N2O"}
    assert all(normalize_gas(g) == g for g in fuel["gas"])
    # every fuel has all three gases, and a fossil CO2 row unless it is pure biomass
    have = fuel.groupby("fuel")["gas"].agg(set)
    assert (have == {"CO2", "CH4", "N2O"}).all(), have[have != {"CO2", "CH4", "N2O"}]
    fossil_co2 = set(fuel.query("gas == 'CO2' and not biogenic_co2")["fuel"])
    assert fossil_co2 == FUEL_KEYS - BIOMASS


def test_biogenic_flag_only_on_co2_of_biomass(fuel: pd.DataFrame) -> None:
    bio = fuel[fuel["biogenic_co2"]]
    assert set(bio["gas"]) == {"CO2"}
    assert set(bio["fuel"]) == BIOMASS | {"waste"}


def test_fuel_units_parse_and_values_positive(fuel: pd.DataFrame) -> None:
    per_gj = _per_gj(fuel)  # raises UnitError for a unit of the wrong dimension
    assert (per_gj > 0).all()
    assert set(fuel.loc[fuel["gas"] == "CO2", "unit"]) == {"kg/GJ"}
    assert set(fuel.loc[fuel["gas"] != "CO2", "unit"]) == {"g/GJ"}


def test_every_fuel_row_has_a_source(fuel: pd.DataFrame) -> None:
    assert fuel["source"].notna().all()
    assert (fuel["source"].str.len() > 20).all()
    assert fuel["year"].between(1990, 2030).all()


@pytest.mark.parametrize(
    ("name", "low", "high"),
    [("natural_gas", 55, 58), ("gas_oil", 73, 75), ("fuel_oil", 76, 80), ("lpg", 62, 66),
     ("kerosene", 71, 73), ("diesel", 72, 76), ("petrol", 68, 74), ("jet_fuel", 70, 73),
     ("coal", 90, 100), ("coke", 100, 112), ("petroleum_coke", 90, 100)],
)
def test_fossil_co2_plausible(fuel: pd.DataFrame, name: str, low: float, high: float) -> None:
    rows = fuel.query("fuel == @name and gas == 'CO2' and not biogenic_co2")
    assert len(rows) >= 1
    assert rows["value"].between(low, high).all(), rows[["value", "year"]]


def test_waste_split_adds_up(fuel: pd.DataFrame) -> None:
    waste = fuel.query("fuel == 'waste' and gas == 'CO2'").set_index("biogenic_co2")["value"]
    assert 30 < waste[False] < 50  # fossil part of mixed waste
    assert 85 < waste[False] + waste[True] < 110  # whole-waste CO2 per GJ


def test_non_co2_small_against_co2(fuel: pd.DataFrame) -> None:
    # CH4 and N2O per GJ are orders of magnitude below CO2: catches a kg/g mix-up
    per_gj = _per_gj(fuel)
    assert (per_gj[fuel["gas"] != "CO2"] < 1.0).all()


# --- grid_emission_factors -------------------------------------------------------------------


def test_grid_columns_and_key(grid: pd.DataFrame) -> None:
    assert grid.columns.tolist() == [
        "carrier", "area", "year", "method", "chp_allocation", "grid_losses_included", "value",
        "unit", "release", "source", "note", "verified", "gas_basis", "publisher", "document",
        "table", "source_year", "url"]
    assert grid["grid_losses_included"].dtype == bool
    # a row is verified exactly when its source does not say it is unverified
    assert (grid["verified"] == ~grid["source"].str.startswith("unverified")).all()
    key = _schema("grid_emission_factors.csv")["primaryKey"]
    assert not grid.duplicated(key).any()


def test_grid_vocabularies(grid: pd.DataFrame) -> None:
    assert set(grid["carrier"]) <= {"electricity", "district_heating"}
    assert set(grid["method"]) <= GRID_METHODS
    assert set(grid["chp_allocation"]) <= {"125%", "200%", "energy", "n/a"}
    codes = set(reference.municipalities()["code"])
    municipal = grid[grid["method"].str.startswith("municipality_")]
    assert municipal["area"].astype(int).isin(codes).all()
    assert (grid.loc[grid["method"] == "national_location", "area"]
            .isin({"DK", "DK1", "DK2"}).all())


def test_grid_units_values_and_sources(grid: pd.DataFrame) -> None:
    per_gj = _per_gj(grid)
    assert (per_gj > 0).all()
    # 1 g/kWh = 0.2778 kg/GJ; no Danish grid factor is above coal-only power (~1000 g/kWh)
    assert (per_gj < 300).all()
    assert grid["source"].str.len().gt(20).all()
    assert grid["year"].between(2000, 2030).all()


def test_unverified_rows_say_so(grid: pd.DataFrame, fuel: pd.DataFrame) -> None:
    for frame in (grid, fuel):
        flagged = frame["source"].str.startswith("unverified")
        assert frame.loc[flagged, "note"].str.contains("unverified").all()
    # the verified primary figures are present and unflagged
    ok = grid[~grid["source"].str.startswith("unverified")]
    row = ok.query("year == 2015 and chp_allocation == '125%' and not grid_losses_included")
    assert row["value"].tolist() == [195.0]
