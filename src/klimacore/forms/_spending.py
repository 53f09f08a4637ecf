"""The spending form: money spent by municipality × COICOP (× year), with its price basis.

Spending is an :class:`xarray.DataArray` with dims ``municipality`` (int), optionally ``year``
(int) and ``coicop`` (klimacore's spelling, ``"01"``, ``"04.5.1"``), in that order; finite values
≥ 0, a complete table (no holes); ``attrs`` ``units`` (``"DKK"``, ``"kDKK"``), ``currency``,
``price_year`` (a year or ``"current"``), ``price_basis`` (``"basic"``/``"purchaser"``) and
``source`` where known. :func:`as_spending` builds it once from a DataArray, a long DataFrame
(dimension columns and ``value``) or a Series indexed by the dimensions.

Examples
--------
>>> import pandas as pd
>>> frame = pd.DataFrame({"municipality": [727, 727], "coicop": ["1", "CP0722"],
...                       "value": [1000.0, 500.0]})
>>> s = as_spending(frame, units="DKK", price_year=2019)
>>> s.dims, s["coicop"].values.tolist()
(('municipality', 'coicop'), ['01', '07.2.2'])
>>> s.attrs["units"], s.attrs["currency"], s.attrs["price_basis"]
('DKK', 'DKK', 'purchaser')
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError, ValidationError

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["PRICE_BASES", "SPENDING_DIMS", "as_spending", "normalize_coicop"]

PRICE_BASES: tuple[str, ...] = ("basic", "purchaser")
"""The two price bases an intensity or a spending figure can be stated in."""

SPENDING_DIMS: tuple[str, ...] = ("municipality", "year", "coicop")
"""The dimensions of spending, in order (``year`` optional)."""

_CODE = re.compile(r"^\d{1,2}(\.\d+)*$")
_CP_CODE = re.compile(r"^CP(\d{2})(\d*)$", re.IGNORECASE)


def normalize_coicop(code: object) -> str:
    """Return a COICOP code in klimacore's spelling: ``"01"``, ``"04.5.1"``.

    Integers and one-digit divisions are zero-padded (``1`` and ``"1"`` give ``"01"``), and
    Eurostat's ``"CP0451"`` style is read as ``"04.5.1"``.

    >>> normalize_coicop(4), normalize_coicop("4.5.1"), normalize_coicop("CP0722")
    ('04', '04.5.1', '07.2.2')
    """
    text = str(code).strip()
    match = _CP_CODE.match(text)
    if match:
        head, tail = match.group(1), match.group(2)
        text = ".".join([head, *tail])
    if not _CODE.match(text):
        raise ValidationError(f"not a COICOP code: {code!r} (expected e.g. '01' or '04.5.1')",
                              code="coicop.code", label=code, location="coicop")
    head, _, rest = text.partition(".")
    return head.zfill(2) + ("." + rest if rest else "")


def as_spending(
    data: Any,
    *,
    units: str | None = None,
    price_year: int | str | None = None,
    price_basis: str | None = None,
    currency: str | None = None,
    source: str | None = None,
) -> xr.DataArray:
    """The spending form of ``data`` (see the module docs).

    Parameters
    ----------
    data
        A DataArray with dims ``municipality``, ``coicop`` and optionally ``year``; a long
        DataFrame with those columns and ``value`` (index levels count as columns); or a Series
        indexed by them. ``attrs`` of the input are kept.
    units, price_year, price_basis
        Unit (``"DKK"``, ``"kDKK"``, …), price year (or ``"current"``) and price basis
        (``"basic"``/``"purchaser"``, default ``"purchaser"``); default to the input's ``attrs``
        keys ``units``, ``price_year``, ``price_basis``. Units and price year are required.
    currency
        Default: the input's ``attrs["currency"]``, else ``units`` itself.
    source
        Recorded in ``attrs["source"]`` (default the input's own).

    Raises
    ------
    ValidationError
        Wrong dimensions, unknown unit/price year/basis, a negative, infinite or NaN amount,
        a code that is not COICOP (every problem names its labels).
    DataError
        Missing columns, duplicate keys, labels that are not whole numbers, holes in the table.
    """
    import pandas as pd
    import xarray as xr

    if isinstance(data, xr.DataArray):
        out = _from_array(data)
    elif isinstance(data, pd.Series | pd.DataFrame):
        out = _from_pandas(data)
    else:
        raise ValidationError(f"spending must be an xarray.DataArray or pandas object, got "
                              f"{type(data).__name__}", code="spending.type",
                              label=type(data).__name__, location="spending")
    attrs = {str(k): v for k, v in data.attrs.items()}
    unit = units or attrs.get("units")
    if unit is None:
        raise ValidationError("spending unit unknown: pass spending_unit= or set attrs['units']",
                              code="spending.units", location="attrs['units']")
    year = price_year if price_year is not None else attrs.get("price_year")
    if year is None:
        raise ValidationError(
            "spending price year unknown: pass price_year= or set attrs['price_year']",
            code="spending.price_year", location="attrs['price_year']")
    if year != "current":
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise ValidationError(f"spending price year must be a year or 'current', got "
                                  f"{year!r}", code="spending.price_year", label=year,
                                  location="price_year") from None
    basis = price_basis or attrs.get("price_basis", "purchaser")
    if basis not in PRICE_BASES:
        raise ValidationError(f"spending price_basis {basis!r} is not one of {PRICE_BASES}",
                              code="spending.price_basis", label=basis, location="price_basis")
    negative = out < 0
    if bool(negative.any()):
        stacked = negative.to_series()
        where = [k for k, v in stacked.items() if v]
        raise ValidationError(f"negative spending at {where[:10]}", code="spending.negative",
                              label=where[:10], location=", ".join(map(str, out.dims)))
    attrs.update({"units": str(unit), "price_year": year, "price_basis": basis,
                  "currency": currency or attrs.get("currency", str(unit))})
    if source is not None:
        attrs["source"] = source
    out.attrs = attrs
    out.name = "spending"
    return out


def _ordered(dims: Iterable[Any]) -> list[str]:
    names = [str(d) for d in dims]
    return [d for d in SPENDING_DIMS if d in names]


def _dims_problem(dims: list[str]) -> None:
    extra = [d for d in dims if d not in SPENDING_DIMS]
    absent = [d for d in ("municipality", "coicop") if d not in dims]
    if extra or absent:
        raise ValidationError(f"spending has dims {dims}; needs ['municipality', 'coicop'] and "
                              "may have ['year']", code="spending.dims",
                              label=extra or absent, location="dims")


def _from_array(data: xr.DataArray) -> xr.DataArray:
    _dims_problem([str(d) for d in data.dims])
    out = data.transpose(*_ordered(data.dims)).astype(float)
    out = out.assign_coords(coicop=[normalize_coicop(c) for c in out["coicop"].to_numpy()])
    for dim in ("municipality", "year"):
        if dim in out.dims:
            out = out.assign_coords({dim: _whole(out[dim].to_numpy(), dim)})
    for name in map(str, out.dims):
        values = out[name].to_numpy().tolist()
        if len(set(values)) != len(values):
            dups = sorted({v for v in values if values.count(v) > 1})
            raise DataError(f"spending has duplicate {name} labels: {dups}",
                            code="spending.duplicate", label=dups, location=name)
    if bool(np.isnan(out.to_numpy()).any()):
        flags = out.copy(data=np.isnan(out.to_numpy())).to_series()
        where = [k for k, v in flags.items() if v][:10]
        raise DataError(f"spending has NaN values at {where}", code="spending.missing",
                        label=where, location=", ".join(map(str, out.dims)))
    _check_finite(out)
    return out


def _from_pandas(data: Any) -> xr.DataArray:
    import pandas as pd
    import xarray as xr

    value = "value"
    if isinstance(data, pd.Series):
        frame = data.rename(value).reset_index()
    else:
        frame = data.copy()
        named = [n for n in frame.index.names if n is not None]
        if named:  # index levels are data (municipality, coicop, …), never dropped
            clash = [n for n in named if n in frame.columns]
            if clash:
                raise DataError(f"spending: index level(s) {clash} are also columns; drop one",
                                code="spending.columns", label=clash, location="index")
            frame = frame.reset_index(level=named)
    columns = _ordered([c for c in SPENDING_DIMS if c in frame.columns])
    absent = [c for c in ("municipality", "coicop", value) if c not in frame.columns]
    if absent:
        raise DataError(f"spending lacks columns {absent} (has {list(frame.columns)})",
                        code="spending.columns", label=absent, location="columns")
    frame["coicop"] = [normalize_coicop(c) for c in frame["coicop"]]
    for col in ("municipality", "year"):
        if col in frame.columns:
            frame[col] = _whole(frame[col], col)
    dup = frame.duplicated(subset=columns, keep=False)
    if dup.any():
        keys = sorted({tuple(r) for r in frame.loc[dup, columns].itertuples(index=False)})
        raise DataError(f"spending has duplicate rows for {columns}: {keys[:10]}",
                        code="spending.duplicate", label=keys[:10], location=", ".join(columns))
    series = frame.set_index(columns)[value].astype(float)
    out = xr.DataArray.from_series(series)
    if bool(np.isnan(out.to_numpy()).any()):
        # from_series fills missing combinations with NaN: report them, never invent zeros
        stacked = out.to_series()
        holes = [k if isinstance(k, tuple) else (k,) for k in stacked[stacked.isna()].index]
        raise DataError(
            f"spending is not a complete table over {columns}: {len(holes)} missing "
            f"combinations, e.g. {holes[:5]}", code="spending.missing", label=holes[:5],
            location=", ".join(columns))
    _check_finite(out)
    return out


def _whole(values: Any, dim: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    import pandas as pd

    raw = list(values)
    numbers = pd.to_numeric(pd.Series(raw, dtype=object), errors="coerce").to_numpy(
        dtype=float, na_value=np.nan)
    bad = ~np.isfinite(numbers) | (numbers != np.round(numbers))
    if bad.any():
        shown = [raw[i] for i in np.flatnonzero(bad)[:10]]
        raise DataError(f"spending: column {dim!r} holds values that are not whole numbers: "
                        f"{shown}", code="spending.label", label=shown, location=dim)
    whole: np.ndarray[Any, np.dtype[np.int64]] = numbers.astype("int64")
    return whole


def _check_finite(da: xr.DataArray) -> None:
    values = da.to_numpy()
    if bool(np.isinf(values).any()):
        flags = da.copy(data=np.isinf(values)).to_series()
        where = [k for k, v in flags.items() if v][:10]
        raise ValidationError(f"spending has infinite values at {where}", code="spending.value",
                              label=where, location=", ".join(map(str, da.dims)))
