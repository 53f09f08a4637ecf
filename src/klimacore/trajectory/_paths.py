"""Path builders: linear through milestones, constant rate blended to zero, budget-consistent.

Every builder is vectorized with xarray: start values, rates, budgets and milestone values may
carry any extra dimensions (municipality, scenario, sector, draw) and the result broadcasts them,
with ``year`` as the last dimension.

Examples
--------
>>> import xarray as xr
>>> from klimacore.trajectory import linear_path, constant_rate_path, budget_path
>>> linear_path({2019: 100.0, 2030: 30.0, 2050: 0.0}, [2019, 2024, 2030, 2040, 2060]).to_numpy()
array([100.        ,  68.18181818,  30.        ,  15.        ,   0.        ])
>>> p = constant_rate_path(100.0, 10.0, range(2020, 2051), start_year=2020, zero_year=2050)
>>> round(float(p.sel(year=2021)), 2), float(p.sel(year=2050))
(90.22, 0.0)
>>> b = budget_path(xr.DataArray([10.0, 20.0], dims="municipality"), 100.0,
...                 range(2020, 2101), start_year=2020)
>>> b.sum("year").to_numpy().round(6)
array([100., 100.])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from klimacore.errors import MissingLabelError, ValidationError

if TYPE_CHECKING:
    import xarray as xr

    from klimacore.trajectory._references import Reference

__all__ = [
    "budget_path",
    "budget_ratio",
    "constant_rate_path",
    "linear_path",
    "reduction_fraction",
    "reference_path",
]

Level = Literal["threshold", "justify", "high"]


def _years(years: Iterable[int]) -> np.ndarray[Any, np.dtype[np.int64]]:
    arr = np.asarray(list(years), dtype=np.int64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValidationError("years must be a non-empty sequence of integers")
    if np.any(np.diff(arr) <= 0):
        raise ValidationError(f"years must be strictly increasing, got {arr.tolist()[:10]}…")
    return arr


def _as_array(value: Any) -> xr.DataArray:
    import xarray as xr

    if isinstance(value, xr.DataArray):
        return value.astype(float)
    return xr.DataArray(np.asarray(value, dtype=float))


def _interp_weights(
    xs: np.ndarray[Any, Any], ys: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Indices i0, i1 and weight w so that f(ys) = f[i0] (1 − w) + f[i1] w, held at the ends."""
    if xs.size == 1:
        zero = np.zeros(ys.size, dtype=np.int64)
        return zero, zero, np.zeros(ys.size)
    i0 = np.clip(np.searchsorted(xs, ys, side="right") - 1, 0, xs.size - 2)
    i1 = i0 + 1
    w = np.clip((ys - xs[i0]) / (xs[i1] - xs[i0]), 0.0, 1.0)
    return i0, i1, w


def linear_path(
    milestones: Mapping[int, Any] | xr.DataArray,
    years: Iterable[int],
    *,
    extrapolate: Literal["hold", "nan"] = "hold",
) -> xr.DataArray:
    """Linear interpolation through milestones, for every year in ``years``.

    Parameters
    ----------
    milestones
        ``{year: value}`` (values may be arrays/DataArrays that broadcast) or a DataArray with a
        ``year`` dimension and any others.
    years
        Output years, strictly increasing.
    extrapolate
        ``"hold"`` keeps the first/last milestone value outside their span; ``"nan"`` gives NaN.

    Returns
    -------
    xarray.DataArray
        Dims: the milestones' other dims, then ``year``. The path passes through every milestone.

    >>> linear_path({2020: 10.0, 2030: 0.0}, [2015, 2025], extrapolate="nan").to_numpy()
    array([nan,  5.])
    """
    import xarray as xr

    if not isinstance(milestones, xr.DataArray):
        if not milestones:
            raise ValidationError("linear_path needs at least one milestone")
        keys = sorted(milestones)
        if all(isinstance(milestones[k], int | float | np.number) for k in keys):
            # plain numbers (every reference's milestones): no xarray round trip
            return _scalar_path(keys, [float(milestones[k]) for k in keys], years, extrapolate)
        milestones = xr.concat(
            [_as_array(milestones[k]) for k in keys], dim=xr.DataArray(keys, dims="year")
        )
    if "year" not in milestones.dims:
        raise MissingLabelError("dimension in milestones", ["year"], dim="dims")
    m = milestones.sortby("year").transpose(..., "year")
    xs = np.asarray(m["year"].to_numpy(), dtype=float)
    if np.unique(xs).size != xs.size:
        dupes = sorted({int(x) for x in xs if (xs == x).sum() > 1})
        raise ValidationError(f"milestone years listed twice: {dupes}")
    ys_int = _years(years)
    ys = ys_int.astype(float)
    i0, i1, w = _interp_weights(xs, ys)
    values = np.asarray(m.to_numpy(), dtype=float)
    out = values[..., i0] * (1.0 - w) + values[..., i1] * w
    if extrapolate == "nan":
        out[..., (ys < xs[0]) | (ys > xs[-1])] = np.nan
    dims = [*(d for d in m.dims if d != "year"), "year"]
    coords = {k: v for k, v in m.coords.items() if "year" not in v.dims}
    coords["year"] = ys_int
    return xr.DataArray(out, dims=dims, coords=coords)


def _scalar_path(keys: list[Any], values: list[float], years: Iterable[int],
                 extrapolate: str) -> xr.DataArray:
    import xarray as xr

    ys_int = _years(years)
    out = _scalar_values(keys, values, ys_int, extrapolate)
    return xr.DataArray(out, dims="year", coords={"year": ys_int})


def _scalar_values(keys: list[Any], values: list[float], ys_int: np.ndarray[Any, Any],
                   extrapolate: str = "hold") -> np.ndarray[Any, Any]:
    """:func:`linear_path` through plain numbers, as a numpy array over ``ys_int``."""
    xs = np.asarray(keys, dtype=float)
    ys = ys_int.astype(float)
    i0, i1, w = _interp_weights(xs, ys)
    v = np.asarray(values, dtype=float)
    out: np.ndarray[Any, Any] = v[i0] * (1.0 - w) + v[i1] * w
    if extrapolate == "nan":
        out[(ys < xs[0]) | (ys > xs[-1])] = np.nan
    return out


def constant_rate_path(
    start: Any,
    rate_pct: Any,
    years: Iterable[int],
    *,
    start_year: int,
    zero_year: int | None = None,
    blend_start: int | None = None,
) -> xr.DataArray:
    """A constant annual rate of decline, optionally blended linearly so it reaches zero.

    Without ``zero_year`` the path is ``start × (1 − rate/100)^(year − start_year)``. With it, the
    path is ``(1 − λ) × exponential + λ × linear``, where the linear path runs from ``start`` to
    zero in ``zero_year`` and the weight λ grows linearly from 0 in ``blend_start`` (default
    ``start_year``) to 1 in ``zero_year``; the path is zero from ``zero_year`` on. NaN before
    ``start_year``. ``start`` and ``rate_pct`` broadcast (DataArrays with any dims).

    >>> constant_rate_path(100.0, 50.0, [2020, 2021, 2022], start_year=2020).to_numpy()
    array([100.,  50.,  25.])
    """
    ys = _years(years).astype(float)
    s, r = _as_array(start), _as_array(rate_pct)
    if np.any(np.asarray(r.to_numpy()) >= 100):
        raise ValidationError("rate_pct must be below 100 (a 100 % rate leaves nothing)")
    t = ys - start_year
    base = (s * 0 + r * 0).expand_dims(year=_years(years)).transpose(..., "year")
    factor = (1.0 - r / 100.0).to_numpy()[..., None] ** np.maximum(t, 0)
    exp_path = s.to_numpy()[..., None] * factor
    if zero_year is not None:
        if zero_year <= start_year:
            raise ValidationError(f"zero_year {zero_year} must be after start_year {start_year}")
        tb = start_year if blend_start is None else blend_start
        if not start_year <= tb < zero_year:
            raise ValidationError(f"blend_start {tb} must be in [{start_year}, {zero_year})")
        lam = np.clip((ys - tb) / (zero_year - tb), 0.0, 1.0)
        lin = s.to_numpy()[..., None] * np.clip(1.0 - t / (zero_year - start_year), 0.0, 1.0)
        exp_path = (1.0 - lam) * exp_path + lam * lin
        exp_path = np.where(ys >= zero_year, 0.0, exp_path)
    exp_path = np.where(t < 0, np.nan, exp_path)
    return base.copy(data=np.broadcast_to(exp_path, base.shape).copy())


def budget_ratio(start: Any, budget: Any, n_years: int) -> np.ndarray[Any, Any]:
    """The yearly ratio q ∈ [0, 1] so that ``start × (1 + q + … + q^(n−1)) = budget``.

    Vectorized bisection. Where the budget exceeds ``n_years × start`` the ratio is capped at 1
    (the budget does not bind); where it is below one year's emissions, q = 0.
    """
    s = np.asarray(start, dtype=float)
    b = np.asarray(budget, dtype=float)
    s, b = np.broadcast_arrays(s, b)
    lo = np.zeros(s.shape)
    hi = np.ones(s.shape)
    for _ in range(60):
        q = 0.5 * (lo + hi)
        total = s * _geometric_sum(q, n_years)
        too_big = total > b
        hi = np.where(too_big, q, hi)
        lo = np.where(too_big, lo, q)
    return 0.5 * (lo + hi)


def _geometric_sum(q: np.ndarray[Any, Any], n: int) -> np.ndarray[Any, Any]:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (1.0 - q**n) / (1.0 - q)
    return np.where(np.isclose(q, 1.0, rtol=0, atol=1e-12), float(n), out)


def budget_path(
    start: Any,
    budget: Any,
    years: Iterable[int],
    *,
    start_year: int,
    end_year: int | None = None,
) -> xr.DataArray:
    """Exponential (geometric) path from ``start`` that spends ``budget`` from ``start_year``.

    The sum of the path over ``start_year … end_year`` (default: the last of ``years``) equals the
    budget; the path is zero after ``end_year`` and NaN before ``start_year``. If the budget is
    smaller than one year's emissions, the path cannot start at ``start``: it declines
    geometrically from the year before, ``P(y0 + k) ∝ q^k`` with ``q = B/(B + start)`` (the
    discrete convention of :func:`~klimacore.trajectory.discrete_budget_path`), scaled so the
    years to ``end_year`` sum to the budget. If the budget is larger than constant emissions would
    use, the path stays at ``start`` (a budget never licenses growth). A non-positive budget or
    start gives a path of zeros.

    >>> budget_path(10.0, 5.0, [2020, 2021], start_year=2020).to_numpy()
    array([3.75, 1.25])
    """
    ys_int = _years(years)
    end = int(ys_int[-1]) if end_year is None else end_year
    if end < start_year:
        raise ValidationError(f"end_year {end} is before start_year {start_year}")
    n = end - start_year + 1
    s, b = _as_array(start), _as_array(budget)
    base = (s * 0 + b * 0).expand_dims(year=ys_int).transpose(..., "year")
    sv = np.asarray((s + b * 0).to_numpy(), dtype=float)
    bv = np.asarray((b + s * 0).to_numpy(), dtype=float)
    q = budget_ratio(np.maximum(sv, 0.0), np.maximum(bv, 0.0), n)
    t = ys_int.astype(float) - start_year
    path = np.maximum(sv, 0.0)[..., None] * q[..., None] ** np.maximum(t, 0)
    # less than one year's emissions: geometric from the year before, q = B/(B + E0), scaled
    # so the n years sum to B exactly
    small = (bv < sv)[..., None]
    with np.errstate(invalid="ignore", divide="ignore"):
        qs = (bv / (bv + sv))[..., None]
        geo = bv[..., None] * (1.0 - qs) * qs ** np.maximum(t, 0) / (1.0 - qs**n)
    path = np.where(small, geo, path)
    path = np.where((bv <= 0)[..., None] | (sv <= 0)[..., None], 0.0, path)
    path = np.where(ys_int > end, 0.0, path)
    path = np.where(t < 0, np.nan, path)
    return base.copy(data=np.broadcast_to(path, base.shape).copy())


def reduction_fraction(
    reference: Reference,
    years: Iterable[int],
    *,
    level: Level = "threshold",
    sectors: Iterable[str] | None = None,
    sector_map: Mapping[str, str] | None = None,
) -> xr.DataArray:
    """Allowed emissions as a fraction of base-year emissions, per year (and sector).

    For ``milestones``, ``linear_rate`` and ``sector_range`` references: 1 in the base year,
    linear to each milestone's ``1 − reduction/100``, held after the last milestone, NaN before
    the base year. ``level`` picks the lower end of a range (``threshold``), its
    ``justify_below_pct`` (``justify``) or its upper end (``high``). For ``sector_range`` the
    result has a ``sector`` dim over ``sectors`` (mapped through ``sector_map``; sectors without a
    range are NaN).

    >>> from klimacore.trajectory import get_reference
    >>> reduction_fraction(get_reference("dk-climate-act"), [1990, 2025, 2030, 2060]).to_numpy()
    array([1. , 0.5, 0.3, 0. ])
    """
    import xarray as xr

    if reference.method not in ("milestones", "linear_rate", "sector_range"):
        raise ValidationError(
            f"reference {reference.id!r} ({reference.method}) is not a reduction reference"
        )
    ys = _years(years)

    def pct(m: Any) -> float:
        lo = float(m.reduction_pct)
        if level == "justify" and m.justify_below_pct is not None:
            return float(m.justify_below_pct)
        if level == "high" and m.reduction_pct_high is not None:
            return float(m.reduction_pct_high)
        return lo

    def path(ms: list[Any]) -> np.ndarray[Any, Any]:
        pts = {reference.base_year: 1.0, **{m.year: (100.0 - pct(m)) / 100.0 for m in ms}}
        keys = sorted(pts)
        out = _scalar_values(keys, [pts[k] for k in keys], ys)
        out[ys < reference.base_year] = np.nan
        return out

    if reference.method != "sector_range":
        if reference.method == "linear_rate" and reference.annual_rate_pct is not None:
            frac = (100.0 - reference.annual_rate_pct * (ys - reference.base_year)) / 100.0
            out = np.where(ys < reference.base_year, np.nan, np.maximum(frac, 0.0))
            return xr.DataArray(out, dims="year", coords={"year": ys})
        return xr.DataArray(path(list(reference.milestones)), dims="year", coords={"year": ys})
    if sectors is None:
        raise ValidationError(
            f"reference {reference.id!r} sets sector ranges: the data need a 'sector' dimension"
        )
    sector_list = list(sectors)
    mapping = dict(sector_map or {})
    rows = []
    for sector in sector_list:
        target = mapping.get(sector, sector)
        ms = [m for m in reference.milestones if m.sector == target]
        rows.append(path(ms) if ms else np.full(ys.size, np.nan))
    return xr.DataArray(
        np.vstack(rows), dims=("sector", "year"), coords={"sector": sector_list, "year": ys}
    )


def reference_path(
    reference: Reference,
    base_emissions: Any,
    years: Iterable[int],
    *,
    population: xr.DataArray | None = None,
    budget_share: Any = None,
    level: Level = "threshold",
    sector_map: Mapping[str, str] | None = None,
    budget_end_year: int = 2100,
) -> xr.DataArray:
    """Allowed emissions (t) under a reference, for entities with the given base-year emissions.

    Parameters
    ----------
    reference
        The reference.
    base_emissions
        Emissions in the reference's base year (t); a number or DataArray with any entity dims
        (a ``sector`` dim for ``sector_range`` references).
    years
        Output years.
    population
        Inhabitants with a ``year`` dim (and entity dims), for ``per_capita`` references. Years
        without population give NaN (reported as "no data" by the checks).
    budget_share
        The entity's share of the global budget, for ``budget`` references (see
        :func:`~klimacore.trajectory.population_share`, :func:`~klimacore.trajectory.grandfathering_share`).
    level
        For ranges: ``threshold`` (lower end), ``justify`` or ``high``.
    sector_map
        Maps data sectors to the reference's sectors (e.g. ``{"waste": "other"}``).
    budget_end_year
        Horizon over which a budget path spends the budget.

    >>> from klimacore.trajectory import get_reference
    >>> reference_path(get_reference("dk-climate-act"), 100.0, [1990, 2030]).to_numpy()
    array([100.,  30.])
    """

    base = _as_array(base_emissions)
    ys = _years(years)
    if reference.method in ("milestones", "linear_rate", "sector_range"):
        sectors = base["sector"].to_numpy().tolist() if "sector" in base.dims else None
        frac = reduction_fraction(reference, ys, level=level, sectors=sectors,
                                  sector_map=sector_map)
        return (base * frac).transpose(..., "year")
    if reference.method == "per_capita":
        if population is None:
            raise ValidationError(
                f"reference {reference.id!r} is per capita: pass population (with a 'year' dim)"
            )
        if "year" not in population.dims:
            raise MissingLabelError("dimension in population", ["year"], dim="dims")
        pop = population.astype(float).reindex(year=ys)
        if reference.base_year not in population["year"].to_numpy():
            raise MissingLabelError(
                f"population in base year of reference {reference.id!r}",
                [reference.base_year], dim="year",
            )
        pop_base = population.sel(year=reference.base_year).astype(float)
        pc_base = base / pop_base
        # the path is linear in the entity's own start value: pc(y) = pc_base·w(y) + m(y)
        weight = linear_path({reference.base_year: 1.0,
                              **{m.year: 0.0 for m in reference.milestones}}, ys)
        levels = linear_path({reference.base_year: 0.0,
                              **{m.year: float(m.per_capita_t or 0.0)
                                 for m in reference.milestones}}, ys)
        pc = pc_base * weight + levels
        pc = pc.where(~(pc > pc_base), pc_base)  # a per-capita path never licenses growth
        out = (pc * pop).transpose(..., "year")
        return out.where(out["year"] >= reference.base_year)
    # budget
    if budget_share is None:
        raise ValidationError(
            f"reference {reference.id!r} is a carbon budget: pass budget_share (the entity's "
            "share of the global budget, e.g. population_share(...) or grandfathering_share(...))"
        )
    from klimacore.trajectory._references import _check_share

    assert reference.budget_t is not None
    budget = _as_array(_check_share(budget_share, reference.id)) * reference.budget_t
    return budget_path(base, budget, ys, start_year=reference.base_year,
                       end_year=max(budget_end_year, reference.base_year))
