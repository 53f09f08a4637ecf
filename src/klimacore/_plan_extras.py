"""What a plan states for the CCTF re-certification criteria K1–K16 (internal; optional data).

These sub-models hang off :class:`klimacore.models.ClimateActionPlan` as the optional field
``cctf`` (default ``None``), so plans written before them still load. Everything here is a fact the
plan *states* (a commitment and its date, the stakeholder map, adaptation targets, the details of
each action …); whether those facts meet the criteria is decided by
:mod:`klimacore.certification`, never here. ``None`` means "not stated" (the rules then say
"no data"); an empty tuple means "stated: none".

Field names follow the CCTF Danish guide v1.0 (CONCITO/C40, Nov 2024) and the Klimaalliancen
self-assessment form v2.5 as summarised in the project's ``MONITORING.md`` §C (templates 1.1,
2.1, 4.1 and 5.1; annexes 3–5).

Examples
--------
>>> from klimacore._plan_extras import CctfData, Commitment
>>> data = CctfData(commitment=Commitment(date="2025-03-01", body="council"))
>>> data.commitment.body, data.stakeholders is None
('council', True)
>>> CctfData(inventory_years=(2019, 2019))
Traceback (most recent call last):
...
klimacore.errors.ValidationError: inventory_years: years listed twice: [2019]
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import AfterValidator, Field, model_validator

from klimacore._model_base import KlimacoreModel, ModelProblems
from klimacore.errors import Problems, ValidationError

if TYPE_CHECKING:
    from klimacore.models import ClimateActionPlan

__all__ = [
    "ACTION_ROLES",
    "STAKEHOLDER_GROUPS",
    "ActionDetails",
    "ActionMilestone",
    "ActionReport",
    "AdaptationTarget",
    "CctfData",
    "CoalPlant",
    "Commitment",
    "ConsumptionCategory",
    "EquityData",
    "EquityTarget",
    "Governance",
    "IndicatorDetails",
    "Partnership",
    "PublicReport",
    "SectorStrategy",
    "Stakeholder",
    "reference_problems",
]

STAKEHOLDER_GROUPS: tuple[str, ...] = (
    "affected_by_climate_change",
    "affected_by_climate_action",
    "power_and_influence",
)
"""The three stakeholder groups of CCTF template 2.1 (MONITORING.md §C.4, K3; D1 p.54–55)."""

ACTION_ROLES: tuple[str, ...] = ("enterprise", "supplier", "authority", "facilitator")
"""The municipality's four roles (template 1.1): owner/enterprise, supplier, authority,
facilitator (the guide splits facilitator into advocate, partnership and opinion former)."""


MIN_YEAR = 1990
"""Earliest year a plan may refer to (the Danish Climate Act base year)."""
MAX_YEAR = 2100
"""Latest year a plan may refer to."""

PLAN_SECTORS: tuple[str, ...] = (
    "energy",
    "transport",
    "industry",
    "agriculture",
    "waste",
    "land_use",
    "other",
)
"""Sectors used in plans' scenarios, targets and actions. ``energy`` is electricity, heating and
other stationary energy (GPC I), ``transport`` GPC II, ``industry`` process emissions and industrial
energy where a plan reports them apart (GPC IV), ``agriculture`` GPC V.1/V.3, ``land_use`` LULUCF
(GPC V.2), ``waste`` GPC III and ``other`` anything else."""


def _year(value: int) -> int:
    if not MIN_YEAR <= value <= MAX_YEAR:
        raise ValidationError(f"year {value} is outside {MIN_YEAR}–{MAX_YEAR}",
                              code="plan.year_range", label=value)
    return value


Year = Annotated[int, AfterValidator(_year)]
"""A calendar year between 1990 and 2100."""


def _non_negative(value: float) -> float:
    if not math.isfinite(value) or value < 0:
        raise ValidationError(f"value {value} must be a finite number ≥ 0",
                              code="plan.not_non_negative", label=value)
    return value


Amount = Annotated[float, AfterValidator(_non_negative)]


def _sector(value: str) -> str:
    if value not in PLAN_SECTORS:
        raise ValidationError(f"unknown sector {value!r}; valid sectors: "
                              f"{', '.join(PLAN_SECTORS)}", code="plan.sector", label=value)
    return value


Sector = Annotated[str, AfterValidator(_sector)]
Ident = Annotated[str, Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")]
Horizon = Literal["short", "medium", "long"]
"""CCTF horizons: short 0–5 years (to 2030), medium 5–10 (2030–2040), long > 10 (D1 p.24)."""


class _Model(KlimacoreModel):
    code_prefix: ClassVar[str] = "cctf"


def _unique(values: tuple[object, ...], what: str, field: str) -> None:
    seen = [v for i, v in enumerate(values) if v in values[:i]]
    if seen:
        raise ValidationError(f"{what} listed twice: {sorted(set(map(str, seen)))}",
                              code="cctf.listed_twice", label=seen[0], location=field)


class Commitment(_Model):
    """K1: the public commitment of the sitting mayor or council (template 1.1).

    >>> Commitment(date="2026-02-01", body="mayor", paris_1_5=True).paris_1_5
    True
    """

    date: dt.date = Field(description="Date of the commitment (decision or signature)")
    body: Literal["mayor", "council", "committee", "other"]
    text: str = Field(default="", description="The wording, for the reviewer (1.5 °C ambition)")
    paris_1_5: bool | None = Field(
        default=None, description="The commitment cites the Paris Agreement's 1.5 °C ambition"
    )
    url: str = ""


class Governance(_Model):
    """K2: how climate is built into internal governance and decisions (free text for review)."""

    description: str = ""
    responsible: str = Field(default="", description="Committee or unit that owns the plan")
    budget_integration: str = Field(default="", description="How the budget process uses it")


class Stakeholder(_Model):
    """K3: one stakeholder (group) of the map with its CCTF group tags."""

    name: str = Field(min_length=1)
    groups: tuple[Literal["affected_by_climate_change", "affected_by_climate_action",
                          "power_and_influence"], ...] = Field(min_length=1)
    engaged: bool = True
    justification: str = Field(default="", description="Why the group was not engaged")


class Partnership(_Model):
    """K4: a partnership with other government levels, finance, business or civil society."""

    name: str = Field(min_length=1)
    partner_kind: Literal["government", "finance", "business", "community", "public",
                          "knowledge", "utility", "other"]
    sectors: tuple[Sector, ...] = ()
    facilitator: bool = Field(
        default=False, description="The municipality acts as facilitator in the partnership"
    )


class AdaptationTarget(_Model):
    """K8: an adaptation goal or target with its horizon."""

    id: Ident
    description: str = Field(min_length=1)
    horizon: Horizon
    year: Year | None = None
    hazard: str = ""
    smart: bool = Field(default=False, description="Specific, measurable … (else qualitative)")


class EquityData(_Model):
    """K7: the equity knowledge base of template 4.1 (text for the reviewer)."""

    emission_sectors: str = Field(
        default="", description="Who emits and who bears the costs, by emission sector"
    )
    hazards: str = Field(default="", description="Who is most exposed, by climate hazard")
    data_sources: tuple[str, ...] = ()


class EquityTarget(_Model):
    """K10: an equity target linked to actions and indicators of the plan."""

    id: Ident
    description: str = Field(min_length=1)
    actions: tuple[str, ...] = ()
    indicators: tuple[str, ...] = ()


class ConsumptionCategory(_Model):
    """K6/K11: a consumption category with vision, SMART strategy and indicators (D1 p.19, 31)."""

    category: str = Field(min_length=1, description="e.g. food, transport, buildings, goods")
    vision: str = ""
    strategy: str = ""
    smart: bool = False
    indicators: tuple[str, ...] = ()


class SectorStrategy(_Model):
    """K11: a sector strategy: transition overview, SMART target, indicators (D1 p.30)."""

    sector: Sector
    transition_overview: str = ""
    smart_target: bool = False
    indicators: tuple[str, ...] = ()


class ActionMilestone(_Model):
    """A milestone of an action's implementation plan (K14)."""

    name: str = Field(min_length=1)
    due: dt.date
    done: dt.date | None = None


class ActionDetails(_Model):
    """K12–K14 facts about one action of the plan, keyed by ``action_id``.

    ``replaces`` names actions of the previous plan version this action merges or re-scopes (read
    by :func:`klimacore.certification.diff`).
    """

    action_id: Ident
    type: Literal["mitigation", "adaptation", "both"] = "mitigation"
    co_benefits: tuple[str, ...] = ()
    prioritized: bool = False
    roles: tuple[Literal["enterprise", "supplier", "authority", "facilitator"], ...] = ()
    phases_out_fossil: bool = False
    roles_justification: str = Field(
        default="", description="Why not all four roles are used (K13 phase-out actions)"
    )
    adds_fossil_supply: bool = Field(default=False, description="New fossil supply incl. gas/LNG")
    ccs_on_fossil: bool = Field(default=False, description="CCS that prolongs fossil supply")
    new_incineration_capacity: bool = False
    supporting_measures: str = ""
    milestones: tuple[ActionMilestone, ...] = ()
    stakeholders: tuple[str, ...] = ()
    cost_dkk: Amount | None = None
    funding_source: str = ""
    funding_method: str = ""
    benefit_distribution: str = ""
    replaces: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _lists(self) -> ActionDetails:
        _unique(self.roles, "roles", "roles")
        _unique(self.replaces, "replaced actions", "replaces")
        return self


class IndicatorDetails(_Model):
    """K15 metadata of one indicator (template 5.1 / annex 5), keyed by ``indicator_id``."""

    indicator_id: Ident
    category: Literal["reduction", "adaptation", "equity", "consumption", "transition"] | None = None
    cadence: Literal["annual", "quarterly", "monthly", "ad_hoc"] | None = None
    direct: bool | None = None
    aggregated: bool | None = None
    quantitative: bool | None = None
    bottom_up: bool | None = None


class CoalPlant(_Model):
    """K13: a coal-fired plant in the municipality and its closure year (None: not decided)."""

    name: str = Field(min_length=1)
    closure_year: Year | None = None


class PublicReport(_Model):
    """K16: a public status report on implementation and progress."""

    date: dt.date
    title: str = ""
    url: str = ""


class ActionReport(_Model):
    """An action-level status report (the annual Klimaalliancen reporting, D1 p.40–41)."""

    action_id: Ident
    date: dt.date


class CctfData(_Model):
    """Everything a plan states for the CCTF criteria; every part optional (None = not stated)."""

    commitment: Commitment | None = None
    governance: Governance | None = None
    stakeholders: tuple[Stakeholder, ...] | None = None
    partnerships: tuple[Partnership, ...] | None = None
    risk_future_scenarios: tuple[str, ...] | None = Field(
        default=None, description="Climate scenarios the risk assessment uses (e.g. RCP8.5 2100)"
    )
    adaptation_targets: tuple[AdaptationTarget, ...] | None = None
    equity_data: EquityData | None = None
    equity_targets: tuple[EquityTarget, ...] | None = None
    consumption_categories: tuple[ConsumptionCategory, ...] | None = None
    sector_strategies: tuple[SectorStrategy, ...] | None = None
    actions: tuple[ActionDetails, ...] | None = None
    indicators: tuple[IndicatorDetails, ...] | None = None
    coal_plants: tuple[CoalPlant, ...] | None = None
    inventory_years: tuple[Year, ...] | None = Field(
        default=None, description="Years of every inventory the municipality has reported"
    )
    public_reports: tuple[PublicReport, ...] | None = None
    action_reports: tuple[ActionReport, ...] | None = None

    @model_validator(mode="after")
    def _no_duplicates(self) -> CctfData:
        problems = Problems("cctf")
        for name, key in (("actions", "action_id"), ("indicators", "indicator_id"),
                          ("adaptation_targets", "id"), ("equity_targets", "id")):
            items = getattr(self, name) or ()
            ids = [getattr(x, key) for x in items]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                problems.add(f"{name}: ids listed twice: {dupes}", code="cctf.listed_twice",
                             label=dupes[0] if len(dupes) == 1 else dupes, location=name)
        strategies = [s.sector for s in self.sector_strategies or ()]
        dupes = sorted({s for s in strategies if strategies.count(s) > 1})
        if dupes:
            problems.add(f"sector_strategies: sectors listed twice: {dupes}",
                         code="cctf.listed_twice", label=dupes[0] if len(dupes) == 1 else dupes,
                         location="sector_strategies")
        years = list(self.inventory_years or ())
        dupes_y = sorted({y for y in years if years.count(y) > 1})
        if dupes_y:
            problems.add(f"inventory_years: years listed twice: {dupes_y}",
                         code="cctf.listed_twice",
                         label=dupes_y[0] if len(dupes_y) == 1 else dupes_y,
                         location="inventory_years")
        if problems:
            raise ModelProblems(problems.errors)
        return self


def reference_problems(plan: ClimateActionPlan) -> list[ValidationError]:
    """Ids in ``plan.cctf`` that name no action or indicator of the plan, one error each.

    Ids of ``ActionDetails.replaces`` refer to the previous version and are not checked here.
    """
    data = plan.cctf
    if data is None:
        return []
    actions = {a.id for a in plan.actions}
    indicators = {i.id for i in plan.indicators}
    problems: list[ValidationError] = []

    def check(where: str, ids: tuple[str, ...], known: set[str], kind: str) -> None:
        unknown = [i for i in ids if i not in known]
        if unknown:
            location = f"cctf.{where}"
            problems.append(ValidationError(
                f"{location} names unknown {kind} {unknown}", code=f"cctf.unknown_{kind.rstrip('s')}",
                label=unknown[0] if len(unknown) == 1 else unknown, location=location))

    for i, d in enumerate(data.actions or ()):
        check(f"actions[{i}].action_id", (d.action_id,), actions, "action")
    for i, r in enumerate(data.action_reports or ()):
        check(f"action_reports[{i}].action_id", (r.action_id,), actions, "action")
    for i, ind in enumerate(data.indicators or ()):
        check(f"indicators[{i}].indicator_id", (ind.indicator_id,), indicators, "indicator")
    for i, e in enumerate(data.equity_targets or ()):
        check(f"equity_targets[{i}].actions", e.actions, actions, "actions")
        check(f"equity_targets[{i}].indicators", e.indicators, indicators, "indicators")
    for i, c in enumerate(data.consumption_categories or ()):
        check(f"consumption_categories[{i}].indicators", c.indicators, indicators, "indicators")
    for i, s in enumerate(data.sector_strategies or ()):
        check(f"sector_strategies[{i}].indicators", s.indicators, indicators, "indicators")
    return problems
