"""Plain per-object versions of the status rules, read like the rule tables (MONITORING.md §A.4).

The vectorized engines in :mod:`._status` are tested against these (and benchmarked against them).

>>> import datetime as dt
>>> action_status_one(phase="planning", state="active", start=2024, end=2030,
...                   milestones=[(dt.date(2025, 6, 1), None)], off_track=[],
...                   as_of=dt.date(2026, 1, 1))
('late', 'milestone overdue', 0)
>>> indicator_status_one(baseline=(2020, 4.0), targets={2030: 60.0}, direction=1,
...                      observations={2023: 19.5}, as_of_year=2024)[0]
'at risk'
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Mapping, Sequence

__all__ = ["action_status_one", "indicator_status_one"]


def action_status_one(
    *,
    phase: str | None,
    state: str | None,
    start: int,
    end: int,
    milestones: Sequence[tuple[dt.date | None, dt.date | None]],
    off_track: Sequence[bool],
    as_of: dt.date,
    override: str | None = None,
) -> tuple[str, str, int]:
    """(status, reason, index of the overdue milestone / off-track indicator or −1)."""
    if state == "merged":
        return "merged", "", -1
    if override:
        return override, "set by hand (see status_override_reason)", -1
    if phase == "completed":
        return "completed", "", -1
    if state == "cancelled":
        return "cancelled", "", -1
    if state == "out_of_scope":
        return "out of scope", "", -1
    if state == "postponed":
        return "postponed", "", -1
    if phase is None:
        return "no data", "", -1
    if end < as_of.year:
        return "late", "end year passed", -1
    for i, (due, done) in enumerate(milestones):
        if due is not None and due < as_of and done is None:
            return "late", "milestone overdue", i
    for i, off in enumerate(off_track):
        if off:
            return "late", "progress indicator off track", i
    if phase == "not_started" and start < as_of.year:
        return "late", "not started by start year", -1
    if phase in ("planning", "implementation"):
        return "on time", "", -1
    return "not started", "", -1


def indicator_status_one(
    *,
    baseline: tuple[int, float] | None,
    targets: Mapping[int, float],
    direction: int,
    observations: Mapping[int, float],
    as_of_year: int,
    at_risk_pct: float = 5.0,
    max_age_years: int = 2,
) -> tuple[str, float | None, float | None]:
    """(status, expected value, gap) with a linear path through baseline and targets."""
    seen = [y for y in observations if y <= as_of_year]
    if baseline is None or not targets or not seen:
        return "no data", None, None
    t = max(seen)
    if as_of_year - t > max_age_years:
        return "no data", None, None
    vt = observations[t]
    knots = sorted([baseline, *targets.items()])
    y_final, v_final = knots[-1]
    if t <= knots[0][0]:
        expected = knots[0][1]
    elif t >= y_final:
        expected = v_final
    else:
        for (y0, v0), (y1, v1) in itertools.pairwise(knots):
            if y0 <= t <= y1:
                expected = v0 + (t - y0) / (y1 - y0) * (v1 - v0)
                break
    gap = direction * (vt - expected)
    tol = at_risk_pct / 100 * abs(v_final - baseline[1])
    if direction * (vt - v_final) >= 0:
        return "achieved", expected, gap
    if gap >= 0:
        return "on track", expected, gap
    if gap >= -tol:
        return "at risk", expected, gap
    return "off track", expected, gap
