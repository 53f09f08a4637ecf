"""The remaining gap ("manko") per milestone and sector, and claimed reductions vs actions.

See :mod:`klimacore.trajectory` (internal module): :func:`manko`, :func:`action_coverage` and the
rows :func:`~klimacore.trajectory.check_plan` reports for them.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from klimacore.forms import PlanData, plan_data

if TYPE_CHECKING:
    import pandas as pd

    from klimacore.models import ClimateActionPlan
from klimacore.trajectory._plan_rows import LINK_TOLERANCE_PCT, Rows, economy_targets

__all__ = ["action_coverage", "manko"]


def manko(plan: ClimateActionPlan) -> pd.DataFrame:
    """The remaining gap per milestone and sector: action scenario minus target level (t CO2e).

    One row per economy-wide target year (and net zero) and sector, plus a ``total`` row, and one
    row per sector target. Positive ``manko_t`` is a shortfall. Economy-wide targets are split over
    sectors by base-year shares, so the sector rows add up to the total.

    >>> from klimacore.models import load_example_plan
    >>> m = manko(load_example_plan())
    >>> m[(m.year == 2050) & (m.sector == "total")][["target_t", "action_t", "manko_t"]]
        target_t  action_t  manko_t
    34       0.0   20270.0  20270.0
    """
    return _manko(plan_data(plan))


def _manko(data: PlanData) -> pd.DataFrame:
    import pandas as pd

    plan, action = data.plan, data.action
    rows: list[dict[str, Any]] = []
    economy = [t for t in economy_targets(plan) if t.kind in ("absolute", "net_zero")]
    for t in sorted(economy, key=lambda t: t.target_year):
        year = t.target_year
        if t.kind == "net_zero":
            base_year, pct, label = None, 100.0, f"net zero {year}"
            base: dict[str, float] | None = ({s: 0.0 for s in action.sectors}
                                              if action.sectors else None)
            shares = {s: 0.0 for s in (base or {})}
        else:
            base_year, pct = t.base_year, float(t.reduction_pct or 0.0)
            label = f"−{pct:g} % vs {base_year} by {year}"
            base = data.base(int(base_year)) if base_year is not None else None
            shares = base or {}
        has_year = year in action
        sectors = sorted(set(shares) | (set(action.sectors) if has_year else set()))
        total_base = (sum(shares.values()) if base is not None else
                      (data.total_in(int(base_year)) if base_year is not None else None))
        total_target = ((total_base * (1 - pct / 100) if t.kind != "net_zero" else 0.0)
                        if total_base is not None else math.nan)
        for sector in [*sectors, "total"]:
            if sector == "total":
                target = total_target
                a = action.total(year)
            else:
                target = (shares[sector] * (1 - pct / 100) if sector in shares and
                          t.kind != "net_zero" else (0.0 if t.kind == "net_zero" else math.nan))
                a = action.cell(year, sector)
            rows.append(dict(year=year, sector=sector, target=label, base_year=base_year,
                             target_t=target, action_t=a, manko_t=round(a - target, 6)))
    for t in plan.targets:
        if t.sector is None or t.reduction_pct is None or t.base_year is None:
            continue
        base = data.base(t.base_year)
        target = (base[t.sector] * (1 - t.reduction_pct / 100)
                  if base is not None and t.sector in base else math.nan)
        a = action.cell(t.target_year, t.sector)
        rows.append(dict(year=t.target_year, sector=t.sector,
                         target=f"sector target −{t.reduction_pct:g} % vs {t.base_year}",
                         base_year=t.base_year, target_t=target, action_t=a,
                         manko_t=round(a - target, 6)))
    frame = pd.DataFrame(rows, columns=["year", "sector", "target", "base_year", "target_t",
                                        "action_t", "manko_t"])
    frame["base_year"] = frame["base_year"].astype("Int64")
    return frame


def action_coverage(plan: ClimateActionPlan) -> pd.DataFrame:
    """Claimed reductions (BAU − action scenario) against the actions' expected effects.

    One row per action effect year and sector: ``claimed_t``, ``linked_t`` (expected effects of
    the actions, not cancelled, of that sector with effect year at or before the year),
    ``unlinked_t`` (claimed − linked) and the action ids.

    >>> from klimacore.models import load_example_plan
    >>> c = action_coverage(load_example_plan()).set_index("sector")
    >>> c.loc["energy", ["claimed_t", "linked_t", "unlinked_t"]].tolist()
    [24880.0, 21000.0, 3880.0]
    """
    return _action_coverage(plan_data(plan))


def _action_coverage(data: PlanData) -> pd.DataFrame:
    import pandas as pd

    plan, bau, action = data.plan, data.bau, data.action
    live = [a for a in plan.actions if a.status != "cancelled" and a.effect_year is not None]
    years = sorted({int(a.effect_year) for a in live if a.effect_year is not None})
    rows = []
    for year in years:
        sectors = sorted(set(bau.sectors) | set(action.sectors) | {a.sector for a in live})
        for sector in sectors:
            claimed = bau.cell(year, sector) - action.cell(year, sector)
            acts = [a for a in live if a.sector == sector and a.effect_year is not None
                    and a.effect_year <= year]
            linked = float(sum(a.expected_effect_t or 0.0 for a in acts))
            rows.append(dict(year=year, sector=sector, claimed_t=claimed, linked_t=linked,
                             unlinked_t=claimed - linked, actions=",".join(a.id for a in acts)))
    return pd.DataFrame(rows, columns=["year", "sector", "claimed_t", "linked_t", "unlinked_t",
                                       "actions"])


def _manko_rows(data: PlanData) -> list[dict[str, Any]]:
    out = Rows(data.plan, "manko")
    m = _manko(data)
    for _, row in m[m["sector"] == "total"].iterrows():
        gap = float(row["manko_t"])
        year = int(row["year"])
        if not math.isfinite(gap):
            out.add("manko", "no data", "warning",
                    f"{row['target']}: action scenario or base-year data missing for {year}",
                    year=year, threshold=row["target_t"], unit="t")
        elif gap > 0:
            out.add("manko", "fail", "warning",
                    f"{row['target']}: manko {gap:,.0f} t (action scenario {row['action_t']:,.0f}"
                    f" t vs target {row['target_t']:,.0f} t); the plan must say how it closes",
                    sector="total", year=year, value=row["action_t"], threshold=row["target_t"],
                    unit="t")
        else:
            out.add("manko", "pass", "info",
                    f"{row['target']}: action scenario meets the target ({-gap:,.0f} t to spare)",
                    sector="total", year=year, value=row["action_t"], threshold=row["target_t"],
                    unit="t")
    for _, row in m[m["target"].str.startswith("sector target")].iterrows():
        gap = float(row["manko_t"])
        year = int(row["year"])
        status = "no data" if not math.isfinite(gap) else ("fail" if gap > 0 else "pass")
        out.add("manko_sector_target", status, "warning",
                f"{row['sector']} {row['target']} by {year}: manko {gap:,.0f} t"
                if status != "pass" else f"{row['sector']} {row['target']} by {year}: met",
                sector=row["sector"], year=year, value=row["action_t"],
                threshold=row["target_t"], unit="t")
    return out.rows


def _action_rows(data: PlanData) -> list[dict[str, Any]]:
    plan = data.plan
    out = Rows(plan, "actions")
    no_effect = [a.id for a in plan.actions if a.expected_effect_t is None]
    if no_effect:
        out.add("action_effects_stated", "fail", "warning",
                f"actions without an expected effect (t CO2e): {', '.join(no_effect)}")
    cancelled = [a.id for a in plan.actions if a.status == "cancelled"]
    if cancelled:
        out.add("action_effects_stated", "pass", "info",
                f"cancelled actions not counted: {', '.join(cancelled)}")
    if not plan.actions:
        out.add("claimed_reductions_linked", "fail", "warning", "the plan lists no actions")
        return out.rows
    cov = _action_coverage(data)
    if cov.empty:
        out.add("claimed_reductions_linked", "no data", "warning",
                "no action states an expected effect and year: claimed reductions are unlinked")
        return out.rows
    for _, row in cov.iterrows():
        claimed, linked, unlinked = row["claimed_t"], row["linked_t"], row["unlinked_t"]
        year, sector = int(row["year"]), str(row["sector"])
        tol = max(1.0, LINK_TOLERANCE_PCT / 100 * abs(claimed)) if math.isfinite(
            claimed) else 1.0
        if not math.isfinite(claimed):
            out.add("claimed_reductions_linked", "no data", "warning",
                    f"{sector} {year}: BAU or action scenario missing", sector=sector,
                    year=year, value=linked, unit="t")
        elif unlinked > tol:
            out.add("claimed_reductions_linked", "fail", "warning",
                    f"{sector} {year}: {unlinked:,.0f} t of the {claimed:,.0f} t claimed "
                    f"(BAU − action scenario) is not linked to any action "
                    f"(actions: {row['actions'] or 'none'})", sector=sector, year=year,
                    value=linked, threshold=claimed, unit="t")
        elif unlinked < -tol:
            out.add("claimed_reductions_linked", "fail", "warning",
                    f"{sector} {year}: actions claim {linked:,.0f} t but the scenarios show "
                    f"{claimed:,.0f} t (over-claimed by {-unlinked:,.0f} t: double counting?)",
                    sector=sector, year=year, value=linked, threshold=claimed, unit="t")
        else:
            out.add("claimed_reductions_linked", "pass", "info",
                    f"{sector} {year}: {claimed:,.0f} t claimed, {linked:,.0f} t linked",
                    sector=sector, year=year, value=linked, threshold=claimed, unit="t")
    return out.rows


