"""Presentation lives in ``klimacore.report``, the example in ``klimacore.examples``.

``klimacore demo`` and ``klimacore check`` print through the report package's text tables, with
the same output as before the move (golden files in ``tests/data/presentation``, written by the
engines' own functions before they moved; regenerate them only for a deliberate change of a
table, and say so in the commit). The engines' old names are deprecated aliases until 0.3: each
warns and returns what the new name returns.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import xarray as xr

from klimacore import certification, cli, consumption, examples, report, territorial, trajectory
from klimacore.cli import main
from klimacore.errors import KlimacoreDeprecationWarning, MissingLabelError
from klimacore.models import load_example_plan

GOLDEN = Path(__file__).parent / "data" / "presentation"


def _old(module: Any, name: str) -> Any:
    """The deprecated name, asserting it warns with the policy's message."""
    with pytest.warns(KlimacoreDeprecationWarning,
                      match=rf"{name} is deprecated since klimacore 0\.2 and goes in 0\.3: use "):
        return getattr(module, name)


def _same(a: Any, b: Any) -> None:
    if isinstance(a, xr.Dataset | xr.DataArray):
        xr.testing.assert_identical(a, b)
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    else:
        assert a == b


# -- the aliases --------------------------------------------------------------------------------

MOVED_TO_EXAMPLES: list[tuple[Any, str, str]] = [
    (territorial, "example_activity", "example_activity"),
    (territorial, "example_direct_emissions", "example_direct_emissions"),
    (territorial, "example_notation_keys", "example_notation_keys"),
    (territorial, "example_grid_factors", "example_grid_factors"),
    (territorial, "example_inventory", "example_inventory"),
    (consumption, "example_spending", "example_spending"),
    (consumption, "example_energy_use", "example_energy_use"),
    (consumption, "example_factors", "example_factors"),
    (consumption, "example_footprint", "example_footprint"),
    (certification, "example_plan", "example_plan_cctf"),
]


@pytest.mark.parametrize(("module", "old", "new"), MOVED_TO_EXAMPLES,
                         ids=[f"{m.__name__}.{o}" for m, o, _ in MOVED_TO_EXAMPLES])
def test_example_aliases_warn_and_return_the_same(module: Any, old: str, new: str) -> None:
    alias = _old(module, old)
    assert alias is getattr(examples, new)
    _same(alias(), getattr(examples, new)())
    assert old not in module.__all__ and old not in dir(module)


def test_grid_sets_alias() -> None:
    old = _old(territorial, "example_grid_sets")()
    new = examples.example_grid_sets()
    assert old.keys() == new.keys()
    assert [[s.method for s in v] for v in old.values()] == [[s.method for s in v]
                                                             for v in new.values()]


def test_example_inventory_old_metric_keyword() -> None:
    alias = _old(territorial, "example_inventory")
    with pytest.warns(KlimacoreDeprecationWarning, match="gwp_metric"):
        old = alias(metric="AR6GWP100")
    xr.testing.assert_identical(old, examples.example_inventory(gwp_metric="AR6GWP100"))


def test_text_aliases_warn_and_return_the_same() -> None:
    plan = load_example_plan()
    checks = trajectory.check_plan(plan)
    format_checks = _old(trajectory, "format_checks")
    assert format_checks is report.plan_checks_text
    assert format_checks(checks, show_info=True) == report.plan_checks_text(checks,
                                                                            show_info=True)
    demo: Callable[..., str] = _old(trajectory, "demo_section")
    assert demo(plan) == demo() == report.milestone_text(plan)
    demo = _old(territorial, "demo_section")
    assert demo(year=2019, metric="AR6GWP100") == report.gpc_inventory_text(
        examples.example_inventory(gwp_metric="AR6GWP100"), year=2019,
        plan=examples.example_plan())
    demo = _old(consumption, "demo_section")
    assert demo(n_draws=50) == report.spend_footprint_text(examples.example_footprint(n_draws=50))
    summary = _old(cli, "plan_summary")
    assert summary(plan) == report.plan_summary_text(plan)


def test_aliases_by_module_path_and_from_import() -> None:
    from klimacore.consumption import defaults
    from klimacore.trajectory import plan_check

    _old(defaults, "example_spending")
    _old(plan_check, "format_checks")
    with pytest.warns(KlimacoreDeprecationWarning):
        from klimacore.trajectory import format_checks  # noqa: F401
    with pytest.raises(AttributeError, match="no attribute 'demo_sectoin'"):
        territorial.demo_sectoin  # noqa: B018


def test_engines_advertise_no_presentation() -> None:
    for module in (territorial, consumption, trajectory, certification):
        shown = [n for n in module.__all__ if n.startswith("example_") or n in (
            "demo_section", "format_checks")]
        assert shown == [], module.__name__
    with warnings.catch_warnings():  # the public names of the new homes warn about nothing
        warnings.simplefilter("error")
        for name in examples.__all__:
            getattr(examples, name)
        for name in ("plan_summary_text", "gpc_inventory_text", "spend_footprint_text",
                     "municipal_footprint_text", "plan_checks_text", "milestone_text"):
            assert name in report.__all__


# -- the CLI prints through report, unchanged -----------------------------------------------


def _no_drivers(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No open drivers: the demo shows the bundled illustrative footprint (deterministic)."""
    monkeypatch.setenv("KLIMACORE_SHARED_DATA", str(tmp_path / "no-shared-data"))
    monkeypatch.chdir(tmp_path)


def test_demo_output_unchanged(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                               capsys: pytest.CaptureFixture[str]) -> None:
    _no_drivers(monkeypatch, tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("error", KlimacoreDeprecationWarning)  # no old name on the way
        assert main(["demo", "--report-dir", str(tmp_path / "report")]) == 0
    out = re.sub(r"(?m)^written: .*$", "written: <REPORT>", capsys.readouterr().out)
    if "needs Jinja2" in out:
        pytest.skip("the demo's report needs Jinja2")
    assert out == (GOLDEN / "demo.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("extra", "golden"), [([], "check.txt"), (["--all"], "check_all.txt")])
def test_check_output_unchanged(extra: list[str], golden: str, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "plan.json"
    path.write_text(load_example_plan().model_dump_json(), encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("error", KlimacoreDeprecationWarning)
        assert main(["check", str(path), *extra]) == 1  # the example has errors
    assert capsys.readouterr().out == (GOLDEN / golden).read_text(encoding="utf-8")


def test_demo_sections_are_the_report_functions(monkeypatch: pytest.MonkeyPatch,
                                                tmp_path: Path) -> None:
    _no_drivers(monkeypatch, tmp_path)
    plan = load_example_plan()
    sections = dict(cli._demo_sections())
    assert sections["Plan"](plan) == report.plan_summary_text(plan)
    assert sections["Territorial inventory (GPC)"](plan) == report.gpc_inventory_text(
        examples.example_inventory(), plan=examples.example_plan())
    assert sections["Consumption-based footprint"](plan) == report.spend_footprint_text(
        examples.example_footprint(n_draws=500))
    assert sections["Trajectory checks"](plan) == report.milestone_text(plan)


# -- the text tables themselves -------------------------------------------------------------------


def test_gpc_inventory_text_refuses_what_it_cannot_show() -> None:
    inv = examples.example_inventory()
    two = xr.concat([inv, inv.assign_coords(municipality=[751])], dim="municipality")
    with pytest.raises(MissingLabelError, match="pass municipality="):
        report.gpc_inventory_text(two)
    assert "Aarhus (751)" in report.gpc_inventory_text(two, municipality=751)
    with pytest.raises(MissingLabelError, match="101"):
        report.gpc_inventory_text(two, municipality=101)
    with pytest.raises(MissingLabelError, match="2030"):
        report.gpc_inventory_text(inv, year=2030)


def test_gpc_inventory_text_without_scope2_dim_or_flag() -> None:
    inv = examples.example_inventory().sel(scope2_method="municipality_location", drop=True)
    inv.attrs = {k: v for k, v in inv.attrs.items() if k != "illustrative"}
    text = report.gpc_inventory_text(inv, year=2024)
    assert "ILLUSTRATIVE" not in text and "Per capita" not in text  # no plan given
    assert "scope 2 electricity" not in text and "by scope-2 method" not in text
    lines = text.splitlines()
    basic_plus = next(line for line in lines if line.strip().startswith("BASIC+"))
    assert basic_plus.split()[-2:] == ["168", "716"]  # the municipality_location figure


def test_gpc_inventory_text_population_only_from_the_same_municipality() -> None:
    other = load_example_plan().model_copy(update={"municipality": 751})
    text = report.gpc_inventory_text(examples.example_inventory(), plan=other)
    assert "Per capita" not in text


def test_spend_footprint_text_central_estimate() -> None:
    ds = examples.example_footprint()
    text = report.spend_footprint_text(ds, population_source="census", bridge_note="no VAT")
    assert "Monte Carlo" not in text
    assert text.splitlines()[-1].startswith("  Population 22,700 (census);")
    assert text.endswith("(no VAT)")
    total = float(ds["total"].sel(municipality=727, year=2019))
    assert f"{total:,.0f}" in text


def test_plan_checks_text_orders_worst_first() -> None:
    checks = trajectory.check_plan(load_example_plan())
    text = report.plan_checks_text(checks, show_info=True, width=60)
    assert all(len(line) <= 60 for line in text.splitlines() if line.startswith("  "))
    block = text.split("\ntarget rule:\n")[1].split("\n\n")[0]
    marks = [m for m in re.findall(r"\[(ERROR|WARNING|INFO)\]", block)]
    assert marks == sorted(marks, key=["ERROR", "WARNING", "INFO"].index)


def test_milestone_text_other_year() -> None:
    plan = load_example_plan()
    text = report.milestone_text(plan, year=2040, manko_years=(2040,))
    assert "2040 against each reference" in text and "Manko 2040" in text
    assert "Manko 2030" not in text


def test_demo_and_check_tables_without_pyarrow(tmp_path: Path) -> None:
    """pyarrow is not a klimacore dependency: the README's bare install has none (it broke the
    demo's trajectory section once, while the test environment, which has pyarrow, passed)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "class NoArrow:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'pyarrow':\n"
        "            raise ModuleNotFoundError(\"No module named 'pyarrow'\", name=name)\n"
        "sys.meta_path.insert(0, NoArrow())\n"
        "from klimacore.cli import main\n"
        f"sys.exit(main(['demo', '--report-dir', {str(tmp_path / 'report')!r}]))\n"
    )
    env = {**os.environ, "KLIMACORE_SHARED_DATA": str(tmp_path / "no-shared-data")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=tmp_path, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "== Trajectory checks ==" in done.stdout and "Manko 2030" in done.stdout
