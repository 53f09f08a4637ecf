"""Latest-year verdicts, budgets by convention, Klimatkollen's method, and real data."""

from __future__ import annotations

import datetime as dt
import math
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore.errors import KlimacoreWarning, ValidationError
from klimacore.trajectory import (
    GHG_BASKET,
    annual_cut_pct,
    budget_runout,
    check_trajectory,
    discrete_budget_path,
    exponential_path,
    fractional_year_to_date,
    latest_verdicts,
    linear_trend,
    mean_annual_change_pct,
    trend_zero_year,
)

HERE = Path(__file__).resolve().parent


def shared_data(*parts: str) -> Path:
    env = os.environ.get("KLIMACORE_SHARED_DATA")
    root = Path(env) if env else HERE.parents[1] / "shared" / "data"
    path = root.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not found at {path} (set KLIMACORE_SHARED_DATA)")
    return path


def worked_example() -> xr.DataArray:
    return xr.DataArray([2000.0, 1300.0, 1100.0], dims="year",
                        coords={"year": [1990, 2018, 2023]}, attrs={"units": "kt"})


# --- the worked example of the issue ------------------------------------------------------------


def test_worked_example_climate_act() -> None:
    v = latest_verdicts(worked_example(), "dk-climate-act")
    row = v.to_frame("milestones").set_index("year").loc[2030]
    assert row["allowed"] == pytest.approx(600e3)
    assert row["needed_t_per_year"] == pytest.approx(500e3 / 7)  # 71.43 kt/yr
    assert row["needed_pct_of_base"] == pytest.approx(3.5714, abs=1e-4)
    assert row["needed_compound_pct"] == pytest.approx(8.29, abs=5e-3)
    assert row["trend_t_per_year"] == pytest.approx(-40e3)
    assert row["projected"] == pytest.approx(820e3)
    assert row["gap_t"] == pytest.approx(220e3) and row["gap_pct"] == pytest.approx(11.0)
    assert row["status"] == "off track" and row["severity"] == "error"
    assert "71,429 t/yr" in row["message"] and "820,000 t projected" in row["message"]
    latest = v.latest().iloc[0]
    assert latest["latest_year"] == 2023 and latest["status"] == "off track"
    assert latest["verdict_year"] == 2030
    assert latest["latest_indicative"]  # 2023 is between 1990 and 2025: an interpolation
    assert "indicative path from 1990" in latest["message"]
    assert v.worst().loc["series", "dk-climate-act"] == "off track"


def test_trajectory_check_latest_and_worst_single_series() -> None:
    res = check_trajectory(worked_example(), "dk-climate-act")
    # future milestones are judged by the projection, not "no data"
    assert res.worst().loc["series", "dk-climate-act"] == "off track"
    assert res.worst(projected=False).loc["series", "dk-climate-act"] == "no data"
    assert res.latest().iloc[0]["status"] == "off track"


def test_per_entity_latest_years_and_reasons() -> None:
    years = [2017, 2018, 2019, 2020, 2021, 2022, 2023]
    data = np.array([
        [120, 115, 110, 105, 100, 95, 90],        # steady decline, all years
        [120, 118, 116, 114, 112, np.nan, np.nan],  # stopped reporting after 2021
        [-5, -5, -5, -5, -5, -5, -5],             # net negative (e.g. Læsø's account)
        [np.nan, np.nan, np.nan, np.nan, np.nan, np.nan, 50],  # one year only
    ], dtype=float)
    e = xr.DataArray(data, dims=("municipality", "year"),
                     coords={"municipality": [101, 147, 825, 860], "year": years})
    v = latest_verdicts(e, ["ipcc-ar6-c1-ghg", "dk-climate-act"])
    lt = v.latest().set_index(["municipality", "reference"])
    assert lt.loc[(147, "ipcc-ar6-c1-ghg"), "latest_year"] == 2021
    assert lt.loc[(147, "ipcc-ar6-c1-ghg"), "trend_t_per_year"] == pytest.approx(-2.0)
    # mean year-on-year change over pairs inside the window 2018–2023 (not 2017→2018)
    want = np.mean([(b - a) / a * 100 for a, b in zip([115, 110, 105, 100, 95],
                                                      [110, 105, 100, 95, 90], strict=True)])
    assert lt.loc[(101, "ipcc-ar6-c1-ghg"), "mean_change_pct"] == pytest.approx(want)
    assert lt.loc[(825, "ipcc-ar6-c1-ghg"), "status"] == "no data"
    assert "net-negative" in lt.loc[(825, "ipcc-ar6-c1-ghg"), "message"]
    assert "base-year value missing" in lt.loc[(860, "ipcc-ar6-c1-ghg"), "reason"]
    for m in (101, 147, 825, 860):  # no 1990 in the data: the true reason, not an error
        assert "base year 1990 not in the data" in lt.loc[(m, "dk-climate-act"), "message"]
    # a published 1990 back-cast for some municipalities (a dict keyed by code), NaN elsewhere
    v2 = latest_verdicts(e, "dk-climate-act", base_emissions={1990: {101: 200.0, 147: 150.0}})
    lt2 = v2.latest().set_index("municipality")
    assert lt2.loc[101, "status"] in ("on track", "at risk", "off track")
    assert lt2.loc[825, "reason"] == "base-year value missing"
    series = pd.Series([200.0], index=pd.Index([101], name="municipality"))
    v3 = latest_verdicts(e, "dk-climate-act", base_emissions={1990: series})
    assert v3.latest().set_index("municipality").loc[101, "status"] == lt2.loc[101, "status"]
    assert v.worst().shape == (4, 2)


def test_projection_overrides_trend_and_clipping() -> None:
    e = xr.DataArray([100.0, 60.0, 20.0], dims="year", coords={"year": [2019, 2021, 2023]})
    v = latest_verdicts(e, "ipcc-ar6-c1-ghg")
    ms = v.to_frame("milestones").set_index("year")
    assert (ms["projected"] >= 0).all() and ms.loc[2030, "projected"] == 0.0  # clipped at zero
    assert v.summary["trend_zero_year"].item() == pytest.approx(2024.0)
    proj = xr.DataArray([70.0], dims="year", coords={"year": [2030]})
    ms2 = latest_verdicts(e, "ipcc-ar6-c1-ghg", projection=proj).to_frame("milestones")
    ms2 = ms2.set_index("year")
    assert ms2.loc[2030, "projected"] == 70.0 and ms2.loc[2030, "basis"] == "projection"
    assert ms2.loc[2030, "status"] == "off track"  # 70 > 57 allowed: 13 % of 2019
    assert ms2.loc[2035, "basis"] == "trend"


def test_indicative_from_start_year_and_estimate() -> None:
    e = xr.DataArray([1000.0, 800.0, 700.0, 650.0], dims="year",
                     coords={"year": [1990, 2019, 2021, 2023]})
    v = latest_verdicts(e, "dk-climate-act", indicative_from=2019, as_of=2025)
    row = v.latest().iloc[0]
    # from 800 t in 2019 to 500 t allowed in 2025: 2023 → 800 − 300·4/6 = 600
    assert row["allowed_latest"] == pytest.approx(600.0)
    assert "indicative path from 2019" in row["message"]
    assert row["estimate_year"] == 2025 and "estimate" in row["message"]


def test_year_rows_between_milestones_are_indicative_warnings() -> None:
    frame = check_trajectory(worked_example(), "dk-climate-act").to_frame("years")
    between = frame[frame["year"].isin([2018, 2023])]
    assert between["indicative"].all() and set(between["severity"]) <= {"info", "warning"}
    assert between["message"].str.contains("indicative path").all()
    assert not frame.set_index("year").loc[1990, "indicative"]


# --- budgets and trends -------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(start=st.floats(1.0, 1e7), factor=st.floats(0.01, 50.0))
def test_budget_paths_spend_exactly_the_budget(start: float, factor: float) -> None:
    budget = start * factor  # also smaller than one year's emissions
    years = np.arange(2025, 2025 + 4000)
    disc = discrete_budget_path(start, budget, years, start_year=2025).to_numpy()
    assert disc.sum() == pytest.approx(budget, rel=1e-6)
    assert disc[0] < start and np.all(np.diff(disc) <= 0)
    cut = annual_cut_pct(start, budget, convention="discrete")
    assert disc[1] / disc[0] == pytest.approx(1 - cut / 100, rel=1e-9)
    # continuous: closed-form integral E0·B/E0·(1 − exp(−E0/B·T)) → B
    cont = exponential_path(start, budget, years[:2], start_year=2025).to_numpy()
    assert cont[1] / cont[0] == pytest.approx(
        1 - annual_cut_pct(start, budget, convention="exponential") / 100, rel=1e-9)


def _runout_loop(budget: float, level: float, slope: float, start: int) -> float:
    """Plain annual loop: the year the cumulative sum passes the budget, plus the fraction."""
    spent, k = 0.0, 0
    while k < 100_000:  # the budget (≤ 1e4 t at ≥ 1 t a year) is reached well before
        value = max(0.0, level + slope * k)
        if value <= 0:
            return math.nan
        if spent + value >= budget:
            return start + k + (budget - spent) / value
        spent += value
        k += 1
    return math.nan


@settings(max_examples=200, deadline=None)
@given(budget=st.floats(1.0, 1e4), level=st.floats(1.0, 100.0), slope=st.floats(-20.0, 20.0))
def test_budget_runout_matches_a_plain_loop(budget: float, level: float, slope: float) -> None:
    got = float(budget_runout(budget, level, slope, start_year=2024))
    want = _runout_loop(budget, level, slope, 2024)
    if math.isnan(want):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(want, abs=1e-6)


def test_budget_runout_continuous_against_numerical_integral() -> None:
    budget, level, slope = 300.0, 100.0, -12.0
    x = float(budget_runout(budget, level, slope, start_year=2024, convention="continuous"))
    t = np.linspace(2024, x, 200_001)
    f = np.maximum(level + slope * (t - 2024), 0)
    assert float(np.sum((f[1:] + f[:-1]) / 2 * np.diff(t))) == pytest.approx(budget, rel=1e-8)
    assert math.isnan(float(budget_runout(1e6, level, slope, start_year=2024,
                                          convention="continuous")))


def test_dates_and_mean_change() -> None:
    assert fractional_year_to_date(2024.0) == dt.date(2024, 1, 1)
    assert fractional_year_to_date(float("nan")) is None
    assert float(trend_zero_year(10.0, 1.0, start_year=2020)) != float(
        trend_zero_year(10.0, 1.0, start_year=2020))  # rising: never
    e = xr.DataArray([100.0, 90.0, np.nan, 72.9], dims="year",
                     coords={"year": [2020, 2021, 2022, 2024]})
    assert float(mean_annual_change_pct(e)) == pytest.approx(-10.0)  # the gap is skipped


# --- Klimatkollen's published method, computed independently ------------------------------------


def test_klimatkollen_figures_reproduced() -> None:
    """Klimatkollen (Klimatbyran, data/issues/emissions/emission_data_calculations.py): trend =
    least squares 2015..last data year; budget = national budget × grandfathering share; Paris
    path P(y) = E0·exp(−E0/B·(y − y0)) from the trend value in the current year; needed change =
    1 − exp(−E0/B); historical change = mean year-on-year %; budget run-out = where the integral
    of the trend line from y0 reaches B, as 1 Jan (y0 + 1) plus 365-day years; net zero = where
    the line crosses zero, dated from 1 Jan (last year + 1)."""
    years = np.arange(2015, 2023)
    emissions = np.array([250e3, 246e3, 240e3, 237e3, 229e3, 215e3, 219e3, 208e3])
    national = np.array([50e6, 49e6, 48e6, 47.5e6, 46e6, 43e6, 44e6, 42e6])
    budget_national, y0 = 80e6, 2024
    # -- independent computation in plain Python ------------------------------------------
    n = len(years)
    mx, my = sum(years) / n, sum(emissions) / n
    k = sum((x - mx) * (y - my) for x, y in zip(years, emissions, strict=True)) / sum(
        (x - mx) ** 2 for x in years)
    m = my - k * mx
    budget = budget_national * emissions.sum() / national.sum()
    e0 = max(0.0, k * y0 + m)
    paris_2030 = e0 * math.exp(-e0 / budget * (2030 - y0))
    needed = (paris_2030 - e0 * math.exp(-e0 / budget * 7)) / paris_2030 * 100
    hist = sum((emissions[i] - emissions[i - 1]) / emissions[i - 1] for i in range(1, n)) / (
        n - 1) * 100
    b2 = budget - (e0 + max(0.0, k * (y0 + 1) + m)) / 2  # trapezoid over [y0, y0 + 1]
    x1 = y0 + 1
    x2 = (math.sqrt(2 * b2 * k + (k * x1 + m) ** 2) - m) / k
    runs_out = dt.datetime(x1, 1, 1) + dt.timedelta(seconds=int((x2 - x1) * 365 * 86400))
    zero = -m / k
    net_zero = dt.datetime(2023, 1, 1) + dt.timedelta(seconds=int((zero - 2023) * 365 * 86400))
    # -- the same through klimacore's public API, choosing Klimatkollen's conventions -------
    e = xr.DataArray(emissions, dims="year", coords={"year": years})
    trend = linear_trend(e, start_year=2015)
    slope, level = float(trend["slope"]), float(trend["level"])  # level in 2022
    kc_e0 = max(0.0, level + slope * (y0 - 2022))
    assert slope == pytest.approx(k, rel=1e-12) and kc_e0 == pytest.approx(e0, rel=1e-12)
    path = exponential_path(kc_e0, budget, range(y0, 2051), start_year=y0)
    assert float(path.sel(year=2030)) == pytest.approx(paris_2030, rel=1e-12)
    assert float(annual_cut_pct(kc_e0, budget)) == pytest.approx(needed, rel=1e-9)
    assert float(mean_annual_change_pct(e)) == pytest.approx(hist, rel=1e-12)
    x = float(budget_runout(budget, kc_e0, slope, start_year=y0, convention="continuous"))
    assert fractional_year_to_date(x, anchor_year=y0 + 1) == runs_out.date()
    z = float(trend_zero_year(level, slope, start_year=2022))
    assert fractional_year_to_date(z, anchor_year=2023) == net_zero.date()


# --- real data ----------------------------------------------------------------------------------


def test_98_municipalities_in_one_call() -> None:
    from klimacore.io import read_energi_co2_regnskab

    da = read_energi_co2_regnskab(shared_data("energi-co2-regnskab", "kommuner_2018_2023.csv"))
    total = da.sum("sector", skipna=False)
    v = latest_verdicts(total, ["ipcc-ar6-c1-ghg", "dk-climate-act"])
    lt = v.latest()
    ipcc = lt[lt["reference"] == "ipcc-ar6-c1-ghg"]
    assert len(ipcc) == 98 and (ipcc["latest_year"] == 2023).all()
    counts = ipcc["status"].value_counts().to_dict()
    assert sum(counts.values()) == 98 and counts.get("no data", 0) == 1
    assert ipcc.set_index("municipality").loc[825, "reason"].startswith("net-negative")
    act = lt[lt["reference"] == "dk-climate-act"]
    assert (act["status"] == "no data").all()
    assert act["message"].str.contains("base year 1990 not in the data").all()
    # the worst() table no longer says "no data" for every municipality
    worst = check_trajectory(total, "ipcc-ar6-c1-ghg", on_invalid_base="no data").worst()
    assert (worst["ipcc-ar6-c1-ghg"] != "no data").sum() == 97


def test_kf25_national_series_against_the_climate_act() -> None:
    frame = pd.read_csv(shared_data("kf25", "kf25_denmark_1990_2050.csv")).set_index("year")
    net = frame["inclLulucf"]
    # the national inventory: the seven gases, net of LULUCF (the Climate Act's basis)
    attrs = {"units": "Mt", "gases": list(GHG_BASKET), "includes_lulucf": True,
             "boundary": "territorial"}
    hist = xr.DataArray(net.loc[:2023].to_numpy(), dims="year",
                        coords={"year": net.loc[:2023].index.to_numpy()}, attrs=attrs)
    proj = xr.DataArray(net.loc[2024:].to_numpy(), dims="year",
                        coords={"year": net.loc[2024:].index.to_numpy()}, attrs={"units": "Mt"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = latest_verdicts(hist, "dk-climate-act", projection=proj)
    ms = v.to_frame("milestones").set_index("year")
    reduction_2030 = 1 - ms.loc[2030, "projected"] / 79.18e6
    assert reduction_2030 == pytest.approx(0.72, abs=0.005)  # the ministry's "about −72 %"
    assert ms.loc[2030, "status"] == "on track" and ms.loc[2030, "basis"] == "projection"
    # the pace-based verdict from the latest observed year (2023) by the 2018–2023 trend
    pace = latest_verdicts(hist, "dk-climate-act").to_frame("milestones").set_index("year")
    assert pace.loc[2030, "basis"] == "trend" and pace.loc[2030, "status"] == "on track"
    assert pace.loc[2030, "needed_compound_pct"] == pytest.approx(
        100 * (1 - (0.3 * 79.18 / 38.77) ** (1 / 7)), rel=1e-9)


# --- compatibility on by default, inputs in pandas form, net zero that stays --------------------


def test_compatibility_warnings_by_default() -> None:
    e = xr.DataArray([100.0, 50.0], dims="year", coords={"year": [2019, 2023]})
    with pytest.warns(KlimacoreWarning, match="do not say which gases"):
        check_trajectory(e, "ipcc-ar6-c1-ghg")
    three = e.assign_attrs(gases=["CO2", "CH4", "N2O"])
    with pytest.warns(KlimacoreWarning, match="lack HFCs, PFCs, SF6, NF3"):
        latest_verdicts(three, "ipcc-ar6-c1-ghg")
    with pytest.raises(ValidationError, match=r"covers GHG .* but the data cover CO2"):
        check_trajectory(e.assign_attrs(gases=["CO2"]), "ipcc-ar6-c1-ghg")
    with pytest.warns(KlimacoreWarning, match="whether they include LULUCF"):
        check_trajectory(e.assign_attrs(gases=list(GHG_BASKET)), "ipcc-ar6-c1-ghg")
    full = e.assign_attrs(gases=list(GHG_BASKET), includes_lulucf=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_trajectory(full, "ipcc-ar6-c1-ghg")
    # a given base-year value 12 % away from the data's own is flagged
    with pytest.warns(KlimacoreWarning, match="differs from the data's own 2019 value"):
        check_trajectory(full, "ipcc-ar6-c1-ghg", base_emissions={2019: 112.0})


def test_population_and_budget_share_in_pandas_and_dict_form() -> None:
    years = [2019, 2020, 2030]
    e = xr.DataArray([[10.0, 9.0, 3.0], [20.0, 19.0, 12.0]], dims=("municipality", "year"),
                     coords={"municipality": [101, 751], "year": years},
                     attrs={"gases": list(GHG_BASKET)})
    pop = xr.DataArray([[2.0, 2.0, 2.0], [4.0, 4.0, 4.0]], dims=("municipality", "year"),
                       coords={"municipality": [101, 751], "year": years})
    want = check_trajectory(e, "c40-deadline-2020", population=pop).to_frame("milestones")
    as_series = pop.to_series()
    got = check_trajectory(e, "c40-deadline-2020", population=as_series).to_frame("milestones")
    pd.testing.assert_frame_equal(want, got)
    nested = {101: {y: 2.0 for y in years}, 751: {y: 4.0 for y in years}}
    got2 = check_trajectory(e, "c40-deadline-2020", population=nested).to_frame("milestones")
    pd.testing.assert_frame_equal(want, got2)
    with pytest.raises(ValidationError, match="name the index levels"):
        check_trajectory(e, "c40-deadline-2020", population=pd.Series([1.0, 2.0]))


def test_budget_share_as_series() -> None:
    e = xr.DataArray([[10.0, 9.0], [20.0, 19.0]], dims=("municipality", "year"),
                     coords={"municipality": [101, 751], "year": [2020, 2021]},
                     attrs={"gases": ["CO2"]})
    shares = pd.Series([1e-9, 2e-9], index=pd.Index([101, 751], name="municipality"))
    a = check_trajectory(e, "ar6-budget-1.5c-67", budget_share=shares).summary["budget_t"]
    b = check_trajectory(e, "ar6-budget-1.5c-67",
                         budget_share={101: 1e-9, 751: 2e-9}).summary["budget_t"]
    np.testing.assert_allclose(a.to_numpy().ravel(), [400.0, 800.0])
    np.testing.assert_allclose(b.to_numpy(), a.to_numpy())


def test_net_zero_crossed_only_when_it_stays() -> None:
    e = xr.DataArray([10.0, -1.0, 5.0, -2.0, -3.0], dims="year",
                     coords={"year": [2040, 2041, 2042, 2043, 2044]},
                     attrs={"gases": list(GHG_BASKET)})
    assert float(check_trajectory(e, "eu-climate-law",
                                  base_emissions={1990: 20.0}).summary["net_zero_year"]) == 2043
    back_up = e.copy(data=[10.0, -1.0, 5.0, -2.0, 1.0])
    assert np.isnan(float(check_trajectory(back_up, "eu-climate-law", base_emissions={
        1990: 20.0}).summary["net_zero_year"]))


def test_references_assigned_per_entity() -> None:
    e = xr.DataArray([[2000.0, 1300.0, 1100.0], [np.nan, 1300.0, 1100.0]],
                     dims=("municipality", "year"),
                     coords={"municipality": [101, 751], "year": [1990, 2018, 2023]},
                     attrs={"units": "kt", "gases": list(GHG_BASKET)})
    v = latest_verdicts(e, {101: ["dk-climate-act"], 751: ["ipcc-ar6-c1-ghg"]},
                        base_emissions={2019: {101: 1.25e6, 751: 1.25e6}})
    lt = v.latest()
    assert lt[["municipality", "reference"]].to_numpy().tolist() == [
        [101, "dk-climate-act"], [751, "ipcc-ar6-c1-ghg"]]
    worst = v.worst()
    assert worst.loc[101, "ipcc-ar6-c1-ghg"] == "not applicable"
    assert worst.loc[101, "dk-climate-act"] == "off track"
    with pytest.raises(ValidationError, match="no references assigned to municipality"):
        latest_verdicts(e, {101: ["dk-climate-act"]})


def test_budget_reference_run_out_in_and_beyond_the_data() -> None:
    e = xr.DataArray([100.0, 90.0, 80.0, 70.0], dims="year",
                     coords={"year": [2020, 2021, 2022, 2023]},
                     attrs={"gases": ["CO2"], "includes_lulucf": True})
    spent = latest_verdicts(e, "ar6-budget-1.5c-67", budget_share=200 / 400e9).latest().iloc[0]
    assert spent["budget_t"] == pytest.approx(200) and spent["cumulative_t"] == 340
    assert spent["budget_runout_year"] == 2022  # 100 + 90 + 80 > 200 in 2022
    assert "already spent in 2022" in spent["message"]
    later = latest_verdicts(e, "ar6-budget-1.5c-67", budget_share=500 / 400e9).latest().iloc[0]
    # 160 t left after 2023; the trend gives 60, 50, 40, then 30 of which 10 t are left
    assert later["budget_runout_year"] == pytest.approx(2027 + 1 / 3)
    assert later["budget_runout_date"] == "2027-05-02"


@settings(max_examples=25, deadline=None)
@given(values=st.lists(st.floats(1.0, 1e6), min_size=7, max_size=7),
       scale=st.floats(1e-3, 1e3))
def test_latest_verdicts_scale_invariant_and_per_entity_equal(values: list[float],
                                                              scale: float) -> None:
    years = [2019, 2020, 2021, 2022, 2023, 2024, 2025]
    attrs = {"gases": list(GHG_BASKET), "includes_lulucf": True}
    e = xr.DataArray(values, dims="year", coords={"year": years}, attrs=attrs)
    refs = ["ipcc-ar6-c1-ghg", "sbti-aca-1.5c"]
    one = latest_verdicts(e, refs).to_frame("milestones")
    scaled = latest_verdicts(e * scale, refs).to_frame("milestones")
    assert one["status"].tolist() == scaled["status"].tolist()
    np.testing.assert_allclose(scaled["needed_t_per_year"], one["needed_t_per_year"] * scale,
                               rtol=1e-9)
    np.testing.assert_allclose(scaled["needed_compound_pct"], one["needed_compound_pct"],
                               rtol=1e-9, atol=1e-9)
    # the same series inside a batch gives the same rows as on its own
    batch = xr.concat([e * 2, e], dim=xr.DataArray([101, 751], dims="municipality"))
    both = latest_verdicts(batch.assign_attrs(attrs), refs).to_frame("milestones")
    mine = both[both["municipality"] == 751].drop(columns="municipality").reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, one)


def test_per_year_indicative_path_from_a_start_year() -> None:
    e = xr.DataArray([1000.0, 800.0, 700.0, 650.0], dims="year",
                     coords={"year": [1990, 2019, 2021, 2023]},
                     attrs={"gases": list(GHG_BASKET), "includes_lulucf": True})
    frame = check_trajectory(e, "dk-climate-act", indicative_from=2019).to_frame("years")
    rows = frame.set_index("year")
    assert rows.loc[2019, "threshold"] == 800.0 and rows.loc[2019, "status"] == "on track"
    assert rows.loc[2023, "threshold"] == pytest.approx(600.0)  # 800 → 500 (2025) over 6 years
    assert "straight line from 2019" in rows.loc[2023, "message"]
    assert rows.loc[2030, "threshold"] == pytest.approx(300.0)  # milestones are untouched


def test_municipality_codes_as_text_are_converted() -> None:
    e = xr.DataArray([[2000.0, 1300.0, 1100.0]], dims=("municipality", "year"),
                     coords={"municipality": ["0751"], "year": [1990, 2018, 2023]},
                     attrs={"gases": list(GHG_BASKET), "includes_lulucf": True})
    lt = latest_verdicts(e, "dk-climate-act").latest()
    assert lt["municipality"].tolist() == [751] and lt["status"].item() == "off track"
    with_base = latest_verdicts(e.isel(year=[1, 2]), "dk-climate-act",
                                base_emissions={1990: {"0751": 2000.0}}).latest()
    assert with_base["status"].item() == "off track"
    res = check_trajectory(e, "dk-climate-act")
    assert res.summary["municipality"].to_numpy().tolist() == [751]
    with pytest.raises(KeyError, match="0999"):
        latest_verdicts(e.assign_coords(municipality=["0999"]), "dk-climate-act")


def test_cli_status(capsys: pytest.CaptureFixture[str]) -> None:
    from klimacore.cli import main

    excerpt = HERE / "data" / "eco2_excerpt.csv"
    assert main(["status", str(excerpt), "--reference", "ipcc-ar6-c1-ghg", "--all"]) == 0
    out = capsys.readouterr().out
    assert "Latest-year verdicts: 2 municipalities, latest year 2023" in out
    assert "no data, ipcc-ar6-c1-ghg: base year not in the data" in out  # 2019 not in excerpt
    assert "751 ipcc-ar6-c1-ghg: no data" in out
    assert main(["status", str(HERE / "nope.csv")]) == 2
    assert main(["status", str(excerpt), "--reference", "paris"]) == 1
    capsys.readouterr()


def test_cli_status_on_the_shared_data(capsys: pytest.CaptureFixture[str]) -> None:
    from klimacore.cli import main

    path = shared_data("energi-co2-regnskab", "kommuner_2018_2023.csv")
    assert main(["status", str(path)]) == 0
    out = capsys.readouterr().out
    assert "98 municipalities, latest year 2023" in out
    line = next(x for x in out.splitlines() if x.strip().startswith("ipcc-ar6-c1-ghg"))
    assert sum(int(n) for n in line.split()[1:]) == 98
