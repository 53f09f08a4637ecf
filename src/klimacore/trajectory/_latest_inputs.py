"""Inputs of the latest-year verdicts: reference values at the years needed, trends, bases.

Private helpers of :mod:`klimacore.trajectory._latest`; :func:`linear_trend` is public.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import ValidationError

if TYPE_CHECKING:
    import xarray as xr

    from klimacore.trajectory._references import Reference

__all__ = ["linear_trend"]


_Values = tuple[list[str], "np.ndarray[Any, Any]", "np.ndarray[Any, Any]", "np.ndarray[Any, Any]",
                "np.ndarray[Any, Any]"]
"""Reference ids, years, allowed (N, R, Y), base (N, R) and budget (N, R)."""


def _reference_values(E: xr.DataArray, refs: Sequence[Reference], bases: dict[int, Any], *,
                      population: Any, budget_share: Any, sector_map: Mapping[str, str] | None,
                      budget_start: int, gases: Any, boundary: str | None,
                      includes_lulucf: bool | None) -> _Values:
    """Base, allowed values (milestone years and every reported year) and (implied) budgets.

    The same numbers :func:`check_trajectory` computes, but only at the years a latest-year
    verdict needs (milestones, the latest years), which keeps the one call cheap.
    """
    import xarray as xr

    from klimacore.errors import MissingLabelError
    from klimacore.trajectory._checks import _aligned, _per_capita_into, _ref_path
    from klimacore.trajectory._inputs import _base_values, _compatibility
    from klimacore.trajectory._paths import reduction_fraction

    problems = _compatibility(refs, E.attrs, gases, boundary, includes_lulucf)
    entity_dims = [str(d) for d in E.dims if d != "year"]
    if sector_map and "sector" not in entity_dims:
        problems.append("sector_map given but the data have no 'sector' dimension")
    data_years = E["year"].to_numpy().astype(np.int64)
    reported = np.isfinite(np.asarray(E.to_numpy(), dtype=float)).reshape(-1, data_years.size)
    rows_with = reported.any(-1)
    last = data_years.size - 1 - np.argmax(reported[:, ::-1], axis=-1)
    latest_years = np.unique(data_years[last[rows_with]])
    years = np.asarray(sorted({*latest_years.tolist(),
                               *(y for r in refs for y in r.milestone_years)}), dtype=np.int64)
    template = E.isel(year=0, drop=True)
    shape = template.shape
    n = int(np.prod(shape)) if shape else 1
    allowed = np.full((n, len(refs), years.size), np.nan)
    base = np.full((n, len(refs)), np.nan)
    budget = np.full((n, len(refs)), np.nan)
    from klimacore.trajectory._inputs import as_input_array

    pop = as_input_array(population, E, "population", by_year=True)
    budget_share = as_input_array(budget_share, E, "budget_share")
    for r, ref in enumerate(refs):
        b = _base_values(ref, E, template, data_years, bases or None, problems, "no data",
                         sector_map)
        if b is None:
            continue
        bv = np.broadcast_to(np.asarray(b.to_numpy(), dtype=float), shape)
        b_safe = np.where(np.isfinite(bv) & (bv > 0), bv, np.nan)
        base[:, r] = bv.reshape(-1)
        start = ref.base_year if ref.method == "budget" else max(budget_start, ref.base_year)
        horizon = max([*ref.milestone_years, ref.net_zero_year or 0, start])
        annual = np.arange(start, horizon + 1)
        kw: dict[str, Any] = dict(population=pop, budget_share=budget_share,
                                  sector_map=sector_map)
        try:
            if ref.method in ("milestones", "linear_rate"):
                frac = reduction_fraction(ref, years).to_numpy()
                allowed[:, r] = b_safe.reshape(-1)[:, None] * frac[None, :]
                budget[:, r] = b_safe.reshape(-1) * reduction_fraction(ref, annual).to_numpy().sum()
            elif ref.method == "per_capita" and pop is not None:
                out = np.empty((*shape, years.size))
                _per_capita_into(out, ref, b_safe, pop, template, years)
                allowed[:, r] = out.reshape(n, years.size)
                out_a = np.empty((*shape, annual.size))
                _per_capita_into(out_a, ref, b_safe, pop, template, annual)
                budget[:, r] = out_a.reshape(n, annual.size).sum(-1)
            else:
                b_da = template.copy(data=b_safe)
                allowed[:, r] = _aligned(_ref_path(ref, b_da, years, "threshold", kw),
                                         template).reshape(n, years.size)
                if ref.method == "budget":
                    share = (budget_share if isinstance(budget_share, xr.DataArray)
                             else xr.DataArray(budget_share))
                    budget[:, r] = (share.broadcast_like(template).transpose(*template.dims)
                                    .to_numpy().reshape(-1) * (ref.budget_t or 0.0))
                else:
                    budget[:, r] = _aligned(_ref_path(ref, b_da, annual, "threshold", kw),
                                            template).reshape(n, annual.size).sum(-1)
        except (ValidationError, MissingLabelError) as exc:
            problems.append(str(exc))
    if problems:
        raise ValidationError(f"{len(problems)} problem(s) checking trajectories",
                              problems=problems)
    return [r.id for r in refs], years, allowed, base, budget


def _entity_array(value: Any, E: xr.DataArray, what: str) -> xr.DataArray:
    """A pandas Series (index levels named by dims) or ``{label: value}`` dict as a DataArray."""
    import pandas as pd
    import xarray as xr

    dims = [str(d) for d in E.dims if d != "year"]
    from klimacore.forms._emissions import municipality_codes as _municipality_codes

    if isinstance(value, pd.Series):
        return _municipality_codes(xr.DataArray.from_series(value.astype(float)))
    if isinstance(value, Mapping):
        if len(dims) != 1:
            raise ValidationError(f"{what} is a dict: the emissions need exactly one entity "
                                  f"dimension to key it by (they have {dims})")
        return _municipality_codes(xr.DataArray(
            np.asarray(list(value.values()), dtype=float), dims=dims[0],
            coords={dims[0]: list(value.keys())}))
    return xr.DataArray(np.asarray(value, dtype=float))


def linear_trend(emissions: Any, *, start_year: int | None = None,
                 end_year: int | None = None) -> xr.Dataset:
    """The least-squares line through the reported years ``start_year … end_year``.

    Returns a Dataset over the entity dims with ``slope`` (t a year), ``level`` (the line's value
    in ``end_year``, default the last year of the data), ``end_year`` and ``points`` (years used;
    fewer than 2 gives NaN). The line is ``level + slope·(year − end_year)``.

    >>> import xarray as xr
    >>> e = xr.DataArray([10.0, 9.0, 7.0], dims="year", coords={"year": [2020, 2021, 2022]})
    >>> t = linear_trend(e)
    >>> float(t["slope"]), round(float(t["level"]), 4)
    (-1.5, 7.1667)
    """
    import xarray as xr

    from klimacore.forms import as_emissions

    E = as_emissions(emissions)
    years = E["year"].to_numpy().astype(float)
    end = float(years.max()) if end_year is None else float(end_year)
    start = float(years.min()) if start_year is None else float(start_year)
    if start > end:
        raise ValidationError(f"start_year {start_year} is after end_year {end}")
    entity_dims = [str(d) for d in E.dims if d != "year"]
    shape = [E.sizes[d] for d in entity_dims]
    values = np.asarray(E.to_numpy(), dtype=float).reshape(-1, years.size)
    keep = (years >= start) & (years <= end)
    values = np.where(keep[None, :], values, np.nan)
    slope, level, n = _ls_trend(values, years, np.full(values.shape[0], end), int(end - start))
    template = E.isel(year=0, drop=True)
    return xr.Dataset({"slope": template.copy(data=slope.reshape(shape)),
                       "level": template.copy(data=level.reshape(shape)),
                       "points": template.copy(data=n.reshape(shape).astype(np.int64))},
                      attrs={"end_year": int(end), "start_year": int(start), "units": "t"})


def _base_inputs(base_emissions: Mapping[int, Any] | None, E: xr.DataArray) -> dict[int, Any]:
    """``base_emissions`` values as DataArrays over the emissions' entity dims."""
    import pandas as pd
    import xarray as xr

    out: dict[int, Any] = {}
    dims = [str(d) for d in E.dims if d != "year"]
    for year, value in (base_emissions or {}).items():
        if isinstance(value, pd.Series | Mapping):
            value = _entity_array(value, E, f"base_emissions[{year}]")
        if isinstance(value, xr.DataArray):
            extra = [d for d in value.dims if d not in dims]
            if extra:
                raise ValidationError(f"base_emissions[{year}] has dimension(s) {extra} the "
                                      f"emissions lack ({dims})")
            value = value.reindex({d: E[d].to_numpy() for d in value.dims})
        out[int(year)] = value
    return out


def _column_sum(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Sum over the last axis column by column, in year order.

    Cells outside an entity's window are 0 and adding 0 never changes a sum, so the result does
    not depend on how many columns around the window the caller passed (they depend on the other
    entities' latest years): a block of entities (dask) gets the same numbers, bit for bit, as
    the whole. The columns are few (the years spanned by the windows).
    """
    out = np.zeros(a.shape[:-1])
    for j in range(a.shape[-1]):
        out += a[..., j]
    return out


def _ls_trend(values: np.ndarray[Any, Any], years: np.ndarray[Any, Any],
              latest: np.ndarray[Any, Any], window: int
              ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Least-squares slope, fitted level at the latest year and point count, per row."""
    t = years[None, :] - latest[:, None]  # years relative to the latest (NaN rows stay NaN)
    with np.errstate(invalid="ignore"):
        mask = np.isfinite(values) & (t >= -window) & (t <= 0)
    w = mask.astype(float)
    tz = np.where(mask, t, 0.0)
    vz = np.where(mask, values, 0.0)
    n = w.sum(-1)
    sx, sy = _column_sum(tz), _column_sum(vz)
    sxx, sxy = _column_sum(tz * tz), _column_sum(tz * vz)
    with np.errstate(invalid="ignore", divide="ignore"):
        den = n * sxx - sx * sx
        slope = np.where((n >= 2) & (den > 0), (n * sxy - sx * sy) / den, np.nan)
        level = np.where(n >= 2, (sy - slope * sx) / n, np.nan)
    return slope, level, n


def _mean_change(values: np.ndarray[Any, Any], years: np.ndarray[Any, Any],
                 latest: np.ndarray[Any, Any], window: int) -> np.ndarray[Any, Any]:
    consecutive = np.diff(years) == 1
    with np.errstate(invalid="ignore", divide="ignore"):
        change = (values[:, 1:] - values[:, :-1]) / values[:, :-1] * 100.0
        t = years[None, 1:] - latest[:, None]  # both years of a pair inside the window
        ok = consecutive[None, :] & np.isfinite(change) & (t <= 0) & (t - 1 >= -window) & (
            values[:, :-1] > 0)
        n = ok.sum(-1)
        return np.where(n > 0, _column_sum(np.where(ok, change, 0.0)) / np.maximum(n, 1), np.nan)


