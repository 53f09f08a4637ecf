"""Climate development tracks (klimaudviklingsspor): proposals, funding rounds, eligibility (internal).

A development track is "et tværgående udviklings- eller demonstrationsprojekt, hvor en gruppe
projektdeltagere (kommuner, regioner mv.) går sammen om at udforske og udvikle ambitiøse løsninger
på konkrete udfordringer" (Danske Regioner, regioner.dk, Klimaalliancen). The eligibility rules
below come from Klimaalliancen's call as stated in the project's founding documents
(MONITORING.md §D.3, mark [B]: at least three municipalities or regions, a development, test or
demonstration element rather than roll-out of known solutions, the round's deadlines,
co-financing considered, participants members of the alliance); scoring (relevance, ambition,
transferability, effect) is left to people.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, model_validator

from klimacore._model_base import KlimacoreModel, ModelProblems
from klimacore.certification._result import FAIL, NEEDS_REVIEW, NO_DATA, PASS, Finding
from klimacore.errors import ValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "TRACK_COLUMNS",
    "CoFinancing",
    "DevelopmentTrackProposal",
    "FundingRound",
    "Participant",
    "PlanActionRef",
    "funding_rounds",
    "validate_proposal",
]

MIN_PUBLIC_PARTICIPANTS = 3
REGION_CODES = range(1081, 1086)
TRACK_COLUMNS: tuple[str, ...] = ("proposal", "round", "rule", "status", "severity",
                                  "needs_review", "evidence", "missing", "message")


def _non_negative(value: float) -> float:
    if not value >= 0 or value == float("inf"):
        raise ValidationError(f"amount {value} must be a finite number ≥ 0",
                              code="track.amount", label=value)
    return value


Dkk = Annotated[float, AfterValidator(_non_negative)]


class _Model(KlimacoreModel):
    """Frozen model raising klimacore's errors (codes ``track.*``), never pydantic's."""

    code_prefix: ClassVar[str] = "track"


class Participant(_Model):
    """A participant: municipality (code 101–860), region (1081–1085) or another partner."""

    kind: Literal["municipality", "region", "utility", "company", "knowledge_institution",
                  "other"]
    name: str = Field(min_length=1)
    code: int | None = None
    role: Literal["lead", "partner"] = "partner"

    @model_validator(mode="after")
    def _code(self) -> Participant:
        if self.kind in ("municipality", "region") and self.code is None:
            raise ValidationError(f"a {self.kind} participant needs its code ({self.name})",
                                  code="track.participant_code", label=self.name,
                                  location="code")
        return self


class CoFinancing(_Model):
    """Co-financing from one source (DKK), secured or applied for."""

    source: str = Field(min_length=1)
    dkk: Dkk
    secured: bool = False


class PlanActionRef(_Model):
    """An action of a municipality's plan (or a gap) the proposal answers."""

    municipality: int
    action_id: str | None = None
    sector: str | None = None
    challenge: str = Field(default="", description="e.g. 'manko 2030', 'off the CCTF range'")


class TrackMilestone(_Model):
    name: str = Field(min_length=1)
    due: dt.date


class DevelopmentTrackProposal(_Model):
    """A proposal for a climate development track (MONITORING.md §D.2).

    >>> p = DevelopmentTrackProposal(
    ...     id="DT-1", round="2024-autumn", title="Biochar from manure",
    ...     problem_statement="Agriculture's 2030 manko in three rural plans",
    ...     participants=[{"kind": "municipality", "code": 727, "name": "Odder", "role": "lead"},
    ...                   {"kind": "municipality", "code": 741, "name": "Samsø"},
    ...                   {"kind": "region", "code": 1082, "name": "Region Midtjylland"}],
    ...     elements=["test"], start="2025-01-01", end="2026-12-31",
    ...     budget_total_dkk=2_000_000, requested_dkk=1_500_000)
    >>> p.lead.name
    'Odder'
    """

    id: str = Field(min_length=1)
    round: str = Field(min_length=1, description="Funding round id, e.g. '2024-autumn'")
    title: str = Field(min_length=1)
    problem_statement: str = Field(default="", description="The problem, not the solution")
    answers: tuple[PlanActionRef, ...] = Field(
        default=(), description="Plans' actions or challenges (sector gaps, manko) it answers")
    participants: tuple[Participant, ...] = Field(min_length=1)
    elements: tuple[Literal["development", "test", "demonstration"], ...] = ()
    is_known_solution_rollout: bool = False
    novelty_statement: str = ""
    linked_criteria: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    expected_effects: str = ""
    budget_total_dkk: Dkk
    requested_dkk: Dkk
    cofinancing: tuple[CoFinancing, ...] | None = None
    start: dt.date
    end: dt.date
    milestones: tuple[TrackMilestone, ...] = ()
    knowledge_sharing_plan: str = ""
    submitted: dt.date | None = None
    status: Literal["draft", "submitted", "qualified", "approved", "rejected", "running",
                    "completed"] = "draft"

    @model_validator(mode="after")
    def _structure(self) -> DevelopmentTrackProposal:
        problems = []
        if self.end < self.start:
            problems.append(ValidationError(f"end {self.end} is before start {self.start}",
                                            code="track.dates", label=str(self.end),
                                            location="end"))
        leads = [p.name for p in self.participants if p.role == "lead"]
        if len(leads) != 1:
            problems.append(ValidationError(
                f"exactly one participant must have role 'lead', found {leads}",
                code="track.lead", label=leads, location="participants"))
        keys = [(p.kind, p.code or p.name) for p in self.participants]
        dupes = sorted({str(k) for k in keys if keys.count(k) > 1})
        if dupes:
            problems.append(ValidationError(f"participants listed twice: {dupes}",
                                            code="track.duplicate_participant", label=dupes,
                                            location="participants"))
        if problems:
            raise ModelProblems(problems)
        return self

    @property
    def lead(self) -> Participant:
        """The lead participant."""
        return next(p for p in self.participants if p.role == "lead")


class FundingRound(_Model):
    """A funding round with its three dates (qualification < approval < committee)."""

    round: str
    season: Literal["spring", "autumn"]
    year: int
    qualification_deadline: dt.date
    approval_deadline: dt.date
    committee_date: dt.date
    source: str = ""
    verification: str = ""


def funding_rounds() -> dict[str, FundingRound]:
    """The bundled funding rounds (spring and autumn 2024) by id, with their source.

    >>> r = funding_rounds()["2024-spring"]
    >>> r.qualification_deadline, r.committee_date, r.verification
    (datetime.date(2024, 4, 15), datetime.date(2024, 5, 30), 'check')
    """
    from klimacore.reference import read_table

    table = read_table("development_track_rounds.csv")
    fields = list(FundingRound.model_fields)
    return {str(rec["round"]): FundingRound.model_validate({k: rec[k] for k in fields})
            for rec in table.to_dict("records")}


def _members() -> tuple[set[int], set[int]]:
    from klimacore.reference import municipalities, regions

    return (set(int(c) for c in municipalities()["code"]),
            set(int(c) for c in regions()["region_code"]))


def _rules(p: DevelopmentTrackProposal, rnd: FundingRound | None,
           remaining_pool_dkk: float | None) -> list[tuple[str, Finding]]:
    munis, regions = _members()
    out: list[tuple[str, Finding]] = []
    public = [x for x in p.participants if x.kind in ("municipality", "region")]
    invalid = [f"{x.name} ({x.kind} {x.code})" for x in public
               if (x.kind == "municipality" and x.code not in munis)
               or (x.kind == "region" and x.code not in regions)]
    distinct = {(x.kind, x.code) for x in public} - {
        (x.kind, x.code) for x in public if f"{x.name} ({x.kind} {x.code})" in invalid}
    ev = [f"{x.kind} {x.code} {x.name} ({x.role})" for x in p.participants]
    if len(distinct) < MIN_PUBLIC_PARTICIPANTS or invalid:
        text = f"{len(distinct)} municipalities/regions with valid codes (at least 3 needed)"
        if invalid:
            text += f"; invalid codes: {', '.join(invalid)}"
        out.append(("DT.participants_min3", Finding(FAIL, "error", text, ev)))
    else:
        out.append(("DT.participants_min3", Finding(PASS, "info", f"{len(distinct)} "
                    "municipalities/regions", ev)))
    if p.elements:
        out.append(("DT.development_element", Finding(PASS, "info", "elements: "
                    + ", ".join(p.elements))))
    else:
        out.append(("DT.development_element", Finding(FAIL, "error", "no development, test or "
                    "demonstration element", missing=("elements",))))
    if p.is_known_solution_rollout:
        out.append(("DT.not_known_solution", Finding(FAIL, "error", "the proposal rolls out a "
                    "known solution (is_known_solution_rollout)")))
    elif not p.novelty_statement:
        out.append(("DT.not_known_solution", Finding(FAIL, "error", "no novelty statement",
                    missing=("novelty_statement",))))
    else:
        out.append(("DT.not_known_solution", Finding(NEEDS_REVIEW, "error", "a reviewer judges "
                    "the novelty", [p.novelty_statement])))
    if not p.problem_statement or not p.answers:
        missing = tuple(f for f, v in (("problem_statement", p.problem_statement),
                                       ("answers", p.answers)) if not v)
        out.append(("DT.problem_driven", Finding(FAIL, "warning", "a problem statement and at "
                    "least one plan action or challenge it answers are needed", missing=missing)))
    else:
        out.append(("DT.problem_driven", Finding(NEEDS_REVIEW, "warning", "a reviewer judges "
                    "the problem", [p.problem_statement, *(
                        f"{a.municipality}: {a.action_id or a.sector or ''} {a.challenge}".strip()
                        for a in p.answers)])))
    if rnd is None:
        out.append(("DT.deadline", Finding(NO_DATA, "error", f"unknown funding round "
                    f"{p.round!r}", missing=("round",))))
        out.append(("DT.dates_order", Finding(NO_DATA, "error", "no round to check")))
    else:
        ev_r = [f"round {rnd.round}: qualification {rnd.qualification_deadline}, approval "
                f"{rnd.approval_deadline}, committee {rnd.committee_date} (source: "
                f"{rnd.source}; verification {rnd.verification})"]
        if p.submitted is None:
            out.append(("DT.deadline", Finding(NO_DATA, "error", "no submission date",
                        ev_r, ("submitted",))))
        elif p.submitted > rnd.qualification_deadline:
            out.append(("DT.deadline", Finding(FAIL, "error", f"submitted {p.submitted}, after "
                        f"the qualification deadline {rnd.qualification_deadline}", ev_r)))
        else:
            out.append(("DT.deadline", Finding(PASS, "info", f"submitted {p.submitted}, by "
                        f"{rnd.qualification_deadline}", ev_r)))
        ordered = rnd.qualification_deadline < rnd.approval_deadline < rnd.committee_date
        out.append(("DT.dates_order", Finding(PASS if ordered else FAIL,
                    "info" if ordered else "error", "qualification < approval < committee"
                    if ordered else "the round's dates are not in order", ev_r)))
    cofin = sum(c.dkk for c in p.cofinancing or ())
    problems = []
    if p.requested_dkk > p.budget_total_dkk:
        problems.append(f"requested {p.requested_dkk:,.0f} DKK exceeds the budget "
                        f"{p.budget_total_dkk:,.0f} DKK")
    if p.requested_dkk + cofin > p.budget_total_dkk + 0.5:
        problems.append(f"requested + co-financing {p.requested_dkk + cofin:,.0f} DKK exceeds "
                        f"the budget {p.budget_total_dkk:,.0f} DKK")
    if remaining_pool_dkk is not None and p.requested_dkk > remaining_pool_dkk:
        problems.append(f"requested {p.requested_dkk:,.0f} DKK exceeds the remaining pool "
                        f"{remaining_pool_dkk:,.0f} DKK")
    ev_b = [f"budget {p.budget_total_dkk:,.0f}, requested {p.requested_dkk:,.0f}, "
            f"co-financing {cofin:,.0f} DKK"]
    if remaining_pool_dkk is None:
        ev_b.append("remaining pool not given: not checked")
    out.append(("DT.budget", Finding(FAIL, "error", "; ".join(problems), ev_b) if problems else
                Finding(PASS, "info", "budget consistent", ev_b)))
    if p.cofinancing is None:
        out.append(("DT.cofinancing", Finding(NO_DATA, "info", "co-financing not stated "
                    "(considered, not required)", missing=("cofinancing",))))
    else:
        secured = sum(c.dkk for c in p.cofinancing if c.secured)
        out.append(("DT.cofinancing", Finding(PASS, "info", f"co-financing {cofin:,.0f} DKK "
                    f"({secured:,.0f} secured)", [f"{c.source}: {c.dkk:,.0f}"
                                                 for c in p.cofinancing])))
    if p.knowledge_sharing_plan:
        out.append(("DT.knowledge_sharing", Finding(NEEDS_REVIEW, "warning", "a reviewer judges "
                    "the knowledge-sharing plan", [p.knowledge_sharing_plan])))
    else:
        out.append(("DT.knowledge_sharing", Finding(FAIL, "warning", "no knowledge-sharing plan",
                    missing=("knowledge_sharing_plan",))))
    others = [x.name for x in p.participants if x.kind not in ("municipality", "region")]
    if invalid or p.lead.kind not in ("municipality", "region"):
        text = (f"not alliance members: {', '.join(invalid)}" if invalid else
                f"the lead {p.lead.name} is a {p.lead.kind}, not a member municipality or region")
        out.append(("DT.members", Finding(FAIL, "error", text, ev)))
    elif others:
        out.append(("DT.members", Finding(NEEDS_REVIEW, "error", "municipalities and regions "
                    f"are members; check the call admits {', '.join(others)} as partners", ev)))
    else:
        out.append(("DT.members", Finding(PASS, "info", "every participant is a member "
                    "(all 98 municipalities and 5 regions since February 2024)", ev)))
    return out


def validate_proposal(
    proposal: DevelopmentTrackProposal,
    *,
    rounds: dict[str, FundingRound] | None = None,
    remaining_pool_dkk: float | None = None,
) -> pd.DataFrame:
    """Eligibility of a development-track proposal: one row per check (DT.*).

    ``rounds`` defaults to the bundled ones (:func:`funding_rounds`); ``remaining_pool_dkk``
    adds the pool check when known.

    >>> p = DevelopmentTrackProposal(
    ...     id="DT-1", round="2024-autumn", title="Biochar from manure",
    ...     participants=[{"kind": "municipality", "code": 727, "name": "Odder", "role": "lead"},
    ...                   {"kind": "municipality", "code": 741, "name": "Samsø"}],
    ...     elements=["test"], start="2025-01-01", end="2026-12-31", submitted="2024-10-01",
    ...     budget_total_dkk=2_000_000, requested_dkk=1_500_000)
    >>> validate_proposal(p).set_index("rule")["status"].to_dict()
    {'DT.participants_min3': 'fail', 'DT.development_element': 'pass', 'DT.not_known_solution': 'fail', 'DT.problem_driven': 'fail', 'DT.deadline': 'pass', 'DT.dates_order': 'pass', 'DT.budget': 'pass', 'DT.cofinancing': 'no data', 'DT.knowledge_sharing': 'fail', 'DT.members': 'pass'}
    """
    import pandas as pd

    all_rounds = funding_rounds() if rounds is None else rounds
    rnd = all_rounds.get(proposal.round)
    rows: list[dict[str, Any]] = []
    for rule, f in _rules(proposal, rnd, remaining_pool_dkk):
        rows.append({"proposal": proposal.id, "round": proposal.round, "rule": rule,
                     "status": f.status, "severity": f.severity,
                     "needs_review": f.status == NEEDS_REVIEW,
                     "evidence": "; ".join(f.evidence), "missing": "; ".join(f.missing),
                     "message": f.message})
    return pd.DataFrame(rows, columns=list(TRACK_COLUMNS))


