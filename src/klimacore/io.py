"""Reading and writing klimacore data: tidy long CSV / DataFrames and netCDF.

Two layouts:

* **Activity data** as a tidy long table, one row per (municipality, year, category, fuel) with
  ``value`` and ``unit`` (units may differ per row; any extra column such as ``scenario`` is a
  dimension). :func:`read_activity_csv` / :func:`write_activity_csv` /
  :func:`activity_to_frame`. This is what :func:`klimacore.territorial.inventory` takes.
* **Any Dataset or DataArray** (an inventory, totals, …) as a long table with one row per cell of
  every variable: ``variable``, one column per dimension, ``value`` (numbers), ``text`` (string
  variables such as ``notation_key``) and ``unit``. :func:`to_frame` / :func:`from_frame` keep
  the coordinates' order and dtypes, non-dimension coordinates and all attrs in
  ``frame.attrs["klimacore"]``; :func:`write_csv` stores that as a first line
  ``# klimacore: {json}`` (read the file with ``pandas.read_csv(path, skiprows=1)`` elsewhere)
  and :func:`read_csv` restores the object exactly: values, units and attrs.

netCDF (:func:`to_netcdf` / :func:`read_netcdf`) uses the optional ``h5netcdf`` engine
(``pip install 'klimacore[netcdf]'``). Attributes netCDF cannot hold (booleans, None, dicts,
lists) are stored as JSON text and decoded on reading, so the round trip is exact.

Examples
--------
>>> import numpy as np, xarray as xr
>>> da = xr.DataArray(np.array([[1.5, 2.0]]), dims=("year", "category"),
...                   coords={"year": [2019], "category": ["I.1.1", "V.1"]},
...                   attrs={"units": "t", "gwp_metric": "AR5GWP100", "illustrative": True})
>>> frame = to_frame(da)
>>> frame[["variable", "year", "category", "value", "unit"]].to_numpy().tolist()
[['__xarray_dataarray_variable__', 2019, 'I.1.1', 1.5, 't'], ['__xarray_dataarray_variable__', 2019, 'V.1', 2.0, 't']]
>>> from_frame(frame).identical(da)
True
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore import _files
from klimacore._drivers import read_municipal_drivers
from klimacore._excel import (
    read_activity_xlsx,
    read_plan_xlsx,
    write_activity_xlsx,
    write_plan_xlsx,
)
from klimacore._iamc import IAMC_COLUMNS, from_iamc, to_iamc, to_pyam
from klimacore._primap2 import from_primap2, to_primap2, write_primap2
from klimacore.errors import DataError, InputFileError, ValidationError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = [
    "IAMC_COLUMNS",
    "activity_to_frame",
    "from_frame",
    "from_iamc",
    "from_primap2",
    "read_activity_csv",
    "read_activity_xlsx",
    "read_csv",
    "read_municipal_drivers",
    "read_netcdf",
    "read_plan_xlsx",
    "to_frame",
    "to_iamc",
    "to_netcdf",
    "to_primap2",
    "to_pyam",
    "write_activity_csv",
    "write_activity_xlsx",
    "write_csv",
    "write_plan_xlsx",
    "write_primap2",
]

FORMAT = "klimacore-tidy/1"
_HEADER = "# klimacore: "
_RESERVED = ("variable", "value", "text", "unit")
_DA_NAME = "__xarray_dataarray_variable__"
_JSON_ATTRS = "_klimacore_json_attrs"
_STR_DTYPE = "_klimacore_dtype"
_OBJECT = "_klimacore_object"

# --- activity ---------------------------------------------------------------------------------


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
    frame = _escaped(activity_to_frame(activity, drop_zeros=drop_zeros), skip=("value",))
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
    skip = 1 if text.startswith(_HEADER) else 0
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


def _escaped(frame: pd.DataFrame, skip: tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy with text cells a spreadsheet would run as formulas escaped (see _files)."""
    out = frame.copy()
    for name in out.columns:
        if name in skip or out[name].dtype.kind not in "OSUT":
            continue
        out[name] = [(_files.escape_cell(v) if isinstance(v, str) else v) for v in out[name]]
    return out


def _unescaped(frame: pd.DataFrame) -> pd.DataFrame:
    for name in frame.columns:
        if name == "value" or frame[name].dtype.kind not in "OSUT":
            continue
        frame[name] = [(_files.unescape_cell(v) if isinstance(v, str) else v) for v in frame[name]]
    return frame


# --- any Dataset / DataArray as a tidy frame ---------------------------------------------------


def _encode_value(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return {"__ndarray__": v.tolist(), "dtype": str(v.dtype)}
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, Mapping):
        return {str(k): _encode_value(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_encode_value(x) for x in v]
    if v is None or isinstance(v, bool | int | float | str):
        return v
    raise DataError(f"cannot store attribute value of type {type(v).__name__}: {v!r}")


def _decode_value(v: Any) -> Any:
    if isinstance(v, dict):
        if set(v) == {"__ndarray__", "dtype"}:
            return np.asarray(v["__ndarray__"], dtype=v["dtype"])
        return {k: _decode_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_decode_value(x) for x in v]
    return v


def _attrs_json(attrs: Mapping[Hashable, Any]) -> dict[str, Any]:
    return {str(k): _encode_value(v) for k, v in attrs.items()}


def _coord_meta(var: Any) -> dict[str, Any]:
    values = np.asarray(var.values)
    # datetimes as int64 counts of their own unit (exact; NaT too); everything else as is
    plain = values.view(np.int64) if values.dtype.kind in "mM" else values
    return {"dims": [str(d) for d in var.dims], "dtype": values.dtype.str,
            "values": plain.tolist(), "attrs": _attrs_json(var.attrs)}


def _coord_values(c: Mapping[str, Any]) -> np.ndarray[Any, Any]:
    dtype = np.dtype(c["dtype"])
    if dtype.kind in "mM":
        return np.asarray(c["values"], dtype=np.int64).view(dtype)
    return np.asarray(c["values"], dtype=dtype)


def _labels(meta: Mapping[str, Any], dim: str) -> np.ndarray[Any, Any]:
    """The labels of ``dim``: its coordinate, or positions for a dimension without one."""
    if dim in meta["coords"]:
        return _coord_values(meta["coords"][dim])
    return np.arange(int(meta.get("sizes", {})[dim]), dtype=np.int64)


def _as_dataset(obj: xr.Dataset | xr.DataArray) -> tuple[xr.Dataset, str | None]:
    import xarray as xr

    if isinstance(obj, xr.DataArray):
        name = obj.name if obj.name is not None else _DA_NAME
        return obj.to_dataset(name=name, promote_attrs=True), str(name)
    if isinstance(obj, xr.Dataset):
        return obj, None
    raise ValidationError(f"expected an xarray Dataset or DataArray, got {type(obj).__name__}")


def to_frame(obj: xr.Dataset | xr.DataArray) -> pd.DataFrame:
    """A Dataset or DataArray as a tidy long frame, metadata in ``frame.attrs["klimacore"]``.

    Columns: ``variable``, every dimension (empty where a variable lacks it), ``value`` for
    numeric variables, ``text`` for string variables (e.g. notation keys) and ``unit`` (the
    variable's ``units`` attr). :func:`from_frame` turns it back into the same object.
    """
    import pandas as pd

    ds, da_name = _as_dataset(obj)
    dims = [str(d) for d in ds.dims]
    clash = [d for d in dims if d in _RESERVED]
    if clash:
        raise DataError(f"dimension names {clash} collide with the tidy columns {_RESERVED}")
    parts = []
    for name, var in ds.data_vars.items():
        values = np.asarray(var.values)
        cols: dict[str, Any] = {}
        grids = np.meshgrid(*[np.arange(ds.sizes[d]) for d in var.dims], indexing="ij")
        for d, g in zip(var.dims, grids, strict=True):
            cols[str(d)] = np.asarray(ds.get_index(d))[g.ravel()] if g.size else []
        part = pd.DataFrame(cols, index=pd.RangeIndex(values.size))
        part.insert(0, "variable", str(name))
        if values.dtype.kind in "USO":
            part["value"] = np.nan
            part["text"] = values.ravel().astype(str)
        elif values.dtype.kind in "fiub":
            if values.dtype.kind in "iu" and values.size and (
                    values.max() > 2**53 or (values.dtype.kind == "i" and values.min() < -2**53)):
                raise DataError(f"variable {name!r} holds integers beyond ±2^53, which the tidy "
                                "'value' column (a float) cannot hold exactly; write it with "
                                "to_netcdf(), or as float or text")
            part["value"] = values.ravel().astype(float)
            part["text"] = ""
        else:
            raise DataError(f"variable {name!r} has dtype {values.dtype}; only numbers and text")
        part["unit"] = str(var.attrs.get("units", ""))
        parts.append(part)
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["variable", *dims, "value", "text", "unit"])
    for d in dims:
        if d not in frame.columns:
            frame[d] = pd.Series(dtype=object)
        kind = np.asarray(ds.get_index(d)).dtype.kind
        if kind in "iu":
            frame[d] = frame[d].astype("Int64" if kind == "i" else "UInt64")
    frame = frame[["variable", *dims, "value", "text", "unit"]]
    meta = {
        "format": FORMAT,
        "object": "DataArray" if da_name is not None else "Dataset",
        "name": da_name,
        "attrs": _attrs_json(ds.attrs),
        "dims": dims,
        "sizes": {d: int(ds.sizes[d]) for d in dims},
        "coords": {str(n): _coord_meta(c) for n, c in ds.coords.items()},
        "variables": {str(n): {"dims": [str(d) for d in v.dims],
                               "dtype": np.asarray(v.values).dtype.str,
                               "attrs": _attrs_json(v.attrs)} for n, v in ds.data_vars.items()},
    }
    frame.attrs["klimacore"] = meta
    return frame


def from_frame(frame: pd.DataFrame, meta: Mapping[str, Any] | None = None) -> Any:
    """Rebuild the Dataset or DataArray that :func:`to_frame` wrote.

    ``meta`` defaults to ``frame.attrs["klimacore"]``. Every cell must be present exactly once;
    a label not among the stored coordinates is an error naming it.
    """
    import pandas as pd
    import xarray as xr

    meta = dict(meta if meta is not None else frame.attrs.get("klimacore", {}))
    if meta.get("format") != FORMAT:
        raise DataError(f"frame has no klimacore metadata (format {FORMAT!r}); write it with "
                        "to_frame()/write_csv()")
    coords: dict[str, Any] = {}
    for name, c in meta["coords"].items():
        values = _coord_values(c)
        coords[name] = xr.Variable(c["dims"], values, attrs=_decode_attrs(c["attrs"]))
    data_vars: dict[str, Any] = {}
    groups = {str(k): g for k, g in frame.groupby("variable", sort=False)}
    for name, v in meta["variables"].items():
        rows = groups.get(name)
        if rows is None:
            raise DataError(f"frame has no rows for variable {name!r}")
        dims = v["dims"]
        shape = tuple(len(_labels(meta, d)) for d in dims)
        dtype = np.dtype(v["dtype"])
        codes = []
        for d in dims:
            labels = _labels(meta, d)
            col = rows[d].to_numpy()
            if labels.dtype.kind in "iu":
                col = pd.to_numeric(rows[d]).to_numpy(dtype=labels.dtype)
            else:
                col = col.astype(labels.dtype) if labels.dtype.kind != "O" else col
            idx = pd.Index(labels).get_indexer(col)
            if (idx < 0).any():
                bad = sorted({str(x) for x in col[idx < 0]})
                raise DataError(f"variable {name!r}: labels {bad[:20]} are not in coordinate {d!r}")
            codes.append(idx)
        flat = np.ravel_multi_index(tuple(codes), shape) if dims else np.zeros(len(rows), np.intp)
        count = np.bincount(flat, minlength=int(np.prod(shape)))
        if (count != 1).any():
            raise DataError(f"variable {name!r}: {int((count == 0).sum())} cells missing, "
                            f"{int((count > 1).sum())} repeated")
        if dtype.kind in "USO":
            data = np.empty(int(np.prod(shape)), dtype=dtype)
            data[flat] = rows["text"].fillna("").astype(str).to_numpy().astype(dtype)
        else:
            data = np.empty(int(np.prod(shape)), dtype=dtype)
            data[flat] = rows["value"].to_numpy(dtype=float).astype(dtype)
        data_vars[name] = xr.Variable(dims, data.reshape(shape), attrs=_decode_attrs(v["attrs"]))
    ds = xr.Dataset(data_vars, coords=coords, attrs=_decode_attrs(meta["attrs"]))
    if meta.get("object") == "DataArray":
        da = ds[meta["name"]]
        da.attrs = _decode_attrs(meta["attrs"])
        if meta["name"] == _DA_NAME:
            da.name = None
        return da
    return ds


def _decode_attrs(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _decode_value(v) for k, v in attrs.items()}


def write_csv(obj: xr.Dataset | xr.DataArray, path: str | Path) -> Path:
    """Write a Dataset/DataArray as a tidy CSV; the first line holds the metadata as JSON.

    >>> import tempfile, xarray as xr
    >>> da = xr.DataArray([0.1 + 0.2], dims="year", coords={"year": [2024]},
    ...                   attrs={"units": "t", "scope2": {"method": "national_location"}})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     back = read_csv(write_csv(da, Path(d) / "x.csv"))
    >>> back.identical(da), back.attrs["scope2"]
    (True, {'method': 'national_location'})
    """
    frame = to_frame(obj)
    meta = json.dumps(frame.attrs["klimacore"], ensure_ascii=False, allow_nan=True)
    frame = _escaped(frame, skip=("value",))
    with _files.atomic_write(path) as (_, fh):
        assert fh is not None
        fh.write(_HEADER + meta + "\n")
        frame.to_csv(fh, index=False)
    return Path(path)


def _read_header(path: Path) -> dict[str, Any] | None:
    with path.open(encoding="utf-8-sig") as fh:
        first = fh.readline()
    if first.startswith(_HEADER):
        meta: dict[str, Any] = json.loads(first[len(_HEADER):])
        return meta
    return None


def read_csv(path: str | Path) -> Any:
    """Read what :func:`write_csv` wrote: the same Dataset or DataArray, exactly."""
    import pandas as pd

    path = Path(path)
    meta = _read_header(path)
    if meta is None:
        raise DataError(f"{path}: no '{_HEADER.strip()}' metadata line; for plain tidy activity "
                        "data use read_activity_csv()")
    text_cols = {d: str for d, c in meta["coords"].items()
                 if d in meta["dims"] and np.dtype(c["dtype"]).kind in "USO"}
    frame = pd.read_csv(path, skiprows=1, keep_default_na=False, na_values={"value": [""]},
                        float_precision="round_trip",
                        dtype={"variable": str, "text": str, "unit": str, **text_cols},
                        encoding="utf-8-sig")
    return from_frame(_unescaped(frame), meta)


# --- netCDF -------------------------------------------------------------------------------------


def _require_h5netcdf() -> None:
    try:
        import h5netcdf  # noqa: F401
        import h5py  # type: ignore[import-untyped]  # noqa: F401  (h5netcdf's writer)
    except ImportError as exc:
        raise ImportError(
            f"netCDF files need the optional dependencies h5netcdf and h5py ({exc}): "
            "pip install 'klimacore[netcdf]'"
        ) from exc


def _encode_nc_attrs(attrs: Mapping[Hashable, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    encoded: list[str] = []
    for k, v in attrs.items():
        key = str(k)
        plain_number = (isinstance(v, int | float | np.integer | np.floating)
                        and not isinstance(v, bool | np.bool_))
        # HDF5 strings cannot hold NUL: such a string takes the JSON path, which escapes it.
        plain_text = isinstance(v, str) and "\x00" not in v
        if plain_text or plain_number or (isinstance(v, np.ndarray) and v.dtype.kind in "iuf"):
            out[key] = v
        else:
            out[key] = json.dumps(_encode_value(v), ensure_ascii=False, allow_nan=True)
            encoded.append(key)
    if encoded:
        out[_JSON_ATTRS] = json.dumps(encoded)
    return out


def _decode_nc_attrs(attrs: Mapping[Hashable, Any]) -> dict[str, Any]:
    encoded = set(json.loads(attrs[_JSON_ATTRS])) if _JSON_ATTRS in attrs else set()
    out: dict[str, Any] = {}
    for k, v in attrs.items():
        key = str(k)
        if key in (_JSON_ATTRS, _STR_DTYPE, _OBJECT):
            continue
        if key in encoded:
            out[key] = _decode_value(json.loads(v))
        elif isinstance(v, np.generic):
            out[key] = v.item()
        else:
            out[key] = v
    return out


def to_netcdf(obj: xr.Dataset | xr.DataArray, path: str | Path) -> Path:
    """Write a Dataset/DataArray to netCDF-4 (h5netcdf), keeping values, units and attrs exactly.

    >>> import tempfile, xarray as xr
    >>> ds = xr.Dataset({"notation_key": ("category", np.array(["", "NO"]))},
    ...                 coords={"category": ["I.1.1", "I.4.4"]},
    ...                 attrs={"illustrative": True, "release_date": None})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     back = read_netcdf(to_netcdf(ds, Path(d) / "inv.nc"))
    >>> back.identical(ds), back.attrs
    (True, {'illustrative': True, 'release_date': None})
    """
    _require_h5netcdf()
    path = Path(path)
    ds, da_name = _as_dataset(obj)
    out = ds.copy()
    out.attrs = _encode_nc_attrs(ds.attrs)
    if da_name is not None:
        out.attrs[_OBJECT] = json.dumps({"name": da_name})
    for name in [*out.data_vars, *out.coords]:
        var = ds[name]
        attrs = _encode_nc_attrs(var.attrs)
        kind = np.asarray(var.values).dtype
        if kind.kind in "USO":
            attrs[_STR_DTYPE] = kind.str
        if kind.kind in "mM":  # as int64 counts of the dtype's own unit: exact, NaT included
            attrs[_STR_DTYPE] = kind.str
            out[name] = var.copy(data=np.asarray(var.values).view(np.int64))
        out[name].attrs = attrs
        out[name].encoding = {}
    _files.write_with(path, lambda tmp: out.to_netcdf(tmp, engine="h5netcdf"))
    return Path(path)


def read_netcdf(path: str | Path) -> Any:
    """Read what :func:`to_netcdf` wrote: the same Dataset or DataArray, exactly."""
    _require_h5netcdf()
    import xarray as xr

    with xr.open_dataset(Path(path), engine="h5netcdf", decode_times=False,
                         decode_timedelta=False) as raw:
        ds = raw.load()
    obj = json.loads(ds.attrs[_OBJECT]) if _OBJECT in ds.attrs else None
    for name in [*ds.data_vars, *ds.coords]:
        var = ds[name]
        dtype = var.attrs.get(_STR_DTYPE)
        attrs = _decode_nc_attrs(var.attrs)
        if dtype is not None and np.dtype(str(dtype)).kind in "mM":
            ds[name] = var.copy(data=np.asarray(var.values).astype(np.int64).view(
                np.dtype(str(dtype))))
        elif dtype is not None:
            ds[name] = var.astype(np.dtype(str(dtype)))
        ds[name].attrs = attrs
        ds[name].encoding = {}
    ds.attrs = _decode_nc_attrs(ds.attrs)
    ds.encoding = {}
    if obj is not None:
        da = ds[obj["name"]]
        da.attrs = dict(ds.attrs)
        if obj["name"] == _DA_NAME:
            da.name = None
        return da
    return ds


# --- importers (own modules, re-exported here) ------------------------------------------------

from klimacore._eco2 import (  # noqa: E402
    aggregate_eco2_sectors,
    eco2_sector_map,
    read_energi_co2_regnskab,
)

__all__ += ["aggregate_eco2_sectors", "eco2_sector_map", "read_energi_co2_regnskab"]
