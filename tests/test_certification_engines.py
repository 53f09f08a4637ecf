"""The fast plan-rule engine agrees with the trajectory package's functions (the reference)."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klimacore import certification, examples
from klimacore.certification._planrules import plan_rule_findings
from klimacore.models import ClimateActionPlan, load_example_plan

BASE = load_example_plan().model_dump(mode="json")
SECTORS = list(BASE["baseline_emissions"])


def _strip(found: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str]]:
    return sorted((rule, status, severity) for rule, status, severity, _ in found)


@st.composite
def variants(draw: st.DrawFn) -> dict[str, Any]:
    d = copy.deepcopy(BASE)
    for t in d["targets"]:
        if t.get("reduction_pct") is not None:
            t["reduction_pct"] = draw(st.floats(0, 100, allow_nan=False))
        if t["kind"] == "absolute":
            t["base_year"] = draw(st.sampled_from([1990, 2010, 2019, 2015]))
    if draw(st.booleans()):
        d["targets"] = d["targets"][draw(st.integers(0, len(d["targets"]) - 1)):]
    for sector in SECTORS:
        for name in ("action_scenario", "bau"):
            series = d[name]["emissions"][sector]
            for year in ("2030", "2050"):
                series[year] = draw(st.floats(-2e4, 1e5, allow_nan=False))
            for year in ("2030", "2050"):
                if draw(st.integers(0, 9)) == 0:
                    del series[year]
        if draw(st.integers(0, 9)) == 0:
            del d["observed"]["emissions"][sector]["1990"]
    for a in d["actions"]:
        if draw(st.booleans()):
            a["expected_effect_t"] = draw(st.floats(0, 3e4, allow_nan=False))
        a["status"] = draw(st.sampled_from(["planned", "ongoing", "cancelled", "completed"]))
    if draw(st.booleans()):
        d["inventory"]["gases"] = ["CO2", "CH4"]
    return d


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(variants())
def test_fast_engine_matches_trajectory(doc: dict[str, Any]) -> None:
    plan = ClimateActionPlan.model_validate(doc)
    assert _strip(plan_rule_findings(plan, "fast")) == _strip(
        plan_rule_findings(plan, "trajectory"))


def test_certify_same_table_with_either_engine() -> None:
    plan = examples.example_plan_cctf()
    as_of = dt.date(2026, 11, 22)
    fast = certification.certify(plan, as_of=as_of)
    slow = certification.certify(plan, as_of=as_of, engine="trajectory")
    cols = ["rule", "status", "severity"]
    assert fast[cols].equals(slow[cols])


def test_example_plan_agrees_exactly_on_statuses() -> None:
    plan = load_example_plan()
    assert _strip(plan_rule_findings(plan)) == _strip(plan_rule_findings(plan, "trajectory"))
