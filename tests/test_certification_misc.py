"""Plan diffs, due dates and council terms, development tracks, partners, plan compatibility."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pandas as pd
import pytest

from klimacore import certification, examples
from klimacore.errors import DataError, KlimacoreError, ProblemGroup, ValidationError
from klimacore.models import ClimateActionPlan, load_example_plan, plan_errors, plan_problems

# --- plan data compatibility -------------------------------------------------------------------


def test_old_plans_still_load_and_cctf_round_trips() -> None:
    old = load_example_plan()
    assert old.cctf is None
    doc = json.loads(old.model_dump_json())
    assert "cctf" in doc and doc["cctf"] is None
    del doc["cctf"]
    assert ClimateActionPlan.model_validate(doc) == old
    plan = examples.example_plan_cctf()
    assert ClimateActionPlan.model_validate_json(plan.model_dump_json()) == plan


def test_cctf_references_checked_together() -> None:
    doc = examples.example_plan_cctf().model_dump(mode="json")
    doc["cctf"]["actions"][0]["action_id"] = "NOPE"
    doc["cctf"]["equity_targets"][0]["indicators"] = ["nope"]
    problems = plan_problems(doc)
    assert problems == [
        "cctf.actions[0].action_id names unknown action ['NOPE']",
        "cctf.equity_targets[0].indicators names unknown indicators ['nope']",
    ]
    errors = plan_errors(doc)
    assert [(e.code, e.label, e.location) for e in errors] == [
        ("cctf.unknown_action", "NOPE", "cctf.actions[0].action_id"),
        ("cctf.unknown_indicator", "nope", "cctf.equity_targets[0].indicators"),
    ]


def test_cctf_field_errors_name_the_field() -> None:
    doc = examples.example_plan_cctf().model_dump(mode="json")
    doc["cctf"]["stakeholders"][0]["groups"] = ["everyone"]
    doc["cctf"]["partnerships"][0]["sectors"] = ["space"]
    problems = plan_problems(doc)
    assert any(p.startswith("cctf.stakeholders[0].groups[0]") for p in problems)
    assert any(p.startswith("cctf.partnerships[0].sectors[0]") and "space" in p for p in problems)


# --- due dates and council terms ---------------------------------------------------------------


@pytest.mark.parametrize(("year", "day"), [(2009, 17), (2013, 19), (2017, 21), (2021, 16),
                                           (2025, 18), (2029, 20)])
def test_election_dates(year: int, day: int) -> None:
    assert certification.election_date(year) == dt.date(year, 11, day)
    assert certification.election_date(year).weekday() == 1


def test_council_terms() -> None:
    assert certification.council_term_start(dt.date(2025, 11, 19)) == dt.date(2022, 1, 1)
    assert certification.council_term_start(dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)
    assert certification.next_election(dt.date(2025, 11, 18)) == dt.date(2025, 11, 18)
    assert certification.next_election(dt.date(2025, 11, 19)) == dt.date(2029, 11, 20)


def test_due_dates_missing_is_no_data() -> None:
    doc = load_example_plan().model_dump(mode="json")
    doc["adopted"] = None
    doc["adaptation"] = {"hazards": []}
    due = certification.due_dates(ClimateActionPlan.model_validate(doc),
                                  as_of=dt.date(2026, 1, 1))
    assert due.set_index("item")["status"].to_dict() == {
        "plan revision": "no data", "inventory": "stale", "risk assessment": "no data",
        "risk assessment data": "no data"}


def test_leap_day_adoption() -> None:
    doc = load_example_plan().model_dump(mode="json")
    doc["adopted"] = "2024-02-29"
    due = certification.due_dates(ClimateActionPlan.model_validate(doc),
                                  as_of=dt.date(2029, 2, 28))
    row = due.set_index("item").loc["plan revision"]
    assert row["due_by"] == dt.date(2029, 2, 28) and row["status"] == "due"


# --- diff --------------------------------------------------------------------------------------


def _versions() -> tuple[ClimateActionPlan, ClimateActionPlan]:
    new = examples.example_plan_cctf()
    doc = new.model_dump(mode="json")
    old: dict[str, Any] = copy.deepcopy(doc) | {"version": "1.0", "previous_version": None,
                                                "cctf": None}
    old["baseline_emissions"]["agriculture"] = 85000
    old["observed"]["emissions"]["agriculture"]["2019"] = 85000
    old["targets"] = [t for t in old["targets"] if t["target_year"] != 2025]
    old["targets"][0]["reduction_pct"] = 75  # 2030: old stricter → weakened
    old["actions"] = [a for a in old["actions"] if a["id"] != "T2"]
    old["actions"].append({"id": "X1", "title": "Old heat advice", "owner": "TM", "start": 2021,
                           "end": 2025, "sector": "energy", "expected_effect_t": 500,
                           "effect_year": 2025})
    old["actions"].append({"id": "X2", "title": "Biogas study", "owner": "TM", "start": 2021,
                           "end": 2025, "sector": "agriculture", "expected_effect_t": 700,
                           "effect_year": 2025})
    old["actions"].append({"id": "X3", "title": "Feed trial", "owner": "TM", "start": 2021,
                           "end": 2025, "sector": "agriculture", "expected_effect_t": 900,
                           "effect_year": 2025})
    _a = next(a for a in old["actions"] if a["id"] == "T1")
    _a["expected_effect_t"], _a["end"] = 12000, 2028
    new_doc = copy.deepcopy(doc)
    next(d for d in new_doc["cctf"]["actions"] if d["action_id"] == "A1")["replaces"] = [
        "X2", "X3"]
    return (ClimateActionPlan.model_validate(old), ClimateActionPlan.model_validate(new_doc))


def test_diff_classifies_changes() -> None:
    old, new = _versions()
    d = certification.diff(old, new)
    t = d.table()
    assert tuple(t.columns) == certification.DIFF_COLUMNS
    changes = {(r.entity, r.id, r.change) for r in t.itertuples()}
    assert ("target", "absolute target 2030", "weakened") in changes
    assert ("target", "absolute target 2025", "added") in changes
    assert ("action", "T2", "added") in changes
    assert ("action", "X1", "removed") in changes
    assert ("action", "A1", "merged") in changes
    assert ("action", "T1", "re-scoped") in changes
    assert ("action", "T1", "effect changed") in changes
    assert not any(c[1] in ("X2", "X3") and c[2] == "removed" for c in changes)
    base = t[(t.entity == "baseline") & (t.sector == "total")].iloc[0]
    assert (base.old, base.new, base.delta) == (195500.0, 191500.0, -4000.0)
    merged = t[(t.id == "A1")].iloc[0]
    assert (merged.old, merged.new) == (1600.0, 8000.0)
    text = d.summary()
    assert "1 weakened" in text and "baseline 2019 recalculated" in text and "-2.0 %" in text


def test_diff_base_year_change_compares_levels() -> None:
    new = load_example_plan()
    doc = new.model_dump(mode="json")
    old_doc = copy.deepcopy(doc) | {"version": "1.0", "previous_version": None}
    # old: −60 % vs 2019 in 2030 = 76,600 t; new: −70 % vs 1990 = 87,900 t → weaker
    old_doc["targets"][1] |= {"base_year": 2019, "reduction_pct": 60}
    d = certification.diff(ClimateActionPlan.model_validate(old_doc), new)
    row = next(r for r in d.rows if r["id"] == "absolute target 2030")
    assert row["change"] == "weakened" and row["unit"] == "t"
    assert row["old"] == pytest.approx(76600.0) and row["new"] == pytest.approx(87900.0)


def test_diff_of_identical_plans_has_no_changes() -> None:
    plan = examples.example_plan_cctf()
    d = certification.diff(plan, plan)
    assert {r["change"] for r in d.rows} == {"unchanged", "version chain broken"}


def test_diff_refuses_other_municipality() -> None:
    plan = load_example_plan()
    other = ClimateActionPlan.model_validate(plan.model_dump() | {"municipality": 101})
    with pytest.raises(ValidationError, match="different municipalities"):
        certification.diff(plan, other)


# --- development tracks ------------------------------------------------------------------------


def _proposal(**update: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": "DT-7", "round": "2024-autumn", "title": "Biochar from manure",
        "problem_statement": "Agriculture misses its 2030 share in three rural plans",
        "answers": [{"municipality": 727, "sector": "agriculture", "challenge": "manko 2030"}],
        "participants": [
            {"kind": "municipality", "code": 727, "name": "Odder", "role": "lead"},
            {"kind": "municipality", "code": 741, "name": "Samsø"},
            {"kind": "region", "code": 1082, "name": "Region Midtjylland"}],
        "elements": ["test", "demonstration"], "novelty_statement": "No Danish full-scale test",
        "budget_total_dkk": 3_000_000, "requested_dkk": 2_000_000,
        "cofinancing": [{"source": "Odder", "dkk": 1_000_000, "secured": True}],
        "start": "2025-01-01", "end": "2026-12-31", "submitted": "2024-10-01",
        "knowledge_sharing_plan": "Open report and two network meetings"}
    doc.update(update)
    return doc


def _statuses(doc: dict[str, Any], **kw: Any) -> dict[str, str]:
    p = certification.DevelopmentTrackProposal.model_validate(doc)
    return dict(certification.validate_proposal(p, **kw).set_index("rule")["status"])


def test_eligible_proposal() -> None:
    assert _statuses(_proposal()) == {
        "DT.participants_min3": "pass", "DT.development_element": "pass",
        "DT.not_known_solution": "needs review", "DT.problem_driven": "needs review",
        "DT.deadline": "pass", "DT.dates_order": "pass", "DT.budget": "pass",
        "DT.cofinancing": "pass", "DT.knowledge_sharing": "needs review", "DT.members": "pass"}


@pytest.mark.parametrize(("update", "rule", "status"), [
    ({"participants": [{"kind": "municipality", "code": 727, "name": "Odder", "role": "lead"},
                       {"kind": "municipality", "code": 411, "name": "Christiansø"},
                       {"kind": "company", "name": "Biochar ApS"}]},
     "DT.participants_min3", "fail"),
    ({"elements": []}, "DT.development_element", "fail"),
    ({"is_known_solution_rollout": True}, "DT.not_known_solution", "fail"),
    ({"answers": []}, "DT.problem_driven", "fail"),
    ({"submitted": "2024-10-08"}, "DT.deadline", "fail"),
    ({"submitted": None}, "DT.deadline", "no data"),
    ({"round": "2023-spring"}, "DT.deadline", "no data"),
    ({"requested_dkk": 2_500_000}, "DT.budget", "fail"),
    ({"cofinancing": None}, "DT.cofinancing", "no data"),
    ({"knowledge_sharing_plan": ""}, "DT.knowledge_sharing", "fail"),
    ({"participants": [{"kind": "company", "name": "Biochar ApS", "role": "lead"},
                       {"kind": "municipality", "code": 727, "name": "Odder"},
                       {"kind": "municipality", "code": 741, "name": "Samsø"},
                       {"kind": "region", "code": 1082, "name": "Region Midtjylland"}]},
     "DT.members", "fail"),
])
def test_ineligible_proposals(update: dict[str, Any], rule: str, status: str) -> None:
    assert _statuses(_proposal(**update))[rule] == status


def test_pool_and_round_order() -> None:
    assert _statuses(_proposal(), remaining_pool_dkk=1_000_000)["DT.budget"] == "fail"
    rounds = certification.funding_rounds()
    assert list(rounds) == ["2024-spring", "2024-autumn"]
    bad = rounds["2024-autumn"].model_copy(update={"approval_deadline": dt.date(2024, 12, 1)})
    assert _statuses(_proposal(), rounds={"2024-autumn": bad})["DT.dates_order"] == "fail"


def test_proposal_structure_errors_together() -> None:
    doc = _proposal(end="2024-01-01", requested_dkk=-5, participants=[
        {"kind": "municipality", "name": "Odder"}, {"kind": "region", "code": 1082, "name": "R"}])
    with pytest.raises(ProblemGroup) as err:
        certification.DevelopmentTrackProposal.model_validate(doc)
    text = str(err.value)
    assert "needs its code (Odder)" in text
    assert all(isinstance(e, KlimacoreError) and isinstance(e, ValueError)
               for e in err.value.exceptions)
    assert {(e.code, e.location, e.label) for e in err.value.exceptions} == {
        ("track.participant_code", "participants[0].code", "Odder"),
        ("track.amount", "requested_dkk", -5.0)}
    # the whole-proposal rules: each its own located item, raised together
    doc = _proposal(end="2024-01-01", start="2025-01-01", participants=[
        {"kind": "municipality", "code": 727, "name": "Odder"},
        {"kind": "region", "code": 1082, "name": "R"}])
    with pytest.raises(ProblemGroup) as err2:
        certification.DevelopmentTrackProposal(**doc)
    assert {(e.code, e.location) for e in err2.value.exceptions} == {
        ("track.dates", "end"), ("track.lead", "participants")}


def test_rounds_have_a_source() -> None:
    from klimacore.reference import datapackage

    res = next(r for r in datapackage()["resources"] if r["name"] == "development_track_rounds")
    assert res["sources"] and not res["illustrative"]
    for r in certification.funding_rounds().values():
        assert r.source and r.verification == "check"


# --- partners ----------------------------------------------------------------------------------


def test_suggest_partners_from_plan_panel() -> None:
    base = load_example_plan().model_dump(mode="json")
    plans = []
    for code, scale in ((727, 1.0), (741, 2.0), (101, 0.5)):
        doc = copy.deepcopy(base) | {"municipality": code}
        doc["action_scenario"]["emissions"]["agriculture"]["2030"] *= scale
        plans.append(ClimateActionPlan.model_validate(doc))
    panel = certification.challenge_panel(plans)
    assert tuple(panel.columns) == certification.PANEL_COLUMNS
    agri = panel[(panel.kind == "manko") & (panel.sector == "agriculture")]
    assert sorted(agri["municipality"]) == [727, 741]  # 101 at half is below its share
    s = certification.suggest_partners(certification.Challenge("manko", "agriculture", 727),
                                       panel)
    assert s["municipality"].tolist() == [741]
    assert bool(s["same_region"].iloc[0])


def test_suggest_partners_bad_panel() -> None:
    with pytest.raises(DataError, match="lacks columns"):
        certification.suggest_partners(certification.Challenge("manko", "energy"),
                                       pd.DataFrame({"municipality": [101]}))
    panel = pd.DataFrame({"municipality": [999], "sector": ["energy"], "kind": ["manko"]})
    with pytest.raises(DataError, match="999"):
        certification.suggest_partners(certification.Challenge("manko", "energy"), panel)


def test_sector_challenges_from_a_monitoring_panel() -> None:
    import numpy as np
    import xarray as xr

    from klimacore.errors import AlignmentError

    # a panel in the account's own sector labels, mapped onto the CCTF range sectors
    data = np.array([[[38000, 30000, 20000], [81000, 80000, 79500]],
                     [[10000, 9000, 8000], [20000, 17000, np.nan]]])
    e = xr.DataArray(data, dims=("municipality", "sector", "year"),
                     coords={"municipality": [727, 741], "sector": ["energi", "landbrug"],
                             "year": [2019, 2021, 2023]},
                     attrs={"units": "t", "gases": ("CO2", "CH4", "N2O")})
    rows = certification.sector_challenges(
        e, sector_map={"energi": "energy", "landbrug": "agriculture"})
    got = {(r["municipality"], r["sector"], r["year"]) for r in rows.to_dict("records")}
    # 741 energi 8,000 t in 2023 is above the path to −89 % by 2030 (6,764 t); 727 landbrug too;
    # 741 landbrug has no 2023 value: its latest year (2021) is on track
    assert got == {(741, "energi", 2023), (727, "landbrug", 2023)}
    assert set(rows["kind"]) == {"off track"}
    s = certification.suggest_partners(certification.Challenge("off track", "energi", 727), rows)
    assert s["municipality"].tolist() == [741]
    with pytest.raises(AlignmentError, match="dims"):
        certification.sector_challenges(e.isel(municipality=0))
