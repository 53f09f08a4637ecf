"""Checks of emissions against reference pathways: per year, per milestone, budgets, net zero.

:func:`check_trajectory` takes emissions with a ``year`` dimension and any others (municipality,
scenario, sector, draw …) and one or more references, and computes in one vectorized pass the
allowed value, the gap (t and % of base-year emissions) and a status for every entity, reference
and year; required and achieved average annual reduction rates at each milestone; cumulative
emissions against the reference's budget and the year that budget runs out; and the year net zero
is crossed. The result, :class:`TrajectoryCheck`, gives the same content as tidy DataFrames
(:meth:`TrajectoryCheck.to_frame`) and as xarray (:meth:`TrajectoryCheck.to_xarray`).

Statuses are ``on track`` (at or below the allowed value), ``at risk`` (above it by at most
``Thresholds.at_risk_pct`` % of base-year emissions, or, for a range, inside the range's lower
half that "must be justified"), ``off track`` and ``no data`` (a reporting gap: never a pass).

Examples
--------
>>> import xarray as xr
>>> from klimacore.trajectory import check_trajectory
>>> e = xr.DataArray([100.0, 30.0], dims="year", coords={"year": [1990, 2030]})
>>> res = check_trajectory(e, ["dk-climate-act"])
>>> res.to_frame("milestones")[["reference", "year", "value", "threshold", "status"]]
        reference  year  value  threshold     status
0  dk-climate-act  2025    NaN       50.0    no data
1  dk-climate-act  2030   30.0       30.0   on track
2  dk-climate-act  2050    NaN        0.0    no data
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from klimacore.errors import (
    MissingLabelError,
    ValidationError,
)
from klimacore.trajectory._inputs import (
    _base_values,
    _compatibility,
    _warn_unmapped_sectors,
    as_emissions,
    as_input_array,
)
from klimacore.trajectory._references import (
    DEFAULT_REFERENCES,
    Reference,
    resolve_references,
)
from klimacore.trajectory._result import (
    AT_RISK,
    NO_DATA,
    NOT_APPLICABLE,
    OFF_TRACK,
    ON_TRACK,
    SEVERITY,
    STATUS_LABELS,
    TrajectoryCheck,
)

if TYPE_CHECKING:
    import xarray as xr

__all__ = [
    "AT_RISK",
    "NO_DATA",
    "OFF_TRACK",
    "ON_TRACK",
    "SEVERITY",
    "STATUS_LABELS",
    "Thresholds",
    "TrajectoryCheck",
    "as_emissions",
    "as_input_array",
    "check_trajectory",
]

_EPS = 1e-9
"""Relative tolerance (of base-year emissions) below which an excess counts as float noise."""


@dataclass(frozen=True)
class Thresholds:
    """Where *at risk* ends and *off track* begins.

    Parameters
    ----------
    at_risk_pct
        Emissions above the allowed value by at most this many % of base-year emissions are
        *at risk*; more is *off track*. 0 makes every excess *off track*.
    budget_at_risk_pct
        The same for cumulative emissions, as the average yearly excess in % of base-year
        emissions over the budget window.
    """

    at_risk_pct: float = 5.0
    budget_at_risk_pct: float = 5.0

    def __post_init__(self) -> None:
        for name in ("at_risk_pct", "budget_at_risk_pct"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ValidationError(f"Thresholds.{name} must be finite and ≥ 0, got {value}")


# --- the check ----------------------------------------------------------------------------------


def _ffill_index(valid: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Index of the last True at or before each position along the last axis (−1 if none)."""
    idx = np.where(valid, np.arange(valid.shape[-1]), -1)
    return np.maximum.accumulate(idx, axis=-1)


def check_trajectory(
    emissions: Any,
    references: Iterable[Reference | str] | Reference | str = DEFAULT_REFERENCES,
    *,
    population: xr.DataArray | None = None,
    budget_share: Any = None,
    base_emissions: Mapping[int, Any] | None = None,
    thresholds: Thresholds | None = None,
    gases: Any = None,
    boundary: str | None = None,
    includes_lulucf: bool | None = None,
    sector_map: Mapping[str, str] | None = None,
    budget_start: int = 2020,
    on_invalid_base: Literal["raise", "no data"] = "raise",
    indicative_from: Literal["base_year"] | int = "base_year",
) -> TrajectoryCheck:
    """Check emissions against one or more references, for every entity, in one call.

    Parameters
    ----------
    emissions
        Emissions in t CO2e (or CO2) a year with a ``year`` dimension and any others; see
        :func:`as_emissions` for the pandas forms accepted. Years may be sparse; milestone years
        missing from the data are reported as "no data".
    references
        Reference ids (``'dk-climate-act'``, ``'ipcc-ar6-c1-ghg@AR6 SYR 2023'`` …) and/or
        :class:`~klimacore.trajectory.Reference` objects (a plan's own targets:
        :func:`~klimacore.trajectory.plan_reference`).
    population
        Inhabitants with a ``year`` dim, for per-capita references.
    budget_share
        The entities' share of global budgets (number or DataArray), for budget references.
    base_emissions
        ``{base_year: emissions}`` to use instead of the data's own base-year values.
    thresholds
        Where *at risk* ends (:class:`Thresholds`).
    gases, boundary, includes_lulucf
        What the data cover; default ``emissions.attrs``. A reference whose basket (CO2 only vs
        GHG) or boundary differs raises; a LULUCF difference warns.
    sector_map
        Maps the data's ``sector`` labels to a sector-range reference's sectors.
    budget_start
        First year of the cumulative window (never before a reference's base year).
    on_invalid_base
        ``'raise'`` (default) raises naming every entity whose base-year value is missing or not
        positive; ``'no data'`` reports those entities as "no data" instead.
    indicative_from
        The allowed value in years between milestones is an interpolation (labelled
        *indicative* in the per-year table, severity at most warning): a straight line from the
        base year (``"base_year"``), or from the entity's own value in a stated start year (e.g.
        the plan's baseline year) to the next milestone.

    Returns
    -------
    TrajectoryCheck

    Raises
    ------
    ValidationError
        Naming the reference, entity and year: a base year missing from the data, a missing or
        non-positive base-year value, a basket/boundary mismatch.
    """
    import xarray as xr

    th = thresholds or Thresholds()
    E = as_emissions(emissions)
    population = as_input_array(population, E, "population", by_year=True)
    budget_share = as_input_array(budget_share, E, "budget_share")
    refs = resolve_references(references)
    if not refs:
        raise ValidationError("no references to check against")
    from klimacore._lazy import is_lazy

    if is_lazy(E):  # dask-backed: the same check on every block of entities, nothing computed
        from klimacore.trajectory._lazy import lazy_check

        return lazy_check(check_trajectory, E, refs, dict(
            population=population, budget_share=budget_share, base_emissions=base_emissions,
            thresholds=thresholds, gases=gases, boundary=boundary,
            includes_lulucf=includes_lulucf, sector_map=sector_map, budget_start=budget_start,
            on_invalid_base=on_invalid_base, indicative_from=indicative_from))
    entity_dims = tuple(str(d) for d in E.dims if d != "year")
    problems = _compatibility(refs, E.attrs, gases, boundary, includes_lulucf)
    if sector_map and "sector" not in entity_dims:
        problems.append("sector_map given but the data have no 'sector' dimension")
    _warn_unmapped_sectors(refs, E, sector_map)
    data_years = E["year"].to_numpy().astype(np.int64)
    extra = sorted({y for r in refs for y in r.milestone_years} - set(data_years.tolist()))
    if extra:
        E = E.reindex(year=np.sort(np.concatenate([data_years, np.asarray(extra, np.int64)])))
    years = E["year"].to_numpy().astype(np.int64)
    in_data = np.isin(years, data_years)
    values = np.ascontiguousarray(E.to_numpy(), dtype=float)
    shape = values.shape[:-1]
    n_ref, n_year = len(refs), years.size
    template = E.isel(year=0, drop=True)
    last_data_year = int(data_years.max())
    nan_values = np.isnan(values)
    any_nan = bool(nan_values.any())

    # reference-major layout: each reference's block is contiguous (about 2× faster); the
    # Dataset gets (entity…, reference, year) views of the same memory
    allowed_r = np.empty((n_ref, *shape, n_year))
    gap_r = np.empty((n_ref, *shape, n_year))
    gap_pct_r = np.empty((n_ref, *shape, n_year))
    status_r = np.empty((n_ref, *shape, n_year), dtype=np.int8)
    base = np.full((*shape, n_ref), np.nan)
    base_ok = np.ones((*shape, n_ref), dtype=bool)
    budget_total = np.full((*shape, n_ref), np.nan)
    cum = np.full((*shape, n_ref), np.nan)
    cum_allowed = np.full((*shape, n_ref), np.nan)
    n_win = np.zeros(n_ref, dtype=np.int64)
    first_over = np.full((*shape, n_ref), np.nan)
    window_bounds = np.full((n_ref, 2), np.nan)
    running: dict[tuple[int, int], np.ndarray[Any, Any]] = {}
    uncovered = np.zeros((*shape, n_ref), dtype=bool)

    for r, ref in enumerate(refs):
        b = _base_values(ref, E, template, data_years, base_emissions, problems, on_invalid_base,
                         sector_map)
        if b is None:
            continue
        bv = np.broadcast_to(np.asarray(b.to_numpy(), dtype=float), shape)
        ok = np.isfinite(bv) & (bv > 0)
        base_ok[..., r] = ok
        base[..., r] = bv
        b_safe = np.where(ok, bv, np.nan)
        kw: dict[str, Any] = dict(population=population, budget_share=budget_share,
                                  sector_map=sector_map)
        has_just = any(m.justify_below_pct is not None for m in ref.milestones)
        start = ref.base_year if ref.method == "budget" else max(budget_start, ref.base_year)
        horizon = max([*ref.milestone_years, ref.net_zero_year or 0, start])
        annual = np.arange(start, horizon + 1)
        try:
            if ref.method in ("milestones", "linear_rate"):
                from klimacore.trajectory._paths import reduction_fraction

                frac = reduction_fraction(ref, years).to_numpy()
                thr = np.multiply(b_safe[..., None], frac, out=allowed_r[r])
                just = None
                budget_total[..., r] = b_safe * reduction_fraction(ref, annual).to_numpy().sum()
                covered = None
            elif ref.method == "per_capita" and population is not None:
                thr = _per_capita_into(allowed_r[r], ref, b_safe, population, template, years)
                just, covered = None, None
                i0, i1 = np.searchsorted(years, [annual[0], annual[-1] + 1])
                if np.array_equal(years[i0:i1], annual):
                    budget_total[..., r] = thr[..., i0:i1].sum(-1)
                else:
                    budget_total[..., r] = _aligned(_ref_path(
                        ref, template.copy(data=b_safe), annual, "threshold", kw),
                        template).sum(axis=-1)
            else:
                b_da = template.copy(data=b_safe)
                thr = _aligned(_ref_path(ref, b_da, years, "threshold", kw), template)
                allowed_r[r] = thr
                just = (_aligned(_ref_path(ref, b_da, years, "justify", kw), template)
                        if has_just else None)
                covered = None
                if ref.method == "sector_range":
                    ones = template.copy(data=np.ones(shape))
                    covered = np.isfinite(
                        _aligned(_ref_path(ref, ones, years, "threshold", kw), template)
                    ).any(axis=-1)
                if ref.method == "budget":
                    share = (budget_share if isinstance(budget_share, xr.DataArray)
                             else xr.DataArray(budget_share))
                    if [d for d in share.dims if d not in template.dims]:
                        raise ValidationError(
                            f"budget_share has dimension(s) {list(share.dims)} the emissions "
                            f"lack ({list(template.dims)})")
                    budget_total[..., r] = (share.broadcast_like(template)
                                            .transpose(*template.dims).to_numpy()
                                            * (ref.budget_t or 0.0))
                else:
                    budget_total[..., r] = _aligned(
                        _ref_path(ref, b_da, annual, "threshold", kw), template).sum(axis=-1)
        except (ValidationError, MissingLabelError) as exc:
            problems.append(str(exc))
            continue
        if indicative_from != "base_year" and ref.method != "budget":
            _restart_path(thr, values, years, int(indicative_from), ref)
        g = np.subtract(values, thr, out=gap_r[r])
        st = status_r[r]
        with np.errstate(invalid="ignore", divide="ignore"):
            gp = np.multiply(g, (100.0 / np.abs(b_safe))[..., None], out=gap_pct_r[r])
            # to 1e-9 % of base-year emissions: a gap at a status boundary lands on the same
            # side whatever the scale of the data (float noise would flip it otherwise)
            np.round(gp, 9, out=gp)
            # statuses from the gap in % of base-year emissions (scale-free); an excess below
            # 100·_EPS % is float noise, not an excess
            if just is not None:
                eps = _EPS * np.abs(b_safe)[..., None]
                np.greater(values, just + eps, out=st, casting="unsafe")
                st += gp > 100.0 * _EPS
            else:
                np.greater(gp, 100.0 * _EPS, out=st, casting="unsafe")
                st += gp > th.at_risk_pct + 100.0 * _EPS
        if any_nan:
            np.putmask(st, nan_values, NO_DATA)
        if ref.method not in ("milestones", "linear_rate") or not ok.all():
            np.putmask(st, np.isnan(thr), NO_DATA)
        st[..., years < ref.base_year] = NOT_APPLICABLE
        if covered is not None:
            st[~covered] = NOT_APPLICABLE
            uncovered[..., r] = ~covered
        # cumulative window and (implied) budget
        # the window runs to the reference's horizon (last milestone or net zero) at most
        win_end = min(last_data_year, horizon if ref.method != "budget" else last_data_year)
        if start <= win_end:
            window_bounds[r] = (start, win_end)
            i0, i1 = np.searchsorted(years, [start, win_end + 1])
            if np.array_equal(years[i0:i1], np.arange(start, win_end + 1)):
                n_win[r] = i1 - i0
                if (i0, i1) not in running:
                    running[(i0, i1)] = np.cumsum(values[..., i0:i1], -1)
                run_sum = running[(i0, i1)]
                cum[..., r] = run_sum[..., -1]
                cum_allowed[..., r] = thr[..., i0:i1].sum(-1)
                over = run_sum > budget_total[..., r, None]
                hit = over.any(-1)
                first_over[..., r] = np.where(hit, years[i0:i1][over.argmax(-1)], np.nan)

    if problems:
        raise ValidationError(f"{len(problems)} problem(s) checking trajectories",
                              problems=problems)
    allowed, gap = np.moveaxis(allowed_r, 0, -2), np.moveaxis(gap_r, 0, -2)
    gap_pct, status = np.moveaxis(gap_pct_r, 0, -2), np.moveaxis(status_r, 0, -2)

    coords: dict[str, Any] = {d: E[d].to_numpy() for d in entity_dims}
    coords.update(reference=[r.id for r in refs], year=years)
    dims_ry = (*entity_dims, "reference", "year")
    attrs = {
        "units": "t",
        "status_labels": list(STATUS_LABELS),
        "at_risk_pct": th.at_risk_pct,
        "indicative_from": str(indicative_from),
        "references": [r.key for r in refs],
    }
    for key in ("gwp_metric", "gases", "boundary", "source"):
        if key in E.attrs:
            attrs[key] = E.attrs[key]
    ds_years = xr.Dataset(
        {
            "emissions": ((*entity_dims, "year"), values),
            "allowed": (dims_ry, allowed),
            "gap_t": (dims_ry, gap),
            "gap_pct": (dims_ry, gap_pct),
            "status": (dims_ry, status),
        },
        coords=coords,
        attrs=attrs,
    )
    ds_years["in_data"] = ("year", in_data)

    # milestones
    m_years = np.asarray(sorted({y for r in refs for y in r.milestone_years}), dtype=np.int64)
    m_idx = np.searchsorted(years, m_years)
    is_ms = np.zeros((n_ref, m_years.size), dtype=bool)
    base_year = np.asarray([r.base_year for r in refs], dtype=float)
    for r, ref in enumerate(refs):
        is_ms[r] = np.isin(m_years, ref.milestone_years)
    valid = ~nan_values & in_data
    if not any_nan and in_data[m_idx].all():
        last_idx = np.broadcast_to(m_idx, (*shape, m_idx.size))  # every milestone reported
    else:
        last_idx = _ffill_index(valid)[..., m_idx]  # (*shape, M)
    data_year = np.where(last_idx >= 0, years[np.maximum(last_idx, 0)], np.nan)
    e_last = np.where(last_idx >= 0, np.take_along_axis(values, np.maximum(last_idx, 0), -1),
                      np.nan)
    def at_milestones(arr_r: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return np.moveaxis(arr_r[..., m_idx], 0, -2)  # gather from the contiguous blocks

    allowed_m = at_milestones(allowed_r)
    with np.errstate(invalid="ignore", divide="ignore"):
        span_req = (m_years[None, :] - base_year[:, None])  # (R, M)
        req = (1.0 - allowed_m / base[..., None]) * 100.0 / span_req
        span_ach = data_year[..., None, :] - base_year[:, None]
        ach = (1.0 - e_last[..., None, :] / base[..., None]) * 100.0 / span_ach
        ach = np.where(span_ach > 0, ach, np.nan)
    ds_ms = xr.Dataset(
        {
            "emissions": ((*entity_dims, "year"), values[..., m_idx]),
            "allowed": (dims_ry, allowed_m),
            "gap_t": (dims_ry, at_milestones(gap_r)),
            "gap_pct": (dims_ry, at_milestones(gap_pct_r)),
            "status": (dims_ry, at_milestones(status_r)),
            "is_milestone": (("reference", "year"), is_ms),
            "required_rate_pct": (dims_ry, req),
            "achieved_rate_pct": (dims_ry, ach),
            "data_year": ((*entity_dims, "year"), data_year),
        },
        coords={**coords, "year": m_years},
        attrs=attrs,
    )

    with np.errstate(invalid="ignore", divide="ignore"):
        budget_gap_pct = 100.0 * (cum - cum_allowed) / (np.abs(base) * np.maximum(n_win, 1))
        b_status = np.where(cum <= cum_allowed, ON_TRACK,
                            np.where(budget_gap_pct <= th.budget_at_risk_pct, AT_RISK,
                                     OFF_TRACK))
    b_status = np.where(np.isnan(cum) | np.isnan(cum_allowed) | ~base_ok, NO_DATA, b_status)
    b_status = np.where(np.isnan(window_bounds[:, 0]) | uncovered, NOT_APPLICABLE, b_status)

    # net zero is crossed in the first year from which every reported value stays at or below 0
    above = (values > 0) & valid
    last_above = np.where(above.any(-1), n_year - 1 - np.argmax(above[..., ::-1], axis=-1), -1)
    after = np.arange(n_year) > last_above[..., None]
    crossed = (values <= 0) & valid & after
    nz_year = np.where(crossed.any(-1), years[crossed.argmax(-1)], np.nan)
    nz_req = np.asarray([np.nan if r.net_zero_year is None else r.net_zero_year for r in refs])
    covered = np.stack([
        valid[..., years == r.net_zero_year].any(-1) if r.net_zero_year is not None
        else np.zeros(shape, dtype=bool) for r in refs
    ], axis=-1)
    with np.errstate(invalid="ignore"):
        nz_status = np.where(nz_year[..., None] <= nz_req, ON_TRACK,
                             np.where(covered | (nz_year[..., None] > nz_req), OFF_TRACK,
                                      NO_DATA))
    nz_status = np.where(np.isnan(nz_req), NOT_APPLICABLE, nz_status)
    dims_r = (*entity_dims, "reference")
    ds_sum = xr.Dataset(
        {
            "base_t": (dims_r, base),
            "base_year": ("reference", base_year.astype(np.int64)),
            "cumulative_t": (dims_r, cum),
            "cumulative_allowed_t": (dims_r, cum_allowed),
            "budget_t": (dims_r, budget_total),
            "budget_gap_pct": (dims_r, budget_gap_pct),
            "budget_status": (dims_r, b_status.astype(np.int8)),
            "budget_exhausted_year": (dims_r, first_over),
            "window_start": ("reference", window_bounds[:, 0]),
            "window_end": ("reference", window_bounds[:, 1]),
            "net_zero_year": (entity_dims, nz_year),
            "net_zero_required": ("reference", nz_req),
            "net_zero_status": (dims_r, nz_status.astype(np.int8)),
        },
        coords={k: v for k, v in coords.items() if k != "year"},
        attrs=attrs,
    )
    return TrajectoryCheck(ds_years, ds_ms, ds_sum, tuple(refs), entity_dims)


def _restart_path(thr: np.ndarray[Any, Any], values: np.ndarray[Any, Any],
                  years: np.ndarray[Any, Any], start: int, ref: Reference) -> None:
    """Between ``start`` and the next milestone, the straight line from the entity's own value
    in ``start`` to that milestone's allowed value (in place; NaN where ``start`` is unreported)."""
    later = [m for m in ref.milestone_years if m > start]
    if not later or start <= ref.base_year:
        return
    m1 = later[0]
    between = (years >= start) & (years < m1)
    if not between.any():
        return
    i_m = int(np.searchsorted(years, m1))
    if start in years:
        e_s = values[..., int(np.searchsorted(years, start))]
    else:
        e_s = np.full(values.shape[:-1], np.nan)
    w = (years[between] - start) / (m1 - start)
    a1 = thr[..., i_m]
    thr[..., between] = e_s[..., None] + (a1 - e_s)[..., None] * w


def _expand(da: xr.DataArray, dims: Sequence[Any], what: str) -> np.ndarray[Any, Any]:
    """``da`` as a numpy array broadcastable to ``dims`` (size-1 axes for absent dims)."""
    extra = [d for d in da.dims if d not in dims]
    if extra:
        raise ValidationError(f"{what} has dimension(s) {extra} the emissions lack "
                              f"({[d for d in dims if d != 'year']} + year)")
    present = [d for d in dims if d in da.dims]
    arr = np.asarray(da.transpose(*present).to_numpy(), dtype=float)
    return arr.reshape([da.sizes[d] if d in da.dims else 1 for d in dims])


def _per_capita_into(out: np.ndarray[Any, Any], ref: Reference, b_safe: np.ndarray[Any, Any],
                     population: xr.DataArray, template: xr.DataArray,
                     years: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Per-capita allowed emissions written into ``out`` (numpy fast path of reference_path)."""
    from klimacore.trajectory._paths import linear_path

    if "year" not in population.dims:
        raise MissingLabelError("dimension in population", ["year"], dim="dims")
    if ref.base_year not in population["year"].to_numpy():
        raise MissingLabelError(f"population in base year of reference {ref.id!r}",
                                [ref.base_year], dim="year")
    dims = [*template.dims, "year"]
    pop = _expand(population.astype(float).reindex(year=years), dims, "population")
    pop_base = _expand(population.sel(year=[ref.base_year]).astype(float), dims,
                       "population")[..., 0]
    pc_base = (b_safe / pop_base)[..., None]
    weight = linear_path({ref.base_year: 1.0, **{m.year: 0.0 for m in ref.milestones}},
                         years).to_numpy()
    levels = linear_path({ref.base_year: 0.0, **{m.year: float(m.per_capita_t or 0.0)
                                                 for m in ref.milestones}}, years).to_numpy()
    np.multiply(pc_base, weight, out=out)
    out += levels
    np.minimum(out, pc_base, out=out)  # a per-capita path never licenses growth
    out *= pop
    out[..., years < ref.base_year] = np.nan
    return out


def _ref_path(ref: Reference, base: xr.DataArray, years: Any, level: Any,
              kw: dict[str, Any]) -> xr.DataArray:
    from klimacore.trajectory._paths import reference_path

    return reference_path(ref, base, years, level=level, **kw)


def _aligned(path: xr.DataArray, template: xr.DataArray) -> np.ndarray[Any, Any]:
    extra = [d for d in path.dims if d not in template.dims and d != "year"]
    if extra:
        raise ValidationError(
            f"inputs carry dimension(s) {extra} that the emissions lack; "
            f"emissions dims: {list(template.dims)} + year"
        )
    out = path.broadcast_like(template).transpose(*template.dims, "year")
    return np.asarray(out.to_numpy(), dtype=float)

