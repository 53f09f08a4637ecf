"""The reporting template municipalities fill (Excel via openpyxl, or CSV), and its validated import.

:func:`write_template` makes a template for a plan's actions and indicators and a round (sheet
``actions``: one row per action, the action's id and title filled in; sheet ``indicators``: one
row per indicator; sheet ``about``: municipality, year, instructions). :func:`read_template`
reads a filled template back into :class:`ActionUpdate` and :class:`IndicatorObservation`
records, checking every row and reporting every problem together with sheet, row, column and
reason. A row left empty is "not reported", never zero.
Like the store, this module touches files (an exception to "engines are pure", kept here so the
template's columns and the models they feed live in one place).
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from klimacore._model_base import relocated
from klimacore.errors import DataError, KlimacoreError, ProblemGroup, Problems, ValidationError
from klimacore.monitoring._model import (
    PHASES,
    STATES,
    ActionUpdate,
    IndicatorMeta,
    IndicatorObservation,
    MonitoredAction,
)

__all__ = ["ACTION_COLUMNS", "INDICATOR_COLUMNS", "read_template", "write_template"]

ACTION_COLUMNS: tuple[str, ...] = (
    "action_id", "title", "phase", "state", "progress_pct", "milestones_met",
    "realised_effect_t", "realised_effect_year", "spent_dkk", "note", "date", "reporter")
"""Columns of the ``actions`` sheet; ``action_id`` and ``title`` are filled in by klimacore."""
INDICATOR_COLUMNS: tuple[str, ...] = (
    "indicator_id", "name", "unit", "year", "value", "release_date", "source", "quality")
"""Columns of the ``indicators`` sheet; ``indicator_id``, ``name``, ``unit`` are filled in."""
_PREFILLED = {"actions": 2, "indicators": 3}
_HELP = {
    "phase": f"one of {', '.join(PHASES)}",
    "state": f"one of {', '.join(STATES)} (default active)",
    "progress_pct": "0-100, or empty",
    "milestones_met": "names of milestones reached, separated by ';'",
    "realised_effect_t": "t CO2e a year where known, with realised_effect_year",
    "date": "date of this report, YYYY-MM-DD",
    "release_date": "release date of the data the value comes from, YYYY-MM-DD",
    "quality": "final, provisional or estimated (default final)",
}


def _csv_paths(path: Path) -> dict[str, Path]:
    return {s: path.with_name(f"{path.stem}_{s}.csv") for s in ("actions", "indicators")}


def write_template(
    path: str | Path,
    *,
    actions: Sequence[MonitoredAction],
    indicators: Sequence[IndicatorMeta] = (),
    municipality: int,
    year: int,
) -> list[Path]:
    """Write a reporting template for one municipality and round; returns the files written.

    ``path`` ending in ``.xlsx`` gives one workbook (with drop-down lists for phase and state);
    ending in ``.csv`` gives ``<stem>_actions.csv`` and ``<stem>_indicators.csv``.
    """
    path = Path(path)
    a_rows = [[a.id, a.title, *[""] * (len(ACTION_COLUMNS) - 2)] for a in actions]
    i_rows = [[i.id, i.name, i.unit, *[""] * (len(INDICATOR_COLUMNS) - 3)] for i in indicators]
    if path.suffix.lower() == ".csv":
        out = _csv_paths(path)
        for sheet, cols, rows in (("actions", ACTION_COLUMNS, a_rows),
                                  ("indicators", INDICATOR_COLUMNS, i_rows)):
            with out[sheet].open("w", newline="", encoding="utf-8") as fh:
                w = csv.writer(fh)
                w.writerow(cols)
                w.writerows(rows)
        return list(out.values())
    if path.suffix.lower() != ".xlsx":
        raise ValidationError(f"template path {path} must end in .xlsx or .csv")
    from openpyxl import Workbook  # type: ignore[import-untyped]
    from openpyxl.comments import Comment  # type: ignore[import-untyped]
    from openpyxl.worksheet.datavalidation import (  # type: ignore[import-untyped]
        DataValidation,
    )

    wb = Workbook()
    about = wb.active
    assert about is not None
    about.title = "about"
    info: list[tuple[str, Any]] = [
        ("municipality", municipality), ("year", year),
        ("instructions", "Fill one row per action and indicator; leave a row empty if there is "
                         "nothing to report (empty is 'not reported', not 0)."),
        *_HELP.items()]
    for key, value in info:
        about.append([key, value])
    for sheet, cols, rows in (("actions", ACTION_COLUMNS, a_rows),
                              ("indicators", INDICATOR_COLUMNS, i_rows)):
        ws = wb.create_sheet(sheet)
        ws.append(list(cols))
        for j, col in enumerate(cols, start=1):
            if col in _HELP:
                ws.cell(row=1, column=j).comment = Comment(_HELP[col], "klimacore")
        for row in rows:
            ws.append(row)
        n = max(len(rows), 1) + 1
        if sheet == "actions":
            for col, choices in (("phase", PHASES), ("state", STATES)):
                letter = chr(ord("A") + cols.index(col))
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                    allow_blank=True)
                ws.add_data_validation(dv)
                dv.add(f"{letter}2:{letter}{n}")
    wb.save(path)
    return [path]


def _rows_xlsx(path: Path) -> dict[str, list[list[Any]]]:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    wb = load_workbook(path, read_only=True, data_only=True)
    missing = [s for s in ("actions", "indicators") if s not in wb.sheetnames]
    if missing:
        raise DataError(f"template {path} lacks sheets", [f"sheet {s!r} missing" for s in missing])
    out = {s: [list(r) for r in wb[s].iter_rows(values_only=True)]
           for s in ("actions", "indicators")}
    wb.close()
    return out


def _rows_csv(path: Path) -> dict[str, list[list[Any]]]:
    out: dict[str, list[list[Any]]] = {}
    for sheet, p in _csv_paths(path).items():
        if not p.exists():
            raise DataError(f"template file missing: {p}")
        with p.open(newline="", encoding="utf-8-sig") as fh:
            out[sheet] = [list(r) for r in csv.reader(fh)]
    return out


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _value(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, str):
        return v.strip()
    return v


def _parse(sheet: str, rows: list[list[Any]], cols: tuple[str, ...], extra: Mapping[str, Any],
           model: type[Any], known: set[str] | None, problems: Problems) -> list[Any]:
    if not rows:
        problems.add(f"sheet {sheet!r}: empty (no header row)", code="template.empty",
                     label=sheet, location=f"sheet {sheet!r}")
        return []
    header = [str(_value(h)) if h is not None else "" for h in rows[0]]
    while header and header[-1] == "":
        header.pop()
    if tuple(header) != cols:
        problems.add(f"sheet {sheet!r}, row 1: header {header} differs from the template's "
                     f"{list(cols)}", code="template.header", label=header,
                     location=f"sheet {sheet!r}, row 1")
        return []
    out = []
    seen: dict[str, int] = {}
    id_col = cols[0]
    for r, raw in enumerate(rows[1:], start=2):
        cells = dict(zip(cols, [*raw, *[None] * len(cols)], strict=False))
        filled = [c for c in cols[_PREFILLED[sheet]:] if not _blank(cells.get(c))]
        if not filled:
            continue  # not reported
        ident = "" if _blank(cells[id_col]) else str(_value(cells[id_col]))
        if known is not None and ident not in known:
            where = f"sheet {sheet!r}, row {r}, column {id_col!r}"
            problems.add(f"{where}: unknown id {ident!r}", code="template.unknown_id",
                         label=ident, location=where)
            continue
        key = ident if sheet == "actions" else f"{ident}/{_value(cells.get('year'))}"
        if key in seen:
            where = f"sheet {sheet!r}, row {r}, column {id_col!r}"
            problems.add(f"{where}: {key!r} already reported in row {seen[key]}",
                         code="template.reported_twice", label=key, location=where)
            continue
        seen[key] = r
        data = {c: _value(cells[c]) for c in cols[_PREFILLED[sheet]:] if not _blank(cells[c])}
        data[id_col] = ident
        if "milestones_met" in data:
            data["milestones_met"] = tuple(m.strip() for m in str(data["milestones_met"])
                                           .split(";") if m.strip())
        try:
            out.append(model(**data, **extra))
        except KlimacoreError as exc:  # the model's problems, moved to their cells
            items = exc.exceptions if isinstance(exc, ProblemGroup) else (exc,)
            for item in items:
                if not isinstance(item, KlimacoreError):
                    raise
                field = (item.location or "").split(".")[0].split("[")[0]
                col = field if field in cols else "(row)"
                problems.add(relocated(item, f"sheet {sheet!r}, row {r}, column {col!r}"))
    return out


def read_template(
    path: str | Path,
    *,
    municipality: int,
    year: int,
    actions: Iterable[str] | None = None,
    indicators: Iterable[str] | None = None,
) -> tuple[list[ActionUpdate], list[IndicatorObservation]]:
    """Read a filled template; every problem is reported together (sheet, row, column, reason).

    ``actions`` / ``indicators``: the ids the plan knows (an unknown id is a problem).

    Raises
    ------
    klimacore.errors.ValidationError
        One problem (its ``location`` the sheet, row and column); several are raised together
        as a :class:`~klimacore.errors.ProblemGroup` listing every one.
    """
    path = Path(path)
    try:
        sheets = _rows_csv(path) if path.suffix.lower() == ".csv" else _rows_xlsx(path)
    except OSError as exc:
        raise DataError(f"cannot read template {path}: {exc}") from None
    problems = Problems(f"template {path.name}")
    updates = _parse("actions", sheets["actions"], ACTION_COLUMNS,
                     {"municipality": municipality, "year": year}, ActionUpdate,
                     set(actions) if actions is not None else None, problems)
    observations = _parse("indicators", sheets["indicators"], INDICATOR_COLUMNS,
                          {"municipality": municipality}, IndicatorObservation,
                          set(indicators) if indicators is not None else None, problems)
    problems.raise_if_any()
    return updates, observations
