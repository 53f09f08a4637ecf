"""Rules on CCTF components 4–6: targets (K9–K11), actions (K12–K14), MERL (K15–K16) (internal)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from klimacore._plan_extras import ACTION_ROLES
from klimacore.certification._context import Context, aggregate, clip, no_data
from klimacore.certification._result import (
    FAIL,
    NEEDS_REVIEW,
    NO_DATA,
    NOT_APPLICABLE,
    PASS,
    Finding,
)
from klimacore.certification._rules_process import _emitting_sectors, rev_annual_public_report

if TYPE_CHECKING:
    from klimacore._plan_extras import ActionDetails

__all__: list[str] = []

NATIONAL_NET_ZERO_GOAL = 2045
"""The Danish Climate Act's goal of climate neutrality in 2045; a later municipal net-zero year
is "rarely ambitious enough" (CCTF Danish guide v1.0 p.26)."""
COAL_PHASE_OUT_BEFORE = 2030


def _plan_rule(name: str, severity: str = "error") -> Callable[[Context], Finding]:
    def check(ctx: Context) -> Finding:
        return aggregate(ctx.plan_rules.get(name, []), severity)

    return check


k9_first_target_by_2030 = _plan_rule("first_target_by_2030")
k9_interim_targets = _plan_rule("interim_targets")
k9_gas_basket = _plan_rule("gas_basket")


def k9_net_zero_by_2050(ctx: Context) -> Finding:
    found = aggregate(ctx.plan_rules.get("net_zero_by_2050", []), "error")
    nz = ctx.plan.net_zero_year
    if found.status == PASS and nz is not None and nz > NATIONAL_NET_ZERO_GOAL:
        return Finding(PASS, "info", f"{found.message}; later than the national goal "
                       f"{NATIONAL_NET_ZERO_GOAL}: 'rarely ambitious enough' (guide p.26)",
                       found.evidence)
    return found


def k9_sector_ranges(ctx: Context) -> Finding:
    found = [*ctx.plan_rules.get("cctf_sector_range", []),
             *ctx.plan_rules.get("cctf_sector_range_scenario", [])]
    return aggregate(found, "error")


def k9_manko(ctx: Context) -> Finding:
    found = [*ctx.plan_rules.get("target_base_data", []), *ctx.plan_rules.get("manko", [])]
    return aggregate(found, "warning")


def k9_no_backsliding(ctx: Context) -> Finding:
    d = ctx.diff
    if d is None:
        return Finding(NOT_APPLICABLE, "info", "no previous version given (--previous)")
    targets = [r for r in d.rows if r["entity"] == "target"]
    evidence = [f"{r['change']}: {r['message']}" for r in targets]
    weaker = d.weakened_targets()
    weaker += [r for r in d.rows if r["entity"] == "inventory" and r["change"] == "gases dropped"]
    if weaker:
        return Finding(FAIL, "error", "less ambitious than version "
                       f"{d.old_version}: " + "; ".join(r["message"] for r in weaker), evidence)
    open_ = [r for r in targets if r["change"] == "not comparable"]
    if open_:
        return Finding(NO_DATA, "warning", "; ".join(r["message"] for r in open_), evidence,
                       ("observed emissions of both base years",))
    return Finding(PASS, "info", f"no target weaker than in version {d.old_version}", evidence)


def _details(ctx: Context) -> dict[str, ActionDetails] | None:
    if ctx.cctf is None or ctx.cctf.actions is None:
        return None
    return {d.action_id: d for d in ctx.cctf.actions}


def k10_equity_targets(ctx: Context) -> Finding:
    items = ctx.cctf.equity_targets if ctx.cctf is not None else None
    if items is None:
        return no_data("warning", "cctf.equity_targets")
    evidence = [f"{t.id}: actions {list(t.actions)}, indicators {list(t.indicators)}"
                for t in items]
    linked = [t.id for t in items if t.actions and t.indicators]
    if not linked:
        return Finding(FAIL, "warning", "no equity target linked to both an action and an "
                       "indicator", evidence)
    return Finding(NEEDS_REVIEW, "warning", f"equity targets linked to actions and indicators: "
                   f"{', '.join(linked)}; a reviewer judges them", evidence)


def k11_sector_strategies(ctx: Context) -> Finding:
    items = ctx.cctf.sector_strategies if ctx.cctf is not None else None
    if items is None:
        return no_data("error", "cctf.sector_strategies")
    by = {s.sector: s for s in items}
    problems, evidence = [], []
    for sector in _emitting_sectors(ctx):
        s = by.get(sector)
        if s is None:
            problems.append(f"{sector}: no strategy")
            continue
        lacks = [n for n, ok in (("transition overview", s.transition_overview),
                                 ("SMART target", s.smart_target), ("indicator", s.indicators))
                 if not ok]
        evidence.append(f"{sector}: {'complete' if not lacks else 'lacks ' + ', '.join(lacks)}")
        if lacks:
            problems.append(f"{sector}: lacks {', '.join(lacks)}")
    if problems:
        return Finding(FAIL, "error", "; ".join(problems), evidence)
    return Finding(NEEDS_REVIEW, "error", "a complete strategy for every emitting sector; a "
                   "reviewer judges them", evidence)


def k12_action_fields(ctx: Context) -> Finding:
    if not ctx.plan.actions:
        return Finding(FAIL, "error", "the plan lists no actions")
    details = _details(ctx) or {}
    problems = []
    for a in ctx.plan.actions:
        d = details.get(a.id)
        lacks = []
        if not a.description:
            lacks.append("description")
        if (d is None or d.type != "adaptation") and a.expected_effect_t is None:
            lacks.append("expected effect (t CO2e)")
        if d is None or not d.co_benefits:
            lacks.append("co-benefits")
        if lacks:
            problems.append(f"{a.id}: {', '.join(lacks)}")
    evidence = [f"{len(ctx.plan.actions)} actions; title, owner and start/end present in all"]
    if problems:
        more = " …" if len(problems) > 3 else ""
        missing = [f for f, key in (("actions[].description", "description"),
                                    ("actions[].expected_effect_t", "expected effect"),
                                    ("cctf.actions[].co_benefits", "co-benefits"))
                   if any(key in p for p in problems)]
        return Finding(FAIL, "error", f"{len(problems)} of {len(ctx.plan.actions)} actions lack "
                       f"fields: {'; '.join(problems[:3])}{more}", [*evidence, *problems],
                       tuple(missing))
    return Finding(PASS, "info", "every action has title, description, timeline, owner, "
                   "expected effect and co-benefits", evidence)


def k12_reductions_linked(ctx: Context) -> Finding:
    return aggregate(ctx.plan_rules.get("claimed_reductions_linked", []), "warning")


def k13_fossil_roles(ctx: Context) -> Finding:
    details = _details(ctx)
    if details is None:
        return no_data("error", "cctf.actions")
    phase_out = [d for d in details.values() if d.phases_out_fossil]
    if not phase_out:
        return Finding(FAIL, "error", "no action is marked as phasing out fossil fuels "
                       "(cctf.actions[].phases_out_fossil)")
    evidence, problems = [], []
    for d in phase_out:
        lacking = [r for r in ACTION_ROLES if r not in d.roles]
        evidence.append(f"{d.action_id}: roles {', '.join(d.roles) or 'none'}"
                        f"{'; justification: ' + clip(d.roles_justification) if d.roles_justification else ''}")
        if lacking and not d.roles_justification:
            problems.append(f"{d.action_id} does not use {', '.join(lacking)} and gives no "
                            "justification")
    if problems:
        return Finding(FAIL, "error", "; ".join(problems), evidence)
    return Finding(NEEDS_REVIEW, "error", "fossil phase-out actions use all four roles or say "
                   "why not; a reviewer judges the justification", evidence)


def k13_no_new_fossil(ctx: Context) -> Finding:
    details = _details(ctx)
    if details is None:
        return no_data("error", "cctf.actions")
    flags = [(d.action_id, what) for d in details.values() for what, on in (
        ("adds fossil supply", d.adds_fossil_supply), ("CCS prolonging fossil supply",
                                                       d.ccs_on_fossil),
        ("new waste-incineration capacity", d.new_incineration_capacity)) if on]
    if flags:
        return Finding(FAIL, "error", "; ".join(f"{a}: {w}" for a, w in flags),
                       [f"{a}: {w}" for a, w in flags])
    return Finding(NEEDS_REVIEW, "error", f"no action of {len(details)} described is tagged as "
                   "new fossil supply, fossil CCS or new incineration capacity; a reviewer "
                   "reads the action texts", [f"{len(details)} actions described"])


def k13_coal_2030(ctx: Context) -> Finding:
    plants = ctx.cctf.coal_plants if ctx.cctf is not None else None
    if plants is None:
        return no_data("error", "cctf.coal_plants")
    evidence = [f"{p.name}: closure {p.closure_year or 'not decided'}" for p in plants]
    late = [p.name for p in plants if p.closure_year is None
            or p.closure_year >= COAL_PHASE_OUT_BEFORE]
    if late:
        return Finding(FAIL, "error", f"coal plants not closed before 2030: {', '.join(late)}",
                       evidence)
    return Finding(NEEDS_REVIEW, "error", "no coal plant" if not plants else
                   "every coal plant closes before 2030; a reviewer checks the list is complete",
                   evidence or ["no coal plants stated"])


K14_FIELDS = (("supporting measures", "supporting_measures"), ("milestones", "milestones"),
              ("stakeholders", "stakeholders"), ("cost", "cost_dkk"),
              ("funding source", "funding_source"), ("funding method", "funding_method"),
              ("benefit distribution", "benefit_distribution"))


def k14_prioritized_detail(ctx: Context) -> Finding:
    details = _details(ctx)
    if details is None:
        return no_data("error", "cctf.actions")
    actions = {a.id: a for a in ctx.plan.actions}
    prioritized = [d for d in details.values() if d.prioritized]
    if not prioritized:
        return Finding(FAIL, "error", "no action is marked as prioritised "
                       "(cctf.actions[].prioritized)")
    problems, evidence = [], []
    for d in prioritized:
        lacks = [label for label, f in K14_FIELDS if getattr(d, f) in (None, "", ())]
        if not actions[d.action_id].indicators:
            lacks.append("indicator")
        evidence.append(f"{d.action_id}: {'complete' if not lacks else 'lacks ' + ', '.join(lacks)}")
        if lacks:
            problems.append(f"{d.action_id} lacks {', '.join(lacks)}")
    if problems:
        return Finding(FAIL, "error", "; ".join(problems), evidence)
    return Finding(PASS, "info", f"{len(prioritized)} prioritised actions fully detailed",
                   evidence)


def k15_levels(ctx: Context) -> Finding:
    levels = {i.level for i in ctx.plan.indicators}
    lacking = [lv for lv in ("output", "outcome", "impact") if lv not in levels]
    evidence = [f"{lv}: {sum(i.level == lv for i in ctx.plan.indicators)} indicators"
                for lv in ("output", "outcome", "impact")]
    if lacking:
        return Finding(FAIL, "error", f"no indicator at the {', '.join(lacking)} level",
                       evidence)
    return Finding(PASS, "info", "indicators at output, outcome and impact level", evidence)


def k15_chain(ctx: Context) -> Finding:
    sectors = {t.sector for t in ctx.plan.targets if t.sector is not None}
    if ctx.cctf is not None and ctx.cctf.sector_strategies:
        sectors |= {s.sector for s in ctx.cctf.sector_strategies}
    if not sectors:
        return Finding(NO_DATA, "warning", "no sector targets or strategies to trace",
                       missing=("targets[].sector", "cctf.sector_strategies"))
    problems, evidence = [], []
    for sector in sorted(sectors):
        acts = [a for a in ctx.plan.actions if a.sector == sector and a.status != "cancelled"]
        with_ind = [a.id for a in acts if a.indicators]
        evidence.append(f"{sector}: actions {[a.id for a in acts]}, with indicators {with_ind}")
        if not acts:
            problems.append(f"{sector}: no action")
        elif not with_ind:
            problems.append(f"{sector}: no action with an indicator")
    if problems:
        return Finding(FAIL, "warning", "; ".join(problems), evidence)
    return Finding(PASS, "info", "every sector target leads to an action with an indicator",
                   evidence)


def k15_metadata(ctx: Context) -> Finding:
    if not ctx.plan.indicators:
        return Finding(FAIL, "warning", "the plan has no indicators")
    details = {d.indicator_id: d for d in (ctx.cctf.indicators or ())} if (
        ctx.cctf is not None) else {}
    problems = []
    for ind in ctx.plan.indicators:
        lacks = []
        if ind.baseline_year is None:
            lacks.append("baseline")
        if not ind.source:
            lacks.append("source")
        d = details.get(ind.id)
        if d is None:
            lacks.append("cadence and dichotomies")
        else:
            if d.cadence is None:
                lacks.append("cadence")
            dich = [f for f in ("direct", "aggregated", "quantitative", "bottom_up")
                    if getattr(d, f) is None]
            if dich:
                lacks.append(f"dichotomies {', '.join(dich)}")
        if lacks:
            problems.append(f"{ind.id}: {', '.join(lacks)}")
    evidence = [f"{len(ctx.plan.indicators)} indicators, {len(details)} with metadata"]
    if problems:
        return Finding(FAIL, "warning", f"{len(problems)} indicators lack metadata",
                       [*evidence, *problems])
    return Finding(PASS, "info", "every indicator has unit, baseline, source, cadence and the "
                   "four dichotomies", evidence)


def k16_public(ctx: Context) -> Finding:
    return rev_annual_public_report(ctx)

