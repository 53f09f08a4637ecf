"""Revision due dates, stale inventories and risk assessments, municipal council terms (internal).

Recency limits (MONITORING.md §C.1–C.2): a plan is revised at least every 5 years after adoption
(CCTF Danish guide v1.0 p.4, 38; C40 Leadership Standards "reviewed or updated at least every 5
years"), warning from 4 years (update every 4–5 years, Klimaalliancen note 2024); the inventory
is at most 3 years old (guide p.19; C40 "data no older than 3 years"); the climate risk
assessment at most 5 years old and resting on data at most 10 years old (guide p.17–18).

Danish municipal elections are held every 4 years on the third Tuesday of November (2009, 2013, …)
and the council term runs from 1 January after the election (Kommunal- og regionalvalgloven § 6,
https://danskelove.dk/kommunal-og-regionalvalgloven/6; valg.im.dk, "Kommunale og regionale
valg").
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from klimacore.models import ClimateActionPlan

__all__ = [
    "DUE_COLUMNS",
    "INVENTORY_MAX_AGE",
    "PLAN_MAX_AGE",
    "PLAN_WARN_AGE",
    "RISK_DATA_MAX_AGE",
    "RISK_MAX_AGE",
    "council_term_start",
    "due_dates",
    "election_date",
    "next_election",
]

PLAN_MAX_AGE = 5
PLAN_WARN_AGE = 4
INVENTORY_MAX_AGE = 3
RISK_MAX_AGE = 5
RISK_WARN_AGE = 4
RISK_DATA_MAX_AGE = 10
FIRST_ELECTION = 2009  # § 6 stk. 2: the 3rd Tuesday of November 2009, then every 4th year

DUE_COLUMNS: tuple[str, ...] = (
    "municipality", "plan_version", "item", "basis", "due_by", "age_years", "limit_years",
    "status", "message",
)
FRESH, DUE, STALE, NO_DATA = "fresh", "due", "stale", "no data"


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _age(since: dt.date, as_of: dt.date) -> float:
    return (as_of - since).days / 365.25


def election_date(year: int) -> dt.date:
    """Date of the Danish municipal election in ``year`` (the third Tuesday of November).

    >>> election_date(2025), election_date(2021)
    (datetime.date(2025, 11, 18), datetime.date(2021, 11, 16))
    >>> election_date(2024)
    Traceback (most recent call last):
    ...
    ValueError: 2024 is not a municipal election year (2009, 2013, …, every 4th year)
    """
    if year < FIRST_ELECTION or (year - FIRST_ELECTION) % 4:
        raise ValueError(
            f"{year} is not a municipal election year ({FIRST_ELECTION}, 2013, …, every 4th year)")
    first = dt.date(year, 11, 1)
    first_tuesday = first + dt.timedelta(days=(1 - first.weekday()) % 7)
    return first_tuesday + dt.timedelta(weeks=2)


def council_term_start(as_of: dt.date) -> dt.date:
    """1 January of the council term running on ``as_of``.

    >>> council_term_start(dt.date(2026, 11, 22)), council_term_start(dt.date(2025, 12, 31))
    (datetime.date(2026, 1, 1), datetime.date(2022, 1, 1))
    """
    year = as_of.year - (as_of.year - (FIRST_ELECTION + 1)) % 4
    return dt.date(year, 1, 1)


def next_election(after: dt.date) -> dt.date:
    """The first municipal election on or after ``after``.

    >>> next_election(dt.date(2030, 6, 16))
    datetime.date(2033, 11, 15)
    """
    year = after.year + (FIRST_ELECTION - after.year) % 4
    day = election_date(year)
    return day if day >= after else election_date(year + 4)


def _item(plan: ClimateActionPlan, item: str, basis: object, due_by: dt.date | None,
          age: float, limit: int, status: str, message: str) -> dict[str, Any]:
    return {"municipality": plan.municipality, "plan_version": plan.version, "item": item,
            "basis": None if basis is None else str(basis), "due_by": due_by,
            "age_years": round(age, 2) if math.isfinite(age) else math.nan,
            "limit_years": limit, "status": status, "message": message}


def due_items(plan: ClimateActionPlan, as_of: dt.date) -> list[dict[str, Any]]:
    """The rows of :func:`due_dates` as plain dicts (the rules read these)."""
    rows = []
    # plan revision
    if plan.adopted is None:
        rows.append(_item(plan, "plan revision", None, None, math.nan, PLAN_MAX_AGE, NO_DATA,
                          "the plan states no adoption date (adopted)"))
    else:
        age = _age(plan.adopted, as_of)
        due_by = _add_years(plan.adopted, PLAN_MAX_AGE)
        status = STALE if as_of > due_by else (
            DUE if as_of >= _add_years(plan.adopted, PLAN_WARN_AGE) else FRESH)
        text = {STALE: f"revision overdue since {due_by}",
                DUE: f"revision due by {due_by} (4–5 years after adoption)",
                FRESH: f"next revision due by {due_by}"}[status]
        rows.append(_item(plan, "plan revision", plan.adopted, due_by, age, PLAN_MAX_AGE, status,
                          f"adopted {plan.adopted}, {age:.2f} years before {as_of}: {text}"))
    # inventory
    year = plan.inventory.year
    age_i = float(as_of.year - year)
    due_i = dt.date(year + INVENTORY_MAX_AGE, 12, 31)
    status = FRESH if age_i < INVENTORY_MAX_AGE else (DUE if age_i == INVENTORY_MAX_AGE else STALE)
    text = {FRESH: "within the 3-year limit", DUE: "at the 3-year limit: update it this year",
            STALE: "older than 3 years: stale"}[status]
    rows.append(_item(plan, "inventory", year, due_i, age_i, INVENTORY_MAX_AGE, status,
                      f"inventory year {year}, {age_i:.0f} years before {as_of.year}: {text}"))
    # risk assessment and its data
    adaptation = plan.adaptation
    if adaptation.risk_assessment_date is None:
        rows.append(_item(plan, "risk assessment", None, None, math.nan, RISK_MAX_AGE, NO_DATA,
                          "the plan states no risk-assessment date "
                          "(adaptation.risk_assessment_date)"))
        rows.append(_item(plan, "risk assessment data", adaptation.risk_assessment_data_year,
                          None, math.nan, RISK_DATA_MAX_AGE, NO_DATA,
                          "no risk-assessment date to date its data against"))
        return rows
    done = adaptation.risk_assessment_date
    age_r = _age(done, as_of)
    due_r = _add_years(done, RISK_MAX_AGE)
    status = STALE if as_of > due_r else (
        DUE if as_of >= _add_years(done, RISK_WARN_AGE) else FRESH)
    rows.append(_item(plan, "risk assessment", done, due_r, age_r, RISK_MAX_AGE, status,
                      f"risk assessment of {done}, {age_r:.2f} years before {as_of}"
                      f"{': stale' if status == STALE else ''}; due by {due_r}"))
    data_year = adaptation.risk_assessment_data_year
    if data_year is None:
        rows.append(_item(plan, "risk assessment data", None, None, math.nan, RISK_DATA_MAX_AGE,
                          NO_DATA, "the plan states no data year of the risk assessment "
                          "(adaptation.risk_assessment_data_year)"))
    else:
        gap = float(done.year - data_year)
        status = STALE if gap > RISK_DATA_MAX_AGE else FRESH
        rows.append(_item(plan, "risk assessment data", data_year, None, gap, RISK_DATA_MAX_AGE,
                          status, f"data of {data_year} were {gap:.0f} years old when assessed "
                          f"({done.year}); limit {RISK_DATA_MAX_AGE}"))
    return rows


def due_dates(plan: ClimateActionPlan, *, as_of: dt.date) -> pd.DataFrame:
    """When the plan, its inventory and its risk assessment fall due, as of a date.

    One row per item (``plan revision``, ``inventory``, ``risk assessment``, ``risk assessment
    data``) with the date or year it rests on (``basis``), the last compliant day (``due_by``),
    ``age_years``, the limit and a status: ``fresh``, ``due`` (the last year before the limit),
    ``stale`` or ``no data``.

    >>> import datetime as dt
    >>> from klimacore.models import load_example_plan
    >>> d = due_dates(load_example_plan(), as_of=dt.date(2026, 11, 22))
    >>> d[["item", "due_by", "age_years", "status"]]
                       item      due_by  age_years status
    0         plan revision  2030-06-16       1.43  fresh
    1             inventory  2022-12-31       7.00  stale
    2       risk assessment  2028-03-01       3.73  fresh
    3  risk assessment data        None       2.00  fresh
    """
    import pandas as pd

    return pd.DataFrame(due_items(plan, as_of), columns=list(DUE_COLUMNS))
