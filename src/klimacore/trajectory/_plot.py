"""Trajectory figure: observed, BAU and action scenarios, reference paths and targets.

matplotlib is imported only when a figure is drawn (optional extra ``klimacore[plot]``). The
figure is built without :mod:`matplotlib.pyplot`, so it works with any backend (Agg in tests) and
shows inline in notebooks; pass ``ax=`` to draw into an existing Axes.

Examples
--------
>>> from klimacore.models import load_example_plan
>>> from klimacore.trajectory import plot_trajectory
>>> fig = plot_trajectory(load_example_plan())
>>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()][:3]
['observed', 'BAU', 'action scenario']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import KlimacoreError, ValidationError
from klimacore.trajectory._references import DEFAULT_REFERENCES, Reference, resolve_references

if TYPE_CHECKING:
    import xarray as xr
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from klimacore.models import ClimateActionPlan

__all__ = ["plot_trajectory"]


def _mpl() -> Any:
    try:
        import matplotlib.figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "plotting needs matplotlib: pip install 'klimacore[plot]'"
        ) from exc
    return matplotlib.figure


def _series(da: xr.DataArray) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    ok = np.isfinite(da.to_numpy())
    return da["year"].to_numpy()[ok], da.to_numpy()[ok] / 1e3


def plot_trajectory(
    data: ClimateActionPlan | xr.DataArray,
    references: Iterable[Reference | str] = DEFAULT_REFERENCES,
    *,
    ax: Axes | None = None,
    population: xr.DataArray | None = None,
    budget_share: Any = None,
    show_targets: bool = True,
    end_year: int = 2050,
    title: str | None = None,
) -> Figure:
    """Draw emissions against reference paths (kt CO2e) and return the Figure.

    Parameters
    ----------
    data
        A :class:`~klimacore.models.ClimateActionPlan` (observed, BAU and action scenario totals,
        its targets as markers) or a DataArray with a ``year`` dim, optionally a ``draw`` dim
        (median and 5–95 % band) or a ``scenario`` dim (one line each).
    references
        Reference paths to draw, scaled to the data's own base-year emissions. References whose
        base year is missing from the data are listed as "not drawn" in the figure.
    ax
        Draw into this Axes instead of a new figure.
    population, budget_share
        For per-capita and budget references.
    show_targets
        Mark the plan's own targets.
    end_year
        Last year of the reference paths.
    title
        Axes title (default: the plan's municipality and version).
    """
    import xarray as xr

    from klimacore.trajectory._paths import reference_path
    from klimacore.trajectory._plan_emissions import (
        plan_emissions,
        plan_population,
        plan_references,
    )

    figure_mod = _mpl()
    if ax is None:
        fig = figure_mod.Figure(figsize=(8, 4.5), layout="constrained")
        ax = fig.add_subplot()
    else:
        fig = ax.figure
    plan = None
    if isinstance(data, xr.DataArray):
        da = data
        extra = [d for d in da.dims if d not in ("year", "draw", "scenario")]
        if extra or "year" not in da.dims:
            raise ValidationError(
                f"plot_trajectory draws one entity: select {extra or 'a year dim'} first "
                f"(dims {list(da.dims)})"
            )
        if "draw" in da.dims:
            q = da.quantile([0.05, 0.5, 0.95], dim="draw")
            for label, series in ([("median", q.sel(quantile=0.5))] if "scenario" not in da.dims
                                  else [(str(s), q.sel(quantile=0.5, scenario=s))
                                        for s in da["scenario"].to_numpy()]):
                x, y = _series(series.drop_vars("quantile"))
                ax.plot(x, y, lw=2, label=label)
            if "scenario" not in da.dims:
                lo, hi = q.sel(quantile=0.05), q.sel(quantile=0.95)
                ax.fill_between(lo["year"].to_numpy(), lo.to_numpy() / 1e3, hi.to_numpy() / 1e3, alpha=0.2,
                                label="5–95 %")
            base_source = q.sel(quantile=0.5, drop=True)
        elif "scenario" in da.dims:
            for s in da["scenario"].to_numpy():
                x, y = _series(da.sel(scenario=s))
                ax.plot(x, y, lw=2, label=str(s))
            base_source = da.isel(scenario=0, drop=True)
        else:
            x, y = _series(da)
            ax.plot(x, y, lw=2, color="black", label="emissions")
            base_source = da
        if "scenario" in base_source.dims:
            base_source = base_source.isel(scenario=0, drop=True)
    else:
        plan = data
        styles = {"observed": dict(color="black", marker="o", lw=1.5),
                  "bau": dict(color="grey", ls="--", lw=1.5),
                  "action": dict(color="tab:green", lw=2)}
        labels = {"observed": "observed", "bau": "BAU", "action": "action scenario"}
        for which in ("observed", "bau", "action"):
            try:
                series = plan_emissions(plan, which)
            except KlimacoreError:
                continue
            x, y = _series(series)
            ax.plot(x, y, label=labels[which], **styles[which])  # type: ignore[arg-type]
        base_source = plan_emissions(plan, "combined")
        if population is None:
            population = plan_population(plan)
    refs = resolve_references(references)
    not_drawn = []
    years_all = base_source["year"].to_numpy()
    for ref in refs:
        if ref.base_year not in years_all or not np.isfinite(
                float(base_source.sel(year=ref.base_year))):
            not_drawn.append(f"{ref.id} (no {ref.base_year} data)")
            continue
        base = base_source.sel(year=ref.base_year, drop=True)
        yrs = np.arange(ref.base_year, end_year + 1)
        try:
            path = reference_path(ref, base, yrs, population=population,
                                  budget_share=budget_share)
        except KlimacoreError as exc:
            not_drawn.append(f"{ref.id} ({exc})")
            continue
        x, y = _series(path)
        ax.plot(x, y, lw=1, ls=":", label=f"{ref.id}")
    if plan is not None and show_targets:
        for ref in plan_references(plan):
            if ref.method != "milestones" or ref.base_year not in years_all:
                continue
            b = float(base_source.sel(year=ref.base_year))
            mx = [m.year for m in ref.milestones]
            my = [b * (1 - (m.reduction_pct or 0.0) / 100) / 1e3 for m in ref.milestones]
            ax.plot(mx, my, ls="none", marker="D", color="tab:red", label="plan targets")
    ax.axhline(0, color="black", lw=0.5)
    ax.set_xlabel("year")
    ax.set_ylabel("kt CO2e")
    if title is None and plan is not None:
        title = f"{plan.municipality} · {plan.title} (v{plan.version})"
    if title:
        ax.set_title(title, fontsize=10)
    if not_drawn:
        ax.text(0.01, 0.01, "not drawn: " + "; ".join(not_drawn), transform=ax.transAxes,
                fontsize=7, va="bottom")
    ax.legend(fontsize=8, loc="upper right")
    return fig  # type: ignore[no-any-return]
