"""Tidy CSV / DataFrame and netCDF round trips: values, units and attrs exactly."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from klimacore import examples, io
from klimacore import territorial as kt
from klimacore.errors import DataError, ValidationError

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

attr_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=20))
attr_values = st.recursive(
    attr_scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(min_size=1, max_size=5), inner, max_size=3)),
    max_leaves=6)
attrs_strategy = st.dictionaries(
    st.text(alphabet="abcdefghij_", min_size=1, max_size=8).filter(lambda k: not k.startswith("_")),
    attr_values, max_size=5)


@st.composite
def datasets(draw: st.DrawFn) -> xr.Dataset:
    n_m, n_y, n_c = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    cats = examples.example_inventory()["category"].to_numpy()[:n_c]
    floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
    em = draw(hnp.arrays(np.float64, (n_m, n_y, n_c, 2), elements=floats))
    keys = draw(hnp.arrays("<U2", (n_m, n_y, n_c), elements=st.sampled_from(["", "NO", "IE", "NE", "C"])))
    ds = xr.Dataset(
        {"emissions": (("municipality", "year", "category", "gas"), em,
                       {"units": "t", "long_name": "emissions by gas"}),
         "notation_key": (("municipality", "year", "category"), keys)},
        coords={"municipality": [727, 101, 851][:n_m], "year": [2019, 1990, 2024][:n_y],
                "category": cats, "gas": ["CO2", "CH4"],
                "region_name": ("municipality", np.array(["Midt", "Hoved", "Nord"][:n_m]))},
        attrs=draw(attrs_strategy))
    ds["co2e"] = (ds["emissions"] * xr.DataArray([1.0, 28.0], dims="gas",
                                                   coords={"gas": ["CO2", "CH4"]})).sum("gas")
    ds["co2e"].attrs = {"units": "t", "gwp_metric": "AR5GWP100", "flags": [True, None]}
    return ds


def assert_exact(back: xr.Dataset | xr.DataArray, orig: xr.Dataset | xr.DataArray) -> None:
    assert back.identical(orig)
    assert back.attrs == orig.attrs
    names = list(orig.variables) if isinstance(orig, xr.Dataset) else [*orig.coords]
    for name in names:
        assert back[name].attrs == orig[name].attrs, name
        assert back[name].dtype == orig[name].dtype, name
        np.testing.assert_array_equal(back[name].to_numpy(), orig[name].to_numpy())
    if isinstance(orig, xr.DataArray):
        np.testing.assert_array_equal(back.to_numpy(), orig.to_numpy())


def test_inventory_csv_round_trip_is_exact(tmp_path: Path) -> None:
    inv = examples.example_inventory()
    back = io.read_csv(io.write_csv(inv, tmp_path / "inv.csv"))
    assert_exact(back, inv)
    assert back.attrs["scope2_methods"] == inv.attrs["scope2_methods"]
    text = (tmp_path / "inv.csv").read_text(encoding="utf-8").splitlines()
    assert text[0].startswith("# klimacore: ")
    assert text[1].split(",")[:4] == ["variable", "municipality", "year", "category"]
    plain = pd.read_csv(tmp_path / "inv.csv", skiprows=1)  # readable without klimacore
    assert set(plain["variable"]) == set(inv.data_vars)


def test_inventory_netcdf_round_trip_is_exact(tmp_path: Path) -> None:
    inv = examples.example_inventory()
    back = io.read_netcdf(io.to_netcdf(inv, tmp_path / "inv.nc"))
    assert_exact(back, inv)
    assert back["co2e"].attrs["units"] == "t" and back.attrs["illustrative"] is True


def test_dataarray_round_trips(tmp_path: Path) -> None:
    da = kt.totals(examples.example_inventory()["co2e"], ("sector", "scope")).rename("by_sector")
    assert_exact(io.read_csv(io.write_csv(da, tmp_path / "t.csv")), da)
    assert_exact(io.read_netcdf(io.to_netcdf(da, tmp_path / "t.nc")), da)
    assert_exact(io.from_frame(io.to_frame(da)), da)
    unnamed = xr.DataArray([1.0, 2.0], dims="year", coords={"year": [2019, 2020]})
    assert io.read_netcdf(io.to_netcdf(unnamed, tmp_path / "u.nc")).name is None


@SETTINGS
@given(ds=datasets())
def test_csv_round_trip_property(tmp_path: Path, ds: xr.Dataset) -> None:
    assert_exact(io.read_csv(io.write_csv(ds, tmp_path / "p.csv")), ds)
    assert_exact(io.from_frame(io.to_frame(ds)), ds)


@SETTINGS
@given(ds=datasets())
def test_netcdf_round_trip_property(tmp_path: Path, ds: xr.Dataset) -> None:
    assert_exact(io.read_netcdf(io.to_netcdf(ds, tmp_path / "p.nc")), ds)


def test_activity_csv_round_trip(tmp_path: Path) -> None:
    frame = examples.example_activity()
    da = kt.activity_array(frame)
    path = io.write_activity_csv(da, tmp_path / "act.csv")
    back = io.read_activity_csv(path)
    assert back.columns.tolist() == ["municipality", "year", "category", "fuel", "value", "unit"]
    again = kt.activity_array(back)
    assert again.identical(da)
    # zero cells may be left out: they read back as 0
    sparse = io.read_activity_csv(io.write_activity_csv(da, tmp_path / "s.csv", drop_zeros=True))
    assert len(sparse) == len(frame) and kt.activity_array(sparse).identical(da)
    # the inventory from the round-tripped file is the same
    inv1 = kt.inventory(frame, kt.default_emission_factors(), grid=examples.example_grid_sets())
    inv2 = kt.inventory(sparse, kt.default_emission_factors(), grid=examples.example_grid_sets())
    assert inv1.identical(inv2)


def test_activity_csv_with_notation_keys_and_errors(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    p.write_text("municipality,year,category,fuel,value,unit\n"
                 "727,2019,I.1.1,natural_gas,10.5,GJ\n727,2019,I.4.4,natural_gas,NO,\n",
                 encoding="utf-8")
    frame = io.read_activity_csv(p)
    inv = kt.inventory(frame, kt.default_emission_factors())
    assert inv["notation_key"].sel(category="I.4.4").item() == "NO"
    p.write_text("municipality,year,category,fuel,value,unit\n727,2019,I.1.1,natural_gas,,GJ\n",
                 encoding="utf-8")
    with pytest.raises(DataError, match="line"):
        io.read_activity_csv(p)
    p.write_text("municipality,year,category,value\n727,2019,I.1.1,1\n", encoding="utf-8")
    with pytest.raises(DataError, match="fuel"):
        io.read_activity_csv(p)
    with pytest.raises(DataError, match="metadata"):
        io.read_csv(tmp_path / "a.csv")


def test_frame_errors_name_the_problem() -> None:
    da = xr.DataArray([1.0], dims="value", coords={"value": [1]})
    with pytest.raises(DataError, match="value"):
        io.to_frame(da)
    frame = io.to_frame(examples.example_inventory()["co2e"])
    bad = frame.copy()
    bad.attrs = frame.attrs
    bad.loc[0, "category"] = "I.9.9"
    with pytest.raises(DataError, match=r"I\.9\.9"):
        io.from_frame(bad)
    with pytest.raises(DataError, match="missing"):
        io.from_frame(frame.iloc[1:], frame.attrs["klimacore"])
    with pytest.raises(DataError, match="metadata"):
        io.from_frame(pd.DataFrame({"variable": ["x"]}))
    with pytest.raises(ValidationError):
        io.to_frame(pd.DataFrame())  # type: ignore[arg-type]
    with pytest.raises(DataError, match="attribute"):
        io.to_frame(xr.DataArray([1.0], attrs={"when": object()}))


def test_netcdf_needs_h5netcdf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "h5netcdf", None)
    with pytest.raises(ImportError, match=r"klimacore\[netcdf\]"):
        io.to_netcdf(xr.Dataset(), tmp_path / "x.nc")
