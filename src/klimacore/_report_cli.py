"""``klimacore report``: the yearly status reports from the Energi- og CO2-regnskab.

Registered by :mod:`klimacore.cli`; exit codes as there (0 ok, 1 invalid input, 2 usage / IO).

``klimacore report --data DIR|FILE.csv|FILE.json --out DIR [--as-of DATE] [--lang da|en]
[--format html,md,json] [--national KF25.csv] [--vintage DATE] [--base-year 2019]`` writes one
report per municipality, region and Denmark (``0751.html``, ``1082.html``, ``DK.html`` …), an
``index.html`` and ``report-schema.json``. The same inputs and ``--as-of`` give byte-identical
files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

__all__ = ["panel_from_account", "register_report", "write_reports"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
FORMATS = ("html", "md", "json")


class _Usage(Exception):
    pass


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
    per_capita = frame.set_index(["municipality", "year"])["per_capita_t"].astype(
        float).to_xarray()
    per_capita = per_capita.reindex(municipality=emissions["municipality"],
                                    year=emissions["year"])
    panel = account_panel(emissions, per_capita=xr.DataArray(per_capita))
    panel["emissions"].attrs["gases"] = emissions.attrs.get("gases")
    if release:
        panel.attrs["release"] = release
    return panel


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
    reports = build_reports(panel, as_of=as_of, lang=args.lang, base_year=args.base_year,
                            national=national, national_source=source)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise _Usage(f"--out {out} exists and is not a folder")
    written = write_reports(reports, out, formats=formats, lang=args.lang)
    n = {k: sum(1 for r in reports.values() if r.content["kind"] == k)
         for k in ("municipality", "region", "denmark")}
    print(f"wrote {len(written)} files to {out}: {n['municipality']} municipalities, "
          f"{n['region']} regions, {n['denmark']} Denmark"
          + (f"; open {out / 'index.html'}" if "html" in formats else ""))
    return EXIT_OK


def _run(args: argparse.Namespace) -> int:
    from klimacore.errors import KlimacoreError

    try:
        return _cmd_report(args)
    except _Usage as exc:
        print(f"klimacore: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ModuleNotFoundError as exc:
        print(f"klimacore: error: {exc} (pip install 'klimacore[report]')", file=sys.stderr)
        return EXIT_USAGE
    except KlimacoreError as exc:
        print(str(exc).splitlines()[0], file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        return EXIT_INVALID


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
    p.set_defaults(func=_run)
