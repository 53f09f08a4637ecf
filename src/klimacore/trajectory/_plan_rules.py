"""Target rules on climate action plans, the remaining gap ("manko"), action links, no backsliding.

Every check returns a tidy :class:`pandas.DataFrame` with one row per finding and the columns
``municipality``, ``plan_version``, ``check``, ``rule``, ``reference``, ``sector``, ``year``,
``value``, ``threshold``, ``unit``, ``status``, ``severity`` (``error``, ``warning``, ``info``) and
``message``. :func:`~klimacore.trajectory.check_plan` runs them all, plus the trajectory checks of
the plan's emissions against the bundled references and the plan's own targets.

Interpretations implemented (CONCITO and C40 Cities, *Cities Climate Transition Framework (CCTF) –
dansk vejledning* v1.0, November 2024; no public link was found, and the rules and sector ranges
below were read from a secondary summary of the guide: their rows in
``data/trajectory_references.csv`` carry verification ``check``, see docs/data.md):

- net zero by 2050 at the latest (a later or missing net-zero target is an error);
- a first target by 2030 at the latest;
- at least two interim targets: distinct years of economy-wide targets before the net-zero year;
- every target's gas basket and the inventory's cover at least CO2, CH4 and N2O;
- BAU and action scenarios reach 2050 in every sector;
- CCTF 2030 sector ranges are *reductions in % vs 2019*: a sector target below the range is an
  error ("cannot be approved"), in the lower half (below the midpoint) a warning ("must be
  justified"); a target with another base year is converted with the plan's observed data;
- the manko is action-scenario emissions minus the target level, per milestone; per sector the
  economy-wide target is split by base-year sector shares (every sector reducing by the same %),
  so the sector mankos add up to the total;
- claimed reductions (BAU − action scenario) are compared per sector with the expected effects of
  the actions (not cancelled) whose effect year is at or before the year, at every effect year.

Examples
--------
>>> from klimacore.models import load_example_plan
>>> from klimacore.trajectory import manko, target_rules
>>> plan = load_example_plan()
>>> rules = target_rules(plan)
>>> rules.set_index("rule").loc["net_zero_by_2050", "status"]
'pass'
>>> m = manko(plan)
>>> float(m.query("year == 2030 and sector == 'total'")["manko_t"].iloc[0])
6420.0
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from klimacore.forms import PlanData, plan_data

if TYPE_CHECKING:
    import pandas as pd

    from klimacore.models import ClimateActionPlan
    from klimacore.trajectory._rulesets import RuleSet
from klimacore.trajectory._plan_rows import (
    RULE_COLUMNS,
    Rows,
    economy_targets,
)
from klimacore.trajectory._rulesets import (
    _ambition_rows,
    _cctf_rows,
    _plan_data_rows,
    rule_set_for,
)

__all__ = ["RULE_COLUMNS", "target_rules"]


def target_rules(plan: ClimateActionPlan, *, rules: str | RuleSet = "auto",
                 sector_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The plan target rules as a tidy table (see the module docstring for the rules).

    ``rules`` picks the rule set (:func:`~klimacore.trajectory.rule_set`): ``"dk2020"``,
    ``"cctf-2024"``, a :class:`~klimacore.trajectory.RuleSet`, or ``"auto"`` (by the plan's
    adoption date). ``sector_map`` maps plan sectors onto the CCTF ranges' sectors (added to the
    set's own map); a sector target without a range is reported as not evaluated.

    >>> from klimacore.models import load_example_plan
    >>> target_rules(load_example_plan())["severity"].value_counts().to_dict()
    {'info': 14, 'warning': 3}
    """
    return _target_rules(plan_data(plan), rules=rules, sector_map=sector_map)


def _target_rules(data: PlanData, *, rules: str | RuleSet = "auto",
                  sector_map: Mapping[str, str] | None = None) -> pd.DataFrame:
    plan = data.plan
    rs, why = rule_set_for(plan, rules)
    out = Rows(plan, "target rule", rs.name)
    out.add("rule_set", "pass", "info", f"rule set {rs.name}: {why}")
    targets = plan.targets
    economy = economy_targets(plan)
    # net zero
    nz = plan.net_zero_year
    if nz is None:
        out.add("net_zero_by_2050", "fail", "error",
                "the plan has no net-zero target (net zero by 2050 at the latest is required)",
                threshold=rs.latest_net_zero)
    elif nz > rs.latest_net_zero:
        out.add("net_zero_by_2050", "fail", "error",
                f"net zero in {nz} is later than {rs.latest_net_zero}", year=nz, value=nz,
                threshold=rs.latest_net_zero)
    else:
        out.add("net_zero_by_2050", "pass", "info", f"net zero in {nz} (≤ {rs.latest_net_zero})",
                year=nz, value=nz, threshold=rs.latest_net_zero)
    # first target
    reductions = [t for t in economy if t.kind != "net_zero"]
    first = min((t.target_year for t in reductions), default=None)
    if first is None:
        out.add("first_target_by_2030", "fail", "error",
                "the plan has no economy-wide reduction target before net zero",
                threshold=rs.latest_first_target)
    elif first > rs.latest_first_target:
        out.add("first_target_by_2030", "fail", "error",
                f"the first target is for {first}, later than {rs.latest_first_target}",
                year=first, value=first, threshold=rs.latest_first_target)
    else:
        out.add("first_target_by_2030", "pass", "info", f"first target in {first}",
                year=first, value=first, threshold=rs.latest_first_target)
    # interim targets
    horizon = nz if nz is not None else math.inf
    interim = sorted({t.target_year for t in reductions if t.target_year < horizon})
    status = "pass" if len(interim) >= rs.min_interim_targets else "fail"
    out.add("interim_targets", status, "error",
            f"{len(interim)} interim target year(s) before net zero: {interim or 'none'} "
            f"(at least {rs.min_interim_targets} required by {rs.name})",
            value=len(interim), threshold=rs.min_interim_targets)
    # gas basket
    lacking = []
    for i, t in enumerate(targets):
        missing = [g for g in rs.min_gases if g not in t.gases]
        if missing:
            lacking.append(f"targets.{i} ({t.kind} {t.target_year}) lacks {', '.join(missing)}")
    inv_missing = [g for g in rs.min_gases if g not in plan.inventory.gases]
    if inv_missing:
        lacking.append(f"inventory lacks {', '.join(inv_missing)}")
    if lacking:
        out.add("gas_basket", "fail", "error", "; ".join(lacking))
    else:
        out.add("gas_basket", "pass", "info",
                f"targets and inventory cover at least {', '.join(rs.min_gases)}")
    # scenarios to 2050
    for name, scenario in (("bau", plan.bau), ("action_scenario", plan.action_scenario)):
        if scenario is None:
            out.add("scenarios_to_2050", "fail", "error", f"the plan has no {name}",
                    threshold=rs.scenario_end)
            continue
        short = {s: max(series) for s, series in scenario.emissions.items()
                 if max(series) < rs.scenario_end}
        if short:
            text = ", ".join(f"{s} ends {y}" for s, y in short.items())
            out.add("scenarios_to_2050", "fail", "error", f"{name}: {text} (< {rs.scenario_end})",
                    value=min(short.values()), threshold=rs.scenario_end)
        else:
            out.add("scenarios_to_2050", "pass", "info", f"{name} reaches {rs.scenario_end} in "
                    f"every sector", threshold=rs.scenario_end)
    # base-year data for every absolute target
    for t in targets:
        if t.kind in ("absolute", "sector") and t.base_year is not None:
            base = data.base(t.base_year)
            total_only = t.sector is None and data.total_in(t.base_year) is not None
            if not total_only and (base is None or (t.sector is not None and
                                                    t.sector not in base)):
                where = f" for sector {t.sector}" if t.sector else ""
                out.add("target_base_data", "fail", "error",
                        f"{t.kind} target {t.target_year}: no emissions for base year "
                        f"{t.base_year}{where} in the observed data", sector=t.sector,
                        year=t.base_year)
    if not any(r["rule"] == "target_base_data" for r in out.rows):
        out.add("target_base_data", "pass", "info",
                "base-year emissions found for every absolute and sector target")
    _ambition_rows(data, rs, out)
    _plan_data_rows(data, out)
    if rs.sector_ranges is not None:
        out.rows.extend(_cctf_rows(data, rs.sector_ranges, {**rs.sector_map,
                                                            **(sector_map or {})}, rs.name))
    return out.frame()


