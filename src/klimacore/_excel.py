"""Excel workbooks through openpyxl: the activity template and climate action plans.

Needs ``pip install 'klimacore[excel]'``. Every problem names the file, the sheet, the row (as
Excel counts, header = row 1) and the column (letter and header), all problems together.

* **Activity** (:func:`write_activity_xlsx`, :func:`read_activity_xlsx`): one sheet ``activity``
  in the layout of the tidy CSV (municipality, year, category, fuel, value, unit, …); a value
  is a number or a notation key (NO, IE, NE, C), never an empty cell. The frame read has the
  Excel row numbers as index, as :func:`klimacore.io.read_activity_csv` has line numbers.
* **Plans** (:func:`write_plan_xlsx`, :func:`read_plan_xlsx`): sheets ``plan`` (field, value:
  the plan's scalar fields, ``inventory.*``, ``adaptation.*``, scenario names, ``cctf`` as JSON
  text), ``baseline_emissions`` (sector, t_co2e), ``population`` (year, population),
  ``targets``, ``actions``, ``indicators`` (one row each, one column per field, lists as
  comma-separated text), ``indicator_values`` (indicator, kind target/observation, year,
  value) and ``scenarios`` (scenario, sector, year, t_co2e). The plan read back equals the
  plan written; dates are written as ISO text so Excel does not reformat them.

>>> import tempfile, pathlib
>>> from klimacore.models import load_example_plan
>>> plan = load_example_plan()
>>> path = pathlib.Path(tempfile.mkdtemp()) / "plan.xlsx"
>>> _ = write_plan_xlsx(plan, path)
>>> read_plan_xlsx(path) == plan
True
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from klimacore import _files
from klimacore.errors import InputFileError

if TYPE_CHECKING:
    import pandas as pd

    from klimacore.models import ClimateActionPlan

__all__ = ["read_activity_xlsx", "read_plan_xlsx", "write_activity_xlsx", "write_plan_xlsx"]

_NOTATION_KEYS = ("NO", "IE", "NE", "C")
_ACTIVITY_REQUIRED = ("category", "fuel", "value", "unit")
_LISTS = {"inventory.gases", "adaptation.hazards", "gases", "indicators"}
_TABLES = ("targets", "actions", "indicators")
_SCENARIOS = ("observed", "bau", "action_scenario")
_JSON_FIELDS = ("cctf", "observed_totals")
"""Plan fields with nested values, written to the ``plan`` sheet as JSON text."""


def _openpyxl() -> Any:
    try:
        import openpyxl
    except ImportError:
        raise ImportError("Excel files need openpyxl: pip install 'klimacore[excel]'") from None
    return openpyxl


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(col))


def _sheet(wb: Any, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
    ws.freeze_panes = "A2"
    for i, name in enumerate(header, start=1):
        ws.column_dimensions[_letter(i)].width = max(10, min(40, len(name) + 4))


def _save(wb: Any, path: str | Path) -> Path:
    with _files.atomic_write(path, mode="") as (tmp, _):
        wb.save(tmp)
    return Path(path)


def _load(path: str | Path) -> Any:
    openpyxl = _openpyxl()
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError:
        raise
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException, …
        raise InputFileError(path, f"not an Excel workbook (.xlsx): {exc}") from None


def _rows(wb: Any, path: str | Path, sheet: str, *, required: bool = True
          ) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """Header and (Excel row number, cells) of a sheet; blank rows are skipped."""
    if sheet not in wb.sheetnames:
        if not required:
            return [], []
        raise InputFileError(path, f"no sheet {sheet!r} (sheets: {', '.join(wb.sheetnames)})")
    rows = list(wb[sheet].iter_rows(values_only=True))
    if not rows:
        raise InputFileError(path, f"sheet {sheet!r} is empty: row 1 must hold the header")
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    while header and not header[-1]:
        header.pop()
    body = [(i, list(r[:len(header)]) + [None] * (len(header) - len(r)))
            for i, r in enumerate(rows[1:], start=2)
            if any(c is not None and str(c).strip() != "" for c in r)]
    return header, body


def _where(path: str | Path, sheet: str, row: int, header: Sequence[str], name: str) -> str:
    col = header.index(name) + 1 if name in header else None
    cell = f", column {_letter(col)} ({name})" if col else f", column {name!r}"
    return f"{Path(path).name}, sheet {sheet!r}, row {row}{cell}"


# --- activity ---------------------------------------------------------------------------------


def write_activity_xlsx(activity: Any, path: str | Path, *, drop_zeros: bool = False) -> Path:
    """Activity data in the template workbook (sheet ``activity``); returns the path."""
    from klimacore._activity_io import activity_to_frame

    frame = activity_to_frame(activity, drop_zeros=drop_zeros)
    wb = _openpyxl().Workbook()
    wb.remove(wb.active)
    rows = [[v.item() if hasattr(v, "item") else v for v in r]
            for r in frame.astype(object).itertuples(index=False, name=None)]
    _sheet(wb, "activity", [str(c) for c in frame.columns], rows)
    return _save(wb, path)


def read_activity_xlsx(path: str | Path, *, sheet: str = "activity") -> pd.DataFrame:
    """Read the activity template: what :func:`klimacore.io.read_activity_csv` gives for a CSV.

    >>> import tempfile, pathlib, pandas as pd
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "a.xlsx"
    >>> frame = pd.DataFrame({"municipality": 727, "year": 2019, "category": "I.1.1",
    ...     "fuel": ["natural_gas", "wood"], "value": [1.0, "NE"], "unit": ["GJ", ""]})
    >>> _ = write_activity_xlsx(frame, path)
    >>> read_activity_xlsx(path)["value"].tolist()
    [1.0, 'NE']
    """
    import numpy as np
    import pandas as pd

    wb = _load(path)
    try:
        header, body = _rows(wb, path, sheet)
    finally:
        wb.close()
    absent = [c for c in _ACTIVITY_REQUIRED if c not in header]
    if absent:
        raise InputFileError(path, f"sheet {sheet!r}, row 1: the header lacks {absent} "
                             f"(has {header})")
    problems: list[str] = []
    data: dict[str, list[Any]] = {h: [] for h in header}
    keys: list[bool] = []
    for row, cells in body:
        value = cells[header.index("value")]
        is_key = isinstance(value, str) and value.strip() in _NOTATION_KEYS
        keys.append(is_key)
        for name, cell in zip(header, cells, strict=True):
            where = _where(path, sheet, row, header, name)
            text = cell.strip() if isinstance(cell, str) else cell
            if name == "value":
                if is_key:
                    data[name].append(str(text))
                elif text is None or text == "":
                    problems.append(f"{where}: empty (write a number or a notation key "
                                    "NO/IE/NE/C, never an empty cell)")
                    data[name].append(np.nan)
                elif isinstance(text, bool) or not isinstance(text, int | float):
                    problems.append(f"{where}: {text!r} is not a number or a notation key")
                    data[name].append(np.nan)
                elif not np.isfinite(float(text)):
                    problems.append(f"{where}: {text!r} is not a finite number")
                    data[name].append(np.nan)
                else:
                    data[name].append(float(text))
            elif name in ("municipality", "year"):
                number = _integer(text)
                if number is None:
                    problems.append(f"{where}: {text!r} is not a whole number")
                data[name].append(number if number is not None else 0)
            else:
                if (text is None or text == "") and not (is_key and name == "unit"):
                    problems.append(f"{where}: empty")
                data[name].append("" if text is None else str(text))
    if problems:
        raise InputFileError(path, f"{len(problems)} problem(s) in the activity sheet",
                             problems=problems)
    has_keys = any(keys)
    data["value"] = list(np.asarray(data["value"], dtype=object if has_keys else float))
    frame = pd.DataFrame(data, index=pd.Index([r for r, _ in body]))[header]
    for c in ("municipality", "year"):
        if c in frame.columns:
            frame[c] = frame[c].astype("int64")
    if not has_keys:
        frame["value"] = frame["value"].astype("float64")
    frame.attrs[_files.SOURCE_ATTR] = f"{path} (sheet {sheet!r})"
    return frame


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


# --- plans ------------------------------------------------------------------------------------


def _cell(value: Any, name: str) -> Any:
    if value is None:
        return None
    if name in _LISTS or name.split(".")[-1] in _LISTS:
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_plan_xlsx(plan: ClimateActionPlan, path: str | Path) -> Path:
    """A plan as a workbook (sheets in the module docstring); returns the path."""
    doc = plan.model_dump(mode="json")
    wb = _openpyxl().Workbook()
    wb.remove(wb.active)
    fields: list[list[Any]] = []
    for key, value in doc.items():
        if key in (*_TABLES, "baseline_emissions", "population"):
            continue
        if key in ("inventory", "adaptation"):
            fields += [[f"{key}.{k}", _cell(v, f"{key}.{k}")] for k, v in value.items()]
        elif key in _SCENARIOS:
            fields.append([f"{key}.name", None if value is None else value["name"]])
        else:
            fields.append([key, _cell(value, key)])
    _sheet(wb, "plan", ["field", "value"], fields)
    _sheet(wb, "baseline_emissions", ["sector", "t_co2e"],
           [[k, v] for k, v in doc["baseline_emissions"].items()])
    _sheet(wb, "population", ["year", "population"],
           [[int(k), v] for k, v in doc["population"].items()])
    models = {"targets": "Target", "actions": "Action", "indicators": "Indicator"}
    values: list[list[Any]] = []
    for table in _TABLES:
        from klimacore import models as _models

        columns = [c for c in getattr(_models, models[table]).model_fields
                   if not (table == "indicators" and c in ("targets", "observations"))]
        _sheet(wb, table, columns, [[_cell(item[c], c) for c in columns] for item in doc[table]])
    for ind in doc["indicators"]:
        for kind, key in (("target", "targets"), ("observation", "observations")):
            values += [[ind["id"], kind, int(y), v] for y, v in ind[key].items()]
    _sheet(wb, "indicator_values", ["indicator", "kind", "year", "value"], values)
    scen = [[name, sector, int(y), v] for name in _SCENARIOS if doc[name] is not None
            for sector, by_year in doc[name]["emissions"].items() for y, v in by_year.items()]
    _sheet(wb, "scenarios", ["scenario", "sector", "year", "t_co2e"], scen)
    return _save(wb, path)


def _plain(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value.strip()
    return value


def _from_cell(value: Any, name: str) -> Any:
    value = _plain(value)
    if value is None or value == "":
        return None
    if name in _LISTS or name.split(".")[-1] in _LISTS:
        return [] if value == "" else [v.strip() for v in str(value).split(",") if v.strip()]
    if name in _JSON_FIELDS and isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            return f"<not JSON: {exc.msg}>"
    return value


def read_plan_xlsx(path: str | Path) -> ClimateActionPlan:
    """Read a plan workbook written by :func:`write_plan_xlsx` (or filled in by hand).

    Every problem pydantic or klimacore's plan rules find is reported with its sheet, row and
    column as ``location``, all together (:class:`~klimacore.errors.Problems`: one problem is
    raised as itself, several as a :class:`~klimacore.errors.ProblemGroup`); a file that is not
    a plan workbook raises :class:`~klimacore.errors.InputFileError`.
    """
    import pydantic

    from klimacore._model_base import errors_from_pydantic
    from klimacore.errors import Problems
    from klimacore.models import ClimateActionPlan

    wb = _load(path)
    try:
        sheets = {name: _rows(wb, path, name, required=name in ("plan", *_TABLES))
                  for name in ("plan", "baseline_emissions", "population", *_TABLES,
                               "indicator_values", "scenarios")}
    finally:
        wb.close()
    where: dict[tuple[Any, ...], str] = {}
    doc: dict[str, Any] = {}
    header, body = sheets["plan"]
    for row, cells in body:
        field, value = str(cells[0]).strip(), cells[1] if len(cells) > 1 else None
        head, _, sub = field.partition(".")
        loc = (head, sub) if sub and sub != "name" else (head,)
        where[loc] = _where(path, "plan", row, header, "value")
        value = _from_cell(value, field)
        if head in _SCENARIOS:
            if value is not None:
                doc.setdefault(head, {"emissions": {}})["name"] = value
        elif sub:
            if value is not None:
                doc.setdefault(head, {})[sub] = value
        elif value is not None:
            doc[head] = value
    for sheet, key, k, v in (("baseline_emissions", "baseline_emissions", "sector", "t_co2e"),
                             ("population", "population", "year", "population")):
        header, body = sheets[sheet]
        doc[key] = {}
        for row, cells in body:
            rec = dict(zip(header, cells, strict=True))
            label = _plain(rec.get(k))
            doc[key][str(label)] = _plain(rec.get(v))
            where[(key, str(label))] = _where(path, sheet, row, header, v)
    for table in _TABLES:
        header, body = sheets[table]
        items = []
        for i, (row, cells) in enumerate(body):
            rec = {h: _from_cell(c, h) for h, c in zip(header, cells, strict=True) if h}
            items.append({h: c for h, c in rec.items() if c is not None})
            where[(table, i)] = f"{Path(path).name}, sheet {table!r}, row {row}"
            for h in header:
                where[(table, i, h)] = _where(path, table, row, header, h)
        doc[table] = items
    index = {ind.get("id"): i for i, ind in enumerate(doc["indicators"])}
    header, body = sheets["indicator_values"]
    problems = Problems(f"{Path(path).name}: plan workbook")
    for row, cells in body:
        rec = dict(zip(header, (_plain(c) for c in cells), strict=True))
        at = index.get(rec.get("indicator"))
        kind_key = {"target": "targets", "observation": "observations"}.get(str(rec.get("kind")))
        if at is None or kind_key is None:
            at_cell = _where(path, "indicator_values", row, header, "indicator")
            problems.add(f"{at_cell}: no indicator {rec.get('indicator')!r} of kind "
                         f"target/observation (kind {rec.get('kind')!r})",
                         code="xlsx.indicator_value", label=rec.get("indicator"),
                         location=at_cell)
            continue
        doc["indicators"][at].setdefault(kind_key, {})[str(rec.get("year"))] = rec.get("value")
        where[("indicators", at, kind_key, str(rec.get("year")))] = _where(
            path, "indicator_values", row, header, "value")
    header, body = sheets["scenarios"]
    for row, cells in body:
        rec = dict(zip(header, (_plain(c) for c in cells), strict=True))
        name = str(rec.get("scenario"))
        if name not in _SCENARIOS:
            at_cell = _where(path, "scenarios", row, header, "scenario")
            problems.add(f"{at_cell}: {name!r} is none of {', '.join(_SCENARIOS)}",
                         code="xlsx.scenario", label=name, location=at_cell)
            continue
        by_sector = doc.setdefault(name, {"name": name, "emissions": {}})["emissions"]
        by_sector.setdefault(str(rec.get("sector")), {})[str(rec.get("year"))] = rec.get("t_co2e")
        where[(name, "emissions", str(rec.get("sector")), str(rec.get("year")))] = _where(
            path, "scenarios", row, header, "t_co2e")
    def locate(loc: tuple[int | str, ...], field: str) -> str:
        return _locate(loc, field, where, path)

    try:
        plan = ClimateActionPlan.__pydantic_validator__.validate_python(doc)
    except pydantic.ValidationError as exc:
        for error in errors_from_pydantic(exc, prefix=ClimateActionPlan.code_prefix,
                                          locate=locate):
            problems.add(error)
    problems.raise_if_any()
    assert isinstance(plan, ClimateActionPlan)
    return plan


def _locate(loc: tuple[int | str, ...], field: str, where: Mapping[tuple[Any, ...], str],
            path: str | Path) -> str:
    """The sheet, row and column of a pydantic location (the field path where no cell is)."""
    key = tuple(str(x) if not isinstance(x, int) else x for x in loc)
    for n in range(len(key), 0, -1):
        if key[:n] in where:
            rest = ".".join(str(x) for x in key[n:] if x != "[key]")
            return f"{where[key[:n]]}{' (' + rest + ')' if rest else ''}"
    return f"{Path(path).name}, {field or 'the plan'}"
