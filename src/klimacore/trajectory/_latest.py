"""Latest-year verdicts: where an entity stands now and where its current pace leads.

A status report asks three things of the latest observed year, for every entity and reference:

1. **The pace needed** from the latest year ``L`` (value ``E_L``) to each future milestone ``m``
   (allowed ``A_m``): linear ``(E_L − A_m)/(m − L)`` t a year, the same in % of base-year emissions
   a year, and compound ``1 − (A_m/E_L)^(1/(m − L))`` a year.
2. **The pace achieved**: the least-squares trend over a trailing window (default 5 years:
   ``L − 5 … L``, reported years only), the mean year-on-year change, and the value projected at
   each milestone by that trend (anchored at ``E_L`` by default, clipped at zero) — or by a
   projection you give (a plan's action scenario, a national projection) where it covers the
   milestone year.
3. **The verdict**: the projected gap ``projection − A_m`` in % of base-year emissions gives
   *on track* (≤ 0), *at risk* (≤ ``Thresholds.at_risk_pct``) or *off track*; the entity's verdict
   against a reference is the worst of its future milestones. The cumulative emissions so far and
   the trend give the date the reference's (implied or allocated) budget runs out, also beyond the
   data, and the date the trend reaches zero.

The latest year itself is compared with the reference's path in that year. Between milestones that
path is an interpolation nobody legislated: it is labelled *indicative* in every table and message
and carries at most *warning* severity; ``indicative_from`` sets its convention (from the base year,
or from a stated start year such as a plan's baseline year). An entity without a verdict says why:
no base-year value, a net-negative base, too few reported years in the window.

Examples
--------
The worked example: 1990 = 2000 kt, 2018 = 1300 kt, 2023 = 1100 kt against the Danish Climate Act
(allowed 2030 = 600 kt):

>>> import xarray as xr
>>> from klimacore.trajectory import latest_verdicts
>>> e = xr.DataArray([2000.0, 1300.0, 1100.0], dims="year", coords={"year": [1990, 2018, 2023]},
...                  attrs={"units": "kt"})
>>> v = latest_verdicts(e, "dk-climate-act")
>>> row = v.to_frame("milestones").query("year == 2030").iloc[0].to_dict()
>>> round(row["needed_t_per_year"] / 1e3, 2), round(row["needed_pct_of_base"], 3)
(71.43, 3.571)
>>> round(row["needed_compound_pct"], 2), row["trend_t_per_year"] / 1e3, row["projected"] / 1e3
(8.29, -40.0, 820.0)
>>> row["gap_t"] / 1e3, round(row["gap_pct"], 1), row["status"]
(220.0, 11.0, 'off track')
>>> v.worst()
reference dk-climate-act
entity
series         off track
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from klimacore.errors import ValidationError
from klimacore.trajectory._latest_inputs import (
    _base_inputs,
    _ls_trend,
    _mean_change,
    _reference_values,
    _Values,
    linear_trend,
)
from klimacore.trajectory._references import DEFAULT_REFERENCES, Reference, resolve_references
from klimacore.trajectory._result import (
    AT_RISK,
    NO_DATA,
    NOT_APPLICABLE,
    OFF_TRACK,
    ON_TRACK,
    STATUS_LABELS,
)

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from klimacore.trajectory._checks import Thresholds, TrajectoryCheck

__all__ = ["LatestCheck", "latest_from_check", "latest_verdicts", "linear_trend"]

_EPS = 1e-9
_RANK = np.asarray([0, 2, 3, 1])  # worst-of order by status code: on track < no data < at risk < off
Anchor = Literal["latest", "fit"]

# reasons an entity × reference has no verdict (codes in the summary's ``reason`` variable)
REASONS: tuple[str, ...] = (
    "",
    "no reported year",
    "base year not in the data (pass base_emissions)",
    "base-year value missing",
    "net-negative or zero base-year value",
    "fewer than 2 reported years in the trend window",
    "allowed value unknown (population or budget share missing)",
    "no milestone after the latest year",
    "reference not assigned to this entity",
)


@dataclass(frozen=True)
class LatestCheck:
    """Result of :func:`latest_verdicts`.

    Attributes
    ----------
    milestones
        Per entity, reference and future milestone year: ``allowed``, ``needed_t_per_year``,
        ``needed_pct_of_base``, ``needed_compound_pct``, ``projected``, ``projection_basis``
        (0 trend, 1 given projection), ``gap_t``, ``gap_pct``, ``status`` (codes as
        :data:`~klimacore.trajectory.STATUS_LABELS`; −1 where the year is not a future milestone
        of the reference).
    summary
        Per entity and reference: ``latest_year``, ``latest_t``, ``base_t``, ``allowed_latest``
        (the reference's path in the latest year), ``latest_indicative`` (True where that path is
        an interpolation), ``latest_status``, ``trend_t_per_year``, ``trend_start``,
        ``trend_points``, ``mean_change_pct``, ``verdict`` (worst future milestone),
        ``verdict_year``, ``reason`` (index into :data:`REASONS`), ``budget_t``,
        ``cumulative_t``, ``budget_left_t``, ``budget_runout_year`` (fractional),
        ``trend_zero_year`` (fractional), and ``estimate_t``/``estimate_year`` where ``as_of``
        asks for a year after the data.
    """

    milestones: xr.Dataset
    summary: xr.Dataset
    references: tuple[Reference, ...]
    entity_dims: tuple[str, ...] = field(default=())
    window: int = 5

    def latest(self) -> pd.DataFrame:
        """One row per entity × reference: the latest year, pace, projection and verdict."""
        from klimacore.trajectory._latest_frames import latest_frame

        return latest_frame(self)

    def worst(self) -> pd.DataFrame:
        """The verdict per entity (rows) and reference (columns); one row for a single series."""
        from klimacore.trajectory._latest_frames import verdict_table

        return verdict_table(self)

    def to_frame(self, kind: Literal["latest", "milestones"] = "latest") -> pd.DataFrame:
        """Tidy rows: ``latest`` (one per entity × reference) or ``milestones`` (per future
        milestone), each with status, severity and message."""
        from klimacore.trajectory._latest_frames import latest_frame, milestone_frame

        if kind == "latest":
            return latest_frame(self)
        if kind == "milestones":
            return milestone_frame(self)
        raise ValidationError(f"unknown kind {kind!r}: latest, milestones")


# --- the verdicts -------------------------------------------------------------------------------


def latest_verdicts(
    emissions: Any,
    references: Iterable[Reference | str] | Reference | str | Mapping[Any, Any] = (
        DEFAULT_REFERENCES),
    *,
    window: int = 5,
    projection: Any = None,
    base_emissions: Mapping[int, Any] | None = None,
    population: Any = None,
    budget_share: Any = None,
    thresholds: Thresholds | None = None,
    anchor: Anchor = "latest",
    indicative_from: Literal["base_year"] | int = "base_year",
    as_of: int | None = None,
    budget_start: int = 2020,
    gases: Any = None,
    boundary: str | None = None,
    includes_lulucf: bool | None = None,
    sector_map: Mapping[str, str] | None = None,
) -> LatestCheck:
    """Latest-year verdicts for every entity × reference in one vectorized call.

    Parameters
    ----------
    emissions
        Observed emissions with a ``year`` dim (any other dims are entities); pandas forms as
        :func:`~klimacore.trajectory.as_emissions`. Unreported years are NaN; each entity's
        latest year is its last reported one.
    references
        As :func:`~klimacore.trajectory.check_trajectory`. A reference whose base year is
        neither in the data nor in ``base_emissions`` gives "no data" with that reason (not an
        error), so one call serves entities with and without a published base-year value.
    window
        Years before the latest in the trend window (``L − window … L``).
    projection
        Emissions projected by a scenario (a plan's action scenario, a national projection),
        same entity dims; used at every milestone year it covers instead of the trend.
    base_emissions
        ``{base_year: value}`` (number, DataArray, pandas Series or dict keyed by the entity's
        labels) for base years not in the data; NaN means "not given" for that entity.
    population, budget_share, thresholds, gases, boundary, includes_lulucf, sector_map,
    budget_start
        As :func:`~klimacore.trajectory.check_trajectory`.
    anchor
        ``"latest"`` (default): the trend line runs through the latest value; ``"fit"``: the
        least-squares line itself (Klimatkollen's convention).
    indicative_from
        The path in years between milestones: ``"base_year"`` (straight line from the base year)
        or a start year ``S`` (straight line from the entity's own value in ``S`` to the next
        milestone, e.g. the plan's baseline year).
    as_of
        A year after the data to estimate (by the trend, labelled as an estimate).

    Returns
    -------
    LatestCheck
    """
    from klimacore.forms import as_emissions

    if window < 1:
        raise ValidationError(f"window must be at least 1 year, got {window}")
    E = as_emissions(emissions)
    if E.chunks is not None:  # dask-backed: the same call on every block of entities, lazily
        from klimacore.trajectory._lazy import lazy_latest

        return lazy_latest(latest_verdicts, E, references, dict(
            window=window, projection=projection, base_emissions=base_emissions,
            population=population, budget_share=budget_share, thresholds=thresholds,
            anchor=anchor, indicative_from=indicative_from, as_of=as_of,
            budget_start=budget_start, gases=gases, boundary=boundary,
            includes_lulucf=includes_lulucf, sector_map=sector_map))
    assign = None
    if isinstance(references, Mapping):
        refs, assign = _assignment(references, E)
    else:
        refs = resolve_references(references)
    if not refs:
        raise ValidationError("no references to check against")
    data_years = set(E["year"].to_numpy().tolist())
    bases = _base_inputs(base_emissions, E)
    runnable = [r for r in refs if r.base_year in data_years or r.base_year in bases]
    values = None
    if runnable:
        values = _reference_values(E, runnable, bases, population=population,
                                   budget_share=budget_share, sector_map=sector_map,
                                   budget_start=budget_start, gases=gases, boundary=boundary,
                                   includes_lulucf=includes_lulucf)
    return _assemble(E, refs, values, window=window, projection=projection,
                     thresholds=thresholds, anchor=anchor, indicative_from=indicative_from,
                     as_of=as_of, budget_start=budget_start, assign=assign)


def _assignment(mapping: Mapping[Any, Any], E: xr.DataArray
                ) -> tuple[list[Reference], np.ndarray[Any, Any]]:
    """References per entity: ``{label: refs}`` keyed by one entity dim → (union, (N, R) mask)."""
    dims = [str(d) for d in E.dims if d != "year"]
    keys = list(mapping)
    matches = [d for d in dims if set(keys) <= set(E[d].to_numpy().tolist())]
    if len(matches) != 1:
        raise ValidationError(
            "references given per entity must be keyed by the labels of one entity dimension "
            f"(dims {dims}); keys {keys[:10]} match {matches or 'none'}")
    dim = matches[0]
    labels = E[dim].to_numpy().tolist()
    lacking = [x for x in labels if x not in mapping]
    if lacking:
        raise ValidationError(f"no references assigned to {dim} {lacking[:20]}"
                              + (f" … and {len(lacking) - 20} more" if len(lacking) > 20 else ""))
    per = {k: resolve_references(v) for k, v in mapping.items()}
    union: dict[str, Reference] = {}
    for rs in per.values():
        for r in rs:
            other = union.setdefault(r.id, r)
            if other.key != r.key:
                raise ValidationError(f"two versions of reference {r.id!r} assigned")
    refs = list(union.values())
    ids = [r.id for r in refs]
    by_label = np.zeros((len(labels), len(refs)), dtype=bool)
    for i, label in enumerate(labels):
        for r in per[label]:
            by_label[i, ids.index(r.id)] = True
    axis = dims.index(dim)
    shape = [E.sizes[d] for d in dims]
    expand = [1] * len(dims)
    expand[axis] = len(labels)
    mask = np.broadcast_to(by_label.reshape(*expand, len(refs)), (*shape, len(refs)))
    return refs, np.ascontiguousarray(mask).reshape(-1, len(refs))


def latest_from_check(check: TrajectoryCheck, *, window: int = 5, projection: Any = None,
                      thresholds: Thresholds | None = None, anchor: Anchor = "latest",
                      indicative_from: Literal["base_year"] | int = "base_year",
                      as_of: int | None = None, budget_start: int = 2020) -> LatestCheck:
    """Latest-year verdicts from a :class:`~klimacore.trajectory.TrajectoryCheck` already made
    (``budget_start`` as the check was made with)."""
    E = check.years["emissions"].where(check.years["in_data"])
    E = E.isel(year=np.flatnonzero(check.years["in_data"].to_numpy()))
    dims = (*check.entity_dims, "reference")
    n = int(np.prod([E.sizes[d] for d in check.entity_dims])) if check.entity_dims else 1
    n_ref = len(check.references)
    years = check.years["year"].to_numpy()
    values: _Values = (
        [r.id for r in check.references], years,
        np.asarray(check.years["allowed"].transpose(*dims, "year").to_numpy(),
                   dtype=float).reshape(n, n_ref, years.size),
        np.asarray(check.summary["base_t"].transpose(*dims).to_numpy(),
                   dtype=float).reshape(n, n_ref),
        np.asarray(check.summary["budget_t"].transpose(*dims).to_numpy(),
                   dtype=float).reshape(n, n_ref))
    return _assemble(E, list(check.references), values, window=window, projection=projection,
                     thresholds=thresholds, anchor=anchor, indicative_from=indicative_from,
                     as_of=as_of, budget_start=budget_start)


def _assemble(E: xr.DataArray, refs: Sequence[Reference], ref_values: _Values | None, *,
              window: int, projection: Any, thresholds: Thresholds | None, anchor: Anchor,
              indicative_from: Literal["base_year"] | int, as_of: int | None,
              budget_start: int = 2020,
              assign: np.ndarray[Any, Any] | None = None) -> LatestCheck:
    import xarray as xr

    from klimacore.forms import as_emissions
    from klimacore.trajectory._checks import Thresholds

    th = thresholds or Thresholds()
    entity_dims = tuple(str(d) for d in E.dims if d != "year")
    shape = tuple(E.sizes[d] for d in entity_dims)
    n_ent = int(np.prod(shape)) if shape else 1
    years = E["year"].to_numpy().astype(np.int64)
    values = np.asarray(E.to_numpy(), dtype=float).reshape(n_ent, years.size)
    yf = years.astype(float)
    valid = np.isfinite(values)
    has = valid.any(-1)
    last_idx = np.where(has, years.size - 1 - np.argmax(valid[:, ::-1], axis=-1), 0)
    latest_year = np.where(has, yf[last_idx], np.nan)
    e_latest = np.where(has, values[np.arange(n_ent), last_idx], np.nan)
    # the trend needs only the columns of the windows (a few years, whatever the span)
    if has.any():
        lo = int(np.searchsorted(yf, np.nanmin(latest_year) - window))
        hi = int(np.searchsorted(yf, np.nanmax(latest_year), side="right"))
    else:
        lo, hi = 0, years.size
    slope, level_fit, n_pts = _ls_trend(values[:, lo:hi], yf[lo:hi], latest_year, window)
    level = e_latest if anchor == "latest" else level_fit
    mean_change = _mean_change(values[:, lo:hi], yf[lo:hi], latest_year, window)
    # the first year the trend actually rests on (the window may reach before the data)
    with np.errstate(invalid="ignore"):
        in_window = valid[:, lo:hi] & (yf[None, lo:hi] >= (latest_year - window)[:, None])
    first = np.argmax(in_window, axis=-1)
    trend_start = np.where(in_window.any(-1) & (n_pts >= 2), yf[lo:hi][first], np.nan)

    n_ref = len(refs)
    m_years = np.asarray(sorted({y for r in refs for y in r.milestone_years}), dtype=np.int64)
    n_m = m_years.size
    ids = [r.id for r in refs]
    base = np.full((n_ent, n_ref), np.nan)
    allowed_m = np.full((n_ent, n_ref, n_m), np.nan)
    allowed_l = np.full((n_ent, n_ref), np.nan)
    reason = np.zeros((n_ent, n_ref), dtype=np.int8)
    budget = np.full((n_ent, n_ref), np.nan)
    cum = np.full((n_ent, n_ref), np.nan)
    exhausted = np.full((n_ent, n_ref), np.nan)
    is_ms = np.zeros((n_ref, n_m), dtype=bool)
    if ref_values is not None:
        c_ids, c_years, a_all, b_all, bud = ref_values
        m_pos = np.searchsorted(c_years, m_years)
        li = np.minimum(np.searchsorted(c_years, np.where(has, latest_year, c_years[0])),
                        c_years.size - 1)
        present = [r for r, ref in enumerate(refs) if ref.id in c_ids]
        cidx = np.asarray([c_ids.index(refs[r].id) for r in present], dtype=np.int64)
        reason[:, [r for r in range(n_ref) if r not in present]] = 2
        if present:
            base[:, present] = b_all[:, cidx]
            budget[:, present] = bud[:, cidx]
            allowed_m[:, present, :] = a_all[:, cidx][:, :, m_pos]
            allowed_l[:, present] = np.take_along_axis(a_all[:, cidx, :], li[:, None, None],
                                                       -1)[..., 0]
    else:
        reason[:] = 2
    for r, ref in enumerate(refs):
        is_ms[r] = np.isin(m_years, ref.milestone_years)

    # indicative path convention: from a stated start year to the next milestone
    ind = np.ones((n_ent, n_ref), dtype=bool)
    for r, ref in enumerate(refs):
        ind[:, r] = ~np.isin(latest_year, np.asarray([ref.base_year, *ref.milestone_years],
                                                      dtype=float))
    if indicative_from != "base_year":
        s_year = int(indicative_from)
        if s_year in years.tolist():
            e_s = values[:, years.tolist().index(s_year)]
        else:
            e_s = np.full(n_ent, np.nan)
        for r, ref in enumerate(refs):
            later = [m for m in ref.milestone_years if m > s_year]
            if not later:
                continue
            m1 = later[0]
            a1 = allowed_m[:, r, int(np.searchsorted(m_years, m1))]
            with np.errstate(invalid="ignore"):
                frac = (latest_year - s_year) / (m1 - s_year)
                path = e_s + (a1 - e_s) * frac
                before = (latest_year > s_year) & (latest_year < m1)
            allowed_l[:, r] = np.where(before, path, np.where(latest_year <= s_year, np.nan,
                                                              allowed_l[:, r]))
    # projections at milestones: a given projection where it covers the year, else the trend
    dt = m_years[None, :] - latest_year[:, None]  # (N, M)
    proj = level[:, None] + slope[:, None] * dt
    clip = (level >= 0)[:, None]
    proj = np.where(clip, np.maximum(proj, 0.0), proj)
    basis = np.zeros((n_ent, n_m), dtype=np.int8)
    if projection is not None:
        if isinstance(projection, xr.DataArray) and "year" in projection.dims:
            # only the milestone years matter: select them before normalising (cheaper)
            keep = np.isin(projection["year"].to_numpy(), m_years)
            projection = projection.isel(year=np.flatnonzero(keep))
        P = as_emissions(projection)
        extra = [d for d in P.dims if d != "year" and d not in entity_dims]
        if extra:
            raise ValidationError(f"projection has dimension(s) {extra} the emissions lack "
                                  f"({list(entity_dims)})")
        P = P.reindex(year=m_years)
        P = P.broadcast_like(E.isel(year=0, drop=True)).transpose(*entity_dims, "year")
        pv = np.asarray(P.to_numpy(), dtype=float).reshape(n_ent, n_m)
        given = np.isfinite(pv)
        proj = np.where(given, pv, proj)
        basis = np.where(given, 1, 0).astype(np.int8)
    # paces and gaps (N, R, M); cells that are not a future milestone stay NaN throughout
    future = (dt > 0)[:, None, :] & is_ms[None, :, :]
    el = e_latest[:, None, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        a_f = np.where(future, allowed_m, np.nan)
        span = dt[:, None, :]
        inv_base = (100.0 / np.abs(base))[..., None]
        needed_t = el - a_f
        needed_t /= span
        needed_pct = needed_t * inv_base
        ratio = a_f / el
        np.maximum(ratio, 0.0, out=ratio)
        compound = np.power(ratio, 1.0 / span)
        np.subtract(1.0, compound, out=compound)
        compound *= 100.0
        compound[(a_f <= 0) & (el > 0)] = 100.0
        compound[(el <= 0) & future] = np.nan
        gap = proj[:, None, :] - a_f
        gap_pct = gap * inv_base
        np.round(gap_pct, 9, out=gap_pct)  # scale-free statuses at the boundaries (as checks)
        status = (gap_pct > 100 * _EPS).astype(np.int8)
        status += gap_pct > th.at_risk_pct + 100 * _EPS
    # reasons for "no data" (first that applies)
    b_ok = np.isfinite(base) & (base > 0)
    reason = np.where((reason == 0) & ~has[:, None], 1, reason)
    reason = np.where((reason == 0) & np.isnan(base), 3, reason)
    reason = np.where((reason == 0) & ~b_ok, 4, reason)
    reason = np.where((reason == 0) & ((n_pts < 2) & ~basis.all(-1))[:, None], 5, reason)
    no_future = ~future.any(-1)
    reason = np.where((reason == 0) & no_future, 7, reason)
    bad = np.isnan(gap_pct)
    bad |= (reason != 0)[..., None]
    status[bad] = NO_DATA
    status[~future] = NOT_APPLICABLE
    unknown_allowed = (reason == 0) & ~(future & ~np.isnan(a_f)).any(-1) & ~no_future
    reason = np.where(unknown_allowed, 6, reason).astype(np.int8)
    # the verdict: the worst future milestone (earliest among equals)
    rank = np.where(status >= 0, _RANK[np.maximum(status, 0)], -1)
    pick = rank.argmax(-1)
    verdict = np.take_along_axis(status, pick[..., None], -1)[..., 0]
    verdict_year = np.where(verdict >= 0, m_years[pick].astype(float), np.nan)
    verdict = np.where(reason == 7, NOT_APPLICABLE, verdict)
    verdict = np.where((reason != 0) & (reason != 7), NO_DATA, verdict).astype(np.int8)
    verdict_year = np.where(reason == 0, verdict_year, np.nan)
    if assign is not None:  # references assigned per entity: the others do not apply
        reason = np.where(assign, reason, 8).astype(np.int8)
        verdict = np.where(assign, verdict, NOT_APPLICABLE).astype(np.int8)
        status[~assign] = NOT_APPLICABLE
    # the latest year against the reference's path that year
    with np.errstate(invalid="ignore", divide="ignore"):
        l_gap_pct = np.round((e_latest[:, None] - allowed_l) / np.abs(base) * 100.0, 9)
        l_status = np.where(l_gap_pct <= 100 * _EPS, ON_TRACK,
                            np.where(l_gap_pct <= th.at_risk_pct + 100 * _EPS, AT_RISK,
                                     OFF_TRACK))
    l_status = np.where(np.isnan(l_gap_pct), NO_DATA, l_status)
    l_status = np.where(np.isnan(allowed_l) & ~np.isnan(base) & has[:, None] & (
        latest_year[:, None] < np.asarray([r.base_year for r in refs])[None, :]),
        NOT_APPLICABLE, l_status).astype(np.int8)
    if assign is not None:
        l_status[~assign] = NOT_APPLICABLE
    # budgets: emitted from the window start to the latest year (every year reported), what is
    # left, and the trend spending it from L + 1
    from klimacore.trajectory._budget import budget_runout, trend_zero_year

    starts = [ref.base_year if ref.method == "budget" else max(budget_start, ref.base_year)
              for ref in refs]
    c0 = int(np.searchsorted(years, min(starts))) if starts else 0
    c0 = min(c0, hi)
    vz = np.where(valid[:, c0:hi], values[:, c0:hi], 0.0)
    cs = np.concatenate([np.zeros((n_ent, 1)), np.cumsum(vz, -1)], -1)
    holes = np.concatenate([np.zeros((n_ent, 1)), np.cumsum(~valid[:, c0:hi], -1)], -1)
    steps = np.concatenate([[0], np.cumsum(np.diff(years[c0:hi]) != 1)])  # gaps in the years
    li1 = np.where(has, last_idx + 1 - c0, 0)  # relative to c0
    rows = np.arange(n_ent)
    cs_last = cs[rows, np.maximum(li1, 0)]
    holes_last = holes[rows, np.maximum(li1, 0)]
    for start in sorted(set(starts)):  # references sharing a window share the sums
        i0 = int(np.searchsorted(years, start))
        if i0 >= hi or years[i0] != start:
            continue
        i0 -= c0
        ok = has & (li1 > i0) & (holes_last == holes[:, i0]) & (
            steps[np.clip(li1 - 1, i0, None)] == steps[i0])
        total = np.where(ok, cs_last - cs[:, i0], np.nan)
        run = cs[:, i0 + 1:] - cs[:, i0:i0 + 1]  # running sum through each year from start
        run[np.arange(i0, hi - c0)[None, :] >= li1[:, None]] = -np.inf  # after the data
        for r in (r for r, st in enumerate(starts) if st == start):
            cum[:, r] = total
            with np.errstate(invalid="ignore"):
                over = run > budget[:, r, None]
            hit = over.any(-1) & ok
            exhausted[:, r] = np.where(hit, yf[c0 + i0 + over.argmax(-1)], np.nan)
    with np.errstate(invalid="ignore"):
        left = budget - cum
        next_level = level + slope  # the trend in year L + 1
        next_level = np.where(clip[:, 0], np.maximum(next_level, 0.0), next_level)
        runout = budget_runout(left, next_level[:, None], slope[:, None],
                               start_year=latest_year[:, None] + 1.0)
        runout = np.where(left <= 0, exhausted, runout)
        zero = trend_zero_year(level, slope, start_year=latest_year)
    estimate = np.full(n_ent, np.nan)
    if as_of is not None:
        with np.errstate(invalid="ignore"):
            estimate = np.where(as_of > latest_year, level + slope * (as_of - latest_year),
                                np.nan)
            estimate = np.where(clip[:, 0], np.maximum(estimate, 0.0), estimate)

    coords: dict[str, Any] = {d: E[d].to_numpy() for d in entity_dims}
    coords.update({str(c): E[c] for c in E.coords if c not in E.dims and "year" not in E[c].dims
                   and set(E[c].dims) <= set(entity_dims)})
    dims_e, dims_r = entity_dims, (*entity_dims, "reference")
    dims_rm = (*entity_dims, "reference", "year")

    def er(a: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        return a.reshape((*shape, *a.shape[1:]))

    attrs = {"units": "t", "status_labels": list(STATUS_LABELS), "at_risk_pct": th.at_risk_pct,
             "window": window, "anchor": anchor, "indicative_from": str(indicative_from),
             "references": [r.key for r in refs], "reasons": list(REASONS)}
    for key in ("gwp_metric", "gases", "boundary", "source", "release",
                "sector_classification"):
        if key in E.attrs:
            attrs[key] = E.attrs[key]
    ms = xr.Dataset(
        {
            "allowed": (dims_rm, er(allowed_m)),
            "needed_t_per_year": (dims_rm, er(needed_t)),
            "needed_pct_of_base": (dims_rm, er(needed_pct)),
            "needed_compound_pct": (dims_rm, er(compound)),
            "projected": ((*entity_dims, "year"), er(proj)),
            "projection_basis": ((*entity_dims, "year"), er(basis)),
            "gap_t": (dims_rm, er(gap)),
            "gap_pct": (dims_rm, er(gap_pct)),
            "status": (dims_rm, er(status)),
            "is_milestone": (("reference", "year"), is_ms),
        },
        coords={**coords, "reference": ids, "year": m_years}, attrs=attrs)
    summary = xr.Dataset(
        {
            "latest_year": (dims_e, er(latest_year)),
            "latest_t": (dims_e, er(e_latest)),
            "base_t": (dims_r, er(base)),
            "base_year": ("reference", np.asarray([r.base_year for r in refs])),
            "allowed_latest": (dims_r, er(allowed_l)),
            "latest_indicative": (dims_r, er(ind)),
            "latest_gap_pct": (dims_r, er(l_gap_pct)),
            "latest_status": (dims_r, er(l_status)),
            "trend_t_per_year": (dims_e, er(slope)),
            "trend_level_t": (dims_e, er(level)),
            "trend_start": (dims_e, er(trend_start)),
            "trend_points": (dims_e, er(n_pts.astype(np.int64))),
            "mean_change_pct": (dims_e, er(mean_change)),
            "verdict": (dims_r, er(verdict)),
            "verdict_year": (dims_r, er(verdict_year)),
            "reason": (dims_r, er(reason)),
            "budget_t": (dims_r, er(budget)),
            "cumulative_t": (dims_r, er(cum)),
            "budget_left_t": (dims_r, er(left)),
            "budget_runout_year": (dims_r, er(np.asarray(runout, dtype=float))),
            "trend_zero_year": (dims_e, er(np.asarray(zero, dtype=float))),
            "estimate_t": (dims_e, er(estimate)),
        },
        coords={**coords, "reference": ids}, attrs={**attrs, "as_of": as_of})
    return LatestCheck(ms, summary, tuple(refs), entity_dims, window)
