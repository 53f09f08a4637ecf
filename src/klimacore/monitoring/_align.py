"""Exact label alignment for monitoring inputs, with one coded problem per dimension.

xarray's own ``join="exact"`` error says only that indexes differ; here every shared dimension
whose labels differ is one :class:`~klimacore.errors.KlimacoreError` naming the dimension (its
``location``), the labels missing or extra (its ``label``) and a stable ``code``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from klimacore.errors import AlignmentError, KlimacoreError, Problems

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["require_aligned"]


def require_aligned(reference: xr.DataArray, others: Mapping[str, xr.DataArray], *,
                    code: str, what: str = "the emissions",
                    kind: type[KlimacoreError] = AlignmentError) -> None:
    """Refuse any of ``others`` whose labels on a dimension shared with ``reference`` differ.

    >>> import xarray as xr
    >>> e = xr.DataArray([1.0, 2.0], dims="municipality", coords={"municipality": [101, 751]})
    >>> p = xr.DataArray([1.0, 2.0], dims="municipality", coords={"municipality": [101, 147]})
    >>> require_aligned(e, {"population": p}, code="monitoring.population.labels")
    Traceback (most recent call last):
    ...
    klimacore.errors.AlignmentError: population must have the labels of the emissions on municipality: missing [751]; not in the emissions [147]
    """
    problems = Problems("labels differ")
    for name, other in others.items():
        for dim in [d for d in map(str, other.dims) if d in reference.dims]:
            want: list[Any] = reference[dim].to_numpy().tolist()
            have: list[Any] = other[dim].to_numpy().tolist()
            if want == have:
                continue
            have_set, want_set = set(have), set(want)
            absent = [v for v in want if v not in have_set]
            extra = [v for v in have if v not in want_set]
            parts = ([f"missing {absent}"] if absent else []) + (
                [f"not in {what} {extra}"] if extra else [])
            problems.add(kind(
                f"{name} must have the labels of {what} on {dim}: "
                f"{'; '.join(parts) or 'same labels in another order'}",
                code=code, label=absent or extra or dim, location=f"{name}, {dim}"))
    problems.raise_if_any()
