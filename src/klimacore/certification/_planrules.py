"""The plan target rules the CCTF criteria K9/K12 and REV.scenarios_to_2050 read (internal).

Two engines give the same findings (rule, status, severity, message):

- ``"trajectory"`` calls :func:`klimacore.trajectory.target_rules`, :func:`~klimacore.trajectory.manko`
  and :func:`~klimacore.trajectory.action_coverage`: the one source of truth for the rules;
- ``"fast"`` (default) re-states the same rules on the plan's plain dicts. It exists because the
  pandas round trips of the trajectory functions cost about 9 ms a plan, 30× the time it takes to
  load and validate the plan, and certifying all 98 plans must stay within 3× of that
  (``benchmarks/bench_certification.py``). ``tests/test_certification_engines.py`` checks that
  both engines give the same statuses and severities on the example plan and on generated
  variants of it; change both together (or point everything at ``"trajectory"``).
"""

from __future__ import annotations

import math
from functools import cache
from typing import TYPE_CHECKING

from klimacore.forms import PlanData, plan_data

if TYPE_CHECKING:
    from klimacore.models import ClimateActionPlan, Target
    from klimacore.trajectory._references import Milestone

__all__ = ["ENGINES", "SubFinding", "plan_rule_findings"]

SubFinding = tuple[str, str, str, str]
"""(plan rule, status, severity, message), as in the rows of the trajectory plan rules."""

ENGINES = ("fast", "trajectory")
MIN_GASES = ("CO2", "CH4", "N2O")
LATEST_NET_ZERO = 2050
LATEST_FIRST_TARGET = 2030
MIN_INTERIM_TARGETS = 2
SCENARIO_END = 2050
CCTF_REFERENCE = "cctf-dk-2030-sectors"
RULE_SET = "cctf-2024"
"""Re-certification always reads the plan target rules of the CCTF 2024 set."""
CCTF_SECTOR_MAP = {"waste": "other"}
LINK_TOLERANCE_PCT = 5.0


def plan_rule_findings(plan: ClimateActionPlan, engine: str = "fast") -> list[SubFinding]:
    """Findings of the target rules, manko and action links of a plan by either engine.

    >>> from klimacore.models import load_example_plan
    >>> found = plan_rule_findings(load_example_plan())
    >>> strip = lambda fs: sorted((r, s, v) for r, s, v, _ in fs)
    >>> strip(found) == strip(plan_rule_findings(load_example_plan(), "trajectory"))
    True
    """
    if engine == "fast":
        return _fast(plan)
    if engine == "trajectory":
        return _trajectory(plan)
    raise ValueError(f"unknown engine {engine!r}: {' or '.join(ENGINES)}")


# --- engine "trajectory": the trajectory package's functions ------------------------------------


def _trajectory(plan: ClimateActionPlan) -> list[SubFinding]:
    from klimacore.trajectory._manko import _action_coverage, _manko
    from klimacore.trajectory._plan_rules import _target_rules

    data = plan_data(plan)
    out: list[SubFinding] = [
        (str(r.rule), str(r.status), str(r.severity), str(r.message))
        for r in _target_rules(data, rules=RULE_SET).itertuples(index=False)
    ]
    m = _manko(data)
    for rec in m[m["sector"] == "total"].to_dict("records"):
        out.append(_manko_finding(int(rec["year"]), str(rec["target"]), float(rec["manko_t"]),
                                  float(rec["action_t"]), float(rec["target_t"])))
    if plan.actions:
        cov = _action_coverage(data)
        if cov.empty:
            out.append(_no_effects())
        for c in cov.to_dict("records"):
            out.append(_link_finding(int(c["year"]), str(c["sector"]), float(c["claimed_t"]),
                                     float(c["linked_t"]), str(c["actions"])))
    else:
        out.append(("claimed_reductions_linked", "fail", "warning", "the plan lists no actions"))
    return out


def _manko_finding(year: int, label: str, gap: float, action: float,
                   target: float) -> SubFinding:
    if not math.isfinite(gap):
        return ("manko", "no data", "warning",
                f"{label}: action scenario or base-year data missing for {year}")
    if gap > 0:
        return ("manko", "fail", "warning",
                f"{label}: manko {gap:,.0f} t (action scenario {action:,.0f} t vs target "
                f"{target:,.0f} t)")
    return ("manko", "pass", "info", f"{label}: action scenario meets the target "
            f"({-gap:,.0f} t to spare)")


def _no_effects() -> SubFinding:
    return ("claimed_reductions_linked", "no data", "warning",
            "no action states an expected effect and year: claimed reductions are unlinked")


def _link_finding(year: int, sector: str, claimed: float, linked: float,
                  actions: str) -> SubFinding:
    rule = "claimed_reductions_linked"
    if not math.isfinite(claimed):
        return (rule, "no data", "warning", f"{sector} {year}: BAU or action scenario missing")
    unlinked = claimed - linked
    tol = max(1.0, LINK_TOLERANCE_PCT / 100 * abs(claimed))
    if unlinked > tol:
        return (rule, "fail", "warning", f"{sector} {year}: {unlinked:,.0f} t of the "
                f"{claimed:,.0f} t claimed is not linked to any action (actions: "
                f"{actions or 'none'})")
    if unlinked < -tol:
        return (rule, "fail", "warning", f"{sector} {year}: actions claim {linked:,.0f} t but "
                f"the scenarios show {claimed:,.0f} t (over-claimed by {-unlinked:,.0f} t)")
    return (rule, "pass", "info", f"{sector} {year}: {claimed:,.0f} t claimed, {linked:,.0f} t "
            "linked")


# --- engine "fast": the same rules on plain dicts ---------------------------------------------


@cache
def _cctf_ranges() -> tuple[int, dict[str, Milestone], str]:
    from klimacore.trajectory import get_reference

    ref = get_reference(CCTF_REFERENCE)
    mark = " (CCTF figures marked 'check')" if ref.source.verification == "check" else ""
    return ref.base_year, {str(m.sector): m for m in ref.milestones}, mark


def _economy(plan: ClimateActionPlan) -> list[Target]:
    return [t for t in plan.targets if t.kind in ("absolute", "net_zero", "per_capita")
            and t.sector is None]


def _base(plan: ClimateActionPlan, year: int) -> dict[str, float] | None:
    """Emissions by sector in ``year``: the one reading of :func:`klimacore.forms.plan_data`."""
    return plan_data(plan).base(year)


def _total(emissions: dict[str, dict[int, float]], year: int) -> float:
    if not emissions or any(year not in s for s in emissions.values()):
        return math.nan
    return float(sum(s[year] for s in emissions.values()))


class _Collect:
    """Collects the rows the trajectory rule-set helpers add, as findings (one implementation)."""

    def __init__(self) -> None:
        self.found: list[SubFinding] = []

    def add(self, rule: str, status: str, severity: str, message: str, **_: object) -> None:
        self.found.append((rule, status, severity, message))


def _shared_rule_rows(data: PlanData) -> list[SubFinding]:
    """Rule-set, ambition and plan-data rows, computed by the trajectory package's own helpers."""
    from klimacore.trajectory import rule_set_for
    from klimacore.trajectory._rulesets import _ambition_rows, _plan_data_rows

    rs, why = rule_set_for(data.plan, RULE_SET)
    out = _Collect()
    out.add("rule_set", "pass", "info", f"rule set {rs.name}: {why}")
    _ambition_rows(data, rs, out)
    _plan_data_rows(data, out)
    return out.found


def _fast(plan: ClimateActionPlan) -> list[SubFinding]:
    data = plan_data(plan)  # the one base-year reading, shared with the trajectory engine
    out: list[SubFinding] = _shared_rule_rows(data)
    economy = _economy(plan)
    nz = plan.net_zero_year
    if nz is None:
        out.append(("net_zero_by_2050", "fail", "error", "the plan has no net-zero target"))
    elif nz > LATEST_NET_ZERO:
        out.append(("net_zero_by_2050", "fail", "error", f"net zero in {nz} is later than 2050"))
    else:
        out.append(("net_zero_by_2050", "pass", "info", f"net zero in {nz} (≤ 2050)"))
    reductions = [t for t in economy if t.kind != "net_zero"]
    first = min((t.target_year for t in reductions), default=None)
    if first is None:
        out.append(("first_target_by_2030", "fail", "error",
                    "the plan has no economy-wide reduction target before net zero"))
    elif first > LATEST_FIRST_TARGET:
        out.append(("first_target_by_2030", "fail", "error",
                    f"the first target is for {first}, later than 2030"))
    else:
        out.append(("first_target_by_2030", "pass", "info", f"first target in {first}"))
    horizon = nz if nz is not None else math.inf
    interim = sorted({t.target_year for t in reductions if t.target_year < horizon})
    ok = len(interim) >= MIN_INTERIM_TARGETS
    out.append(("interim_targets", "pass" if ok else "fail", "info" if ok else "error",
                f"{len(interim)} interim target year(s) before net zero: {interim or 'none'} "
                f"(at least {MIN_INTERIM_TARGETS} required)"))
    lacking = [f"targets.{i} ({t.kind} {t.target_year}) lacks "
               f"{', '.join(g for g in MIN_GASES if g not in t.gases)}"
               for i, t in enumerate(plan.targets) if any(g not in t.gases for g in MIN_GASES)]
    inv_missing = [g for g in MIN_GASES if g not in plan.inventory.gases]
    if inv_missing:
        lacking.append(f"inventory lacks {', '.join(inv_missing)}")
    out.append(("gas_basket", "fail", "error", "; ".join(lacking)) if lacking else
               ("gas_basket", "pass", "info", "targets and inventory cover CO2, CH4 and N2O"))
    for name, scenario in (("bau", plan.bau), ("action_scenario", plan.action_scenario)):
        if scenario is None:
            out.append(("scenarios_to_2050", "fail", "error", f"the plan has no {name}"))
            continue
        short = {s: max(series) for s, series in scenario.emissions.items()
                 if max(series) < SCENARIO_END}
        if short:
            text = ", ".join(f"{s} ends {y}" for s, y in short.items())
            out.append(("scenarios_to_2050", "fail", "error", f"{name}: {text} (< 2050)"))
        else:
            out.append(("scenarios_to_2050", "pass", "info", f"{name} reaches 2050"))
    base_missing = False
    for t in plan.targets:
        if t.kind in ("absolute", "sector") and t.base_year is not None:
            base = data.base(t.base_year)
            if base is None or (t.sector is not None and t.sector not in base):
                base_missing = True
                out.append(("target_base_data", "fail", "error",
                            f"{t.kind} target {t.target_year}: no emissions for base year "
                            f"{t.base_year}{' for ' + t.sector if t.sector else ''}"))
    if not base_missing:
        out.append(("target_base_data", "pass", "info",
                    "base-year emissions found for every absolute and sector target"))
    out.extend(_fast_ranges(data))
    out.extend(_fast_manko(data, economy))
    out.extend(_fast_links(plan))
    return out


def _range(sector: str, pct: float, m: Milestone, what: str, mark: str) -> tuple[str, str, str]:
    lo = float(m.reduction_pct or 0)
    hi = float(m.reduction_pct_high or m.reduction_pct or 0)
    mid = float(m.justify_below_pct if m.justify_below_pct is not None else lo)
    span = f"range {lo:g}–{hi:g} % vs 2019"
    if pct < lo:
        return "fail", "error", (f"{sector} {what} 2030: −{pct:.1f} % is below the {span}: "
                                 f"cannot be approved{mark}")
    if pct < mid:
        return "fail", "warning", (f"{sector} {what} 2030: −{pct:.1f} % is in the lower half "
                                   f"of the {span}: must be justified{mark}")
    return "pass", "info", f"{sector} {what} 2030: −{pct:.1f} % is in the upper half of the {span}"


def _fast_ranges(data: PlanData) -> list[SubFinding]:
    plan = data.plan
    ref_year, ranges, mark = _cctf_ranges()
    out: list[SubFinding] = []
    base_ref = data.base(ref_year)
    found = False
    for t in plan.targets:
        if t.sector is None or t.kind not in ("sector", "absolute") or t.target_year != 2030:
            continue
        m = ranges.get(CCTF_SECTOR_MAP.get(t.sector, t.sector))
        if m is None or t.reduction_pct is None or t.base_year is None:
            continue
        found = True
        pct = float(t.reduction_pct)
        if t.base_year != ref_year:
            own = data.base(t.base_year)
            if own is None or base_ref is None or t.sector not in own or not base_ref.get(
                    t.sector):
                out.append(("cctf_sector_range", "no data", "warning",
                            f"{t.sector} target 2030 is vs {t.base_year}; cannot convert to "
                            f"the CCTF base {ref_year}{mark}"))
                continue
            pct = 100 * (1 - own[t.sector] * (1 - pct / 100) / base_ref[t.sector])
        out.append(("cctf_sector_range", *_range(t.sector, pct, m, "target", mark)))
    if not found:
        out.append(("cctf_sector_range", "no data", "info",
                    f"no 2030 sector targets to compare with the CCTF ranges{mark}"))
    action = plan.action_scenario
    if base_ref is not None and action is not None and any(
            2030 in s for s in action.emissions.values()):
        for sector, series in action.emissions.items():
            m = ranges.get(CCTF_SECTOR_MAP.get(sector, sector))
            b = base_ref.get(sector)
            value = series.get(2030, math.nan)
            if m is None or not b or not math.isfinite(value):
                continue
            status, _sev, text = _range(sector, 100 * (1 - value / b), m, "action scenario", mark)
            out.append(("cctf_sector_range_scenario", status,
                        "info" if status == "pass" else "warning", text))
    return out


def _fast_manko(data: PlanData, economy: list[Target]) -> list[SubFinding]:
    plan = data.plan
    action = plan.action_scenario.emissions if plan.action_scenario is not None else {}
    out: list[SubFinding] = []
    for t in sorted((t for t in economy if t.kind in ("absolute", "net_zero")),
                    key=lambda t: t.target_year):
        year = t.target_year
        if t.kind == "net_zero":
            label, target = f"net zero {year}", 0.0 if action else math.nan
        else:
            pct = float(t.reduction_pct or 0.0)
            label = f"−{pct:g} % vs {t.base_year} by {year}"
            base = data.base(int(t.base_year)) if t.base_year is not None else None
            target = sum(base.values()) * (1 - pct / 100) if base is not None else math.nan
        a = _total(action, year)
        out.append(_manko_finding(year, label, round(a - target, 6), a, target))
    return out


def _fast_links(plan: ClimateActionPlan) -> list[SubFinding]:
    if not plan.actions:
        return [("claimed_reductions_linked", "fail", "warning", "the plan lists no actions")]
    bau = plan.bau.emissions if plan.bau is not None else {}
    action = plan.action_scenario.emissions if plan.action_scenario is not None else {}
    live = [a for a in plan.actions if a.status != "cancelled" and a.effect_year is not None]
    years = sorted({int(a.effect_year) for a in live if a.effect_year is not None})
    if not years:
        return [_no_effects()]
    out: list[SubFinding] = []
    sectors = sorted(set(bau) | set(action) | {a.sector for a in live})
    for year in years:
        for sector in sectors:
            b = bau.get(sector, {}).get(year, math.nan)
            c = action.get(sector, {}).get(year, math.nan)
            acts = [a for a in live if a.sector == sector and a.effect_year is not None
                    and a.effect_year <= year]
            linked = float(sum(a.expected_effect_t or 0.0 for a in acts))
            out.append(_link_finding(year, sector, b - c, linked, ",".join(a.id for a in acts)))
    return out
