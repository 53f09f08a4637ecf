"""Invariants of plan diffs and due dates (hypothesis)."""

from __future__ import annotations

import copy
import datetime as dt
import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore import certification
from klimacore.models import ClimateActionPlan, load_example_plan

BASE = load_example_plan().model_dump(mode="json")
OPPOSITE = {"tightened": "weakened", "weakened": "tightened", "added": "removed",
            "removed": "added", "unchanged": "unchanged", "not comparable": "not comparable"}


@st.composite
def versions(draw: st.DrawFn) -> tuple[ClimateActionPlan, ClimateActionPlan]:
    docs = []
    for version in ("1.0", "2.0"):
        d: dict[str, Any] = copy.deepcopy(BASE) | {"version": version, "previous_version": None}
        for t in d["targets"]:
            if t.get("reduction_pct") is not None:
                t["reduction_pct"] = draw(st.sampled_from([40.0, 50.0, 70.0, 75.0, 90.0]))
            if t["kind"] == "absolute":
                t["base_year"] = draw(st.sampled_from([1990, 2019]))
        keep = draw(st.lists(st.booleans(), min_size=len(d["targets"]),
                             max_size=len(d["targets"])))
        d["targets"] = [t for t, k in zip(d["targets"], keep, strict=True) if k]
        nz = [t for t in d["targets"] if t["kind"] == "net_zero"]
        for t in nz:
            t["target_year"] = draw(st.sampled_from([2040, 2045, 2050]))
        docs.append(ClimateActionPlan.model_validate(d))
    return docs[0], docs[1]


@settings(max_examples=60, deadline=None)
@given(versions())
def test_diff_is_antisymmetric_for_targets(pair: tuple[ClimateActionPlan, ClimateActionPlan]
                                           ) -> None:
    a, b = pair
    forward = {r["id"]: r["change"] for r in certification.diff(a, b).rows
               if r["entity"] == "target"}
    backward = {r["id"]: r["change"] for r in certification.diff(b, a).rows
                if r["entity"] == "target"}
    assert set(forward) == set(backward)
    for key, change in forward.items():
        assert backward[key] == OPPOSITE[change], key


@settings(max_examples=30, deadline=None)
@given(versions())
def test_diff_with_itself_is_unchanged(pair: tuple[ClimateActionPlan, ClimateActionPlan]) -> None:
    plan = pair[0]
    assert {r["change"] for r in certification.diff(plan, plan).rows} <= {"unchanged"}


RANK = {"fresh": 0, "due": 1, "stale": 2, "no data": -1}


@settings(max_examples=60, deadline=None)
@given(adopted=st.dates(dt.date(2015, 1, 1), dt.date(2026, 12, 31)),
       days=st.lists(st.integers(0, 4000), min_size=2, max_size=5))
def test_due_status_never_gets_fresher(adopted: dt.date, days: list[int]) -> None:
    plan = ClimateActionPlan.model_validate(BASE | {"adopted": adopted.isoformat()})
    ranks = []
    for d in sorted(days):
        due = certification.due_dates(plan, as_of=adopted + dt.timedelta(days=d))
        ranks.append([RANK[s] for s in due["status"]])
    for earlier, later in itertools.pairwise(ranks):
        assert all(b >= a for a, b in zip(earlier, later, strict=True))


@settings(max_examples=60, deadline=None)
@given(versions())
def test_no_backsliding_agrees_with_trajectory_check(
        pair: tuple[ClimateActionPlan, ClimateActionPlan]) -> None:
    from klimacore.trajectory import check_no_backsliding

    old, new = pair
    reference = check_no_backsliding(new, old)
    weaker = bool(((reference["status"] == "fail") & (reference["severity"] == "error")).any())
    table = certification.certify(new, previous=old, as_of=dt.date(2026, 11, 22))
    status = table.set_index("rule").loc["K9.no_backsliding", "status"]
    assert (status == "fail") == weaker
