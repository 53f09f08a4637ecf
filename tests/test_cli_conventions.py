"""CLI conventions: results on stdout, diagnostics on stderr, '-' for stdin, --format json, -v."""

from __future__ import annotations

import io
import json
import logging
import sys
from pathlib import Path

import pytest

from klimacore.cli import main
from klimacore.models import load_example_plan


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


@pytest.fixture
def plan_bytes() -> bytes:
    return load_example_plan().model_dump_json().encode()


def test_validate_reads_stdin(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                              plan_bytes: bytes) -> None:
    _stdin(monkeypatch, plan_bytes)
    assert main(["validate", "-"]) == 0
    assert capsys.readouterr().out.strip() == "<stdin>: valid ClimateActionPlan"
    _stdin(monkeypatch, b"\xff\xfe{")
    assert main(["validate", "-"]) == 1
    err = capsys.readouterr().err
    assert "<stdin>" in err and "Traceback" not in err


def test_validate_json(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                       plan_bytes: bytes) -> None:
    doc = json.loads(plan_bytes)
    doc["municipality"] = 999
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc), encoding="utf-8")
    assert main(["validate", str(bad), "--format", "json"]) == 1
    captured = capsys.readouterr()
    result = json.loads(captured.out)  # stdout holds exactly one JSON document
    assert result["valid"] is False and any("municipality" in p for p in result["problems"])
    assert "1 problem(s)" in captured.err


def test_check_json_from_stdin(monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str], plan_bytes: bytes) -> None:
    _stdin(monkeypatch, plan_bytes)
    code = main(["check", "-", "--format", "json", "--all"])
    result = json.loads(capsys.readouterr().out)
    assert code == (1 if result["errors"] else 0)
    rows = result["checks"]
    assert {"check", "rule", "status", "severity", "message", "value"} <= set(rows[0])
    # missing stays missing: a rule without a year says null, never 0
    assert any(r["year"] is None for r in rows)
    assert all(r["severity"] in ("info", "warning", "error") for r in rows)


def test_inventory_json_and_wrote_on_stderr(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    act = tmp_path / "activity.csv"
    act.write_text("municipality,year,category,fuel,value,unit\n"
                   "727,2019,I.1.1,natural_gas,1000,GJ\n727,2019,II.1.1,diesel,NE,\n",
                   encoding="utf-8")
    out = tmp_path / "inv.csv"
    code = main(["inventory", str(act), "--format", "json", "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    result = json.loads(captured.out)
    assert result["gwp_metric"] == "AR5GWP100" and result["rows"]
    assert {"municipality", "year", "BASIC"} <= set(result["rows"][0])
    assert f"wrote {out}" in captured.err


def test_verbose_logs_to_stderr_only_when_asked(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str],
                                                plan_bytes: bytes) -> None:
    logger = logging.getLogger("klimacore")
    before = list(logger.handlers)
    good = tmp_path / "plan.json"
    good.write_bytes(plan_bytes)
    assert main(["-v", "validate", str(good)]) == 0
    assert logger.handlers == before  # the CLI removes what it attached
    assert main(["--format", "json"]) == 2  # --format belongs to a command


def test_library_configures_no_logging() -> None:
    import subprocess

    code = ("import logging, klimacore, klimacore.io, klimacore.units as u; u.get_ureg(); "
            "lg = logging.getLogger('klimacore'); "
            "print(len(lg.handlers), lg.level, logging.getLogger('pint.util').level, "
            "len(logging.getLogger().handlers))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["0", "0", "0", "0"]


def test_inventory_reads_stdin(monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    _stdin(monkeypatch, b"municipality,year,category,fuel,value,unit\n"
                        b"727,2019,I.1.1,natural_gas,1000,GJ\n")
    assert main(["inventory", "-", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["rows"]
    assert rows[0]["municipality"] == 727 and rows[0]["I"] > 0
    _stdin(monkeypatch, b"municipality,year,category,fuel,value,unit\n"
                        b"727,2019,I.1.1,natural_gas,,GJ\n")
    assert main(["inventory", "-"]) == 1
    assert "<stdin>" in capsys.readouterr().err
