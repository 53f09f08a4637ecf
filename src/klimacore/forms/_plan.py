"""Plan data: a climate action plan's numbers as arrays, built once (:func:`plan_data`).

A :class:`~klimacore.models.ClimateActionPlan` is the validated *document*; the target rules, the
manko, the action links, the trajectory checks and certification all read the same few numbers
from it: the observed series, the BAU and action scenarios (year × sector), the published totals
and the base-year inventory. :func:`plan_data` reads them once into a :class:`PlanData` (plain
numpy arrays, no pandas) and settles the base year once:

- the plan states its base year twice, as ``baseline_emissions`` and as the observed series'
  row for ``baseline_year`` (or a published total in ``observed_totals``). When both exist and
  their totals differ by more than :data:`BASELINE_RTOL` (relative, keyword ``baseline_rtol``),
  the plan is refused with a :class:`~klimacore.errors.DataError` (code
  ``plan.baseline_mismatch``) naming the year, both values and the tolerance: the two are not the
  same inventory, and which one a verdict should rest on is the author's decision, not ours;
- within the tolerance the observed row is *the* base-year inventory (the numbers the trajectory
  checks compare every later observed year with), and the target rules, the manko, the CCTF
  sector ranges and certification read it from here. Sector differences within the tolerance
  are reported by the target rule ``baseline_matches_observed`` (a warning above 1 %);
- without an observed base year, ``baseline_emissions`` is the base-year inventory.

Layer: reads :mod:`klimacore.models`; used by :mod:`klimacore.trajectory` and
:mod:`klimacore.certification`.

Examples
--------
>>> from klimacore.models import load_example_plan
>>> from klimacore.forms import plan_data
>>> data = plan_data(load_example_plan())
>>> data.base_year, data.base_total
(2019, 191500.0)
>>> data.action.total(2030), data.observed.sectors[:2]
(94320.0, ('energy', 'transport'))
>>> doubled = load_example_plan().model_copy(update={"baseline_emissions": {
...     s: 2 * v for s, v in load_example_plan().baseline_emissions.items()}})
>>> plan_data(doubled)
Traceback (most recent call last):
...
klimacore.errors.DataError: plan 727 v2.0: baseline_emissions for 2019 total 383,000 t but the observed 2019 emissions total 191,500 t (differ by 100.0 %, beyond the tolerance of 5 %): correct one of them, or pass baseline_rtol=
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError

if TYPE_CHECKING:
    from klimacore.models import ClimateActionPlan, Scenario

__all__ = ["BASELINE_RTOL", "PlanData", "SectorSeries", "plan_data"]

BASELINE_RTOL = 0.05
"""How far (relative, on the total) ``baseline_emissions`` may differ from the observed
base-year emissions before :func:`plan_data` refuses the plan: 5 % covers rounding and a late
revision of one sector; a doubled or mistyped baseline is far beyond it."""


@dataclass(frozen=True)
class SectorSeries:
    """Emissions by year and sector, t CO2e: ``tonnes[i, j]`` is year ``years[i]``, sector
    ``sectors[j]``; NaN where a sector lacks a year (never 0).

    >>> s = SectorSeries.from_mapping({"energy": {2019: 10.0, 2030: 5.0}, "waste": {2019: 1.0}})
    >>> s.years, s.total(2019), s.total(2030), s.row(2030)
    ((2019, 2030), 11.0, nan, None)
    """

    years: tuple[int, ...] = ()
    sectors: tuple[str, ...] = ()
    tonnes: np.ndarray[Any, np.dtype[np.float64]] = field(
        default_factory=lambda: np.empty((0, 0)))
    _index: dict[int, int] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_mapping(cls, emissions: Mapping[str, Mapping[int, float]]) -> SectorSeries:
        """From ``{sector: {year: t}}`` (a :class:`~klimacore.models.Scenario`'s emissions)."""
        sectors = tuple(str(s) for s in emissions)
        cols = [(np.fromiter(series.keys(), dtype=np.int64, count=len(series)),
                 np.fromiter(series.values(), dtype=float, count=len(series)))
                for series in emissions.values()]
        all_years = (np.unique(np.concatenate([y for y, _ in cols])) if cols
                     else np.zeros(0, dtype=np.int64))
        years = tuple(all_years.tolist())
        index = {y: i for i, y in enumerate(years)}
        tonnes = np.full((len(years), len(sectors)), np.nan)
        for j, (ys, vs) in enumerate(cols):
            tonnes[np.searchsorted(all_years, ys), j] = vs
        tonnes.flags.writeable = False
        return cls(years, sectors, tonnes, index)

    @property
    def empty(self) -> bool:
        """No year or no sector."""
        return not self.years or not self.sectors

    def __contains__(self, year: object) -> bool:
        return year in self._index

    def cell(self, year: int, sector: str) -> float:
        """One value, NaN when the year or the sector is absent."""
        i = self._index.get(year)
        if i is None or sector not in self.sectors:
            return math.nan
        return float(self.tonnes[i, self.sectors.index(sector)])

    def row(self, year: int) -> dict[str, float] | None:
        """``{sector: t}`` of a year in which every sector has a value, else None."""
        i = self._index.get(year)
        if i is None or self.empty:
            return None
        row = self.tonnes[i]
        if np.isnan(row).any():
            return None
        return dict(zip(self.sectors, row.tolist(), strict=True))

    def total(self, year: int) -> float:
        """Sum over sectors; NaN when the year is absent or any sector lacks it."""
        i = self._index.get(year)
        if i is None or self.empty:
            return math.nan
        return float(self.tonnes[i].sum())

    def totals(self) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Totals per year (NaN where any sector lacks the year: never a partial sum)."""
        if not self.sectors:
            return np.full(len(self.years), np.nan)
        return np.asarray(self.tonnes.sum(axis=1), dtype=float)


_EMPTY = SectorSeries()


def _series(scenario: Scenario | None) -> SectorSeries:
    return _EMPTY if scenario is None else SectorSeries.from_mapping(scenario.emissions)


def _row(scenario: Scenario | None, year: int) -> dict[str, float] | None:
    """``{sector: t}`` of a year every sector of ``scenario`` has (plain dicts: no arrays)."""
    if scenario is None or not scenario.emissions:
        return None
    series = scenario.emissions
    if not all(year in s for s in series.values()):
        return None
    return {str(sector): float(s[year]) for sector, s in series.items()}


@dataclass(frozen=True)
class PlanData:
    """A plan's numbers, read once (see :func:`plan_data`).

    ``plan`` is the document (targets, actions, metadata); ``observed``, ``bau`` and ``action``
    the series (built on first use, then kept); ``observed_totals`` the published totals;
    ``base_year`` the plan's baseline year and ``baseline`` its one base-year inventory by
    sector (see the module docstring).
    """

    plan: ClimateActionPlan
    observed_totals: dict[int, float]
    base_year: int
    baseline: dict[str, float]
    baseline_source: str
    """``"observed"`` (the observed series' row) or ``"baseline_emissions"``."""

    @cached_property
    def observed(self) -> SectorSeries:
        """The observed series, year × sector."""
        return _series(self.plan.observed)

    @cached_property
    def bau(self) -> SectorSeries:
        """The BAU scenario, year × sector."""
        return _series(self.plan.bau)

    @cached_property
    def action(self) -> SectorSeries:
        """The action scenario, year × sector."""
        return _series(self.plan.action_scenario)

    @property
    def base_total(self) -> float:
        """The base-year inventory's total, t CO2e."""
        return float(sum(self.baseline.values()))

    def base(self, year: int) -> dict[str, float] | None:
        """Emissions by sector in ``year`` (the base year: :attr:`baseline`), None if unknown.

        >>> from klimacore.models import load_example_plan
        >>> data = plan_data(load_example_plan())
        >>> data.base(1990)["energy"], data.base(1989)
        (118000.0, None)
        """
        if year == self.base_year:
            return dict(self.baseline)
        return _row(self.plan.observed, year)

    def total_in(self, year: int) -> float | None:
        """Total of a year: the sector breakdown's sum, else a published total, else None."""
        base = self.base(year)
        if base is not None:
            return float(sum(base.values()))
        return self.observed_totals.get(year)


def plan_data(plan: ClimateActionPlan, *, baseline_rtol: float = BASELINE_RTOL) -> PlanData:
    """A plan's arrays, built once; refuses a baseline that disagrees with the observed data.

    Parameters
    ----------
    plan
        A validated :class:`~klimacore.models.ClimateActionPlan`.
    baseline_rtol
        Relative tolerance between the totals of ``baseline_emissions`` and of the observed
        emissions of ``baseline_year`` (sector series, else ``observed_totals``); default
        :data:`BASELINE_RTOL` (5 %).

    Raises
    ------
    klimacore.errors.DataError
        ``plan.baseline_mismatch``: the two base-year totals differ by more than the tolerance.

    Examples
    --------
    >>> from klimacore.models import load_example_plan
    >>> data = plan_data(load_example_plan())
    >>> data.baseline_source, data.bau.total(2050)
    ('observed', 153400.0)
    """
    if not (baseline_rtol >= 0 and math.isfinite(baseline_rtol)):
        raise DataError(f"baseline_rtol must be a finite number ≥ 0, not {baseline_rtol!r}",
                        code="plan.baseline_rtol", label=str(baseline_rtol),
                        location="baseline_rtol")
    totals = {int(y): float(v) for y, v in plan.observed_totals.items()}
    year = plan.baseline_year
    stated = {str(s): float(v) for s, v in plan.baseline_emissions.items()}
    row = _row(plan.observed, year)
    seen_total = float(sum(row.values())) if row is not None else totals.get(year)
    if seen_total is not None:
        stated_total = float(sum(stated.values()))
        gap = abs(stated_total - seen_total)
        if gap > baseline_rtol * max(abs(seen_total), 1.0):
            pct = 100 * gap / abs(seen_total) if seen_total else math.inf
            raise DataError(
                f"plan {plan.municipality} v{plan.version}: baseline_emissions for {year} total "
                f"{stated_total:,.0f} t but the observed {year} emissions total "
                f"{seen_total:,.0f} t (differ by {pct:.1f} %, beyond the tolerance of "
                f"{100 * baseline_rtol:g} %): correct one of them, or pass baseline_rtol=",
                code="plan.baseline_mismatch", label=str(year),
                location=f"baseline_emissions / observed[{year}]")
    if row is not None:
        baseline, source = row, "observed"
    else:
        baseline, source = stated, "baseline_emissions"
    return PlanData(plan=plan, observed_totals=totals, base_year=year, baseline=baseline,
                    baseline_source=source)
