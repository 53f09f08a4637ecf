"""Shared helpers of :mod:`klimacore.consumption`: COICOP codes, unit splitting, input coercion."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError, MissingLabelError, ValidationError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

PRICE_BASES = ("basic", "purchaser")

_DIM_ORDER = ("municipality", "region", "year", "stressor", "product", "coicop")
"""The two price bases an intensity or a spending figure can be stated in."""

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
        raise ValidationError(f"not a COICOP code: {code!r} (expected e.g. '01' or '04.5.1')")
    head, _, rest = text.partition(".")
    return head.zfill(2) + ("." + rest if rest else "")


def ancestors(code: str) -> list[str]:
    """Ancestors of a COICOP code, nearest first: ``"04.5.1"`` → ``["04.5", "04"]``."""
    parts = code.split(".")
    return [".".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]


def division(code: str) -> str:
    """The division (first two digits) of a COICOP code."""
    return code.split(".")[0]


def resolve_codes(
    codes: Iterable[str], available: Iterable[str], *, fallback: bool, what: str
) -> dict[str, str]:
    """Map every code to itself if available, else (``fallback``) to its nearest available ancestor.

    Raises :class:`MissingLabelError` naming every code that cannot be resolved.
    """
    have = set(available)
    out: dict[str, str] = {}
    missing: list[str] = []
    for code in codes:
        if code in have:
            out[code] = code
            continue
        found = next((a for a in ancestors(code) if a in have), None) if fallback else None
        if found is None:
            missing.append(code)
        else:
            out[code] = found
    if missing:
        raise MissingLabelError(what, missing, dim="coicop")
    return out


def split_unit(unit: str) -> tuple[str, str]:
    """Split ``"kg/DKK"`` into numerator and denominator unit texts."""
    num, sep, den = unit.partition("/")
    if not sep or not num.strip() or not den.strip():
        raise ValidationError(f"expected a unit 'mass/denominator' such as 'kg/DKK', got {unit!r}")
    return num.strip(), den.strip()


def per_code(
    value: float | Mapping[Any, float] | pd.Series | None,
    codes: Iterable[str],
    *,
    name: str,
    default: float | None = None,
) -> dict[str, float]:
    """Expand a scalar or a ``{coicop: value}`` mapping onto ``codes`` (nearest ancestor counts).

    A mapping may hold the key ``"*"`` as the value for every code it does not name.
    """
    codes = list(codes)
    if value is None:
        if default is None:
            raise ValidationError(f"{name} is required")
        return dict.fromkeys(codes, float(default))
    if isinstance(value, int | float):
        return dict.fromkeys(codes, float(value))
    table = {("*" if str(k) == "*" else normalize_coicop(k)): float(v) for k, v in value.items()}
    out: dict[str, float] = {}
    missing: list[str] = []
    for code in codes:
        key = next((c for c in [code, *ancestors(code)] if c in table), None)
        if key is None:
            if "*" in table:
                out[code] = table["*"]
            elif default is not None:
                out[code] = float(default)
            else:
                missing.append(code)
        else:
            out[code] = table[key]
    if missing:
        raise MissingLabelError(name, missing, dim="coicop")
    return out


def as_dataarray(
    data: xr.DataArray | pd.DataFrame | pd.Series,
    *,
    name: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    value: str = "value",
) -> xr.DataArray:
    """Coerce a DataArray, a long DataFrame (with a ``value`` column) or a Series to a DataArray.

    The result has the ``required`` dims, plus any of ``optional`` present, in that order; the
    ``coicop`` labels are normalised. Duplicate keys and NaN values raise errors naming them.
    """
    import pandas as pd
    import xarray as xr

    if isinstance(data, pd.Series):
        frame = data.rename(value).reset_index()
        attrs: dict[str, Any] = {str(k): v for k, v in data.attrs.items()}
    elif isinstance(data, pd.DataFrame):
        frame = data.copy()
        named = [n for n in frame.index.names if n is not None]
        if named:  # index levels are data (municipality, coicop, …), never dropped
            clash = [n for n in named if n in frame.columns]
            if clash:
                raise DataError(f"{name}: index level(s) {clash} are also columns; drop one")
            frame = frame.reset_index(level=named)
        attrs = {str(k): v for k, v in data.attrs.items()}
    elif isinstance(data, xr.DataArray):
        extra = [d for d in data.dims if d not in required + optional]
        absent = [d for d in required if d not in data.dims]
        if extra or absent:
            raise ValidationError(
                f"{name} has dims {list(data.dims)}; needs {list(required)}"
                + (f" and may have {list(optional)}" if optional else "")
            )
        out = data.transpose(*_ordered(data.dims)).astype(float)
        if "coicop" in out.dims:
            out = out.assign_coords(coicop=[normalize_coicop(c) for c in out["coicop"].to_numpy()])
        _check_unique(out, name)
        return out
    else:
        raise ValidationError(f"{name} must be an xarray.DataArray or pandas object")
    columns = _ordered([c for c in required + optional if c in frame.columns])
    absent = [c for c in (*required, value) if c not in frame.columns]
    if absent:
        raise DataError(f"{name} lacks columns {absent} (has {list(frame.columns)})")
    if "coicop" in frame.columns:
        frame["coicop"] = [normalize_coicop(c) for c in frame["coicop"]]
    for col in ("municipality", "year"):
        if col in frame.columns:
            numbers = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float,
                                                                           na_value=np.nan)
            bad = ~np.isfinite(numbers) | (numbers != np.round(numbers))
            if bad.any():
                shown = [frame[col].iloc[i] for i in np.flatnonzero(bad)[:10]]
                raise DataError(f"{name}: column {col!r} holds values that are not whole "
                                f"numbers: {shown}")
            frame[col] = numbers.astype("int64")
    dup = frame.duplicated(subset=columns, keep=False)
    if dup.any():
        keys = sorted({tuple(r) for r in frame.loc[dup, columns].itertuples(index=False)})
        raise DataError(f"{name} has duplicate rows for {columns}: {keys[:10]}")
    series = frame.set_index(columns)[value].astype(float)
    out = xr.DataArray.from_series(series)
    if bool(np.isnan(out.to_numpy()).any()):
        # from_series fills missing combinations with NaN: report them, never invent zeros
        stacked = out.to_series()
        holes = [k if isinstance(k, tuple) else (k,) for k in stacked[stacked.isna()].index]
        raise DataError(
            f"{name} is not a complete table over {columns}: {len(holes)} missing combinations, "
            f"e.g. {holes[:5]}"
        )
    _check_finite(out, name)
    out.attrs.update(attrs)
    return out


def _ordered(dims: Iterable[Any]) -> list[str]:
    names = [str(d) for d in dims]
    return [d for d in _DIM_ORDER if d in names] + [d for d in names if d not in _DIM_ORDER]


def _check_unique(da: xr.DataArray, name: str) -> None:
    for dim in da.dims:
        values = da[dim].to_numpy().tolist()
        if len(set(values)) != len(values):
            dups = sorted({v for v in values if values.count(v) > 1})
            raise DataError(f"{name} has duplicate {dim} labels: {dups}")
    if bool(np.isnan(da.to_numpy()).any()):
        raise DataError(f"{name} has NaN values")
    _check_finite(da, name)


def _check_finite(da: xr.DataArray, name: str) -> None:
    values = da.to_numpy()
    if bool(np.isinf(values).any()):
        flags = da.copy(data=np.isinf(values)).to_series()
        where = [k for k, v in flags.items() if v][:10]
        raise ValidationError(f"{name} has infinite values at {where}")
