"""primap2's interchange format: exact round trips, errors, and primap2 itself reading our files."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore import examples, io
from klimacore.errors import DataError, ValidationError


@pytest.fixture(scope="module")
def inventory() -> xr.Dataset:
    return examples.example_inventory()[["emissions", "co2e"]]


def _core(ds: xr.Dataset) -> xr.Dataset:
    out = ds.copy()
    for v in out.data_vars:
        out[v].attrs = {k: out[v].attrs[k] for k in ("units", "gwp_metric") if k in out[v].attrs}
    out.attrs = {}
    return out


def test_round_trip_is_exact(inventory: xr.Dataset) -> None:
    frame = io.to_primap2(inventory)
    back = io.from_primap2(frame)
    xr.testing.assert_identical(_core(back).reindex_like(inventory), _core(inventory))
    assert back.attrs["source"] == inventory.attrs["source"]
    assert back.attrs["release_date"] == inventory.attrs["release_date"]
    # unreported stays unreported: a row only where some year has a value
    assert not frame[["2019", "2024"]].isna().all(axis=1).any()


def test_layout(inventory: xr.Dataset) -> None:
    frame = io.to_primap2(inventory)
    assert frame.attrs["attrs"]["area"] == "area (DK-municipality)"
    assert frame.attrs["attrs"]["cat"] == "category (GPC)"
    co2e = frame[frame["entity"] == "KYOTOGHG (AR5GWP100)"]
    assert set(co2e["unit"]) == {"t CO2 / yr"}
    ch4 = frame[(frame["entity"] == "CH4") & (frame["category (GPC)"] == "I.1.1")]
    assert ch4["unit"].tolist() == ["t CH4 / yr"]
    assert ch4["2019"].item() == inventory["emissions"].sel(
        gas="CH4", category="I.1.1", year=2019).item()


def test_errors(inventory: xr.Dataset) -> None:
    with pytest.raises(ValidationError, match="'notation_key' is neither"):
        io.to_primap2(examples.example_inventory())
    frame = io.to_primap2(inventory)
    bad = frame.copy()
    bad.attrs = frame.attrs
    bad.loc[0, "unit"] = "t CO2 / yr"
    bad.loc[1, "entity"] = "Unobtainium"
    with pytest.raises(DataError) as info:
        io.from_primap2(bad)
    text = str(info.value)
    assert "row 2 (entity 'Unobtainium'" in text and "unknown gas" in text
    with pytest.raises(DataError, match="area column 'area \\(ISO3\\)'"):
        io.from_primap2(frame, {"attrs": {"area": "area (ISO3)"}, "dimensions": {}})


def test_primap2_reads_our_files(tmp_path, inventory: xr.Dataset) -> None:
    pm2io = pytest.importorskip("primap2.pm2io")
    pytest.importorskip("primap2")
    yaml_path = io.write_primap2(inventory, tmp_path / "odder")
    df = pm2io.read_interchange_format(yaml_path)
    ds = pm2io.from_interchange_format(df)
    ds.pr.ensure_valid()  # primap2's own validation of the data format
    got = ds["CH4"].pr.dequantify() if hasattr(ds["CH4"], "pr") else ds["CH4"]
    value = got.sel({"area (DK-municipality)": "727", "category (GPC)": "I.1.1"})
    ours = inventory["emissions"].sel(gas="CH4", category="I.1.1").squeeze("municipality")
    np.testing.assert_allclose(np.ravel(value.pint.magnitude), ours.to_numpy())
    assert ds["KYOTOGHG (AR5GWP100)"].attrs["gwp_context"] == "AR5GWP100"
    # and back: primap2's own interchange output reads into the same inventory
    again = ds.pr.to_interchange_format()
    back = io.from_primap2(again)
    xr.testing.assert_identical(_core(back).reindex_like(inventory), _core(inventory))


def test_primap2_converts_our_co2e_like_klimacore(inventory: xr.Dataset) -> None:
    primap2 = pytest.importorskip("primap2")
    ds = primap2.pm2io.from_interchange_format(io.to_primap2(inventory["emissions"]))
    basket = ds.pr.gas_basket_contents_sum(basket="KYOTOGHG (AR5GWP100)",
                                           basket_contents=["CO2", "CH4", "N2O", "HFC134a"])
    from klimacore.units import to_co2e

    ours = to_co2e(inventory["emissions"], gwp_metric="AR5GWP100")
    got = basket.pint.to("t CO2 / yr").pr.dequantify().sel({"category (GPC)": "I.1.1", "area (DK-municipality)": "727"})
    expect = ours.sum("gas").sel(category="I.1.1").squeeze("municipality")
    np.testing.assert_allclose(np.ravel(got), expect.to_numpy(), rtol=1e-9)


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.one_of(st.floats(-1e12, 1e12, allow_nan=False), st.just(np.nan)),
                       min_size=8, max_size=8),
       unit=st.sampled_from(["t", "kt", "Gg"]))
def test_round_trip_property(values: list[float], unit: str) -> None:
    da = xr.DataArray(np.asarray(values).reshape(2, 2, 1, 2),
                      dims=("municipality", "year", "category", "gas"),
                      coords={"municipality": [751, 101], "year": [2019, 2023],
                              "category": ["III.1.1"], "gas": ["CH4", "SF6"]},
                      attrs={"units": unit}, name="emissions")
    frame = io.to_primap2(da)
    if frame.empty:
        return
    back = io.from_primap2(frame)["emissions"].reindex_like(da)
    xr.testing.assert_identical(back, da)
