"""Rules on recency and process (REV.*) and on CCTF components 1–3 and K8 (internal).

Each rule is a function of a :class:`~klimacore.certification._context.Context` returning one
:class:`~klimacore.certification._result.Finding`; the rule table (ids, criteria, severities,
sources) is in :mod:`klimacore.certification._ruleset`.
"""

from __future__ import annotations

import itertools

from klimacore._plan_extras import STAKEHOLDER_GROUPS
from klimacore.certification._context import Context, aggregate, clip, no_data
from klimacore.certification._dates import (
    DUE,
    NO_DATA,
    PLAN_MAX_AGE,
    STALE,
    _add_years,
    council_term_start,
    next_election,
)
from klimacore.certification._result import FAIL, NEEDS_REVIEW, PASS, Finding

__all__: list[str] = []

MAX_INVENTORY_GAP = 2
"""C40 Leadership Standards: a GPC inventory reported at least every 2 years."""


def _recency(ctx: Context, item: str, field: str, *, due_severity: str = "warning") -> Finding:
    row = ctx.due[item]
    evidence = [row["message"]]
    if row["status"] == NO_DATA:
        return Finding(NO_DATA, "error", row["message"], evidence, (field,))
    if row["status"] == STALE:
        return Finding(FAIL, "error", row["message"], evidence)
    if row["status"] == DUE:
        return Finding(FAIL, due_severity, row["message"], evidence)
    return Finding(PASS, "info", row["message"], evidence)


def rev_plan_age(ctx: Context) -> Finding:
    return _recency(ctx, "plan revision", "adopted")


def rev_inventory_age(ctx: Context) -> Finding:
    return _recency(ctx, "inventory", "inventory.year")


def rev_risk_age(ctx: Context) -> Finding:
    return _recency(ctx, "risk assessment", "adaptation.risk_assessment_date")


def rev_risk_data_age(ctx: Context) -> Finding:
    return _recency(ctx, "risk assessment data", "adaptation.risk_assessment_data_year")


def rev_inventory_frequency(ctx: Context) -> Finding:
    stated = ctx.cctf.inventory_years if ctx.cctf is not None else None
    if stated is None:
        return no_data("warning", "cctf.inventory_years")
    years = sorted(set(stated) | {ctx.plan.inventory.year})
    if len(years) < 2:
        return Finding(NO_DATA, "warning", f"only one inventory year ({years[0]}): no interval "
                       "to check", [f"inventory years {years}"], ("cctf.inventory_years",))
    gaps = [(a, b) for a, b in itertools.pairwise(years) if b - a > MAX_INVENTORY_GAP]
    evidence = [f"inventory years {years}"]
    if gaps:
        text = ", ".join(f"{a}→{b}" for a, b in gaps)
        return Finding(FAIL, "warning", f"gaps of more than {MAX_INVENTORY_GAP} years between "
                       f"reported inventories: {text}", evidence)
    return Finding(PASS, "info", f"inventories at most {MAX_INVENTORY_GAP} years apart", evidence)


def rev_scenarios_to_2050(ctx: Context) -> Finding:
    return aggregate(ctx.plan_rules.get("scenarios_to_2050", []), "error")


def rev_annual_public_report(ctx: Context) -> Finding:
    reports = ctx.cctf.public_reports if ctx.cctf is not None else None
    if reports is None:
        return no_data("warning", "cctf.public_reports")
    past = sorted(r.date for r in reports if r.date <= ctx.as_of)
    start = ctx.report_window_start
    evidence = [f"public reports: {', '.join(map(str, past)) or 'none'}",
                f"window {start} – {ctx.as_of} (12 months + 3 months' grace)"]
    if not past or past[-1] < start:
        last = past[-1] if past else "never"
        return Finding(FAIL, "warning", f"no public status report since {start} (last: {last})",
                       evidence)
    return Finding(PASS, "info", f"public status report of {past[-1]}", evidence)


def rev_annual_action_reporting(ctx: Context) -> Finding:
    reports = ctx.cctf.action_reports if ctx.cctf is not None else None
    if reports is None:
        return no_data("warning", "cctf.action_reports")
    start = ctx.report_window_start
    active = [a.id for a in ctx.plan.actions if a.status not in ("completed", "cancelled")]
    reported = {r.action_id for r in reports if start <= r.date <= ctx.as_of}
    lacking = [a for a in active if a not in reported]
    evidence = [f"{len(active)} active actions, {len(reported & set(active))} reported since "
                f"{start}"]
    if not active:
        return Finding(PASS, "info", "no active actions to report on", evidence)
    if lacking:
        return Finding(FAIL, "warning", f"active actions without a report since {start}: "
                       f"{', '.join(lacking)}", evidence)
    return Finding(PASS, "info", "every active action reported this cycle", evidence)


def rev_election_timing(ctx: Context) -> Finding:
    adopted = ctx.plan.adopted
    if adopted is None:
        return Finding(NEEDS_REVIEW, "info", "no adoption date: plan the revision against the "
                       "council terms by hand", [f"council term began {council_term_start(ctx.as_of)}"],
                       ("adopted",))
    due = _add_years(adopted, PLAN_MAX_AGE)
    election = next_election(ctx.as_of if ctx.as_of > adopted else adopted)
    evidence = [f"adopted {adopted}", f"revision due by {due}",
                f"next municipal election {election} (new council from "
                f"{election.year + 1}-01-01)"]
    where = "before" if due < election else "after"
    return Finding(NEEDS_REVIEW, "info", f"revision due {due}, {where} the election of {election}: "
                   "time scoping and adoption with the council term and budget cycle", evidence)


# --- component 1: commitment, governance ------------------------------------------------------


def k1_commitment(ctx: Context) -> Finding:
    c = ctx.cctf.commitment if ctx.cctf is not None else None
    if c is None:
        return no_data("error", "cctf.commitment")
    term = council_term_start(ctx.as_of)
    evidence = [f"{c.body} commitment of {c.date}", f"sitting council's term began {term}",
                f"1.5 °C wording stated: {c.paris_1_5}"]
    if c.text:
        evidence.append(f"text: {clip(c.text)}")
    if c.body not in ("mayor", "council"):
        return Finding(FAIL, "error", f"the commitment is by the {c.body}, not the mayor or the "
                       "council", evidence)
    if c.date > ctx.as_of:
        return Finding(FAIL, "error", f"the commitment is dated {c.date}, after {ctx.as_of}",
                       evidence)
    if c.date < term:
        return Finding(FAIL, "error", f"the commitment of {c.date} predates the sitting "
                       f"council's term ({term}): renew it", evidence)
    if c.paris_1_5 is False:
        return Finding(FAIL, "error", "the commitment does not cite the 1.5 °C ambition",
                       evidence)
    return Finding(NEEDS_REVIEW, "error", "commitment by the sitting council found; a reviewer "
                   "judges the 1.5 °C and just-transition wording", evidence,
                   () if c.text else ("cctf.commitment.text",))


def k2_mainstreaming(ctx: Context) -> Finding:
    g = ctx.cctf.governance if ctx.cctf is not None else None
    fields = ("description", "responsible", "budget_integration")
    if g is None:
        return Finding(NEEDS_REVIEW, "warning", "no governance description: the reviewer has "
                       "nothing to judge", ["governance: not stated in the plan"],
                       ("cctf.governance",))
    evidence = [f"{f}: {clip(getattr(g, f))}" for f in fields if getattr(g, f)]
    missing = tuple(f"cctf.governance.{f}" for f in fields if not getattr(g, f))
    return Finding(NEEDS_REVIEW, "warning", "a reviewer judges how climate is built into "
                   "governance and decisions", evidence, missing)


# --- component 2: engagement ----------------------------------------------------------------


def k3_stakeholders(ctx: Context) -> Finding:
    items = ctx.cctf.stakeholders if ctx.cctf is not None else None
    if items is None:
        return no_data("warning", "cctf.stakeholders")
    covered = {g for s in items for g in s.groups}
    lacking = [g for g in STAKEHOLDER_GROUPS if g not in covered]
    unjustified = [s.name for s in items if not s.engaged and not s.justification]
    evidence = [f"{s.name}: {', '.join(s.groups)}{'' if s.engaged else ' (not engaged)'}"
                for s in items]
    problems = []
    if lacking:
        problems.append(f"no stakeholder tagged {', '.join(lacking)}")
    if unjustified:
        problems.append(f"not engaged and no justification: {', '.join(unjustified)}")
    if problems:
        return Finding(FAIL, "warning", "; ".join(problems), evidence)
    return Finding(NEEDS_REVIEW, "warning", "the stakeholder map covers the three groups; a "
                   "reviewer judges the engagement", evidence)


def _emitting_sectors(ctx: Context) -> list[str]:
    return sorted(s for s, v in ctx.plan.baseline_emissions.items() if v > 0)


def k4_partnerships(ctx: Context) -> Finding:
    items = ctx.cctf.partnerships if ctx.cctf is not None else None
    if items is None:
        return no_data("warning", "cctf.partnerships")
    evidence = [f"{p.name} ({p.partner_kind}; {', '.join(p.sectors) or 'no sector'}"
                f"{'; facilitator' if p.facilitator else ''})" for p in items]
    lacking = [s for s in _emitting_sectors(ctx)
               if not any(s in p.sectors and p.facilitator for p in items)]
    if lacking:
        return Finding(FAIL, "warning", "no partnership with the municipality as facilitator "
                       f"for {', '.join(lacking)}", evidence)
    return Finding(NEEDS_REVIEW, "warning", "a partnership for every emitting sector; a "
                   "reviewer judges their substance", evidence)


# --- component 3: knowledge ------------------------------------------------------------------


def k5_risk_assessment(ctx: Context) -> Finding:
    a = ctx.plan.adaptation
    scenarios = ctx.cctf.risk_future_scenarios if ctx.cctf is not None else None
    missing = []
    if a.risk_assessment_date is None:
        missing.append("adaptation.risk_assessment_date")
    if scenarios is None:
        missing.append("cctf.risk_future_scenarios")
    evidence = [f"risk assessment {a.risk_assessment_date or 'not dated'}",
                f"hazards: {', '.join(a.hazards) or 'none'}",
                f"future scenarios: {', '.join(scenarios or ()) or 'none'}"]
    if missing:
        return Finding(NO_DATA, "error", f"not stated in the plan: {', '.join(missing)}",
                       evidence, tuple(missing))
    problems = []
    if not a.hazards:
        problems.append("no hazards listed")
    if not scenarios:
        problems.append("no future climate scenarios")
    if problems:
        return Finding(FAIL, "error", "; ".join(problems), evidence)
    return Finding(NEEDS_REVIEW, "error", "risk assessment with hazards and future scenarios; a "
                   "reviewer judges whether it guides adaptation", evidence)


def k6_inventory(ctx: Context) -> Finding:
    inv = ctx.plan.inventory
    evidence = [f"{inv.source}, {inv.year}, {inv.boundary}, {inv.reporting_level}, gases "
                f"{', '.join(inv.gases)}"]
    problems = []
    lacking = [g for g in ("CO2", "CH4", "N2O") if g not in inv.gases]
    if lacking:
        problems.append(f"inventory lacks {', '.join(lacking)}")
    if inv.boundary != "territorial":
        problems.append(f"the inventory is {inv.boundary}, a territorial (GPC) one is required")
    if not ctx.plan.baseline_emissions:
        problems.append("no baseline emissions by sector")
    if problems:
        return Finding(FAIL, "error", "; ".join(problems), evidence)
    return Finding(PASS, "info", "territorial GPC inventory covering CO2, CH4 and N2O", evidence)


def k6_consumption(ctx: Context) -> Finding:
    items = ctx.cctf.consumption_categories if ctx.cctf is not None else None
    if items is None:
        return no_data("error", "cctf.consumption_categories")
    complete, evidence = [], []
    for c in items:
        lacks = [name for name, ok in (("vision", c.vision), ("strategy", c.strategy),
                                       ("SMART", c.smart), ("indicator", c.indicators)) if not ok]
        evidence.append(f"{c.category}: {'complete' if not lacks else 'lacks ' + ', '.join(lacks)}")
        if not lacks:
            complete.append(c.category)
    if len(complete) < 2:
        return Finding(FAIL, "error", f"{len(complete)} consumption categories with vision, "
                       "SMART strategy and indicator (at least 2 required)", evidence)
    return Finding(PASS, "info", f"{len(complete)} complete consumption categories: "
                   f"{', '.join(complete)}", evidence)


def k7_equity_data(ctx: Context) -> Finding:
    e = ctx.cctf.equity_data if ctx.cctf is not None else None
    if e is None:
        return Finding(NEEDS_REVIEW, "warning", "no equity knowledge base (template 4.1): the "
                       "reviewer has nothing to judge",
                       ["equity data by emission sector and hazard: not stated in the plan"],
                       ("cctf.equity_data",))
    evidence = [f"emission sectors: {clip(e.emission_sectors)}" if e.emission_sectors else "",
                f"hazards: {clip(e.hazards)}" if e.hazards else "",
                f"data sources: {', '.join(e.data_sources)}" if e.data_sources else ""]
    missing = tuple(f"cctf.equity_data.{f}" for f in ("emission_sectors", "hazards",
                                                      "data_sources") if not getattr(e, f))
    return Finding(NEEDS_REVIEW, "warning", "a reviewer judges the equity data (template 4.1)",
                   [x for x in evidence if x], missing)


def k8_adaptation_targets(ctx: Context) -> Finding:
    items = ctx.cctf.adaptation_targets if ctx.cctf is not None else None
    if items is None:
        return no_data("error", "cctf.adaptation_targets")
    horizons = {t.horizon for t in items}
    lacking = [h for h in ("short", "medium", "long") if h not in horizons]
    evidence = [f"{t.id} ({t.horizon}{', SMART' if t.smart else ''}): {clip(t.description)}"
                for t in items]
    problems = []
    if lacking:
        problems.append(f"no adaptation target for the {', '.join(lacking)} horizon")
    if not any(t.smart for t in items):
        problems.append("no SMART adaptation target")
    if problems:
        return Finding(FAIL, "error", "; ".join(problems), evidence)
    return Finding(NEEDS_REVIEW, "error", "adaptation targets for every horizon; a reviewer "
                   "judges them", evidence)

