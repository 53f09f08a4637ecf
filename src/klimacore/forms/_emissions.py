"""Emissions series: one canonical form (:func:`as_emissions`), built once where data enter.

The form is a float :class:`xarray.DataArray` in tonnes CO2e with ``year`` (int) as the last
dimension, sorted, unique; other dimensions are entities (``municipality`` as int codes,
``region``, ``sector``, ``scenario``, ``draw``, …). ``attrs`` always carry ``units`` (``"t"``) and
``gwp_metric`` (one of :data:`klimacore.units.GWP_METRICS`; default
:data:`~klimacore.units.DEFAULT_GWP_METRIC`), and ``boundary``, ``source``, ``gases`` and
``includes_lulucf`` when the data or the caller say them (unknown stays absent, never guessed).
Every trajectory engine (checks, latest-year verdicts, budgets) takes only this form; the pandas
and dict shapes users hold are converted here and nowhere else.

Layer: :mod:`klimacore.forms` (reads :mod:`klimacore.units` and :mod:`klimacore.reference`).

Examples
--------
>>> from klimacore.forms import as_emissions
>>> e = as_emissions({2030: 30.0, 1990: 100.0}, units="kt CO2e", boundary="territorial")
>>> e["year"].to_numpy().tolist(), e.to_numpy().tolist()
([1990, 2030], [100000.0, 30000.0])
>>> sorted(e.attrs.items())
[('boundary', 'territorial'), ('gwp_metric', 'AR5GWP100'), ('units', 't')]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError, MissingLabelError, ValidationError
from klimacore.units import DEFAULT_GWP_METRIC, check_gwp_metric

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = ["as_emissions"]

_UNIT_GAS = re.compile(r"\s*(CO2-?e(q)?|CO2)\b", re.IGNORECASE)

# --- input --------------------------------------------------------------------------------------


def unit_factor(unit: str) -> float:
    from klimacore.units import conversion_factor

    text = _UNIT_GAS.sub("", unit).strip() or "t"
    return conversion_factor(text, "t")


def entity_text(dims: Sequence[str], labels: Sequence[Any]) -> str:
    if not dims:
        return "the series"
    return ", ".join(f"{d}={plain(v)}" for d, v in zip(dims, labels, strict=True))


def plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def years_from(values: Iterable[Any], what: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    arr = np.asarray(list(values))
    try:
        as_float = arr.astype(float)
    except (TypeError, ValueError):
        raise DataError(f"{what}: years must be integers, got {arr[:5].tolist()}") from None
    bad = ~np.isfinite(as_float) | (as_float != np.round(as_float))
    if bad.any():
        raise DataError(f"{what}: years must be integers, got {arr[bad][:5].tolist()}")
    return as_float.astype(np.int64)


def as_emissions(data: Any, *, units: str | None = None, gwp_metric: str | None = None,
                 boundary: str | None = None, source: str | None = None) -> xr.DataArray:
    """Emissions in the canonical form: a float DataArray in t, ``year`` last (see the module).

    Accepts an :class:`xarray.DataArray` with a ``year`` dim; a :class:`pandas.Series` whose
    index has a ``year`` level (other levels become dims); a long :class:`pandas.DataFrame` with a
    ``year`` column and one numeric value column; a wide DataFrame indexed by year (columns become
    the ``entity`` dim, or the columns' name); or a ``{year: value}`` mapping. Units come from
    ``units`` or ``attrs['units']`` (e.g. ``'kt CO2e'``; default t). Duplicate years raise an error
    naming the entity and year; missing combinations become NaN ("no data"). A form passes
    through as it is (no copy).

    Parameters
    ----------
    data
        The emissions, in one of the shapes above.
    units
        Their unit when ``attrs`` do not say it.
    gwp_metric
        The GWP set their CO2e is in; default ``attrs['gwp_metric']``, else
        :data:`klimacore.units.DEFAULT_GWP_METRIC`. Naming another set than the data's own is an
        error (convert with :func:`klimacore.units.to_co2e`; never relabel).
    boundary, source
        Stamped into ``attrs`` when given (a conflict with the data's own is an error).

    >>> import pandas as pd
    >>> s = pd.Series([5.0, 4.0], index=pd.MultiIndex.from_tuples(
    ...     [(101, 2019), (101, 2020)], names=["municipality", "year"]), name="x")
    >>> e = as_emissions(s, units="kt")
    >>> e.sel(municipality=101).to_numpy(), e.attrs["gwp_metric"]
    (array([5000., 4000.]), 'AR5GWP100')
    >>> as_emissions(e) is e
    True
    """
    import xarray as xr

    stamp = {"gwp_metric": None if gwp_metric is None else check_gwp_metric(gwp_metric),
             "boundary": boundary, "source": source}
    if isinstance(data, xr.DataArray):
        if _is_form(data, units, stamp):
            return data
        da = data
    else:
        da = _from_pandas_or_mapping(data, units)
        units = units or da.attrs.get("units")
    if "year" not in da.dims:
        raise MissingLabelError("dimension in emissions", ["year"], dim="dims")
    years = years_from(da["year"].to_numpy(), "emissions")
    if np.unique(years).size != years.size:
        dupes = sorted({int(y) for y in years if (years == y).sum() > 1})
        raise DataError(f"duplicate years in emissions (for every entity): {dupes}",
                        code="emissions.duplicate_year", label=dupes, location="year")
    unit = units or da.attrs.get("units") or da.attrs.get("unit")
    factor = unit_factor(str(unit)) if unit else 1.0
    out = da.astype(float, copy=False)
    if factor != 1.0:
        out = out * factor
    out = out.assign_coords(year=years)
    if np.any(np.diff(years) < 0):
        out = out.sortby("year")
    if out.dims[-1] != "year":
        out = out.transpose(..., "year")
    out.attrs = _attrs(da.attrs, stamp)
    out = municipality_codes(out)
    if out.chunks is None:  # dask-backed: each block is checked when it is computed
        _refuse_infinite(out)
    return out


def _is_form(da: xr.DataArray, units: str | None, stamp: Mapping[str, str | None]) -> bool:
    """Already the form (the cheap test that keeps a second conversion free)?"""
    attrs = da.attrs
    if (attrs.get("units") != "t" or units not in (None, "t") or da.dtype != np.float64
            or not da.dims or da.dims[-1] != "year" or "gwp_metric" not in attrs
            or any(v is not None and attrs.get(k) != v for k, v in stamp.items())):
        return False
    year = da.indexes.get("year")
    if year is None or year.dtype != np.int64 or not (year.is_monotonic_increasing
                                                        and year.is_unique):
        return False
    muni = da.indexes.get("municipality")
    if muni is not None and muni.dtype.kind not in "iu":
        return False
    check_gwp_metric(str(attrs["gwp_metric"]))
    if da.chunks is None:
        _refuse_infinite(da)
    return True


def _attrs(given: Mapping[str, Any], stamp: Mapping[str, str | None]) -> dict[str, Any]:
    attrs = {**given, "units": "t"}
    attrs.pop("unit", None)
    for key, value in stamp.items():
        own = given.get(key)
        if value is not None and own is not None and own != value:
            raise DataError(f"emissions: attrs[{key!r}] is {own!r} but {key}={value!r} was "
                            "given" + (": convert with klimacore.units.to_co2e, never relabel"
                                       if key == "gwp_metric" else ""),
                            code=f"emissions.{key}", label=value, location=f"attrs[{key!r}]")
        if value is not None:
            attrs[key] = value
    attrs["gwp_metric"] = check_gwp_metric(str(attrs.get("gwp_metric") or DEFAULT_GWP_METRIC))
    return attrs


def _refuse_infinite(out: xr.DataArray) -> None:
    values = out.to_numpy()
    inf = np.isinf(values)
    if inf.any():
        dims = [str(d) for d in out.dims]
        shown = [", ".join(f"{d}={plain(out[d].to_numpy()[i])}" for d, i in
                           zip(dims, row, strict=True)) for row in np.argwhere(inf)[:20]]
        raise DataError(f"infinite emissions ({int(inf.sum())} values): " + "; ".join(shown),
                        code="emissions.infinite", label=shown[0], location=shown[0])


def _from_pandas_or_mapping(data: Any, units: str | None) -> xr.DataArray:
    """The accepted non-xarray shapes as a DataArray with a ``year`` dim (values as given)."""
    import pandas as pd
    import xarray as xr

    if isinstance(data, Mapping) and not isinstance(data, xr.Dataset):
        years = years_from(data.keys(), "emissions")
        return xr.DataArray(np.asarray(list(data.values()), dtype=float), dims="year",
                            coords={"year": years})
    if isinstance(data, pd.DataFrame):
        if "year" in data.columns:
            numeric = [c for c in data.columns if c != "year" and
                       pd.api.types.is_numeric_dtype(data[c])]
            value_col = "value" if "value" in data.columns else None
            if value_col is None:
                if len(numeric) != 1:
                    raise DataError(
                        "a long emissions table needs one numeric value column (or 'value'); "
                        f"found {numeric}", code="emissions.value_column", label=numeric,
                        location="columns")
                value_col = numeric[0]
            keys = [c for c in data.columns if c not in (value_col, "unit", "units")]
            da = _from_pandas_or_mapping(data.set_index(keys)[value_col], units)
            unit = units or unit_column(data)
            if unit:
                da.attrs["units"] = unit
            return da
        if data.index.name != "year":
            raise MissingLabelError("column or index level in emissions table", ["year"],
                                    dim="columns")
        name = data.columns.name or "entity"
        stacked = data.stack(future_stack=True)
        stacked.index = stacked.index.set_names(["year", name])
        return _from_pandas_or_mapping(stacked, units)
    if isinstance(data, pd.Series):
        if "year" not in (data.index.names or []):
            raise MissingLabelError("index level in emissions", ["year"], dim="index")
        dup = data.index.duplicated(keep=False)
        if dup.any():
            names = list(data.index.names)
            shown = []
            for key in dict.fromkeys(data.index[dup]):
                key = key if isinstance(key, tuple) else (key,)
                labels = dict(zip(names, key, strict=True))
                year = labels.pop("year")
                shown.append(f"{entity_text([str(k) for k in labels], list(labels.values()))} "
                             f"year {year}")
            raise DataError(f"duplicate years in emissions ({len(shown)}): " +
                            "; ".join(shown[:20]), code="emissions.duplicate_year",
                            label=shown[0], location=shown[0])
        da = xr.DataArray.from_series(data.astype(float))
        return da.assign_coords(year=years_from(da["year"].to_numpy(), "emissions"))
    raise ValidationError(
        f"emissions must be an xarray.DataArray, pandas Series/DataFrame or mapping, "
        f"got {type(data).__name__}", code="emissions.type", label=type(data).__name__,
        location="emissions")


def municipality_codes(da: xr.DataArray) -> xr.DataArray:
    """A ``municipality`` coordinate of codes as text ("0751", "751") or names → int codes."""
    if "municipality" not in da.dims or da["municipality"].dtype.kind in "iu":
        return da
    from klimacore.reference import municipality_code

    labels = da["municipality"].to_numpy().tolist()
    codes, unknown = [], []
    for label in labels:
        try:
            codes.append(municipality_code(int(label) if isinstance(label, float)
                                           and float(label).is_integer() else label))
        except (KeyError, ValueError, TypeError):
            unknown.append(label)
    if unknown:
        raise MissingLabelError("municipality (98 codes 101–860 or names)", unknown,
                                dim="municipality")
    return da.assign_coords(municipality=np.asarray(codes, dtype=np.int64))


def unit_column(frame: pd.DataFrame) -> str | None:
    for col in ("unit", "units"):
        if col in frame.columns:
            values = frame[col].dropna().unique()
            if len(values) > 1:
                raise DataError(f"emissions table mixes units {sorted(map(str, values))}")
            return str(values[0]) if len(values) else None
    return None
