"""``klimacore monitor …``: reporting templates, importing a round, statuses, the account panel.

Registered by :mod:`klimacore.cli`; exit codes as there (0 ok, 1 invalid input, 2 usage / IO).

- ``monitor template PLAN.json --year Y --out FILE.xlsx|FILE.csv``: the template to fill;
- ``monitor import FILE --plan PLAN.json --year Y --db URL --who NAME``: validate a filled
  template (every problem listed with sheet, row, column) and store it in the round;
- ``monitor account FILE.csv --year Y --db URL --who NAME``: the Energi- og CO2-regnskab of all
  municipalities into their rounds;
- ``monitor status --plan PLAN.json --year Y --db URL [--as-of DATE]``: computed action status;
- ``monitor export --year Y --db URL --out FILE.nc|FILE.csv``: the account panel from the store.
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

__all__ = ["register_monitor"]

from klimacore._cli_common import EXIT_OK, UsageError, guarded

_Usage = UsageError


def _plan(path: str) -> Any:
    from klimacore.models import read_plan

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise _Usage(f"cannot read {path}: {exc.strerror or exc}") from None
    return read_plan(text, source=path)


def _store(url: str) -> Any:
    from klimacore.monitoring import MonitoringStore

    if "://" not in url:
        url = f"sqlite:///{url}"
    return MonitoringStore(url)


def _round(store: Any, municipality: int, year: int, who: str, on: dt.date) -> Any:
    from klimacore.errors import MissingLabelError

    try:
        return store.get_round(municipality, year)
    except MissingLabelError:
        return store.open_round(municipality, year, who=who, on=on)


def _date(text: str | None) -> dt.date:
    if text is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _Usage(f"not a date (YYYY-MM-DD): {text!r}") from None


def _cmd_template(args: argparse.Namespace) -> int:
    from klimacore.monitoring import IndicatorMeta, migrate_plan_actions, write_template

    plan = _plan(args.plan)
    indicators = [IndicatorMeta(id=i.id, name=i.name, unit=i.unit, level=i.level,
                                direction=i.direction) for i in plan.indicators]
    try:
        files = write_template(args.out, actions=migrate_plan_actions(plan),
                               indicators=indicators, municipality=plan.municipality,
                               year=args.year)
    except OSError as exc:
        raise _Usage(f"cannot write {args.out}: {exc.strerror or exc}") from None
    for f in files:
        print(f)
    return EXIT_OK


def _cmd_import(args: argparse.Namespace) -> int:
    from klimacore.monitoring import read_template

    plan = _plan(args.plan)
    if not Path(args.file).exists() and not Path(args.file).with_name(
            Path(args.file).stem + "_actions.csv").exists():
        raise _Usage(f"cannot read {args.file}: no such file")
    updates, observations = read_template(
        args.file, municipality=plan.municipality, year=args.year,
        actions=[a.id for a in plan.actions], indicators=[i.id for i in plan.indicators])
    store = _store(args.db)
    r = _round(store, plan.municipality, args.year, args.who, _date(args.on))
    if updates:
        r = store.write_updates(r, updates, who=args.who)
    if observations:
        r = store.write_observations(r, observations, who=args.who)
    print(f"round {plan.municipality}/{args.year} r{r.round.revision}: {len(updates)} action "
          f"update(s), {len(observations)} observation(s) stored (version {r.version})")
    return EXIT_OK


def _cmd_account(args: argparse.Namespace) -> int:
    import pandas as pd

    from klimacore.io import read_energi_co2_regnskab
    from klimacore.monitoring import account_panel, account_rows

    try:
        emissions = read_energi_co2_regnskab(args.file)
        raw = pd.read_csv(args.file, dtype={"kommunekode": str})
    except OSError as exc:
        raise _Usage(f"cannot read {args.file}: {exc.strerror or exc}") from None
    if "per_capita_t" not in raw.columns:
        raise _Usage(f"{args.file} has no per_capita_t column (the reshaped account CSV has)")
    tot = raw[raw["sector"] == "total"].assign(municipality=raw["kommunekode"].astype(int))
    pc = tot.set_index(["municipality", "year"])["per_capita_t"].to_xarray()
    rows = account_rows(account_panel(emissions, per_capita=pc))
    store = _store(args.db)
    on = _date(args.on)
    rounds = {m: _round(store, m, args.year, args.who, on) for m in rows}
    store.write_many("account", rows, rounds, who=args.who)
    print(f"{len(rows)} municipalities' accounts stored in their {args.year} rounds")
    return EXIT_OK


def _cmd_status(args: argparse.Namespace) -> int:
    import numpy as np
    import xarray as xr

    from klimacore.errors import MissingLabelError
    from klimacore.monitoring import action_status, migrate_plan_actions, status_frame

    plan = _plan(args.plan)
    actions = migrate_plan_actions(plan)
    store = _store(args.db)
    try:
        r = store.get_round(plan.municipality, args.year)
        updates = store.read("action_updates", [r]).set_index("action_id")
    except MissingLabelError:
        updates = None
    ids = [a.id for a in actions]
    phase = [a.phase for a in actions]
    state = [a.state for a in actions]
    last: list[Any] = [np.datetime64("NaT")] * len(ids)
    if updates is not None:
        for i, a in enumerate(ids):
            if a in updates.index:
                phase[i], state[i] = updates.loc[a, "phase"], updates.loc[a, "state"]
                last[i] = np.datetime64(str(updates.loc[a, "date"])[:10])
    panel = xr.Dataset({"phase": ("action", phase), "state": ("action", state),
                        "start": ("action", [a.start for a in actions]),
                        "end": ("action", [a.end for a in actions]),
                        "last_update": ("action", np.array(last, dtype="datetime64[D]"))},
                       coords={"action": ids})
    as_of = _date(args.as_of)
    frame = status_frame(action_status(panel, as_of=np.datetime64(as_of)))
    print(f"action status of {plan.municipality} for round {args.year}, as of {as_of}")
    print(frame[["action", "status", "reason", "freshness"]].to_string(index=False))
    if plan.indicators:
        print()
        print(_indicator_table(store, plan, args.year, as_of))
    return EXIT_OK


def _indicator_table(store: Any, plan: Any, year: int, as_of: dt.date) -> str:
    import numpy as np
    import xarray as xr

    from klimacore.errors import MissingLabelError
    from klimacore.monitoring import (
        INDICATOR_STATUS,
        indicator_status,
        indicator_targets,
        observation_panel,
    )

    targets = indicator_targets(plan.indicators)
    ids = targets["indicator"].to_numpy().tolist()
    try:
        frame = store.read("observations", [store.get_round(plan.municipality, year)])
    except MissingLabelError:
        frame = None
    if frame is not None and len(frame):
        obs = observation_panel(frame)["value"].sel(municipality=plan.municipality) \
            .reindex(indicator=ids)
    else:  # nothing reported: every indicator is "no data"
        obs = xr.DataArray(np.full((len(ids), 1), np.nan), dims=("indicator", "year"),
                           coords={"indicator": ids, "year": [year]})
    res = indicator_status(
        baseline_year=targets["baseline_year"], baseline_value=targets["baseline_value"],
        target_year=targets["target_year"], target_value=targets["target_value"],
        direction=targets["direction"], observations=obs, as_of_year=as_of.year)
    table = res[["latest_year", "latest_value", "expected", "progress_pct"]].to_dataframe()
    table.insert(0, "status", [INDICATOR_STATUS[int(c)] for c in res["status"].to_numpy()])
    return "indicator status\n" + str(table.round(2).to_string())


def _cmd_export(args: argparse.Namespace) -> int:
    from klimacore.monitoring import account_from_rows

    store = _store(args.db)
    table = store.rounds()
    if table.empty:
        raise _Usage("the store has no rounds")
    rounds = [store.get_round(int(m), args.year)
              for m in sorted(set(table.loc[table["year"] == args.year, "municipality"]))]
    frame = store.read("account", rounds)
    if frame.empty:
        raise _Usage(f"no account rows in the {args.year} rounds")
    panel = account_from_rows(frame)
    out = Path(args.out)
    try:
        if out.suffix == ".nc":
            panel.to_netcdf(out)
        elif out.suffix == ".csv":
            panel[["emissions"]].to_dataframe().reset_index().to_csv(out, index=False)
        else:
            raise _Usage(f"--out must end in .nc or .csv: {out}")
    except OSError as exc:
        raise _Usage(f"cannot write {out}: {exc.strerror or exc}") from None
    print(f"panel of {panel.sizes['municipality']} municipalities × {panel.sizes['year']} years "
          f"written to {out}")
    return EXIT_OK


def _run(func: Any) -> Any:
    return guarded(func, install_hint="pip install 'klimacore[monitoring]'")


def register_monitor(sub: Any) -> None:
    """Add ``monitor`` and its subcommands to the CLI's subparsers."""
    p = sub.add_parser("monitor", help="reporting rounds: templates, import, status, export")
    msub = p.add_subparsers(dest="monitor_command", metavar="SUBCOMMAND", required=True)

    def common(q: argparse.ArgumentParser, *, db: bool = True) -> None:
        q.add_argument("--year", type=int, required=True, help="the reporting round's year")
        if db:
            q.add_argument("--db", default="monitoring.db",
                           help="store: a SQLite file or a SQLAlchemy URL (default monitoring.db)")

    q = msub.add_parser("template", help="write the reporting template for a plan")
    q.add_argument("plan")
    common(q, db=False)
    q.add_argument("--out", required=True, help="FILE.xlsx or FILE.csv")
    q.set_defaults(func=_run(_cmd_template))

    q = msub.add_parser("import", help="validate a filled template and store it")
    q.add_argument("file")
    q.add_argument("--plan", required=True)
    common(q)
    q.add_argument("--who", required=True, help="who reports (kept in the audit trail)")
    q.add_argument("--on", default=None, help="date the round opens if new (default today)")
    q.set_defaults(func=_run(_cmd_import))

    q = msub.add_parser("account", help="store the Energi- og CO2-regnskab of all municipalities")
    q.add_argument("file", help="the reshaped account CSV (kommuner_2018_2023.csv layout)")
    common(q)
    q.add_argument("--who", required=True)
    q.add_argument("--on", default=None)
    q.set_defaults(func=_run(_cmd_account))

    q = msub.add_parser("status", help="computed action status for a round")
    q.add_argument("--plan", required=True)
    common(q)
    q.add_argument("--as-of", default=None, help="date statuses are computed for (default today)")
    q.set_defaults(func=_run(_cmd_status))

    q = msub.add_parser("export", help="export the account panel of a round year")
    common(q)
    q.add_argument("--out", required=True, help="FILE.nc or FILE.csv")
    q.set_defaults(func=_run(_cmd_export))
