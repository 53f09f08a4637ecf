"""Units, GWP values and CO2e conversion."""

from __future__ import annotations

import math

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

import klimacore as kc
from klimacore.errors import UnitError, UnknownGasError, UnknownMetricError
from klimacore.units import GWP_METRICS, conversion_factor, gases, gwp, normalize_gas, to_co2e


def test_done_when_values() -> None:
    assert kc.gwp("CH4", "AR6GWP100") == 27.9
    assert kc.gwp("N2O", "AR5GWP100") == 265
    assert kc.gwp("N2O") == 265  # AR5 is the default
    assert kc.DEFAULT_GWP_METRIC == "AR5GWP100"


@pytest.mark.parametrize(
    ("gas", "ar4", "ar5", "ar6"),
    [("CH4", 25, 28, 27.9), ("N2O", 298, 265, 273), ("SF6", 22800, 23500, 25200),
     ("NF3", 17200, 16100, 17400), ("HFC-134a", 1430, 1300, 1530), ("HFC-32", 675, 677, 771),
     ("CF4", 7390, 6630, 7380), ("CO2", 1, 1, 1)],
)
def test_facts_table(gas: str, ar4: float, ar5: float, ar6: float) -> None:
    assert (gwp(gas, "AR4GWP100"), gwp(gas, "AR5GWP100"), gwp(gas, "AR6GWP100")) == (ar4, ar5, ar6)


def test_fossil_methane_split() -> None:
    assert gwp("CH4_fossil", "AR6GWP100") == 29.8
    assert gwp("CH4_biogenic", "AR6GWP100") == 27.0
    assert gwp("CH4_fossil", "AR5GWP100") == 30
    with pytest.raises(UnknownGasError, match="CH4_fossil"):
        gwp("CH4_fossil", "AR4GWP100")


gwp_package = pytest.importorskip("globalwarmingpotentials")


@pytest.mark.parametrize("metric", GWP_METRICS)
def test_against_globalwarmingpotentials(metric: str) -> None:
    """Every value we ship equals the independent CC0 table (which lacks the CH4 split)."""
    table = gwp_package.as_frame()
    if "Species" in table.columns:
        table = table.set_index("Species")
    compared = 0
    for gas in gases(metric):
        if gas in ("CO2", "CH4_fossil", "CH4_biogenic"):
            continue
        key = gas.replace("-", "")
        assert key in table.index, f"{gas} not in globalwarmingpotentials"
        assert gwp(gas, metric) == pytest.approx(float(table.loc[key, metric]), rel=1e-12), gas
        compared += 1
    assert compared >= 20


def test_unknown_gas_lists_valid_names() -> None:
    with pytest.raises(UnknownGasError) as info:
        gwp("CH5")
    assert "'CH5'" in str(info.value) and "N2O" in str(info.value)
    assert isinstance(info.value, KeyError)


def test_unknown_metric_lists_valid_names() -> None:
    with pytest.raises(UnknownMetricError, match="AR6GWP100"):
        gwp("CH4", "AR7GWP100")


@pytest.mark.parametrize("spelling", ["HFC-134a", "hfc134a", "HFC 134a", "hfc_134a"])
def test_gas_spellings(spelling: str) -> None:
    assert normalize_gas(spelling) == "HFC-134a"


def test_tonne_guards() -> None:
    ureg = kc.ureg
    assert ureg.Quantity(1, "t").to("kg").magnitude == 1000
    assert ureg.Quantity(1, "kt").to("t").magnitude == 1000  # not a knot
    assert ureg.Quantity(1, "Mt").to("t").magnitude == 1e6
    assert ureg.Quantity(1, "Gt").to("Mt").magnitude == pytest.approx(1000)
    assert ureg.Quantity(1, "ton").to("kg").magnitude == 1000  # not a short ton
    assert ureg.Quantity(1, "kt").dimensionality == ureg.Quantity(1, "kg").dimensionality


def test_registry_is_a_singleton() -> None:
    assert kc.ureg is kc.units.get_ureg() is kc.units.ureg


@pytest.mark.parametrize(
    ("src", "dst", "factor"),
    [("MWh", "GJ", 3.6), ("TWh", "PJ", 3.6), ("kWh", "MJ", 3.6), ("toe", "GJ", 41.868),
     ("Nm3", "m**3", 1.0), ("m3", "L", 1000.0), ("Nm³", "m³", 1.0), ("L", "m**3", 1e-3), ("kt", "t", 1e3), ("g/kWh", "kg/MWh", 1.0),
     ("kg/GJ", "t/TJ", 1.0), ("DKK", "DKK", 1.0), ("vkm", "vehicle*km", 1.0)],
)
def test_conversion_factors(src: str, dst: str, factor: float) -> None:
    assert conversion_factor(src, dst) == pytest.approx(factor)


@pytest.mark.parametrize(("src", "dst"), [("DKK", "EUR"), ("L", "GJ"), ("t", "GJ"),
                                          ("vkm", "km")])
def test_wrong_dimension_names_both_units(src: str, dst: str) -> None:
    with pytest.raises(UnitError) as info:
        conversion_factor(src, dst)
    assert repr(src) in str(info.value) and repr(dst) in str(info.value)


def test_unknown_unit_is_named() -> None:
    with pytest.raises(UnitError, match="'furlongs_per_fortnight_x'"):
        conversion_factor("furlongs_per_fortnight_x", "m")


def test_to_co2e_types() -> None:
    q = kc.ureg.Quantity(np.array([1.0, 2.0]), "kt")
    out = to_co2e(q, "N2O", gwp_metric="AR6GWP100")
    assert out.metric == "AR6GWP100" and out.units == "kt"
    np.testing.assert_allclose(np.asarray(out), [273.0, 546.0])
    assert float(to_co2e(1.0, "CH4")) == 28.0
    with pytest.raises(UnitError, match="mass"):
        to_co2e(kc.ureg.Quantity(1, "GJ"), "CO2")


def test_co2e_addition_refuses_mixed_metrics() -> None:
    a = to_co2e(kc.ureg.Quantity(1, "t"), "CH4", gwp_metric="AR5GWP100")
    b = to_co2e(kc.ureg.Quantity(1, "kg"), "CH4", gwp_metric="AR5GWP100")
    assert (a + b).magnitude == pytest.approx(28.028)
    with pytest.raises(UnitError, match="AR4GWP100"):
        a + to_co2e(kc.ureg.Quantity(1, "t"), "CH4", gwp_metric="AR4GWP100")


def test_to_co2e_xarray_names_every_unknown_gas() -> None:
    da = xr.DataArray([1.0, 1.0, 1.0], coords={"gas": ["CO2", "XX1", "XX2"]}, dims="gas")
    with pytest.raises(UnknownGasError) as info:
        to_co2e(da)
    assert info.value.labels == ("XX1", "XX2")


def test_to_co2e_dataset_keeps_attrs() -> None:
    ds = xr.Dataset(
        {"emissions": ("gas", [1.0, 2.0], {"units": "t"})},
        coords={"gas": ["CH4", "N2O"]},
        attrs={"source": "test"},
    )
    out = to_co2e(ds, gwp_metric="AR4GWP100")
    assert out.attrs == {"source": "test", "gwp_metric": "AR4GWP100"}
    assert out["emissions"].attrs["units"] == "t"
    assert out["emissions"].values.tolist() == [25.0, 596.0]


masses = st.floats(min_value=0, max_value=1e12, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(
    amounts=st.lists(masses, min_size=1, max_size=6),
    metric=st.sampled_from(GWP_METRICS),
    scale=st.floats(min_value=1e-6, max_value=1e6),
)
def test_co2e_is_linear_and_unit_invariant(amounts: list[float], metric: str, scale: float) -> None:
    names = ["CO2", "CH4", "N2O", "SF6", "HFC-134a", "CF4"][: len(amounts)]
    da = xr.DataArray(amounts, coords={"gas": names}, dims="gas")
    out = to_co2e(da, gwp_metric=metric)
    expected = [a * gwp(g, metric) for a, g in zip(amounts, names, strict=True)]
    np.testing.assert_allclose(out.values, expected, rtol=1e-12)
    # linearity
    np.testing.assert_allclose(to_co2e(da * scale, gwp_metric=metric).values,
                               out.values * scale, rtol=1e-12, atol=1e-300)
    # unit invariance: the same mass in kt gives the same t CO2e
    q_t = to_co2e(kc.ureg.Quantity(amounts[0], "t"), names[0], gwp_metric=metric)
    q_kt = to_co2e(kc.ureg.Quantity(amounts[0] / 1000, "kt"), names[0], gwp_metric=metric).to("t")
    assert math.isclose(float(q_t), float(q_kt), rel_tol=1e-12, abs_tol=1e-9)


def test_metric_keyword_is_deprecated_for_gwp_metric() -> None:
    from klimacore.errors import KlimacoreDeprecationWarning
    from klimacore.units import gwp_table

    with pytest.warns(KlimacoreDeprecationWarning, match=r"gwp\(gwp_metric=\.\.\.\)"):
        assert kc.gwp("CH4", metric="AR6GWP100") == kc.gwp("CH4", gwp_metric="AR6GWP100")
    with pytest.warns(KlimacoreDeprecationWarning):
        assert gases(metric="AR4GWP100") == gases(gwp_metric="AR4GWP100")
    with pytest.warns(KlimacoreDeprecationWarning):
        assert gwp_table(metrics=("AR4GWP100",)) == gwp_table(gwp_metrics=("AR4GWP100",))
    with pytest.warns(KlimacoreDeprecationWarning):
        old = to_co2e(2.0, "CH4", metric="AR4GWP100")
    assert old == to_co2e(2.0, "CH4", gwp_metric="AR4GWP100")
    with pytest.raises(TypeError, match="both"):
        kc.gwp("CH4", metric="AR6GWP100", gwp_metric="AR6GWP100")


def test_to_co2e_checks_the_metric_up_front_and_weighs_memo_items_zero() -> None:
    da = xr.DataArray([1.0, 2.0], dims="gas", coords={"gas": ["CH4", "CO2_biogenic"]})
    with pytest.raises(UnknownMetricError, match="AR7GWP100"):
        to_co2e(da, gwp_metric="AR7GWP100", memo=("CO2_biogenic",))
    out = to_co2e(da, gwp_metric="AR5GWP100", memo=("CO2_biogenic",))
    assert out.values.tolist() == [28.0, 0.0] and out.attrs["gwp_metric"] == "AR5GWP100"
    with pytest.raises(UnknownGasError, match="CO2_biogenic"):
        to_co2e(da)
