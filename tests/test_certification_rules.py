"""Every rule of cctf-dk-1.0: a plan that passes it and one that fails it.

Partly machine-checkable rules (P) never pass: their clean result is ``needs review``. Rules
that need a person (H) return ``needs review`` in both cases; the failing plan shows up in
``missing``.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from klimacore import certification, examples
from klimacore.models import ClimateActionPlan

AS_OF = dt.date(2026, 11, 22)
Doc = dict[str, Any]


@pytest.fixture(scope="module")
def base_doc() -> Doc:
    return examples.example_plan_cctf().model_dump(mode="json")


def _find(items: list[dict[str, Any]], key: str, value: object) -> dict[str, Any]:
    return next(x for x in items if x[key] == value)


def result(doc: Doc, rule: str, previous: Doc | None = None) -> dict[str, Any]:
    plan = ClimateActionPlan.model_validate(doc)
    prev = ClimateActionPlan.model_validate(previous) if previous is not None else None
    table = certification.certify(plan, as_of=AS_OF, previous=prev)
    rows = table[table["rule"] == rule].to_dict("records")
    assert len(rows) == 1, rule
    return rows[0]


# --- mutations ----------------------------------------------------------------------------


def same(d: Doc) -> None:
    pass


def set_path(*path: Any, value: Any) -> Callable[[Doc], None]:
    def apply(d: Doc) -> None:
        node = d
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value

    return apply


def inventory_year(year: int) -> Callable[[Doc], None]:
    def apply(d: Doc) -> None:
        d["inventory"]["year"] = year

    return apply


def drop_bau_2050(d: Doc) -> None:
    del d["bau"]["emissions"]["energy"]["2050"]


def report_all_actions(d: Doc) -> None:
    d["cctf"]["action_reports"].append({"action_id": "A1", "date": "2026-10-01"})


def drop_power_group(d: Doc) -> None:
    d["cctf"]["stakeholders"] = [s for s in d["cctf"]["stakeholders"]
                                 if "power_and_influence" not in s["groups"]]


def drop_waste_partnership(d: Doc) -> None:
    d["cctf"]["partnerships"] = [p for p in d["cctf"]["partnerships"] if "waste" not in p["sectors"]]


def one_consumption_category(d: Doc) -> None:
    d["cctf"]["consumption_categories"] = d["cctf"]["consumption_categories"][:1]


def no_long_adaptation_target(d: Doc) -> None:
    d["cctf"]["adaptation_targets"] = [t for t in d["cctf"]["adaptation_targets"]
                                       if t["horizon"] != "long"]


def net_zero_year(year: int) -> Callable[[Doc], None]:
    def apply(d: Doc) -> None:
        _find(d["targets"], "kind", "net_zero")["target_year"] = year

    return apply


def drop_targets(*years: int) -> Callable[[Doc], None]:
    def apply(d: Doc) -> None:
        d["targets"] = [t for t in d["targets"]
                        if not (t["kind"] == "absolute" and t["target_year"] in years)]

    return apply


def co2_only_target(d: Doc) -> None:
    d["targets"][0]["gases"] = ["CO2"]


def scenario_2030_in_ranges(d: Doc) -> None:
    s = d["action_scenario"]["emissions"]
    s["energy"]["2030"], s["waste"]["2030"], s["industry"]["2030"] = -1000.0, 800.0, 1700.0


def transport_target(pct: float) -> Callable[[Doc], None]:
    def apply(d: Doc) -> None:
        _find(d["targets"], "kind", "sector")["reduction_pct"] = pct

    return apply


def targets_met(d: Doc) -> None:
    for t in d["targets"]:
        if t["kind"] == "absolute":
            t["reduction_pct"] = {2025: 50, 2030: 60, 2035: 70, 2040: 80}[t["target_year"]]
    d["action_scenario"]["emissions"]["land_use"]["2050"] = -32270.0


def equity_target_without_indicator(d: Doc) -> None:
    d["cctf"]["equity_targets"][0]["indicators"] = []


def complete_waste_strategy(d: Doc) -> None:
    s = _find(d["cctf"]["sector_strategies"], "sector", "waste")
    s["smart_target"], s["indicators"] = True, ["heat-pumps"]


def describe_actions(d: Doc) -> None:
    for a in d["actions"]:
        a["description"] = f"What {a['id']} does"


def effects_match_scenarios(d: Doc) -> None:
    effects = {"E2": 15880, "T1": 19230, "L1": 5650, "A1": 29340}
    for a in d["actions"]:
        a["expected_effect_t"] = effects.get(a["id"], a["expected_effect_t"])
    for aid, sector, t in (("I1", "industry", 1280), ("W1", "waste", 1290)):
        d["actions"].append({"id": aid, "title": f"{sector} action", "owner": "Teknik og Miljø",
                             "start": 2025, "end": 2030, "sector": sector,
                             "expected_effect_t": t, "effect_year": 2030})


def action_details(aid: str, **values: Any) -> Callable[[Doc], None]:
    def apply(d: Doc) -> None:
        _find(d["cctf"]["actions"], "action_id", aid).update(values)

    return apply


def impact_indicator(d: Doc) -> None:
    d["indicators"].append({"id": "ghg-total", "name": "Territorial GHG emissions",
                            "level": "impact", "unit": "t", "direction": "decrease",
                            "baseline_year": 2019, "baseline_value": 191500,
                            "targets": {"2030": 87900}, "source": "Energi- og CO2-regnskabet"})


def chain_sectors_with_indicators(d: Doc) -> None:
    d["cctf"]["sector_strategies"] = [s for s in d["cctf"]["sector_strategies"]
                                      if s["sector"] in ("energy", "transport", "land_use")]


def full_indicator_metadata(d: Doc) -> None:
    details = []
    for ind in d["indicators"]:
        ind["source"] = "Danmarks Statistik"
        details.append({"indicator_id": ind["id"], "category": "transition", "cadence": "annual",
                        "direct": True, "aggregated": False, "quantitative": True,
                        "bottom_up": True})
    d["cctf"]["indicators"] = details


def old_report(d: Doc) -> None:
    d["cctf"]["public_reports"] = [{"date": "2024-06-01"}]


# rule, pass mutation, expected clean status, fail mutation, expected failing status
CASES: list[tuple[str, Callable[[Doc], None], str, Callable[[Doc], None], str]] = [
    ("REV.plan_age", same, "pass", set_path("adopted", value="2021-06-01"), "fail"),
    ("REV.inventory_age", inventory_year(2024), "pass", same, "fail"),
    ("REV.inventory_frequency", same, "pass",
     set_path("cctf", "inventory_years", value=[2010, 2019]), "fail"),
    ("REV.risk_age", same, "pass",
     set_path("adaptation", value={"hazards": ["cloudburst"], "risk_assessment_date": "2020-03-01",
                                   "risk_assessment_data_year": 2018}), "fail"),
    ("REV.risk_data_age", same, "pass",
     set_path("adaptation", "risk_assessment_data_year", value=2010), "fail"),
    ("REV.scenarios_to_2050", same, "pass", drop_bau_2050, "fail"),
    ("REV.annual_public_report", same, "pass", old_report, "fail"),
    ("REV.annual_action_reporting", report_all_actions, "pass", same, "fail"),
    ("REV.election_timing", same, "needs review", set_path("adopted", value=None),
     "needs review"),
    ("K1.commitment", same, "needs review",
     set_path("cctf", "commitment", "date", value="2025-06-01"), "fail"),
    ("K2.mainstreaming", same, "needs review", set_path("cctf", "governance", value=None),
     "needs review"),
    ("K3.stakeholders", same, "needs review", drop_power_group, "fail"),
    ("K4.partnerships", same, "needs review", drop_waste_partnership, "fail"),
    ("K5.risk_assessment", same, "needs review",
     set_path("cctf", "risk_future_scenarios", value=[]), "fail"),
    ("K6.inventory", same, "pass", set_path("inventory", "gases", value=["CO2"]), "fail"),
    ("K6.consumption", same, "pass", one_consumption_category, "fail"),
    ("K7.equity_data", same, "needs review", set_path("cctf", "equity_data", value=None),
     "needs review"),
    ("K8.adaptation_targets", same, "needs review", no_long_adaptation_target, "fail"),
    ("K9.net_zero_by_2050", same, "pass", net_zero_year(2055), "fail"),
    ("K9.first_target_by_2030", same, "pass", drop_targets(2025, 2030), "fail"),
    ("K9.interim_targets", same, "pass", drop_targets(2025, 2035, 2040), "fail"),
    ("K9.gas_basket", same, "pass", co2_only_target, "fail"),
    ("K9.sector_ranges", scenario_2030_in_ranges, "pass", transport_target(20), "fail"),
    ("K9.manko", targets_met, "pass", same, "fail"),
    ("K10.equity_targets", same, "needs review", equity_target_without_indicator, "fail"),
    ("K11.sector_strategies", complete_waste_strategy, "needs review", same, "fail"),
    ("K12.action_fields", describe_actions, "pass", same, "fail"),
    ("K12.reductions_linked", effects_match_scenarios, "pass", same, "fail"),
    ("K13.fossil_roles", same, "needs review", action_details("E2", roles_justification=""),
     "fail"),
    ("K13.no_new_fossil", same, "needs review", action_details("E2", adds_fossil_supply=True),
     "fail"),
    ("K13.coal_2030", same, "needs review",
     set_path("cctf", "coal_plants", value=[{"name": "Old CHP", "closure_year": 2032}]), "fail"),
    ("K14.prioritized_detail", same, "pass", action_details("E1", cost_dkk=None), "fail"),
    ("K15.levels", impact_indicator, "pass", same, "fail"),
    ("K15.chain", chain_sectors_with_indicators, "pass", same, "fail"),
    ("K15.metadata", full_indicator_metadata, "pass", same, "fail"),
    ("K16.public", same, "pass", old_report, "fail"),
]


def test_every_rule_has_a_case() -> None:
    rules = certification.get_ruleset().table()["id"].tolist()
    covered = {c[0] for c in CASES} | {"K9.no_backsliding"}  # tested below with two versions
    assert sorted(covered) == sorted(rules)


@pytest.mark.parametrize(("rule", "good", "clean", "bad", "failing"), CASES,
                         ids=[c[0] for c in CASES])
def test_rule_passes_and_fails(base_doc: Doc, rule: str, good: Callable[[Doc], None],
                               clean: str, bad: Callable[[Doc], None], failing: str) -> None:
    ok_doc, bad_doc = copy.deepcopy(base_doc), copy.deepcopy(base_doc)
    good(ok_doc)
    bad(bad_doc)
    ok, ko = result(ok_doc, rule), result(bad_doc, rule)
    assert ok["status"] == clean, ok["message"]
    assert ko["status"] == failing, ko["message"]
    assert ko["message"]
    if clean == "needs review":
        assert ok["needs_review"] and ok["evidence"], "a reviewer needs evidence"
    if failing == "needs review":  # human rules: evidence in both, the failing plan's gaps
        assert ko["needs_review"] and ko["evidence"] and ko["missing"] and not ok["missing"]
    if failing == "fail":
        assert ko["severity"] in ("error", "warning")


def test_no_backsliding_reads_the_diff(base_doc: Doc) -> None:
    assert result(base_doc, "K9.no_backsliding")["status"] == "not applicable"
    old = copy.deepcopy(base_doc) | {"version": "1.0", "previous_version": None}
    assert result(base_doc, "K9.no_backsliding", previous=old)["status"] == "pass"
    stricter_old = copy.deepcopy(old)
    _find(stricter_old["targets"], "target_year", 2030)["reduction_pct"] = 75
    row = result(base_doc, "K9.no_backsliding", previous=stricter_old)
    assert (row["status"], row["severity"]) == ("fail", "error")
    assert "absolute target 2030: −70 % vs 1990 (was −75 %)" in row["message"]


def test_no_data_without_cctf_and_blocking() -> None:
    from klimacore.models import load_example_plan

    table = certification.certify(load_example_plan(), as_of=AS_OF)
    nodata = table[table["status"] == "no data"]
    assert (nodata["missing"] != "").all()
    blocking = certification.blocking(table)
    assert set(blocking["severity"]) == {"error"}
    assert "K1.commitment" in set(blocking["rule"])


def test_test_vectors_of_monitoring_md(base_doc: Doc) -> None:
    d = copy.deepcopy(base_doc)
    d["adopted"] = "2021-06-01"
    d["inventory"]["year"] = 2023
    d["adaptation"] = {"hazards": ["cloudburst"], "risk_assessment_date": "2020-03-01",
                       "risk_assessment_data_year": 2018}
    due = certification.due_dates(ClimateActionPlan.model_validate(d), as_of=AS_OF)
    due = due.set_index("item")
    assert due.loc["plan revision", "age_years"] == pytest.approx(5.48, abs=0.005)
    assert due.loc["plan revision", "status"] == "stale"
    assert due.loc["inventory", "status"] == "due"
    assert due.loc["risk assessment", "age_years"] == pytest.approx(6.73, abs=0.005)
    assert result(d, "REV.plan_age")["severity"] == "error"
    inv = result(d, "REV.inventory_age")
    assert (inv["status"], inv["severity"]) == ("fail", "warning")
    assert result(d, "REV.risk_age")["severity"] == "error"


def test_plan_age_warning_from_four_years(base_doc: Doc) -> None:
    d = copy.deepcopy(base_doc)
    d["adopted"] = "2022-06-01"
    row = result(d, "REV.plan_age")
    assert (row["status"], row["severity"]) == ("fail", "warning")


def test_result_columns_and_one_row_per_rule() -> None:
    table = certification.certify(examples.example_plan_cctf(), as_of=AS_OF)
    assert tuple(table.columns) == certification.CERT_COLUMNS
    assert table["rule"].is_unique and len(table) == 37
    assert set(table["status"]) <= set(certification.STATUSES)
    assert not ((table["status"] == "pass") & (table["severity"] != "info")).any()
    partly = certification.get_ruleset().table().set_index("id")["kind"]
    human = table[table["rule"].map(partly) == "H"]
    assert (human["status"] == "needs review").all()
    assert not (table[table["rule"].map(partly) != "M"]["status"] == "pass").any()


def test_bad_arguments_are_reported_together() -> None:
    from klimacore.errors import MissingLabelError, ValidationError

    with pytest.raises(ValidationError) as err:
        certification.certify(examples.example_plan_cctf(), as_of="2026-01-01",  # type: ignore[arg-type]
                              engine="slow")
    assert len(err.value.problems) == 2
    with pytest.raises(MissingLabelError, match="cctf-dk-9"):
        certification.certify(examples.example_plan_cctf(), as_of=AS_OF, rules="cctf-dk-9")
