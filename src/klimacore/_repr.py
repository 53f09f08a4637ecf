"""Rich reprs for Jupyter: a short summary first, the details folded in ``<details>``.

Presentation only, called from ``_repr_html_`` of :class:`~klimacore.models.ClimateActionPlan`
and :class:`~klimacore.trajectory.TrajectoryCheck`, and usable on any check table
(:func:`check_table_html`). HTML comes from :class:`string.Template` templates with every value
escaped (the standard library's template engine: no new dependency for a repr); tables from
pandas' ``to_html``, which escapes too.

>>> from klimacore.models import load_example_plan
>>> html = plan_html(load_example_plan())
>>> html.startswith("<div class=\\"klimacore\\">") and "<details>" in html
True
>>> len(html) < 20_000
True
"""

from __future__ import annotations

from html import escape
from string import Template
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from klimacore.models import ClimateActionPlan
    from klimacore.trajectory import TrajectoryCheck

__all__ = ["check_table_html", "plan_html", "trajectory_check_html"]

_PAGE = Template("""<div class="klimacore">
<p><strong>$title</strong><br/>$subtitle</p>
<ul>$facts</ul>
$sections
</div>""")
_FACT = Template("<li>$text</li>")
_SECTION = Template("<details><summary>$summary</summary>\n$body\n</details>")
_BADGE = {"on track": "✅", "pass": "✅", "at risk": "⚠️", "no data": "❔", "off track": "❌",
          "fail": "❌", "info": "", "warning": "⚠️", "error": "❌"}
_MAX_ROWS = 200


_YEARS = ("year", "data_year", "base_year", "target_year", "start", "end", "effect_year")


def _table(frame: pd.DataFrame) -> str:
    frame = frame.copy()
    for col in _YEARS:  # years print as 2030, not 2,030.0
        if col in frame and frame[col].dtype.kind == "f":
            frame[col] = frame[col].astype("Int64")
    more = ""
    if len(frame) > _MAX_ROWS:
        more = f"<p>… {len(frame) - _MAX_ROWS} more rows (use the DataFrame)</p>"
        frame = frame.head(_MAX_ROWS)
    return str(frame.to_html(index=False, na_rep="—", float_format=lambda x: f"{x:,.1f}",
                             border=0)) + more


def _page(title: str, subtitle: str, facts: list[str], sections: list[tuple[str, str]]) -> str:
    return _PAGE.substitute(
        title=escape(title), subtitle=escape(subtitle),
        facts="".join(_FACT.substitute(text=escape(f)) for f in facts),
        sections="\n".join(_SECTION.substitute(summary=escape(s), body=b) for s, b in sections))


def _counts(column: pd.Series) -> str:
    counts = column.astype(str).value_counts()
    return ", ".join(f"{_BADGE.get(str(k), '')} {n} {k}".strip() for k, n in counts.items())


def plan_html(plan: ClimateActionPlan) -> str:
    """A plan: who, baseline, targets in one line each; actions and indicators folded."""
    import pandas as pd

    from klimacore.reference import municipalities

    names = municipalities().set_index("code")
    name = str(names.loc[plan.municipality, "name"]) if plan.municipality in names.index else "?"
    targets = sorted(plan.targets, key=lambda t: t.target_year)
    facts = [f"baseline {plan.baseline_year}: {plan.baseline_total:,.0f} t CO2e "
             f"({plan.gwp_metric}), {plan.inventory.reporting_level}",
             f"net zero: {plan.net_zero_year or 'no net-zero target'}; "
             f"{len(targets)} targets, {len(plan.actions)} actions, "
             f"{len(plan.indicators)} indicators"]
    if plan.illustrative:
        facts.append("ILLUSTRATIVE: example figures, not an adopted plan")
    target_rows = pd.DataFrame([t.model_dump(include={"kind", "target_year", "base_year",
                                                      "reduction_pct", "per_capita_t",
                                                      "sector"}) for t in targets])
    actions = pd.DataFrame([a.model_dump(include={"id", "title", "owner", "start", "end",
                                                  "status", "sector", "expected_effect_t"})
                            for a in plan.actions])
    indicators = pd.DataFrame([i.model_dump(include={"id", "name", "level", "unit",
                                                     "direction"}) for i in plan.indicators])
    baseline = pd.DataFrame({"sector": list(plan.baseline_emissions),
                             "t CO2e": list(plan.baseline_emissions.values())})
    sections = [(f"Targets ({len(targets)})", _table(target_rows)),
                (f"Actions ({len(plan.actions)})", _table(actions)),
                (f"Indicators ({len(plan.indicators)})", _table(indicators)),
                ("Baseline by sector", _table(baseline))]
    return _page(plan.title, f"municipality {plan.municipality} {name}, version "
                 f"{plan.version}, adopted {plan.adopted or 'not yet'}", facts,
                 [(s, b) for s, b in sections if b])


def check_table_html(frame: pd.DataFrame, *, title: str = "Checks") -> str:
    """Any tidy check table (``status``, ``severity``, ``message``): counts first, rows folded."""
    facts = []
    if "severity" in frame:
        facts.append(f"severity: {_counts(frame['severity'])}")
    if "status" in frame:
        facts.append(f"status: {_counts(frame['status'])}")
    problems = frame[frame["severity"].astype(str) != "info"] if "severity" in frame else frame
    sections = []
    if len(problems) and "message" in problems:
        sections.append((f"Warnings and errors ({len(problems)})",
                         _table(problems[[c for c in ("reference", "rule", "criterion", "year",
                                                      "status", "severity", "message")
                                          if c in problems]])))
    sections.append((f"All rows ({len(frame)})", _table(frame)))
    return _page(title, f"{len(frame)} rows", facts, sections)


def trajectory_check_html(check: TrajectoryCheck) -> str:
    """A trajectory check: references and verdict counts; milestones and budgets folded."""
    milestones = check.to_frame("milestones")
    refs = ", ".join(r.id for r in check.references)
    entities = check.entity_dims or ("one entity",)
    facts = [f"references: {refs}", f"entities by {' × '.join(entities)}"]
    if len(milestones):
        facts.append(f"milestones: {_counts(milestones['status'])}")
        worst = milestones[milestones["severity"].astype(str) == "error"]
        if len(worst):
            first = worst.iloc[0]
            facts.append(f"first off track: {first['message']}")
    sections = [(f"Milestones ({len(milestones)})", _table(milestones))]
    other: Any = check.to_frame("all")
    rest = other[other["criterion"].astype(str) != "milestone"] if "criterion" in other else other
    if len(rest):
        sections.append((f"Budget and net zero ({len(rest)})", _table(rest)))
    return _page("Trajectory check", f"{len(check.references)} reference(s)", facts, sections)
