"""Sections from monitoring rounds and plans: M5–M7 per municipality, N1, N3, N4 for areas.

Pure: a :class:`klimacore.monitoring.RoundData` (and the municipality's plan, for indicator
targets) in, JSON-ready sections out. Statuses are computed by :mod:`klimacore.monitoring`
(MONITORING.md §A.4) for the report's ``as_of`` date, never read from the plan's declared status.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

__all__ = ["area_action_portfolio", "area_ambition", "area_transition", "round_sections"]

_LEVELS = ("output", "outcome", "impact")
_STARTED = ("implementation", "completed")
MILESTONE_YEAR = 2030


def _num(x: Any) -> float | None:
    if x is None:
        return None
    v = float(x)
    return None if math.isnan(v) else v


def _table(tid: str, columns: Sequence[tuple[str, str | None]],
           rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    return {"id": tid, "columns": [{"key": k, "unit": u} for k, u in columns],
            "rows": [list(r) for r in rows]}


def _section(sid: str, *, tables: Sequence[dict[str, Any]] = (),
             notes: Sequence[dict[str, Any]] = (), figures: Sequence[dict[str, Any]] = (),
             available: bool = True, illustrative: bool = False) -> dict[str, Any]:
    return {"id": sid, "available": available, "illustrative": illustrative,
            "tables": list(tables), "notes": list(notes), "figures": list(figures)}


def _note(key: str, **values: Any) -> dict[str, Any]:
    return {"key": key, "values": values}


def _effect(profile: Mapping[int, float]) -> float | None:
    """Expected reduction at the milestone year (2030), else the profile's last year."""
    if not profile:
        return None
    if MILESTONE_YEAR in profile:
        return float(profile[MILESTONE_YEAR])
    return float(profile[max(profile)])


def _indicator_results(rd: Any, plan: Any, as_of: dt.date) -> tuple[list[dict[str, Any]], bool]:
    """Every indicator of the round (and of the plan) with its computed status."""
    from klimacore.monitoring import INDICATOR_STATUS, indicator_status, indicator_targets

    meta = {i.id: i for i in rd.indicators}
    plan_ind = {i.id: i for i in (plan.indicators if plan is not None else ())}
    ids = list(meta) + [i for i in plan_ind if i not in meta]
    ids += sorted({o.indicator_id for o in rd.observations} - set(ids))
    if not ids:
        return [], plan is not None
    years = sorted({o.year for o in rd.observations}) or [rd.round.year]
    obs = np.full((len(ids), len(years)), np.nan)
    release: dict[tuple[str, int], dt.date] = {}
    for o in rd.observations:  # the latest data release wins, as in observation_panel
        key = (o.indicator_id, o.year)
        if key not in release or o.release_date >= release[key]:
            release[key] = o.release_date
            obs[ids.index(o.indicator_id), years.index(o.year)] = o.value
    have = [i for i in ids if i in plan_ind]
    out = []
    status: dict[str, Any] = {}
    if have:
        targets = indicator_targets([plan_ind[i] for i in have])
        rows = [ids.index(i) for i in have]
        res = indicator_status(
            baseline_year=targets["baseline_year"], baseline_value=targets["baseline_value"],
            target_year=targets["target_year"], target_value=targets["target_value"],
            direction=targets["direction"],
            observations=xr.DataArray(obs[rows], dims=("indicator", "year"),
                                      coords={"indicator": have, "year": years}),
            as_of_year=as_of.year)
        for k, i in enumerate(have):
            status[i] = {v: res[v].to_numpy()[k] for v in res.data_vars}
    for k, i in enumerate(ids):
        m, p = meta.get(i), plan_ind.get(i)
        seen = [(y, obs[k, j]) for j, y in enumerate(years) if not math.isnan(obs[k, j])
                and y <= as_of.year]
        r = status.get(i)
        out.append({
            "id": i, "name": (m.name if m else p.name if p else i),
            "unit": (m.unit if m else p.unit if p else None),
            "level": (m.level if m else p.level if p else None),
            "category": m.category if m else None,
            "latest_year": None if not seen else int(seen[-1][0]),
            "latest_value": None if not seen else float(seen[-1][1]),
            "expected": None if r is None else _num(r["expected"]),
            "target_year": None if r is None or _num(r["target_year"]) is None
            else int(r["target_year"]),
            "target": None if r is None else _num(r["target_value"]),
            "progress_pct": None if r is None else _num(r["progress_pct"]),
            "gap": None if r is None else _num(r["gap"]),
            "status": "no data" if r is None else INDICATOR_STATUS[int(r["status"])],
            "wrong_direction": None if r is None else ("yes" if bool(r["wrong_direction"])
                                                      else "no"),
            "has_target": r is not None,
        })
    return out, plan is not None


def _action_results(rd: Any, indicators: Sequence[Mapping[str, Any]],
                    as_of: dt.date) -> list[dict[str, Any]]:
    """Every action of the round with its status (MONITORING.md §A.4.1), reason and freshness."""
    from klimacore.monitoring import (
        ACTION_REASONS,
        ACTION_STATUS,
        FRESHNESS,
        INDICATOR_STATUS,
        action_status,
    )

    actions = list(rd.actions)
    if not actions:
        return []
    upd = {u.action_id: u for u in rd.updates}
    ids = [a.id for a in actions]
    phase = [upd[a.id].phase if a.id in upd else a.phase for a in actions]
    state = [upd[a.id].state if a.id in upd else a.state for a in actions]
    n_ms = max([len(a.milestones) for a in actions] + [1])
    due = np.full((len(ids), n_ms), np.datetime64("NaT"), dtype="datetime64[D]")
    done = np.full((len(ids), n_ms), np.datetime64("NaT"), dtype="datetime64[D]")
    for k, a in enumerate(actions):
        met = set(upd[a.id].milestones_met) if a.id in upd else set()
        for j, ms in enumerate(a.milestones):
            due[k, j] = np.datetime64(ms.due)
            when = ms.done or (upd[a.id].date if ms.name in met else None)
            if when is not None:
                done[k, j] = np.datetime64(when)
    last = np.array([np.datetime64(upd[a.id].date) if a.id in upd else np.datetime64("NaT")
                     for a in actions], dtype="datetime64[D]")
    panel = xr.Dataset({
        "phase": ("action", phase), "state": ("action", state),
        "start": ("action", [a.start for a in actions]),
        "end": ("action", [a.end for a in actions]),
        "status_override": ("action", [a.status_override or "" for a in actions]),
        "milestone_due": (("action", "milestone"), due),
        "milestone_done": (("action", "milestone"), done),
        "last_update": ("action", last)}, coords={"action": ids})
    ind_ids = [i["id"] for i in indicators if i["has_target"]]
    links = [lk for lk in rd.links if lk.indicates_progress and lk.indicator_id in ind_ids]
    kwargs: dict[str, Any] = {}
    if links:
        codes = [INDICATOR_STATUS.index(i["status"]) for i in indicators if i["has_target"]]
        matrix = np.zeros((len(ids), len(ind_ids)), dtype=bool)
        for lk in links:
            matrix[ids.index(lk.action_id), ind_ids.index(lk.indicator_id)] = True
        kwargs = {"indicator_status": xr.DataArray(np.asarray(codes, dtype=np.int8),
                                                   dims="indicator",
                                                   coords={"indicator": ind_ids}),
                  "links": xr.DataArray(matrix, dims=("action", "indicator"),
                                        coords={"action": ids, "indicator": ind_ids})}
    res = action_status(panel, as_of=np.datetime64(as_of), **kwargs)
    out = []
    for k, a in enumerate(actions):
        reason = ACTION_REASONS[int(res["reason"][k])]
        idx = int(res["reason_index"][k])
        detail = None
        if reason == "milestone overdue" and idx >= 0:
            detail = a.milestones[idx].name
        elif reason == "progress indicator off track" and idx >= 0:
            detail = ind_ids[idx]
        u = upd.get(a.id)
        out.append({"id": a.id, "title": a.title, "kind": a.kind, "sector": a.sector,
                    "phase": phase[k], "state": state[k],
                    "status": ACTION_STATUS[int(res["status"][k])], "reason": reason or None,
                    "detail": detail,
                    "freshness": FRESHNESS[int(res["freshness"][k])],
                    "expected": _effect(a.expected_effect),
                    "realised": None if u is None else _num(u.realised_effect_t),
                    "reported": u is not None})
    return out


_INACTIVE = ("merged", "completed", "cancelled", "out of scope", "postponed")


def _portfolio_tables(acts: Sequence[Mapping[str, Any]], tid: str) -> list[dict[str, Any]]:
    """Counts and t CO2e by status and sector, and the plan-level shares (§A.4.5)."""
    from klimacore.monitoring import ACTION_STATUS

    cells: dict[tuple[str, str], list[Any]] = {}
    for a in acts:
        c = cells.setdefault((a["status"], a["sector"]), [0, 0.0, None])
        c[0] += 1
        c[1] += a["expected"] or 0.0
        if a["realised"] is not None:
            c[2] = (c[2] or 0.0) + a["realised"]
    order = {s: i for i, s in enumerate(ACTION_STATUS)}
    rows = [[st, sec, v[0], v[1], v[2]] for (st, sec), v in
            sorted(cells.items(), key=lambda kv: (order[kv[0][0]], kv[0][1]))]
    by_status = _table(tid, [("status", None), ("sector", None), ("n", "actions"),
                             ("expected_effect", "t CO2e"), ("realised_effect", "t CO2e")], rows)
    n_all = sum(1 for a in acts if a["status"] != "merged")
    active = [a for a in acts if a["status"] not in _INACTIVE]
    started = [a for a in acts if a["status"] != "merged" and a["phase"] in _STARTED]
    planning = [a for a in acts if a["status"] != "merged" and a["phase"] == "planning"]

    def share(n: int, d: int) -> float | None:
        return None if d == 0 else 100.0 * n / d

    exp_all = sum(a["expected"] or 0.0 for a in acts if a["status"] != "merged")
    summary = _table(f"{tid}_summary", [
        ("n_actions", "actions"), ("n_active", "actions"), ("share_started", "%"),
        ("share_started_incl_planning", "%"), ("share_completed", "%"), ("share_late", "%"),
        ("share_reported", "%"), ("expected_started", "%")], [[
            len(acts), len(active), share(len(started), n_all),
            share(len(started) + len(planning), n_all),
            share(sum(a["status"] == "completed" for a in acts), n_all),
            share(sum(a["status"] == "late" for a in active), len(active)),
            share(sum(a["reported"] for a in active), len(active)),
            None if not exp_all else 100.0 * sum(a["expected"] or 0.0 for a in started)
            / exp_all]])
    totals: dict[str, list[Any]] = {}
    for a in acts:
        c = totals.setdefault(a["status"], [0, 0.0])
        c[0] += 1
        c[1] += a["expected"] or 0.0
    per_status = _table(f"{tid}_status", [("status", None), ("n", "actions"),
                                          ("expected_effect", "t CO2e")],
                        [[st, *totals[st]] for st in ACTION_STATUS if st in totals])
    return [summary, per_status, by_status]


def _status_bars(tables: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """F4 from the per-status table (the figure's numbers are that table's rows)."""
    rows = next(t for t in tables if t["id"].endswith("_status"))["rows"]
    return {"id": "F4", "kind": "status_bars", "data": {"bars": [list(r) for r in rows]}}


def _round_note(rd: Any) -> dict[str, Any]:
    r = rd.round
    return _note("round_note", municipality=r.municipality, year=r.year, revision=r.revision,
                 state=r.state, closed=str(r.closed_at) if r.closed_at else "–",
                 note=rd.note or "–")


def round_sections(rd: Any, plan: Any, as_of: dt.date) -> tuple[list[dict[str, Any]],
                                                                 dict[str, Any]]:
    """M5, M6 and M7 from one municipality's round; also the raw rows for area roll-ups."""
    ill = bool(rd.illustrative)
    indicators, with_plan = _indicator_results(rd, plan, as_of)
    acts = _action_results(rd, indicators, as_of)
    rnote = _round_note(rd)
    # M5
    if acts:
        rows = [[a["id"], a["title"], a["kind"], a["sector"], a["phase"], a["state"],
                 a["status"], a["reason"], a["detail"], a["freshness"], a["expected"],
                 a["realised"]]
                for a in acts]
        listing = _table("M5_actions", [
            ("action", None), ("title", None), ("kind", None), ("sector", None),
            ("phase", None), ("state", None), ("status", None), ("reason", None),
            ("reason_detail", None), ("freshness", None), ("expected_effect", "t CO2e"), ("realised_effect", "t CO2e")],
            rows)
        tables5 = [*_portfolio_tables(acts, "M5"), listing]
        m5 = _section("M5", illustrative=ill, tables=tables5,
                      notes=[rnote, _note("action_rules", as_of=as_of.isoformat()),
                             _note("effect_year", year=MILESTONE_YEAR)],
                      figures=[_status_bars(tables5)])
    else:
        m5 = _section("M5", available=False, illustrative=ill,
                      notes=[_note("round_no_actions"), rnote])
    # M6
    if indicators:
        rows6 = [[i["id"], i["name"], i["unit"], i["level"], i["category"], i["latest_year"],
                  i["latest_value"], i["expected"], i["target_year"], i["target"],
                  i["progress_pct"], i["gap"], i["status"], i["wrong_direction"]]
                 for i in indicators]
        notes6 = [rnote, _note("indicator_rules")]
        if not with_plan:
            notes6.append(_note("indicator_no_plan"))
        elif any(not i["has_target"] for i in indicators):
            notes6.append(_note("indicator_no_target", items=", ".join(
                i["id"] for i in indicators if not i["has_target"])))
        cells = [[i["level"] or "–", i["category"] or "–", i["name"], i["status"]]
                 for i in indicators]
        m6 = _section("M6", illustrative=ill, tables=[_table("M6", [
            ("indicator", None), ("name", None), ("unit", None), ("level", None),
            ("category", None), ("latest_year", None), ("latest_value", "value"),
            ("expected", "value"), ("target_year", None), ("target", "value"),
            ("progress_pct", "%"), ("gap", "value"), ("status", None),
            ("wrong_direction", None)], rows6)], notes=notes6,
            figures=[{"id": "F5", "kind": "traffic", "data": {"cells": cells}}])
    else:
        m6 = _section("M6", available=False, illustrative=ill,
                      notes=[_note("round_no_indicators"), rnote])
    # M7
    adapt = [a for a in acts if a["kind"] in ("adaptation", "both")]
    events = sorted(rd.events, key=lambda e: (e.date, e.hazard, e.area))
    tables7 = []
    if events:
        tables7.append(_table("M7_events", [("date", None), ("hazard", None), ("area", None),
                                            ("damage_dkk", "DKK"), ("insured_claims", "claims")],
                              [[e.date.isoformat(), e.hazard, e.area, _num(e.damage_dkk),
                                e.insured_claims] for e in events]))
        by_h: dict[str, list[Any]] = {}
        for e in events:
            h = by_h.setdefault(e.hazard, [0, None, 0])
            h[0] += 1
            if e.damage_dkk is None:
                h[2] += 1
            else:
                h[1] = (h[1] or 0.0) + float(e.damage_dkk)
        tables7.append(_table("M7", [("hazard", None), ("n_events", "events"),
                                     ("damage_dkk", "DKK"), ("n_damage_unknown", "events")],
                              [[h, *v] for h, v in sorted(by_h.items())]))
    if adapt:
        counts: dict[str, int] = {}
        for a in adapt:
            counts[a["status"]] = counts.get(a["status"], 0) + 1
        tables7.append(_table("M7_actions", [("status", None), ("n", "actions")],
                              sorted(counts.items())))
    notes7 = [rnote]
    if plan is not None and plan.adaptation is not None:
        ad = plan.adaptation
        notes7.append(_note("plan_hazards", hazards=", ".join(ad.hazards) or "–",
                            date=str(ad.risk_assessment_date or "–")))
    if not events:
        notes7.append(_note("no_events"))
    m7 = _section("M7", illustrative=ill, tables=tables7, notes=notes7,
                  available=bool(tables7))
    if not tables7:
        m7["notes"].insert(0, _note("round_no_adaptation"))
    raw = {"actions": acts, "indicators": indicators, "illustrative": ill}
    return [m5, m6, m7], raw


def area_action_portfolio(name: str, raws: Mapping[int, Mapping[str, Any]],
                          members: Sequence[int]) -> dict[str, Any]:
    """N3: Σ actions of the members' rounds by status and sector, with the shares."""
    given = [c for c in members if c in raws]
    if not given:
        return _section("N3", available=False, notes=[_note("no_rounds_area", name=name)])
    acts = [a for c in given for a in raws[c]["actions"]]
    ill = any(raws[c]["illustrative"] for c in given)
    notes = [_note("rounds_cover", n=len(given), of=len(members),
                   items=", ".join(f"{c:04d}" for c in given))]
    if not acts:
        return _section("N3", available=False, illustrative=ill,
                        notes=[_note("round_no_actions"), *notes])
    tables3 = _portfolio_tables(acts, "N3")
    return _section("N3", illustrative=ill, tables=tables3, notes=notes,
                    figures=[_status_bars(tables3)])


_NOT_SUMMED = ("percent", "%")


def area_transition(name: str, raws: Mapping[int, Mapping[str, Any]],
                    members: Sequence[int]) -> dict[str, Any]:
    """N4: the members' transition indicators: latest values and plan targets, summed where the
    unit adds up (counts, areas; never shares)."""
    given = [c for c in members if c in raws]
    cells: dict[str, dict[str, Any]] = {}
    for c in given:
        for i in raws[c]["indicators"]:
            if i["category"] != "transition":
                continue
            cell = cells.setdefault(i["id"], {"name": i["name"], "unit": i["unit"], "n": 0,
                                              "latest": 0.0, "target": 0.0, "years": set(),
                                              "no_latest": 0, "no_target": 0})
            cell["n"] += 1
            if i["latest_value"] is None:
                cell["no_latest"] += 1
            else:
                cell["latest"] += i["latest_value"]
                cell["years"].add(i["latest_year"])
            if i["target"] is None or i["target_year"] != MILESTONE_YEAR:
                cell["no_target"] += 1
            else:
                cell["target"] += i["target"]
    if not cells:
        return _section("N4", available=False, notes=[
            _note("no_rounds_area", name=name) if not given else _note("no_transition")])
    ill = any(raws[c]["illustrative"] for c in given)
    rows = []
    for iid in sorted(cells):
        v = cells[iid]
        additive = str(v["unit"]) not in _NOT_SUMMED
        yrs = sorted(v["years"])
        rows.append([iid, v["name"], v["unit"], v["n"],
                     "–" if not yrs else (str(yrs[0]) if len(yrs) == 1 else
                                          f"{yrs[0]}–{yrs[-1]}"),
                     v["latest"] if additive and not v["no_latest"] else None,
                     v["target"] if additive and not v["no_target"] else None])
    return _section("N4", illustrative=ill, tables=[_table("N4", [
        ("indicator", None), ("name", None), ("unit", None), ("n", "municipalities"),
        ("latest_year", None), ("latest_sum", "value"), ("target_2030_sum", "value")], rows)],
        notes=[_note("rounds_cover", n=len(given), of=len(members),
                     items=", ".join(f"{c:04d}" for c in given)), _note("transition_note")])


def area_ambition(name: str, plans: Mapping[int, Any], members: Sequence[int],
                  n_all: int = 98) -> dict[str, Any]:
    """N1: do the members' plans over-fulfil 70 %? (:func:`klimacore.monitoring.national_rollup`
    over the plans given; the rest are named as not covered, never filled)."""
    from klimacore.monitoring import national_rollup
    from klimacore.trajectory import manko

    given = [c for c in members if c in plans]
    if not given:
        return _section("N1", available=False, notes=[_note("no_plans_area", name=name)])
    e90, tgt, act = [], [], []
    for c in members:
        plan = plans.get(c)
        if plan is None:
            e90.append(np.nan)
            tgt.append(np.nan)
            act.append(np.nan)
            continue
        obs = plan.observed.emissions if plan.observed is not None else {}
        vals = [by_year.get(1990) for by_year in obs.values()]
        e90.append(float(sum(vals)) if vals and all(v is not None for v in vals) else np.nan)
        m = manko(plan)
        row = m[(m["sector"] == "total") & (m["year"] == MILESTONE_YEAR)]
        tgt.append(float(row["target_t"].iloc[0]) if len(row) else np.nan)
        act.append(float(row["action_t"].iloc[0]) if len(row) else np.nan)

    def da(v: list[float]) -> xr.DataArray:
        return xr.DataArray(np.asarray(v), dims="municipality", coords={"municipality": members})

    r = national_rollup(da(e90), da(tgt), da(act))
    n = int(r["n_municipalities"])
    ill = any(bool(plans[c].illustrative) for c in given)
    yes_no = {True: "yes", False: "no"}
    rows = [[n, len(members), _num(r["sum_1990_t"]), _num(r["sum_target_t"]),
             _num(r["sum_action_t"]), _num(r["reduction_target_pct"]),
             _num(r["reduction_action_pct"]), _num(r["manko_t"]), _num(r["manko_pp"]),
             yes_no[bool(r["target_over_fulfils"])] if n else None,
             yes_no[bool(r["action_over_fulfils"])] if n else None]]
    notes = [_note("n1_cover", n=n, of=len(members), all=n_all,
                   items=", ".join(f"{c:04d}" for c in given)),
             _note("n1_rule", year=MILESTONE_YEAR)]
    incomplete = [c for c, a, b, d in zip(members, e90, tgt, act, strict=True)
                  if c in plans and (math.isnan(a) or math.isnan(b) or math.isnan(d))]
    if incomplete:
        notes.append(_note("n1_incomplete", items=", ".join(f"{c:04d}" for c in incomplete)))
    return _section("N1", illustrative=ill, tables=[_table("N1", [
        ("n_plans", "municipalities"), ("n_members", "municipalities"),
        ("sum_1990", "t CO2e"), ("sum_target_2030", "t CO2e"), ("sum_action_2030", "t CO2e"),
        ("reduction_target", "%"), ("reduction_action", "%"), ("manko_t", "t CO2e"),
        ("manko_pp", "pp"), ("target_over_fulfils", None), ("action_over_fulfils", None)],
        rows)], notes=notes)
