"""Paris-aligned trajectories: reference pathways, path builders, target checks, plan rules.

Is this plan, and this year's inventory, on a Paris-aligned path? The answer depends on the
reference, so klimacore checks several side by side, for one plan or all 98 municipalities (with
draws, scenarios and sectors) in one vectorized call.

Everything is imported from here (the modules inside are private; the 0.1 module paths
``klimacore.trajectory.checks``, ``.paths``, ``.references``, ``.result``, ``.plan_check``,
``.plan_rules`` and ``.plot`` still import, with a deprecation warning, until 0.3):

- references: versioned, cited references (Danish Climate Act and its 2045 variant, IPCC AR6
  C1/C3 for GHG and CO2, SR1.5, SBTi absolute contraction, EU Climate Law, a C40 per-capita path,
  AR6 carbon budgets, CCTF 2030 sector ranges) and :class:`Reference` for your own.
- paths: :func:`linear_path`, :func:`constant_rate_path`, :func:`budget_path`,
  :func:`reference_path`.
- checks: :func:`check_trajectory` → :class:`TrajectoryCheck` (tidy DataFrame and xarray), on
  emissions in the one form :func:`as_emissions` (:mod:`klimacore.forms`) builds.
- plans: :func:`plan_data` (a plan's arrays, read once; refuses a baseline that disagrees with
  the observed base year), :func:`plan_emissions`, :func:`target_rules`, :func:`manko`,
  :func:`action_coverage`, :func:`check_no_backsliding`, :func:`check_plan` (its text
  for a terminal: :func:`klimacore.report.plan_checks_text`).
- latest-year verdicts: :func:`latest_verdicts` → :class:`LatestCheck` (pace needed from the
  latest year, trend, projections, budget run-out and zero-crossing dates); budgets by named
  convention: :func:`exponential_path`, :func:`discrete_budget_path`, :func:`annual_cut_pct`,
  :func:`budget_runout`, :func:`trend_zero_year`, :func:`fractional_year_to_date`,
  :func:`mean_annual_change_pct`.
- rule sets by plan vintage: :func:`rule_set` (``"dk2020"``, ``"cctf-2024"``),
  :func:`rule_set_for` (by adoption date), :class:`RuleSet`; ``target_rules(plan, rules=…)``.
- :func:`plot_trajectory` (needs ``klimacore[plot]``).

Examples
--------
Base 100 t in 1990 and 30 t in 2030 is exactly the Climate Act's −70 %:

>>> import xarray as xr
>>> from klimacore.trajectory import check_trajectory
>>> e = xr.DataArray([100.0, 30.0], dims="year", coords={"year": [1990, 2030]})
>>> row = check_trajectory(e, "dk-climate-act").to_frame("milestones").query("year == 2030")
>>> row[["threshold", "gap_t", "status", "severity"]].to_dict("records")
[{'threshold': 30.0, 'gap_t': 0.0, 'status': 'on track', 'severity': 'info'}]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from klimacore.forms import PlanData, plan_data
from klimacore.trajectory._backsliding import check_no_backsliding
from klimacore.trajectory._budget import (
    BudgetConvention,
    annual_cut_pct,
    budget_runout,
    discrete_budget_path,
    exponential_path,
    fractional_year_to_date,
    mean_annual_change_pct,
    trend_zero_year,
)
from klimacore.trajectory._checks import (
    AT_RISK,
    NO_DATA,
    OFF_TRACK,
    ON_TRACK,
    SEVERITY,
    STATUS_LABELS,
    Thresholds,
    TrajectoryCheck,
    as_emissions,
    check_trajectory,
)
from klimacore.trajectory._latest import (
    LatestCheck,
    latest_from_check,
    latest_verdicts,
    linear_trend,
)
from klimacore.trajectory._manko import action_coverage, manko
from klimacore.trajectory._paths import (
    budget_path,
    budget_ratio,
    constant_rate_path,
    linear_path,
    reduction_fraction,
    reference_path,
)
from klimacore.trajectory._plan_check import check_plan
from klimacore.trajectory._plan_emissions import plan_emissions, plan_references
from klimacore.trajectory._plan_rules import RULE_COLUMNS, target_rules
from klimacore.trajectory._plot import plot_trajectory
from klimacore.trajectory._references import (
    DEFAULT_REFERENCES,
    GHG_BASKET,
    Milestone,
    Reference,
    Source,
    allocate_budget,
    get_reference,
    global_total,
    grandfathering_share,
    list_references,
    population_share,
    reference_table,
    resolve_references,
)
from klimacore.trajectory._rulesets import (
    AMBITION_2030_PCT,
    CCTF_FROM,
    RuleSet,
    list_rule_sets,
    rule_set,
    rule_set_for,
)

if not TYPE_CHECKING:  # deprecated names (format_checks, demo_section), until 0.3
    from klimacore.trajectory._plan_check import __getattr__ as __getattr__

__all__ = [
    "AMBITION_2030_PCT",
    "AT_RISK",
    "CCTF_FROM",
    "DEFAULT_REFERENCES",
    "GHG_BASKET",
    "NO_DATA",
    "OFF_TRACK",
    "ON_TRACK",
    "RULE_COLUMNS",
    "SEVERITY",
    "STATUS_LABELS",
    "BudgetConvention",
    "LatestCheck",
    "Milestone",
    "PlanData",
    "Reference",
    "RuleSet",
    "Source",
    "Thresholds",
    "TrajectoryCheck",
    "action_coverage",
    "allocate_budget",
    "annual_cut_pct",
    "as_emissions",
    "budget_path",
    "budget_ratio",
    "budget_runout",
    "check_no_backsliding",
    "check_plan",
    "check_trajectory",
    "constant_rate_path",
    "discrete_budget_path",
    "exponential_path",
    "fractional_year_to_date",
    "get_reference",
    "global_total",
    "grandfathering_share",
    "latest_from_check",
    "latest_verdicts",
    "linear_path",
    "linear_trend",
    "list_references",
    "list_rule_sets",
    "manko",
    "mean_annual_change_pct",
    "plan_data",
    "plan_emissions",
    "plan_references",
    "plot_trajectory",
    "population_share",
    "reduction_fraction",
    "reference_path",
    "reference_table",
    "resolve_references",
    "rule_set",
    "rule_set_for",
    "target_rules",
    "trend_zero_year",
]
