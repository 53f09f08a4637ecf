"""Typed models of climate action plans, targets, actions, indicators and inventories.

All models are frozen pydantic v2 models that reject unknown fields. Cross-field rules (a target
year after its base year, years in a sane range, units of the right dimension, references between
actions and indicators) are enforced, and every problem of a document is reported together with its
location. Invalid input raises klimacore's errors, never pydantic's: one
:class:`~klimacore.errors.ValidationError` (also a ValueError) per problem, with a ``code``, the
``label`` at fault and the field path as ``location`` (``"targets[0].target_year"``), several
together as a :class:`~klimacore.errors.ProblemGroup`. The JSON round trip is exact, and :func:`json_schema` exports the schema of any model.

Emission amounts in plans are in tonnes CO2e a year (``t``) under the plan's GWP metric.

Examples
--------
>>> from klimacore.models import ClimateActionPlan, Target
>>> t = Target(kind="absolute", base_year=1990, target_year=2030, reduction_pct=70)
>>> t.target_year - t.base_year
40
>>> Target(kind="absolute", base_year=2030, target_year=2020, reduction_pct=70)
Traceback (most recent call last):
...
klimacore.errors.ValidationError: target_year 2020 must be after base_year 2030
>>> plan = load_example_plan()
>>> plan.municipality, plan.net_zero_year
(727, 2050)
>>> ClimateActionPlan.model_validate_json(plan.model_dump_json()) == plan
True
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import (
    BaseModel,
    Field,
    field_validator,
    model_validator,
)

from klimacore._model_base import ModelProblems, errors_from_pydantic
from klimacore._plan_extras import MAX_YEAR as MAX_YEAR
from klimacore._plan_extras import MIN_YEAR as MIN_YEAR
from klimacore._plan_extras import PLAN_SECTORS, CctfData
from klimacore._plan_extras import Sector as Sector
from klimacore._plan_extras import Year as Year
from klimacore._plan_parts import GAS_BASKET_MINIMUM as GAS_BASKET_MINIMUM
from klimacore._plan_parts import MAX_TONNES as MAX_TONNES
from klimacore._plan_parts import (
    Action,
    Adaptation,
    Indicator,
    InventoryMeta,
    Scenario,
    Target,
    _Model,
)
from klimacore._plan_parts import Finite as Finite
from klimacore._plan_parts import GasBasket as GasBasket
from klimacore._plan_parts import GwpMetric as GwpMetric
from klimacore._plan_parts import NonNegative as NonNegative
from klimacore._plan_parts import Tonnes as Tonnes
from klimacore._plan_parts import UnitText as UnitText
from klimacore._plan_rules import CROSS_FIELD_RULES, cross_field_errors, cross_field_problems
from klimacore.errors import (
    InputFileError,
    KlimacoreError,
    MissingLabelError,
    Problems,
    ValidationError,
)

__all__ = [
    "CROSS_FIELD_RULES",
    "PLAN_SECTORS",
    "Action",
    "Adaptation",
    "ClimateActionPlan",
    "Indicator",
    "InventoryMeta",
    "Scenario",
    "Target",
    "cross_field_problems",
    "json_schema",
    "load_example_plan",
    "plan_errors",
    "plan_problems",
    "read_plan",
]

class ClimateActionPlan(_Model):
    """A municipality's climate action plan (DK2020 / CCTF).

    Only structural rules are enforced here (types, years, references between parts). Whether a
    plan meets the target rules and the CCTF criteria is a *check* with a tidy result, done by
    :mod:`klimacore.trajectory` and :mod:`klimacore.certification`.
    """

    municipality: int = Field(description="Municipality code, 101–860")
    title: str = Field(min_length=1)
    version: str = Field(min_length=1, description="Plan version, e.g. '2.0'")
    adopted: dt.date | None = Field(default=None, description="Date of adoption by the council")
    previous_version: str | None = None
    illustrative: bool = Field(
        default=False, description="True for example data not taken from an adopted plan"
    )
    gwp_metric: GwpMetric = "AR5GWP100"
    baseline_year: Year
    baseline_emissions: dict[Sector, Tonnes] = Field(
        description="Baseline inventory by sector, t CO2e (at least one sector; only land_use "
        "may be negative)"
    )
    inventory: InventoryMeta
    population: dict[Year, NonNegative] = Field(default_factory=dict)
    targets: tuple[Target, ...] = ()
    observed: Scenario | None = Field(
        default=None, description="Inventory history by sector and year (e.g. 1990, 2010-2022)"
    )
    observed_totals: dict[Year, Finite] = Field(
        default_factory=dict,
        description="Published totals, t CO2e, for years without a sector breakdown (e.g. a 1990 "
        "back-cast published as a total); used where the observed sectors lack the year",
    )
    bau: Scenario | None = None
    action_scenario: Scenario | None = None
    actions: tuple[Action, ...] = ()
    indicators: tuple[Indicator, ...] = ()
    adaptation: Adaptation = Adaptation()

    @field_validator("municipality", mode="before")
    @classmethod
    def _municipality(cls, value: Any) -> int:
        from klimacore.reference import municipality_code

        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValidationError(f"municipality {value!r} is not a municipality code (a whole "
                                  "number 101–860) or a name", code="plan.municipality",
                                  label=value)
        if isinstance(value, float):
            value = int(value)
        try:
            return municipality_code(value)
        except KeyError:
            raise ValidationError(
                f"unknown municipality {value!r} (expected one of the 98 codes 101–860 or a name)",
                code="plan.municipality", label=value) from None

    @field_validator("baseline_emissions")
    @classmethod
    def _baseline(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValidationError("baseline_emissions is empty: give the baseline inventory for "
                                  "at least one sector (t CO2e)", code="plan.baseline_empty")
        negative = [s for s, v in value.items() if v < 0 and s != "land_use"]
        if negative:
            raise ValidationError(f"baseline_emissions negative for {negative} (only land_use, "
                                  "a removal, may be)", code="plan.baseline_negative",
                                  label=negative)
        return value

    @model_validator(mode="after")
    def _cross_references(self) -> ClimateActionPlan:
        problems = cross_field_errors(self)
        if problems:
            raise ModelProblems(problems)
        return self

    @property
    def net_zero_year(self) -> int | None:
        """The earliest net-zero target year, or None when the plan has none."""
        years = [t.target_year for t in self.targets if t.kind == "net_zero"]
        return min(years) if years else None

    @property
    def baseline_total(self) -> float:
        """Baseline emissions over all sectors, t CO2e."""
        return float(sum(self.baseline_emissions.values()))

    def _repr_html_(self) -> str:
        from klimacore._repr import plan_html

        return plan_html(self)

    # CCTF re-certification facts (optional; klimacore.certification reads them)
    cctf: CctfData | None = Field(
        default=None, description="What the plan states for the CCTF criteria K1–K16"
    )

    @model_validator(mode="after")
    def _cctf_references(self) -> ClimateActionPlan:
        from klimacore._plan_extras import reference_problems

        problems = reference_problems(self)
        if problems:
            raise ModelProblems(problems)
        return self


def plan_errors(document: Mapping[str, Any] | str | bytes, *,
                source: str = "(document)") -> list[KlimacoreError]:
    """Every problem of a plan document, one klimacore error each (empty: the plan is valid).

    Each item carries a stable ``code``, the ``label`` at fault and its ``location`` (the field
    path, ``"targets[1].target_year"``); a text that is not JSON gives one
    :class:`~klimacore.errors.InputFileError` naming ``source``, the line and the column.
    Field problems and cross-field problems (ids used twice, two targets for one year, links to
    unknown indicators, …) come together, one item each; a JSON text is also checked for keys
    given twice, which JSON parsers otherwise resolve silently (the last one wins).

    >>> [(e.code, e.location) for e in plan_errors({"municipality": 999, "title": "x",
    ...                                             "version": "1"})][:2]
    [('plan.municipality', 'municipality'), ('plan.missing', 'baseline_year')]
    """
    return _validated(document, source)[1]


def _validated(document: Mapping[str, Any] | str | bytes,
               source: str) -> tuple[ClimateActionPlan | None, list[KlimacoreError]]:
    """The plan (None if invalid) and every problem: one parse, one validation."""
    from pydantic import ValidationError as PydanticValidationError

    from klimacore._files import decode, load_json

    out: list[KlimacoreError] = []
    raw: Any = document
    plan: ClimateActionPlan | None = None
    validator = ClimateActionPlan.__pydantic_validator__
    try:
        with _gc_paused(isinstance(document, str | bytes) and len(document) > 1_000_000):
            if isinstance(document, str | bytes):
                text = decode(document, source) if isinstance(document, bytes) else document
                raw, out = load_json(text, source)
                plan = validator.validate_json(text)
            else:
                plan = validator.validate_python(raw)
    except InputFileError as exc:
        return None, [exc]
    except PydanticValidationError as exc:
        out.extend(errors_from_pydantic(exc, prefix=ClimateActionPlan.code_prefix))
        if not any(not err["loc"] for err in exc.errors()):
            # fields failed, so the plan's own rules did not run: run them on the raw document
            out.extend(cross_field_errors(raw))
    return (None if out else plan), out


def plan_problems(document: Mapping[str, Any] | str | bytes, *,
                  source: str = "(document)") -> list[str]:
    """Validate a plan document and return every problem as ``"location: message"``.

    The text of each item of :func:`plan_errors`; an empty list means the document is a valid
    :class:`ClimateActionPlan`.

    >>> plan_problems({"municipality": 999, "title": "x", "version": "1"})[:2]
    ['municipality: unknown municipality 999 (expected one of the 98 codes 101–860 or a name)', 'baseline_year: Field required']
    >>> plan_problems('{"municipality": 727, "municipality": 751}')[0]
    'municipality: key given twice (727, then 751); a JSON object may name a key once'
    """
    return [str(e) for e in plan_errors(document, source=source)]


def read_plan(document: Mapping[str, Any] | str | bytes, *,
              source: str = "(document)") -> ClimateActionPlan:
    """A validated plan from a JSON text (or a parsed document), or every problem raised together.

    One problem is raised as itself, several as a :class:`~klimacore.errors.ProblemGroup`
    named after ``source`` (see :func:`plan_errors`); all are ValueErrors.

    >>> from klimacore.errors import ProblemGroup
    >>> try:
    ...     read_plan('{"municipality": 999, "title": "x"}', source="plan.json")
    ... except ProblemGroup as group:
    ...     print(group.headline, [e.location for e in group.exceptions][:2])
    plan.json: 5 problems ['municipality', 'version']
    """
    plan, errors = _validated(document, source)
    problems = Problems(source)
    for error in errors:
        problems.add(error)
    problems.raise_if_any()
    assert plan is not None
    return plan


@contextlib.contextmanager
def _gc_paused(pause: bool) -> Iterator[None]:
    """Pause the cyclic garbage collector while a large document is parsed and validated.

    Parsing allocates millions of objects and no cycles; with the collector on, a 120,000-action
    plan took twice as long (measured in benchmarks/bench_validate.py). Restored afterwards.
    """
    was_on = gc.isenabled()
    if pause and was_on:
        gc.disable()
    try:
        yield
    finally:
        if pause and was_on:
            gc.enable()


_MODELS: dict[str, type[BaseModel]] = {
    "ClimateActionPlan": ClimateActionPlan,
    "Target": Target,
    "Action": Action,
    "Indicator": Indicator,
    "InventoryMeta": InventoryMeta,
    "Scenario": Scenario,
    "Adaptation": Adaptation,
}


def json_schema(model: str = "ClimateActionPlan") -> dict[str, Any]:
    """The JSON Schema of a model by name (``ClimateActionPlan``, ``Target``, ``Action`` …).

    >>> json_schema("Target")["properties"]["kind"]["enum"]
    ['absolute', 'net_zero', 'per_capita', 'sector']
    """
    try:
        cls = _MODELS[model]
    except KeyError:
        raise MissingLabelError(
            f"model (valid: {', '.join(_MODELS)})", [model], dim="model"
        ) from None
    return cls.model_json_schema()


def load_example_plan() -> ClimateActionPlan:
    """The bundled example plan (illustrative figures, labelled so; municipality 727 Odder)."""
    from klimacore import _data

    return read_plan(_data.read_text("example_plan.json"), source="example_plan.json")
