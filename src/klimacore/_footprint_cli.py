"""``klimacore footprint``: municipal consumption-based footprints from the open drivers.

Registered on the parser of :mod:`klimacore.cli`; reads the drivers (``--drivers``, default
``$KLIMACORE_SHARED_DATA/municipal-drivers``), runs
:func:`klimacore.consumption.municipal_footprint` for all 98 municipalities (the national totals
are split among all of them) and prints or writes the municipalities asked for. Exit codes: 0
ok, 1 invalid input (bad drivers or parameters, unknown municipality), 2 usage or I/O.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = ["add_footprint_parser", "demo_text", "run_footprint"]

from klimacore._cli_common import EXIT_OK, UsageError, guard

_FORMATS = ("table", "csv", "json", "netcdf")


_Usage = UsageError


def add_footprint_parser(sub: Any) -> None:
    """Add the ``footprint`` sub-command to an :mod:`argparse` sub-parser collection."""
    p = sub.add_parser(
        "footprint",
        help="consumption-based footprint of one or all 98 municipalities by category, with "
        "Monte Carlo 90 %% intervals (tidy CSV, JSON or netCDF out)",
    )
    p.add_argument("municipality", nargs="*", default=["all"],
                   help="municipality codes or names (default: all)")
    p.add_argument("--drivers", default=None, metavar="PATH",
                   help="folder with data.json (+ sources.json) or the JSON file; default "
                   "$KLIMACORE_SHARED_DATA/municipal-drivers, else ../shared/data/municipal-drivers")
    p.add_argument("--draws", type=int, default=10_000, help="Monte Carlo draws (default 10000)")
    p.add_argument("--seed", type=int, default=20240101, help="random seed (default 20240101)")
    p.add_argument("--parameters", default=None, metavar="FILE.csv",
                   help="model parameters in the layout of "
                   "klimacore.consumption.municipal_parameters()")
    p.add_argument("--format", choices=_FORMATS, default=None,
                   help="table (default on screen), csv, json, netcdf (needs --out)")
    p.add_argument("--out", default=None, metavar="PATH", help="write to this file")
    p.add_argument("--sensitivity", action="store_true",
                   help="also print which parameters drive the interval")
    p.set_defaults(func=run_footprint)


def _drivers_path(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    root = os.environ.get("KLIMACORE_SHARED_DATA")
    if root:
        return Path(root) / "municipal-drivers"
    beside = Path.cwd() / ".." / "shared" / "data" / "municipal-drivers"
    if (beside / "data.json").exists():
        return beside
    raise _Usage("no drivers: pass --drivers PATH (the municipal-drivers folder), set "
                 "KLIMACORE_SHARED_DATA, or run beside ../shared/data")


def _select(ds: xr.Dataset, wanted: list[str]) -> list[int]:
    from klimacore.reference import municipality_code

    if wanted == ["all"] or not wanted:
        return [int(m) for m in ds["municipality"].to_numpy()]
    codes = [municipality_code(w) for w in wanted]
    have = {int(m) for m in ds["municipality"].to_numpy()}
    missing = [c for c in codes if c not in have]
    if missing:
        from klimacore.errors import MissingLabelError

        raise MissingLabelError("municipality in the drivers", missing, dim="municipality")
    return codes


def _screen(ds: xr.Dataset, codes: list[int]) -> str:
    from klimacore.report import municipal_footprint_text

    return municipal_footprint_text(ds, municipalities=codes)


def _write(ds: xr.Dataset, frame: pd.DataFrame, fmt: str, out: str | None) -> str | None:
    from klimacore import io

    if fmt == "netcdf":
        if not out:
            raise _Usage("--format netcdf needs --out FILE.nc")
        io.to_netcdf(ds, out)
        return None
    if fmt == "csv":
        text = str(frame.to_csv(index=False, lineterminator="\n"))
    else:
        meta = {k: ds.attrs[k] for k in ("units", "quantity", "gwp_metric", "boundary",
                                         "year_meaning", "caveats", "vintages", "assumptions",
                                         "n_draws", "seed")}
        records = json.loads(frame.to_json(orient="records", force_ascii=False))
        text = json.dumps({"meta": meta, "rows": records}, ensure_ascii=False, indent=1)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        return None
    return text


def run_footprint(args: argparse.Namespace) -> int:
    """Run ``klimacore footprint``; returns the exit code and never raises."""
    from klimacore import consumption, io

    try:
        path = _drivers_path(args.drivers)
        try:
            drivers = io.read_municipal_drivers(path)
            parameters = None
            if args.parameters:
                import pandas as pd

                parameters = pd.read_csv(args.parameters)
        except OSError as exc:
            raise _Usage(f"cannot read {exc.filename or path}: {exc.strerror or exc}") from None
        if args.draws < 0:
            raise _Usage(f"--draws must be >= 0, got {args.draws}")
        ds = consumption.municipal_footprint(drivers, n_draws=args.draws, seed=args.seed,
                                             parameters=parameters)
        codes = _select(ds, list(args.municipality))
        ds = ds.sel(municipality=codes)
        frame = consumption.footprint_table(ds)
        fmt = args.format or ("csv" if args.out and str(args.out).endswith(".csv") else
                              "netcdf" if args.out and str(args.out).endswith(".nc") else
                              "json" if args.out and str(args.out).endswith(".json") else "table")
        if fmt == "table":
            text: str | None = _screen(ds, codes)
        else:
            try:
                text = _write(ds, frame, fmt, args.out)
            except OSError as exc:
                raise _Usage(f"cannot write {args.out}: {exc.strerror or exc}") from None
        if text is not None:
            print(text)
        elif args.out:
            print(f"wrote {args.out}", file=sys.stderr)
        if args.sensitivity and args.draws > 0:
            where = codes[0] if len(codes) == 1 else None
            table = consumption.sensitivity_table(ds, municipality=where)
            title = f"municipality {where}" if where else "the whole country"
            print(f"Sensitivity of the total ({title}):")
            print(table.to_string(index=False, float_format=lambda v: f"{v:,.3f}"))
            print("What drives each category (the country's category totals):")
            for category in ds["category"].to_numpy():
                top = consumption.sensitivity_table(ds, category=str(category)).head(2)
                drivers_text = ", ".join(f"{p} ({v:.0%})" for p, v in zip(
                    top["parameter"], top["variance_share"], strict=True))
                print(f"  {category:<22}{drivers_text}")
        return EXIT_OK
    except BaseException as exc:  # usage, invalid input, broken pipe: one handler (exit codes)
        return guard(exc, prefix="klimacore footprint: ")


def demo_text(*, municipality: int = 727, n_draws: int = 2000, seed: int = 20240101,
              drivers: str | Path | None = None) -> str | None:
    """The footprint section of ``klimacore demo`` on real figures, or None without drivers.

    Runs the municipal model on the open drivers (``drivers`` or
    ``$KLIMACORE_SHARED_DATA/municipal-drivers``) for all municipalities and shows the example
    municipality (727 Odder) by category, saying which categories are physical estimates and
    which are modelled from national figures.
    """
    from klimacore import consumption, io

    try:
        path = _drivers_path(str(drivers) if drivers else None)
        table = io.read_municipal_drivers(path)
    except (_Usage, OSError):
        return None
    ds = consumption.municipal_footprint(table, n_draws=n_draws, seed=seed)
    return _screen(ds, [municipality])
