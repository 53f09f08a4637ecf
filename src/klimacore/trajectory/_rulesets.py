"""Versioned rule sets for plan targets: DK2020 (C40 CAPF, 2020–2024 plans) and CCTF 2024.

A plan is judged by the rules of its vintage. A DK2020 plan adopted in 2022 was made to C40's
Climate Action Planning Framework (CAPF): net zero by 2050 at the latest and "an ambitious interim
goal and/or carbon budget (e.g. 2030 targets)"; re-certification since November 2024 follows the
Cities Climate Transition Framework (CCTF, Danish guide v1.0), which asks for at least two interim
targets and 2030 sector targets within ranges. Both sets also check ambition against the Danish
Climate Act: an economy-wide 2030 target weaker than −70 % vs 1990 is a warning (it would catch a
−8 % typo that every structural rule lets through).

Choose a set explicitly (``rules="dk2020"`` or ``"cctf-2024"``, or a :class:`RuleSet`) or let the
plan's adoption date choose (``rules="auto"``, the default): plans adopted before
:data:`CCTF_FROM` are DK2020 plans; later ones, and plans without an adoption date, are judged by
CCTF 2024 (a row says so).

The public API other modules build on (certification's K1–K16 uses it):

- :func:`rule_set` ``(name)`` → :class:`RuleSet`; :func:`list_rule_sets`;
- :func:`rule_set_for` ``(plan, rules="auto")`` → the set that applies and why;
- :func:`~klimacore.trajectory.target_rules` ``(plan, rules=…, sector_map=…)`` and
  :func:`~klimacore.trajectory.check_plan` ``(plan, rules=…)`` record the set used in the
  ``rule_set`` column.

Examples
--------
>>> import datetime as dt
>>> from klimacore.trajectory import rule_set, list_rule_sets
>>> list_rule_sets()
['dk2020', 'cctf-2024']
>>> rs = rule_set("dk2020")
>>> rs.min_interim_targets, rs.sector_ranges, rule_set("cctf-2024").min_interim_targets
(1, None, 2)
>>> rs.applies_to(dt.date(2022, 5, 1)), rule_set("cctf-2024").applies_to(dt.date(2022, 5, 1))
(True, False)
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from klimacore.errors import MissingLabelError, ValidationError
from klimacore.trajectory._plan_rows import CCTF_SECTOR_MAP, Rows

if TYPE_CHECKING:
    from collections.abc import Mapping

    from klimacore.forms import PlanData
    from klimacore.models import ClimateActionPlan
    from klimacore.trajectory._references import Milestone

__all__ = [
    "AMBITION_2030_PCT",
    "CCTF_FROM",
    "RuleSet",
    "list_rule_sets",
    "rule_set",
    "rule_set_for",
]

CCTF_FROM = dt.date(2024, 11, 1)
"""Plans adopted on or after this date are judged by CCTF 2024 under ``rules="auto"`` (the Danish
CCTF guide v1.0 is dated November 2024)."""
AMBITION_2030_PCT = 70.0
"""The Danish Climate Act's 2030 target, % below 1990 (Lov om klima § 1)."""


@dataclass(frozen=True)
class RuleSet:
    """The target rules of one framework version.

    Attributes
    ----------
    name, title
        Identity (``dk2020``, ``cctf-2024``).
    valid_from, valid_to
        Adoption dates the set applies to (``valid_to`` exclusive; None: open).
    latest_net_zero, latest_first_target, min_interim_targets, min_gases, scenario_end
        The structural rules: net zero at the latest, first economy-wide target at the latest,
        at least this many interim target years before net zero, the minimum gas basket, the
        year BAU and action scenarios must reach.
    sector_ranges
        Id of the sector-range reference (CCTF 2030 ranges) or None when the set has none.
    sector_map
        Plan sectors mapped onto the ranges' sectors (sectors not in it and not a range sector
        are reported as not evaluated).
    ambition_pct
        An economy-wide 2030 target weaker than this (% below 1990) is a warning.
    sources
        Where the rules come from.
    """

    name: str
    title: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    latest_net_zero: int = 2050
    latest_first_target: int = 2030
    min_interim_targets: int = 2
    min_gases: tuple[str, ...] = ("CO2", "CH4", "N2O")
    scenario_end: int = 2050
    sector_ranges: str | None = None
    sector_map: dict[str, str] = field(default_factory=dict)
    ambition_pct: float = AMBITION_2030_PCT
    sources: tuple[str, ...] = ()

    def applies_to(self, adopted: dt.date) -> bool:
        """Whether a plan adopted on ``adopted`` falls in this set's vintage."""
        after = self.valid_from is None or adopted >= self.valid_from
        before = self.valid_to is None or adopted < self.valid_to
        return after and before


_SETS: dict[str, RuleSet] = {
    "dk2020": RuleSet(
        name="dk2020",
        title="DK2020 (C40 Climate Action Planning Framework, plans adopted 2020–2024)",
        valid_from=None,
        valid_to=CCTF_FROM,
        min_interim_targets=1,
        sector_ranges=None,
        sources=(
            "C40 Cities, Climate Action Planning Framework (2020; Danish edition Realdania, "
            "August 2020): a pathway to emissions neutrality by 2050 at the latest and an "
            "ambitious interim goal and/or carbon budget (e.g. 2030 targets); "
            "https://www.c40.org/what-we-do/raising-climate-ambition/1-5c-climate-action-plans/",
            "Realdania, DK2020 (https://realdania.org/whatwedo/grants-and-projects/dk2020): "
            "plans comply with the CAPF and show the way to climate neutrality in 2050 or sooner",
        ),
    ),
    "cctf-2024": RuleSet(
        name="cctf-2024",
        title="CCTF re-certification (Danish guide v1.0, November 2024)",
        valid_from=CCTF_FROM,
        valid_to=None,
        min_interim_targets=2,
        sector_ranges="cctf-dk-2030-sectors",
        sector_map={"waste": "other"},
        sources=(
            "CONCITO and C40 Cities, Cities Climate Transition Framework (CCTF) – dansk "
            "vejledning v1.0 (2024): net zero ≤ 2050, first target ≤ 2030, at least two interim "
            "targets, at least CO2, CH4 and N2O, scenarios to 2050, 2030 sector ranges vs 2019 "
            "(seen in a secondary summary only: verification 'check' against the guide)",
        ),
    ),
}


def list_rule_sets() -> list[str]:
    """Names of the rule sets, oldest first."""
    return list(_SETS)


def rule_set(name: str | RuleSet) -> RuleSet:
    """A rule set by name (``dk2020``, ``cctf-2024``); a :class:`RuleSet` passes through.

    >>> rule_set("cctf-2024").sector_ranges
    'cctf-dk-2030-sectors'
    """
    if isinstance(name, RuleSet):
        return name
    found = _SETS.get(str(name).lower())
    if found is None:
        raise MissingLabelError(f"rule set (known: {', '.join(_SETS)}, or 'auto')", [name],
                                dim="rules")
    return found


def rule_set_for(plan: ClimateActionPlan, rules: str | RuleSet = "auto") -> tuple[RuleSet, str]:
    """The rule set for ``plan`` and a sentence saying why.

    ``rules="auto"`` chooses by the plan's adoption date (no date: CCTF 2024, the current set).

    >>> from klimacore.models import load_example_plan
    >>> rs, why = rule_set_for(load_example_plan())
    >>> rs.name, why
    ('cctf-2024', 'adopted 2025-06-16: CCTF re-certification (Danish guide v1.0, November 2024)')
    """
    if isinstance(rules, RuleSet) or rules != "auto":
        rs = rule_set(rules)
        return rs, f"chosen explicitly: {rs.title}"
    if plan.adopted is None:
        rs = _SETS["cctf-2024"]
        return rs, f"no adoption date: the current set applies, {rs.title}"
    for rs in _SETS.values():
        if rs.applies_to(plan.adopted):
            return rs, f"adopted {plan.adopted.isoformat()}: {rs.title}"
    raise ValidationError(f"no rule set covers adoption date {plan.adopted}")  # pragma: no cover


def _ambition_rows(data: PlanData, rs: RuleSet, out: Any) -> None:
    """Economy-wide 2030 targets against the Climate Act's −70 % vs 1990 (warning if weaker)."""
    plan = data.plan
    targets = [t for t in plan.targets if t.kind == "absolute" and t.sector is None
               and t.target_year == 2030 and t.reduction_pct is not None]
    if not targets:
        out.add("ambition_2030", "no data", "info",
                "no economy-wide 2030 target to compare with the Climate Act's −70 % vs 1990",
                reference="dk-climate-act", year=2030, threshold=rs.ambition_pct,
                unit="% vs 1990")
        return
    base_1990 = data.total_in(1990)
    for t in targets:
        pct = float(t.reduction_pct or 0.0)
        base_year = int(t.base_year or plan.baseline_year)
        note = ""
        if base_year != 1990:
            own = data.total_in(base_year)
            if own is None or base_1990 is None:
                out.add("ambition_2030", "no data", "warning",
                        f"2030 target −{pct:g} % vs {base_year}: cannot compare with the "
                        "Climate Act's −70 % vs 1990 without both years' emissions",
                        reference="dk-climate-act", year=2030, threshold=rs.ambition_pct,
                        unit="% vs 1990")
                continue
            level = own * (1 - pct / 100)
            pct = 100 * (1 - level / base_1990)
            note = f" (−{float(t.reduction_pct or 0):g} % vs {base_year})"
        if pct + 1e-9 < rs.ambition_pct:
            out.add("ambition_2030", "fail", "warning",
                    f"economy-wide 2030 target −{pct:.1f} % vs 1990{note} is weaker than the "
                    f"Danish Climate Act's −{rs.ambition_pct:g} % (check for a typo or justify)",
                    reference="dk-climate-act", year=2030, value=pct,
                    threshold=rs.ambition_pct, unit="% vs 1990")
        else:
            out.add("ambition_2030", "pass", "info",
                    f"economy-wide 2030 target −{pct:.1f} % vs 1990{note} meets the Danish "
                    f"Climate Act's −{rs.ambition_pct:g} %", reference="dk-climate-act",
                    year=2030, value=pct, threshold=rs.ambition_pct, unit="% vs 1990")


BASELINE_TOLERANCE_PCT = 1.0
"""The baseline inventory may differ from the observed series in the baseline year by this (%)."""
POPULATION_CHANGE_PCT = 10.0
"""A year-on-year population change larger than this (%) is flagged as implausible for a
municipality (boundary changes aside, Danish municipalities change by a few % a year at most)."""


def _plan_data_rows(data: PlanData, out: Any) -> None:
    """The plan's own numbers agree: baseline vs observed, a plausible population series."""
    plan, observed = data.plan, data.observed
    year = plan.baseline_year
    if observed.empty or year not in observed:
        out.add("baseline_matches_observed", "no data", "info",
                f"no observed emissions for the baseline year {year} to compare the baseline "
                "inventory with", year=year)
    else:
        row = {s: observed.cell(year, s) for s in observed.sectors}
        diffs = []
        for sector, value in plan.baseline_emissions.items():
            seen = row.get(sector)
            if seen is None or seen != seen:
                diffs.append(f"{sector}: baseline {value:,.0f} t, not in the observed {year}")
            elif abs(seen - value) > BASELINE_TOLERANCE_PCT / 100 * max(abs(value), 1.0):
                diffs.append(f"{sector}: baseline {value:,.0f} t, observed {seen:,.0f} t")
        total = sum(plan.baseline_emissions.values())
        if diffs:
            out.add("baseline_matches_observed", "fail", "warning",
                    f"the baseline inventory ({year}) differs from the observed series by more "
                    f"than {BASELINE_TOLERANCE_PCT:g} %: " + "; ".join(diffs), year=year,
                    value=total, unit="t")
        else:
            out.add("baseline_matches_observed", "pass", "info",
                    f"the baseline inventory ({year}, {total:,.0f} t) matches the observed series",
                    year=year, value=total, unit="t")
    for y, total in sorted(data.observed_totals.items()):
        if observed.row(y) is not None:
            sectors = observed.total(y)
            if abs(sectors - total) > BASELINE_TOLERANCE_PCT / 100 * max(abs(total), 1.0):
                out.add("observed_totals_match", "fail", "warning",
                        f"the published total for {y} ({total:,.0f} t) differs from the sum of "
                        f"the observed sectors ({sectors:,.0f} t)", year=y, value=total, unit="t")
    pop = sorted(plan.population.items())
    problems = [f"{y}: {v:,.0f}" for y, v in pop if not v > 0]
    for (y0, v0), (y1, v1) in pairwise(pop):
        if not (v0 > 0 and v1 > 0):
            continue
        rate = ((v1 / v0) ** (1 / (y1 - y0)) - 1) * 100  # a year, over gaps too
        if abs(rate) > POPULATION_CHANGE_PCT:
            problems.append(f"{y0}→{y1}: {v0:,.0f} → {v1:,.0f} ({rate:+.1f} % a year)")
    if not pop:
        out.add("population_plausible", "no data", "info", "the plan gives no population")
    elif problems:
        out.add("population_plausible", "fail", "warning",
                "implausible population figures (zero, or more than "
                f"{POPULATION_CHANGE_PCT:g} % change in a year): " + "; ".join(problems))
    else:
        out.add("population_plausible", "pass", "info",
                f"population {pop[0][0]}–{pop[-1][0]} positive and without jumps")


# --- CCTF sector ranges ---------------------------------------------------------------------


def _cctf_rows(data: PlanData, ref_id: str,
               sector_map: Mapping[str, str] | None = None,
               rule_set: str | None = None) -> list[dict[str, Any]]:
    from klimacore.trajectory._references import get_reference

    plan = data.plan

    out = Rows(plan, "target rule", rule_set)
    smap = dict(CCTF_SECTOR_MAP if sector_map is None else sector_map)
    ref = get_reference(ref_id)
    ranges = {m.sector: m for m in ref.milestones}
    mark = " (CCTF figures marked 'check')" if ref.source.verification == "check" else ""
    base_2019 = data.base(ref.base_year)
    found = False
    for t in plan.targets:
        if t.sector is None or t.kind not in ("sector", "absolute") or t.target_year != 2030:
            continue
        key = smap.get(t.sector, t.sector)
        m = ranges.get(key)
        if m is None:
            out.add("cctf_sector_range", "no data", "warning",
                    f"{t.sector} target 2030: not evaluated — no CCTF range for sector "
                    f"{t.sector!r} (ranges: {', '.join(str(k) for k in ranges)}; map it with "
                    f"sector_map){mark}",
                    reference=ref.id, sector=t.sector, year=2030)
            continue
        if t.reduction_pct is None or t.base_year is None:
            continue
        found = True
        pct = float(t.reduction_pct)
        if t.base_year != ref.base_year:
            own = data.base(t.base_year)
            if own is None or base_2019 is None or t.sector not in own or not base_2019.get(
                    t.sector):
                out.add("cctf_sector_range", "no data", "warning",
                        f"{t.sector} target 2030 is vs {t.base_year}; cannot convert to the CCTF "
                        f"base 2019 without both years' sector emissions{mark}",
                        reference=ref.id, sector=t.sector, year=2030)
                continue
            level = own[t.sector] * (1 - pct / 100)
            pct = 100 * (1 - level / base_2019[t.sector])
        out.rows.append(_range_row(out, ref.id, t.sector, pct, m, "target", mark))
        out.rows[-1]["rule_set"] = rule_set
    if not found:
        out.add("cctf_sector_range", "no data", "info",
                f"no 2030 sector targets to compare with the CCTF ranges{mark}",
                reference=ref.id, year=2030)
    # the action scenario's implied 2030 sector reductions: information for the revision
    action = data.action
    if base_2019 is not None and not action.empty and 2030 in action:
        for sector in action.sectors:
            value = action.cell(2030, sector)
            m = ranges.get(smap.get(str(sector), str(sector)))
            b = base_2019.get(str(sector))
            if m is None or not b or not math.isfinite(value):
                continue
            pct = 100 * (1 - value / b)
            row = _range_row(out, ref.id, str(sector), pct, m, "action scenario", mark)
            row["rule"] = "cctf_sector_range_scenario"
            row["severity"] = "info" if row["status"] == "pass" else "warning"
            row["rule_set"] = rule_set
            out.rows.append(row)
    return out.rows


def _range_row(out: Any, ref_id: str, sector: str, pct: float, m: Milestone, what: str,
               mark: str) -> dict[str, Any]:
    lo, hi = float(m.reduction_pct or 0), float(m.reduction_pct_high or m.reduction_pct or 0)
    mid = float(m.justify_below_pct if m.justify_below_pct is not None else lo)
    span = f"range {lo:g}–{hi:g} % vs 2019"
    if pct < lo:
        status, sev = "fail", "error"
        text = f"{sector} {what} 2030: −{pct:.1f} % is below the {span}: cannot be approved"
    elif pct < mid:
        status, sev = "fail", "warning"
        text = (f"{sector} {what} 2030: −{pct:.1f} % is in the lower half of the {span} "
                f"(below {mid:g} %): must be justified")
    else:
        status, sev = "pass", "info"
        text = f"{sector} {what} 2030: −{pct:.1f} % is in the upper half of the {span}"
    tmp = Rows(out.plan, out.check)
    tmp.add("cctf_sector_range", status, sev, text + mark, reference=ref_id, sector=sector,
            year=2030, value=pct, threshold=lo, unit="% vs 2019")
    row: dict[str, Any] = tmp.rows[0]
    return row
