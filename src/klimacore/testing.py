"""Assertions for users' own tests of emission calculations.

They raise :class:`AssertionError` with a message that names the offending labels, so a failing
test says *where* numbers disagree, not only that they do.

Examples
--------
>>> import xarray as xr
>>> from klimacore.testing import assert_conserved, assert_no_gaps
>>> parts = xr.DataArray([[1.0, 2.0], [3.0, 4.0]], dims=("municipality", "year"),
...                      coords={"municipality": [101, 147], "year": [2020, 2021]})
>>> assert_conserved(parts, parts.sum("municipality"), dim="municipality")
>>> assert_conserved(parts, xr.DataArray([4.0, 7.0], dims="year",
...                  coords={"year": [2020, 2021]}), dim="municipality")
Traceback (most recent call last):
...
AssertionError: parts do not sum to the whole over 'municipality' at 1 place(s): year=2021: 6 != 7
>>> assert_no_gaps(parts.where(parts > 1))
Traceback (most recent call last):
...
AssertionError: 1 missing value(s): municipality=101, year=2020
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["assert_conserved", "assert_no_gaps", "assert_same_metadata"]


def _where(da: xr.DataArray, mask: np.ndarray[Any, Any], limit: int = 10) -> list[str]:
    places = []
    for index in np.argwhere(mask)[:limit]:
        labels = [f"{dim}={da[dim].values[i]}" if dim in da.coords else f"{dim}[{i}]"
                  for dim, i in zip(da.dims, index, strict=True)]
        places.append(", ".join(labels))
    return places


def assert_conserved(
    parts: xr.DataArray, whole: xr.DataArray, *, dim: str, rtol: float = 1e-9, atol: float = 0.0
) -> None:
    """Assert that ``parts`` summed over ``dim`` equal ``whole`` everywhere (NaN never passes)."""
    import xarray as xr

    total = parts.sum(dim, skipna=False)
    total, expected = xr.align(total, whole, join="exact")
    a, b = np.asarray(total.values, dtype=float), np.asarray(expected.values, dtype=float)
    bad = ~np.isclose(a, b, rtol=rtol, atol=atol) | np.isnan(a) | np.isnan(b)
    if bad.any():
        places = _where(total, bad)
        detail = "; ".join(
            f"{p}: {x:.6g} != {y:.6g}" for p, x, y in zip(places, a[bad], b[bad], strict=False)
        )
        raise AssertionError(
            f"parts do not sum to the whole over {dim!r} at {int(bad.sum())} place(s): {detail}"
        )


def assert_no_gaps(da: xr.DataArray) -> None:
    """Assert that ``da`` holds no NaN (a gap must be a notation key, never a silent NaN)."""
    mask = np.isnan(np.asarray(da.values, dtype=float))
    if mask.any():
        raise AssertionError(f"{int(mask.sum())} missing value(s): " + "; ".join(_where(da, mask)))


def assert_same_metadata(a: xr.DataArray | xr.Dataset, b: xr.DataArray | xr.Dataset,
                         *, keys: tuple[str, ...] = ("units", "gwp_metric")) -> None:
    """Assert that two results carry the same unit and GWP metric (and other ``keys``) in attrs.

    >>> import xarray as xr
    >>> x = xr.DataArray(1.0, attrs={"units": "t", "gwp_metric": "AR5GWP100"})
    >>> assert_same_metadata(x, x.assign_attrs(gwp_metric="AR6GWP100"))
    Traceback (most recent call last):
    ...
    AssertionError: attrs differ: gwp_metric: 'AR5GWP100' != 'AR6GWP100'
    """
    diffs = [f"{k}: {a.attrs.get(k)!r} != {b.attrs.get(k)!r}"
             for k in keys if a.attrs.get(k) != b.attrs.get(k)]
    if diffs:
        raise AssertionError("attrs differ: " + "; ".join(diffs))
