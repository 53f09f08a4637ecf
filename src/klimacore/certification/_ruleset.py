"""Versioned rule sets and the certification run (internal).

``cctf-dk-1.0``: the 16 criteria K1–K16 of the Danish CCTF guide (CONCITO/C40, *Vejledning til
revision og certificering af klimahandlingsplaner* v1.0, 7 Nov 2024; Klimaalliancen
*Selvvurderingsskema* v2.5) plus the recency and revision rules, as proposed in the project's
MONITORING.md §C.4 (37 rules: 24 fully machine-checkable ``M``, 10 partly ``P`` where the
machine checks presence and tags and a person judges the content, 3 needing a person ``H``).
Sources are given per rule as in MONITORING.md: ``D1`` the guide (page), ``D3`` the
self-assessment form, ``D4`` Klimaalliancen's note on updating and certifying plans (2024),
``C40 LS`` the C40 Leadership Standards (Terms of Reference v13.0).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from klimacore.certification import _rules_plan as p
from klimacore.certification import _rules_process as r
from klimacore.certification._context import Context
from klimacore.certification._planrules import ENGINES
from klimacore.certification._result import Finding, frame, row
from klimacore.errors import MissingLabelError, ValidationError

if TYPE_CHECKING:
    import pandas as pd

    from klimacore.models import ClimateActionPlan

__all__ = ["DEFAULT_RULESET", "Rule", "RuleSet", "certify", "certify_many", "get_ruleset",
           "list_rulesets"]

DEFAULT_RULESET = "cctf-dk-1.0"


@dataclass(frozen=True)
class Rule:
    """One named rule: id, CCTF criterion, severity, how it is checked, inputs, source."""

    id: str
    criterion: str
    severity: str
    kind: str  # M machine, P partly (presence machine, content a person), H a person
    checks: str
    inputs: str
    source: str
    check: Callable[[Context], Finding]


@dataclass(frozen=True)
class RuleSet:
    """A versioned set of rules (e.g. ``cctf-dk-1.0``)."""

    id: str
    title: str
    rules: tuple[Rule, ...]

    def table(self) -> pd.DataFrame:
        """The rules as a table: id, criterion, severity, kind, what is checked, inputs, source.

        >>> t = get_ruleset("cctf-dk-1.0").table()
        >>> len(t), t["kind"].value_counts().to_dict()
        (37, {'M': 24, 'P': 10, 'H': 3})
        """
        import pandas as pd

        return pd.DataFrame([{k: getattr(x, k) for k in ("id", "criterion", "severity", "kind",
                                                           "checks", "inputs", "source")}
                             for x in self.rules])


def _rule(id: str, criterion: str, severity: str, kind: str, checks: str, inputs: str,
          source: str, check: Callable[[Context], Finding]) -> Rule:
    return Rule(id, criterion, severity, kind, checks, inputs, source, check)


_CCTF_DK_1_0 = RuleSet(DEFAULT_RULESET, "CCTF Danish guide v1.0 (Nov 2024): K1–K16 + recency", (
    _rule("REV.plan_age", "revision", "error", "M", "adopted ≤ 5 years before as_of; warning "
          "from 4 years", "adopted", "D1 p.4, 38; D4; C40 LS", r.rev_plan_age),
    _rule("REV.inventory_age", "K6", "error", "M", "as_of year − inventory year ≤ 3; = 3 warning",
          "inventory.year", "D1 p.19; C40 LS", r.rev_inventory_age),
    _rule("REV.inventory_frequency", "K6/K16", "warning", "M", "reported inventories at most 2 "
          "years apart", "cctf.inventory_years", "C40 LS", r.rev_inventory_frequency),
    _rule("REV.risk_age", "K5", "error", "M", "risk assessment ≤ 5 years old",
          "adaptation.risk_assessment_date", "D1 p.17–18; C40 LS", r.rev_risk_age),
    _rule("REV.risk_data_age", "K5", "error", "M", "risk-assessment data ≤ 10 years older than "
          "the assessment", "adaptation.risk_assessment_data_year", "D1 p.17–18",
          r.rev_risk_data_age),
    _rule("REV.scenarios_to_2050", "K6/K9", "error", "M", "BAU and action scenarios reach 2050",
          "bau, action_scenario", "D1 p.15, 17; plan rule scenarios_to_2050",
          r.rev_scenarios_to_2050),
    _rule("REV.annual_public_report", "K16", "warning", "M", "a public status report within 12 "
          "months (+ 3 months' grace)", "cctf.public_reports", "C40 LS; D3 p.10",
          r.rev_annual_public_report),
    _rule("REV.annual_action_reporting", "K15", "warning", "M", "every active action reported "
          "in the current cycle", "actions, cctf.action_reports", "D1 p.40–41",
          r.rev_annual_action_reporting),
    _rule("REV.election_timing", "revision", "info", "H", "revision due date vs the council "
          "term (a person plans it)", "adopted", "D1 p.4, 7; Kommunal- og regionalvalgloven § 6",
          r.rev_election_timing),
    _rule("K1.commitment", "K1", "error", "P", "commitment by mayor or council within the "
          "sitting term; 1.5 °C wording judged", "cctf.commitment", "D3 p.2", r.k1_commitment),
    _rule("K2.mainstreaming", "K2", "warning", "H", "governance description (judged)",
          "cctf.governance", "D3 p.2", r.k2_mainstreaming),
    _rule("K3.stakeholders", "K3", "warning", "P", "stakeholder map covers the 3 groups; "
          "non-engagement justified", "cctf.stakeholders", "D1 p.54–55", r.k3_stakeholders),
    _rule("K4.partnerships", "K4", "warning", "P", "a partnership with the municipality as "
          "facilitator for every emitting sector", "cctf.partnerships", "D3 p.3",
          r.k4_partnerships),
    _rule("K5.risk_assessment", "K5", "error", "P", "risk assessment dated, hazards, future "
          "scenarios", "adaptation, cctf.risk_future_scenarios", "D3 p.4", r.k5_risk_assessment),
    _rule("K6.inventory", "K6", "error", "M", "territorial GPC inventory, gases ≥ CO2, CH4, N2O",
          "inventory, baseline_emissions", "D1 p.19; plan rule gas_basket", r.k6_inventory),
    _rule("K6.consumption", "K6/K11", "error", "M", "≥ 2 consumption categories with vision, "
          "SMART strategy and indicator", "cctf.consumption_categories", "D1 p.19, 31",
          r.k6_consumption),
    _rule("K7.equity_data", "K7", "warning", "H", "equity knowledge tables (judged)",
          "cctf.equity_data", "D3 p.4–5", r.k7_equity_data),
    _rule("K8.adaptation_targets", "K8", "error", "P", "adaptation targets for short, medium and "
          "long horizons, ≥ 1 SMART", "cctf.adaptation_targets", "D3 p.6; D1 p.24",
          r.k8_adaptation_targets),
    _rule("K9.net_zero_by_2050", "K9", "error", "M", "net zero ≤ 2050 (info when after 2045)",
          "targets", "D1 p.26; plan rule net_zero_by_2050", p.k9_net_zero_by_2050),
    _rule("K9.first_target_by_2030", "K9", "error", "M", "first target ≤ 2030", "targets",
          "D1 p.25; plan rule first_target_by_2030", p.k9_first_target_by_2030),
    _rule("K9.interim_targets", "K9", "error", "M", "≥ 2 interim targets before net zero",
          "targets", "D1 p.25; plan rule interim_targets", p.k9_interim_targets),
    _rule("K9.gas_basket", "K9", "error", "M", "targets and inventory cover CO2, CH4, N2O",
          "targets, inventory", "D1 p.26; plan rule gas_basket", p.k9_gas_basket),
    _rule("K9.sector_ranges", "K9/K11", "error", "M", "2030 sector targets (and the action "
          "scenario) within the CCTF ranges vs 2019", "targets, observed, action_scenario",
          "D1 p.28; plan rule cctf_sector_range", p.k9_sector_ranges),
    _rule("K9.no_backsliding", "K9", "error", "M", "no target weaker than in the previous "
          "version (from diff)", "previous plan", "municipal plan practice; plan diff",
          p.k9_no_backsliding),
    _rule("K9.manko", "K9", "warning", "M", "manko per milestone quantified and closed",
          "targets, action_scenario, observed", "hjoerring drejebog; plan rule manko", p.k9_manko),
    _rule("K10.equity_targets", "K10", "warning", "P", "≥ 1 equity target linked to actions "
          "and indicators", "cctf.equity_targets", "D3 p.7", p.k10_equity_targets),
    _rule("K11.sector_strategies", "K11", "error", "P", "every emitting sector has a strategy: "
          "transition overview, SMART target, indicator", "cctf.sector_strategies", "D1 p.30",
          p.k11_sector_strategies),
    _rule("K12.action_fields", "K12", "error", "M", "each action: title, description, "
          "timeline, owner, expected effect, co-benefits", "actions, cctf.actions", "D3 p.8",
          p.k12_action_fields),
    _rule("K12.reductions_linked", "K12", "warning", "M", "BAU − action scenario ≈ Σ action "
          "effects per sector", "actions, bau, action_scenario",
          "D1 p.20, 27; plan rule claimed_reductions_linked", p.k12_reductions_linked),
    _rule("K13.fossil_roles", "K13", "error", "P", "fossil phase-out actions use all 4 roles "
          "or justify why not", "cctf.actions", "D1 p.52", p.k13_fossil_roles),
    _rule("K13.no_new_fossil", "K13", "error", "P", "no new fossil supply, fossil CCS or new "
          "incineration capacity (tags; text judged)", "cctf.actions", "D1 p.33–34",
          p.k13_no_new_fossil),
    _rule("K13.coal_2030", "K13", "error", "P", "coal plants closed before 2030",
          "cctf.coal_plants", "D3 p.8–9", p.k13_coal_2030),
    _rule("K14.prioritized_detail", "K14", "error", "M", "prioritised actions: measures, "
          "milestones, stakeholders, cost, funding, benefits, indicator", "cctf.actions, actions",
          "D3 p.9; D1 p.36", p.k14_prioritized_detail),
    _rule("K15.levels", "K15", "error", "M", "indicators at output, outcome and impact level",
          "indicators", "D3 p.10", p.k15_levels),
    _rule("K15.chain", "K15", "warning", "M", "every sector target → action → indicator",
          "targets, actions, cctf.sector_strategies", "D1 p.75", p.k15_chain),
    _rule("K15.metadata", "K15", "warning", "M", "every indicator: unit, baseline, source, "
          "cadence, 4 dichotomies", "indicators, cctf.indicators", "D1 p.75–76",
          p.k15_metadata),
    _rule("K16.public", "K16", "warning", "M", "as REV.annual_public_report",
          "cctf.public_reports", "D3 p.10", p.k16_public),
))

_RULESETS: dict[str, RuleSet] = {_CCTF_DK_1_0.id: _CCTF_DK_1_0}


def list_rulesets() -> list[str]:
    """Ids of the rule sets klimacore knows.

    >>> list_rulesets()
    ['cctf-dk-1.0']
    """
    return sorted(_RULESETS)


def get_ruleset(ruleset: str | RuleSet = DEFAULT_RULESET) -> RuleSet:
    """A rule set by id (a :class:`RuleSet` passes through)."""
    if isinstance(ruleset, RuleSet):
        return ruleset
    try:
        return _RULESETS[ruleset]
    except KeyError:
        raise MissingLabelError(f"rule set (known: {', '.join(_RULESETS)})", [ruleset],
                                dim="ruleset") from None


def _rows(plan: ClimateActionPlan, rs: RuleSet, ctx: Context) -> list[dict[str, Any]]:
    return [row(plan.municipality, plan.version, rs.id, x.id, x.criterion, x.check(ctx))
            for x in rs.rules]


def _check_args(as_of: object, engine: str) -> None:
    problems = []
    if not isinstance(as_of, dt.date):
        problems.append(f"as_of must be a datetime.date, got {as_of!r}")
    if engine not in ENGINES:
        problems.append(f"engine {engine!r}: use {' or '.join(ENGINES)}")
    if problems:
        raise ValidationError("invalid certification arguments", problems)


def certify(
    plan: ClimateActionPlan,
    *,
    as_of: dt.date,
    previous: ClimateActionPlan | None = None,
    rules: str | RuleSet = DEFAULT_RULESET,
    engine: str = "fast",
) -> pd.DataFrame:
    """Certify one plan: one row per rule with status, severity, evidence, missing and message.

    ``as_of`` is the date the recency rules are judged on (never today's date implicitly);
    ``previous`` the plan's previous version (for ``K9.no_backsliding``); ``engine`` ``"fast"``
    or ``"trajectory"`` computes the plan target rules by either implementation (same results).

    >>> import datetime as dt
    >>> from klimacore.models import load_example_plan
    >>> t = certify(load_example_plan(), as_of=dt.date(2026, 11, 22))
    >>> t.set_index("rule").loc[["REV.plan_age", "K9.net_zero_by_2050", "K2.mainstreaming"],
    ...                         ["status", "severity"]]
                             status severity
    rule
    REV.plan_age               pass     info
    K9.net_zero_by_2050        pass     info
    K2.mainstreaming   needs review  warning
    """
    _check_args(as_of, engine)
    rs = get_ruleset(rules)
    if previous is not None and previous.municipality != plan.municipality:
        raise ValidationError(f"previous plan is of municipality {previous.municipality}, the "
                              f"plan of {plan.municipality}")
    return frame(_rows(plan, rs, Context(plan, as_of, previous, engine)))


def certify_many(
    plans: Iterable[ClimateActionPlan],
    *,
    as_of: dt.date,
    previous: Mapping[int, ClimateActionPlan] | None = None,
    rules: str | RuleSet = DEFAULT_RULESET,
    engine: str = "fast",
) -> pd.DataFrame:
    """Certify many plans in one table (``previous`` keyed by municipality code).

    >>> import datetime as dt
    >>> from klimacore.models import load_example_plan
    >>> t = certify_many([load_example_plan()] * 2, as_of=dt.date(2026, 11, 22))
    >>> t.shape
    (74, 11)
    """
    _check_args(as_of, engine)
    rs = get_ruleset(rules)
    prev = previous or {}
    rows: list[dict[str, Any]] = []
    for plan in plans:
        rows += _rows(plan, rs, Context(plan, as_of, prev.get(plan.municipality), engine))
    return frame(rows)
