"""forms.plan_data: a plan's arrays read once, one base-year inventory for rules, checks and
certification; a baseline that disagrees with the observed base year is refused."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from klimacore import certification, trajectory
from klimacore.certification._planrules import plan_rule_findings
from klimacore.errors import DataError, KlimacoreError
from klimacore.forms import BASELINE_RTOL, plan_data
from klimacore.models import ClimateActionPlan, load_example_plan


def edited(plan: ClimateActionPlan, **changes: Any) -> ClimateActionPlan:
    data = plan.model_dump(mode="json")
    for key, value in changes.items():
        data[key] = value(data[key]) if callable(value) else value
    return ClimateActionPlan.model_validate(data)


def scaled_baseline(factor: float, sector: str | None = None) -> ClimateActionPlan:
    return edited(load_example_plan(), baseline_emissions=lambda b: {
        s: v * factor if sector in (None, s) else v for s, v in b.items()})


def test_arrays_match_the_document() -> None:
    plan = load_example_plan()
    data = plan_data(plan)
    assert data.observed.sectors == tuple(plan.observed.emissions)  # type: ignore[union-attr]
    for name, series in (("observed", data.observed), ("bau", data.bau),
                         ("action", data.action)):
        scenario = getattr(plan, "action_scenario" if name == "action" else name)
        for sector, years in scenario.emissions.items():
            for year, value in years.items():
                assert series.cell(year, sector) == value
    assert data.base_year == plan.baseline_year
    assert data.baseline == dict(plan.baseline_emissions)
    assert data.baseline_source == "observed"
    assert not data.observed.tonnes.flags.writeable


def test_doubled_baseline_is_refused_everywhere() -> None:
    """Doubling baseline_emissions used to flip CCTF verdicts while the trajectory thresholds
    (read from the observed series) stayed put; now the plan is refused, by every entry point."""
    doubled = scaled_baseline(2.0)
    with pytest.raises(DataError, match=r"2019 total 383,000 t .* observed 2019 emissions total "
                       r"191,500 t .*tolerance of 5 %") as info:
        plan_data(doubled)
    err = info.value
    assert isinstance(err, ValueError) and isinstance(err, KlimacoreError)
    assert err.code == "plan.baseline_mismatch" and err.label == "2019"
    assert err.location == "baseline_emissions / observed[2019]"
    for call in (lambda: trajectory.target_rules(doubled), lambda: trajectory.manko(doubled),
                 lambda: trajectory.check_plan(doubled),
                 lambda: trajectory.plan_emissions(doubled),
                 lambda: plan_rule_findings(doubled, "fast"),
                 lambda: plan_rule_findings(doubled, "trajectory")):
        with pytest.raises(DataError, match="beyond the tolerance"):
            call()


def test_tolerance_is_stated_and_overridable() -> None:
    assert BASELINE_RTOL == 0.05
    slightly = scaled_baseline(1.04)  # 4 % on the total: within
    assert plan_data(slightly).baseline_source == "observed"
    with pytest.raises(DataError, match="tolerance of 3 %"):
        plan_data(slightly, baseline_rtol=0.03)
    # an explicit tolerance lets the doubled baseline through; the base year is still one value
    data = plan_data(scaled_baseline(2.0), baseline_rtol=1.5)
    assert data.base_total == pytest.approx(191500.0)
    with pytest.raises(DataError, match="baseline_rtol must be"):
        plan_data(load_example_plan(), baseline_rtol=math.nan)


def test_one_base_year_value_for_rules_and_checks() -> None:
    """Within the tolerance the rules, the manko, the CCTF ranges and certification read the
    observed base-year row, the same numbers the trajectory checks read: a 12 % edit of one
    sector's baseline changes the warning about it, and nothing else."""
    plan, off = load_example_plan(), scaled_baseline(1.12, "energy")
    assert plan_data(off).baseline == plan_data(plan).baseline
    a, b = trajectory.check_plan(plan), trajectory.check_plan(off)
    keep = ["check", "rule", "reference", "sector", "year", "value", "threshold", "status"]
    mask_a = a["rule"] != "baseline_matches_observed"
    mask_b = b["rule"] != "baseline_matches_observed"
    assert a.loc[mask_a, keep].reset_index(drop=True).equals(
        b.loc[mask_b, keep].reset_index(drop=True))
    row = b[b["rule"] == "baseline_matches_observed"]
    assert row["status"].item() == "fail" and "energy" in row["message"].item()
    for engine in ("fast", "trajectory"):
        rest = [f for f in plan_rule_findings(off, engine) if f[0] != "baseline_matches_observed"]
        same = [f for f in plan_rule_findings(plan, engine) if f[0] != "baseline_matches_observed"]
        assert rest == same


def test_without_observed_base_year_the_stated_baseline_is_the_base() -> None:
    plan = edited(load_example_plan(), observed=lambda o: dict(o, emissions={
        s: {y: v for y, v in series.items() if int(y) != 2019}
        for s, series in o["emissions"].items()}))
    data = plan_data(plan)
    assert data.baseline_source == "baseline_emissions"
    assert data.base(2019) == dict(plan.baseline_emissions)
    # a published total for the base year is compared too
    with pytest.raises(DataError, match="observed 2019 emissions total 100,000 t"):
        plan_data(edited(plan, observed_totals={"2019": 100000.0}))


def test_diff_reads_the_one_base_year() -> None:
    plan = load_example_plan()
    old = plan.model_copy(update={"version": "1.0"})
    new = scaled_baseline(1.12, "energy").model_copy(update={"previous_version": "1.0"})
    d = certification.diff(old, new)
    assert not (d.table()["entity"] == "baseline").any()


@settings(max_examples=40, deadline=None)
@given(st.floats(0.0, 3.0, allow_nan=False))
def test_refusal_is_exactly_the_tolerance(factor: float) -> None:
    # at the boundary itself the two sides round differently (sum of scaled sectors vs scaled sum)
    assume(abs(abs(factor - 1.0) - BASELINE_RTOL) > 1e-9)
    plan = scaled_baseline(factor)
    off = abs(factor - 1.0) * 191500.0 > BASELINE_RTOL * 191500.0
    if off:
        with pytest.raises(DataError):
            plan_data(plan)
    else:
        data = plan_data(plan)
        np.testing.assert_array_equal(data.observed.tonnes, plan_data(
            load_example_plan()).observed.tonnes)


def test_check_plan_reads_the_references_once() -> None:
    """Trajectory and latest-year rows use the same references, also when given a generator."""
    from klimacore.trajectory import check_plan

    plan = load_example_plan()
    ids = ["dk-climate-act", "ipcc-ar6-c1-ghg"]
    as_list = check_plan(plan, references=ids)
    as_generator = check_plan(plan, references=(r for r in ids))
    assert as_generator.equals(as_list)
    assert set(as_list.loc[as_list["check"] == "trajectory", "reference"].dropna()) >= set(ids)
