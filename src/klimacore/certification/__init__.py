"""Revision and re-certification of climate action plans (CCTF K1–K16), plan diffs, development tracks.

Plans are revised at least every fifth year and re-certified against C40's Cities Climate
Transition Framework as set out in the Danish guide v1.0 (CONCITO/C40, Nov 2024): 16 criteria
K1–K16 in six components. This package checks them as a versioned rule set:

- :func:`certify` / :func:`certify_many`: one row per rule and plan (``rule``, ``criterion``,
  ``status``, ``severity``, ``needs_review``, ``evidence``, ``missing``, ``message``) for the
  rule set ``cctf-dk-1.0`` (37 rules: :func:`get_ruleset` ``.table()``). Statuses: ``pass``,
  ``fail``, ``needs review`` (a person judges the content; never a pass), ``no data`` (the plan
  does not state it) and ``not applicable``. :func:`blocking` picks the rows that stop
  certification (severity ``error`` with ``fail`` or ``no data``).
- :func:`due_dates`: next revision, stale inventory and risk assessment, as of a date;
  :func:`election_date`, :func:`council_term_start`, :func:`next_election`.
- :func:`diff`: what changed between two versions of a plan (:class:`PlanDiff`: tidy table and
  summary); ``K9.no_backsliding`` reads it.
- :class:`DevelopmentTrackProposal`, :func:`validate_proposal`, :func:`funding_rounds`:
  climate development tracks (klimaudviklingsspor) and their eligibility.
- :func:`challenge_panel` (from plans), :func:`sector_challenges` (sectors off track in a
  monitoring panel), :func:`suggest_partners`: municipalities sharing a challenge.

What a plan states for the criteria (commitment, stakeholders, adaptation and equity targets,
consumption categories, action details …) lives in the optional field
``ClimateActionPlan.cctf`` (:class:`CctfData`); :func:`with_cctf` attaches it to a plan.

Examples
--------
>>> import datetime as dt
>>> from klimacore.models import load_example_plan
>>> from klimacore import certification
>>> table = certification.certify(load_example_plan(), as_of=dt.date(2026, 11, 22))
>>> table["status"].value_counts().to_dict()
{'no data': 16, 'pass': 10, 'fail': 7, 'needs review': 3, 'not applicable': 1}
>>> certification.blocking(table)["rule"].tolist()[:3]
['REV.inventory_age', 'K1.commitment', 'K5.risk_assessment']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from klimacore._plan_extras import (
    ActionDetails,
    ActionMilestone,
    ActionReport,
    AdaptationTarget,
    CctfData,
    CoalPlant,
    Commitment,
    ConsumptionCategory,
    EquityData,
    EquityTarget,
    Governance,
    IndicatorDetails,
    Partnership,
    PublicReport,
    SectorStrategy,
    Stakeholder,
)
from klimacore.certification._dates import (
    DUE_COLUMNS,
    council_term_start,
    due_dates,
    election_date,
    next_election,
)
from klimacore.certification._diff import DIFF_COLUMNS, PlanDiff, diff
from klimacore.certification._partners import (
    PANEL_COLUMNS,
    Challenge,
    challenge_panel,
    plan_challenges,
    sector_challenges,
    suggest_partners,
)
from klimacore.certification._result import BLOCKING, CERT_COLUMNS, STATUSES, Finding, blocking
from klimacore.certification._ruleset import (
    DEFAULT_RULESET,
    Rule,
    RuleSet,
    certify,
    certify_many,
    get_ruleset,
    list_rulesets,
)
from klimacore.certification._tracks import (
    TRACK_COLUMNS,
    CoFinancing,
    DevelopmentTrackProposal,
    FundingRound,
    Participant,
    PlanActionRef,
    funding_rounds,
    validate_proposal,
)

if TYPE_CHECKING:
    from klimacore.models import ClimateActionPlan

__all__ = [
    "BLOCKING",
    "CERT_COLUMNS",
    "DEFAULT_RULESET",
    "DIFF_COLUMNS",
    "DUE_COLUMNS",
    "PANEL_COLUMNS",
    "STATUSES",
    "TRACK_COLUMNS",
    "ActionDetails",
    "ActionMilestone",
    "ActionReport",
    "AdaptationTarget",
    "CctfData",
    "Challenge",
    "CoFinancing",
    "CoalPlant",
    "Commitment",
    "ConsumptionCategory",
    "DevelopmentTrackProposal",
    "EquityData",
    "EquityTarget",
    "Finding",
    "FundingRound",
    "Governance",
    "IndicatorDetails",
    "Participant",
    "Partnership",
    "PlanActionRef",
    "PlanDiff",
    "PublicReport",
    "Rule",
    "RuleSet",
    "SectorStrategy",
    "Stakeholder",
    "blocking",
    "certify",
    "certify_many",
    "challenge_panel",
    "council_term_start",
    "diff",
    "due_dates",
    "election_date",
    "funding_rounds",
    "get_ruleset",
    "list_rulesets",
    "next_election",
    "plan_challenges",
    "sector_challenges",
    "suggest_partners",
    "validate_proposal",
    "with_cctf",
]


def with_cctf(plan: ClimateActionPlan, cctf: CctfData | dict[str, Any] | None,
              **update: Any) -> ClimateActionPlan:
    """A copy of ``plan`` with its CCTF data replaced (and other fields updated), re-validated.

    >>> from klimacore.models import load_example_plan
    >>> p = with_cctf(load_example_plan(), {"inventory_years": [2017, 2019]}, version="2.1")
    >>> p.cctf.inventory_years, p.version
    ((2017, 2019), '2.1')
    >>> with_cctf(p, {"actions": [{"action_id": "X9"}]})
    Traceback (most recent call last):
    ...
    klimacore.errors.ValidationError: cctf.actions[0].action_id names unknown action ['X9']
    """
    doc = plan.model_dump()
    doc.update(update)
    doc["cctf"] = cctf.model_dump() if isinstance(cctf, CctfData) else cctf
    return type(plan).model_validate(doc)


if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """``certification.example_plan`` moved to :func:`klimacore.examples.example_plan_cctf`
        (deprecated alias, goes in 0.3)."""
        if name == "example_plan":
            from klimacore import examples  # deprecated alias: layer exception until 0.3
            from klimacore._deprecation import warn_deprecated

            warn_deprecated("klimacore.certification.example_plan", since="0.2",
                            removed_in="0.3", use="klimacore.examples.example_plan_cctf")
            return examples.example_plan_cctf
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
