"""Command-line interface: ``klimacore --version | schema | validate | demo | …``.

Exit codes: 0 success, 1 invalid input or a failed check (with a readable list of problems),
2 usage error (unknown command or option), a file that cannot be read or written, a missing
optional dependency, or an internal error. No command prints a traceback: every problem is a
short paragraph naming the file, the line (1-based, as editors count) and the reason. Set
``KLIMACORE_TRACEBACK=1`` to see the traceback of an internal error.

>>> main(["schema", "Target"])  # doctest: +ELLIPSIS
{
  "additionalProperties": false,
...
0
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from klimacore._cli_common import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    InvalidError,
    UsageError,
    guard,
    load_plan,
    read_path,
)
from klimacore._version import __version__

if TYPE_CHECKING:
    from klimacore.territorial import GridFactorSet

__all__ = ["main"]

# the command modules' shared pieces live in _cli_common (they import it, never this module)
_read = read_path
_UsageError = UsageError
_InvalidError = InvalidError
_load_plan = load_plan


def _cmd_schema(args: argparse.Namespace) -> int:
    from klimacore.errors import MissingLabelError
    from klimacore.models import json_schema

    try:
        schema = json_schema(args.model)
    except MissingLabelError as exc:
        raise _UsageError(str(exc)) from None
    print(json.dumps(schema, indent=2, ensure_ascii=False))
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from klimacore.errors import KlimacoreError, ProblemGroup, _located
    from klimacore.models import plan_errors

    source = "<stdin>" if args.plan == "-" else args.plan
    errors: list[KlimacoreError]
    if source.lower().endswith(".xlsx"):
        from klimacore._cli_common import read_plan_workbook

        try:
            read_plan_workbook(source)
            errors = []
        except ProblemGroup as group:
            errors = [e for e in group.exceptions if isinstance(e, KlimacoreError)]
        except KlimacoreError as exc:
            errors = [exc]
    else:
        errors = plan_errors(_read(args.plan), source=source)
    problems = [_located(e) for e in errors]
    if getattr(args, "format", "text") == "json":
        from klimacore._cli_common import emit_json

        emit_json({"file": source, "valid": not problems, "problems": problems,
                   "items": [{"code": e.code, "location": e.location,
                              "label": None if e.label is None else str(e.label),
                              "message": str(e)} for e in errors]})
    if problems:  # diagnostics go to stderr, the verdict's exit code is 1
        print(f"{source}: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_INVALID
    if getattr(args, "format", "text") == "text":
        print(f"{source}: valid ClimateActionPlan")
    return EXIT_OK




def _demo_sections() -> list[tuple[str, Callable[[object], str]]]:
    """The sections of ``klimacore demo``: each computes on the example (or the given plan) and
    prints through a text table of :mod:`klimacore.report`."""
    from klimacore import _footprint_cli, examples, report

    def plan_section(plan: object) -> str:
        return report.plan_summary_text(plan)  # type: ignore[arg-type]

    def inventory_section(plan: object) -> str:
        # the inventory is the example municipality's: so is the population for per capita
        return report.gpc_inventory_text(examples.example_inventory(),
                                         plan=examples.example_plan())

    def footprint_section(plan: object) -> str:
        # real open drivers when they are found (see klimacore footprint), else the example
        return (_footprint_cli.demo_text()
                or report.spend_footprint_text(examples.example_footprint(n_draws=500)))

    def trajectory_section(plan: object) -> str:
        return report.milestone_text(plan)  # type: ignore[arg-type]

    return [
        ("Plan", plan_section),
        ("Territorial inventory (GPC)", inventory_section),
        ("Consumption-based footprint", footprint_section),
        ("Trajectory checks", trajectory_section),
    ]


def _cmd_demo(args: argparse.Namespace) -> int:
    plan = _load_plan(args.plan)
    for title, section in _demo_sections():
        print(f"== {title} ==")
        print(section(plan))
        print()
    _demo_report(plan, getattr(args, "report_dir", None))
    return EXIT_OK


def _demo_report(plan: object, out: str | None) -> None:
    """The demo ends by writing the plan municipality's status report (needs Jinja2)."""
    import datetime as dt
    import importlib.util
    import tempfile

    from klimacore._report_cli import demo_report

    print("== Status report ==")
    if importlib.util.find_spec("jinja2") is None:
        print("not written: the report needs Jinja2 (pip install 'klimacore[report]')")
        return
    folder = Path(out) if out else Path(tempfile.mkdtemp(prefix="klimacore-demo-report-"))
    path = demo_report(plan, folder, as_of=dt.date.today())
    print(f"written: {path}")


def _grid_sets(args: argparse.Namespace) -> dict[str, list[GridFactorSet]]:
    """Scope-2 factor sets by method from a CSV in the bundled grid-factor layout."""
    import io as _io

    import pandas as pd

    from klimacore import _files, reference, territorial
    from klimacore.errors import KlimacoreError

    table = reference.read_table("grid_emission_factors.csv").iloc[0:0]
    text = _read(args.grid_factors)
    layout = _files.read_table(args.grid_factors, text=text)  # refuses empty / ragged files
    given = pd.read_csv(_io.StringIO(text), sep=layout.delimiter,
                        decimal="," if layout.decimal_comma else ".")
    table = pd.concat([table, given], ignore_index=True)
    methods = args.scope2_method or ["national_location"]
    sets: dict[str, list[GridFactorSet]] = {}
    for method in methods:
        carriers = sorted(set(table.loc[table["method"] == method, "carrier"]))
        if not carriers:
            raise _UsageError(f"--scope2-method {method}: no rows with that method in "
                              f"{args.grid_factors}")
        try:
            sets[method] = [territorial.grid_factor_set(table, carrier=c, method=method)
                            for c in carriers]
        except KlimacoreError as exc:
            raise _InvalidError(f"{args.grid_factors}: {exc}".split("\n")[0],
                                list(exc.problems)) from None
    return sets


def _cmd_inventory(args: argparse.Namespace) -> int:
    import pandas as pd

    from klimacore import io, territorial
    from klimacore.errors import KlimacoreError

    out = _check_out(args.out)
    try:
        if args.activity == "-":
            activity = io.read_activity_csv("<stdin>", text=_read("-"))
        elif args.activity.lower().endswith(".xlsx"):
            activity = io.read_activity_xlsx(args.activity)
        else:
            activity = io.read_activity_csv(args.activity)
    except OSError as exc:
        raise _UsageError(f"cannot read {args.activity}: {exc.strerror or exc}") from None
    grid = _grid_sets(args) if args.grid_factors else None
    try:
        inv = territorial.inventory(activity, territorial.default_emission_factors(),
                                    grid=grid, gwp_metric=args.metric, source=args.activity)
    except KlimacoreError as exc:
        problems = list(exc.problems) or [str(exc)]
        if not args.grid_factors and any("electricity" in p or "district_heating" in p
                                         for p in problems):
            problems.append("grid electricity and district heating need scope-2 factors: "
                            "pass --grid-factors FILE.csv (layout of "
                            "klimacore.reference.grid_emission_factors()); district heating "
                            "per network needs territorial.grid_factor_set(areas=...) in Python")
        raise _InvalidError(f"{args.activity}: cannot compute the inventory", problems) from None
    by = [d for d in ("municipality", "year") if d in inv.dims]
    sectors = territorial.totals(inv["co2e"], "sector").to_series().unstack("sector")
    gpc = territorial.totals(inv["co2e"], "gpc").to_series().unstack("total")
    table = pd.concat([sectors, gpc], axis=1).rename(
        columns={"basic": "BASIC", "basic_plus": "BASIC+", "territorial": "territorial"})
    if getattr(args, "format", "text") == "json":
        from klimacore._cli_common import emit_json, frame_records

        emit_json({"unit": "t CO2e", "gwp_metric": args.metric,
                   "rows": frame_records(table.reset_index())})
    else:
        _print_inventory(table, args.metric, by)
    if out is not None:
        try:
            if out.suffix == ".nc":
                io.to_netcdf(inv, out)
            else:
                io.write_csv(inv, out)
        except OSError as exc:
            raise _UsageError(f"--out {out}: cannot write: {exc.strerror or exc}") from None
        print(f"wrote {out}", file=sys.stderr)
    return EXIT_OK


def _print_inventory(table: object, metric: str, by: list[str]) -> None:
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_columns", 20,
                           "display.float_format", "{:,.1f}".format):
        print(f"GPC inventory, t CO2e ({metric}), by {' × '.join(by)}; sectors I–VI "
              "and the totals (biogenic CO2 is a memo item outside totals):")
        print(table.to_string())  # type: ignore[attr-defined]


def _check_out(out: str | None) -> Path | None:
    """Check ``--out`` before any work: suffix, directory, permission, optional dependency."""
    import os

    if out is None:
        return None
    path = Path(out)
    if path.suffix not in (".nc", ".csv"):
        raise _UsageError(f"--out {out}: use a .nc or .csv file name")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise _UsageError(f"--out {out}: the directory {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise _UsageError(f"--out {out}: the directory {folder} is not writable")
    if path.is_dir():
        raise _UsageError(f"--out {out}: is a directory")
    if path.suffix == ".nc":
        try:
            import h5netcdf  # noqa: F401
            import h5py  # type: ignore[import-untyped]  # noqa: F401
        except ImportError:
            raise _UsageError(f"--out {out}: writing netCDF needs the optional dependencies "
                              "h5netcdf and h5py: pip install 'klimacore[netcdf]' (or write "
                              "a .csv)") from None
    return path


def _cmd_check(args: argparse.Namespace) -> int:
    from klimacore import trajectory

    plan = _load_plan(args.plan)
    previous = _load_plan(args.previous) if args.previous else None
    frame = trajectory.check_plan(plan, previous=previous,  # type: ignore[arg-type]
                                  rules=getattr(args, "rules", "auto"))
    errors = int((frame["severity"] == "error").sum())
    if getattr(args, "format", "text") == "json":
        from klimacore._cli_common import emit_json, frame_records

        shown = frame if args.all else frame[frame["severity"] != "info"]
        emit_json({"plan": args.plan, "errors": errors, "checks": frame_records(shown)})
        return EXIT_INVALID if errors else EXIT_OK
    from klimacore.report import plan_checks_text

    print(plan_checks_text(frame, show_info=args.all))
    return EXIT_INVALID if errors else EXIT_OK


def _cmd_status(args: argparse.Namespace) -> int:
    """Latest-year verdicts for every municipality of an Energi- og CO2-regnskab file."""
    import warnings

    from klimacore import trajectory
    from klimacore.errors import KlimacoreError
    from klimacore.io import read_energi_co2_regnskab

    if not Path(args.emissions).exists():
        raise _UsageError(f"cannot read {args.emissions}: no such file")
    refs = args.reference or ["ipcc-ar6-c1-ghg", "dk-climate-act"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            da = read_energi_co2_regnskab(args.emissions)
            total = da.sum("sector", skipna=False)
            total.attrs = dict(da.attrs)
            frame = trajectory.latest_verdicts(total, refs, window=args.window).latest()
        except KlimacoreError as exc:
            raise _InvalidError(str(exc).splitlines()[0], exc.problems) from None
    latest = frame["latest_year"].dropna()
    span = f"latest year {int(latest.max())}" if len(latest) else "no reported year"
    print(f"Latest-year verdicts: {frame['municipality'].nunique()} municipalities, {span}, "
          f"trend over {args.window} years ({da.attrs.get('source', '')}"
          f"{', release ' + str(da.attrs['release']) if 'release' in da.attrs else ''})")
    labels = ["on track", "at risk", "off track", "no data"]
    print(f"  {'reference':<24}" + "".join(f"{x:>11}" for x in labels))
    for ref_id, group in frame.groupby("reference", sort=False):
        counts = group["status"].value_counts()
        print(f"  {ref_id!s:<24}" + "".join(f"{int(counts.get(x, 0)):>11}" for x in labels))
    missing = frame[frame["status"] == "no data"]
    for (ref, reason), group in missing.groupby(["reference", "reason"], sort=False):
        codes = ", ".join(str(c) for c in group["municipality"].tolist()[:12])
        more = " …" if len(group) > 12 else ""
        print(f"  no data, {ref}: {reason} ({len(group)}: {codes}{more})")
    for text in dict.fromkeys(str(w.message) for w in caught):
        print(f"  note: {text}")
    if args.all:
        for row in frame.itertuples(index=False):
            print(f"  {row.municipality} {row.message}")
    return EXIT_OK


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="klimacore",
        description="Calculation core for Danish municipal climate action plans.",
    )
    parser.add_argument("--version", action="version", version=f"klimacore {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("schema", help="print the JSON Schema of a model")
    p.add_argument("model", nargs="?", default="ClimateActionPlan",
                   help="ClimateActionPlan (default), Target, Action, Indicator, …")
    p.set_defaults(func=_cmd_schema)

    p = sub.add_parser("validate", help="validate a plan JSON file (exit 1 if invalid)")
    p.add_argument("plan", help="path to a plan JSON file ('-' reads stdin)")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "inventory",
        help="compute a GPC inventory from tidy activity data (CSV: municipality, year, "
        "category, fuel, value, unit) with the bundled Danish factors",
    )
    p.add_argument("activity", help="tidy activity CSV, or .xlsx ('-' reads the CSV from stdin)")
    p.add_argument("--metric", default="AR5GWP100", choices=["AR4GWP100", "AR5GWP100", "AR6GWP100"],
                   help="GWP set for CO2e (default AR5GWP100)")
    p.add_argument("--grid-factors", default=None, metavar="FILE.csv",
                   help="scope-2 factors for electricity / district heating, in the layout of "
                   "klimacore.reference.grid_emission_factors()")
    p.add_argument("--scope2-method", action="append", default=None, metavar="METHOD",
                   help="attribution method(s) to use from --grid-factors, side by side "
                   "(repeatable; default national_location)")
    p.add_argument("--out", default=None, help="also write the inventory to FILE.nc or FILE.csv")
    p.set_defaults(func=_cmd_inventory)

    p = sub.add_parser(
        "check",
        help="check a plan's targets, manko, action links and trajectory against Paris-aligned "
        "references (exit 1 if any check has severity error)",
    )
    p.add_argument("plan", help="path to a plan JSON file ('-' reads stdin)")
    p.add_argument("--previous", default=None,
                   help="the previous version of the same plan, for the no-backsliding rule")
    p.add_argument("--all", action="store_true", help="also list checks of severity info")
    p.add_argument("--rules", default="auto", choices=["auto", "dk2020", "cctf-2024"],
                   help="target rule set: by the plan's adoption date (auto), DK2020/CAPF or "
                   "CCTF 2024")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser(
        "status",
        help="latest-year verdicts for every municipality of an Energi- og CO2-regnskab file "
        "(API rows or the reshaped CSV/JSON)",
    )
    p.add_argument("emissions", help="Energi- og CO2-regnskab file (.csv or .json)")
    p.add_argument("--reference", action="append", default=None, metavar="REF",
                   help="reference id (repeatable; default ipcc-ar6-c1-ghg and dk-climate-act)")
    p.add_argument("--window", type=int, default=5, help="trend window in years (default 5)")
    p.add_argument("--all", action="store_true", help="also print one line per municipality")
    p.set_defaults(func=_cmd_status)

    p = sub.add_parser("demo", help="run the main job on the bundled example plan")
    p.add_argument("--plan", default=None, help="use this plan JSON instead of the example")
    p.add_argument("--report-dir", default=None, metavar="DIR",
                   help="write the status report here (default: a new temporary folder)")
    p.set_defaults(func=_cmd_demo)

    from klimacore._cli_certify import register as _register_certify

    _register_certify(sub)  # certify, track validate

    from klimacore._footprint_cli import add_footprint_parser
    add_footprint_parser(sub)

    from klimacore._monitor_cli import register_monitor

    register_monitor(sub)

    from klimacore._report_cli import register_report

    register_report(sub)

    from klimacore import _cli_common

    _cli_common.add_verbose(parser)
    for name in ("validate", "check", "inventory"):  # commands that print a result
        _cli_common.add_format(sub.choices[name])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 1 invalid, 2 usage)."""
    parser = _build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help/--version
        return int(exc.code or 0)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    from klimacore._cli_common import configure_logging

    handler = configure_logging(getattr(args, "verbose", 0))
    try:
        return int(args.func(args))
    except BaseException as exc:  # the guard: no traceback reaches a user
        return _guard(exc)
    finally:
        if handler is not None:
            import logging

            logging.getLogger("klimacore").removeHandler(handler)


def _guard(exc: BaseException, install_hint: str | None = None) -> int:
    """Turn any exception into a one-paragraph message and an exit code (1 input, 2 other).

    ``install_hint`` names the extra to install when a dependency is missing (the netCDF extra
    when the missing module is h5netcdf/h5py and no hint is given); see
    :func:`klimacore._cli_common.guard`, which every command module uses.
    """
    if install_hint is None and isinstance(exc, ImportError):
        name = getattr(exc, "name", None) or str(exc)
        if "h5" in str(name):
            install_hint = "netCDF: pip install 'klimacore[netcdf]'"
    return guard(exc, install_hint=install_hint)


if not TYPE_CHECKING:

    def __getattr__(name: str) -> object:
        """``cli.plan_summary``: moved to :func:`klimacore.report.plan_summary_text` (goes in 0.3)."""
        if name == "plan_summary":
            from klimacore._deprecation import warn_deprecated
            from klimacore.report import plan_summary_text

            warn_deprecated("klimacore.cli.plan_summary", since="0.2", removed_in="0.3",
                            use="klimacore.report.plan_summary_text")
            return plan_summary_text
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
