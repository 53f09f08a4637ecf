"""A plan's emissions as arrays (:func:`plan_emissions`) and its targets as references.

Both read the plan through :func:`klimacore.forms.plan_data` (internal module of
:mod:`klimacore.trajectory`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from klimacore.errors import DataError, ValidationError
from klimacore.forms import PlanData, SectorSeries, as_population, plan_data
from klimacore.trajectory._references import Milestone, Reference, Source

if TYPE_CHECKING:
    import xarray as xr

    from klimacore.models import ClimateActionPlan, Target

from klimacore.trajectory._plan_rows import economy_targets

__all__ = ["plan_emissions", "plan_population", "plan_references"]


def plan_population(plan: ClimateActionPlan) -> xr.DataArray | None:
    """A plan's ``population`` (``{year: persons}``) as the population form, or None.

    The one place a plan's population becomes an array: :func:`klimacore.forms.as_population`
    with ``dim="year"`` (so the count is keyed by year, never guessed).

    >>> from klimacore.models import load_example_plan
    >>> pop = plan_population(load_example_plan())
    >>> pop.dims, pop.attrs["units"]
    (('year',), 'persons')
    """
    if not plan.population:
        return None
    return as_population(dict(plan.population), dim="year",
                         source=f"plan {plan.title!r}: population")


def plan_emissions(
    plan: ClimateActionPlan, which: str = "combined", *, by_sector: bool = False
) -> xr.DataArray:
    """A plan's emissions as a DataArray (t CO2e) with the inventory's metadata in ``attrs``.

    ``which`` is ``observed``, ``bau``, ``action`` or ``combined`` (observed years, then the
    action scenario after the last observed year). Totals over sectors are NaN in a year where any
    sector is missing (a reporting gap is never a partial sum). ``by_sector`` keeps a ``sector``
    dim. The plan is read by :func:`~klimacore.forms.plan_data` (which refuses a baseline that
    disagrees with the observed base year).

    >>> from klimacore.models import load_example_plan
    >>> e = plan_emissions(load_example_plan())
    >>> int(e.sel(year=1990)), int(e.sel(year=2030)), e.attrs["gases"]
    (293000, 94320, ('CO2', 'CH4', 'N2O'))
    """
    return _plan_emissions(plan_data(plan), which, by_sector=by_sector)


def _combined(data: PlanData) -> SectorSeries:
    observed, action = data.observed, data.action
    if observed.empty:
        return action
    if action.empty:
        return observed
    last = observed.years[-1]
    later = {s: {y: v for y, v in zip(action.years, action.tonnes[:, j].tolist(), strict=True)
                 if y > last and v == v}
             for j, s in enumerate(action.sectors)}
    merged = {s: {y: v for y, v in zip(observed.years, observed.tonnes[:, j].tolist(),
                                        strict=True) if v == v}
              for j, s in enumerate(observed.sectors)}
    for s, series in later.items():
        merged.setdefault(s, {}).update(series)
    return SectorSeries.from_mapping({s: v for s, v in merged.items()})


def _plan_emissions(data: PlanData, which: str = "combined", *,
                    by_sector: bool = False) -> xr.DataArray:
    import numpy as np
    import xarray as xr

    plan = data.plan
    series = {"observed": data.observed, "bau": data.bau, "action": data.action}
    if which == "combined":
        frame = _combined(data)
    elif which in series:
        frame = series[which]
    else:
        raise ValidationError(f"unknown scenario {which!r}: observed, bau, action or combined",
                              code="plan.scenario", label=which, location="which")
    totals_apply = which in ("observed", "combined") and bool(data.observed_totals)
    if frame.empty and not (totals_apply and not by_sector):
        raise DataError(f"plan {plan.municipality} v{plan.version} has no {which} emissions",
                        code="plan.no_emissions", label=which, location=which)
    attrs = {
        "units": "t",
        "gwp_metric": plan.gwp_metric,
        "gases": tuple(plan.inventory.gases),
        "boundary": plan.inventory.boundary,
        "includes_lulucf": plan.inventory.includes_lulucf,
        "source": plan.inventory.source,
        "scenario": which,
    }
    if by_sector:
        da = xr.DataArray(frame.tonnes.T.copy(), dims=("sector", "year"),
                          coords={"sector": list(frame.sectors), "year": list(frame.years)})
    else:
        total = dict(zip(frame.years, frame.totals().tolist(), strict=True))
        if totals_apply:
            # published totals for years the sector breakdown lacks (e.g. a 1990 back-cast)
            for y, v in data.observed_totals.items():
                if math.isnan(total.get(y, math.nan)):
                    total[y] = v
        years = sorted(total)
        da = xr.DataArray(np.array([total[y] for y in years], dtype=float), dims="year",
                          coords={"year": np.array(years, dtype=int)})
    da.attrs = attrs
    return da


def plan_references(plan: ClimateActionPlan) -> list[Reference]:
    """The plan's own economy-wide targets as references (one per base year; per-capita apart).

    A net-zero target becomes a 100 % milestone (net zero) in each reduction reference.

    >>> from klimacore.models import load_example_plan
    >>> [r.describe().split(" [")[0] for r in plan_references(load_example_plan())]
    ['plan-727-v2.0@2.0: Targets of plan 727 v2.0 — base 1990; 2025 −50 %, 2030 −70 %, 2035 −80 %, 2040 −90 %, 2050 −100 %']
    """
    targets = economy_targets(plan)
    net_zero = [t for t in targets if t.kind == "net_zero"]
    nz_year = min((t.target_year for t in net_zero), default=None)
    by_base: dict[int, list[Target]] = {}
    for t in targets:
        if t.kind == "absolute" and t.base_year is not None:
            by_base.setdefault(t.base_year, []).append(t)
    if not by_base and net_zero:
        by_base[plan.baseline_year] = []
    gases = tuple(plan.inventory.gases)
    refs: list[Reference] = []
    stem = f"plan-{plan.municipality}-v{plan.version}"
    for base_year, group in sorted(by_base.items()):
        points = {t.target_year: float(t.reduction_pct or 0.0) for t in group}
        if nz_year is not None and nz_year > base_year:
            points[nz_year] = max(points.get(nz_year, 0.0), 100.0)
        lulucf = {t.includes_lulucf for t in group + net_zero}
        refs.append(Reference(
            id=stem if len(by_base) == 1 else f"{stem}-b{base_year}",
            version=plan.version,
            title=f"Targets of plan {plan.municipality} v{plan.version}",
            method="milestones",
            base_year=base_year,
            milestones=tuple(Milestone(year=y, reduction_pct=p) for y, p in sorted(points.items())),
            gases=gases,
            boundary=next((t.boundary for t in group + net_zero), "territorial"),
            includes_lulucf=lulucf.pop() if len(lulucf) == 1 else None,
            net_zero_year=nz_year,
            source=Source(publisher=f"Municipality {plan.municipality}", report=plan.title,
                          year=plan.adopted.year if plan.adopted else None, verification="user"),
        ))
    per_capita = sorted((t for t in targets if t.kind == "per_capita"),
                        key=lambda t: t.target_year)
    if per_capita:
        refs.append(Reference(
            id=f"{stem}-per-capita", version=plan.version,
            title=f"Per-capita targets of plan {plan.municipality} v{plan.version}",
            method="per_capita", base_year=plan.baseline_year,
            milestones=tuple(Milestone(year=t.target_year, per_capita_t=t.per_capita_t)
                             for t in per_capita if t.target_year > plan.baseline_year),
            gases=gases, boundary=per_capita[0].boundary, net_zero_year=nz_year,
            source=Source(publisher=f"Municipality {plan.municipality}", report=plan.title,
                          verification="user"),
        ))
    return refs


