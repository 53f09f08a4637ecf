"""CH4/N2O defaults by GPC sector, methane by origin, and the I.4.1 generation-fuel warning.

The expected numbers are worked out by hand from the IPCC tables (kg per TJ = g per GJ) and the
GWP tables, independently of the bundled CSV.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore import examples, reference
from klimacore import territorial as kt
from klimacore.errors import GenerationFuelWarning, KlimacoreWarning, MissingLabelError

# IPCC 2006 Vol. 2: wood/wood waste CH4 and N2O in g/GJ, coal CH4/N2O (other bituminous)
WOOD_DH, WOOD_HOUSE, N2O_WOOD = 30.0, 300.0, 4.0  # Table 2.2 vs Table 2.5; N2O 4 in both
COAL_DH, COAL_HOUSE, N2O_COAL = 1.0, 300.0, 1.5
AR6 = {"CH4": 27.9, "CH4_fossil": 29.8, "CH4_non_fossil": 27.0, "N2O": 273.0}
AR5 = {"CH4": 28.0, "N2O": 265.0}


def _one_gj_each(fuel: str) -> pd.DataFrame:
    return pd.DataFrame({"municipality": 727, "year": 2019, "category": ["I.4.4", "I.1.1"],
                         "fuel": fuel, "value": 1.0, "unit": "GJ"})


def _kg_per_gj(inv: object) -> dict[str, float]:
    co2e = inv["co2e"].sel(municipality=727, year=2019)  # type: ignore[index]
    return {str(c): float(v) * 1000 for c, v in co2e.to_series().items()}


def test_wood_in_a_district_heating_plant_by_hand() -> None:
    inv = kt.inventory(_one_gj_each("wood"), kt.default_emission_factors(), gwp_metric="AR6GWP100")
    got = _kg_per_gj(inv)
    # non-fossil methane, AR6 Table 7.15
    plant = WOOD_DH / 1000 * AR6["CH4_non_fossil"] + N2O_WOOD / 1000 * AR6["N2O"]
    house = WOOD_HOUSE / 1000 * AR6["CH4_non_fossil"] + N2O_WOOD / 1000 * AR6["N2O"]
    assert got["I.4.4"] == pytest.approx(plant) == pytest.approx(1.902)
    assert got["I.1.1"] == pytest.approx(house) == pytest.approx(9.192)
    # the same factors without the origin: 27.9 for all methane (the 1.93 vs 9.46)
    plain = kt.default_emission_factors().drop_vars("methane_origin")
    generic = _kg_per_gj(kt.inventory(_one_gj_each("wood"), plain, gwp_metric="AR6GWP100"))
    assert generic["I.4.4"] == pytest.approx(WOOD_DH / 1000 * 27.9 + N2O_WOOD / 1000 * 273)
    assert round(generic["I.4.4"], 2) == 1.93 and round(generic["I.1.1"], 2) == 9.46
    assert "unknown" in kt.inventory(_one_gj_each("wood"), plain).attrs["methane_origin"]
    # AR5 (UNFCCC reporting): one CH4 value, the biogenic CO2 stays a memo item
    ar5 = kt.inventory(_one_gj_each("wood"), kt.default_emission_factors())
    assert _kg_per_gj(ar5)["I.4.4"] == pytest.approx(0.030 * 28 + 0.004 * 265)
    assert float(ar5["co2_biogenic"].sum()) == pytest.approx(2 * 0.112)


def test_coal_plant_versus_stove_uses_fossil_methane_under_ar6() -> None:
    inv = kt.inventory(_one_gj_each("coal"), kt.default_emission_factors(), gwp_metric="AR6GWP100")
    got = _kg_per_gj(inv)
    co2 = 94.6
    assert got["I.4.4"] == pytest.approx(co2 + COAL_DH / 1000 * 29.8 + N2O_COAL / 1000 * 273)
    assert got["I.1.1"] == pytest.approx(co2 + COAL_HOUSE / 1000 * 29.8 + N2O_COAL / 1000 * 273)
    non_co2 = {c: v - co2 for c, v in got.items()}
    assert round(non_co2["I.4.4"], 2) == 0.44 and round(non_co2["I.1.1"], 2) == 9.35
    assert float(inv["ch4_fossil"].sum()) == pytest.approx((COAL_DH + COAL_HOUSE) * 1e-6)
    assert "ch4_non_fossil" not in inv


def test_switching_metric_recomputes_the_origin_split() -> None:
    act = pd.DataFrame({"municipality": 727, "year": 2019,
                        "category": ["I.1.1", "I.1.1", "I.4.4", "II.1.1"],
                        "fuel": ["natural_gas", "wood", "waste", "diesel"],
                        "value": [100.0, 50.0, 80.0, 30.0], "unit": "GJ"})
    ar5 = kt.inventory(act, kt.default_emission_factors())
    ar6 = kt.inventory(act, kt.default_emission_factors(), gwp_metric="AR6GWP100")
    np.testing.assert_allclose(kt.co2e(ar5, "AR6GWP100")["co2e"].to_numpy(),
                               ar6["co2e"].to_numpy())
    np.testing.assert_allclose(kt.co2e(ar6, "AR5GWP100")["co2e"].to_numpy(),
                               ar5["co2e"].to_numpy())
    # waste is of mixed origin: its CH4 is in neither part and weighs 27.9
    ch4 = ar6["emissions"].sel(gas="CH4")
    known = ar6["ch4_fossil"] + ar6["ch4_non_fossil"]
    waste = 80.0 * 30e-6
    assert float((ch4 - known).sum()) == pytest.approx(waste)
    assert ar6["co2e"].attrs["methane_origin"].startswith("applied")
    assert ar5.attrs["methane_origin"].startswith("not applied")


@pytest.mark.parametrize("metric", ["AR5GWP100", "AR6GWP100"])
def test_co2e_totals_agrees_with_the_inventory(metric: str) -> None:
    act = pd.DataFrame({"municipality": 727, "year": 2019,
                        "category": ["I.1.1", "I.1.1", "I.4.4", "I.4.4", "II.1.1"],
                        "fuel": ["natural_gas", "wood", "waste", "coal", "diesel"],
                        "value": [100.0, 50.0, 80.0, 20.0, 30.0], "unit": "GJ"})
    inv = kt.inventory(act, kt.default_emission_factors(), gwp_metric=metric)
    fast = kt.co2e_totals(act, kt.default_emission_factors(), by="category", gwp_metric=metric)
    np.testing.assert_allclose(fast.transpose(*inv["co2e"].dims).to_numpy(),
                               inv["co2e"].to_numpy(), rtol=1e-12)
    dense = kt.activity_array(act)  # the plain-array fast path too
    by_sector = kt.co2e_totals(dense, kt.default_emission_factors(), by="sector", gwp_metric=metric)
    np.testing.assert_allclose(by_sector.sum().item(), inv["co2e"].sum().item(), rtol=1e-12)


def test_each_combustion_category_uses_its_ipcc_table() -> None:
    f = kt.default_emission_factors()
    sectors = f.attrs["ipcc_sector_by_category"]
    expected = {"I.1.1": "Table 2.5", "I.2.1": "Table 2.4", "I.3.1": "Table 2.3",
                "I.4.1": "Table 2.2", "I.4.4": "Table 2.2", "I.5.1": "Table 2.5",
                "II.1.1": "Table 3.2.2", "II.2.1": "Table 3.4.1", "II.3.1": "Table 3.5.3",
                "II.4.1": "Table 3.6.5", "II.5.1": "Table 3.3.1", "II.1.3": "Table 3.2.2"}
    for cat, table in expected.items():
        assert table in sectors[cat], (cat, sectors[cat])
    # every CH4/N2O row of the bundled table names the table of its sector
    rows = reference.fuel_emission_factors().query("gas != 'CO2'")
    for sector, table in {"energy_industries": "Table 2.2", "manufacturing_construction": "Table 2.3",
                          "commercial_institutional": "Table 2.4",
                          "residential_agriculture": "Table 2.5", "road": "Table 3.2.2",
                          "aviation": "Table 3.6.5"}.items():
        assert rows.loc[rows["sector"] == sector, "table"].str.contains(table).all(), sector
    # the value picked for a cell is the row of its sector
    got = f.sel(fuel="natural_gas", gas="CH4")
    assert float(got.sel(category="I.4.4")) == pytest.approx(1e-6)
    assert float(got.sel(category="I.2.1")) == pytest.approx(5e-6)
    assert float(got.sel(category="II.1.1")) == pytest.approx(92e-6)


def test_a_missing_sector_factor_raises_only_where_it_is_used() -> None:
    act = pd.DataFrame({"municipality": 727, "year": 2019, "category": ["I.1.1", "II.1.1"],
                        "fuel": ["petrol", "diesel"], "value": [10.0, 10.0], "unit": "GJ"})
    with pytest.raises(MissingLabelError) as err:  # no stationary default for petrol
        kt.inventory(act, kt.default_emission_factors())
    assert "petrol" in str(err.value) and "I.1.1" in str(err.value)
    # a dense activity holds zeros for diesel in I.1.1 and petrol in II.1.1: those are fine
    dense = kt.activity_array(act.assign(category=["II.1.1", "II.1.1"]))
    assert float(kt.inventory(dense, kt.default_emission_factors())["co2e"].sum()) > 0


def test_one_sector_gives_plain_fuel_by_gas_factors() -> None:
    plant = kt.default_emission_factors(sector="energy_industries")
    assert plant.dims == ("fuel", "gas")
    assert float(plant.sel(fuel="wood", gas="CH4")) == pytest.approx(30e-6)
    with pytest.raises(ValueError, match="unknown IPCC source categories"):
        kt.default_emission_factors(sector="households")


def test_methane_origin_from_a_frame_column() -> None:
    fac = pd.DataFrame({"fuel": ["gas", "gas", "bio", "bio"], "gas": ["CO2", "CH4"] * 2,
                        "value": [56.0, 1.0, 0.0, 10.0], "unit": ["kg/GJ", "g/GJ"] * 2,
                        "methane_origin": ["fossil", "fossil", "non_fossil", "non_fossil"]})
    act = pd.DataFrame({"municipality": 727, "year": 2020, "category": "I.4.4",
                        "fuel": ["gas", "bio"], "value": 1000.0, "unit": "GJ"})
    inv = kt.inventory(act, fac, gwp_metric="AR6GWP100", gases=("CO2", "CH4"))
    expected = 56.0 + 1e-3 * 29.8 + 10e-3 * 27.0
    assert float(inv["co2e"].sum()) == pytest.approx(expected)
    with pytest.raises(ValueError, match="methane_origin"):
        kt.inventory(act, fac.assign(methane_origin="peat"), gases=("CO2", "CH4"))


# --- I.4.1 looks like generation fuel ----------------------------------------------------------


def _plant(aux: float, gen: float | None) -> pd.DataFrame:
    cats, values = ["I.4.1"], [aux]
    if gen is not None:
        cats.append("I.4.4")
        values.append(gen)
    return pd.DataFrame({"municipality": 851, "year": 2022, "category": cats,
                         "fuel": "natural_gas", "value": values, "unit": "TJ"})


def test_generation_fuel_in_own_use_warns() -> None:
    assert issubclass(GenerationFuelWarning, KlimacoreWarning)
    with pytest.warns(GenerationFuelWarning, match=r"I\.4\.4") as record:
        kt.inventory(_plant(500.0, None), kt.default_emission_factors())
    assert "municipality=851, year=2022" in str(record[0].message)
    assert record[0].filename == __file__  # points at the caller
    with pytest.warns(GenerationFuelWarning):
        kt.inventory(_plant(300.0, 1000.0), kt.default_emission_factors())  # 30 % of I.4.4


def test_plausible_own_use_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error", GenerationFuelWarning)
        kt.inventory(_plant(20.0, 1000.0), kt.default_emission_factors())  # 2 %: auxiliary use
        kt.inventory(_plant(0.0, 1000.0), kt.default_emission_factors())
        examples.example_inventory()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0.0, 1e4), min_size=4, max_size=4))
def test_ch4_by_origin_adds_up(values: list[float]) -> None:
    act = pd.DataFrame({"municipality": 727, "year": 2019,
                        "category": ["I.1.1", "I.3.1", "I.4.4", "I.2.1"],
                        "fuel": ["natural_gas", "straw", "wood_pellets", "lpg"],
                        "value": values, "unit": "GJ"})
    inv = kt.inventory(act, kt.default_emission_factors(), gwp_metric="AR6GWP100")
    ch4 = inv["emissions"].sel(gas="CH4")
    parts = inv["ch4_fossil"] + inv["ch4_non_fossil"]
    np.testing.assert_allclose(parts.to_numpy(), ch4.to_numpy(), rtol=1e-12, atol=1e-15)
    generic = kt.co2e(inv["emissions"], "AR6GWP100")
    shift = 1.9 * inv["ch4_fossil"] - 0.9 * inv["ch4_non_fossil"]
    np.testing.assert_allclose(inv["co2e"].to_numpy(), (generic + shift).to_numpy(),
                               rtol=1e-12, atol=1e-12)


def test_co2e_totals_fast_path_with_factors_by_category_any_dim_order() -> None:
    rng = np.random.default_rng(7)
    cats, fuels = ["I.1.1", "I.3.1", "I.4.4", "II.1.1"], ["natural_gas", "diesel", "wood"]
    ok = ~np.isnan(kt.default_emission_factors().sel(category=cats, fuel=fuels)).any("gas")
    data = rng.uniform(0, 50, (len(cats), 2, len(fuels), 3)) * ok.transpose(
        "category", "fuel").to_numpy()[:, None, :, None]
    act = xr.DataArray(data, dims=("category", "scenario", "fuel", "year"),
                       coords={"category": cats, "scenario": ["bau", "plan"], "fuel": fuels,
                               "year": [2019, 2020, 2021]}, attrs={"units": "GJ"})
    for metric in ("AR5GWP100", "AR6GWP100"):
        fast = kt.co2e_totals(act, kt.default_emission_factors(), by="sector", gwp_metric=metric)
        inv = kt.inventory(act, kt.default_emission_factors(), gwp_metric=metric)
        slow = kt.totals(inv["co2e"], "sector")
        np.testing.assert_allclose(fast.transpose(*slow.dims).to_numpy(), slow.to_numpy(),
                                   rtol=1e-12)
