"""No backsliding: a new plan version keeps every target at least as strict as the old one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from klimacore.forms import PlanData, plan_data

if TYPE_CHECKING:
    import pandas as pd

    from klimacore.models import ClimateActionPlan, Target
from klimacore.trajectory._plan_rows import Rows

__all__ = ["check_no_backsliding"]


def _level(data: PlanData, t: Target) -> float | None:
    """A target as an absolute level in t (None when the base-year data are missing)."""
    if t.kind == "net_zero":
        return 0.0
    if t.base_year is None or t.reduction_pct is None:
        return None
    base = data.base(t.base_year)
    if base is None:
        return None
    value = base.get(t.sector) if t.sector else sum(base.values())
    return None if value is None else value * (1 - t.reduction_pct / 100)


def check_no_backsliding(new: ClimateActionPlan, old: ClimateActionPlan) -> pd.DataFrame:
    """No backsliding: the new version keeps every target at least as strict as the old one.

    Targets are matched by kind, sector and year; with the same base year reductions are
    compared, otherwise both are converted to levels in t with each plan's own observed data.

    >>> from klimacore.models import load_example_plan
    >>> new = load_example_plan()
    >>> old = new.model_copy(update={"version": "1.0", "previous_version": None})
    >>> check_no_backsliding(new, old)["status"].unique().tolist()
    ['pass']
    """
    out = Rows(new, "backsliding")
    if new.municipality != old.municipality:
        out.add("same_plan", "fail", "error",
                f"plans of different municipalities ({old.municipality} → {new.municipality})")
        return out.frame()
    if new.previous_version != old.version:
        out.add("same_plan", "fail", "warning",
                f"new plan's previous_version is {new.previous_version!r}, the old plan is "
                f"version {old.version!r}")
    if old.net_zero_year is not None:
        if new.net_zero_year is None:
            out.add("no_backsliding", "fail", "error",
                    f"net-zero target ({old.net_zero_year}) dropped", year=old.net_zero_year)
        elif new.net_zero_year > old.net_zero_year:
            out.add("no_backsliding", "fail", "error",
                    f"net zero moved from {old.net_zero_year} to {new.net_zero_year}",
                    year=new.net_zero_year, value=new.net_zero_year,
                    threshold=old.net_zero_year)
        else:
            out.add("no_backsliding", "pass", "info",
                    f"net zero {new.net_zero_year} (was {old.net_zero_year})",
                    year=new.net_zero_year, value=new.net_zero_year,
                    threshold=old.net_zero_year)
    for t in old.targets:
        if t.kind == "net_zero":
            continue
        what = f"{t.sector + ' ' if t.sector else ''}{t.kind} target {t.target_year}"
        match = [n for n in new.targets if n.kind == t.kind and n.sector == t.sector
                 and n.target_year == t.target_year]
        if not match:
            out.add("no_backsliding", "fail", "error", f"{what} dropped", sector=t.sector,
                    year=t.target_year)
            continue
        n = match[0]
        if t.kind == "per_capita":
            ok = (n.per_capita_t or 0.0) <= (t.per_capita_t or 0.0)
            out.add("no_backsliding", "pass" if ok else "fail", "error",
                    f"{what}: {n.per_capita_t} t/cap (was {t.per_capita_t})",
                    sector=t.sector, year=t.target_year, value=n.per_capita_t,
                    threshold=t.per_capita_t, unit="t/cap")
            continue
        if n.base_year == t.base_year:
            ok = (n.reduction_pct or 0.0) >= (t.reduction_pct or 0.0) - 1e-9
            out.add("no_backsliding", "pass" if ok else "fail", "error",
                    f"{what}: −{n.reduction_pct:g} % vs {n.base_year} (was "
                    f"−{t.reduction_pct:g} %)", sector=t.sector, year=t.target_year,
                    value=n.reduction_pct, threshold=t.reduction_pct, unit="% reduction")
            continue
        new_level, old_level = _level(plan_data(new), n), _level(plan_data(old), t)
        if new_level is None or old_level is None:
            out.add("no_backsliding", "no data", "warning",
                    f"{what}: base year changed {t.base_year} → {n.base_year} and the base-year "
                    "emissions needed to compare the levels are missing", sector=t.sector,
                    year=t.target_year)
            continue
        ok = new_level <= old_level * (1 + 1e-9) + 1e-9
        out.add("no_backsliding", "pass" if ok else "fail", "error",
                f"{what}: level {new_level:,.0f} t (was {old_level:,.0f} t; base year "
                f"{t.base_year} → {n.base_year})", sector=t.sector, year=t.target_year,
                value=new_level, threshold=old_level, unit="t")
    dropped = [g for g in old.inventory.gases if g not in new.inventory.gases]
    if dropped:
        out.add("no_backsliding", "fail", "error",
                f"inventory gas basket no longer covers {', '.join(dropped)}")
    if old.inventory.includes_lulucf != new.inventory.includes_lulucf:
        out.add("no_backsliding", "fail", "warning",
                f"inventory LULUCF coverage changed ({old.inventory.includes_lulucf} → "
                f"{new.inventory.includes_lulucf}): targets are not comparable")
    if not out.rows:
        out.add("no_backsliding", "pass", "info", "no targets to compare")
    return out.frame()
