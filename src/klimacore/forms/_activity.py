"""The activity form: tidy frames, DataArrays and Datasets to one labelled array, checked once.

:func:`as_activity` (also ``to_activity``) is the one converter: every check of activity data
(columns, values, codes, years, units, categories) and every unit conversion happens here, once;
engines take the :class:`Activity` it returns.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError, UnitError, ValidationError
from klimacore.forms._checks import (
    finite_values,
    index_as_columns,
    label_problems,
    limited,
    negative_problems,
    raise_collected,
    row_names,
    show_cell,
    stray_columns,
    unique_labels,
)
from klimacore.forms._factors import as_label_array
from klimacore.forms._gpc import NOTATION_KEYS, gpc, unknown_categories
from klimacore.units import conversion_factor

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

IGNORED_COLUMNS: tuple[str, ...] = ("source", "note", "notes", "comment", "comments",
                                     "remark", "remarks")
"""Columns of a tidy frame that describe rows and are not dimensions."""

LEADING_DIMS: tuple[str, ...] = ("municipality", "region", "year", "category")

MAX_ABS_VALUE = 1e20
"""Largest magnitude accepted in a tidy input row, in the row's own unit. Denmark's whole energy
use is about 7e17 J a year, so no municipal quantity comes near it in any unit klimacore reads;
beyond it lie fill values (9.97e36 in netCDF), Excel's 9.99e307 and typos, and products that
overflow to infinity."""


def _ordered_labels(name: str, values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Unique labels of a dimension: municipality/year sorted, category in GPC order, else as met."""
    import pandas as pd

    uniq = as_label_array(pd.unique(values))
    if name == "category":
        index = gpc().index
        known = sorted((c for c in uniq.tolist() if c in index), key=index.__getitem__)
        unknown = [c for c in uniq.tolist() if c not in index]
        return np.asarray(known + unknown, dtype=str)
    if name in ("municipality", "year", "region") or uniq.dtype.kind in "iu":
        return np.sort(uniq)
    return uniq


def dense_from_frame(
    frame: pd.DataFrame, dims: Sequence[str], values: np.ndarray[Any, Any], what: str
) -> tuple[np.ndarray[Any, Any], dict[str, np.ndarray[Any, Any]], np.ndarray[Any, Any]]:
    """Scatter ``values`` of a long frame into a dense array over ``dims`` (absent cells: 0).

    Also returns which cells of every dim but the last (the fuel or gas) have at least one row:
    the reported cells. Raises DataError naming the duplicated keys.
    """
    import pandas as pd

    coords: dict[str, np.ndarray[Any, Any]] = {}
    codes: list[np.ndarray[Any, Any]] = []
    for d in dims:
        col = as_label_array(frame[d].to_numpy())
        labels = _ordered_labels(d, col)
        coords[d] = labels
        codes.append(pd.Index(labels).get_indexer(col))
    shape = tuple(len(c) for c in coords.values())
    flat = np.ravel_multi_index(tuple(codes), shape) if dims else np.zeros(len(values), np.intp)
    counts = np.bincount(flat, minlength=int(np.prod(shape)))
    if (counts > 1).any():
        dup = np.flatnonzero(counts[flat] > 1)
        keys = sorted({tuple(_py(frame[d].iloc[i]) for d in dims) for i in dup}, key=str)
        raise DataError(f"duplicate rows in {what} for ({', '.join(dims)}): {keys[:20]}"
                        + (f" … ({len(keys) - 20} more)" if len(keys) > 20 else ""))
    data = np.zeros(shape)
    data.reshape(-1)[flat] = values
    reported = np.asarray(counts.reshape(shape).any(axis=-1) if dims else True, dtype=bool)
    return data, coords, reported


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def frame_dims(frame: pd.DataFrame, reserved: Sequence[str]) -> list[str]:
    """Dimension columns of a tidy frame: every column but the reserved and ignored ones."""
    rest = [c for c in frame.columns if c not in reserved and c not in IGNORED_COLUMNS]
    lead = [c for c in LEADING_DIMS if c in rest]
    return lead + [c for c in rest if c not in lead]


def split_values(frame: pd.DataFrame, what: str
                 ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], list[str]]:
    """Numeric values, a mask of notation-key rows (value NO/IE/NE/C) and the problems found.

    Problems are cells that are neither numbers nor notation keys, empty cells and infinite
    values, each naming its row and the reason.
    """
    import pandas as pd

    raw = frame["value"]
    problems: list[str] = []
    if pd.api.types.is_numeric_dtype(raw.dtype) and not pd.api.types.is_bool_dtype(raw.dtype):
        values = raw.to_numpy(dtype=float, na_value=np.nan)
        is_key = np.zeros(len(values), dtype=bool)
    else:
        text = raw.astype("string").str.strip()
        is_key = text.isin(NOTATION_KEYS).fillna(False).to_numpy(dtype=bool)
        values = pd.to_numeric(text.where(~text.isin(NOTATION_KEYS)), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan)
        bad_text = np.flatnonzero(~is_key & np.isnan(values) & text.notna().to_numpy(dtype=bool)
                                  & (text.fillna("") != "").to_numpy(dtype=bool))
        problems += [f"{where}: {what} value {show_cell(raw.iloc[i])} is neither a number nor a notation "
                     f"key ({', '.join(NOTATION_KEYS)})"
                     for where, i in zip(row_names(frame, bad_text), bad_text, strict=True)]
        values[bad_text] = 0.0  # reported above; keeps the checks below from naming it twice
    missing = np.flatnonzero(np.isnan(values) & ~is_key)
    problems += [f"{where}: {what} value is empty (write a number or a notation key NO/IE/NE/C, "
                 "never an empty cell)" for where in row_names(frame, missing)]
    inf = np.flatnonzero(np.isinf(values))
    problems += [f"{where}: {what} value {show_cell(raw.iloc[i])} is infinite (beyond ±1.8e308)"
                 for where, i in zip(row_names(frame, inf), inf, strict=True)]
    huge = np.flatnonzero(np.isfinite(values) & (np.abs(values) > MAX_ABS_VALUE))
    problems += [f"{where}: {what} value {values[i]:g} is beyond ±{MAX_ABS_VALUE:g}, more than "
                 "any quantity a municipality reports in any unit (a fill value or a typo?)"
                 for where, i in zip(row_names(frame, huge), huge, strict=True)]
    return values, is_key, limited(problems, f" {what} value problems")


def _removal_rows(frame: pd.DataFrame, label: str) -> np.ndarray[Any, Any] | None:
    """Rows that may be negative: direct emissions (label ``gas``) in LULUCF (GPC V.2), which
    holds removals; activity never."""
    if label != "gas":
        return None
    cats = frame["category"].astype(str).str.strip()
    return (cats.str.startswith("V.2")).to_numpy(dtype=bool)


def parse_frame(
    frame: pd.DataFrame, *, label: str, what: str
) -> tuple[xr.DataArray | None, pd.DataFrame | None, xr.DataArray | None]:
    """A tidy frame (dims…, ``label``, value, unit) → DataArray over (dims…, label) with a per-label
    ``unit`` coordinate, the notation-key rows (dims…, notation_key) if any, and which cells over
    (dims…) have a row (None when every cell has one): a cell without a row is not reported.

    Every problem of the frame (missing columns, stray columns, empty or non-numeric or negative
    values, unknown municipality codes, years that are not years, unit typos, and then unknown
    categories) is collected and raised together, each naming its row.
    """
    import pandas as pd
    import xarray as xr

    frame, index_problems = index_as_columns(frame, what)
    needed = [label, "value", "unit"]
    absent = [c for c in [*needed, "category"] if c not in frame.columns]
    if absent:
        raise DataError(f"{what} frame lacks columns {absent} (has {list(frame.columns)})")
    kinds: dict[str, list[str]] = {"data": index_problems + stray_columns(frame, what)}
    dims = frame_dims(frame, needed)
    kinds["data"] += label_problems(frame, dims, what)
    values, is_key, kinds["value"] = split_values(frame, what)
    finite = np.isfinite(values) & ~is_key
    kinds["value"] += negative_problems(frame, np.where(finite, values, 0.0), what,
                                        _removal_rows(frame, label))
    kinds["unit"] = []
    names_all = as_label_array(frame[label].to_numpy())
    units_all = np.asarray([str(u).strip() for u in frame["unit"].tolist()])
    canon: dict[Any, str] = {}
    for n, u, k in zip(names_all.tolist(), units_all.tolist(), is_key.tolist(), strict=True):
        if not k:
            canon.setdefault(n, u)
    rows = ~is_key
    pairs = pd.DataFrame({"n": names_all[rows], "u": units_all[rows]})
    uniq: list[tuple[Any, str]] = []
    codes = np.zeros(0, np.intp)
    if len(pairs):
        codes, found = pd.factorize(pd.MultiIndex.from_frame(pairs))
        uniq = list(found)
    scale = np.ones(len(uniq))
    for i, (n, u) in enumerate(uniq):
        try:
            scale[i] = conversion_factor(u, canon[n])
        except UnitError as exc:
            first = row_names(frame, np.flatnonzero(rows & (names_all == n) & (units_all == u))[:1])
            where = f" ({first[0]})" if first else ""
            msg = str(exc) if u == canon[n] else f"rows in {u!r} and in {canon[n]!r} ({exc})"
            kinds["unit"].append(f"{label} {n!r}{where}: {msg}")
    if any(kinds.values()) and "category" in dims:  # unknown categories join the other problems
        unknown = unknown_categories(frame["category"].astype(str).tolist())
        if unknown:
            kinds["label"] = [f"{what}: unknown GPC categories {unknown[:20]} (see "
                              "reference.gpc_categories())"]
    raise_collected(kinds, what)
    keys = None
    if is_key.any():
        key_rows = frame.loc[is_key, dims].copy()
        key_rows["notation_key"] = frame.loc[is_key, "value"].astype(str).str.strip().to_numpy()
        keys = key_rows.reset_index(drop=True)
    if not rows.any():
        return None, keys, None
    converted = values[rows] * scale[codes]
    overflow = np.flatnonzero(~np.isfinite(converted))
    if overflow.size:
        places = row_names(frame, np.flatnonzero(rows)[overflow])
        raise ValidationError(f"{what}: values overflow when converted to one unit per {label}",
                              problems=limited([f"{w}: {values[rows][i]:g} "
                                                f"{units_all[rows][i]} is too large" for w, i in
                                                zip(places, overflow, strict=True)]))
    kept = frame.loc[rows]
    data, coords, mask = dense_from_frame(kept, [*dims, label], converted, what)
    unit_list = [canon[n] for n in coords[label].tolist()]
    all_coords: dict[str, Any] = dict(coords)
    all_coords["unit"] = (label, np.asarray(unit_list))
    reported = None if mask.all() else xr.DataArray(mask, dims=dims,
                                                    coords={d: coords[d] for d in dims})
    return xr.DataArray(data, coords=all_coords, dims=[*dims, label]), keys, reported


@dataclass(frozen=True)
class Activity:
    """Activity over (…, ``fuel``), the unit of each fuel and the reported cells (internal).

    ``reported`` (bool over the dims but ``fuel``; None: every cell) marks the cells that have
    data: a (municipality, year, category) cell nobody reported is missing, never 0.
    """

    data: xr.DataArray
    units: tuple[str, ...]
    reported: xr.DataArray | None = None

    @property
    def fuels(self) -> list[Any]:
        return list(self.data.get_index("fuel").tolist())

    def select(self, fuels: Sequence[Any]) -> Activity:
        pos = {f: i for i, f in enumerate(self.fuels)}
        return Activity(self.data.sel(fuel=list(fuels)), tuple(self.units[pos[f]] for f in fuels),
                        self.reported)

    def plain(self) -> xr.DataArray:
        """The data without the ``unit`` coordinate."""
        return self.data.drop_vars("unit") if "unit" in self.data.coords else self.data


def activity_array(activity: pd.DataFrame | xr.DataArray | xr.Dataset) -> xr.DataArray:
    """Normalise activity data to one DataArray with a ``fuel`` dim and a ``unit`` coordinate.

    Parameters
    ----------
    activity
        A tidy frame with columns ``category``, ``fuel``, ``value`` and ``unit`` (units may differ
        from row to row, e.g. ``GJ`` and ``MWh``), plus dimension columns such as ``municipality``,
        ``year``, ``scenario`` (every other column but ``source``/``note``/``comment``); or a
        DataArray with a ``fuel`` dim and ``attrs["units"]`` or a ``unit`` coordinate along
        ``fuel``; or a Dataset with one variable per fuel, each with ``attrs["units"]``.

    Returns
    -------
    xarray.DataArray
        Activity over (…, ``fuel``), one unit per fuel in the ``unit`` coordinate. Rows of a
        frame are converted to the first unit met for their fuel; (municipality, year, category,
        fuel) cells with no row are 0 (no activity); two rows for the same cell are an error. A
        frame with notation-key rows is refused here: :func:`inventory` takes them.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"municipality": [727, 727], "year": [2019, 2019],
    ...     "category": ["I.1.1", "I.2.1"], "fuel": ["natural_gas", "natural_gas"],
    ...     "value": [100.0, 10.0], "unit": ["GJ", "MWh"]})
    >>> a = activity_array(frame)
    >>> a.sel(municipality=727, year=2019, fuel="natural_gas").to_numpy().tolist()
    [100.0, 36.0]
    >>> str(a["unit"].sel(fuel="natural_gas").item())
    'GJ'
    """
    act, keys = to_activity(activity)
    if keys is not None:
        raise ValidationError(
            f"activity has {len(keys)} notation-key row(s) (NO/IE/NE/C); pass it to inventory(), "
            "which keeps notation keys as their own variable")
    if act is None:
        raise ValidationError("activity has no rows")
    if "unit" in act.data.coords:
        return act.data
    return act.data.assign_coords(unit=("fuel", np.asarray(act.units)))


def to_activity(
    activity: pd.DataFrame | xr.DataArray | xr.Dataset,
) -> tuple[Activity | None, pd.DataFrame | None]:
    """Activity with per-fuel units, and any notation-key rows of a frame."""
    import pandas as pd
    import xarray as xr

    if isinstance(activity, pd.DataFrame):
        da, keys, reported = parse_frame(activity, label="fuel", what="activity")
        if da is None:
            return None, keys
        return Activity(da, tuple(str(u) for u in da.coords["unit"].to_numpy().tolist()),
                        reported), keys
    if isinstance(activity, xr.Dataset | xr.DataArray):
        _check_array(activity, "activity")
    if isinstance(activity, xr.Dataset):
        bad = [n for n, v in activity.data_vars.items() if "units" not in v.attrs]
        if bad:
            raise UnitError(f"activity variables without attrs['units']: {bad}")
        names = list(activity.data_vars)
        units = tuple(str(activity[n].attrs["units"]) for n in names)
        da = activity.to_dataarray(dim="fuel").assign_coords(
            fuel=np.asarray([str(n) for n in names]))
        da = da.transpose(*[d for d in da.dims if d != "fuel"], "fuel")
        return Activity(da, units), None
    if isinstance(activity, xr.DataArray):
        if "fuel" not in activity.dims:
            raise DataError(f"activity needs a 'fuel' dimension (dims: {list(activity.dims)})")
        unit = activity.coords.variables.get("unit")
        if unit is not None and unit.dims == ("fuel",):
            return Activity(activity, tuple(str(u) for u in unit.to_numpy().tolist())), None
        if "units" not in activity.attrs:
            raise UnitError(
                "activity has no unit: set attrs['units'] (e.g. 'GJ') or a 'unit' coordinate "
                "along 'fuel'")
        return Activity(activity, (str(activity.attrs["units"]),) * activity.sizes["fuel"]), None
    raise ValidationError(
        f"activity must be a pandas DataFrame or an xarray DataArray/Dataset, got "
        f"{type(activity).__name__}")


as_activity = to_activity
"""The one converter of activity data into the :class:`Activity` form."""


def _check_array(obj: xr.DataArray | xr.Dataset, what: str) -> None:
    """Repeated labels, NaN, infinite and negative values of an xarray input, all at once."""
    import xarray as xr

    problems = unique_labels(obj, what)
    arrays = [obj] if isinstance(obj, xr.DataArray) else list(obj.data_vars.values())
    for arr in arrays:
        values = np.asarray(arr.values)
        if values.dtype.kind not in "fiu":
            continue
        if values.size and np.isfinite(lo := values.min()) and lo >= 0 and np.isfinite(
                values.max()):  # two reductions, no temporaries: the usual, valid case
            continue
        name = what if isinstance(obj, xr.DataArray) else f"{what} variable {arr.name!r}"
        values = values.astype(float, copy=False)
        problems += finite_values(values, name)
        n_neg = int((values < 0).sum())
        if n_neg:
            problems.append(f"{name}: {n_neg} negative value(s) (activity is never negative)")
    raise_collected({"value": problems}, what)
