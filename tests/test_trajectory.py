"""Tests of klimacore.trajectory: references, path builders, checks, plan rules, plot."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore import report
from klimacore.errors import (
    DataError,
    KlimacoreWarning,
    MissingLabelError,
    ValidationError,
)
from klimacore.models import ClimateActionPlan, load_example_plan
from klimacore.trajectory import (
    AT_RISK,
    NO_DATA,
    OFF_TRACK,
    ON_TRACK,
    RULE_COLUMNS,
    Milestone,
    Reference,
    Thresholds,
    action_coverage,
    allocate_budget,
    as_emissions,
    budget_path,
    check_no_backsliding,
    check_plan,
    check_trajectory,
    constant_rate_path,
    get_reference,
    global_total,
    grandfathering_share,
    linear_path,
    list_references,
    manko,
    plan_emissions,
    plan_references,
    population_share,
    reference_path,
    reference_table,
    resolve_references,
    target_rules,
)

GHG = ["CO2", "CH4", "N2O"]


def series(values: dict[int, float], **attrs: Any) -> xr.DataArray:
    years = sorted(values)
    return xr.DataArray([values[y] for y in years], dims="year", coords={"year": years},
                        attrs=attrs)


def plain(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype({c: str for c in frame.columns
                         if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def milestone_row(res: Any, ref: str, year: int) -> pd.Series:
    frame = res.to_frame("milestones")
    return frame[(frame["reference"] == ref) & (frame["year"] == year)].iloc[0]


# --- references -------------------------------------------------------------------------------


def test_every_bundled_reference_is_versioned_and_cited() -> None:
    ids = list_references()
    for expected in ("dk-climate-act", "dk-climate-act-2045", "ipcc-ar6-c1-ghg",
                     "ipcc-ar6-c1-co2", "ipcc-ar6-c3-ghg", "ipcc-ar6-c3-co2", "ipcc-sr15-co2",
                     "sbti-aca-1.5c", "eu-climate-law", "c40-deadline-2020",
                     "ar6-budget-1.5c-67", "cctf-dk-2030-sectors"):
        assert expected in ids
    for ref_id in ids:
        ref = get_reference(ref_id)
        assert ref.version and ref.source.publisher and ref.source.report
        assert ref.source.year is not None and ref.source.verification in (
            "verified", "secondary", "check")
        assert ref.boundary in ("territorial", "any")
    table = reference_table()
    assert set(table["verification"]) <= {"verified", "secondary", "check"}
    assert (table.loc[table["reference"] == "cctf-dk-2030-sectors", "verification"]
            == "check").all()


def test_reference_figures() -> None:
    def red(ref_id: str) -> dict[int, float]:
        return {m.year: float(m.reduction_pct or 0.0) for m in get_reference(ref_id).milestones}

    assert red("dk-climate-act") == {2025: 50.0, 2030: 70.0, 2050: 100.0}
    assert get_reference("dk-climate-act").milestones[0].reduction_pct_high == 54.0
    assert red("ipcc-ar6-c1-ghg") == {2030: 43.0, 2035: 60.0, 2040: 69.0, 2050: 84.0}
    assert red("ipcc-ar6-c1-co2") == {2030: 48.0, 2035: 65.0, 2040: 80.0, 2050: 99.0}
    assert red("ipcc-ar6-c3-ghg") == {2030: 21.0, 2035: 35.0, 2040: 46.0, 2050: 64.0}
    assert red("ipcc-sr15-co2") == {2030: 45.0, 2050: 100.0}
    assert get_reference("ipcc-sr15-co2").base_year == 2010
    assert red("eu-climate-law") == {2030: 55.0, 2040: 90.0, 2050: 100.0}
    assert red("sbti-aca-1.5c")[2030] == pytest.approx(4.2 * 11)
    assert get_reference("ar6-budget-1.5c-67").budget_t == pytest.approx(400e9)
    assert get_reference("ar6-budget-2c-67").budget_t == pytest.approx(1150e9)
    cctf = {m.sector: (m.reduction_pct, m.reduction_pct_high)
            for m in get_reference("cctf-dk-2030-sectors").milestones}
    assert cctf == {"energy": (89, 115), "transport": (30, 36), "industry": (40, 60),
                    "agriculture": (21, 38), "other": (69, 72)}
    assert get_reference("ipcc-ar6-c1-co2").basket == "CO2"
    assert get_reference("dk-climate-act").basket == "GHG"


def test_get_reference_unknown_names_the_id() -> None:
    with pytest.raises(MissingLabelError, match="paris-2") as err:
        get_reference("paris-2")
    assert "dk-climate-act" in str(err.value)
    with pytest.raises(MissingLabelError, match="1999"):
        get_reference("dk-climate-act@1999")
    with pytest.raises(MissingLabelError) as err2:
        resolve_references(["nope-a", "dk-climate-act", "nope-b"])
    assert err2.value.labels == ("nope-a", "nope-b")
    with pytest.raises(ValidationError, match="twice"):
        resolve_references(["dk-climate-act", "dk-climate-act"])


def test_user_reference_validation() -> None:
    with pytest.raises(ValueError, match="not sorted"):
        Reference(id="x", base_year=2019, milestones=[Milestone(year=2040, reduction_pct=1),
                                                      Milestone(year=2030, reduction_pct=1)])
    with pytest.raises(ValueError, match="need reduction_pct"):
        Reference(id="x", base_year=2019, milestones=[Milestone(year=2030)])
    with pytest.raises(ValueError, match="not after base_year"):
        Reference(id="x", base_year=2030, milestones=[Milestone(year=2030, reduction_pct=1)])
    with pytest.raises(ValueError, match="only sector_range"):
        Reference(id="x", base_year=2019,
                  milestones=[Milestone(year=2030, reduction_pct=1, sector="energy")])
    with pytest.raises(ValueError, match="not ordered"):
        Milestone(year=2030, reduction_pct=50, reduction_pct_high=40)
    own = Reference.model_validate({"id": "own", "base_year": 2019, "milestones": [
        {"year": 2030, "reduction_pct": 60}], "gases": ["CO2"]})
    assert own.basket == "CO2" and own.key == "own@1"


def test_with_base_year() -> None:
    sbti = get_reference("sbti-aca-1.5c").with_base_year(2021)
    assert sbti.base_year == 2021
    assert {m.year: m.reduction_pct for m in sbti.milestones}[2030] == pytest.approx(4.2 * 9)
    with pytest.raises(ValidationError, match="fixed base year"):
        get_reference("dk-climate-act").with_base_year(2000)


def test_budget_allocation_helpers() -> None:
    assert global_total("co2_total", 2019) == pytest.approx(43e9)
    assert population_share(5, 10) == 0.5
    assert grandfathering_share(43e6) == pytest.approx(1e-3)
    assert allocate_budget("ar6-budget-1.5c-50", 1e-3) == pytest.approx(500e6)
    with pytest.raises(ValidationError, match="within 0–1"):
        allocate_budget("ar6-budget-1.5c-50", 1.5)
    with pytest.raises(ValidationError, match="not a budget"):
        allocate_budget("dk-climate-act", 0.1)
    with pytest.raises(MissingLabelError, match="co2_total@1850"):
        global_total("co2_total", 1850)


# --- path builders ----------------------------------------------------------------------------


def test_linear_path_broadcasts_extra_dims() -> None:
    ms = xr.DataArray([[100.0, 30.0], [200.0, 60.0]], dims=("municipality", "year"),
                      coords={"municipality": [101, 751], "year": [1990, 2030]})
    p = linear_path(ms, [1990, 2010, 2030, 2040])
    assert p.dims == ("municipality", "year")
    np.testing.assert_allclose(p.sel(municipality=751).to_numpy(), [200, 130, 60, 60])
    with pytest.raises(ValidationError, match="twice"):
        linear_path(xr.DataArray([1.0, 2.0], dims="year", coords={"year": [2020, 2020]}),
                    [2020])


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.integers(1990, 2100), st.floats(-1e6, 1e6, allow_nan=False),
                       min_size=1, max_size=8))
def test_path_through_milestones_passes_through_them(points: dict[int, float]) -> None:
    years = list(range(1990, 2101))
    p = linear_path(points, years)
    for year, value in points.items():
        assert p.sel(year=year).item() == pytest.approx(value, abs=1e-6 * (1 + abs(value)))


def test_constant_rate_path_reaches_zero_and_broadcasts() -> None:
    rate = xr.DataArray([2.0, 8.0], dims="scenario", coords={"scenario": ["slow", "fast"]})
    p = constant_rate_path(1000.0, rate, range(2015, 2061), start_year=2020, zero_year=2050)
    assert p.dims == ("scenario", "year")
    assert np.isnan(p.sel(year=2015)).all()
    assert (p.sel(year=2050) == 0).all() and (p.sel(year=2060) == 0).all()
    assert (p.sel(year=2020) == 1000).all()
    assert (p.diff("year").sel(year=slice(2021, 2060)) <= 1e-9).all()
    plain = constant_rate_path(100.0, 10.0, [2020, 2021, 2022], start_year=2020)
    np.testing.assert_allclose(plain.to_numpy(), [100, 90, 81])


@settings(max_examples=60, deadline=None)
@given(start=st.floats(1.0, 1e6), factor=st.floats(1.05, 60.0), horizon=st.integers(5, 80))
def test_budget_paths_integrate_to_the_budget(start: float, factor: float,
                                              horizon: int) -> None:
    budget = start * factor
    years = range(2020, 2020 + horizon)
    p = budget_path(start, budget, years, start_year=2020)
    total = float(p.sum())
    if factor <= horizon:
        assert total == pytest.approx(budget, rel=1e-9)
        assert (p.diff("year") <= 1e-9).all()
    else:  # the budget does not bind: emissions stay constant, never grow
        assert total == pytest.approx(start * horizon, rel=1e-9)


def test_budget_path_edge_cases() -> None:
    # a budget below one year's emissions: a geometric decline, not all spent in year one
    small = budget_path(10.0, 4.0, range(2020, 2031), start_year=2020).to_numpy()
    assert small.sum() == pytest.approx(4.0) and small[0] < 4.0 and np.all(np.diff(small) < 0)
    np.testing.assert_allclose(budget_path(10.0, -1.0, [2020, 2021], start_year=2020), [0, 0])
    vec = budget_path(xr.DataArray([10.0, 20.0], dims="draw"),
                      xr.DataArray([100.0, 150.0], dims="draw"), range(2020, 2101),
                      start_year=2020)
    np.testing.assert_allclose(vec.sum("year"), [100, 150])


def test_reference_path_kinds() -> None:
    np.testing.assert_allclose(
        reference_path(get_reference("dk-climate-act"), 100.0, [1990, 2025, 2030, 2050]),
        [100, 50, 30, 0])
    sbti = reference_path(get_reference("sbti-aca-1.5c"), 100.0, [2019, 2020, 2030, 2050])
    np.testing.assert_allclose(sbti, [100, 95.8, 53.8, 0])
    pop = series({2019: 1000.0, 2030: 1100.0, 2050: 1200.0})
    c40 = reference_path(get_reference("c40-deadline-2020"), 10000.0, [2019, 2030, 2050],
                         population=pop)
    np.testing.assert_allclose(c40, [10000, 2.9 * 1100, 0])
    low = reference_path(get_reference("c40-deadline-2020"), 1000.0, [2019, 2030],
                         population=pop)  # 1 t/cap already: never allowed to grow
    np.testing.assert_allclose(low, [1000, 1100])
    with pytest.raises(ValidationError, match="population"):
        reference_path(get_reference("c40-deadline-2020"), 1.0, [2030])
    with pytest.raises(ValidationError, match="budget_share"):
        reference_path(get_reference("ar6-budget-1.5c-67"), 1.0, [2030])
    budget = reference_path(get_reference("ar6-budget-1.5c-67"), 1e6, range(2020, 2101),
                            budget_share=1e-4)
    assert float(budget.sum()) == pytest.approx(40e6)


# --- checks: hand-computed --------------------------------------------------------------------


def test_exactly_the_70_percent_target_is_on_track() -> None:
    res = check_trajectory(series({1990: 100.0, 2030: 30.0}), "dk-climate-act")
    row = milestone_row(res, "dk-climate-act", 2030)
    assert row["threshold"] == 30.0 and row["gap_t"] == 0.0 and row["status"] == "on track"
    assert row["severity"] == "info"
    assert row["required_rate_pct"] == pytest.approx(70 / 40)
    assert row["achieved_rate_pct"] == pytest.approx(70 / 40)
    assert "on track" in row["message"]


@pytest.mark.parametrize(("value", "status", "severity"), [
    (29.0, "on track", "info"),
    (30.0, "on track", "info"),
    (30.5, "at risk", "warning"),
    (35.0, "at risk", "warning"),
    (35.5, "off track", "error"),
])
def test_status_thresholds(value: float, status: str, severity: str) -> None:
    res = check_trajectory(series({1990: 100.0, 2030: value}), "dk-climate-act")
    row = milestone_row(res, "dk-climate-act", 2030)
    assert (row["status"], row["severity"]) == (status, severity)
    assert row["gap_pct"] == pytest.approx(value - 30.0)


def test_thresholds_are_configurable() -> None:
    e = series({1990: 100.0, 2030: 31.0})
    strict = check_trajectory(e, "dk-climate-act", thresholds=Thresholds(at_risk_pct=0))
    assert milestone_row(strict, "dk-climate-act", 2030)["status"] == "off track"
    with pytest.raises(ValidationError, match="at_risk_pct"):
        Thresholds(at_risk_pct=-1)


def test_sbti_four_point_two_percent_path_from_2019() -> None:
    years = list(range(2019, 2051))
    path = {y: max(100.0 * (1 - 0.042 * (y - 2019)), 0.0) for y in years}
    res = check_trajectory(series(path), "sbti-aca-1.5c")
    frame = res.to_frame("milestones")
    assert set(frame["status"]) == {"on track"}
    row = milestone_row(res, "sbti-aca-1.5c", 2030)
    assert row["threshold"] == pytest.approx(53.8)
    assert row["required_rate_pct"] == pytest.approx(4.2)
    assert row["achieved_rate_pct"] == pytest.approx(4.2)
    slower = check_trajectory(series({y: max(100.0 * (1 - 0.03 * (y - 2019)), 0.0)
                                      for y in years}), "sbti-aca-1.5c")
    row = milestone_row(slower, "sbti-aca-1.5c", 2030)
    assert row["status"] == "off track" and row["achieved_rate_pct"] == pytest.approx(3.0)
    years_frame = slower.to_frame("years")
    # 2020: 97 t vs 95.8 t allowed, 1.2 % of base above: within the 5-point band
    assert years_frame.query("year == 2020")["status"].item() == "at risk"


def test_ar6_and_eu_milestones() -> None:
    e = series({1990: 300.0, 2019: 200.0, 2030: 114.0, 2040: 30.0, 2050: 0.0},
               gases=GHG, boundary="territorial")
    res = check_trajectory(e, ["ipcc-ar6-c1-ghg", "eu-climate-law"])
    assert milestone_row(res, "ipcc-ar6-c1-ghg", 2030)["threshold"] == pytest.approx(114)
    assert milestone_row(res, "ipcc-ar6-c1-ghg", 2030)["status"] == "on track"
    assert milestone_row(res, "ipcc-ar6-c1-ghg", 2035)["status"] == "no data"
    assert milestone_row(res, "eu-climate-law", 2040)["threshold"] == pytest.approx(30)
    assert milestone_row(res, "eu-climate-law", 2040)["status"] == "on track"


def test_cctf_sector_ranges_with_a_sector_dim() -> None:
    sectors = ["energy", "transport", "waste", "land_use"]
    e2019 = [100.0, 100.0, 100.0, -20.0]  # land_use is a sink: no range, no base needed
    cases = {  # 2030 value → expected status
        "energy": (-10.0, "on track"),   # −110 %: upper half of 89–115
        "transport": (69.0, "at risk"),  # −31 %: lower half of 30–36, must be justified
        "waste": (20.0, "on track"),     # mapped to "other" (69–72): −80 %
        "land_use": (50.0, None),        # no range
    }
    e2030 = [cases[s][0] for s in sectors]
    e = xr.DataArray([e2019, e2030], dims=("year", "sector"),
                     coords={"year": [2019, 2030], "sector": sectors}).T
    res = check_trajectory(e, "cctf-dk-2030-sectors", sector_map={"waste": "other"},
                           gases=GHG)
    frame = res.to_frame("milestones").set_index("sector")
    assert "land_use" not in frame.index
    assert "land_use" not in set(res.to_frame("all")["sector"])
    for sector in ("energy", "transport", "waste"):
        assert frame.loc[sector, "status"] == cases[sector][1], sector
    assert "must be justified" in frame.loc["transport", "message"]
    e_off = e.copy()
    e_off.loc[{"sector": "transport", "year": 2030}] = 75.0  # −25 %: below 30–36 %
    off = check_trajectory(e_off, "cctf-dk-2030-sectors", sector_map={"waste": "other"},
                           gases=GHG)
    fr = off.to_frame("milestones").set_index("sector")
    assert fr.loc["transport", "status"] == "off track"
    with pytest.raises(ValidationError, match="sector"):
        check_trajectory(series({2019: 1.0, 2030: 1.0}), "cctf-dk-2030-sectors")


def test_per_capita_reference_and_missing_population_is_no_data() -> None:
    e = series({2019: 10000.0, 2030: 3000.0})
    pop = series({2019: 1000.0, 2030: 1100.0})
    res = check_trajectory(e, "c40-deadline-2020", population=pop)
    row = milestone_row(res, "c40-deadline-2020", 2030)
    assert row["threshold"] == pytest.approx(3190) and row["status"] == "on track"
    res2 = check_trajectory(e, "c40-deadline-2020", population=series({2019: 1000.0}))
    assert milestone_row(res2, "c40-deadline-2020", 2030)["status"] == "no data"
    with pytest.raises(ValidationError, match="2019"):
        check_trajectory(e, "c40-deadline-2020", population=series({2030: 1.0}))


def test_budget_cumulative_and_year_it_runs_out() -> None:
    years = range(2020, 2031)
    e = series({y: 20.0 for y in years}, gases=["CO2"])
    share = 100.0 / 400e9  # entity budget 100 t
    res = check_trajectory(e, "ar6-budget-1.5c-67", budget_share=share)
    sm = res.summary.sel(reference="ar6-budget-1.5c-67")
    assert float(sm["budget_t"]) == pytest.approx(100.0)
    assert float(sm["cumulative_t"]) == pytest.approx(220.0)
    assert int(sm["budget_exhausted_year"]) == 2025  # 20 × 5 = 100 is not yet exceeded in 2024
    budget_rows = res.to_frame("budget")
    assert budget_rows["status"].item() == "off track"
    assert "runs out in 2025" in budget_rows["message"].item()
    with pytest.raises(ValidationError, match="budget_share"):
        check_trajectory(e, "ar6-budget-1.5c-67")


def test_net_zero_crossing() -> None:
    e = series({1990: 100.0, 2030: 30.0, 2045: -1.0, 2050: -5.0})
    res = check_trajectory(e, "dk-climate-act")
    assert float(res.summary["net_zero_year"]) == 2045
    nz = res.to_frame("net_zero")
    assert nz["status"].item() == "on track" and nz["value"].item() == 2045
    late = check_trajectory(series({1990: 100.0, 2050: 5.0, 2055: 0.0}), "dk-climate-act")
    assert late.to_frame("net_zero")["status"].item() == "off track"
    unknown = check_trajectory(series({1990: 100.0, 2030: 30.0}), "dk-climate-act")
    assert unknown.to_frame("net_zero")["status"].item() == "no data"


def test_reporting_gap_is_no_data_never_a_pass() -> None:
    e = series({1990: 100.0, 2029: 10.0, 2030: math.nan, 2031: 10.0})
    res = check_trajectory(e, "dk-climate-act")
    row = milestone_row(res, "dk-climate-act", 2030)
    assert row["status"] == "no data" and row["severity"] == "warning"
    assert row["data_year"] == 2029  # the pace rests on the latest year with data
    assert res.years["status"].sel(year=2030).item() == NO_DATA


def test_multi_dimensional_check_equals_entity_by_entity() -> None:
    rng = np.random.default_rng(1)
    years = np.arange(1990, 2051)
    vals = rng.uniform(50, 150, (3, 2, 1)) * (1 - rng.uniform(0, 0.04, (3, 2, 1))) ** (
        years - 1990)
    e = xr.DataArray(vals, dims=("municipality", "draw", "year"),
                     coords={"municipality": [101, 751, 851], "draw": [0, 1], "year": years})
    refs = ["dk-climate-act", "ipcc-ar6-c1-ghg", "sbti-aca-1.5c", "eu-climate-law"]
    whole = check_trajectory(e, refs).to_frame("all")
    for m in (101, 851):
        for d in (0, 1):
            one = check_trajectory(e.sel(municipality=m, draw=d), refs).to_frame("all")
            part = whole[(whole["municipality"] == m) & (whole["draw"] == d)]
            part = part.drop(columns=["municipality", "draw"]).reset_index(drop=True)
            pd.testing.assert_frame_equal(plain(part), plain(one))
    ds = check_trajectory(e, refs).to_xarray()
    assert {"allowed", "status", "milestone_required_rate_pct", "budget_t"} <= set(ds.data_vars)
    assert ds["allowed"].dims == ("municipality", "draw", "reference", "year")


def test_worst_status_table() -> None:
    e = xr.DataArray([[100.0, 30.0], [100.0, 50.0]], dims=("municipality", "year"),
                     coords={"municipality": [101, 751], "year": [1990, 2030]})
    worst = check_trajectory(e, "dk-climate-act").worst()
    assert worst.loc[101, "dk-climate-act"] == "no data"  # 2025 and 2050 are not reported
    assert worst.loc[751, "dk-climate-act"] == "off track"


# --- checks: input forms and errors -----------------------------------------------------------


def test_pandas_inputs() -> None:
    long = pd.DataFrame({"municipality": [101, 101, 751, 751], "year": [1990, 2030] * 2,
                         "value": [100.0, 30.0, 0.2, 0.06], "unit": ["t", "t", "t", "t"]})
    res = check_trajectory(long, "dk-climate-act")
    assert set(res.to_frame("milestones").query("year == 2030")["status"]) == {"on track"}
    wide = pd.DataFrame({101: [100.0, 30.0], 751: [200.0, 90.0]},
                        index=pd.Index([1990, 2030], name="year"))
    wide.columns.name = "municipality"
    fr = check_trajectory(wide, "dk-climate-act").to_frame("milestones").query("year == 2030")
    assert fr.set_index("municipality")["status"].to_dict() == {101: "on track",
                                                                 751: "off track"}
    kt = as_emissions(series({1990: 1.0}, units="kt CO2e"))
    assert kt.item() == 1000.0 and kt.attrs["units"] == "t"
    assert as_emissions({2030: 1.0, 1990: 2.0})["year"].to_numpy().tolist() == [1990, 2030]


def test_duplicate_years_are_named() -> None:
    s = pd.Series([1.0, 2.0, 3.0], index=pd.MultiIndex.from_tuples(
        [(101, 2019), (101, 2019), (751, 2019)], names=["municipality", "year"]))
    with pytest.raises(DataError, match=r"municipality=101 year 2019"):
        as_emissions(s)
    da = xr.DataArray([1.0, 2.0], dims="year", coords={"year": [2019, 2019]})
    with pytest.raises(DataError, match="2019"):
        check_trajectory(da, "dk-climate-act")
    with pytest.raises(DataError, match="year=2030"):
        as_emissions(series({2019: 1.0, 2030: math.inf}))
    with pytest.raises(DataError, match="integers"):
        as_emissions(xr.DataArray([1.0], dims="year", coords={"year": [2019.5]}))


def test_missing_base_year_names_reference_and_year() -> None:
    e = series({2000: 10.0, 2030: 5.0})
    with pytest.raises(ValidationError, match=r"dk-climate-act.*base year 1990") as err:
        check_trajectory(e, ["dk-climate-act", "ipcc-ar6-c1-ghg"])
    assert len(err.value.problems) == 2 and "2019" in str(err.value)
    ok = check_trajectory(e, "dk-climate-act", base_emissions={1990: 20.0})
    assert milestone_row(ok, "dk-climate-act", 2030)["threshold"] == pytest.approx(6.0)


def test_missing_base_value_names_the_entity() -> None:
    e = xr.DataArray([[100.0, 30.0], [math.nan, 30.0], [0.0, 1.0]],
                     dims=("municipality", "year"),
                     coords={"municipality": [101, 751, 851], "year": [1990, 2030]})
    with pytest.raises(ValidationError) as err:
        check_trajectory(e, "dk-climate-act")
    text = str(err.value)
    assert "municipality=751" in text and "municipality=851" in text and "1990" in text
    assert "municipality=101" not in text
    res = check_trajectory(e, "dk-climate-act", on_invalid_base="no data")
    status = res.to_frame("milestones").query("year == 2030").set_index("municipality")
    assert status["status"].to_dict() == {101: "on track", 751: "no data", 851: "no data"}


def test_basket_and_boundary_mismatch() -> None:
    e = series({2019: 10.0, 2030: 5.0}, gases=GHG, boundary="territorial")
    with pytest.raises(ValidationError, match=r"ipcc-ar6-c1-co2.*CO2 only"):
        check_trajectory(e, "ipcc-ar6-c1-co2")
    co2 = series({2019: 10.0, 2030: 5.0}, gases=["CO2"])
    with pytest.raises(ValidationError, match="ipcc-ar6-c1-ghg"):
        check_trajectory(co2, "ipcc-ar6-c1-ghg")
    assert check_trajectory(co2, "ipcc-ar6-c1-co2") is not None
    cons = series({1990: 10.0, 2030: 3.0}, boundary="consumption")
    with pytest.raises(ValidationError, match=r"territorial.*consumption"):
        check_trajectory(cons, "dk-climate-act")
    nolulucf = series({1990: 10.0, 2030: 3.0}, includes_lulucf=False)
    with pytest.warns(KlimacoreWarning, match="LULUCF"):
        check_trajectory(nolulucf, "dk-climate-act")


# --- properties -------------------------------------------------------------------------------

RANK = {ON_TRACK: 0, AT_RISK: 1, OFF_TRACK: 2}
PROPERTY_REFS = ["dk-climate-act", "ipcc-ar6-c1-ghg", "sbti-aca-1.5c", "eu-climate-law"]
emission_lists = st.lists(st.floats(-50.0, 300.0, allow_nan=False), min_size=8, max_size=8)


def _draws(values: list[float]) -> xr.DataArray:
    years = [1990, 2019, 2025, 2030, 2035, 2040, 2045, 2050]
    vals = np.asarray(values)
    vals[0], vals[1] = abs(vals[0]) + 1.0, abs(vals[1]) + 1.0  # positive bases
    return xr.DataArray(vals, dims="year", coords={"year": years})


@settings(max_examples=50, deadline=None)
@given(emission_lists, st.floats(1e-3, 1e4))
def test_scaling_emissions_and_base_leaves_statuses_unchanged(values: list[float],
                                                               k: float) -> None:
    e = _draws(values)
    a = check_trajectory(e, PROPERTY_REFS)
    b = check_trajectory(e * k, PROPERTY_REFS)
    np.testing.assert_array_equal(a.years["status"].to_numpy(), b.years["status"].to_numpy())
    np.testing.assert_array_equal(a.summary["budget_status"].to_numpy(),
                                  b.summary["budget_status"].to_numpy())


@settings(max_examples=50, deadline=None)
@given(emission_lists, st.lists(st.floats(0.0, 100.0), min_size=6, max_size=6))
def test_lowering_emissions_never_worsens_a_status(values: list[float],
                                                   cuts: list[float]) -> None:
    e = _draws(values)
    lower = e.copy()
    lower[2:] = e[2:].to_numpy() - np.asarray(cuts)  # bases unchanged, later years lower
    a = check_trajectory(e, PROPERTY_REFS).years["status"].to_numpy().ravel()
    b = check_trajectory(lower, PROPERTY_REFS).years["status"].to_numpy().ravel()
    for before, after in zip(a, b, strict=True):
        if before in RANK:
            assert RANK[int(after)] <= RANK[int(before)]
        else:
            assert after == before


# --- plan rules -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def plan() -> ClimateActionPlan:
    return load_example_plan()


def edited(plan: ClimateActionPlan, **changes: Any) -> ClimateActionPlan:
    data = plan.model_dump(mode="json")
    for key, value in changes.items():
        data[key] = value(data[key]) if callable(value) else value
    return ClimateActionPlan.model_validate(data)


def rule(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    return frame[frame["rule"] == name]


def test_example_plan_rules(plan: ClimateActionPlan) -> None:
    rules = target_rules(plan)
    assert list(rules.columns) == list(RULE_COLUMNS)
    for name in ("net_zero_by_2050", "first_target_by_2030", "interim_targets", "gas_basket",
                 "scenarios_to_2050", "target_base_data", "cctf_sector_range"):
        assert set(rule(rules, name)["status"]) == {"pass"}, name
    scen = rule(rules, "cctf_sector_range_scenario").set_index("sector")
    assert scen.loc["energy", "severity"] == "warning"  # −85 % is below 89–115 %
    assert scen.loc["industry", "severity"] == "warning"  # −40 %: lower half of 40–60 %


def test_net_zero_after_2050_is_an_error(plan: ClimateActionPlan) -> None:
    def later(targets: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [dict(t, target_year=2055) if t["kind"] == "net_zero" else t for t in targets]

    row = rule(target_rules(edited(plan, targets=later)), "net_zero_by_2050")
    assert (row["status"].item(), row["severity"].item()) == ("fail", "error")
    assert "2055" in row["message"].item()
    none = edited(plan, targets=lambda ts: [t for t in ts if t["kind"] != "net_zero"])
    assert rule(target_rules(none), "net_zero_by_2050")["severity"].item() == "error"


def test_first_and_interim_targets(plan: ClimateActionPlan) -> None:
    late = edited(plan, targets=lambda ts: [t for t in ts if t["kind"] == "net_zero" or
                                            (t.get("target_year") or 0) >= 2035])
    rules = target_rules(late)
    assert rule(rules, "first_target_by_2030")["severity"].item() == "error"
    assert "2035" in rule(rules, "first_target_by_2030")["message"].item()
    one = edited(plan, targets=lambda ts: [t for t in ts if t["kind"] == "net_zero" or
                                           t.get("target_year") == 2030])
    assert rule(target_rules(one), "interim_targets")["status"].item() == "fail"


def test_gas_basket_and_scenario_horizon(plan: ClimateActionPlan) -> None:
    no_n2o = edited(plan, targets=lambda ts: [dict(t, gases=["CO2", "CH4"]) if
                                              t.get("target_year") == 2030 else t for t in ts])
    row = rule(target_rules(no_n2o), "gas_basket")
    assert row["severity"].item() == "error" and "N2O" in row["message"].item()

    def cut(scen: dict[str, Any]) -> dict[str, Any]:
        em = dict(scen["emissions"])
        em["transport"] = {y: v for y, v in em["transport"].items() if int(y) <= 2045}
        return dict(scen, emissions=em)

    rows = rule(target_rules(edited(plan, action_scenario=cut)), "scenarios_to_2050")
    bad = rows[rows["status"] == "fail"]
    assert len(bad) == 1 and "transport ends 2045" in bad["message"].item()


def test_cctf_sector_target_ranges(plan: ClimateActionPlan) -> None:
    def transport(pct: float) -> Any:
        return lambda ts: [dict(t, reduction_pct=pct) if t.get("sector") == "transport" else t
                           for t in ts]

    below = rule(target_rules(edited(plan, targets=transport(25))), "cctf_sector_range")
    assert below["severity"].item() == "error" and "cannot be approved" in below[
        "message"].item()
    lower = rule(target_rules(edited(plan, targets=transport(31))), "cctf_sector_range")
    assert lower["severity"].item() == "warning" and "justified" in lower["message"].item()


def test_manko_per_milestone_and_sector(plan: ClimateActionPlan) -> None:
    m = manko(plan)
    total_2030 = m[(m.year == 2030) & (m.sector == "total")].iloc[0]
    assert total_2030["target_t"] == pytest.approx(293000 * 0.3)
    assert total_2030["action_t"] == pytest.approx(94320)
    assert total_2030["manko_t"] == pytest.approx(6420)
    for year in (2025, 2030, 2035, 2040, 2050):
        rows = m[(m.year == year) & ~m["target"].str.startswith("sector")]
        sectors = rows[rows.sector != "total"]["manko_t"].sum()
        assert sectors == pytest.approx(rows[rows.sector == "total"]["manko_t"].item())
    sector_target = m[m["target"].str.startswith("sector target")].iloc[0]
    assert sector_target["target_t"] == pytest.approx(56000 * 0.55)


def test_claimed_reductions_linked_to_actions(plan: ClimateActionPlan) -> None:
    cov = action_coverage(plan).set_index("sector")
    assert cov.loc["energy", "claimed_t"] == pytest.approx(24880)
    assert cov.loc["energy", "linked_t"] == pytest.approx(21000)
    assert cov.loc["land_use", "unlinked_t"] == pytest.approx(-350)
    assert cov.loc["energy", "actions"] == "E1,E2"
    cancelled = edited(plan, actions=lambda acts: [dict(a, status="cancelled") if a["id"] == "E2"
                                                   else a for a in acts])
    assert action_coverage(cancelled).set_index("sector").loc["energy", "linked_t"] == 9000
    df = check_plan(cancelled)
    msgs = " ".join(df.loc[df["check"] == "actions", "message"])
    assert "cancelled actions not counted: E2" in msgs


def test_no_backsliding(plan: ClimateActionPlan) -> None:
    old = edited(plan, version="1.0", previous_version=None)
    assert set(check_no_backsliding(plan, old)["severity"]) == {"info"}
    weaker = edited(plan, targets=lambda ts: [dict(t, reduction_pct=65) if
                                              t.get("target_year") == 2030 and t["kind"] ==
                                              "absolute" else t for t in ts])
    rows = check_no_backsliding(weaker, old)
    bad = rows[rows["status"] == "fail"]
    assert len(bad) == 1 and "2030" in bad["message"].item() and "−65 %" in bad[
        "message"].item()
    dropped = edited(plan, targets=lambda ts: [t for t in ts if t.get("target_year") != 2035])
    assert "dropped" in " ".join(check_no_backsliding(dropped, old)["message"])
    later = edited(plan, version="1.0", targets=lambda ts: [
        dict(t, target_year=2049) if t["kind"] == "net_zero" else t for t in ts])
    rows = check_no_backsliding(plan, later)
    assert "net zero moved from 2049 to 2050" in " ".join(rows["message"])
    other = edited(plan, municipality=101)
    assert check_no_backsliding(other, old)["severity"].item() == "error"

    def rebased(pct: float) -> ClimateActionPlan:
        return edited(plan, targets=lambda ts: [
            dict(t, base_year=2019, reduction_pct=pct)
            if t.get("target_year") == 2030 and t["kind"] == "absolute" else t for t in ts])

    # 2019 total 191,500 t: −60 % leaves 76,600 t (stricter than 87,900 t); −50 % 95,750 t
    def row_2030(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[(frame["year"] == 2030) & frame["sector"].isna()]

    row = row_2030(check_no_backsliding(rebased(60), old))
    assert row["status"].item() == "pass" and "base year 1990 → 2019" in row["message"].item()
    row = row_2030(check_no_backsliding(rebased(50), old))
    assert row["status"].item() == "fail" and row["value"].item() == pytest.approx(95750)


def test_check_plan_and_text(plan: ClimateActionPlan) -> None:
    df = check_plan(plan, previous=edited(plan, version="1.0", previous_version=None))
    assert list(df.columns) == list(RULE_COLUMNS)
    assert {"target rule", "manko", "actions", "trajectory", "backsliding"} <= set(df["check"])
    traj = df[(df["check"] == "trajectory") & (df["rule"] == "milestone")]
    assert set(traj["reference"]) == {"dk-climate-act", "ipcc-ar6-c1-ghg", "eu-climate-law",
                                      "sbti-aca-1.5c", "plan-727-v2.0"}
    dk2030 = traj[(traj["reference"] == "dk-climate-act") & (traj["year"] == 2030)].iloc[0]
    assert dk2030["value"] == pytest.approx(94320) and dk2030["status"] == "at risk"
    text = report.plan_checks_text(df)
    assert text.startswith("Plan 727 v2.0:") and "manko 6,420 t" in text
    assert "marked 'check'" in text
    assert "2030 against each reference" in report.milestone_text(plan)


def test_check_plan_reports_reference_errors_as_rows(plan: ClimateActionPlan) -> None:
    df = check_plan(plan, references=["ipcc-ar6-c1-co2"])
    row = df[df["reference"] == "ipcc-ar6-c1-co2"]
    assert row["severity"].item() == "error" and "CO2 only" in row["message"].item()


def test_plan_emissions_totals_are_never_partial(plan: ClimateActionPlan) -> None:
    e = plan_emissions(plan)
    assert e.sel(year=1990).item() == 293000 and e.attrs["includes_lulucf"] is True
    by = plan_emissions(plan, "bau", by_sector=True)
    assert by.dims == ("sector", "year")

    def drop(scen: dict[str, Any]) -> dict[str, Any]:
        em = dict(scen["emissions"])
        em["waste"] = {y: v for y, v in em["waste"].items() if y != "2010"}
        return dict(scen, emissions=em)

    gap = plan_emissions(edited(plan, observed=drop), "observed")
    assert math.isnan(gap.sel(year=2010).item())
    refs = plan_references(plan)
    assert refs[0].net_zero_year == 2050 and refs[0].base_year == 1990


# --- plot -------------------------------------------------------------------------------------


def test_plot_trajectory_plan_and_dataarray(plan: ClimateActionPlan) -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from klimacore.trajectory import plot_trajectory

    fig = plot_trajectory(plan)
    assert isinstance(fig, Figure)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert {"observed", "BAU", "action scenario", "dk-climate-act", "plan targets"} <= set(labels)
    draws = xr.DataArray(np.linspace(100, 10, 31)[None, :] * np.linspace(0.9, 1.1, 20)[:, None],
                         dims=("draw", "year"), coords={"year": np.arange(2019, 2050)})
    fig2 = plot_trajectory(draws, ["ipcc-ar6-c1-ghg", "dk-climate-act"])
    texts = " ".join(t.get_text() for t in fig2.axes[0].texts)
    assert "dk-climate-act (no 1990 data)" in texts
    fig3 = Figure()
    ax = fig3.add_subplot()
    assert plot_trajectory(plan, ax=ax) is fig3
    with pytest.raises(ValidationError, match="municipality"):
        plot_trajectory(draws.expand_dims(municipality=[101, 751]))


def test_no_warnings_for_the_example_plan(plan: ClimateActionPlan) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_plan(plan)
