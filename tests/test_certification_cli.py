"""``klimacore certify`` and ``klimacore track validate``: outputs, exit codes, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from klimacore import certification, examples
from klimacore.cli import main


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(examples.example_plan_cctf().model_dump_json(), encoding="utf-8")
    return path


def _good_plan(tmp_path: Path) -> Path:
    """A plan with no blocking finding (fixes what the example lacks)."""
    doc: dict[str, Any] = examples.example_plan_cctf().model_dump(mode="json")
    doc["inventory"]["year"] = 2024
    for a in doc["actions"]:
        a["description"] = f"What {a['id']} does"
    waste = next(s for s in doc["cctf"]["sector_strategies"] if s["sector"] == "waste")
    waste["smart_target"], waste["indicators"] = True, ["heat-pumps"]
    doc["indicators"].append({"id": "ghg", "name": "GHG emissions", "level": "impact",
                              "unit": "t", "direction": "decrease"})
    path = tmp_path / "good.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_certify_markdown_and_exit_1(plan_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["certify", str(plan_file), "--as-of", "2026-11-22"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("# Certification report: plan 727 v2.0")
    assert "**Not certifiable**: REV.inventory_age, K11.sector_strategies" in out
    assert "| K1.commitment | K1 | needs review | error |" in out
    assert "## Evidence and what is missing" in out


def test_certify_clean_plan_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["certify", str(_good_plan(tmp_path)), "--as-of", "2026-11-22"]) == 0
    assert "**No blocking finding**" in capsys.readouterr().out


def test_certify_json_and_out_files(plan_file: Path, tmp_path: Path,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    md = tmp_path / "report.md"
    assert main(["certify", str(plan_file), "--as-of", "2026-11-22", "--format", "json",
                 "--out", str(md)]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["certifiable"] is False and len(doc["rules"]) == 37
    assert {r["rule"] for r in doc["rules"]} == set(certification.get_ruleset().table()["id"])
    assert next(d["item"] for d in doc["due_dates"]) == "plan revision"
    assert md.read_text(encoding="utf-8").startswith("# Certification report")
    out_json = tmp_path / "report.json"
    main(["certify", str(plan_file), "--as-of", "2026-11-22", "--out", str(out_json)])
    assert json.loads(out_json.read_text(encoding="utf-8"))["as_of"] == "2026-11-22"


def test_certify_with_previous_shows_diff(plan_file: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    doc = json.loads(plan_file.read_text(encoding="utf-8"))
    doc |= {"version": "1.0", "previous_version": None, "cctf": None}
    doc["targets"][1]["reduction_pct"] = 75
    old = tmp_path / "old.json"
    old.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["certify", str(plan_file), "--previous", str(old), "--as-of",
                 "2026-11-22"]) == 1
    out = capsys.readouterr().out
    assert "## Changes since version 1.0" in out
    assert "| K9.no_backsliding | K9 | fail | error |" in out


@pytest.mark.parametrize(("args", "code", "text"), [
    (["--as-of", "22-11-2026"], 2, "use an ISO date"),
    (["--rules", "cctf-dk-9"], 2, "invalid choice"),
    (["--out", "r.html"], 2, "report package"),
])
def test_certify_usage_errors(plan_file: Path, capsys: pytest.CaptureFixture[str],
                              args: list[str], code: int, text: str) -> None:
    assert main(["certify", str(plan_file), *args]) == code
    assert text in capsys.readouterr().err


def test_certify_invalid_inputs(tmp_path: Path, plan_file: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["certify", str(tmp_path / "missing.json")]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert main(["certify", str(bad)]) == 1
    other = json.loads(plan_file.read_text(encoding="utf-8")) | {"municipality": 101}
    prev = tmp_path / "other.json"
    prev.write_text(json.dumps(other), encoding="utf-8")
    assert main(["certify", str(plan_file), "--previous", str(prev)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "municipality 101" in err


def _proposal_doc() -> dict[str, Any]:
    return {"id": "DT-7", "round": "2024-autumn", "title": "Biochar",
            "problem_statement": "Agriculture's manko",
            "answers": [{"municipality": 727, "sector": "agriculture"}],
            "participants": [
                {"kind": "municipality", "code": 727, "name": "Odder", "role": "lead"},
                {"kind": "municipality", "code": 741, "name": "Samsø"},
                {"kind": "region", "code": 1082, "name": "Region Midtjylland"}],
            "elements": ["test"], "novelty_statement": "new", "budget_total_dkk": 1e6,
            "requested_dkk": 5e5, "start": "2025-01-01", "end": "2025-12-31",
            "submitted": "2024-10-01", "knowledge_sharing_plan": "report"}


def test_track_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_proposal_doc()), encoding="utf-8")
    assert main(["track", "validate", str(path)]) == 0
    assert "| DT.participants_min3 | pass | info |" in capsys.readouterr().out
    assert main(["track", "validate", str(path), "--remaining-pool", "1000",
                 "--format", "json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert next(r for r in rows if r["rule"] == "DT.budget")["status"] == "fail"
    doc = _proposal_doc() | {"submitted": "2024-12-01"}
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["track", "validate", str(path)]) == 1


def test_track_validate_invalid(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_proposal_doc() | {"budget_total_dkk": -1, "end": "2020-01-01"}),
                    encoding="utf-8")
    assert main(["track", "validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert "budget_total_dkk" in err and "Traceback" not in err
    path.write_text("[", encoding="utf-8")
    assert main(["track", "validate", str(path)]) == 1
    assert main(["track"]) == 2
