"""The parts of a climate action plan: inventory metadata, targets, indicators, actions,
scenarios, adaptation, and the field types they share (internal; :mod:`klimacore.models` is the
public door and re-exports everything here).

Each validator raises klimacore's errors with a stable ``code`` (``"plan.…"``); several problems
of one part come out as separate items (:class:`klimacore._model_base.ModelProblems`).

>>> Action(id="A1", title="Heat pumps", owner="Teknik og Miljø", start=2024, end=2030,
...        sector="energy").status
'planned'
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any, ClassVar, Literal

from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from klimacore._model_base import KlimacoreModel, ModelProblems
from klimacore._plan_extras import Sector, Year
from klimacore.errors import MissingLabelError, Problems, UnitError, ValidationError

__all__ = [
    "GAS_BASKET_MINIMUM",
    "MAX_TONNES",
    "Action",
    "Adaptation",
    "Finite",
    "GasBasket",
    "GwpMetric",
    "Indicator",
    "InventoryMeta",
    "NonNegative",
    "Scenario",
    "Target",
    "Tonnes",
    "UnitText",
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
