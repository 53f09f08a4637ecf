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
from klimacore._activity_io import activity_to_frame, read_activity_csv, write_activity_csv
from klimacore._drivers import read_municipal_drivers
from klimacore._excel import (
    read_activity_xlsx,
    read_plan_xlsx,
    write_activity_xlsx,
    write_plan_xlsx,
)
from klimacore._iamc import IAMC_COLUMNS, from_iamc, to_iamc, to_pyam
from klimacore._primap2 import from_primap2, to_primap2, write_primap2
from klimacore.errors import DataError, ValidationError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from klimacore.models import ClimateActionPlan

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
    "read_plan_json",
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
_HEADER = _files.TIDY_HEADER
_RESERVED = ("variable", "value", "text", "unit")
_DA_NAME = "__xarray_dataarray_variable__"
_JSON_ATTRS = "_klimacore_json_attrs"
_STR_DTYPE = "_klimacore_dtype"
_OBJECT = "_klimacore_object"

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
    frame = _files.escape_frame(frame, skip=("value",))
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


def read_plan_json(path: str | Path) -> ClimateActionPlan:
    """Read a plan from a JSON file: the validated plan, or every problem raised together.

    The file must be UTF-8 (a byte-order mark is fine). Problems follow klimacore's error
    contract (:func:`klimacore.models.read_plan`): one is raised as itself, several as a
    :class:`~klimacore.errors.ProblemGroup` headed by the file name; each item has a ``code``,
    the ``label`` at fault and its ``location`` (the field path; a JSON syntax error has the
    file, line and column).

    >>> import json, tempfile
    >>> from klimacore.errors import ProblemGroup
    >>> from klimacore.models import load_example_plan
    >>> doc = json.loads(load_example_plan().model_dump_json())
    >>> doc["municipality"], doc["baseline_year"] = 999, 1850
    >>> with tempfile.TemporaryDirectory() as d:
    ...     path = Path(d) / "plan.json"
    ...     _ = path.write_text(json.dumps(doc), encoding="utf-8")
    ...     try:
    ...         read_plan_json(path)
    ...     except ProblemGroup as group:
    ...         print([(e.code, e.location) for e in group.exceptions])
    [('plan.municipality', 'municipality'), ('plan.year_range', 'baseline_year')]
    """
    from klimacore.models import read_plan

    path = Path(path)
    return read_plan(_files.read_text(path), source=str(path))


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
    return from_frame(_files.unescape_frame(frame), meta)


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
