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
import math
from collections.abc import Iterator, Mapping
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from klimacore._model_base import KlimacoreModel, ModelProblems, errors_from_pydantic
from klimacore._plan_extras import MAX_YEAR as MAX_YEAR
from klimacore._plan_extras import MIN_YEAR as MIN_YEAR
from klimacore._plan_extras import PLAN_SECTORS, CctfData
from klimacore._plan_extras import Sector as Sector
from klimacore._plan_extras import Year as Year
from klimacore._plan_rules import CROSS_FIELD_RULES, cross_field_errors, cross_field_problems
from klimacore.errors import (
    InputFileError,
    KlimacoreError,
    MissingLabelError,
    Problems,
    UnitError,
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

GAS_BASKET_MINIMUM: tuple[str, ...] = ("CO2", "CH4", "N2O")

GwpMetric = Literal["AR4GWP100", "AR5GWP100", "AR6GWP100"]
"""The GWP sets of :data:`klimacore.units.GWP_METRICS` (default AR5 GWP100, as DEFAULT_GWP_METRIC)."""


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValidationError(f"value {value} is not finite", code="plan.not_finite",
                              label=value)
    return value


Finite = Annotated[float, AfterValidator(_finite)]

MAX_TONNES = 1e12
"""Largest emission amount a plan may state, t CO2e a year: about 20 times the world's yearly
emissions (~5e10 t), so larger values are typos or fill values (and sums would overflow)."""


def _plausible_tonnes(value: float) -> float:
    if abs(value) > MAX_TONNES:
        raise ValidationError(f"{value:g} t CO2e is beyond ±{MAX_TONNES:g} t, more than the "
                              "world emits in 20 years (a typo or a fill value?)",
                              code="plan.implausible_tonnes", label=value)
    return value


Tonnes = Annotated[float, AfterValidator(_finite), AfterValidator(_plausible_tonnes)]
NonNegative = Annotated[float, Field(ge=0), AfterValidator(_finite)]


def _check_unit(value: str) -> str:
    from klimacore.units import dimensionality

    try:
        dimensionality(value)
    except UnitError as exc:
        raise UnitError(str(exc), code="plan.unit", label=value) from None
    return value


UnitText = Annotated[str, AfterValidator(_check_unit)]


def _check_gases(value: tuple[str, ...]) -> tuple[str, ...]:
    from klimacore.units import normalize_gas

    out = []
    for gas in value:
        try:
            out.append(normalize_gas(gas))
        except KeyError:
            raise ValidationError(f"unknown gas {gas!r}", code="plan.gas", label=gas) from None
    if len(set(out)) != len(out):
        raise ValidationError(f"gas basket lists a gas twice: {list(value)}",
                              code="plan.gas_twice", label=list(value))
    return tuple(out)


GasBasket = Annotated[tuple[str, ...], AfterValidator(_check_gases)]


class _Model(KlimacoreModel):
    code_prefix: ClassVar[str] = "plan"


class InventoryMeta(_Model):
    """Where an inventory comes from and what it covers.

    >>> InventoryMeta(source="Energistyrelsen, Energi- og CO2-regnskabet", year=2019,
    ...               release_date="2024-06-01").gwp_metric
    'AR5GWP100'
    """

    source: str = Field(min_length=1, description="Publisher and product, e.g. the ENS regnskab")
    year: Year = Field(description="The inventory year")
    release_date: dt.date | None = Field(
        default=None, description="Release of the source data (numbers are revised backwards)"
    )
    retrieved: dt.date | None = Field(default=None, description="When the data were retrieved")
    gwp_metric: GwpMetric = "AR5GWP100"
    boundary: Literal["territorial", "consumption"] = "territorial"
    reporting_level: Literal["BASIC", "BASIC+", "territorial"] = "BASIC"
    includes_lulucf: bool = False
    gases: GasBasket = GAS_BASKET_MINIMUM

    @model_validator(mode="after")
    def _dates(self) -> InventoryMeta:
        problems = []
        if self.release_date is not None and self.release_date.year < self.year:
            problems.append(ValidationError(
                f"release_date {self.release_date} is before the end of inventory year "
                f"{self.year}", code="plan.release_before_year", label=self.release_date,
                location="release_date"))
        if (
            self.release_date is not None
            and self.retrieved is not None
            and self.retrieved < self.release_date
        ):
            problems.append(ValidationError(
                f"retrieved {self.retrieved} is before release_date {self.release_date}",
                code="plan.retrieved_before_release", label=self.retrieved,
                location="retrieved"))
        if problems:
            raise ModelProblems(problems)
        return self


class Target(_Model):
    """A plan target.

    ``kind`` selects which fields are needed:

    - ``absolute``: ``reduction_pct`` below ``base_year`` emissions by ``target_year``
      (optionally for one ``sector``);
    - ``sector``: like ``absolute`` but ``sector`` is required;
    - ``net_zero``: net zero in ``target_year`` (``reduction_pct`` may state the gross reduction);
    - ``per_capita``: at most ``per_capita_t`` t CO2e per inhabitant in ``target_year``.

    >>> Target(kind="net_zero", target_year=2050).reduction_pct is None
    True
    >>> Target(kind="per_capita", target_year=2030)
    Traceback (most recent call last):
    ...
    klimacore.errors.ValidationError: a per_capita target needs per_capita_t
    """

    kind: Literal["absolute", "net_zero", "per_capita", "sector"]
    target_year: Year
    base_year: Year | None = None
    reduction_pct: Annotated[float, Field(ge=-100, le=200)] | None = Field(
        default=None, description="Reduction in % of base-year emissions (70 means −70 %)"
    )
    per_capita_t: NonNegative | None = Field(default=None, description="t CO2e per inhabitant")
    sector: Sector | None = None
    gases: GasBasket = GAS_BASKET_MINIMUM
    boundary: Literal["territorial", "consumption"] = "territorial"
    includes_lulucf: bool = False
    description: str = ""

    @model_validator(mode="after")
    def _fields_for_kind(self) -> Target:
        problems = Problems("target")
        if self.kind in ("absolute", "sector"):
            for field in ("base_year", "reduction_pct"):
                if getattr(self, field) is None:
                    problems.add(f"an {self.kind} target needs {field}",
                                 code="plan.target_field", label=self.kind)
        if self.kind == "sector" and self.sector is None:
            problems.add("a sector target needs sector", code="plan.target_field",
                         label=self.kind)
        if self.kind == "per_capita" and self.per_capita_t is None:
            problems.add("a per_capita target needs per_capita_t", code="plan.target_field",
                         label=self.kind)
        if self.base_year is not None and self.target_year <= self.base_year:
            problems.add(f"target_year {self.target_year} must be after base_year "
                         f"{self.base_year}", code="plan.target_year_order",
                         label=self.target_year)
        if problems:
            raise ModelProblems(problems.errors)
        return self


class Indicator(_Model):
    """An indicator at output, outcome or impact level, with target values and observations.

    >>> ind = Indicator(id="ev-share", name="Share of electric cars", level="outcome",
    ...                 unit="percent", direction="increase", baseline_year=2020,
    ...                 baseline_value=4, targets={2030: 60}, observations={2023: 19.5})
    >>> ind.targets[2030]
    60.0
    """

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    name: str = Field(min_length=1)
    level: Literal["output", "outcome", "impact"]
    unit: UnitText
    direction: Literal["increase", "decrease"]
    baseline_year: Year | None = None
    baseline_value: Finite | None = None
    targets: dict[Year, Finite] = Field(default_factory=dict)
    observations: dict[Year, Finite] = Field(default_factory=dict)
    source: str = ""

    @model_validator(mode="after")
    def _baseline(self) -> Indicator:
        if (self.baseline_year is None) != (self.baseline_value is None):
            raise ValidationError("baseline_year and baseline_value go together",
                                  code="plan.indicator_baseline")
        if self.baseline_year is not None:
            early = [y for y in self.targets if y <= self.baseline_year]
            if early:
                raise ValidationError(
                    f"target years {early} are not after baseline_year {self.baseline_year}",
                    code="plan.indicator_target_year", label=early, location="targets")
        return self


class Action(_Model):
    """A climate action with owner, timeline and expected effect.

    >>> a = Action(id="A1", title="Heat pumps in rural homes", owner="Teknik og Miljø",
    ...            start=2024, end=2030, sector="energy", expected_effect_t=1200, effect_year=2030)
    >>> a.status
    'planned'
    """

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    title: str = Field(min_length=1)
    description: str = ""
    owner: str = Field(min_length=1, description="Who is responsible (administration, partner)")
    start: Year
    end: Year
    status: Literal["planned", "ongoing", "completed", "delayed", "cancelled"] = "planned"
    sector: Sector
    expected_effect_t: Annotated[NonNegative, AfterValidator(_plausible_tonnes)] | None = Field(
        default=None, description="Expected reduction in t CO2e a year, in effect_year"
    )
    effect_year: Year | None = None
    indicators: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _timeline(self) -> Action:
        problems = Problems("action")
        if self.end < self.start:
            problems.add(f"end {self.end} is before start {self.start}",
                         code="plan.action_timeline", label=self.end, location="end")
        if (self.expected_effect_t is None) != (self.effect_year is None):
            problems.add("expected_effect_t and effect_year go together",
                         code="plan.action_effect")
        if self.effect_year is not None and self.effect_year < self.start:
            problems.add(f"effect_year {self.effect_year} is before start {self.start}",
                         code="plan.action_timeline", label=self.effect_year,
                         location="effect_year")
        if len(set(self.indicators)) != len(self.indicators):
            problems.add(f"indicators listed twice: {list(self.indicators)}",
                         code="plan.duplicate_link", label=list(self.indicators),
                         location="indicators")
        if problems:
            raise ModelProblems(problems.errors)
        return self


class Scenario(_Model):
    """Emissions by sector and year, t CO2e (BAU or action scenario).

    >>> s = Scenario(name="bau", emissions={"energy": {2019: 100.0, 2030: 80.0}})
    >>> s.total(2030)
    80.0
    """

    name: str = Field(min_length=1)
    emissions: dict[Sector, dict[Year, Tonnes]]

    @field_validator("emissions")
    @classmethod
    def _not_empty(
        cls, value: dict[str, dict[int, float]], info: ValidationInfo
    ) -> dict[str, dict[int, float]]:
        empty = [s for s, series in value.items() if not series]
        if not value:
            raise ValidationError("a scenario needs emissions for at least one sector",
                                  code="plan.scenario_empty")
        if empty:
            raise ValidationError(f"sectors with no years: {empty}", code="plan.scenario_empty",
                                  label=empty)
        return value

    @property
    def years(self) -> list[int]:
        """Years present in every sector, sorted."""
        sets = [set(series) for series in self.emissions.values()]
        return sorted(set.intersection(*sets))

    def total(self, year: int) -> float:
        """Sum over sectors in ``year``; raises naming the sectors that lack the year."""
        missing = [s for s, series in self.emissions.items() if year not in series]
        if missing:
            raise MissingLabelError(f"year {year} in scenario {self.name!r}", missing, dim="sector")
        return float(sum(series[year] for series in self.emissions.values()))

    def to_frame(self) -> Any:
        """A year × sector :class:`pandas.DataFrame` (NaN where a sector lacks a year)."""
        import pandas as pd

        return pd.DataFrame(self.emissions).sort_index().rename_axis(index="year", columns="sector")


class Adaptation(_Model):
    """The adaptation part of a plan: hazards and the risk assessment."""

    hazards: tuple[
        Literal["cloudburst", "sea_level_rise", "storm_surge", "groundwater", "drought",
                "heat", "river_flooding", "erosion", "other"],
        ...,
    ] = ()
    risk_assessment_date: dt.date | None = None
    risk_assessment_data_year: Year | None = Field(
        default=None, description="Year of the newest data the risk assessment rests on"
    )

    @model_validator(mode="after")
    def _data_before_assessment(self) -> Adaptation:
        if (
            self.risk_assessment_date is not None
            and self.risk_assessment_data_year is not None
            and self.risk_assessment_data_year > self.risk_assessment_date.year
        ):
            raise ValidationError(
                f"risk_assessment_data_year {self.risk_assessment_data_year} is after the "
                f"assessment date {self.risk_assessment_date}", code="plan.risk_data_year",
                label=self.risk_assessment_data_year, location="risk_assessment_data_year")
        return self


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
    from pydantic import ValidationError as PydanticValidationError

    from klimacore._files import decode, load_json

    out: list[KlimacoreError] = []
    raw: Any = document
    validator = ClimateActionPlan.__pydantic_validator__
    try:
        with _gc_paused(isinstance(document, str | bytes) and len(document) > 1_000_000):
            if isinstance(document, str | bytes):
                text = decode(document, source) if isinstance(document, bytes) else document
                raw, out = load_json(text, source)
                validator.validate_json(text)
            else:
                validator.validate_python(raw)
    except InputFileError as exc:
        return [exc]
    except PydanticValidationError as exc:
        out.extend(errors_from_pydantic(exc, prefix=ClimateActionPlan.code_prefix))
        if not any(not err["loc"] for err in exc.errors()):
            # fields failed, so the plan's own rules did not run: run them on the raw document
            out.extend(cross_field_errors(raw))
    return out


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
    problems = Problems(source)
    for error in plan_errors(document, source=source):
        problems.add(error)
    problems.raise_if_any()
    if isinstance(document, str | bytes):
        return ClimateActionPlan.model_validate_json(document)
    return ClimateActionPlan.model_validate(document)


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
