"""``klimacore monitor``: template → fill → import → status → export, and its exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from openpyxl import load_workbook

from klimacore.cli import main
from klimacore.models import load_example_plan


@pytest.fixture
def plan_file(tmp_path: Path) -> Path:
    p = tmp_path / "plan.json"
    p.write_text(load_example_plan().model_dump_json(), encoding="utf-8")
    return p


def test_template_import_status(tmp_path: Path, plan_file: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    xlsx, db = tmp_path / "r.xlsx", tmp_path / "m.db"
    assert main(["monitor", "template", str(plan_file), "--year", "2025", "--out", str(xlsx)]) == 0
    wb = load_workbook(xlsx)
    ws = wb["actions"]
    first = ws.cell(row=2, column=1).value
    for col, v in ((3, "planning"), (11, "2026-01-20"), (12, "anna")):
        ws.cell(row=2, column=col, value=v)
    wb.save(xlsx)
    args = ["monitor", "import", str(xlsx), "--plan", str(plan_file), "--year", "2025",
            "--db", str(db), "--who", "anna", "--on", "2026-01-10"]
    assert main(args) == 0
    assert "1 action update(s)" in capsys.readouterr().out
    assert main(["monitor", "status", "--plan", str(plan_file), "--year", "2025", "--db", str(db),
                 "--as-of", "2026-02-01"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.strip().startswith(str(first)))
    assert "on time" in line and "optimal" in line


def test_bad_template_exits_1_with_locations(tmp_path: Path, plan_file: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    xlsx = tmp_path / "r.xlsx"
    main(["monitor", "template", str(plan_file), "--year", "2025", "--out", str(xlsx)])
    wb = load_workbook(xlsx)
    wb["actions"].cell(row=2, column=3, value="delayed")
    wb["actions"].cell(row=2, column=5, value=150)
    wb.save(xlsx)
    code = main(["monitor", "import", str(xlsx), "--plan", str(plan_file), "--year", "2025",
                 "--db", str(tmp_path / "m.db"), "--who", "anna"])
    err = capsys.readouterr().err
    assert code == 1
    assert "sheet 'actions', row 2, column 'phase'" in err
    assert "sheet 'actions', row 2, column 'progress_pct'" in err
    assert "Traceback" not in err


def test_usage_errors_exit_2(tmp_path: Path, plan_file: Path) -> None:
    assert main(["monitor", "template", str(tmp_path / "nope.json"), "--year", "2025",
                 "--out", str(tmp_path / "x.xlsx")]) == 2
    assert main(["monitor", "import", str(tmp_path / "nope.xlsx"), "--plan", str(plan_file),
                 "--year", "2025", "--who", "a", "--db", str(tmp_path / "m.db")]) == 2
    assert main(["monitor"]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"municipality": 999}), encoding="utf-8")
    assert main(["monitor", "template", str(bad), "--year", "2025",
                 "--out", str(tmp_path / "x.xlsx")]) == 1


def _account() -> Path:
    env = os.environ.get("KLIMACORE_SHARED_DATA")
    base = Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    return base / "energi-co2-regnskab" / "kommuner_2018_2023.csv"


def test_account_and_export(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if not _account().exists():
        pytest.skip(f"shared data not found at {_account()} (set KLIMACORE_SHARED_DATA)")
    db = tmp_path / "m.db"
    assert main(["monitor", "account", str(_account()), "--year", "2024", "--db", str(db),
                 "--who", "ens", "--on", "2026-05-18"]) == 0
    out = tmp_path / "panel.csv"
    assert main(["monitor", "export", "--year", "2024", "--db", str(db), "--out", str(out)]) == 0
    assert "98 municipalities × 6 years" in capsys.readouterr().out
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1 + 98 * 6 * 5


def test_status_shows_indicators_from_observations(tmp_path: Path, plan_file: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    plan = load_example_plan()
    ind = plan.indicators[0]
    xlsx, db = tmp_path / "r.xlsx", tmp_path / "m.db"
    main(["monitor", "template", str(plan_file), "--year", "2025", "--out", str(xlsx)])
    wb = load_workbook(xlsx)
    ws = wb["indicators"]
    for col, v in ((4, 2024), (5, float(ind.baseline_value or 0) + 1.0), (6, "2025-03-01")):
        ws.cell(row=2, column=col, value=v)
    wb.save(xlsx)
    assert main(["monitor", "import", str(xlsx), "--plan", str(plan_file), "--year", "2025",
                 "--db", str(db), "--who", "anna", "--on", "2026-01-10"]) == 0
    capsys.readouterr()
    assert main(["monitor", "status", "--plan", str(plan_file), "--year", "2025", "--db",
                 str(db), "--as-of", "2026-02-01"]) == 0
    out = capsys.readouterr().out
    assert "indicator status" in out
    line = next(ln for ln in out.splitlines() if ln.startswith(ind.id))
    assert "2024" in line and "no data" not in line
