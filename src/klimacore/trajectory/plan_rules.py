"""Target rules on climate action plans, the remaining gap ("manko"), action links, no backsliding.

Every check returns a tidy :class:`pandas.DataFrame` with one row per finding and the columns
``municipality``, ``plan_version``, ``check``, ``rule``, ``reference``, ``sector``, ``year``,
``value``, ``threshold``, ``unit``, ``status``, ``severity`` (``error``, ``warning``, ``info``) and
``message``. :func:`~klimacore.trajectory.check_plan` runs them all, plus the trajectory checks of
the plan's emissions against the bundled references and the plan's own targets.

Interpretations implemented (CONCITO and C40 Cities, *Cities Climate Transition Framework (CCTF) –
dansk vejledning* v1.0, November 2024; no public link was found, and the rules and sector ranges
below were read from a secondary summary of the guide: their rows in
``data/trajectory_references.csv`` carry verification ``check``, see docs/data.md):

- net zero by 2050 at the latest (a later or missing net-zero target is an error);
- a first target by 2030 at the latest;
- at least two interim targets: distinct years of economy-wide targets before the net-zero year;
- every target's gas basket and the inventory's cover at least CO2, CH4 and N2O;
- BAU and action scenarios reach 2050 in every sector;
- CCTF 2030 sector ranges are *reductions in % vs 2019*: a sector target below the range is an
  error ("cannot be approved"), in the lower half (below the midpoint) a warning ("must be
  justified"); a target with another base year is converted with the plan's observed data;
- the manko is action-scenario emissions minus the target level, per milestone; per sector the
  economy-wide target is split by base-year sector shares (every sector reducing by the same %),
  so the sector mankos add up to the total;
- claimed reductions (BAU − action scenario) are compared per sector with the expected effects of
  the actions (not cancelled) whose effect year is at or before the year, at every effect year.

Examples
--------
>>> from klimacore.models import load_example_plan
>>> from klimacore.trajectory import manko, target_rules
>>> plan = load_example_plan()
>>> rules = target_rules(plan)
>>> rules.set_index("rule").loc["net_zero_by_2050", "status"]
'pass'
>>> m = manko(plan)
>>> float(m.query("year == 2030 and sector == 'total'")["manko_t"].iloc[0])
6420.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from klimacore.errors import DataError, ValidationError
from klimacore.forms import PlanData, SectorSeries, plan_data
from klimacore.trajectory.references import (
    Milestone,
    Reference,
    Source,
)

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from klimacore.models import ClimateActionPlan, Target
    from klimacore.trajectory._rulesets import RuleSet

__all__ = [
    "RULE_COLUMNS",
    "action_coverage",
    "check_no_backsliding",
    "manko",
    "plan_emissions",
    "plan_references",
    "target_rules",
]

RULE_COLUMNS: tuple[str, ...] = (
    "municipality", "plan_version", "check", "rule", "reference", "sector", "year", "value",
    "threshold", "unit", "status", "severity", "message", "rule_set",
)
MIN_GASES = ("CO2", "CH4", "N2O")
LATEST_NET_ZERO = 2050
LATEST_FIRST_TARGET = 2030
MIN_INTERIM_TARGETS = 2
SCENARIO_END = 2050
CCTF_REFERENCE = "cctf-dk-2030-sectors"
CCTF_SECTOR_MAP = {"waste": "other"}
"""Plan sectors mapped onto the CCTF ranges' sectors (``land_use`` has no range)."""
LINK_TOLERANCE_PCT = 5.0
"""Claimed reductions may differ from the linked action effects by this % before a warning."""


class _Rows:
    def __init__(self, plan: ClimateActionPlan, check: str, rule_set: str | None = None) -> None:
        self.plan = plan
        self.check = check
        self.rule_set = rule_set
        self.rows: list[dict[str, Any]] = []

    def add(self, rule: str, status: str, severity: str, message: str, *,
            reference: str | None = None, sector: str | None = None, year: float | None = None,
            value: float | None = None, threshold: float | None = None,
            unit: str = "") -> None:
        self.rows.append(dict(
            municipality=self.plan.municipality, plan_version=self.plan.version,
            check=self.check, rule=rule, reference=reference, sector=sector,
            year=math.nan if year is None else float(year),
            value=math.nan if value is None else float(value),
            threshold=math.nan if threshold is None else float(threshold),
            unit=unit, status=status, severity=severity if status != "pass" else "info",
            message=message, rule_set=self.rule_set,
        ))

    def frame(self) -> pd.DataFrame:
        return _frame(self.rows)


def _frame(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=list(RULE_COLUMNS))
    frame["year"] = frame["year"].astype("Int64")
    for col in ("value", "threshold"):
        frame[col] = frame[col].astype(float)
    return frame


# --- plan data ----------------------------------------------------------------------------------


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


def _economy_targets(plan: ClimateActionPlan) -> list[Target]:
    return [t for t in plan.targets if t.kind in ("absolute", "net_zero", "per_capita")
            and t.sector is None]


def plan_references(plan: ClimateActionPlan) -> list[Reference]:
    """The plan's own economy-wide targets as references (one per base year; per-capita apart).

    A net-zero target becomes a 100 % milestone (net zero) in each reduction reference.

    >>> from klimacore.models import load_example_plan
    >>> [r.describe().split(" [")[0] for r in plan_references(load_example_plan())]
    ['plan-727-v2.0@2.0: Targets of plan 727 v2.0 — base 1990; 2025 −50 %, 2030 −70 %, 2035 −80 %, 2040 −90 %, 2050 −100 %']
    """
    targets = _economy_targets(plan)
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


# --- target rules -------------------------------------------------------------------------------


def target_rules(plan: ClimateActionPlan, *, rules: str | RuleSet = "auto",
                 sector_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The plan target rules as a tidy table (see the module docstring for the rules).

    ``rules`` picks the rule set (:func:`~klimacore.trajectory.rule_set`): ``"dk2020"``,
    ``"cctf-2024"``, a :class:`~klimacore.trajectory.RuleSet`, or ``"auto"`` (by the plan's
    adoption date). ``sector_map`` maps plan sectors onto the CCTF ranges' sectors (added to the
    set's own map); a sector target without a range is reported as not evaluated.

    >>> from klimacore.models import load_example_plan
    >>> target_rules(load_example_plan())["severity"].value_counts().to_dict()
    {'info': 14, 'warning': 3}
    """
    return _target_rules(plan_data(plan), rules=rules, sector_map=sector_map)


def _target_rules(data: PlanData, *, rules: str | RuleSet = "auto",
                  sector_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    plan = data.plan
    from klimacore.trajectory._rulesets import (
        _ambition_rows,
        _cctf_rows,
        _plan_data_rows,
        rule_set_for,
    )

    rs, why = rule_set_for(plan, rules)
    out = _Rows(plan, "target rule", rs.name)
    out.add("rule_set", "pass", "info", f"rule set {rs.name}: {why}")
    targets = plan.targets
    economy = _economy_targets(plan)
    # net zero
    nz = plan.net_zero_year
    if nz is None:
        out.add("net_zero_by_2050", "fail", "error",
                "the plan has no net-zero target (net zero by 2050 at the latest is required)",
                threshold=rs.latest_net_zero)
    elif nz > rs.latest_net_zero:
        out.add("net_zero_by_2050", "fail", "error",
                f"net zero in {nz} is later than {rs.latest_net_zero}", year=nz, value=nz,
                threshold=rs.latest_net_zero)
    else:
        out.add("net_zero_by_2050", "pass", "info", f"net zero in {nz} (≤ {rs.latest_net_zero})",
                year=nz, value=nz, threshold=rs.latest_net_zero)
    # first target
    reductions = [t for t in economy if t.kind != "net_zero"]
    first = min((t.target_year for t in reductions), default=None)
    if first is None:
        out.add("first_target_by_2030", "fail", "error",
                "the plan has no economy-wide reduction target before net zero",
                threshold=rs.latest_first_target)
    elif first > rs.latest_first_target:
        out.add("first_target_by_2030", "fail", "error",
                f"the first target is for {first}, later than {rs.latest_first_target}",
                year=first, value=first, threshold=rs.latest_first_target)
    else:
        out.add("first_target_by_2030", "pass", "info", f"first target in {first}",
                year=first, value=first, threshold=rs.latest_first_target)
    # interim targets
    horizon = nz if nz is not None else math.inf
    interim = sorted({t.target_year for t in reductions if t.target_year < horizon})
    status = "pass" if len(interim) >= rs.min_interim_targets else "fail"
    out.add("interim_targets", status, "error",
            f"{len(interim)} interim target year(s) before net zero: {interim or 'none'} "
            f"(at least {rs.min_interim_targets} required by {rs.name})",
            value=len(interim), threshold=rs.min_interim_targets)
    # gas basket
    lacking = []
    for i, t in enumerate(targets):
        missing = [g for g in rs.min_gases if g not in t.gases]
        if missing:
            lacking.append(f"targets.{i} ({t.kind} {t.target_year}) lacks {', '.join(missing)}")
    inv_missing = [g for g in rs.min_gases if g not in plan.inventory.gases]
    if inv_missing:
        lacking.append(f"inventory lacks {', '.join(inv_missing)}")
    if lacking:
        out.add("gas_basket", "fail", "error", "; ".join(lacking))
    else:
        out.add("gas_basket", "pass", "info",
                f"targets and inventory cover at least {', '.join(rs.min_gases)}")
    # scenarios to 2050
    for name, scenario in (("bau", plan.bau), ("action_scenario", plan.action_scenario)):
        if scenario is None:
            out.add("scenarios_to_2050", "fail", "error", f"the plan has no {name}",
                    threshold=rs.scenario_end)
            continue
        short = {s: max(series) for s, series in scenario.emissions.items()
                 if max(series) < rs.scenario_end}
        if short:
            text = ", ".join(f"{s} ends {y}" for s, y in short.items())
            out.add("scenarios_to_2050", "fail", "error", f"{name}: {text} (< {rs.scenario_end})",
                    value=min(short.values()), threshold=rs.scenario_end)
        else:
            out.add("scenarios_to_2050", "pass", "info", f"{name} reaches {rs.scenario_end} in "
                    f"every sector", threshold=rs.scenario_end)
    # base-year data for every absolute target
    for t in targets:
        if t.kind in ("absolute", "sector") and t.base_year is not None:
            base = data.base(t.base_year)
            total_only = t.sector is None and data.total_in(t.base_year) is not None
            if not total_only and (base is None or (t.sector is not None and
                                                    t.sector not in base)):
                where = f" for sector {t.sector}" if t.sector else ""
                out.add("target_base_data", "fail", "error",
                        f"{t.kind} target {t.target_year}: no emissions for base year "
                        f"{t.base_year}{where} in the observed data", sector=t.sector,
                        year=t.base_year)
    if not any(r["rule"] == "target_base_data" for r in out.rows):
        out.add("target_base_data", "pass", "info",
                "base-year emissions found for every absolute and sector target")
    _ambition_rows(data, rs, out)
    _plan_data_rows(data, out)
    if rs.sector_ranges is not None:
        out.rows.extend(_cctf_rows(data, rs.sector_ranges, {**rs.sector_map,
                                                            **(sector_map or {})}, rs.name))
    return out.frame()


# --- manko and actions --------------------------------------------------------------------------


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
    economy = [t for t in _economy_targets(plan) if t.kind in ("absolute", "net_zero")]
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
    out = _Rows(data.plan, "manko")
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
    out = _Rows(plan, "actions")
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


# --- no backsliding ------------------------------------------------------------------------------


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
    out = _Rows(new, "backsliding")
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
