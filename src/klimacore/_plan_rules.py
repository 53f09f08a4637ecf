"""Rules that relate the parts of a climate action plan to each other (internal).

Each rule is a named function returning one :class:`~klimacore.errors.ValidationError` per
problem, with its own ``code``, ``label`` and ``location`` (a field path, ``"actions[1].id"``). They read either a
validated :class:`klimacore.models.ClimateActionPlan` or the raw document (a dict from JSON),
so a document with field errors still gets its cross-field problems reported in the same round
(:func:`klimacore.models.plan_problems`). Every rule is linear in the size of the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from klimacore.errors import ValidationError

Located = list[ValidationError]


def _problem(location: str, message: str, code: str, label: Any) -> ValidationError:
    return ValidationError(f"{location}: {message}", code=code, label=label, location=location)


def _get(obj: Any, key: str, default: Any = None) -> Any:
    if type(obj) is dict:
        return obj.get(key, default)
    if isinstance(obj, Mapping):
        return obj.get(key, default)
    return getattr(obj, key, default)


def _items(obj: Any, key: str) -> list[Any]:
    value = _get(obj, key, ())
    return list(value) if isinstance(value, list | tuple) else []


def _label(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def rule_gwp_metric_agrees(plan: Any) -> Located:
    """The inventory's GWP metric is the plan's."""
    inventory = _get(plan, "inventory")
    if inventory is None:
        return []
    plan_metric = _get(plan, "gwp_metric", "AR5GWP100")
    inv_metric = _get(inventory, "gwp_metric", "AR5GWP100")
    if inv_metric != plan_metric:
        return [_problem("inventory.gwp_metric", f"{inv_metric} differs from the plan's "
                         f"gwp_metric {plan_metric}", "plan.gwp_metric_disagrees", inv_metric)]
    return []


def rule_unique_ids(plan: Any) -> Located:
    """Every action id and every indicator id is used once (linear in the number of items)."""
    out: Located = []
    for field in ("actions", "indicators"):
        first: dict[Any, int] = {}
        for i, item in enumerate(_items(plan, field)):
            ident = _label(_get(item, "id"))
            if not isinstance(ident, str):
                continue
            if ident in first:
                out.append(_problem(f"{field}[{i}].id", f"id {ident!r} is already used by "
                                    f"{field}[{first[ident]}]", "plan.duplicate_id", ident))
            else:
                first[ident] = i
    return out


def rule_known_indicator_links(plan: Any) -> Located:
    """Every indicator an action links to is one of the plan's indicators."""
    known = {_label(_get(ind, "id")) for ind in _items(plan, "indicators")}
    out: Located = []
    for i, action in enumerate(_items(plan, "actions")):
        links = _get(action, "indicators", ())
        if not isinstance(links, list | tuple):
            continue
        unknown = [x for x in (_label(v) for v in links) if x not in known]
        if unknown:
            out.append(_problem(f"actions[{i}].indicators", f"action {_get(action, 'id')!r} "
                                f"links unknown indicators {unknown}", "plan.unknown_indicator",
                                unknown[0] if len(unknown) == 1 else unknown))
    return out


def rule_scenarios_after_baseline(plan: Any) -> Located:
    """BAU and action scenarios start no earlier than the baseline year."""
    base = _get(plan, "baseline_year")
    if not isinstance(base, int) or isinstance(base, bool):
        return []
    out: Located = []
    for name in ("bau", "action_scenario"):
        emissions = _get(_get(plan, name), "emissions")
        if not isinstance(emissions, Mapping):
            continue
        years: set[int] = set()
        for series in emissions.values():
            for year in series if isinstance(series, Mapping) else ():
                try:
                    years.add(int(year))
                except (TypeError, ValueError):
                    continue
        early = sorted(y for y in years if y < base)
        if early:
            out.append(_problem(f"{name}.emissions", f"years {early} are before baseline_year "
                                f"{base}", "plan.scenario_before_baseline", early))
    return out


def rule_one_target_per_year(plan: Any) -> Located:
    """At most one target per (target year, sector, boundary, base year or net zero/per capita).

    The plan check would otherwise use only the last of two such targets.
    """
    seen: dict[tuple[Any, ...], int] = {}
    out: Located = []
    for i, target in enumerate(_items(plan, "targets")):
        kind = _get(target, "kind")
        measure = kind if kind in ("net_zero", "per_capita") else _get(target, "base_year")
        key = (_get(target, "target_year"), _label(_get(target, "sector")),
               _get(target, "boundary", "territorial"), measure)
        if key[0] is None or isinstance(key[0], dict | list):
            continue
        if key in seen:
            sector = f"sector {key[1]}" if key[1] else "the whole economy"
            what = {"net_zero": "net zero", "per_capita": "per capita"}.get(
                str(measure), f"base year {measure}")
            out.append(_problem(f"targets[{i}]", f"a second target for {key[0]}, {sector}, "
                                f"{key[2]} boundary, {what} (first: targets[{seen[key]}]); "
                                "state each target once", "plan.duplicate_target", key[0]))
        else:
            seen[key] = i
    return out


CROSS_FIELD_RULES = (rule_gwp_metric_agrees, rule_unique_ids, rule_known_indicator_links,
                     rule_scenarios_after_baseline, rule_one_target_per_year)
"""The rules that relate parts of a plan to each other, in the order they are reported."""


def cross_field_errors(plan: Any) -> Located:
    """Every cross-field problem of a plan or a raw plan document, one error each.

    >>> [(e.code, e.label, e.location) for e in cross_field_errors(
    ...     {"actions": [{"id": "A1"}, {"id": "A1"}]})]
    [('plan.duplicate_id', 'A1', 'actions[1].id')]
    """
    if not isinstance(plan, Mapping) and not hasattr(plan, "actions"):
        return []
    return [p for rule in CROSS_FIELD_RULES for p in rule(plan)]


def cross_field_problems(plan: Any) -> list[tuple[str, str]]:
    """Every cross-field problem of a plan or a raw plan document, as (location, message).

    >>> cross_field_problems({"actions": [{"id": "A1"}, {"id": "A1"}]})
    [('actions[1].id', "id 'A1' is already used by actions[0]")]
    """
    out = []
    for error in cross_field_errors(plan):
        where = error.location or ""
        out.append((where, str(error).removeprefix(f"{where}: ")))
    return out
