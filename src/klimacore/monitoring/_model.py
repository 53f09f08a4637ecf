"""Typed records of monitoring: reporting rounds, actions with phase and state, updates, observations.

What municipalities report is stored; statuses are computed (:mod:`._status`). The action's old
``status`` literal of :class:`klimacore.models.Action` mixed the implementation phase with a
computed lateness (``delayed``); here the phase (Kausal Watch defaults: not started → planning →
implementation → completed) and the state (active, postponed, cancelled, out of scope, merged) are
stored apart, and :func:`migrate_action` reads old plans.

>>> r = ReportingRound(municipality=751, year=2025, opened="2026-01-15")
>>> closed = r.close(on="2026-03-01", content_hash="ab12")
>>> closed.state, closed.is_frozen
('closed', True)
>>> fix = closed.revise(reason="ENS restated 2023", on="2026-05-01")
>>> fix.revision, fix.state, fix.revision_reason
(1, 'open', 'ENS restated 2023')
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BeforeValidator, Field, model_validator

from klimacore._model_base import KlimacoreModel, ModelProblems
from klimacore.errors import Problems, ValidationError
from klimacore.models import Action, ClimateActionPlan, Finite, NonNegative, Sector, UnitText, Year

__all__ = [
    "HAZARDS",
    "PHASES",
    "ROLES",
    "STATES",
    "ActionIndicatorLink",
    "ActionUpdate",
    "ClimateEvent",
    "IndicatorLink",
    "IndicatorMeta",
    "IndicatorObservation",
    "Milestone",
    "MonitoredAction",
    "ReportingRound",
    "migrate_action",
    "migrate_plan_actions",
]

Phase = Literal["not_started", "planning", "implementation", "completed"]
State = Literal["active", "postponed", "cancelled", "out_of_scope", "merged"]
Confidence = Literal["high", "medium", "low"]
Role = Literal["enterprise", "supplier", "authority", "facilitator_advocate",
               "facilitator_partnership", "facilitator_opinion"]
Hazard = Literal["cloudburst", "sea_level_rise", "storm_surge", "groundwater", "drought",
                 "heat", "river_flooding", "erosion", "other"]

PHASES: tuple[str, ...] = ("not_started", "planning", "implementation", "completed")
"""Implementation phases in order (Kausal Watch ``actions/defaults.py``)."""
STATES: tuple[str, ...] = ("active", "postponed", "cancelled", "out_of_scope", "merged")
"""Action states; only ``active`` actions can be late or on time."""
ROLES: tuple[str, ...] = ("enterprise", "supplier", "authority", "facilitator_advocate",
                          "facilitator_partnership", "facilitator_opinion")
"""The municipality's roles (CCTF template 1.1; the facilitator role has three sub-roles)."""
HAZARDS: tuple[str, ...] = ("cloudburst", "sea_level_rise", "storm_surge", "groundwater",
                            "drought", "heat", "river_flooding", "erosion", "other")
"""Climate hazards, the same words as :class:`klimacore.models.Adaptation`."""

Ident = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")]


def _municipality(value: Any) -> int:
    from klimacore.reference import municipality_code

    try:
        return municipality_code(value)
    except KeyError:
        raise ValidationError(
            f"unknown municipality {value!r} (expected one of the 98 codes 101–860 or a name)",
            code="monitoring.municipality", label=value) from None


Municipality = Annotated[int, BeforeValidator(_municipality)]
"""A municipality code (101–860) or name, stored as the code."""


class _Model(KlimacoreModel):
    """Raises klimacore's errors (codes ``monitoring.…``), never pydantic's."""

    code_prefix: ClassVar[str] = "monitoring"


class Milestone(_Model):
    """A dated step of an action; ``done`` is set when (and only when) it was reached."""

    name: str = Field(min_length=1)
    due: dt.date
    done: dt.date | None = None


class MonitoredAction(_Model):
    """An action as monitored: stored phase and state, role, money, milestones, effect profile.

    >>> a = MonitoredAction(id="A1", title="Heat pumps", owner="Teknik og Miljø", sector="energy",
    ...                     start=2024, end=2030, phase="implementation",
    ...                     expected_effect={2026: 300, 2030: 1200})
    >>> a.state, a.expected_effect[2030]
    ('active', 1200.0)
    """

    id: Ident
    title: str = Field(min_length=1)
    description: str = ""
    owner: str = Field(min_length=1)
    sector: Sector
    kind: Literal["mitigation", "adaptation", "both"] = "mitigation"
    start: Year
    end: Year
    phase: Phase = "not_started"
    state: State = "active"
    merged_into: str | None = None
    status_override: str | None = None
    status_override_reason: str = ""
    roles: tuple[Role, ...] = ()
    prioritized: bool = False
    cost_dkk: NonNegative | None = None
    funding_source: str = ""
    funding_secured: bool | None = None
    milestones: tuple[Milestone, ...] = ()
    effect_confidence: Confidence | None = None
    expected_effect: dict[Year, NonNegative] = Field(
        default_factory=dict,
        description="Expected reduction, t CO2e a year, by year (a time profile, not one number)",
    )
    indicators: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _rules(self) -> MonitoredAction:
        problems = Problems("action")
        if self.end < self.start:
            problems.add(f"end {self.end} is before start {self.start}",
                         code="monitoring.action_timeline", label=self.end, location="end")
        if (self.state == "merged") != (self.merged_into is not None):
            problems.add("state 'merged' and merged_into go together",
                         code="monitoring.action_merged", label=self.state,
                         location="merged_into")
        if self.status_override is not None and not self.status_override_reason:
            problems.add("status_override needs status_override_reason",
                         code="monitoring.override_reason", label=self.status_override,
                         location="status_override_reason")
        early = sorted(y for y in self.expected_effect if y < self.start)
        if early:
            problems.add(f"expected_effect years {early} are before start {self.start}",
                         code="monitoring.effect_before_start", label=early,
                         location="expected_effect")
        names = [m.name for m in self.milestones]
        if len(set(names)) != len(names):
            problems.add(f"milestone names used twice: {names}",
                         code="monitoring.milestone_twice", label=names, location="milestones")
        if problems:
            raise ModelProblems(problems.errors)
        return self


class ReportingRound(_Model):
    """One reporting round of a municipality and year: open, then closed (frozen).

    A correction of a closed round is a new revision (``revision + 1``) with a reason; the
    closed round itself never changes (the store refuses edits).
    """

    municipality: Municipality
    year: Year
    revision: int = Field(default=0, ge=0)
    state: Literal["open", "closed"] = "open"
    opened: dt.date
    closed_at: dt.date | None = None
    revision_reason: str = ""
    content_hash: str | None = None

    @model_validator(mode="after")
    def _rules(self) -> ReportingRound:
        problems = Problems("round")
        if (self.state == "closed") != (self.closed_at is not None):
            problems.add("a closed round has closed_at, an open one has not",
                         code="monitoring.round_closed_at", label=self.state,
                         location="closed_at")
        if self.closed_at is not None and self.closed_at < self.opened:
            problems.add(f"closed_at {self.closed_at} is before opened {self.opened}",
                         code="monitoring.round_dates", label=self.closed_at,
                         location="closed_at")
        if self.revision > 0 and not self.revision_reason:
            problems.add(f"revision {self.revision} needs revision_reason",
                         code="monitoring.revision_reason", label=self.revision,
                         location="revision_reason")
        if problems:
            raise ModelProblems(problems.errors)
        return self

    @property
    def is_frozen(self) -> bool:
        """True once the round is closed: its inputs can no longer change."""
        return self.state == "closed"

    def close(self, *, on: dt.date | str, content_hash: str) -> ReportingRound:
        """The closed round (an open round only)."""
        if self.is_frozen:
            raise ValidationError(f"round {self.municipality}/{self.year} r{self.revision} is "
                                  "already closed", code="monitoring.round_frozen",
                                  label=self.revision,
                                  location=f"round {self.municipality}/{self.year}")
        return self.model_validate({**self.model_dump(), "state": "closed", "closed_at": on,
                                    "content_hash": content_hash})

    def revise(self, *, reason: str, on: dt.date | str) -> ReportingRound:
        """A new open revision of a closed round, with the reason (a closed round only)."""
        if not self.is_frozen:
            raise ValidationError(f"round {self.municipality}/{self.year} r{self.revision} is "
                                  "open: edit it instead of revising",
                                  code="monitoring.round_open", label=self.revision,
                                  location=f"round {self.municipality}/{self.year}")
        return ReportingRound(municipality=self.municipality, year=self.year,
                              revision=self.revision + 1, opened=on,  # type: ignore[arg-type]
                              revision_reason=reason)


class ActionUpdate(_Model):
    """One action's report in one round (the annual action-level report)."""

    action_id: Ident
    municipality: Municipality
    year: Year = Field(description="The reporting round's year")
    phase: Phase
    state: State = "active"
    progress_pct: Annotated[float, Field(ge=0, le=100)] | None = None
    milestones_met: tuple[str, ...] = ()
    realised_effect_t: NonNegative | None = None
    realised_effect_year: Year | None = None
    spent_dkk: NonNegative | None = None
    note: str = ""
    date: dt.date
    reporter: str = Field(min_length=1)

    @model_validator(mode="after")
    def _rules(self) -> ActionUpdate:
        if (self.realised_effect_t is None) != (self.realised_effect_year is None):
            raise ValidationError("realised_effect_t and realised_effect_year go together",
                                  code="monitoring.realised_effect",
                                  location="realised_effect_year")
        return self


class IndicatorMeta(_Model):
    """What an indicator measures and how (CCTF template 5.1 dichotomies)."""

    id: Ident
    name: str = Field(min_length=1)
    unit: UnitText
    level: Literal["output", "outcome", "impact"]
    direction: Literal["increase", "decrease"]
    direct: bool = True
    aggregated: bool = False
    quantitative: bool = True
    bottom_up: bool = True
    category: Literal["reduction", "adaptation", "equity", "consumption", "transition"] = \
        "reduction"
    cadence_days: int = Field(default=365, gt=0)
    source: str = ""


class IndicatorObservation(_Model):
    """One observed value with the release date of the data it comes from."""

    indicator_id: Ident
    municipality: Municipality
    year: Year
    value: Finite
    release_date: dt.date
    source: str = ""
    quality: Literal["final", "provisional", "estimated"] = "final"

    @model_validator(mode="after")
    def _released_after(self) -> IndicatorObservation:
        if self.release_date.year < self.year:
            raise ValidationError(f"release_date {self.release_date} is before the observed "
                                  f"year {self.year}", code="monitoring.release_before_year",
                                  label=self.release_date, location="release_date")
        return self


class ActionIndicatorLink(_Model):
    """An action moves an indicator (Kausal ``ActionIndicator``)."""

    action_id: Ident
    indicator_id: Ident
    effect_type: Literal["increases", "decreases"]
    indicates_progress: bool = False
    confidence: Confidence = "medium"


class IndicatorLink(_Model):
    """A causal link between indicators (output → outcome → impact) with a confidence."""

    cause_id: Ident
    effect_id: Ident
    effect_type: Literal["increases", "decreases", "part_of"]
    confidence: Confidence

    @model_validator(mode="after")
    def _not_self(self) -> IndicatorLink:
        if self.cause_id == self.effect_id:
            raise ValidationError(f"indicator {self.cause_id!r} cannot cause itself",
                                  code="monitoring.self_link", label=self.cause_id,
                                  location="effect_id")
        return self


class ClimateEvent(_Model):
    """An experienced climate event (reported yearly for adaptation monitoring)."""

    municipality: Municipality
    hazard: Hazard
    date: dt.date
    area: str = Field(min_length=1, description="Where: district, catchment, address range")
    damage_dkk: NonNegative | None = None
    insured_claims: int | None = Field(default=None, ge=0)
    source: str = ""


_OLD_STATUS: dict[str, tuple[str, str]] = {
    "planned": ("not_started", "active"),
    "ongoing": ("implementation", "active"),
    "completed": ("completed", "active"),
    "delayed": ("implementation", "active"),  # lateness is now computed, not stored
    "cancelled": ("not_started", "cancelled"),
}


def migrate_action(old: Action) -> MonitoredAction:
    """An old :class:`klimacore.models.Action` as a :class:`MonitoredAction`.

    ``status`` becomes phase and state (``delayed`` → implementation, active: lateness is
    computed from milestones and dates); the single expected effect becomes a one-year profile.

    >>> from klimacore.models import Action
    >>> old = Action(id="A1", title="t", owner="o", start=2024, end=2030, sector="energy",
    ...              status="delayed", expected_effect_t=1200, effect_year=2030)
    >>> new = migrate_action(old)
    >>> new.phase, new.state, new.expected_effect
    ('implementation', 'active', {2030: 1200.0})
    """
    phase, state = _OLD_STATUS[old.status]
    effect = ({old.effect_year: old.expected_effect_t}
              if old.expected_effect_t is not None and old.effect_year is not None else {})
    return MonitoredAction(id=old.id, title=old.title, description=old.description,
                           owner=old.owner, sector=old.sector, start=old.start, end=old.end,
                           phase=phase, state=state,  # type: ignore[arg-type]
                           expected_effect=effect, indicators=old.indicators)


def migrate_plan_actions(plan: ClimateActionPlan) -> tuple[MonitoredAction, ...]:
    """Every action of an old plan, migrated with :func:`migrate_action`.

    >>> from klimacore.models import load_example_plan
    >>> len(migrate_plan_actions(load_example_plan())) == len(load_example_plan().actions)
    True
    """
    return tuple(migrate_action(a) for a in plan.actions)
