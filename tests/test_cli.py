"""The command-line interface: exit codes and readable output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from klimacore import __version__
from klimacore.cli import main
from klimacore.models import load_example_plan


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"klimacore {__version__}"


def test_no_command_is_usage_error() -> None:
    assert main([]) == 2
    assert main(["frobnicate"]) == 2


def test_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "ClimateActionPlan"
    assert main(["schema", "Indicator"]) == 0
    assert json.loads(capsys.readouterr().out)["title"] == "Indicator"
    assert main(["schema", "Nope"]) == 2
    assert "Nope" in capsys.readouterr().err


def test_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "plan.json"
    good.write_text(load_example_plan().model_dump_json(), encoding="utf-8")
    assert main(["validate", str(good)]) == 0
    assert "valid" in capsys.readouterr().out

    doc = json.loads(good.read_text(encoding="utf-8"))
    doc["municipality"] = 999
    doc["targets"][1]["target_year"] = 1900
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().err  # problems are diagnostics: stderr
    assert "2 problem(s)" in out and "municipality" in out and "targets[1].target_year" in out

    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    assert main(["validate", str(broken)]) == 1
    assert main(["validate", str(tmp_path / "missing.json")]) == 2


def test_demo_runs_the_whole_pipeline(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "ILLUSTRATIVE" in out and "Odder" in out and "2030: −70 % vs 1990" in out
    for section in ("== Plan ==", "== Territorial inventory (GPC) ==",
                    "== Consumption-based footprint ==", "== Trajectory checks =="):
        assert section in out
    assert "BASIC+" in out and "Manko 2030" in out


def test_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = load_example_plan()
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json(), encoding="utf-8")
    # the illustrative action scenario does not reach net zero in 2050: errors, exit 1
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert "error(s)" in out and "net zero not crossed" in out and "manko" in out

    # a plan whose action scenario meets every reference passes (exit 0)
    doc = json.loads(plan.model_dump_json())
    for series in doc["action_scenario"]["emissions"].values():
        for year in series:
            y = int(year)
            series[year] = 0.0 if y >= 2045 else series[year] * max(0.0, (2045 - y) / 26) ** 2
    good = tmp_path / "good.json"
    good.write_text(json.dumps(doc), encoding="utf-8")
    code = main(["check", str(good), "--previous", str(path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "0 error(s)" in out and "trajectory: all" in out
    assert main(["check", str(tmp_path / "nope.json")]) == 2


def test_console_script_from_another_directory(tmp_path: Path) -> None:
    """Installed entry point works outside the repository (bundled data via importlib)."""
    result = subprocess.run(
        [sys.executable, "-m", "klimacore.cli", "--version"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert __version__ in result.stdout


def test_inventory_from_tidy_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    activity = tmp_path / "activity.csv"
    activity.write_text(
        "municipality,year,category,fuel,value,unit\n"
        "727,2020,I.1.1,natural_gas,100,TJ\n"
        "727,2020,II.1.1,diesel,1000,GJ\n"
        "727,2020,I.1.2,electricity,2000,MWh\n", encoding="utf-8")
    grid = tmp_path / "grid.csv"
    grid.write_text(
        "carrier,area,year,method,chp_allocation,grid_losses_included,value,unit,release,"
        "source,note\n"
        "electricity,DK,2020,national_location,125%,true,100,g/kWh,2021-03,test,\n"
        "electricity,727,2020,municipality_location,125%,true,50,g/kWh,2021-03,test,\n",
        encoding="utf-8")
    out = tmp_path / "inventory.nc"
    code = main(["inventory", str(activity), "--grid-factors", str(grid),
                 "--scope2-method", "national_location", "--scope2-method",
                 "municipality_location", "--out", str(out)])
    text = capsys.readouterr().out
    assert code == 0, text
    assert "BASIC+" in text and "municipality_location" in text
    # scope 1: 100 TJ gas 5,669 + 16.65 t, 1,000 GJ diesel 74 + 1.14 t = 5,760.8 t (territorial)
    # BASIC adds 2,000 MWh electricity at 100 g/kWh (200 t) or at 50 g/kWh (100 t)
    assert "5,760.8" in text and "5,960.8" in text and "5,860.8" in text
    from klimacore import io

    again = io.read_netcdf(out)
    assert again.attrs["gwp_metric"] == "AR5GWP100"

    # without grid factors the consumption of electricity is named, with a hint
    assert main(["inventory", str(activity)]) == 1
    err = capsys.readouterr().err
    assert "'electricity'" in err and "--grid-factors" in err

    bad = tmp_path / "bad.csv"
    bad.write_text("municipality,year,category,fuel,value,unit\n"
                   "727,2020,I.9.1,unobtainium,5,GJ\n", encoding="utf-8")
    assert main(["inventory", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "'I.9.1'" in err and "'unobtainium'" in err
    assert main(["inventory", str(tmp_path / "missing.csv")]) == 2
