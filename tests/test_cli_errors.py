"""One error handler for every command: problems one per line with their location, exit codes,
install hints, never a traceback."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from klimacore import _cli_common, _footprint_cli, _monitor_cli, _report_cli, cli
from klimacore.cli import main
from klimacore.errors import Problems
from klimacore.models import load_example_plan


def _three_problems(tmp_path: Path) -> Path:
    doc = json.loads(load_example_plan().model_dump_json())
    doc["municipality"] = 999                          # a field
    doc["targets"][0]["target_year"] = 1850            # a nested field
    doc["actions"][1]["id"] = doc["actions"][0]["id"]  # a cross-field rule
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["validate"], ["check"], ["certify"]])
def test_a_plan_with_three_problems(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                    command: list[str]) -> None:
    path = _three_problems(tmp_path)
    assert main([*command, str(path)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.startswith("  - ")]
    assert lines == [
        "  - municipality: unknown municipality 999 (expected one of the 98 codes 101–860 or a "
        "name)",
        "  - targets[0].target_year: year 1850 is outside 1990–2100",
        f"  - actions[1].id: id {load_example_plan().actions[0].id!r} is already used by "
        "actions[0]",
    ]
    assert err.splitlines()[0].startswith(f"{path}: 3 problem")


def test_validate_json_gives_codes_and_locations(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(_three_problems(tmp_path)), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert [(i["code"], i["location"]) for i in doc["items"]] == [
        ("plan.municipality", "municipality"), ("plan.year_range", "targets[0].target_year"),
        ("plan.duplicate_id", "actions[1].id")]
    assert doc["items"][0]["label"] == "999"


def _raises(exc: BaseException) -> Any:
    def command(args: argparse.Namespace) -> int:
        raise exc
    return command


@pytest.mark.parametrize(("run", "hint"), [
    (lambda: _monitor_cli._run(_raises(ModuleNotFoundError("No module named 'sqlalchemy'",
                                                           name="sqlalchemy"))),
     "pip install 'klimacore[monitoring]'"),
    (lambda: _cli_common.guarded(_raises(ImportError("no jinja2")),
                                 install_hint="pip install 'klimacore[report]'"),
     "pip install 'klimacore[report]'"),
])
def test_missing_dependency_names_the_extra(run: Any, hint: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert run()(argparse.Namespace()) == 2
    err = capsys.readouterr().err
    assert "a dependency is missing" in err and hint in err


def test_report_command_uses_the_guard_with_its_hint(monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(_report_cli, "_cmd_report",
                        _raises(ModuleNotFoundError("No module named 'jinja2'", name="jinja2")))
    assert _report_cli._run(argparse.Namespace()) == 2
    assert "pip install 'klimacore[report]'" in capsys.readouterr().err


def test_cli_guard_takes_a_hint_and_keeps_the_netcdf_one(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert cli._guard(ModuleNotFoundError("No module named 'h5netcdf'", name="h5netcdf")) == 2
    assert "pip install 'klimacore[netcdf]'" in capsys.readouterr().err
    assert cli._guard(ImportError("x"), install_hint="pip install 'klimacore[excel]'") == 2
    assert "pip install 'klimacore[excel]'" in capsys.readouterr().err


def test_guard_prints_a_group_one_problem_per_line(capsys: pytest.CaptureFixture[str]) -> None:
    problems = Problems("activity.csv")
    problems.add("unit 'MWH' is not a unit", code="unit.unknown", label="MWH",
                 location="activity.csv, line 3")
    problems.add("year 2101 is past 2100", code="year.range", label=2101,
                 location="activity.csv, line 4")
    try:
        problems.raise_if_any()
    except Exception as exc:
        code = _cli_common.guard(exc, prefix="klimacore footprint: ")
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        "klimacore footprint: activity.csv: 2 problems",
        "  - activity.csv, line 3: unit 'MWH' is not a unit",
        "  - activity.csv, line 4: year 2101 is past 2100",
    ]


def test_footprint_usage_error_is_exit_2(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    args = argparse.Namespace(drivers=str(tmp_path / "nope"), parameters=None, draws=0, seed=1,
                              municipality=[], format=None, out=None, sensitivity=False)
    assert _footprint_cli.run_footprint(args) == 2
    assert capsys.readouterr().err.startswith("klimacore: error:")


def test_internal_error_is_a_short_paragraph(monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("KLIMACORE_TRACEBACK", raising=False)
    assert _cli_common.guard(RuntimeError("boom")) == 2
    err = capsys.readouterr().err
    assert "internal error (RuntimeError: boom)" in err and "Traceback" not in err
