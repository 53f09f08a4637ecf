"""Activity data as a tidy long CSV / DataFrame (internal; re-exported by :mod:`klimacore.io`).

One row per (municipality, year, category, fuel) with ``value`` and ``unit`` (units may differ
per row; any extra column such as ``scenario`` is a dimension): :func:`read_activity_csv`,
:func:`write_activity_csv`, :func:`activity_to_frame`. This is what
:func:`klimacore.territorial.inventory` takes.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore import _files
from klimacore.errors import InputFileError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = ["activity_to_frame", "read_activity_csv", "write_activity_csv"]


def activity_to_frame(activity: xr.DataArray | xr.Dataset | pd.DataFrame, *,
                      drop_zeros: bool = False) -> pd.DataFrame:
    """Activity data as a tidy long frame: dims…, ``fuel``, ``value``, ``unit``.

    Takes what :func:`klimacore.territorial.activity_array` takes. Every cell becomes a row
    (``drop_zeros=True`` leaves out zero cells, which read back as 0 anyway).

    >>> import pandas as pd
    >>> frame = pd.DataFrame({"municipality": 727, "year": 2019, "category": "I.1.1",
    ...     "fuel": ["natural_gas", "wood"], "value": [1.0, 2.0], "unit": ["GJ", "MWh"]})
    >>> activity_to_frame(frame)["unit"].tolist()
    ['GJ', 'MWh']
    """
    import pandas as pd

    from klimacore.territorial import activity_array

    if isinstance(activity, pd.DataFrame):
        return activity.copy()
    da = activity_array(activity)
    units = dict(zip(da.get_index("fuel").tolist(), da.coords["unit"].to_numpy().tolist(),
                     strict=True))
    plain = da.drop_vars("unit")
    frame = plain.to_dataframe(name="value").reset_index()
    for c in ("municipality", "year"):
        if c in frame.columns:
            frame[c] = frame[c].astype("int64")
    frame["unit"] = frame["fuel"].map(units)
    if drop_zeros:
        frame = frame[frame["value"] != 0].reset_index(drop=True)
    dims = [str(d) for d in plain.dims]
    return frame[[*dims, "value", "unit"]]


def write_activity_csv(activity: xr.DataArray | xr.Dataset | pd.DataFrame,
                       path: str | Path, *, drop_zeros: bool = False) -> Path:
    """Write activity data as a tidy CSV (see :func:`activity_to_frame`); returns the path."""
    frame = _files.escape_frame(activity_to_frame(activity, drop_zeros=drop_zeros), skip=("value",))
    with _files.atomic_write(path) as (_, fh):
        frame.to_csv(fh, index=False)
    return Path(path)


def read_activity_csv(path: str | Path, *, text: str | None = None) -> pd.DataFrame:
    """Read a tidy activity CSV (municipality, year, category, fuel, value, unit, …).

    ``municipality`` and ``year`` become integers (``2019.5`` is an error, never truncated);
    ``value`` stays numeric unless some rows hold notation keys (NO, IE, NE, C), which
    :func:`klimacore.territorial.inventory` takes. The file must be UTF-8 (a byte-order mark is
    fine); ``;``-separated files with decimal commas, as Danish Excel saves them, are read too.
    Empty files, header-only files, ragged rows, empty cells (write a notation key instead of an
    empty value), numbers beyond the float range and missing columns are errors naming the file
    and every line concerned. The frame's index holds the file's line numbers, so later problems
    (a negative value, an unknown code) name the line too.
    """
    import pandas as pd

    from klimacore.forms._activity import IGNORED_COLUMNS

    path = Path(path)
    if text is None:  # ``text``: the file's content already read (e.g. stdin), ``path`` names it
        text = _files.read_text(path)
    skip = 1 if text.startswith(_files.TIDY_HEADER) else 0
    table = _files.read_table(path, text=text, skip_lines=skip)
    absent = [c for c in ("category", "fuel", "value", "unit") if c not in table.header]
    if absent:
        raise InputFileError(path, f"activity CSV lacks columns {absent} (has {table.header})",
                             line=skip + 1)
    col = {name: i for i, name in enumerate(table.header)}
    problems: list[str] = []
    values: list[Any] = []
    for row, line in zip(table.rows, table.lines, strict=True):
        cell = row[col["value"]].strip()
        if cell in ("NO", "IE", "NE", "C"):
            values.append(cell)
            continue
        if not cell:
            problems.append(f"line {line}: value is empty (write a number or a notation key "
                            "NO/IE/NE/C, never an empty cell)")
            values.append(np.nan)
            continue
        number = _files.parse_number(cell, decimal_comma=table.decimal_comma)
        if isinstance(number, str):
            problems.append(f"line {line}: value {number}")
            number = np.nan
        values.append(number)
    has_keys = any(isinstance(v, str) for v in values)
    data: dict[str, Any] = {}
    for name, i in col.items():
        if name == "value":
            continue
        cells = [_files.unescape_cell(row[i].strip()) for row in table.rows]
        keys = [isinstance(v, str) for v in values]
        if name not in IGNORED_COLUMNS:
            empty = [line for line, c, k in zip(table.lines, cells, keys, strict=True)
                     if not c and not (k and name == "unit")]
            problems += [f"line {line}: column {name!r} is empty" for line in empty[:20]]
        if name in ("municipality", "year"):
            ints = [_files.parse_integer(c) if c else 0 for c in cells]
            problems += [f"line {line}: {name} {v}" for line, v in
                         zip(table.lines, ints, strict=True) if isinstance(v, str)][:20]
            data[name] = [v if isinstance(v, int) else 0 for v in ints]
        elif name not in ("category", "fuel", "unit") and cells and all(
                isinstance(_files.parse_integer(c), int) and "." not in c and "," not in c
                for c in cells):
            data[name] = [int(c) for c in cells]  # an integer-coded dimension (area, …)
        else:
            data[name] = cells
    data["value"] = np.asarray(values, dtype=object if has_keys else float)
    frame = pd.DataFrame(data, index=pd.Index(table.lines, name=None))[table.header]
    for c in ("municipality", "year"):
        if c in frame.columns:
            frame[c] = frame[c].astype("int64")
    frame.attrs[_files.SOURCE_ATTR] = str(path)
    if problems:  # add what the engine would find in the other rows: one round for the user
        bad_lines = {int(p.split(":")[0].removeprefix("line ")) for p in problems
                     if p.startswith("line ")}
        rest = frame.loc[[line not in bad_lines for line in frame.index]]
        if len(rest):
            problems += _activity_problems(rest)
        raise InputFileError(path, f"{len(problems)} problem(s) in the activity data",
                             problems=problems[:30] + ([f"… ({len(problems) - 30} more)"]
                                                       if len(problems) > 30 else []))
    return frame


def _activity_problems(frame: pd.DataFrame) -> list[str]:
    from klimacore.errors import KlimacoreError
    from klimacore.forms._activity import parse_frame

    try:
        parse_frame(frame, label="fuel", what="activity")
    except KlimacoreError as exc:
        return list(exc.problems) or [str(exc)]
    return []
