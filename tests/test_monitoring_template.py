"""Reporting template: generated for a plan, filled, read back with every problem located."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import load_workbook

from klimacore.errors import ProblemGroup, ValidationError
from klimacore.models import load_example_plan
from klimacore.monitoring import (
    ACTION_COLUMNS,
    IndicatorMeta,
    migrate_plan_actions,
    read_template,
    write_template,
)

PLAN = load_example_plan()
ACTIONS = migrate_plan_actions(PLAN)
INDICATORS = [IndicatorMeta(id=i.id, name=i.name, unit=i.unit, level=i.level,
                            direction=i.direction) for i in PLAN.indicators]


def _fill_xlsx(path: Path, actions: dict[int, dict[str, object]],
               indicators: dict[int, dict[str, object]]) -> None:
    wb = load_workbook(path)
    for sheet, fills in (("actions", actions), ("indicators", indicators)):
        ws = wb[sheet]
        header = [c.value for c in ws[1]]
        for row, values in fills.items():
            for col, v in values.items():
                ws.cell(row=row, column=header.index(col) + 1, value=v)
    wb.save(path)


def test_xlsx_template_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "round.xlsx"
    write_template(path, actions=ACTIONS, indicators=INDICATORS, municipality=727, year=2025)
    wb = load_workbook(path)
    assert wb.sheetnames == ["about", "actions", "indicators"]
    assert [c.value for c in wb["actions"][1]] == list(ACTION_COLUMNS)
    assert wb["actions"].cell(row=2, column=1).value == ACTIONS[0].id
    assert wb["actions"].data_validations.dataValidation  # drop-downs for phase and state
    _fill_xlsx(path, {2: {"phase": "implementation", "progress_pct": 45,
                          "milestones_met": "tender; contract", "date": dt.datetime(2026, 2, 1),
                          "reporter": "anna"}},
               {2: {"year": 2024, "value": 21.5, "release_date": dt.datetime(2025, 3, 1),
                    "source": "DST"}})
    updates, obs = read_template(path, municipality=727, year=2025,
                                 actions=[a.id for a in ACTIONS],
                                 indicators=[i.id for i in INDICATORS])
    assert len(updates) == 1 and len(obs) == 1  # empty rows are "not reported", not zero
    u = updates[0]
    assert (u.action_id, u.phase, u.progress_pct, u.milestones_met, u.date) == (
        ACTIONS[0].id, "implementation", 45.0, ("tender", "contract"), dt.date(2026, 2, 1))
    assert (obs[0].indicator_id, obs[0].value, obs[0].release_date) == (
        INDICATORS[0].id, 21.5, dt.date(2025, 3, 1))


def test_every_problem_reported_with_sheet_row_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    write_template(path, actions=ACTIONS, indicators=INDICATORS, municipality=727, year=2025)
    _fill_xlsx(path, {2: {"phase": "delayed", "progress_pct": 140, "date": "2026-02-01",
                          "reporter": "anna"},
                      3: {"phase": "planning", "reporter": "bo"}},
               {2: {"year": 2024, "value": "lots", "release_date": "2023-01-01"}})
    with pytest.raises(ProblemGroup) as exc:
        read_template(path, municipality=727, year=2025, actions=[a.id for a in ACTIONS])
    problems = exc.value.problems
    locations = [e.location for e in exc.value.exceptions]
    assert "sheet 'actions', row 2, column 'phase'" in locations
    codes = {e.location: e.code for e in exc.value.exceptions}
    assert codes["sheet 'actions', row 2, column 'phase'"] == "monitoring.literal_error"
    text = "\n".join(problems)
    assert "sheet 'actions', row 2, column 'phase'" in text
    assert "sheet 'actions', row 2, column 'progress_pct'" in text
    assert "sheet 'actions', row 3, column 'date'" in text  # date missing
    assert "sheet 'indicators', row 2, column 'value'" in text
    assert len(problems) >= 4


def test_csv_template_and_unknown_ids(tmp_path: Path) -> None:
    files = write_template(tmp_path / "round.csv", actions=ACTIONS, indicators=INDICATORS,
                           municipality=727, year=2025)
    assert [f.name for f in files] == ["round_actions.csv", "round_indicators.csv"]
    lines = files[0].read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",,,,,,,,,,", ",completed,,100,,,,,,2026-01-15,anna")
    lines.append("X99,unknown,planning,,,,,,,,2026-01-15,bo")
    files[0].write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="unknown id 'X99'") as exc:
        read_template(tmp_path / "round.csv", municipality=727, year=2025,
                      actions=[a.id for a in ACTIONS])
    row = len(ACTIONS) + 2
    assert str(exc.value) == f"sheet 'actions', row {row}, column 'action_id': unknown id 'X99'"
    assert (exc.value.code, exc.value.label) == ("template.unknown_id", "X99")
    lines.pop()
    files[0].write_text("\n".join(lines) + "\n", encoding="utf-8")
    updates, _ = read_template(tmp_path / "round.csv", municipality=727, year=2025)
    assert [(u.phase, u.progress_pct) for u in updates] == [("completed", 100.0)]
