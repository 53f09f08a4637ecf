"""What changed between two versions of a plan: targets, baseline, actions, scenarios (internal).

:func:`diff` returns a :class:`PlanDiff`: a tidy table (one row per change) and a readable
summary. The no-backsliding rule ``K9.no_backsliding`` reads its target rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from klimacore.certification._planrules import _base  # one reading of a plan's base year
from klimacore.errors import ValidationError
from klimacore.forms import plan_data

if TYPE_CHECKING:
    import pandas as pd

    from klimacore.models import Action, ClimateActionPlan, Target

__all__ = ["DIFF_COLUMNS", "PlanDiff", "diff"]

DIFF_COLUMNS: tuple[str, ...] = (
    "entity", "id", "sector", "year", "change", "old", "new", "delta", "unit", "message",
)
"""Columns of :attr:`PlanDiff.table`. ``entity``: plan, baseline, history, target, action,
scenario or inventory; ``change`` e.g. tightened, weakened, added, removed, merged, re-scoped,
effect changed, recalculated."""

WEAKER = ("weakened", "removed")
SCENARIO_YEARS = (2030, 2050)
_REL = 1e-9


@dataclass(frozen=True)
class PlanDiff:
    """The changes from ``old`` to ``new``: :attr:`rows` (plain dicts) and :meth:`table`."""

    municipality: int
    old_version: str
    new_version: str
    rows: tuple[dict[str, Any], ...]

    def table(self) -> pd.DataFrame:
        """The changes as a tidy table in :data:`DIFF_COLUMNS` order."""
        import pandas as pd

        out = pd.DataFrame(list(self.rows), columns=list(DIFF_COLUMNS))
        out["year"] = out["year"].astype("Int64")
        for col in ("old", "new", "delta"):
            out[col] = pd.to_numeric(out[col], errors="coerce").astype(float)
        return out

    def weakened_targets(self) -> list[dict[str, Any]]:
        """Target rows that weaken the plan (weakened or removed targets, later net zero)."""
        return [r for r in self.rows if r["entity"] == "target" and r["change"] in WEAKER]

    def summary(self) -> str:
        """A few readable lines: counts of each kind of change and the main figures."""
        lines = [f"plan {self.municipality}: version {self.old_version} → {self.new_version}"]
        by_entity: dict[str, dict[str, int]] = {}
        for r in self.rows:
            by_entity.setdefault(r["entity"], {}).setdefault(r["change"], 0)
            by_entity[r["entity"]][r["change"]] += 1
        for entity in ("target", "baseline", "history", "action", "scenario", "inventory", "plan"):
            counts = by_entity.get(entity)
            if counts:
                text = ", ".join(f"{n} {c}" for c, n in sorted(counts.items()))
                lines.append(f"  {entity}s: {text}")
        for r in self.rows:
            if (r["entity"] == "baseline" and r["sector"] == "total") or (
                    r["entity"] == "target" and r["change"] in WEAKER):
                lines.append(f"  - {r['message']}")
        if len(lines) == 1:
            lines.append("  no changes")
        return "\n".join(lines)


def _row(entity: str, change: str, message: str, *, id: str = "", sector: str | None = None,
         year: int | None = None, old: float | None = None, new: float | None = None,
         unit: str = "") -> dict[str, Any]:
    delta = (new - old) if old is not None and new is not None else None
    return {"entity": entity, "id": id, "sector": sector, "year": year,
            "change": change, "old": old, "new": new, "delta": delta, "unit": unit,
            "message": message}


def _level(plan: ClimateActionPlan, t: Target) -> float | None:
    if t.kind == "net_zero":
        return 0.0
    if t.base_year is None or t.reduction_pct is None:
        return None
    base = _base(plan, t.base_year)
    if base is None:
        return None
    value = base.get(t.sector) if t.sector else sum(base.values())
    return None if value is None else value * (1 - t.reduction_pct / 100)


def _label(t: Target) -> str:
    return f"{t.sector + ' ' if t.sector else ''}{t.kind} target {t.target_year}"


def _compare_target(old_plan: ClimateActionPlan, new_plan: ClimateActionPlan, t: Target,
                    n: Target) -> dict[str, Any]:
    what = _label(t)
    key: dict[str, Any] = {"id": what, "sector": t.sector, "year": t.target_year}
    if t.kind == "per_capita":
        a, b = float(t.per_capita_t or 0.0), float(n.per_capita_t or 0.0)
        change = "tightened" if b < a else ("weakened" if b > a else "unchanged")
        return _row("target", change, f"{what}: {b:g} t/cap (was {a:g})", old=a, new=b,
                    unit="t/cap", **key)
    if n.base_year == t.base_year:
        a, b = float(t.reduction_pct or 0.0), float(n.reduction_pct or 0.0)
        change = "tightened" if b > a + _REL else ("weakened" if b < a - _REL else "unchanged")
        return _row("target", change, f"{what}: −{b:g} % vs {n.base_year} (was −{a:g} %)",
                    old=a, new=b, unit="% reduction", **key)
    lo, ln = _level(old_plan, t), _level(new_plan, n)
    if lo is None or ln is None:
        return _row("target", "not comparable",
                    f"{what}: base year {t.base_year} → {n.base_year}; the base-year emissions "
                    "needed to compare the levels are missing", **key)
    tol = _REL * max(abs(lo), 1.0)
    change = "tightened" if ln < lo - tol else ("weakened" if ln > lo + tol else "unchanged")
    return _row("target", change, f"{what}: level {ln:,.0f} t (was {lo:,.0f} t; base year "
                f"{t.base_year} → {n.base_year})", old=lo, new=ln, unit="t", **key)


def _targets(old: ClimateActionPlan, new: ClimateActionPlan) -> list[dict[str, Any]]:
    rows = []
    a, b = old.net_zero_year, new.net_zero_year
    if a is not None or b is not None:
        if b is None:
            rows.append(_row("target", "removed", f"net-zero target ({a}) dropped",
                             id="net zero", year=a, old=a))
        elif a is None:
            rows.append(_row("target", "added", f"net-zero target {b} added", id="net zero",
                             year=b, new=b))
        else:
            change = "tightened" if b < a else ("weakened" if b > a else "unchanged")
            rows.append(_row("target", change, f"net zero {b} (was {a})", id="net zero",
                             year=b, old=a, new=b, unit="year"))

    def key(t: Target) -> tuple[str, str | None, int]:
        return (t.kind, t.sector, t.target_year)

    new_by = {key(t): t for t in new.targets if t.kind != "net_zero"}
    old_keys = set()
    for t in old.targets:
        if t.kind == "net_zero":
            continue
        old_keys.add(key(t))
        n = new_by.get(key(t))
        if n is None:
            rows.append(_row("target", "removed", f"{_label(t)} dropped", id=_label(t),
                             sector=t.sector, year=t.target_year))
        else:
            rows.append(_compare_target(old, new, t, n))
    for k, n in new_by.items():
        if k not in old_keys:
            rows.append(_row("target", "added", f"{_label(n)} added", id=_label(n),
                             sector=n.sector, year=n.target_year))
    return rows


def _baseline(old: ClimateActionPlan, new: ClimateActionPlan) -> list[dict[str, Any]]:
    rows = []
    year = old.baseline_year
    if new.baseline_year != year:
        rows.append(_row("baseline", "base year moved",
                         f"baseline year {year} → {new.baseline_year}", year=new.baseline_year,
                         old=year, new=new.baseline_year, unit="year"))
    stated = plan_data(old).baseline  # the old version's one base-year inventory
    restated = _base(new, year)
    if restated is None:
        rows.append(_row("baseline", "not comparable", f"the new version has no emissions for "
                         f"the old baseline year {year}", year=year))
        return rows
    for sector in sorted(set(stated) | set(restated)):
        a, b = stated.get(sector), restated.get(sector)
        if a is None or b is None:
            rows.append(_row("baseline", "sector added" if a is None else "sector removed",
                             f"{year} {sector}: {'added' if a is None else 'removed'}",
                             sector=sector, year=year, old=a, new=b, unit="t"))
        elif abs(b - a) > _REL * max(abs(a), 1.0):
            rows.append(_row("baseline", "recalculated", f"{year} {sector}: {b:,.0f} t (was "
                             f"{a:,.0f} t, {b - a:+,.0f} t)", sector=sector, year=year, old=a,
                             new=b, unit="t"))
    ta, tb = sum(stated.values()), sum(restated.values())
    if abs(tb - ta) > _REL * max(abs(ta), 1.0):
        pct = 100 * (tb - ta) / ta if ta else math.nan
        rows.append(_row("baseline", "recalculated", f"baseline {year} recalculated: "
                         f"{tb:,.0f} t (was {ta:,.0f} t, {tb - ta:+,.0f} t, {pct:+.1f} %)",
                         sector="total", year=year, old=ta, new=tb, unit="t"))
    if old.observed is not None and new.observed is not None:
        for y in sorted(set(old.observed.years) & set(new.observed.years) - {year}):
            a, b = old.observed.total(y), new.observed.total(y)
            if abs(b - a) > _REL * max(abs(a), 1.0):
                rows.append(_row("history", "recalculated", f"{y} total: {b:,.0f} t (was "
                                 f"{a:,.0f} t)", sector="total", year=y, old=a, new=b, unit="t"))
    return rows


def _fields(a: Action, b: Action) -> list[str]:
    return [f for f in ("title", "sector", "start", "end", "owner") if getattr(a, f) != getattr(
        b, f)]


def _actions(old: ClimateActionPlan, new: ClimateActionPlan) -> list[dict[str, Any]]:
    rows = []
    old_by = {a.id: a for a in old.actions}
    new_by = {a.id: a for a in new.actions}
    replaces = {d.action_id: d.replaces for d in (new.cctf.actions or ()) if d.replaces} if (
        new.cctf is not None) else {}
    replaced = {o for ids in replaces.values() for o in ids}
    for aid, b in new_by.items():
        olds = [o for o in replaces.get(aid, ()) if o in old_by]
        a = old_by.get(aid)
        if olds and (len(olds) > 1 or olds[0] != aid):
            change = "merged" if len(olds) > 1 else "re-scoped"
            before = sum(old_by[o].expected_effect_t or 0.0 for o in olds)
            after = b.expected_effect_t
            rows.append(_row("action", change, f"{aid} {change} from {', '.join(olds)}: "
                             f"expected effect {after or 0:,.0f} t (was {before:,.0f} t)",
                             id=aid, sector=b.sector, year=b.effect_year, old=before, new=after,
                             unit="t"))
            continue
        if a is None:
            rows.append(_row("action", "added", f"{aid} added: {b.title}", id=aid,
                             sector=b.sector, year=b.effect_year, new=b.expected_effect_t,
                             unit="t"))
            continue
        changed = _fields(a, b)
        if changed:
            rows.append(_row("action", "re-scoped", f"{aid}: {', '.join(changed)} changed",
                             id=aid, sector=b.sector))
        if (a.expected_effect_t, a.effect_year) != (b.expected_effect_t, b.effect_year):
            rows.append(_row("action", "effect changed", f"{aid}: expected effect "
                             f"{b.expected_effect_t} t in {b.effect_year} (was "
                             f"{a.expected_effect_t} t in {a.effect_year})", id=aid,
                             sector=b.sector, year=b.effect_year, old=a.expected_effect_t,
                             new=b.expected_effect_t, unit="t"))
        if a.status != b.status:
            rows.append(_row("action", "status changed", f"{aid}: {a.status} → {b.status}",
                             id=aid, sector=b.sector))
    for aid, a in old_by.items():
        if aid not in new_by and aid not in replaced:
            rows.append(_row("action", "removed", f"{aid} removed: {a.title}", id=aid,
                             sector=a.sector, year=a.effect_year, old=a.expected_effect_t,
                             unit="t"))
    return rows


def _scenarios(old: ClimateActionPlan, new: ClimateActionPlan) -> list[dict[str, Any]]:
    rows = []
    for name in ("bau", "action_scenario"):
        a_s, b_s = getattr(old, name), getattr(new, name)
        if a_s is None or b_s is None:
            if (a_s is None) != (b_s is None):
                rows.append(_row("scenario", "added" if a_s is None else "removed",
                                 f"{name} {'added' if a_s is None else 'removed'}", id=name))
            continue
        for y in SCENARIO_YEARS:
            if y in a_s.years and y in b_s.years:
                a, b = a_s.total(y), b_s.total(y)
                if abs(b - a) > _REL * max(abs(a), 1.0):
                    rows.append(_row("scenario", "changed", f"{name} {y}: {b:,.0f} t (was "
                                     f"{a:,.0f} t)", id=name, sector="total", year=y, old=a,
                                     new=b, unit="t"))
    return rows


def _inventory(old: ClimateActionPlan, new: ClimateActionPlan) -> list[dict[str, Any]]:
    rows = []
    a, b = old.inventory, new.inventory
    dropped = [g for g in a.gases if g not in b.gases]
    added = [g for g in b.gases if g not in a.gases]
    if dropped:
        rows.append(_row("inventory", "gases dropped", f"gas basket no longer covers "
                         f"{', '.join(dropped)}", id="gases"))
    if added:
        rows.append(_row("inventory", "gases added", f"gas basket adds {', '.join(added)}",
                         id="gases"))
    if a.includes_lulucf != b.includes_lulucf:
        rows.append(_row("inventory", "boundary changed", f"LULUCF included: "
                         f"{a.includes_lulucf} → {b.includes_lulucf}", id="includes_lulucf"))
    if a.year != b.year:
        rows.append(_row("inventory", "updated", f"inventory year {a.year} → {b.year}",
                         id="year", old=a.year, new=b.year, unit="year"))
    return rows


def diff(old: ClimateActionPlan, new: ClimateActionPlan) -> PlanDiff:
    """What changed from ``old`` to ``new`` (two versions of one municipality's plan).

    Targets are matched by kind, sector and year: ``tightened`` / ``weakened`` / ``unchanged``
    compare reductions when the base year is the same, otherwise the target levels in t computed
    with each version's own base-year emissions; a later net-zero year is ``weakened``. The old
    baseline year is compared with the new version's emissions for that year (``recalculated``
    by how much), actions by id (``added``, ``removed``, ``re-scoped`` when title, sector,
    timeline or owner changed, ``effect changed``, and ``merged`` / ``re-scoped`` when the new
    action's ``cctf.actions[].replaces`` names old ones), scenario totals in 2030 and 2050, and
    the inventory's gas basket and LULUCF boundary.

    Raises :class:`~klimacore.errors.ValidationError` for plans of different municipalities.

    >>> from klimacore.models import load_example_plan
    >>> new = load_example_plan()
    >>> doc = new.model_dump()
    >>> doc["targets"][1]["reduction_pct"] = 65
    >>> old = type(new).model_validate({**doc, "version": "1.0", "previous_version": None})
    >>> d = diff(old, new)
    >>> t = d.table()
    >>> t[t.change != "unchanged"][["entity", "id", "change", "old", "new"]]
       entity                    id     change   old   new
    2  target  absolute target 2030  tightened  65.0  70.0
    >>> print(d.summary())
    plan 727: version 1.0 → 2.0
      targets: 1 tightened, 5 unchanged
    """
    if old.municipality != new.municipality:
        raise ValidationError(f"cannot diff plans of different municipalities "
                              f"({old.municipality} and {new.municipality})")
    rows: list[dict[str, Any]] = []
    if new.previous_version is not None and new.previous_version != old.version:
        rows.append(_row("plan", "version chain broken", f"the new plan's previous_version is "
                         f"{new.previous_version!r}, the old plan is version {old.version!r}",
                         id="previous_version"))
    rows += _targets(old, new) + _baseline(old, new) + _actions(old, new)
    rows += _scenarios(old, new) + _inventory(old, new)
    return PlanDiff(new.municipality, old.version, new.version, tuple(rows))
