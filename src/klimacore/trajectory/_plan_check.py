"""Everything about a plan in one table: what ``klimacore check`` reports.

:func:`check_plan` combines the target rules, the manko, the links between claimed reductions and
actions, no backsliding (against a previous version, when given) and the trajectory of the plan's
emissions against references and its own targets. The text for a terminal is
:func:`klimacore.report.plan_checks_text` (``format_checks`` and ``demo_section`` here are
deprecated aliases until 0.3).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from klimacore.errors import KlimacoreError, KlimacoreWarning
from klimacore.forms import PlanData, plan_data
from klimacore.trajectory._backsliding import check_no_backsliding
from klimacore.trajectory._manko import _action_rows, _manko_rows
from klimacore.trajectory._plan_emissions import (
    _plan_emissions,
    plan_population,
    plan_references,
)
from klimacore.trajectory._plan_rows import Rows, frame_of
from klimacore.trajectory._plan_rules import _target_rules
from klimacore.trajectory._references import (
    DEFAULT_REFERENCES,
    Reference,
    resolve_references,
)

if TYPE_CHECKING:
    import pandas as pd

    from klimacore.models import ClimateActionPlan
    from klimacore.trajectory._checks import Thresholds
    from klimacore.trajectory._rulesets import RuleSet

__all__ = ["check_plan"]


def _trajectory_rows(
    data: PlanData,
    refs: list[Reference],
    thresholds: Thresholds | None,
) -> list[dict[str, Any]]:
    from klimacore.trajectory._checks import check_trajectory

    plan = data.plan
    out = Rows(plan, "trajectory")
    emissions = _plan_emissions(data, "combined")
    population = plan_population(plan)
    for ref in refs:
        try:
            res = check_trajectory(emissions, ref, population=population, thresholds=thresholds)
        except KlimacoreError as exc:
            out.add(f"trajectory:{ref.id}", "no data", "error", f"{ref.id}: {exc}",
                    reference=ref.id)
            continue
        frame = res.to_frame("all")
        for tup in frame.itertuples(index=False):
            row = cast(Any, tup)
            unit = "year" if row.criterion == "net zero" else "t"
            out.add(str(row.criterion), str(row.status), str(row.severity), str(row.message),
                    reference=ref.id, year=None if math.isnan(row.year) else row.year,
                    value=row.value, threshold=row.threshold, unit=unit)
    return out.rows


def _latest_rows(
    data: PlanData,
    refs: list[Reference],
    thresholds: Thresholds | None,
) -> list[dict[str, Any]]:
    """Latest-year verdicts: observed emissions, projected by the trend and the action scenario."""
    from klimacore.trajectory._latest import latest_verdicts

    plan = data.plan
    out = Rows(plan, "trajectory")
    try:
        observed = _plan_emissions(data, "observed")
    except KlimacoreError as exc:
        out.add("latest year", "no data", "warning", f"latest year: {exc}")
        return out.rows
    try:
        action: Any = _plan_emissions(data, "action")
    except KlimacoreError:
        action = None
    try:
        frame = latest_verdicts(observed, refs, projection=action,
                                thresholds=thresholds).latest()
    except KlimacoreError as exc:
        out.add("latest year", "no data", "warning", f"latest year: {exc}")
        return out.rows
    for row in frame.to_dict("records"):
        status = row["status"] if row["status"] != "not applicable" else "no data"
        year = row["verdict_year"] if row["verdict_year"] == row["verdict_year"] else None
        out.add("latest year", status, str(row["severity"]), str(row["message"]),
                reference=str(row["reference"]), year=year, value=row["latest_t"],
                threshold=row["allowed_latest"], unit="t")
    return out.rows


def check_plan(
    plan: ClimateActionPlan,
    *,
    previous: ClimateActionPlan | None = None,
    references: Iterable[Reference | str] = DEFAULT_REFERENCES,
    thresholds: Thresholds | None = None,
    rules: str | RuleSet = "auto",
) -> pd.DataFrame:
    """Every check of a plan in one tidy table (``klimacore check PLAN.json``).

    ``rules`` chooses the target rule set (``"dk2020"``, ``"cctf-2024"`` or ``"auto"``: by the
    plan's adoption date; see :func:`~klimacore.trajectory.rule_set`).

    Target rules, CCTF sector ranges, manko per milestone, links between claimed reductions and
    actions, no backsliding against ``previous`` (when given), and the trajectory of the plan's
    emissions (observed, then the action scenario) against ``references`` and the plan's own
    targets. Columns: :data:`RULE_COLUMNS`.

    >>> from klimacore.models import load_example_plan
    >>> df = check_plan(load_example_plan())
    >>> sorted(df["check"].unique())
    ['actions', 'manko', 'target rule', 'trajectory']
    """
    import pandas as pd

    data = plan_data(plan)  # the plan's arrays, read once for every check below
    rows: list[dict[str, Any]] = []
    frames = [_target_rules(data, rules=rules)]
    rows.extend(_manko_rows(data))
    rows.extend(_action_rows(data))
    # the references resolved once: both kinds of rows use them (``references`` may be a generator)
    refs = [*resolve_references(references), *plan_references(plan)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KlimacoreWarning)
        rows.extend(_trajectory_rows(data, refs, thresholds))
        rows.extend(_latest_rows(data, refs, thresholds))
    notes = Rows(plan, "trajectory")
    for text in dict.fromkeys(str(w.message) for w in caught
                              if issubclass(w.category, KlimacoreWarning)):
        # what differs between the plan's data and a reference: a note, not a failure
        notes.add("compatibility", "note", "info", text)
    rows.extend(notes.rows)
    if previous is not None:
        frames.append(check_no_backsliding(plan, previous))
    frames.append(frame_of(rows))
    out = pd.concat([f for f in frames if len(f)], ignore_index=True)
    for col in ("check", "status", "severity"):
        out[col] = out[col].astype("category")
    return out


def _demo_section(plan: ClimateActionPlan | None = None) -> str:
    """The deprecated ``trajectory.demo_section``: a plan's 2030 milestone and manko as text."""
    from klimacore import report  # deprecated alias: layer exception until 0.3
    from klimacore.models import load_example_plan

    return report.milestone_text(plan or load_example_plan())


if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Deprecated names (go in 0.3): ``format_checks`` →
        :func:`klimacore.report.plan_checks_text`, ``demo_section`` →
        :func:`klimacore.report.milestone_text`."""
        from klimacore._deprecation import warn_deprecated

        if name == "format_checks":
            from klimacore import report  # deprecated alias: layer exception until 0.3

            warn_deprecated("klimacore.trajectory.format_checks", since="0.2", removed_in="0.3",
                            use="klimacore.report.plan_checks_text")
            return report.plan_checks_text
        if name == "demo_section":
            warn_deprecated("klimacore.trajectory.demo_section", since="0.2", removed_in="0.3",
                            use="klimacore.report.milestone_text")
            return _demo_section
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
