"""Report sections from monitoring rounds: M5-M7, N1, N3, N4, the figures F4, F5, N-F2, the
bundled illustrative round of the example plan and the CLI's --round / --db."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore.examples import example_round
from klimacore.models import load_example_plan
from klimacore.monitoring import (
    ACTION_STATUS,
    INDICATOR_STATUS,
    ActionUpdate,
    RoundData,
    indicator_status,
    indicator_targets,
    national_rollup,
)
from klimacore.report import build_reports, report_schema

EXCERPT = Path(__file__).resolve().parent / "data" / "report_eco2_excerpt.csv"
AS_OF = dt.date(2026, 3, 15)


@pytest.fixture(scope="module")
def panel() -> Any:
    from klimacore._report_cli import panel_from_account

    return panel_from_account(EXCERPT, vintage="2026-05-18")


@pytest.fixture(scope="module")
def reports(panel: Any) -> dict[str, Any]:
    return build_reports(panel, as_of=AS_OF, plans={727: load_example_plan()},
                         rounds=[example_round()])


def _sections(report: Any) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in report.content["sections"]}


def _rows(section: dict[str, Any], tid: str) -> list[dict[str, Any]]:
    tab = next(t for t in section["tables"] if t["id"] == tid)
    keys = [c["key"] for c in tab["columns"]]
    return [dict(zip(keys, r, strict=True)) for r in tab["rows"]]


# --- the bundled round ---------------------------------------------------------------------


def test_the_bundled_round_is_labelled_illustrative() -> None:
    from klimacore.reference import datapackage

    res = next(r for r in datapackage()["resources"] if r["name"] == "example_round_727")
    assert res["illustrative"] is True and res["sources"] == []
    assert "ILLUSTRATIVE" in res["title"]
    rd = example_round()
    assert rd.illustrative and "ILLUSTRATIVE" in rd.note
    plan_ids = {a.id for a in load_example_plan().actions}
    # every action of the example plan is monitored in the round (plus two adaptation actions)
    assert plan_ids <= {a.id for a in rd.actions}
    assert {a.id for a in rd.actions} - plan_ids == {"AD1", "AD2"}
    assert {i.id for i in rd.indicators} == {i.id for i in load_example_plan().indicators}
    assert len({o.year for o in rd.observations}) >= 3 and len(rd.events) == 3


def test_round_data_names_what_does_not_fit() -> None:
    rd = example_round()
    stray = ActionUpdate(action_id="ZZ", municipality=727, year=2025, phase="planning",
                         date=dt.date(2026, 2, 1), reporter="x")
    other = ActionUpdate(action_id="E1", municipality=751, year=2025, phase="planning",
                         date=dt.date(2026, 2, 1), reporter="x")
    with pytest.raises(ValueError, match="unknown action 'ZZ'") as info:
        RoundData(round=rd.round, actions=rd.actions, updates=[stray, other])
    assert "is for 751/2025, not 727/2025" in str(info.value)
    twice = [*rd.updates, rd.updates[0]]
    with pytest.raises(ValueError, match="updated twice"):
        RoundData(round=rd.round, actions=rd.actions, updates=twice)


# --- M5 action implementation --------------------------------------------------------------

EXPECTED_STATUS = {
    "E1": ("on time", None), "E2": ("late", "milestone overdue"),
    "T1": ("late", "progress indicator off track"), "T2": ("late", "not started by start year"),
    "L1": ("postponed", None), "A1": ("on time", None), "AD1": ("completed", None),
    "AD2": ("not started", None)}


def test_m5_status_comes_from_the_round_by_the_monitoring_rules(reports: dict[str, Any]) -> None:
    m5 = _sections(reports["0727"])["M5"]
    assert m5["available"] and m5["illustrative"]
    got = {r["action"]: (r["status"], r["reason"]) for r in _rows(m5, "M5_actions")}
    assert got == EXPECTED_STATUS
    detail = {r["action"]: r["reason_detail"] for r in _rows(m5, "M5_actions")}
    assert detail["E2"] == "Large heat pump in operation" and detail["T1"] == "ev-share"
    # the plan declares E2 'ongoing' and L1 'delayed': the report does not show those
    declared = {a.id: a.status for a in load_example_plan().actions}
    assert declared["E2"] == "ongoing" and got["E2"][0] == "late"
    assert "plan_declared" not in [n["key"] for n in m5["notes"]]
    per = {r["status"]: (r["n"], r["expected_effect"]) for r in _rows(m5, "M5_status")}
    assert per["late"] == (3, 12000.0 + 15000.0 + 2000.0)
    assert sum(n for n, _ in per.values()) == 8
    # F4 draws exactly the per-status table
    fig = m5["figures"][0]
    assert fig["kind"] == "status_bars"
    assert fig["data"]["bars"] == [list(r.values()) for r in _rows(m5, "M5_status")]
    summary = _rows(m5, "M5_summary")[0]
    assert summary["n_actions"] == 8 and summary["n_active"] == 6
    assert summary["share_late"] == pytest.approx(100 * 3 / 6)
    assert summary["share_reported"] == pytest.approx(100 * 5 / 6)  # AD2 never reported


def test_m5_status_moves_with_the_report_date(panel: Any) -> None:
    early = build_reports(panel, as_of=dt.date(2025, 6, 1), plans={727: load_example_plan()},
                          rounds={727: example_round()})
    got = {r["action"]: r["status"]
           for r in _rows(_sections(early["0727"])["M5"], "M5_actions")}
    # before its milestone is due E2 is on time; T2 is late already (start 2024 passed)
    assert got["E2"] == "on time" and got["T2"] == "late"


# --- M6 indicators -------------------------------------------------------------------------


def test_m6_equals_the_monitoring_indicator_status(reports: dict[str, Any]) -> None:
    m6 = _sections(reports["0727"])["M6"]
    rows = {r["indicator"]: r for r in _rows(m6, "M6")}
    plan = load_example_plan()
    t = indicator_targets(plan.indicators)
    rd = example_round()
    ids = list(t["indicator"].to_numpy())
    years = sorted({o.year for o in rd.observations})
    obs = np.full((len(ids), len(years)), np.nan)
    for o in rd.observations:
        obs[ids.index(o.indicator_id), years.index(o.year)] = o.value
    res = indicator_status(
        baseline_year=t["baseline_year"], baseline_value=t["baseline_value"],
        target_year=t["target_year"], target_value=t["target_value"], direction=t["direction"],
        observations=xr.DataArray(obs, dims=("indicator", "year"),
                                  coords={"indicator": ids, "year": years}),
        as_of_year=AS_OF.year)
    for k, i in enumerate(ids):
        assert rows[i]["status"] == INDICATOR_STATUS[int(res["status"][k])]
        assert rows[i]["gap"] == pytest.approx(float(res["gap"][k]))
        assert rows[i]["expected"] == pytest.approx(float(res["expected"][k]))
    assert rows["ev-share"]["status"] == "off track"
    assert rows["heat-pumps"]["status"] == "at risk"
    cells = m6["figures"][0]["data"]["cells"]
    assert sorted((c[2], c[3]) for c in cells) == sorted((r["name"], r["status"])
                                                         for r in rows.values())


def test_m6_without_the_plan_has_no_status_and_says_why(panel: Any) -> None:
    reps = build_reports(panel, as_of=AS_OF, rounds={727: example_round()})
    m6 = _sections(reps["0727"])["M6"]
    assert {r["status"] for r in _rows(m6, "M6")} == {"no data"}
    assert "indicator_no_plan" in [n["key"] for n in m6["notes"]]
    # no plan: M4 says so, M5 still from the round
    secs = _sections(reps["0727"])
    assert not secs["M4"]["available"] and secs["M5"]["available"]


# --- M7 adaptation and events --------------------------------------------------------------


def test_m7_counts_events_and_keeps_unknown_damage_unknown(reports: dict[str, Any]) -> None:
    m7 = _sections(reports["0727"])["M7"]
    by_h = {r["hazard"]: r for r in _rows(m7, "M7")}
    assert by_h["cloudburst"]["damage_dkk"] == 1_800_000.0
    assert by_h["groundwater"]["damage_dkk"] is None  # unknown, not 0
    assert by_h["groundwater"]["n_damage_unknown"] == 1
    assert sum(r["n_events"] for r in by_h.values()) == 3
    assert {r["status"]: r["n"] for r in _rows(m7, "M7_actions")} == {"completed": 1,
                                                                       "not started": 1}


def test_other_municipalities_never_borrow_the_round(reports: dict[str, Any]) -> None:
    for key in ("0101", "0147", "0751"):
        secs = _sections(reports[key])
        for sid in ("M5", "M6", "M7"):
            assert not secs[sid]["available"] and not secs[sid]["illustrative"]
            assert [n["key"] for n in secs[sid]["notes"]] == ["no_round"]
        assert "Odder" not in reports[key].to_html()


def test_a_round_must_be_keyed_by_its_own_municipality(panel: Any) -> None:
    with pytest.raises(ValueError, match="keyed by their own municipality"):
        build_reports(panel, as_of=AS_OF, rounds={751: example_round()})
    with pytest.raises(ValueError, match="two monitoring rounds"):
        build_reports(panel, as_of=AS_OF, rounds=[example_round(), example_round()])


# --- N1, N3, N4, N-F2 ----------------------------------------------------------------------


def test_n1_is_national_rollup_over_the_plans_given(reports: dict[str, Any]) -> None:
    n1 = _sections(reports["DK"])["N1"]
    row = _rows(n1, "N1")[0]
    plan = load_example_plan()
    e90 = sum(v[1990] for v in plan.observed.emissions.values())  # type: ignore[union-attr]
    one = lambda v: xr.DataArray([v], dims="municipality", coords={"municipality": [727]})  # noqa: E731
    ref = national_rollup(one(e90), one(87900.0), one(94320.0))
    assert row["sum_1990"] == e90 == 293000
    assert row["reduction_target"] == pytest.approx(float(ref["reduction_target_pct"]))
    assert row["reduction_action"] == pytest.approx(float(ref["reduction_action_pct"]))
    assert row["manko_t"] == pytest.approx(float(ref["manko_t"]))
    assert (row["target_over_fulfils"], row["action_over_fulfils"]) == ("yes", "no")
    assert row["n_plans"] == 1 and row["n_members"] == 4
    cover = next(n for n in n1["notes"] if n["key"] == "n1_cover")
    assert cover["values"]["all"] == 98 and cover["values"]["n"] == 1
    assert n1["illustrative"]
    # the capital region has no plan given: it says so
    assert not _sections(reports["1084"])["N1"]["available"]


def test_n3_and_n4_sum_the_members_rounds(reports: dict[str, Any]) -> None:
    dk = _sections(reports["DK"])
    m5 = _sections(reports["0727"])["M5"]
    assert _rows(dk["N3"], "N3") == _rows(m5, "M5")  # one round: the sums are its own
    n4 = {r["indicator"]: r for r in _rows(dk["N4"], "N4")}
    assert set(n4) == {"heat-pumps", "dh-fossil-share", "ev-share", "chargers"}  # transition
    assert n4["chargers"]["latest_sum"] == 215.0 and n4["chargers"]["target_2030_sum"] == 400.0
    assert n4["ev-share"]["latest_sum"] is None  # shares are never summed
    cap = _sections(reports["1084"])
    assert not cap["N3"]["available"] and not cap["N4"]["available"]


def test_nf2_tiles_are_the_first_references_verdicts(reports: dict[str, Any]) -> None:
    n2 = _sections(reports["DK"])["N2"]
    tiles = _rows(n2, "NF2")
    verdicts = {k: reports[k].verdicts().iloc[0]["verdict"] for k in ("0101", "0147", "0727",
                                                                       "0751")}
    assert {t["municipality"]: t["verdict"] for t in tiles} == verdicts
    html = reports["DK"].to_html("en")
    assert "tile grid, not a map" in html.lower() or "Tile grid, not a map" in html
    svg = re.search(r'<svg[^>]*id="n2-nf2".*?</svg>', html, flags=re.S)
    assert svg is not None and svg.group(0).count("<g>") == 4


def test_json_validates_and_output_is_byte_identical(panel: Any,
                                                     reports: dict[str, Any]) -> None:
    import jsonschema

    for key in ("0727", "1082", "DK"):
        jsonschema.validate(json.loads(reports[key].to_json()), report_schema())
    again = build_reports(panel, as_of=AS_OF, plans={727: load_example_plan()},
                          rounds=[example_round()])
    for key in ("0727", "DK"):
        for lang in ("da", "en"):
            assert again[key].to_html(lang) == reports[key].to_html(lang)
            assert again[key].to_markdown(lang) == reports[key].to_markdown(lang)
        assert again[key].to_json() == reports[key].to_json()


def test_every_new_label_is_translated(reports: dict[str, Any]) -> None:
    da, en = reports["0727"].to_html("da"), reports["0727"].to_html("en")
    assert "Gennemførelse af handlinger" in da and "forsinket" in da and "skybrud" in da
    assert "Action implementation" in en and "late" in en and "cloudburst" in en
    for page in (da, en):
        assert "round_note" not in page and "action_rules" not in page


# --- properties ----------------------------------------------------------------------------

PHASES = ("not_started", "planning", "implementation", "completed")
STATES = ("active", "postponed", "cancelled", "out_of_scope")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PHASES), st.sampled_from(STATES), st.booleans()),
                min_size=8, max_size=8),
       st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2036, 1, 1)))
def test_counts_add_up_whatever_is_reported(panel: Any, reported: list[tuple[str, str, bool]],
                                            as_of: dt.date) -> None:
    rd = example_round()
    by_id = {a.id: a for a in rd.actions}
    updates = [ActionUpdate(action_id=a_id, municipality=727, year=2025, phase=ph, state=s,
                            date=dt.date(2026, 2, 1), reporter="x")
               for a_id, (ph, s, keep) in zip(by_id, reported, strict=True) if keep]
    rd2 = RoundData(round=rd.round, actions=rd.actions, updates=updates)
    rep = build_reports(panel, as_of=as_of, rounds={727: rd2})["0727"]
    m5 = _sections(rep)["M5"]
    per = _rows(m5, "M5_status")
    assert sum(r["n"] for r in per) == 8
    assert {r["status"] for r in per} <= set(ACTION_STATUS)
    for r in _rows(m5, "M5_actions"):
        u = next((u for u in updates if u.action_id == r["action"]), None)
        if u is not None and u.phase == "completed":
            assert r["status"] == "completed"
        elif u is not None and u.state == "cancelled":
            assert r["status"] == "cancelled"
        assert (r["freshness"] == "never reported") == (u is None)
    for v in _rows(m5, "M5_summary")[0].values():
        assert v is None or v >= 0


# --- CLI ------------------------------------------------------------------------------------


def _cli(*args: str) -> int:
    from klimacore.cli import main

    return main(list(args))


def test_cli_round_example_and_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "a"
    assert _cli("report", "--data", str(EXCERPT), "--out", str(out), "--as-of", "2026-03-15",
                "--vintage", "2026-05-18", "--format", "json", "--plan", "example",
                "--round", "example") == 0
    assert "monitoring rounds for 1 municipality" in capsys.readouterr().out
    content = json.loads((out / "0727.json").read_text(encoding="utf-8"))
    m5 = next(s for s in content["sections"] if s["id"] == "M5")
    assert m5["illustrative"] and m5["tables"][0]["id"] == "M5_summary"
    # the same round from a file gives the same bytes
    f = tmp_path / "round.json"
    f.write_text(example_round().model_dump_json(), encoding="utf-8")
    out2 = tmp_path / "b"
    assert _cli("report", "--data", str(EXCERPT), "--out", str(out2), "--as-of", "2026-03-15",
                "--vintage", "2026-05-18", "--format", "json", "--plan", "example",
                "--round", str(f)) == 0
    assert (out2 / "0727.json").read_bytes() == (out / "0727.json").read_bytes()
    # the bundled plan brings its own round
    out3 = tmp_path / "c"
    assert _cli("report", "--data", str(EXCERPT), "--out", str(out3), "--as-of", "2026-03-15",
                "--vintage", "2026-05-18", "--format", "json", "--plan", "example") == 0
    assert (out3 / "0727.json").read_bytes() == (out / "0727.json").read_bytes()


def test_cli_bad_rounds(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["report", "--data", str(EXCERPT), "--out", str(tmp_path / "o"), "--format", "json"]
    assert _cli(*base, "--round", str(tmp_path / "missing.json")) == 2
    assert "cannot read" in capsys.readouterr().err
    bad = json.loads(example_round().model_dump_json())
    bad["updates"][0]["phase"] = "finished"
    f = tmp_path / "bad.json"
    f.write_text(json.dumps(bad), encoding="utf-8")
    assert _cli(*base, "--round", str(f)) == 1
    err = capsys.readouterr().err
    assert "updates[0].phase" in err and "bad.json: 1 problem(s)" in err
    assert "Traceback" not in err
    assert _cli(*base, "--round", "example", "--round", "example") == 2
    assert "more than one monitoring round" in capsys.readouterr().err


def test_cli_reads_rounds_from_a_store(tmp_path: Path) -> None:
    pytest.importorskip("sqlalchemy")
    from klimacore.monitoring import MonitoringStore

    db = tmp_path / "m.db"
    store = MonitoringStore(f"sqlite:///{db}")
    ex = example_round()
    r = store.open_round(727, 2025, who="a", on=dt.date(2026, 1, 15))
    r = store.write_actions(r, ex.actions, who="a")
    r = store.write_updates(r, ex.updates, who="a")
    r = store.write_observations(r, ex.observations, who="a")
    store.write_events(r, ex.events, who="a")
    store.open_round(751, 2025, who="a", on=dt.date(2026, 1, 15))  # empty: not a round to show
    out = tmp_path / "o"
    assert _cli("report", "--data", str(EXCERPT), "--out", str(out), "--as-of", "2026-03-15",
                "--format", "json", "--plan", str(_plan_file(tmp_path)), "--db", str(db)) == 0
    content = json.loads((out / "0727.json").read_text(encoding="utf-8"))
    m5 = next(s for s in content["sections"] if s["id"] == "M5")
    rows = {r[0]: r[6] for r in next(t for t in m5["tables"] if t["id"] == "M5_actions")["rows"]}
    # the store keeps no links, so T1 is not late by its indicator; the rest as from the file
    assert rows == {k: v[0] for k, v in EXPECTED_STATUS.items()} | {"T1": "on time"}
    other = json.loads((out / "0751.json").read_text(encoding="utf-8"))
    assert not next(s for s in other["sections"] if s["id"] == "M5")["available"]


def _plan_file(tmp_path: Path) -> Path:
    """The example plan under another file name: not the bundled one by name, but equal to it,
    so it brings the bundled round unless the store gives one (the store's wins)."""
    f = tmp_path / "plan.json"
    f.write_text(load_example_plan().model_dump_json(), encoding="utf-8")
    return f
