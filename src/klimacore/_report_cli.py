"""``klimacore report``: the yearly status reports from the Energi- og CO2-regnskab.

Registered by :mod:`klimacore.cli`; exit codes as there (0 ok, 1 invalid input, 2 usage / IO).

``klimacore report --data DIR|FILE.csv|FILE.json --out DIR [--as-of DATE] [--lang da|en]
[--format html,md,json] [--national KF25.csv] [--vintage DATE] [--base-year 2019]
[--plan PLAN.json|example …] [--round ROUND.json|example …] [--db URL [--round-year Y]]`` writes one
report per municipality, region and Denmark (``0751.html``, ``1082.html``, ``DK.html`` …), an
``index.html`` and ``report-schema.json``. The same inputs and ``--as-of`` give byte-identical
files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

__all__ = ["demo_report", "panel_from_account", "plan_panel", "register_report",
           "write_reports"]

from klimacore._cli_common import EXIT_OK, UsageError, guarded

FORMATS = ("html", "md", "json")


_Usage = UsageError


def _account_file(path: Path) -> Path:
    if path.is_dir():
        for name in ("kommuner_2018_2023.csv", "by_kommune.json"):
            if (path / name).is_file():
                return path / name
        found = sorted(path.glob("*.csv")) + sorted(path.glob("*.json"))
        if len(found) != 1:
            raise _Usage(f"{path}: expected one account file (.csv or .json) in the folder, "
                         f"found {len(found)}")
        return found[0]
    if not path.is_file():
        raise _Usage(f"cannot read {path}: no such file or folder")
    return path


def panel_from_account(path: str | Path, *, vintage: str | None = None) -> Any:
    """The monitoring panel from an Energi- og CO2-regnskab file (or its folder).

    The long CSV (``kommunekode, kommune, year, sector, value_t_co2e, per_capita_t``) or the
    reshaped JSON (``kommuner`` with ``udledningPrCapita``): emissions by sector through
    :func:`klimacore.io.read_energi_co2_regnskab`, the per-inhabitant totals from the same file.
    The vintage is ``vintage``, else the file's ``fetchedAt``, else the ``fetchedAt`` of a
    ``by_kommune.json`` beside it.
    """
    import pandas as pd
    import xarray as xr

    from klimacore.errors import DataError
    from klimacore.io import read_energi_co2_regnskab
    from klimacore.monitoring import account_panel

    file = _account_file(Path(path))
    release = vintage
    if release is None:
        sibling = file.parent / "by_kommune.json"
        meta_file = file if file.suffix.lower() == ".json" else sibling
        if meta_file.is_file():
            from klimacore import _files

            data, _ = _files.load_json(_files.read_text(meta_file), meta_file)
            if isinstance(data, dict) and data.get("fetchedAt"):
                release = str(data["fetchedAt"])[:10]
    emissions = read_energi_co2_regnskab(file, release=release)
    if file.suffix.lower() == ".json":
        from klimacore import _files

        data, _ = _files.load_json(_files.read_text(file), file)
        rows = [(int(k["kommuneKode"]), int(y), v) for k in data.get("kommuner", [])
                for y, v in zip(k.get("years", []), k.get("udledningPrCapita", []), strict=False)]
        frame = pd.DataFrame(rows, columns=["municipality", "year", "per_capita_t"])
    else:
        raw = pd.read_csv(file, dtype={"kommunekode": str})
        if "per_capita_t" not in raw.columns:
            raise DataError(f"{file}: no per_capita_t column (the per-inhabitant totals)")
        frame = raw[raw["sector"] == "total"].assign(
            municipality=lambda f: f["kommunekode"].astype(int))
    numbers = pd.to_numeric(frame["per_capita_t"], errors="coerce")
    bad = frame.index[numbers.isna() & frame["per_capita_t"].notna()]
    if len(bad):
        raise DataError(f"{file}: per_capita_t is not a number", [
            f"row {int(i) + 2}: {frame.loc[i, 'per_capita_t']!r}" for i in bad[:20]])
    frame = frame.assign(per_capita_t=numbers)
    if frame.duplicated(["municipality", "year"]).any():
        dup = frame[frame.duplicated(["municipality", "year"], keep=False)]
        raise DataError(f"{file}: more than one per-inhabitant total for a municipality and year",
                        [f"municipality {m}, year {y}" for m, y in
                         dup[["municipality", "year"]].drop_duplicates().to_numpy()[:20]])
    per_capita = frame.set_index(["municipality", "year"])["per_capita_t"].to_xarray()
    per_capita = per_capita.reindex(municipality=emissions["municipality"],
                                    year=emissions["year"])
    panel = account_panel(emissions, per_capita=xr.DataArray(per_capita))
    panel["emissions"].attrs["gases"] = emissions.attrs.get("gases")
    if release:
        panel.attrs["release"] = release
    return panel


def _plan(path: str) -> Any:
    from klimacore import _files
    from klimacore.models import load_example_plan, read_plan

    if path == "example":
        return load_example_plan()
    try:
        text = _files.read_text(path)
    except OSError as exc:
        raise _Usage(f"cannot read {path}: {exc.strerror or exc}") from None
    return read_plan(text, source=path)


def _round(path: str) -> Any:
    """A monitoring round (:class:`klimacore.monitoring.RoundData` JSON); ``example`` is the
    bundled illustrative round of the example plan (Odder, 727)."""
    from klimacore import _files
    from klimacore.errors import KlimacoreError, ProblemGroup, ValidationError
    from klimacore.examples import example_round
    from klimacore.monitoring import RoundData

    if path == "example":
        return example_round()
    try:
        text = _files.read_text(path)
    except OSError as exc:
        raise _Usage(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        return RoundData.model_validate_json(text)
    except KlimacoreError as exc:  # the model's own translation: one located item per problem
        problems = [str(e) for e in (exc.exceptions if isinstance(exc, ProblemGroup) else [exc])]
        raise ValidationError(f"{path}: {len(problems)} problem(s) in the monitoring round",
                              problems, code="report.round", location=path) from None


def _store_rounds(url: str, year: int | None, codes: Any) -> list[Any]:
    """The newest revision of each municipality's round (of ``year``, else its newest year) in a
    :class:`klimacore.monitoring.MonitoringStore`; rounds that hold only an account are left
    out (nothing to report on actions, indicators or events)."""
    from klimacore.monitoring import MonitoringStore, RoundData

    store = MonitoringStore(url if "://" in url else f"sqlite:///{url}")
    table = store.rounds()
    if table.empty:
        raise _Usage(f"the store {url} has no rounds")
    if year is not None:
        table = table[table["year"] == year]
        if table.empty:
            raise _Usage(f"the store {url} has no {year} rounds")
    out = []
    wanted = {int(c) for c in codes}
    for m, g in sorted(table.groupby("municipality")):
        code = int(str(m))
        if code not in wanted:
            continue
        rd = RoundData.from_store(store, code, int(g["year"].to_numpy().max()))
        if rd.actions or rd.updates or rd.observations or rd.events:
            out.append(rd)
    return out


def _national(path: str) -> tuple[Any, str]:
    """KF25 (``year, exclLulucf`` in Mt CO2e) → t CO2e by year."""
    import pandas as pd

    from klimacore.errors import DataError

    try:
        frame = pd.read_csv(path)
    except OSError as exc:
        raise _Usage(f"cannot read {path}: {exc.strerror or exc}") from None
    if not {"year", "exclLulucf"} <= set(frame.columns):
        raise DataError(f"{path}: expected columns year and exclLulucf (Mt CO2e), found "
                        f"{list(frame.columns)}")
    series = frame.set_index("year")["exclLulucf"].astype(float) * 1e6
    return series, f"{Path(path).name}, excluding LULUCF (Mt CO2e × 10⁶)"


def plan_panel(plan: Any) -> Any:
    """The monitoring panel of a plan's own observed emissions (its municipality only).

    Sectors as the plan names them; population where the plan gives it for an observed year
    (missing elsewhere, never filled). Labelled illustrative when the plan is.
    """
    import numpy as np
    import xarray as xr

    from klimacore.errors import DataError
    from klimacore.monitoring import account_panel

    observed = plan.observed.emissions if plan.observed is not None else {}
    if not observed:
        raise DataError(f"plan {plan.title!r} has no observed emissions to report on")
    sectors = sorted(observed)
    years = sorted({int(y) for by_year in observed.values() for y in by_year})
    values = np.array([[[float(observed[s].get(y, observed[s].get(str(y), np.nan)))
                         for s in sectors] for y in years]])
    e = xr.DataArray(values, dims=("municipality", "year", "sector"),
                     coords={"municipality": [int(plan.municipality)], "year": years,
                             "sector": sectors}, attrs={"units": "t"})
    pop_by_year = {int(y): float(v) for y, v in (plan.population or {}).items()}
    pop = xr.DataArray([[pop_by_year.get(y, np.nan) for y in years]],
                       dims=("municipality", "year"),
                       coords={"municipality": [int(plan.municipality)], "year": years})
    panel = account_panel(e, population=pop)
    inv = plan.inventory
    panel.attrs.update(source=f"{plan.title}: observed emissions ({inv.source})",
                       attribution=str(inv.source), illustrative=int(bool(plan.illustrative)))
    if inv.release_date is not None:
        panel.attrs["release"] = str(inv.release_date)
    if plan.gwp_metric:
        panel.attrs["gwp_metric"] = str(plan.gwp_metric)
    panel["emissions"].attrs["gases"] = tuple(inv.gases or ())
    return panel


def _example_rounds(plan: Any) -> dict[int, Any]:
    """The bundled round when ``plan`` is the bundled example plan (it is that plan's round);
    no round for any other plan (never borrowed)."""
    from klimacore.examples import example_round
    from klimacore.models import load_example_plan

    return {int(plan.municipality): example_round()} if plan == load_example_plan() else {}


def demo_report(plan: Any, out: Path, *, as_of: dt.date) -> Path:
    """Write the report of the plan's municipality (``klimacore demo``): from the plan, and for
    the bundled example plan also from its bundled ILLUSTRATIVE monitoring round."""
    from klimacore.report import build_reports

    panel = plan_panel(plan)
    base = int(panel["year"].min())
    reports = build_reports(panel, as_of=as_of, base_year=base,
                            plans={int(plan.municipality): plan},
                            rounds=_example_rounds(plan))
    key = f"{int(plan.municipality):04d}"
    write_reports({key: reports[key]}, out, formats=("html", "md", "json"))
    return out / f"{key}.html"


def write_reports(reports: Any, out: Path, *, formats: tuple[str, ...] = FORMATS,
                  lang: str = "da") -> list[Path]:
    """Write every report in ``formats``, the index page and the JSON Schema into ``out``."""
    import os

    from klimacore.report import index_html, report_schema

    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def put(name: str, text: str) -> None:
        # whole file or nothing: written beside, renamed into place (no fsync: a report set is
        # rebuilt from its inputs, and 300 fsyncs would be most of the run)
        tmp = out / f".{name}.part"
        try:
            tmp.write_bytes(text.encode("utf-8"))
            os.replace(tmp, out / name)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        written.append(out / name)

    for key, rep in reports.items():
        if "html" in formats:
            put(f"{key}.html", rep.to_html(lang))
        if "md" in formats:
            put(f"{key}.md", rep.to_markdown(lang))
        if "json" in formats:
            put(f"{key}.json", rep.to_json())
    if "html" in formats:
        put("index.html", index_html(reports, lang=lang))
    if "json" in formats:
        put("report-schema.json", json.dumps(report_schema(), indent=1, ensure_ascii=False)
            + "\n")
    return written


def _cmd_report(args: argparse.Namespace) -> int:
    from klimacore.report import build_reports

    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else dt.date.today()
    except ValueError:
        raise _Usage(f"--as-of must be a date YYYY-MM-DD, got {args.as_of!r}") from None
    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise _Usage(f"--format: unknown {bad or 'empty'}; choose from {', '.join(FORMATS)}")
    panel = panel_from_account(args.data, vintage=args.vintage)
    national, source = _national(args.national) if args.national else (None, None)
    plans = {}
    for path in args.plan or []:
        plan = _plan(path)
        plans[int(plan.municipality)] = plan
    rounds: dict[int, Any] = {}
    for plan in plans.values():
        rounds.update(_example_rounds(plan))
    given = [_round(path) for path in args.round or []]
    if args.db:
        given += _store_rounds(args.db, args.round_year, panel["municipality"].to_numpy())
    seen: set[int] = set()
    for rd in given:
        m = int(rd.round.municipality)
        if m in seen:
            raise _Usage(f"more than one monitoring round for municipality {m} (--round, --db)")
        seen.add(m)
        rounds[m] = rd
    reports = build_reports(panel, as_of=as_of, lang=args.lang, base_year=args.base_year,
                            national=national, national_source=source, plans=plans,
                            rounds=rounds)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise _Usage(f"--out {out} exists and is not a folder")
    written = write_reports(reports, out, formats=formats, lang=args.lang)
    n = {k: sum(1 for r in reports.values() if r.content["kind"] == k)
         for k in ("municipality", "region", "denmark")}
    print(f"wrote {len(written)} files to {out}: {n['municipality']} municipalities, "
          f"{n['region']} regions, {n['denmark']} Denmark; monitoring rounds for "
          f"{len(rounds)} municipalit{'y' if len(rounds) == 1 else 'ies'}"
          + (f"; open {out / 'index.html'}" if "html" in formats else ""))
    return EXIT_OK


_run = guarded(lambda args: _cmd_report(args), install_hint="pip install 'klimacore[report]'")
"""``klimacore report``: every exception becomes its exit code (one handler, _cli_common)."""


def register_report(sub: Any) -> None:
    """Add ``report`` to the CLI's subparsers."""
    p = sub.add_parser("report", help="the yearly status reports (HTML, Markdown, JSON) per "
                       "municipality, region and Denmark from the Energi- og CO2-regnskab")
    p.add_argument("--data", required=True, metavar="PATH",
                   help="the account: a folder, a long CSV or the reshaped JSON")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write the reports to")
    p.add_argument("--as-of", default=None, metavar="YYYY-MM-DD",
                   help="report date (default today); same inputs and date, same bytes")
    p.add_argument("--lang", default="da", choices=["da", "en"], help="language (default da)")
    p.add_argument("--format", default="html,md,json", metavar="LIST",
                   help="comma-separated: html, md, json (default all)")
    p.add_argument("--national", default=None, metavar="KF25.csv",
                   help="national inventory (year, exclLulucf in Mt CO2e) for table N5")
    p.add_argument("--vintage", default=None, metavar="DATE",
                   help="release / retrieval date of the account (default: the file's)")
    p.add_argument("--base-year", type=int, default=2019, help="year changes are shown against")
    p.add_argument("--plan", action="append", default=None, metavar="PLAN.json",
                   help="a municipality's own plan (repeatable): its manko (M4) and actions (M5); "
                   "'example' = the bundled illustrative plan (727), which brings its round")
    p.add_argument("--round", action="append", default=None, metavar="ROUND.json",
                   help="a municipality's monitoring round (repeatable; RoundData JSON): M5-M7 "
                   "and, for regions and Denmark, N3/N4; 'example' = the bundled round (727)")
    p.add_argument("--db", "--store", dest="db", default=None, metavar="URL",
                   help="monitoring store (a SQLite file or a SQLAlchemy URL, as "
                   "'klimacore monitor --db'): each municipality's newest round")
    p.add_argument("--round-year", type=int, default=None, metavar="YEAR",
                   help="with --db: the rounds of this year (default each one's newest)")
    p.set_defaults(func=_run)
