"""IAMC long format: exact round trips, the naming scheme, errors, and pyam as a cross-check."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore import examples, io, trajectory
from klimacore.errors import DataError, ValidationError
from klimacore.models import load_example_plan


@pytest.fixture(scope="module")
def inventory() -> xr.Dataset:
    return examples.example_inventory()[["emissions", "co2e"]]


@pytest.fixture(scope="module")
def check() -> trajectory.TrajectoryCheck:
    plan = load_example_plan()
    e = trajectory.plan_emissions(plan).expand_dims(municipality=[plan.municipality])
    return trajectory.check_trajectory(e, ["dk-climate-act", "ipcc-ar6-c1-ghg"])


def _core(ds: xr.Dataset) -> xr.Dataset:
    """Values, labels, units and metric: what IAMC carries."""
    out = ds.copy()
    for v in out.data_vars:
        out[v].attrs = {k: out[v].attrs[k] for k in ("units", "gwp_metric") if k in out[v].attrs}
    out.attrs = {}
    return out


def test_inventory_round_trip_is_exact(inventory: xr.Dataset) -> None:
    table = io.to_iamc(inventory)
    assert list(table.columns) == [*io.IAMC_COLUMNS[:-1], "scope2_method", "value"]
    back = from_iamc_nonnan(table, inventory)
    xr.testing.assert_identical(_core(back), _core(inventory))
    assert back.attrs == {"model": "klimacore", "scenario": "default"}


def from_iamc_nonnan(table: pd.DataFrame, like: xr.Dataset) -> xr.Dataset:
    back = io.from_iamc(table)
    for v in like.data_vars:  # the only labels that cannot travel: those never reported
        assert set(back[v].dims) == set(like[v].dims)
    return back.reindex_like(like)


def test_naming_scheme(inventory: xr.Dataset) -> None:
    t = io.to_iamc(inventory, model="m", scenario="s")
    ch4 = t[(t["variable"] == "Emissions|CH4|I.1.1") & (t["year"] == 2019)]
    assert ch4["unit"].tolist() == ["t CH4/yr"] and ch4["region"].tolist() == ["Odder"]
    assert ch4["value"].item() == inventory["emissions"].sel(
        gas="CH4", category="I.1.1", year=2019).item()
    co2e = t[t["variable"].str.startswith("Emissions|Kyoto Gases (AR5GWP100)|")]
    assert set(co2e["unit"]) == {"t CO2e/yr"}
    assert set(co2e["scope2_method"]) == {"national_location", "municipality_location"}
    # missing stays missing: no row for an unreported cell, never a 0
    n_reported = int(inventory["emissions"].count() + inventory["co2e"].count())
    assert len(t) == n_reported


def test_trajectory_check_round_trip(check: trajectory.TrajectoryCheck) -> None:
    table = io.to_iamc(check)
    assert {"Trajectory|dk-climate-act|Status", "Trajectory|ipcc-ar6-c1-ghg|Gap Share",
            "Emissions|Kyoto Gases (AR5GWP100)"} <= set(table["variable"])
    back = io.from_iamc(table)
    years = check.years
    np.testing.assert_array_equal(back["status"].transpose(*years["status"].dims),
                                  years["status"])
    assert back["status"].dtype == np.int8
    for v in ("allowed", "gap_t", "gap_pct"):
        xr.testing.assert_equal(back[v].transpose(*years[v].dims).reindex_like(years[v]),
                                years[v])
    xr.testing.assert_equal(back["co2e"].reindex_like(years["emissions"]),
                            years["emissions"].rename("co2e"))
    assert back["co2e"].attrs == {"units": "t", "gwp_metric": "AR5GWP100"}


def test_table_round_trip_through_csv(tmp_path, inventory: xr.Dataset) -> None:
    table = io.to_iamc(inventory["emissions"])
    table.to_csv(tmp_path / "x.csv", index=False)
    again = io.to_iamc(io.from_iamc(pd.read_csv(tmp_path / "x.csv")))
    pd.testing.assert_frame_equal(again, table)


def test_wide_table_and_unit_conversion() -> None:
    wide = pd.DataFrame({"Model": ["m", "m"], "Scenario": "s", "Region": "Region Midtjylland",
                         "Variable": "Emissions|N2O", "Unit": ["kt N2O/yr", "t N2O/yr"],
                         "2019": [1.0, np.nan], "2020": [np.nan, 5.0]})
    back = io.from_iamc(wide)
    assert back["emissions"].dims == ("region", "year", "gas")
    assert back["emissions"].attrs["units"] == "t"
    assert back["emissions"].sel(region=1082, gas="N2O").to_numpy().tolist() == [1000.0, 5.0]


def test_errors_are_collected() -> None:
    bad = pd.DataFrame({"model": "m", "scenario": "s", "region": "Aarhus",
                        "variable": ["Emissions|CO2", "Population", "Emissions|CH4"],
                        "unit": ["t CO2/yr", "people", "t CO2/yr"],
                        "year": [2019, 2019.5, 2019], "value": [1.0, 2.0, "x"]})
    with pytest.raises(DataError) as info:
        io.from_iamc(bad)
    text = str(info.value)
    assert "row 2: year 2019.5" in text and "row 3: value 'x'" in text
    assert "'Population'" in text and "'<mass> CH4/yr'" in text
    with pytest.raises(DataError, match="column 'unit' is missing"):
        io.from_iamc(bad.drop(columns="unit"))
    dup = pd.concat([io.to_iamc(_tiny())] * 2, ignore_index=True)
    with pytest.raises(DataError, match="duplicate rows"):
        io.from_iamc(dup)


def test_to_iamc_refuses_what_it_cannot_name(inventory: xr.Dataset) -> None:
    with pytest.raises(ValidationError, match="'notation_key' has no IAMC name"):
        io.to_iamc(examples.example_inventory())
    with pytest.raises(ValidationError, match="gwp_metric"):
        io.to_iamc(inventory["co2e"].copy().assign_attrs(gwp_metric=None))
    with pytest.raises(ValidationError, match="give region="):
        io.to_iamc(_tiny().isel(municipality=0, drop=True))


def _tiny() -> xr.DataArray:
    return xr.DataArray([[[1.0, 2.0]]], dims=("municipality", "year", "gas"),
                        coords={"municipality": [101], "year": [2020], "gas": ["CO2", "SF6"]},
                        attrs={"units": "kt"}, name="emissions")


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.one_of(st.floats(-1e12, 1e12, allow_nan=False), st.just(np.nan)),
                       min_size=6, max_size=6),
       unit=st.sampled_from(["t", "kt", "Mt"]))
def test_round_trip_property(values: list[float], unit: str) -> None:
    da = xr.DataArray(np.asarray(values).reshape(2, 3, 1),
                      dims=("municipality", "year", "gas"),
                      coords={"municipality": [751, 101], "year": [2018, 2019, 2021],
                              "gas": ["N2O"]}, attrs={"units": unit}, name="emissions")
    table = io.to_iamc(da, scenario="BAU")
    if table.empty:
        return
    back = io.from_iamc(table)["emissions"].reindex_like(da)
    xr.testing.assert_identical(back, da)


# --- pyam (test dependency; see noxfile's interop session) -----------------------------------


def test_pyam_reads_and_writes_the_same_table(inventory: xr.Dataset,
                                              check: trajectory.TrajectoryCheck) -> None:
    pyam = pytest.importorskip("pyam")
    for obj in (inventory, check):
        table = io.to_iamc(obj)
        df = io.to_pyam(obj)
        assert isinstance(df, pyam.IamDataFrame)
        assert len(df.data) == len(table)
        ours = table.sort_values([*df.dimensions]).reset_index(drop=True)
        theirs = df.data.sort_values([*df.dimensions]).reset_index(drop=True)
        pd.testing.assert_frame_equal(ours[theirs.columns], theirs, check_dtype=False)
        back = io.from_iamc(df)
        like = _core(inventory) if obj is inventory else None
        if like is not None:
            xr.testing.assert_identical(_core(back).reindex_like(like), like)


def test_pyam_aggregates_our_categories_like_klimacore(inventory: xr.Dataset) -> None:
    pyam = pytest.importorskip("pyam")
    df = pyam.IamDataFrame(io.to_iamc(inventory["emissions"]))
    total = df.aggregate("Emissions|CO2").data.set_index("year")["value"]
    ours = inventory["emissions"].sel(gas="CO2").sum("category").squeeze()
    np.testing.assert_allclose(total.loc[[2019, 2024]].to_numpy(), ours.to_numpy(), rtol=1e-12)


def test_accessor(inventory: xr.Dataset) -> None:
    import klimacore.accessor  # noqa: F401

    pd.testing.assert_frame_equal(inventory.klima.to_iamc(scenario="x"),
                                  io.to_iamc(inventory, scenario="x"))
