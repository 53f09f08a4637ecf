"""Budgets and trends the way users meet them: named conventions, run-out dates, zero crossings.

Two conventions for a path that spends a budget ``B`` from a level ``E0``, both holding for any
positive budget (also one smaller than a single year's emissions):

* ``"exponential"`` (continuous): ``P(y) = E0·exp(−E0/B·(y − y0))``, whose integral from ``y0`` to
  infinity is ``B``; the annual cut is ``1 − exp(−E0/B)``. This is the "Paris path" Klimatkollen
  publishes for Sweden's 290 municipalities (Klimatbyran, klimatkollen, method in
  ``data/issues/emissions/emission_data_calculations.py``: ``calculate_paris_path``).
* ``"discrete"`` (annual sums): ``P(y0 + k) = E0·q^(k+1)`` for years ``k = 0, 1, …`` with
  ``q = B/(B + E0)``, so that ``Σ P = B`` exactly; the annual cut is ``E0/(B + E0)``. ``E0`` is
  the level of the year before ``y0`` (the latest observed year).

A linear trend ``f(t) = level + slope·(t − start_year)`` spends a budget on two conventions
too: ``"annual"`` sums whole years (year ``start_year + k`` emits ``max(0, f)``, spread evenly over
the year), ``"continuous"`` integrates the line (Klimatkollen's ``budgetRunsOut``). A trend never
goes below zero (projections are clipped at zero), so a falling trend may never exhaust a budget.

Examples
--------
>>> import numpy as np
>>> from klimacore.trajectory import annual_cut_pct, budget_runout, exponential_path
>>> p = exponential_path(100.0, 50.0, np.arange(2025, 2200), start_year=2025)
>>> round(float(p.integrate("year")), 0) >= 49.0, round(float(p.sel(year=2026)), 3)
(True, 13.534)
>>> round(float(annual_cut_pct(100.0, 50.0, convention="exponential")), 2)
86.47
>>> float(budget_runout(250.0, 100.0, 0.0, start_year=2025))  # 2.5 years of 100 t
2027.5
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from klimacore.errors import ValidationError

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "BudgetConvention",
    "annual_cut_pct",
    "budget_runout",
    "discrete_budget_path",
    "exponential_path",
    "fractional_year_to_date",
    "mean_annual_change_pct",
    "trend_zero_year",
]

BudgetConvention = Literal["exponential", "discrete"]


def _arrays(*values: Any) -> list[np.ndarray[Any, Any]]:
    return [np.asarray(getattr(v, "values", v), dtype=float) for v in values]


def _like(template: Any, data: np.ndarray[Any, Any]) -> Any:
    import xarray as xr

    if isinstance(template, xr.DataArray):
        return template.copy(data=np.broadcast_to(data, template.shape).copy())
    return data


def _check_budget(budget: np.ndarray[Any, Any]) -> None:
    bad = ~np.isnan(budget) & ~(budget > 0)
    if bad.any():
        raise ValidationError(f"budgets must be positive (a spent budget has no path); "
                              f"{int(bad.sum())} value(s) are not, e.g. {budget[bad].ravel()[0]}")


def exponential_path(start: Any, budget: Any, years: Iterable[int], *,
                     start_year: int) -> xr.DataArray:
    """The continuous exponential budget path ``P(y) = E0·exp(−E0/B·(y − y0))``.

    Its integral from ``start_year`` to infinity equals the budget, for any positive budget.
    ``start`` and ``budget`` broadcast (numbers, arrays or DataArrays); NaN before ``start_year``.

    >>> exponential_path(10.0, 5.0, [2024, 2025], start_year=2024).round(4).to_numpy()
    array([10.    ,  1.3534])
    """
    import xarray as xr

    ys = np.asarray(list(years), dtype=np.int64)
    s = start if isinstance(start, xr.DataArray) else xr.DataArray(np.asarray(start, float))
    b = budget if isinstance(budget, xr.DataArray) else xr.DataArray(np.asarray(budget, float))
    _check_budget(np.asarray(b.to_numpy(), dtype=float))
    t = xr.DataArray((ys - start_year).astype(float), dims="year", coords={"year": ys})
    path = (s * np.exp(-(s / b) * t)).where(t >= 0)
    return path.transpose(..., "year")


def discrete_budget_path(start: Any, budget: Any, years: Iterable[int], *,
                         start_year: int) -> xr.DataArray:
    """The discrete geometric path ``P(y0 + k) = E0·q^(k+1)``, ``q = B/(B + E0)``: ``Σ P = B``.

    ``start`` (``E0``) is the level of the year before ``start_year``; every year from
    ``start_year`` cuts by the same fraction ``1 − q``, and the annual values sum to the budget
    over an unlimited horizon, for any positive budget.

    >>> p = discrete_budget_path(10.0, 5.0, range(2024, 2124), start_year=2024)
    >>> round(float(p.sum()), 6), round(float(p.sel(year=2024)), 4)
    (5.0, 3.3333)
    """
    import xarray as xr

    ys = np.asarray(list(years), dtype=np.int64)
    s = start if isinstance(start, xr.DataArray) else xr.DataArray(np.asarray(start, float))
    b = budget if isinstance(budget, xr.DataArray) else xr.DataArray(np.asarray(budget, float))
    _check_budget(np.asarray(b.to_numpy(), dtype=float))
    k = xr.DataArray((ys - start_year).astype(float), dims="year", coords={"year": ys})
    q = b / (b + s)
    path = (s * q ** (k + 1)).where(k >= 0)
    return path.transpose(..., "year")


def annual_cut_pct(start: Any, budget: Any, *,
                   convention: BudgetConvention = "exponential") -> Any:
    """The constant annual cut (%) that keeps emissions starting at ``start`` within ``budget``.

    ``exponential``: ``100·(1 − exp(−E0/B))`` (Klimatkollen's "needed annual change");
    ``discrete``: ``100·E0/(B + E0)``. Broadcasts; returns the type of ``start``.

    >>> round(float(annual_cut_pct(10.0, 100.0, convention="discrete")), 4)
    9.0909
    """
    s, b = _arrays(start, budget)
    _check_budget(b)
    if convention == "exponential":
        out = 100.0 * (1.0 - np.exp(-s / b))
    elif convention == "discrete":
        out = 100.0 * s / (b + s)
    else:
        raise ValidationError(f"convention must be 'exponential' or 'discrete', got {convention!r}")
    return _like(start, out)


def budget_runout(
    budget: Any,
    level: Any,
    slope: Any,
    *,
    start_year: Any,
    convention: Literal["annual", "continuous"] = "annual",
) -> Any:
    """When a linear trend, clipped at zero, has spent ``budget``, as a fractional year.

    The trend is ``f(t) = level + slope·(t − start_year)``. ``annual``: year ``start_year + k``
    emits ``max(0, f(start_year + k))`` spread evenly over the year; the result is the year in
    which the cumulative sum passes the budget plus the fraction of that year spent. ``continuous``:
    the ``x`` where ``∫_{start_year}^{x} max(0, f) dt`` equals the budget. NaN where the trend
    never spends the budget (it reaches zero first); ``start_year`` where the budget is ≤ 0.
    Everything broadcasts (numbers or arrays; DataArrays keep their coordinates).

    >>> float(budget_runout(250.0, 100.0, -10.0, start_year=2025))  # 100 + 90, then 60 of 80
    2027.75
    >>> round(float(budget_runout(250.0, 100.0, -10.0, start_year=2025,
    ...                           convention="continuous")), 4)
    2027.9289
    >>> float(budget_runout(1000.0, 100.0, -10.0, start_year=2025))  # 550 t left to emit
    nan
    """
    b, e, s, y0 = _arrays(budget, level, slope, start_year)
    b, e, s, y0 = np.broadcast_arrays(b, e, s, y0)
    with np.errstate(invalid="ignore", divide="ignore"):
        if convention == "continuous":
            # ∫0^x (e + s t) dt = e x + s x²/2 = b, for the smallest x ≥ 0 with f ≥ 0 on [0, x]
            disc = e * e + 2.0 * s * b
            # the smaller root in a form stable also for s → 0: x = 2b / (e + sqrt(e² + 2 s b))
            x = 2.0 * b / (e + np.sqrt(disc))
            never = (e <= 0) & (s <= 0) | (disc < 0) | ~np.isfinite(x)
            out = y0 + x
        elif convention == "annual":
            # cumulative after k whole years: C(k) = k e + s k (k − 1)/2 (before clipping)
            a2, a1 = s / 2.0, e - s / 2.0
            disc = a1 * a1 + 4.0 * a2 * b
            k_real = np.where(np.abs(a2) < 1e-300, b / a1, 2.0 * b / (a1 + np.sqrt(disc)))
            k = np.floor(k_real)  # whole years fully spent
            spent = k * e + s * k * (k - 1.0) / 2.0
            # float care: the root may land one year off
            over = spent > b
            k = np.where(over, k - 1.0, k)
            spent = k * e + s * k * (k - 1.0) / 2.0
            year_value = e + s * k
            frac = (b - spent) / year_value
            under = frac >= 1.0
            k = np.where(under, k + 1.0, k)
            spent = k * e + s * k * (k - 1.0) / 2.0
            year_value = e + s * k
            exact = spent >= b  # spent exactly at the end of a whole year
            frac = np.where(exact, 0.0, (b - spent) / year_value)
            never = (disc < 0) | ~np.isfinite(k_real) | ((year_value <= 0) & ~exact) | (k < 0)
            out = y0 + k + frac
        else:
            raise ValidationError(f"convention must be 'annual' or 'continuous', got {convention!r}")
        out = np.where(never, np.nan, out)
        out = np.where(b <= 0, y0, out)
        out = np.where(np.isnan(b) | np.isnan(e) | np.isnan(s), np.nan, out)
    for value in (budget, level, slope):
        if hasattr(value, "dims"):
            return _like(value, out) if np.shape(value) == out.shape else out
    return out if out.ndim else out[()]


def trend_zero_year(level: Any, slope: Any, *, start_year: Any) -> Any:
    """Where the line ``level + slope·(t − start_year)`` reaches zero (fractional year).

    NaN where the line does not fall (slope ≥ 0) or starts at or below zero.

    >>> float(trend_zero_year(100.0, -8.0, start_year=2023))
    2035.5
    """
    e, s, y0 = _arrays(level, slope, start_year)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where((s < 0) & (e > 0), y0 - e / s, np.nan)
    for value in (level, slope):
        if hasattr(value, "dims"):
            return _like(value, out) if np.shape(value) == out.shape else out
    return out if out.ndim else out[()]


def fractional_year_to_date(
    year: float, *, anchor_year: int | None = None, days_per_year: float | None = None
) -> dt.date | None:
    """A fractional year (e.g. ``2031.5``) as a calendar date; None for NaN.

    By default the fraction is of the calendar year itself (``2031.5`` → 2 July 2031). With
    ``anchor_year`` the date is 1 January of that year plus ``(year − anchor_year)`` years of
    ``days_per_year`` days (default 365) — Klimatkollen's convention for its run-out and net-zero
    dates (1 January after the last data year plus whole seconds of 365-day years).

    >>> fractional_year_to_date(2031.5)
    datetime.date(2031, 7, 2)
    >>> fractional_year_to_date(2031.5, anchor_year=2024)
    datetime.date(2031, 6, 30)
    """
    if year != year:
        return None
    if anchor_year is None:
        whole = int(np.floor(year))
        days = (dt.date(whole + 1, 1, 1) - dt.date(whole, 1, 1)).days
        offset = (year - whole) * (days if days_per_year is None else days_per_year)
        start = dt.datetime(whole, 1, 1)
    else:
        offset = (year - anchor_year) * (365.0 if days_per_year is None else days_per_year)
        start = dt.datetime(anchor_year, 1, 1)
    seconds = int(offset * 86400)
    return (start + dt.timedelta(seconds=seconds)).date()


def mean_annual_change_pct(emissions: xr.DataArray, *, start_year: int | None = None,
                           end_year: int | None = None) -> xr.DataArray:
    """The mean of the year-on-year changes in % (Klimatkollen's "historical change").

    Over consecutive reported years between ``start_year`` and ``end_year`` (default: all);
    a change across a gap in the data is not a year-on-year change and is left out. NaN where
    no two consecutive years are reported.

    >>> import xarray as xr
    >>> e = xr.DataArray([100.0, 90.0, 81.0], dims="year", coords={"year": [2020, 2021, 2022]})
    >>> float(mean_annual_change_pct(e))
    -10.0
    """
    from klimacore.forms import as_emissions

    e = as_emissions(emissions)
    years = e["year"].to_numpy()
    keep = np.ones(years.size, dtype=bool)
    if start_year is not None:
        keep &= years >= start_year
    if end_year is not None:
        keep &= years <= end_year
    e = e.isel(year=np.flatnonzero(keep))
    years = e["year"].to_numpy()
    v = e.to_numpy()
    consecutive = np.diff(years) == 1
    with np.errstate(invalid="ignore", divide="ignore"):
        change = (v[..., 1:] - v[..., :-1]) / v[..., :-1] * 100.0
    change = np.where(consecutive, change, np.nan)
    n = np.sum(np.isfinite(change), axis=-1)
    total = np.nansum(np.where(np.isfinite(change), change, 0.0), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(n > 0, total / np.maximum(n, 1), np.nan)
    return e.isel(year=0, drop=True).copy(data=mean)
