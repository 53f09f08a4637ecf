"""Excel (openpyxl): activity template and plans round trip; every error names sheet/row/column."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from klimacore import examples, io, territorial
from klimacore.errors import InputFileError, ProblemGroup
from klimacore.models import load_example_plan

openpyxl = pytest.importorskip("openpyxl")


def test_plan_round_trip(tmp_path: Path) -> None:
    plan = load_example_plan()
    path = io.write_plan_xlsx(plan, tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["plan", "baseline_emissions", "population", "targets", "actions",
                             "indicators", "indicator_values", "scenarios"]
    targets = wb["targets"]
    assert [c.value for c in targets[1]][:3] == ["kind", "target_year", "base_year"]
    assert targets.max_row == len(plan.targets) + 1
    assert io.read_plan_xlsx(path) == plan


def test_cctf_plan_round_trip(tmp_path: Path) -> None:

    plan = examples.example_plan_cctf()
    assert plan.cctf is not None
    assert io.read_plan_xlsx(io.write_plan_xlsx(plan, tmp_path / "cctf.xlsx")) == plan


def _edit(path: Path, sheet: str, cell: str, value: object) -> None:
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)


def test_plan_errors_name_sheet_row_and_column(tmp_path: Path) -> None:
    path = io.write_plan_xlsx(load_example_plan(), tmp_path / "plan.xlsx")
    _edit(path, "targets", "B3", "soon")          # target_year of the 2nd target
    _edit(path, "actions", "F2", 1850)             # end year of the 1st action
    _edit(path, "indicator_values", "A2", "nope")  # an indicator that does not exist
    _edit(path, "baseline_emissions", "B2", "lots")
    with pytest.raises(ProblemGroup) as info:
        io.read_plan_xlsx(path)
    text = str(info.value)
    locations = [e.location for e in info.value.exceptions]
    assert "plan.xlsx, sheet 'targets', row 3, column B (target_year)" in locations
    assert "sheet 'targets', row 3, column B (target_year)" in text
    assert "sheet 'actions', row 2, column F (end)" in text
    assert "sheet 'indicator_values', row 2, column A (indicator)" in text
    assert "sheet 'baseline_emissions', row 2, column B (t_co2e)" in text
    assert len(info.value.problems) >= 4


def test_not_a_workbook_and_missing_sheet(tmp_path: Path) -> None:
    bad = tmp_path / "plan.xlsx"
    bad.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputFileError, match="not an Excel workbook"):
        io.read_plan_xlsx(bad)
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(bad)
    with pytest.raises(InputFileError, match="no sheet 'plan'"):
        io.read_plan_xlsx(bad)
    with pytest.raises(InputFileError, match=r"no sheet 'activity'"):
        io.read_activity_xlsx(bad)


def test_activity_round_trip_and_same_inventory_as_csv(tmp_path: Path) -> None:
    activity = examples.example_activity()
    xlsx = io.write_activity_xlsx(activity, tmp_path / "activity.xlsx")
    csv = io.write_activity_csv(activity, tmp_path / "activity.csv")
    from_xlsx, from_csv = io.read_activity_xlsx(xlsx), io.read_activity_csv(csv)
    pd.testing.assert_frame_equal(from_xlsx.reset_index(drop=True),
                                  from_csv.reset_index(drop=True), check_dtype=False)
    assert from_xlsx.index[0] == 2  # Excel's row numbers, header = row 1
    factors = territorial.default_emission_factors()
    grid = examples.example_grid_sets()
    a = territorial.inventory(from_xlsx, factors, grid=grid)
    b = territorial.inventory(from_csv, factors, grid=grid)
    np.testing.assert_array_equal(a["co2e"].to_numpy(), b["co2e"].to_numpy())


def test_activity_errors_name_cells(tmp_path: Path) -> None:
    frame = pd.DataFrame({"municipality": [727, 727, 727], "year": [2019, 2019, 2019],
                          "category": ["I.1.1", "I.1.1", "II.1.1"],
                          "fuel": ["natural_gas", "wood", "diesel"],
                          "value": [1.0, 2.0, 3.0], "unit": ["GJ", "GJ", "GJ"]})
    path = io.write_activity_xlsx(frame, tmp_path / "a.xlsx")
    _edit(path, "activity", "E2", None)        # empty value
    _edit(path, "activity", "B3", 2019.5)      # not a whole year
    _edit(path, "activity", "E4", "many")      # not a number
    with pytest.raises(InputFileError) as info:
        io.read_activity_xlsx(path)
    problems = info.value.problems
    assert any("row 2, column E (value): empty" in p for p in problems)
    assert any("row 3, column B (year): 2019.5 is not a whole number" in p for p in problems)
    assert any("row 4, column E (value): 'many'" in p for p in problems)
    assert all("a.xlsx, sheet 'activity'" in p for p in problems)


def test_cli_takes_workbooks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from klimacore.cli import main

    plan = io.write_plan_xlsx(load_example_plan(), tmp_path / "plan.xlsx")
    assert main(["validate", str(plan)]) == 0
    assert "valid ClimateActionPlan" in capsys.readouterr().out
    _edit(plan, "targets", "B3", "soon")
    assert main(["validate", str(plan)]) == 1
    assert "sheet 'targets', row 3, column B (target_year)" in capsys.readouterr().err
    assert main(["check", str(plan)]) == 1
    frame = pd.DataFrame({"municipality": 727, "year": 2019, "category": "I.1.1",
                          "fuel": ["natural_gas"], "value": [1000.0], "unit": ["GJ"]})
    act = io.write_activity_xlsx(frame, tmp_path / "activity.xlsx")
    assert main(["inventory", str(act)]) == 0
    assert "BASIC" in capsys.readouterr().out
