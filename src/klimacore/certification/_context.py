"""What every rule sees: the plan, the previous version, the as-of date, shared results (internal)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from klimacore.certification._result import (
    FAIL,
    NEEDS_REVIEW,
    NO_DATA,
    PASS,
    Finding,
)

if TYPE_CHECKING:
    from klimacore._plan_extras import CctfData
    from klimacore.certification._diff import PlanDiff
    from klimacore.certification._planrules import SubFinding
    from klimacore.models import ClimateActionPlan

__all__ = ["REPORT_WINDOW_DAYS", "Context", "aggregate", "clip", "no_data"]

REPORT_WINDOW_DAYS = 365 + 92
"""A yearly report counts as current for 12 months plus 3 months' grace (MONITORING.md §C.4)."""

_SEVERITY_RANK = {"error": 2, "warning": 1, "info": 0}


@dataclass
class Context:
    """Inputs of one certification run for one plan; shared results are computed once."""

    plan: ClimateActionPlan
    as_of: dt.date
    previous: ClimateActionPlan | None = None
    engine: str = "fast"
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def cctf(self) -> CctfData | None:
        return self.plan.cctf

    @cached_property
    def plan_rules(self) -> dict[str, list[SubFinding]]:
        from klimacore.certification._planrules import plan_rule_findings

        grouped: dict[str, list[SubFinding]] = {}
        for f in plan_rule_findings(self.plan, self.engine):
            grouped.setdefault(f[0], []).append(f)
        return grouped

    @cached_property
    def due(self) -> dict[str, dict[str, Any]]:
        from klimacore.certification._dates import due_items

        return {r["item"]: r for r in due_items(self.plan, self.as_of)}

    @cached_property
    def diff(self) -> PlanDiff | None:
        from klimacore.certification._diff import diff

        return None if self.previous is None else diff(self.previous, self.plan)

    @property
    def report_window_start(self) -> dt.date:
        return self.as_of - dt.timedelta(days=REPORT_WINDOW_DAYS)


def clip(text: str, width: int = 160) -> str:
    """Free text shortened for evidence, at a word boundary, marked with an ellipsis.

    >>> clip("one two three", 8)
    'one two…'
    """
    if len(text) <= width:
        return text
    return text[:width].rsplit(" ", 1)[0].rstrip(" ,;.") + "…"


def no_data(severity: str, *fields: str, what: str = "") -> Finding:
    """The plan does not state what the rule needs."""
    text = what or ", ".join(fields)
    return Finding(NO_DATA, severity, f"not stated in the plan: {text}", missing=fields)


def aggregate(found: list[SubFinding], severity: str, *, review: bool = False,
              prefix: str = "") -> Finding:
    """One finding from the plan rules' findings: the worst status; messages as evidence.

    A fail takes the highest severity among the failing findings; ``review`` turns a clean
    result into ``needs review`` (a person judges the content).
    """
    if not found:
        return Finding(NO_DATA, severity, f"{prefix}no finding from the plan rules")
    evidence = [f"{'' if s == PASS else s.upper() + ': '}{m}" for _, s, _, m in found]
    fails = [f for f in found if f[1] == FAIL]
    if fails:
        worst = max((f[2] for f in fails), key=lambda s: _SEVERITY_RANK[s])
        return Finding(FAIL, worst, prefix + "; ".join(f[3] for f in fails), evidence)
    gaps = [f for f in found if f[1] == NO_DATA]
    if gaps:
        worst = max((f[2] for f in gaps), key=lambda s: _SEVERITY_RANK[s])
        return Finding(NO_DATA, worst, prefix + "; ".join(f[3] for f in gaps), evidence)
    if review:
        return Finding(NEEDS_REVIEW, severity, prefix + found[0][3], evidence)
    return Finding(PASS, "info", prefix + "; ".join(f[3] for f in found), evidence)
