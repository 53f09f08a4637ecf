"""Shared helpers of :mod:`klimacore.consumption`: COICOP codes, unit splitting, input coercion."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError, MissingLabelError, ValidationError
from klimacore.forms import PRICE_BASES, normalize_coicop

__all__ = ["PRICE_BASES", "ancestors", "division", "intensity_array", "normalize_coicop",
           "per_code", "resolve_codes", "split_unit"]

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr



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
        raise MissingLabelError(what, missing, dim="coicop", code="coicop.unresolved")
    return out


def split_unit(unit: str) -> tuple[str, str]:
    """Split ``"kg/DKK"`` into numerator and denominator unit texts."""
    num, sep, den = unit.partition("/")
    if not sep or not num.strip() or not den.strip():
        raise ValidationError(f"expected a unit 'mass/denominator' such as 'kg/DKK', got "
                              f"{unit!r}", code="unit.ratio", label=unit, location="units")
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
            raise ValidationError(f"{name} is required", code="coicop.value_required",
                                  location=name)
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
        raise MissingLabelError(name, missing, dim="coicop", code="coicop.value_missing",
                                location=name)
    return out


def intensity_array(intensities: xr.DataArray, *, name: str = "intensities") -> xr.DataArray:
    """Intensities by ``coicop`` as floats with normalised, unique codes and finite values.

    Intensities are a DataArray (from :func:`~klimacore.consumption.default_intensities`,
    :func:`~klimacore.consumption.intensities_from_mrio`, …) with the one dimension ``coicop``.
    """
    import xarray as xr

    if not isinstance(intensities, xr.DataArray):
        raise ValidationError(f"{name} must be an xarray.DataArray, got "
                              f"{type(intensities).__name__}", code="intensity.type",
                              label=type(intensities).__name__, location=name)
    if list(intensities.dims) != ["coicop"]:
        raise ValidationError(f"{name} has dims {list(intensities.dims)}; needs ['coicop']",
                              code="intensity.dims", label=list(intensities.dims),
                              location="dims")
    out = intensities.astype(float)
    codes = [normalize_coicop(c) for c in out["coicop"].to_numpy()]
    if len(set(codes)) != len(codes):
        dups = sorted({c for c in codes if codes.count(c) > 1})
        raise DataError(f"{name} has duplicate coicop labels: {dups}", code="intensity.duplicate",
                        label=dups, location="coicop")
    values = out.to_numpy()
    bad = [c for c, v in zip(codes, values.tolist(), strict=True) if not np.isfinite(v)]
    if bad:
        raise ValidationError(f"{name} has NaN or infinite values at coicop {bad[:10]}",
                              code="intensity.value", label=bad[:10], location="coicop")
    return out.assign_coords(coicop=codes)
