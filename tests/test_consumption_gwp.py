"""Consumption's one CO2e path and its GWP metric: stated, checked up front, recorded."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr

import klimacore.consumption as kc
from klimacore import reference
from klimacore.errors import KlimacoreDeprecationWarning, UnknownMetricError, ValidationError
from klimacore.units import DEFAULT_GWP_METRIC, gwp

SPEND = xr.DataArray([[1000.0, 500.0]], dims=("municipality", "coicop"),
                     coords={"municipality": [727], "coicop": ["07", "07.2.2"]},
                     attrs={"units": "DKK", "price_year": 2019, "price_basis": "basic"})
USE = pd.DataFrame({"municipality": [727], "coicop": ["07.2.2"], "carrier": ["diesel"],
                    "amount": [1000.0], "unit": ["L"]})


def intensities(**attrs: object) -> xr.DataArray:
    base: dict[str, object] = {"units": "kg/DKK", "year": 2019, "price_basis": "basic"}
    base.update(attrs)
    return xr.DataArray([0.5], dims="coicop", coords={"coicop": ["07"]}, attrs=base)


def diesel(ds: xr.Dataset) -> float:
    return float(ds["physical"].sel(municipality=727, coicop="07.2.2"))


def test_overrides_use_the_stated_metric_and_the_result_says_it() -> None:
    # before: overrides in AR5 and the result labelled "unknown" when the intensities state none
    assumed = kc.spend_footprint(SPEND, intensities(), overrides=USE, unit="kg")
    assert assumed.attrs["gwp_metric"] == DEFAULT_GWP_METRIC
    assert assumed.attrs["gwp_metric_source"].startswith("default")
    stated = kc.spend_footprint(SPEND, intensities(), overrides=USE, unit="kg",
                                gwp_metric="AR6GWP100")
    assert stated.attrs["gwp_metric"] == "AR6GWP100"
    assert stated.attrs["gwp_metric_source"] == "argument"
    content = kc.energy_content_table()["diesel"][0]  # MJ/L
    factor = kc.fuel_factors(gwp_metric="AR6GWP100")["diesel"][0]  # kg/GJ
    assert diesel(stated) == pytest.approx(1000 * content / 1000 * factor)
    assert diesel(stated) != pytest.approx(diesel(assumed), rel=1e-6)
    from_attrs = kc.spend_footprint(SPEND, intensities(gwp_metric="AR6GWP100"), overrides=USE,
                                    unit="kg")
    assert from_attrs.attrs["gwp_metric_source"] == "intensities"
    assert diesel(from_attrs) == pytest.approx(diesel(stated), rel=1e-12)


def test_metric_is_checked_up_front() -> None:
    with pytest.raises(UnknownMetricError, match="AR7GWP100"):
        kc.spend_footprint(SPEND, intensities(), gwp_metric="AR7GWP100")
    with pytest.raises(UnknownMetricError, match="AR7GWP100"):
        kc.spend_footprint(SPEND, intensities(gwp_metric="AR7GWP100"))
    with pytest.raises(ValidationError, match="re-characterised") as err:
        kc.spend_footprint(SPEND, intensities(gwp_metric="AR5GWP100"), gwp_metric="AR6GWP100")
    assert err.value.code == "gwp_metric.mismatch"
    with pytest.raises(UnknownMetricError):
        kc.fuel_factors(gwp_metric="AR7GWP100")
    da = xr.DataArray([[1.0]], dims=("stressor", "product"),
                      coords={"stressor": ["CO2"], "product": ["food"]})
    with pytest.raises(UnknownMetricError):
        kc.characterise(da, {"CO2": "CO2"}, gwp_metric="AR7GWP100")
    drivers = pd.DataFrame({"population": [1.0]}, index=pd.Index([1], name="municipality"))
    with pytest.raises(UnknownMetricError):  # before the drivers are even read
        kc.municipal_footprint(drivers, gwp_metric="AR7GWP100")


def test_old_metric_keyword_warns_and_works() -> None:
    da = xr.DataArray([[1.0], [1.0]], dims=("stressor", "product"),
                      coords={"stressor": ["CO2", "CH4"], "product": ["food"]})
    with pytest.warns(KlimacoreDeprecationWarning, match="gwp_metric"):
        old = kc.characterise(da, {"CO2": "CO2", "CH4": "CH4"}, metric="AR6GWP100")
    assert old.attrs["gwp_metric"] == "AR6GWP100"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        new = kc.characterise(da, {"CO2": "CO2", "CH4": "CH4"}, gwp_metric="AR6GWP100")
    xr.testing.assert_identical(old, new)
    with pytest.warns(KlimacoreDeprecationWarning):
        assert kc.fuel_factors(metric="AR4GWP100") == kc.fuel_factors(gwp_metric="AR4GWP100")
    with pytest.raises(TypeError, match="only gwp_metric"):
        kc.fuel_factors(metric="AR4GWP100", gwp_metric="AR4GWP100")


def test_characterise_adds_stressors_of_one_gas_then_converts() -> None:
    da = xr.DataArray([[1.0, 2.0], [3.0, 0.0], [500.0, 0.0], [7.0, 7.0]],
                      dims=("stressor", "product"),
                      coords={"stressor": ["CO2 comb", "CO2 proc", "CH4 g", "jobs"],
                              "product": ["a", "b"]})
    gas_map = {"CO2 comb": "CO2", "CO2 proc": "CO2", "CH4 g": "CH4"}
    out = kc.characterise(da, gas_map, gwp_metric="AR6GWP100",
                          stressor_units={"CO2 comb": "kg", "CO2 proc": "t", "CH4 g": "g"})
    want = [1.0 + 3000.0 + 0.5 * gwp("CH4", "AR6GWP100"), 2.0]
    np.testing.assert_allclose(out.to_numpy(), want, rtol=1e-12)
    assert out.attrs["stressors_used"] == ["CO2 comb", "CO2 proc", "CH4 g"]
    assert out.dims == ("product",)
    with pytest.raises(ValidationError, match="names no stressor"):
        kc.characterise(da, {}, gwp_metric="AR6GWP100")


@pytest.mark.parametrize("gwp_metric", ["AR4GWP100", "AR5GWP100", "AR6GWP100"])
def test_fuel_factors_equal_the_hand_sum(gwp_metric: str) -> None:
    table = reference.fuel_emission_factors()
    rows = table[(table["fuel"] == "diesel") & ~table["biogenic_co2"].astype(bool)
                 & table["sector"].isin(["all", "road"])]
    assert set(rows["gas"]) == {"CO2", "CH4", "N2O"}
    from klimacore.units import conversion_factor

    want = sum(float(v) * conversion_factor(str(u).split("/")[0], "kg")
               / conversion_factor(str(u).split("/")[1], "GJ") * gwp(str(g), gwp_metric)
               for v, u, g in zip(rows["value"], rows["unit"], rows["gas"], strict=True))
    value, unit = kc.fuel_factors(gwp_metric=gwp_metric)["diesel"]
    assert unit == "kg/GJ" and value == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize(("old", "name"), [("footprint", "spend_footprint"),
                                           ("footprint", "DANISH_VAT_RATE"),
                                           ("defaults", "fuel_factors"),
                                           ("defaults", "example_footprint"),
                                           ("intensity", "characterise"),
                                           ("uncertainty", "monte_carlo_footprint")])
def test_old_module_paths_warn_and_work(old: str, name: str) -> None:
    import importlib
    import sys

    sys.modules.pop(f"klimacore.consumption.{old}", None)
    with pytest.warns(KlimacoreDeprecationWarning, match=f"klimacore.consumption.{old}"):
        module = importlib.import_module(f"klimacore.consumption.{old}")
    assert getattr(module, name) is getattr(kc, name)
