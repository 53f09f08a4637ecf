"""Everything about a plan in one table: ``klimacore check`` and the ``klimacore demo`` section.

:func:`check_plan` combines the target rules, the manko, the links between claimed reductions and
actions, no backsliding (against a previous version, when given) and the trajectory of the plan's
emissions against references and its own targets; :func:`format_checks` prints it for a
terminal; :func:`demo_section` is the trajectory section of ``klimacore demo``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from klimacore.errors import KlimacoreError, KlimacoreWarning
from klimacore.forms import PlanData, plan_data
from klimacore.trajectory._backsliding import check_no_backsliding
from klimacore.trajectory._manko import _action_rows, _manko_rows, manko
from klimacore.trajectory._plan_emissions import _plan_emissions, plan_references
from klimacore.trajectory._plan_rows import Rows, frame_of
from klimacore.trajectory._plan_rules import _target_rules
from klimacore.trajectory._references import (
    DEFAULT_REFERENCES,
    Reference,
    get_reference,
    resolve_references,
)

if TYPE_CHECKING:
    import pandas as pd

    from klimacore.models import ClimateActionPlan
    from klimacore.trajectory._checks import Thresholds
    from klimacore.trajectory._rulesets import RuleSet

__all__ = ["check_plan", "demo_section", "format_checks"]


def _trajectory_rows(
    data: PlanData,
    references: Iterable[Reference | str],
    thresholds: Thresholds | None,
) -> list[dict[str, Any]]:
    import xarray as xr

    from klimacore.trajectory._checks import check_trajectory

    plan = data.plan
    out = Rows(plan, "trajectory")
    emissions = _plan_emissions(data, "combined")
    population = None
    if plan.population:
        years = sorted(plan.population)
        population = xr.DataArray([plan.population[y] for y in years], dims="year",
                                  coords={"year": years})
    for ref in [*resolve_references(references), *plan_references(plan)]:
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
    references: Iterable[Reference | str],
    thresholds: Thresholds | None,
) -> list[dict[str, Any]]:
    """Latest-year verdicts: observed emissions, projected by the trend and the action scenario."""
    from klimacore.trajectory._latest import latest_verdicts

    plan = data.plan
    out = Rows(plan, "trajectory")
    refs = [*resolve_references(references), *plan_references(plan)]
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
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", KlimacoreWarning)
        rows.extend(_trajectory_rows(data, references, thresholds))
        rows.extend(_latest_rows(data, references, thresholds))
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


_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


def format_checks(frame: pd.DataFrame, *, show_info: bool = False, width: int = 100) -> str:
    """Text for a terminal: a summary line, then findings grouped by check, worst first.

    ``show_info`` also lists passed checks. Per-year trajectory rows are never shown here.

    >>> from klimacore.models import load_example_plan
    >>> print(format_checks(check_plan(load_example_plan())).splitlines()[0])  # doctest: +ELLIPSIS
    Plan 727 v2.0: ... error(s), ... warning(s), ... passed
    """
    import textwrap

    if frame.empty:
        return "No checks."
    lines = []
    counts = frame["severity"].value_counts()
    head = frame.iloc[0]
    passed = int((frame["severity"] == "info").sum())
    lines.append(f"Plan {head['municipality']} v{head['plan_version']}: "
                 f"{int(counts.get('error', 0))} error(s), {int(counts.get('warning', 0))} "
                 f"warning(s), {passed} passed")
    for check, group in frame.groupby("check", sort=False, observed=True):
        shown = group if show_info else group[group["severity"] != "info"]
        if shown.empty:
            lines.append(f"\n{check}: all {len(group)} passed")
            continue
        lines.append(f"\n{check}:")
        order = shown.assign(_o=shown["severity"].map(_SEVERITY_ORDER).astype(int))
        for _, row in order.sort_values("_o", kind="stable").iterrows():
            text = f"[{str(row['severity']).upper()}] {row['message']}"
            lines.extend(textwrap.wrap(text, width=width, initial_indent="  ",
                                       subsequent_indent="      "))
    refs = {r for r in frame["reference"].dropna().unique()}
    unverified = []
    for ref_id in sorted(refs):
        try:
            ref = get_reference(str(ref_id))
        except KlimacoreError:
            continue
        if ref.source.verification == "check":
            unverified.append(ref_id)
    if unverified:
        lines.append(f"\nNote: figures of {', '.join(unverified)} are marked 'check' (not yet "
                     "verified against the primary source).")
    return "\n".join(lines)


def demo_section(plan: ClimateActionPlan | None = None) -> str:
    """The trajectory section of ``klimacore demo``: references side by side for one plan.

    >>> print(demo_section().splitlines()[0])
    Trajectory checks — plan 727 v2.0 (illustrative example)
    """
    from klimacore.models import load_example_plan

    plan = plan or load_example_plan()
    df = check_plan(plan)
    tag = " (illustrative example)" if plan.illustrative else ""
    lines = [f"Trajectory checks — plan {plan.municipality} v{plan.version}{tag}"]
    traj = df[(df["check"] == "trajectory") & (df["rule"] == "milestone")]
    lines.append("  2030 against each reference (emissions: observed, then action scenario):")
    for _, row in traj[traj["year"] == 2030].iterrows():
        gap = row["value"] - row["threshold"]
        lines.append(f"    {row['reference']:<22} allowed {row['threshold']:>10,.0f} t   "
                     f"plan {row['value']:>10,.0f} t   gap {gap:>+10,.0f} t   {row['status']}")
    m = manko(plan)
    total = m[(m["sector"] == "total") & m["year"].isin([2030, 2050])]
    for _, row in total.iterrows():
        lines.append(f"  Manko {int(row['year'])}: {row['manko_t']:,.0f} t ({row['target']})")
    counts = df["severity"].value_counts()
    lines.append(f"  Plan checks: {int(counts.get('error', 0))} error(s), "
                 f"{int(counts.get('warning', 0))} warning(s); run `klimacore check PLAN.json` "
                 "for the details")
    return "\n".join(lines)
