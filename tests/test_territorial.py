"""Territorial (GPC) engine: hand-checked totals, properties, errors that name every label."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from klimacore import examples, reference, report
from klimacore import territorial as kt
from klimacore.errors import (
    DataError,
    MissingLabelError,
    UnitError,
    UnknownGasError,
    ValidationError,
)
from klimacore.units import gwp

GPC = reference.gpc_categories()
REFS = GPC["ref"].tolist()
CODES = reference.municipalities()["code"].tolist()
METRICS = ("AR4GWP100", "AR5GWP100", "AR6GWP100")


def one_hot(category: str, value: float = 1.0) -> xr.DataArray:
    return xr.DataArray([value], dims="category", coords={"category": [category]})


def gpc(category: str) -> dict[str, float]:
    return kt.gpc_totals(one_hot(category)).to_series().to_dict()


def factors_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "fuel": ["natural_gas", "natural_gas", "natural_gas", "diesel", "diesel", "diesel"],
        "gas": ["CO2", "CH4", "N2O"] * 2,
        "value": [56.69, 5.0, 0.1, 74.0, 3.9, 3.9],
        "unit": ["kg/GJ", "g/GJ", "g/GJ"] * 2,
    })


def activity_frame(**overrides: object) -> pd.DataFrame:
    base = {"municipality": 727, "year": 2019, "category": ["I.1.1", "II.1.1"],
            "fuel": ["natural_gas", "diesel"], "value": [1000.0, 2000.0], "unit": ["GJ", "GJ"]}
    base.update(overrides)  # type: ignore[arg-type]
    return pd.DataFrame(base)


# --- GPC totals, hand-checked -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("category", "expected"),
    [
        ("I.1.1", (1, 1, 1)),     # scope 1 stationary: everywhere
        ("I.1.2", (1, 1, 0)),     # scope 2: BASIC and BASIC+, not the scope-1 territorial total
        ("I.1.3", (0, 1, 0)),     # I.x.3 T&D losses: BASIC+ only
        ("II.2.3", (0, 1, 0)),    # II.x.3 transboundary: BASIC+ only
        ("I.4.4", (0, 0, 1)),     # energy supplied to the grid: territorial only
        ("III.1.1", (1, 1, 1)),   # waste generated and treated inside
        ("III.2.2", (1, 1, 0)),   # generated inside, treated outside (scope 3): BASIC, not territorial
        ("III.3.3", (0, 0, 1)),   # generated outside, treated inside: territorial, not BASIC
        ("IV.1", (0, 1, 1)),      # IPPU: BASIC+ and territorial
        ("V.2", (0, 1, 1)),       # AFOLU: BASIC+ and territorial
        ("VI.1", (0, 0, 0)),      # other scope 3: none
    ],
)
def test_gpc_membership_hand_checked(category: str, expected: tuple[int, int, int]) -> None:
    got = gpc(category)
    assert (got["basic"], got["basic_plus"], got["territorial"]) == expected


def test_gpc_totals_of_a_mixed_inventory() -> None:
    cats = ["I.1.1", "I.1.2", "I.1.3", "I.4.4", "III.1.2", "III.1.3", "IV.1", "V.1"]
    values = [2.0**i for i in range(len(cats))]  # 1, 2, 4, ... so every sum is unique
    da = xr.DataArray(values, dims="category", coords={"category": cats})
    t = kt.gpc_totals(da).to_series()
    assert t["basic"] == 1 + 2 + 16            # I.1.1, I.1.2, III.1.2
    assert t["basic_plus"] == 1 + 2 + 4 + 16 + 64 + 128
    assert t["territorial"] == 1 + 8 + 32 + 64 + 128   # scope 1 incl. I.4.4 and III.1.3
    assert kt.totals(da, "scope").to_series().to_dict() == {1: 1 + 8 + 32 + 64 + 128,
                                                            2: 2, 3: 4 + 16}
    assert kt.totals(da, "sector").to_series().to_dict() == {"I": 15, "III": 48, "IV": 64,
                                                             "V": 128}
    assert kt.totals(da, "plan_sector").to_series().to_dict() == {
        "energy": 15, "industry": 64, "agriculture": 128, "waste": 48}


def test_emissions_hand_checked() -> None:
    e = kt.emissions(activity_frame(), factors_frame())
    cell = e.sel(municipality=727, year=2019)
    assert cell.sel(category="I.1.1", gas="CO2").item() == pytest.approx(56.69)
    assert cell.sel(category="I.1.1", gas="CH4").item() == pytest.approx(0.005)
    assert cell.sel(category="II.1.1", gas="N2O").item() == pytest.approx(2000 * 3.9e-6)
    assert e.attrs["units"] == "t"
    inv = kt.inventory(activity_frame(), factors_frame())
    expected = 56.69 + 0.005 * 28 + 0.0001 * 265
    assert inv["co2e"].sel(category="I.1.1").item() == pytest.approx(expected)
    assert inv["co2e"].attrs["gwp_metric"] == "AR5GWP100" == inv.attrs["gwp_metric"]


def test_mixed_units_per_row_are_converted() -> None:
    act = activity_frame(category=["I.1.1", "I.2.1"], fuel=["natural_gas", "natural_gas"],
                         value=[100.0, 10.0], unit=["GJ", "MWh"])
    e = kt.emissions(act, factors_frame(), gases=["CO2"])
    assert e.sel(category="I.2.1", gas="CO2").item() == pytest.approx(36 * 0.05669)


def test_factor_units_per_row_and_per_fuel() -> None:
    fac = pd.DataFrame({"fuel": ["diesel", "diesel"], "gas": ["CO2", "CH4"],
                        "value": [74.0, 0.0039], "unit": ["kg/GJ", "kg/TJ"]})
    f = kt.emission_factors(fac)
    assert f.sel(fuel="diesel", gas="CH4").item() == pytest.approx(3.9e-9)
    assert str(f["unit"].sel(fuel="diesel").item()) == "t/GJ"
    assert kt.emission_factors(f).identical(f)  # normalised input comes back unchanged
    litre = pd.DataFrame({"fuel": ["diesel"], "gas": ["CO2"], "value": [2.65], "unit": ["kg/L"]})
    act = activity_frame(category=["II.1.1"], fuel=["diesel"], value=[1.0], unit=["m3"])
    assert kt.emissions(act, litre).item() == pytest.approx(2.65)


def test_biogenic_co2_is_a_memo_item() -> None:
    act = activity_frame(category=["I.1.1", "I.1.1"], fuel=["wood", "natural_gas"],
                         value=[1000.0, 1000.0], unit=["GJ", "GJ"])
    inv = kt.inventory(act, kt.default_emission_factors())
    assert inv["co2_biogenic"].sum().item() == pytest.approx(112.0)
    wood_only = kt.inventory(act.iloc[:1], kt.default_emission_factors())
    # wood's CO2e is CH4 and N2O only; its CO2 stays out of every total
    assert wood_only["co2e"].sum().item() == pytest.approx(0.3 * 28 + 0.004 * 265)
    assert "CO2_biogenic" not in inv["gas"].to_numpy().tolist()
    # a boolean 'biogenic' coordinate on a factor DataArray does the same
    f = xr.DataArray([[100.0], [50.0]], dims=("fuel", "gas"),
                     coords={"fuel": ["straw", "oil"], "gas": ["CO2"],
                             "biogenic": ("fuel", [True, False])}, attrs={"units": "kg/GJ"})
    norm = kt.emission_factors(f)
    assert norm.sel(fuel="straw", gas="CO2").item() == 0.0
    assert norm.sel(fuel="straw", gas="CO2_biogenic").item() == pytest.approx(0.1)


def test_extra_dims_and_year_dependent_factors() -> None:
    rng = np.random.default_rng(1)
    act = xr.DataArray(rng.uniform(0, 10, (2, 3, 2, 2)),
                       dims=("scenario", "year", "category", "fuel"),
                       coords={"scenario": ["bau", "plan"], "year": [2020, 2021, 2022],
                               "category": ["I.1.1", "II.1.1"], "fuel": ["a", "b"]},
                       attrs={"units": "GJ"})
    fac = xr.DataArray(rng.uniform(50, 80, (2, 1, 4)), dims=("fuel", "gas", "year"),
                       coords={"fuel": ["a", "b"], "gas": ["CO2"], "year": [2019, 2020, 2021, 2022]},
                       attrs={"units": "kg/GJ"})
    e = kt.emissions(act, fac)
    assert e.dims == ("scenario", "year", "category", "gas")
    manual = (act * fac.sel(year=[2020, 2021, 2022]) / 1000).sum("fuel")
    np.testing.assert_allclose(e.sel(gas="CO2").to_numpy(), manual.sel(gas="CO2").to_numpy())
    totals = kt.co2e_totals(act, fac)
    np.testing.assert_allclose(totals.to_numpy(),
                               kt.totals(kt.co2e(e), "sector").to_numpy())
    by_fuel = kt.emissions(act, fac, by_fuel=True)
    np.testing.assert_allclose(by_fuel.sum("fuel").to_numpy(), e.to_numpy())


def test_fast_result_construction_matches_the_public_constructor() -> None:
    act = kt.activity_array(examples.example_activity()).sel(fuel=["natural_gas", "gas_oil", "diesel"])
    act = act.assign_coords(region_name=("municipality", ["Midtjylland"]))
    out = kt.co2e_totals(act, kt.default_emission_factors(), by="sector")
    public = xr.DataArray(out.to_numpy(), coords=out.coords, dims=out.dims, attrs=out.attrs)
    assert out.identical(public)
    assert out["region_name"].item() == "Midtjylland"
    out["municipality"].attrs["touched"] = True  # the result's coordinates are its own
    assert "touched" not in act["municipality"].attrs
    assert out.sel(sector="II").sum().item() > 0


def test_direct_entries_combine_with_computed() -> None:
    direct = pd.DataFrame({"municipality": 727, "year": 2019,
                           "category": ["V.1", "I.1.1", "IV.2"], "gas": ["CH4", "CO2", "CO2e"],
                           "value": [2.0, 1.0, 5.0], "unit": ["t", "t", "kt"]})
    inv = kt.inventory(activity_frame(), factors_frame(), direct=direct)
    co2e = inv["co2e"].sel(municipality=727, year=2019)
    assert co2e.sel(category="V.1").item() == pytest.approx(56.0)
    assert inv["emissions"].sel(category="I.1.1", gas="CO2").item() == pytest.approx(57.69)
    assert co2e.sel(category="IV.2").item() == 5000.0
    assert inv["co2e_fixed"].sel(category="IV.2").item() == 5000.0
    switched = kt.co2e(inv, "AR4GWP100")
    assert switched["co2e"].sel(category="V.1").item() == pytest.approx(50.0)
    assert switched["co2e"].sel(category="IV.2").item() == 5000.0  # known only as CO2e
    assert switched.attrs["gwp_metric"] == switched["co2e"].attrs["gwp_metric"] == "AR4GWP100"


def test_inventory_meta_goes_into_attrs() -> None:
    from klimacore.models import InventoryMeta

    meta = InventoryMeta(source="Energistyrelsen, Energi- og CO2-regnskabet", year=2019,
                         release_date="2024-06-01", gwp_metric="AR6GWP100",
                         reporting_level="BASIC+")
    inv = kt.inventory(activity_frame(), factors_frame(), meta=meta)
    assert inv.attrs["gwp_metric"] == inv["co2e"].attrs["gwp_metric"] == "AR6GWP100"
    assert inv.attrs["source"].startswith("Energistyrelsen")
    assert inv.attrs["release_date"] == "2024-06-01"
    assert inv.attrs["inventory_reporting_level"] == "BASIC+"
    with pytest.raises(ValidationError, match="AR4GWP100"):
        kt.inventory(activity_frame(), factors_frame(), meta=meta, gwp_metric="AR4GWP100")


def test_notation_keys_are_data() -> None:
    act = activity_frame(category=["I.1.1", "I.4.4", "II.4.1"], fuel=["natural_gas"] * 3,
                         value=["10", "NO", "NE"], unit=["GJ", "", ""])
    inv = kt.inventory(act, factors_frame())
    keys = inv["notation_key"].sel(municipality=727, year=2019).to_series().to_dict()
    assert keys == {"I.1.1": "", "I.4.4": "NO", "II.4.1": "NE"}
    assert inv["co2e"].sel(category="I.4.4").item() == 0.0
    with pytest.raises(ValidationError, match=r"I\.1\.1"):
        kt.inventory(activity_frame(), factors_frame(),
                     notation_keys=pd.DataFrame({"municipality": [727], "year": [2019],
                                                 "category": ["I.1.1"], "notation_key": ["NO"]}))
    with pytest.raises(ValidationError, match="XX"):
        kt.inventory(activity_frame(), factors_frame(),
                     notation_keys=pd.DataFrame({"municipality": [727], "year": [2019],
                                                 "category": ["I.4.4"], "notation_key": ["XX"]}))


def test_grid_methods_side_by_side() -> None:
    use = pd.DataFrame({"municipality": [101, 851], "year": 2024, "category": "I.1.2",
                        "fuel": "electricity", "value": [1000.0, 2000.0], "unit": "MWh"})
    table = kt.grid_emission_factors()
    example = reference.read_table("grid_emission_factors_example.csv")  # illustrative rows
    sets = {
        "municipal": kt.grid_factor_set(example, carrier="electricity",
                                        method="municipality_location"),
    }
    inv = kt.inventory(use, grid=sets)
    got = inv["co2e"].sel(category="I.1.2", scope2_method="municipal").to_series()
    assert got[(101, 2024)] == pytest.approx(48.2)
    assert got[(851, 2024)] == pytest.approx(2 * 81.3)
    assert inv.attrs["scope2_methods"]["municipal"][0]["chp_allocation"] == "125%"
    national = kt.grid_factor_set(table, carrier="electricity", method="national_location",
                                  chp_allocation="200%", grid_losses_included=True)
    use16 = use.assign(year=2016)
    single = kt.inventory(use16, grid=national)
    assert "scope2_method" not in single.dims
    assert single.attrs["scope2_method"] == "national_location"
    assert single["co2e"].sel(municipality=101).sum().item() == pytest.approx(282.0)
    both = kt.grid_emissions(use16, {"national": national, "nat2": [national]})
    assert both.sizes["scope2_method"] == 2
    assert both.sel(municipality=101, scope2_method="national").sum().item() == pytest.approx(282.0)
    # bidding zones: Hovedstaden is DK2, Nordjylland DK1
    zones = kt.GridFactorSet(carrier="electricity", method="market_based",
                             factors={("DK1", 2024): 0.3, ("DK2", 2024): 0.2})
    z = kt.grid_emissions(use, zones).sel(category="I.1.2", year=2024).squeeze(drop=True)
    assert z.to_series().to_dict() == {101: pytest.approx(200.0), 851: pytest.approx(600.0)}


def test_grid_errors_name_what_is_missing() -> None:
    use = pd.DataFrame({"municipality": [101, 727], "year": [2024, 2030], "category": "I.1.2",
                        "fuel": "electricity", "value": 1.0, "unit": "MWh"})
    example = reference.read_table("grid_emission_factors_example.csv")
    s = kt.grid_factor_set(example, carrier="electricity", method="municipality_location")
    with pytest.raises(MissingLabelError) as err:
        kt.grid_emissions(use, s)
    for label in ("'727'", "2030"):
        assert label in str(err.value)
    with pytest.raises(DataError, match="ambiguous"):
        kt.grid_factor_set(carrier="electricity", method="national_location")
    with pytest.raises(ValidationError, match=r"I\.1\.1"):
        kt.grid_emissions(use.iloc[:1].assign(category="I.1.1", year=2024), s)


# --- errors name every label ---------------------------------------------------------------------


def test_unknown_categories_all_named() -> None:
    act = activity_frame(category=["I.9.9", "X.1"])
    with pytest.raises(MissingLabelError) as err:
        kt.emissions(act, factors_frame())
    assert set(err.value.labels) == {"I.9.9", "X.1"}
    assert "'I.9.9'" in str(err.value) and "'X.1'" in str(err.value)


def test_unknown_fuels_and_missing_pairs_all_named() -> None:
    act = activity_frame(category=["I.1.1", "I.2.1", "II.1.1"],
                         fuel=["peat", "coal_x", "diesel"], value=[1.0, 1.0, 1.0],
                         unit=["GJ"] * 3, municipality=[727] * 3, year=[2019] * 3)
    with pytest.raises(MissingLabelError) as err:
        kt.emissions(act, factors_frame())
    assert {"peat", "coal_x"} <= set(err.value.labels)
    partial = factors_frame().drop(index=[4, 5])  # diesel has CO2 only
    with pytest.raises(MissingLabelError) as err:
        kt.emissions(activity_frame(), partial)
    assert "('diesel', 'CH4')" in str(err.value) and "('diesel', 'N2O')" in str(err.value)


def test_several_kinds_of_problems_in_one_error() -> None:
    act = activity_frame(category=["I.9.9", "II.1.1"], fuel=["natural_gas", "peat"])
    with pytest.raises(MissingLabelError) as err:
        kt.emissions(act, factors_frame())
    text = str(err.value)
    assert "'I.9.9'" in text and "'peat'" in text
    assert len(err.value.problems) == 2


def test_units_of_the_wrong_dimension_named() -> None:
    act = activity_frame(unit=["L", "kg"])
    with pytest.raises(UnitError) as err:
        kt.emissions(act, factors_frame())
    text = str(err.value)
    assert "natural_gas" in text and "'L'" in text and "diesel" in text and "'kg'" in text
    assert len(err.value.problems) == 2
    with pytest.raises(UnitError, match="GJ"):
        kt.emission_factors(factors_frame().assign(unit="GJ"))
    with pytest.raises(UnitError, match="natural_gas"):
        kt.emissions(activity_frame(category=["I.1.1", "I.2.1"],
                                    fuel=["natural_gas"] * 2, unit=["GJ", "L"]), factors_frame())


def test_missing_years_of_year_dependent_factors_named() -> None:
    fac = factors_frame().assign(year=2019)
    act = pd.concat([activity_frame(), activity_frame(year=2021), activity_frame(year=2022)])
    with pytest.raises(MissingLabelError) as err:
        kt.emissions(act, kt.emission_factors(fac, dims=("year",)))
    assert set(err.value.labels) == {2021, 2022}


def test_bad_values_never_silently_zero() -> None:
    act = activity_frame(value=[1.0, np.nan])
    with pytest.raises(ValidationError, match="row 1"):
        kt.emissions(act, factors_frame())
    da = kt.activity_array(activity_frame())
    da = da.where(da.fuel != "diesel", np.nan)
    with pytest.raises(ValidationError, match="NaN"):
        kt.emissions(da, factors_frame())
    with pytest.raises(DataError, match="duplicate"):
        kt.emissions(pd.concat([activity_frame(), activity_frame()]), factors_frame())
    with pytest.raises(UnknownGasError, match="XYZ"):
        kt.emission_factors(factors_frame().assign(gas="XYZ"))
    with pytest.raises(ValidationError, match="infinite"):
        kt.totals(xr.DataArray([np.inf], dims="category", coords={"category": ["I.1.1"]}))


# --- unreported stays missing (issue 9) ---------------------------------------------------------


def test_totals_keep_unreported_missing() -> None:
    da = xr.DataArray([[np.nan, np.nan, np.nan], [1.0, np.nan, 4.0]], dims=("year", "category"),
                      coords={"year": [2019, 2030], "category": ["I.1.1", "II.1.1", "III.1.1"]})
    by_sector = kt.totals(da, "sector")
    assert np.isnan(by_sector.sel(year=2019)).all()  # nothing reported: no total, never 0
    assert by_sector.sel(year=2030).to_numpy().tolist()[0] == 1.0
    assert np.isnan(by_sector.sel(year=2030, sector="II"))
    assert by_sector.sel(year=2030, sector="III").item() == 4.0
    codes = reference.municipalities()["code"].to_numpy()
    m = xr.DataArray(np.ones(98), dims="municipality", coords={"municipality": codes})
    regions = kt.aggregate(m.where(m.municipality != 101), "region")  # 101 is in Hovedstaden
    assert np.isnan(regions.sel(region=1084)) and regions.sel(region=1081).item() == 11.0


def test_no_2030_data_is_no_data_in_the_2030_verdict() -> None:
    from klimacore import trajectory

    act = pd.DataFrame({"municipality": [101, 101, 101, 147, 147],
                        "year": [1990, 2019, 2030, 1990, 2019], "category": "I.1.1",
                        "fuel": "natural_gas", "value": [1000.0, 800.0, 200.0, 1000.0, 900.0],
                        "unit": "GJ"})
    inv = kt.inventory(act, kt.default_emission_factors())
    assert np.isnan(inv["co2e"].sel(municipality=147, year=2030)).all()
    assert np.isnan(inv["emissions"].sel(municipality=147, year=2030)).all()
    assert inv["notation_key"].sel(municipality=147, year=2030).item() == ""
    totals = kt.gpc_totals(inv["co2e"]).sel(total="territorial")
    assert np.isnan(totals.sel(municipality=147, year=2030))
    fast = kt.co2e_totals(act, kt.default_emission_factors(), by="gpc").sel(total="territorial")
    assert np.isnan(fast.sel(municipality=147, year=2030))
    np.testing.assert_allclose(fast.to_numpy(), totals.transpose(*fast.dims).to_numpy())
    with pytest.warns(Warning):
        check = trajectory.check_trajectory(totals, ["dk-climate-act"])
    frame = check.to_frame()
    row = frame[(frame["municipality"] == 147) & (frame["year"] == 2030)
                & frame["message"].str.startswith("dk-climate-act 2030:")]
    assert row["status"].tolist() == ["no data"]
    done = frame[(frame["municipality"] == 101) & (frame["year"] == 2030)
                 & frame["message"].str.startswith("dk-climate-act 2030:")]
    assert done["status"].tolist() == ["on track"]


def test_unreported_cells_across_sources_and_keys() -> None:
    act = pd.DataFrame({"municipality": 101, "year": [2019, 2020], "category": "I.1.1",
                        "fuel": "natural_gas", "value": [1000.0, 900.0], "unit": "GJ"})
    direct = pd.DataFrame({"municipality": 101, "year": [2020], "category": "V.1", "gas": "CH4",
                           "value": [2.0], "unit": "t"})
    keys = pd.DataFrame({"municipality": 101, "year": [2019, 2019], "category": ["V.1", "IV.1"],
                         "notation_key": ["NO", "NE"]})
    inv = kt.inventory(act, kt.default_emission_factors(), direct=direct, notation_keys=keys)
    co2e = inv["co2e"].sel(municipality=101)
    assert co2e.sel(year=2019, category="V.1").item() == 0.0  # NO: not occurring
    assert np.isnan(co2e.sel(year=2019, category="IV.1"))  # NE: not estimated, no number
    assert np.isnan(co2e.sel(year=2020, category="IV.1"))  # nothing at all
    assert co2e.sel(year=2020, category="V.1").item() == pytest.approx(2.0 * gwp("CH4"))
    assert co2e.sel(year=2020, category="I.1.1").item() > 0


def test_aggregation_and_per_capita() -> None:
    da = xr.DataArray(np.arange(98.0), dims="municipality", coords={"municipality": CODES})
    regions = kt.aggregate(da, "region")
    assert regions.sum().item() == da.sum().item() == kt.aggregate(da, "denmark").item()
    assert regions["region_name"].to_numpy().tolist()[0] == "Region Nordjylland"
    part = da.sel(municipality=[727, 101])
    with pytest.raises(MissingLabelError) as err:
        kt.aggregate(part, "region")
    assert 751 in err.value.labels and 147 in err.value.labels
    partial = kt.aggregate(part, "region", complete=False)
    assert partial.sel(region=1082).item() == da.sel(municipality=727).item()
    with pytest.raises(MissingLabelError, match="411"):
        kt.aggregate(xr.DataArray([1.0], dims="municipality", coords={"municipality": [411]}))
    pop = pd.DataFrame({"municipality": [727, 101], "population": [23_300, 660_000]})
    pc = kt.per_capita(part.assign_attrs(units="t"), pop)
    assert pc.sel(municipality=727).item() == pytest.approx(da.sel(municipality=727).item() / 23_300)
    assert pc.attrs["units"] == "t per capita"
    with pytest.raises(MissingLabelError, match="101"):
        kt.per_capita(part, pop.iloc[:1])


def test_example_and_demo_section() -> None:
    inv = examples.example_inventory()
    g = kt.gpc_totals(inv["co2e"])
    assert bool((g.sel(total="basic_plus") >= g.sel(total="basic")).all())
    assert inv.attrs["illustrative"] is True
    text = report.gpc_inventory_text(inv)
    assert "Odder (727)" in text and "BASIC+" in text and "territorial" in text
    assert "ILLUSTRATIVE" in text and "Notation keys" in text
    assert report.gpc_inventory_text(inv, year=2019) != text
    region = kt.aggregate(inv, "region", complete=False)
    assert region["notation_key"].sel(category="I.4.4").to_numpy().ravel().tolist() == ["NO", "NO"]


def test_accessor_one_liners() -> None:
    inv = examples.example_inventory()
    assert inv.klima.totals("scope").identical(kt.totals(inv, "scope"))
    assert inv["co2e"].klima.gpc_totals().identical(kt.gpc_totals(inv["co2e"]))
    assert inv.klima.co2e("AR6GWP100")["co2e"].attrs["gwp_metric"] == "AR6GWP100"
    assert inv["emissions"].klima.co2e().dims == inv["co2e_fixed"].dims[:3]
    pc = inv["co2e"].sel(municipality=727).klima.per_capita({2019: 22_700, 2024: 23_300})
    assert pc.attrs["units"] == "t per capita"


# --- properties ----------------------------------------------------------------------------------

finite = st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_infinity=False)


@st.composite
def category_data(draw: st.DrawFn) -> xr.DataArray:
    cats = draw(st.lists(st.sampled_from(REFS), min_size=1, max_size=len(REFS), unique=True))
    ny = draw(st.integers(1, 3))
    values = draw(hnp.arrays(np.float64, (98, ny, len(cats)), elements=finite))
    return xr.DataArray(values, dims=("municipality", "year", "category"),
                        coords={"municipality": CODES, "year": list(range(2020, 2020 + ny)),
                                "category": cats})


@settings(max_examples=40, deadline=None)
@given(category_data())
def test_totals_equal_sum_of_parts_at_every_level(da: xr.DataArray) -> None:
    whole = da.sum("category")
    for by in ("sector", "subsector", "scope", "plan_sector"):
        np.testing.assert_allclose(kt.totals(da, by).sum(by), whole, rtol=1e-10, atol=1e-6)
    cross = kt.totals(da, ("sector", "scope"))
    np.testing.assert_allclose(cross.sum("scope"), kt.totals(da, "sector"), rtol=1e-10, atol=1e-6)
    scopes = kt.totals(da, "scope")
    scope1 = scopes.sel(scope=1) if 1 in scopes["scope"] else xr.zeros_like(whole)
    np.testing.assert_allclose(kt.gpc_totals(da).sel(total="territorial"), scope1,
                               rtol=1e-10, atol=1e-6)
    region = kt.aggregate(da, "region")
    country = kt.aggregate(da, "denmark").squeeze("country", drop=True)
    np.testing.assert_allclose(region.sum("region"), da.sum("municipality"), rtol=1e-10, atol=1e-6)
    np.testing.assert_allclose(country, region.sum("region"), rtol=1e-10, atol=1e-6)
    # aggregation commutes with grouping
    np.testing.assert_allclose(kt.totals(region, "sector").sum("region"),
                               kt.totals(country, "sector"), rtol=1e-10, atol=1e-6)


@st.composite
def activity_and_factors(draw: st.DrawFn) -> tuple[xr.DataArray, xr.DataArray]:
    cats = draw(st.lists(st.sampled_from(REFS), min_size=1, max_size=6, unique=True))
    nf = draw(st.integers(1, 4))
    fuels = [f"fuel_{i}" for i in range(nf)]
    a = draw(hnp.arrays(np.float64, (2, 2, len(cats), nf), elements=finite))
    f = draw(hnp.arrays(np.float64, (nf, 3), elements=st.floats(0, 1000)))
    act = xr.DataArray(a, dims=("municipality", "year", "category", "fuel"),
                       coords={"municipality": [727, 101], "year": [2019, 2024],
                               "category": cats, "fuel": fuels}, attrs={"units": "GJ"})
    fac = xr.DataArray(f, dims=("fuel", "gas"),
                       coords={"fuel": fuels, "gas": ["CO2", "CH4", "N2O"]},
                       attrs={"units": "kg/GJ"})
    return act, fac


@pytest.mark.filterwarnings("ignore::klimacore.errors.GenerationFuelWarning")  # random I.4.1
@settings(max_examples=40, deadline=None)
@given(activity_and_factors(), st.floats(0.0, 1e3))
def test_scaling_activity_scales_emissions(pair: tuple[xr.DataArray, xr.DataArray],
                                           k: float) -> None:
    act, fac = pair
    base = kt.inventory(act, fac)
    scaled = kt.inventory((act * k).assign_attrs(act.attrs), fac)  # attrs kept on any xarray
    np.testing.assert_allclose(scaled["emissions"], k * base["emissions"], rtol=1e-10, atol=1e-9)
    np.testing.assert_allclose(scaled["co2e"], k * base["co2e"], rtol=1e-10, atol=1e-9)


@pytest.mark.filterwarnings("ignore::klimacore.errors.GenerationFuelWarning")  # random I.4.1
@settings(max_examples=40, deadline=None)
@given(activity_and_factors())
def test_same_activity_in_gj_or_mwh_gives_identical_results(
        pair: tuple[xr.DataArray, xr.DataArray]) -> None:
    act, fac = pair
    in_gj = kt.inventory(act, fac)
    in_mwh = kt.inventory((act / 3.6).assign_attrs(units="MWh"), fac)
    np.testing.assert_allclose(in_mwh["co2e"], in_gj["co2e"], rtol=1e-12, atol=1e-9)
    frame = kt.activity_array(act).drop_vars("unit").to_dataframe(name="value").reset_index()
    frame["unit"] = "GJ"
    half = frame.index % 2 == 0
    frame.loc[half, "value"] = frame.loc[half, "value"] / 3.6
    frame.loc[half, "unit"] = "MWh"
    mixed = kt.inventory(frame, fac)
    np.testing.assert_allclose(mixed["co2e"].reindex_like(in_gj["co2e"]).to_numpy(),
                               in_gj["co2e"].to_numpy(), rtol=1e-12, atol=1e-9)
    fast = kt.co2e_totals(act, fac, by="gpc")
    np.testing.assert_allclose(fast, kt.gpc_totals(in_gj["co2e"]), rtol=1e-10, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, (3, 4), elements=finite),
       hnp.arrays(np.float64, (3, 4), elements=finite), st.floats(0, 100))
def test_co2e_is_linear_in_gwp_values_and_emissions(e1: np.ndarray, e2: np.ndarray,
                                                    k: float) -> None:
    gases = ["CO2", "CH4", "N2O", "SF6"]

    def da(x: np.ndarray) -> xr.DataArray:
        return xr.DataArray(x, dims=("category", "gas"),
                            coords={"category": ["I.1.1", "V.1", "IV.2"], "gas": gases},
                            attrs={"units": "t"})

    for metric in METRICS:
        w = np.array([gwp(g, metric) for g in gases])
        np.testing.assert_allclose(kt.co2e(da(e1), metric), e1 @ w, rtol=1e-12)
        np.testing.assert_allclose(kt.co2e(da(e1 + k * e2), metric),
                                   kt.co2e(da(e1), metric) + k * kt.co2e(da(e2), metric),
                                   rtol=1e-9, atol=1e-6)
    a4, a6 = (np.array([gwp(g, m) for g in gases]) for m in ("AR4GWP100", "AR6GWP100"))
    diff = kt.co2e(da(e1), "AR6GWP100") - kt.co2e(da(e1), "AR4GWP100")
    np.testing.assert_allclose(diff, e1 @ (a6 - a4), rtol=1e-9, atol=1e-6)


# --- the gas basket (issue 9) -------------------------------------------------------------------


def test_a_factor_table_without_n2o_is_an_error_unless_the_basket_is_stated() -> None:
    no_n2o = factors_frame()[factors_frame()["gas"] != "N2O"]
    with pytest.raises(MissingLabelError, match="N2O") as err:
        kt.inventory(activity_frame(), no_n2o)
    assert err.value.labels == ("N2O",) and err.value.code == "factors.gas_missing"
    assert "diesel" in str(err.value) and "gases=" in str(err.value)
    inv = kt.inventory(activity_frame(), no_n2o, gases=("CO2", "CH4"))
    assert inv.attrs["gases"] == ["CO2", "CH4"] == inv["co2e"].attrs["gases"]
    assert inv["emissions"].get_index("gas").tolist() == ["CO2", "CH4"]
    full = kt.inventory(activity_frame(), factors_frame())
    assert full.attrs["gases"] == ["CO2", "CH4", "N2O"]
    assert kt.gpc_totals(full["co2e"]).attrs["gases"] == ["CO2", "CH4", "N2O"]  # travels
    assert kt.emission_factors(no_n2o).attrs["gases"] == ["CO2", "CH4"]
    with pytest.raises(MissingLabelError, match="N2O"):  # a stated gas must be there
        kt.inventory(activity_frame(), no_n2o, gases=("CO2", "CH4", "N2O"))


def test_one_fuel_without_n2o_names_the_fuel() -> None:
    fac = factors_frame().drop(index=5)  # diesel N2O
    with pytest.raises(MissingLabelError, match="diesel"):
        kt.inventory(activity_frame(), fac)


# --- one GWP path, checked up front (issue 9) ---------------------------------------------------


def test_unknown_gwp_metric_fails_up_front_even_without_per_gas_emissions() -> None:
    from klimacore.errors import UnknownMetricError

    co2e_only = pd.DataFrame({"municipality": 101, "year": 2019, "category": "V.1",
                              "gas": "CO2e", "value": [10.0], "unit": "t"})
    assert kt.inventory(direct=co2e_only)["emissions"].sizes["gas"] == 0  # nothing per gas
    with pytest.raises(UnknownMetricError, match="AR7GWP100"):
        kt.inventory(direct=co2e_only, gwp_metric="AR7GWP100")
    with pytest.raises(UnknownMetricError, match="AR7GWP100"):
        kt.co2e_totals(activity_frame(), factors_frame(), gwp_metric="AR7GWP100")
    inv = kt.inventory(activity_frame(), factors_frame())
    with pytest.raises(UnknownMetricError, match="AR7GWP100"):
        kt.co2e(inv, "AR7GWP100")


def test_metric_keyword_is_deprecated_in_territorial() -> None:
    from klimacore.errors import KlimacoreDeprecationWarning

    new = kt.inventory(activity_frame(), factors_frame(), gwp_metric="AR6GWP100")
    with pytest.warns(KlimacoreDeprecationWarning, match=r"inventory\(metric=\.\.\.\)"):
        old = kt.inventory(activity_frame(), factors_frame(), metric="AR6GWP100")
    xr.testing.assert_identical(old, new)
    with pytest.warns(KlimacoreDeprecationWarning):
        assert kt.co2e(new, metric="AR4GWP100").attrs["gwp_metric"] == "AR4GWP100"
    with pytest.warns(KlimacoreDeprecationWarning):
        kt.co2e_totals(activity_frame(), factors_frame(), metric="AR4GWP100")


def test_co2e_goes_through_units_to_co2e() -> None:
    from klimacore.units import to_co2e

    inv = kt.inventory(activity_frame(), factors_frame())
    by_hand = to_co2e(inv["emissions"], gwp_metric="AR4GWP100").sum("gas")
    np.testing.assert_allclose(kt.co2e(inv, "AR4GWP100")["co2e"].to_numpy(), by_hand.to_numpy())
    from klimacore.territorial import _engine

    assert not hasattr(_engine, "co2e_of") and not hasattr(_engine, "gwp_weights")


def test_one_problem_is_prefixed_once() -> None:
    with pytest.raises(ValidationError) as err:
        kt.inventory(activity_frame(category=["I.1.1", "X.9"], value=[1.0, -2.0]),
                     factors_frame())
    assert "activity: activity:" not in str(err.value)
    da = kt.activity_array(activity_frame()) * -1
    with pytest.raises(ValidationError) as err:
        kt.emissions(da, factors_frame())
    assert "activity: activity:" not in str(err.value) and err.value.code == "activity.value"
