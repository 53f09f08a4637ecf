"""Named checks on input frames and arrays, each returning problems rather than raising (internal).

A reader runs every check, collects what they find and raises once, so a user sees the empty
cell, the unit typo and the unknown label of one file in one round. Rows are named as the user
knows them: ``file, line N`` for a frame read from a file by :mod:`klimacore.io` (which records
the path and keeps the file's line numbers as the index), else ``row <index label>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore._files import SOURCE_ATTR
from klimacore.errors import DataError, KlimacoreError, UnitError, ValidationError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr


MIN_DATA_YEAR, MAX_DATA_YEAR = 1900, 2100
"""Years accepted in data (inventories reach back before the 1990 base year; plans do not)."""

_UNNAMED = re.compile(r"^Unnamed: \d+")
_LIMIT = 20


def row_names(frame: pd.DataFrame, positions: Sequence[int] | np.ndarray[Any, Any]) -> list[str]:
    """How to name rows at ``positions`` of ``frame`` to a user."""
    path = frame.attrs.get(SOURCE_ATTR)
    labels = frame.index[np.asarray(positions, dtype=np.intp)].tolist()
    if path is not None:
        return [f"{path}, line {label}" for label in labels]
    return [f"row {label!r}" if not isinstance(label, int) else f"row {label}" for label in labels]


def show_cell(value: Any) -> str:
    """A cell as a user wrote it: ``2019.5``, ``'abc'`` (not ``np.float64(2019.5)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def limited(problems: list[str], what: str = "") -> list[str]:
    """At most 20 problems, then a count of the rest."""
    if len(problems) <= _LIMIT:
        return problems
    return [*problems[:_LIMIT], f"… and {len(problems) - _LIMIT} more{what}"]


def index_as_columns(frame: pd.DataFrame, what: str) -> tuple[pd.DataFrame, list[str]]:
    """Named index levels become columns (they are data: municipality, year, …), never ignored."""
    if frame.attrs.get(SOURCE_ATTR) is not None:
        return frame, []
    names = [n for n in frame.index.names if n is not None]
    if not names:
        return frame, []
    clash = [n for n in names if n in frame.columns]
    if clash:
        return frame, [f"{what}: index level(s) {clash} are also columns; drop one of them"]
    unnamed = [i for i, n in enumerate(frame.index.names) if n is None]
    if unnamed and len(unnamed) < frame.index.nlevels:
        return frame, [f"{what}: the index has named levels {names} and unnamed ones; name every "
                       "level or reset_index() first"]
    out = frame.reset_index()
    out.attrs = dict(frame.attrs)
    return out, []


def stray_columns(frame: pd.DataFrame, what: str) -> list[str]:
    """Columns that would become dimensions by accident: pandas' ``Unnamed: 0`` (a written index)."""
    stray = [str(c) for c in frame.columns if _UNNAMED.match(str(c)) or str(c).strip() == ""]
    if not stray:
        return []
    return [f"{what}: column(s) {stray} have no name (a pandas index written to the file?): drop "
            "them, or write the file with index=False / read it with index_col=0"]


def label_problems(frame: pd.DataFrame, dims: Sequence[str], what: str) -> list[str]:
    """Municipality and region codes that are not Danish codes; years that are not years."""
    import pandas as pd

    from klimacore import reference

    problems: list[str] = []
    known = {"municipality": set(reference.municipalities()["code"].astype(int).tolist()),
             "region": set(reference.regions()["region_code"].astype(int).tolist())}
    for col in ("municipality", "region", "year"):
        if col not in dims:
            continue
        raw = frame[col]
        empty = raw.isna().to_numpy(dtype=bool)
        if pd.api.types.is_bool_dtype(raw.dtype):
            problems.append(f"{what}: column {col!r} holds booleans, not codes")
            continue
        numbers = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        not_number = np.isnan(numbers) & ~empty
        fractional = np.isfinite(numbers) & (numbers != np.round(numbers))
        for name, rows in (("is empty", np.flatnonzero(empty)),
                           ("is not a whole number", np.flatnonzero(not_number | fractional))):
            problems += [f"{where}: {col} {show_cell(raw.iloc[i])} {name}" if name != "is empty" else
                         f"{where}: {col} is empty" for where, i in
                         zip(row_names(frame, rows[:_LIMIT]), rows[:_LIMIT], strict=True)]
            if len(rows) > _LIMIT:
                problems.append(f"… and {len(rows) - _LIMIT} more rows where {col} {name}")
        whole = np.isfinite(numbers) & ~fractional
        if col == "year":
            bad = np.flatnonzero(whole & ((numbers < MIN_DATA_YEAR) | (numbers > MAX_DATA_YEAR)))
            labels = sorted({int(numbers[i]) for i in bad})
            if labels:
                problems.append(f"{what}: year(s) {labels[:_LIMIT]} are outside "
                                f"{MIN_DATA_YEAR}–{MAX_DATA_YEAR} (first at "
                                f"{row_names(frame, bad[:1])[0]})")
        else:
            bad = np.flatnonzero(whole & ~np.isin(numbers, sorted(known[col])))
            labels = sorted({int(numbers[i]) for i in bad})
            if labels:
                kind = "98 municipality codes (101–860)" if col == "municipality" else \
                    "5 region codes (1081–1085)"
                problems.append(f"{what}: {col} code(s) {labels[:_LIMIT]} are not among the "
                                f"Danish {kind} (first at {row_names(frame, bad[:1])[0]})")
    return problems


def negative_problems(frame: pd.DataFrame, values: np.ndarray[Any, Any], what: str,
                      allowed: np.ndarray[Any, Any] | None = None) -> list[str]:
    """Rows with a negative value where none may be (``allowed`` marks rows that may)."""
    neg = values < 0
    if allowed is not None:
        neg &= ~allowed
    rows = np.flatnonzero(neg)
    out = [f"{where}: {what} value {values[i]:g} is negative" for where, i in
           zip(row_names(frame, rows[:_LIMIT]), rows[:_LIMIT], strict=True)]
    if len(rows) > _LIMIT:
        out.append(f"… and {len(rows) - _LIMIT} more negative {what} values")
    if out:
        out[-1] += (" (only removals may be negative, e.g. direct emissions in LULUCF, GPC V.2)"
                    if allowed is not None else " (a negative here is never meaningful)")
    return out


def unique_labels(obj: xr.DataArray | xr.Dataset, what: str) -> list[str]:
    """Dimensions of an xarray input whose labels repeat (they would be summed or picked silently)."""
    out = []
    for dim in obj.dims:
        if dim not in obj.indexes:
            continue
        index = obj.indexes[dim]
        if not index.is_unique:
            dups = sorted({str(v) for v in index[index.duplicated()].tolist()})
            out.append(f"{what}: {dim!s} labels repeat: {dups[:_LIMIT]}")
    return out


def finite_values(values: np.ndarray[Any, Any], what: str) -> list[str]:
    """NaN or infinite cells in an xarray input (unreported is missing, never 0)."""
    out = []
    n_nan = int(np.isnan(values).sum())
    n_inf = int(np.isinf(values).sum())
    if n_nan:
        out.append(f"{what}: {n_nan} NaN value(s) (unreported is not zero: give a number or a "
                   "notation key)")
    if n_inf:
        out.append(f"{what}: {n_inf} infinite value(s)")
    return out


def raise_collected(kinds: dict[str, list[str]], what: str) -> None:
    """Raise one error holding every problem; its class says which kind when there is one kind.

    ``kinds`` maps ``"data"``, ``"value"`` and ``"unit"`` (and any other) to problems.
    """
    found = {k: v for k, v in kinds.items() if v}
    if not found:
        return
    problems = [p for v in found.values() for p in v]
    cls: type[KlimacoreError] = ValidationError
    if set(found) == {"unit"}:
        cls = UnitError
    elif set(found) == {"data"}:
        cls = DataError
    if len(problems) > 1:
        summary = f"{what}: {len(problems)} problem(s)"
    else:  # one problem: its own text, prefixed once ("activity: …", never "activity: activity: …")
        summary = problems[0] if problems[0].startswith(f"{what}:") else f"{what}: {problems[0]}"
    kind = next(iter(found)) if len(found) == 1 else "problems"
    raise cls(summary, problems=problems, code=f"{what.replace(' ', '_')}.{kind}")
