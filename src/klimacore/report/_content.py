"""The report's content: the tables of MONITORING.md §B.2 computed from the monitoring panel.

Pure: the panel (``klimacore.monitoring.account_panel``) and an ``as_of`` date in, plain
JSON-ready dictionaries out (numbers as floats with their unit in the column, ``None`` for "no
data"). Every verdict carries its reference and rule set; every section without input says so.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from klimacore._version import __version__
from klimacore.errors import MissingLabelError, ValidationError
from klimacore.report._rounds import (
    area_action_portfolio,
    area_ambition,
    area_transition,
    round_sections,
)

__all__ = ["DEFAULT_REFERENCES", "SECTOR_MAP", "compute_contents"]

DEFAULT_REFERENCES: tuple[str, ...] = ("ipcc-ar6-c1-ghg", "ipcc-ar6-c3-ghg", "dk-climate-act")
"""References the headline verdicts are given against (those with a base year in the data)."""

SECTOR_MAP: dict[str, str] = {"energi": "energy", "transport": "transport",
                              "landbrug": "agriculture", "affald": "other",
                              "industri": "industry"}
"""Energi- og CO2-regnskab sectors → CCTF 2030 sector-range sectors (waste counts as other)."""

SECTOR_REFERENCE = "cctf-dk-2030-sectors"


def _num(x: Any) -> float | None:
    v = float(x)
    return None if math.isnan(v) else v


def _table(tid: str, columns: Sequence[tuple[str, str | None]],
           rows: Iterable[Sequence[Any]]) -> dict[str, Any]:
    return {"id": tid, "columns": [{"key": k, "unit": u} for k, u in columns],
            "rows": [list(r) for r in rows]}


def _section(sid: str, *, tables: Sequence[dict[str, Any]] = (), notes: Sequence[dict[str, Any]]
             = (), figures: Sequence[dict[str, Any]] = (), available: bool = True,
             illustrative: bool = False) -> dict[str, Any]:
    return {"id": sid, "available": available, "illustrative": illustrative,
            "tables": list(tables), "notes": list(notes), "figures": list(figures)}


def _note(key: str, **values: Any) -> dict[str, Any]:
    return {"key": key, "values": values}


class _Checks:
    """The trajectory checks of every entity (municipalities, regions, Denmark) in one call."""

    def __init__(self, totals: xr.DataArray, sectors: xr.DataArray, references: Sequence[str],
                 gases: Any, window: int = 5) -> None:
        from klimacore import trajectory

        refs = trajectory.resolve_references(list(references))
        years = set(totals["year"].to_numpy().tolist())
        self.refs = [r for r in refs if r.base_year in years]
        self.unchecked = [r for r in refs if r.base_year not in years]
        self.latest = int(totals["year"].max())
        self.years: xr.Dataset | None = None
        self.warnings: list[str] = []
        if self.refs:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.years = trajectory.check_trajectory(
                    totals, self.refs, on_invalid_base="no data", gases=gases).years
                latest = trajectory.latest_verdicts(totals, list(references), gases=gases,
                                                    window=window)
            self.warnings = sorted({str(w.message) for w in caught})
        else:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                latest = trajectory.latest_verdicts(totals, list(references), gases=gases,
                                                    window=window)
            self.warnings = sorted({str(w.message) for w in caught})
        self.window = window
        from klimacore.trajectory import Thresholds

        self.at_risk = float(Thresholds().at_risk_pct)
        frame = latest.to_frame("latest")
        self.latest_rows = frame.set_index(["entity", "reference"])
        ms = latest.to_frame("milestones")
        self.needed = ms.set_index(["entity", "reference", "year"])["needed_pct_of_base"]
        self.all_refs = refs
        self.sector_years: xr.Dataset | None = None
        self.sector_warnings: list[str] = []
        sref = trajectory.resolve_references([SECTOR_REFERENCE])[0]
        if sref.base_year in years and set(sectors["sector"].to_numpy()) <= set(SECTOR_MAP):
            self.sector_ref = sref
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.sector_years = trajectory.check_trajectory(
                    sectors, [sref], on_invalid_base="no data", gases=gases,
                    sector_map=SECTOR_MAP).years
            self.sector_warnings = sorted({str(w.message) for w in caught})

    def verdicts(self, entity: str) -> list[list[Any]]:
        """One row per reference: the latest year against the path, and the verdict (computed
        once per entity: the headline, N2 and N-F2 of the region and Denmark all read it)."""
        cache: dict[str, list[list[Any]]] = self.__dict__.setdefault("_verdict_rows", {})
        if entity not in cache:
            cache[entity] = self._verdicts(entity)
        return [list(r) for r in cache[entity]]

    def _verdicts(self, entity: str) -> list[list[Any]]:
        rows: list[list[Any]] = []
        for ref in self.all_refs:
            r: Any = self.latest_rows.loc[(entity, ref.id)]
            vy = _num(r["verdict_year"])
            needed = None
            if vy is not None and (entity, ref.id, int(vy)) in self.needed.index:
                needed = _num(self.needed.loc[(entity, ref.id, int(vy))])
            lt, al = _num(r["latest_t"]), _num(r["allowed_latest"])
            gap = None if lt is None or al is None else lt - al
            base = _num(r["base_t"])
            rows.append([f"{ref.id}@{ref.version}", int(r["base_year"]),
                         None if _num(r["latest_year"]) is None else int(r["latest_year"]),
                         al, gap, None if gap is None or not base else 100.0 * gap / base,
                         str(r["latest_status"]), str(r["status"]),
                         None if vy is None else int(vy), needed,
                         _num(r["mean_change_pct"]), str(r["reason"]) or None])
        return rows


def _entity_frame(panel: xr.Dataset) -> tuple[xr.DataArray, xr.DataArray, list[dict[str, Any]]]:
    """Totals and sectors of every municipality, region and Denmark on one ``entity`` dim."""
    from klimacore import reference

    munis = reference.municipalities().set_index("code")
    codes = [int(c) for c in panel["municipality"].to_numpy()]
    unknown = sorted(set(codes) - set(munis.index))
    if unknown:
        raise MissingLabelError("municipality code", unknown, dim="municipality")
    region_of = munis.loc[codes, "region_code"].to_numpy()
    e = panel["emissions"]
    reg = xr.DataArray(region_of, dims="municipality")
    by_region = e.groupby(reg.rename("region")).sum(skipna=False)
    dk = e.sum("municipality", skipna=False)
    regions = reference.regions().set_index("region_code")
    entities: list[dict[str, Any]] = []
    for c in codes:
        entities.append({"key": f"{c:04d}", "kind": "municipality", "code": c,
                         "name": str(munis.loc[c, "name"]),
                         "region": int(str(munis.loc[c, "region_code"]))})
    for r in by_region["region"].to_numpy():
        name = str(regions.loc[int(r), "region_name"])
        members = [c for c, rr in zip(codes, region_of, strict=True) if rr == r]
        entities.append({"key": str(int(r)), "kind": "region", "code": int(r), "name": name,
                         "members": members})
    entities.append({"key": "DK", "kind": "denmark", "code": 0, "name": "Danmark",
                     "members": codes})
    keys = [x["key"] for x in entities]
    sectors = xr.concat([e.rename(municipality="entity"),
                         by_region.rename(region="entity"),
                         dk.expand_dims(entity=[0])], dim="entity")
    sectors = sectors.assign_coords(entity=keys)
    totals = sectors.sum("sector", skipna=False).assign_attrs(units="t")
    return totals, sectors.assign_attrs(units="t"), entities


def compute_contents(
    panel: xr.Dataset,
    *,
    as_of: dt.date,
    base_year: int = 2019,
    references: Sequence[str] = DEFAULT_REFERENCES,
    national: pd.Series | None = None,
    national_source: str | None = None,
    plans: Mapping[int, Any] | None = None,
    rounds: Mapping[int, Any] | None = None,
) -> dict[str, dict[str, Any]]:
    """The content of every report (municipalities, regions, Denmark) keyed by report key.

    Parameters
    ----------
    panel
        The monitoring panel (:func:`klimacore.monitoring.account_panel`): ``emissions``
        (municipality × year × sector, t CO2e), ``per_capita`` and ``population``.
    as_of
        The report date: data age is counted to it; the same inputs and date give the same
        content.
    base_year
        The year changes are shown against (must be in the data).
    references
        Trajectory references for the headline verdicts; those whose base year is not in the data
        are listed as "no data" with the reason.
    national
        The national inventory by year in t CO2e (e.g. KF25 excluding LULUCF), for table N5.
    national_source
        Where ``national`` comes from (printed with N5).
    plans
        ``{municipality code: ClimateActionPlan}``: that municipality's own plan gives M4 (manko
        per milestone) and M5 (its actions by declared status and sector), labelled illustrative
        where the plan is. Other municipalities' sections say that no plan was given. For
        regions and Denmark N1 (the 70 % question) is computed over the members' plans given.
    rounds
        ``{municipality code: klimacore.monitoring.RoundData}``: that municipality's monitoring
        round gives M5 (action status computed for ``as_of`` by MONITORING.md §A.4, not the
        plan's declared status), M6 (indicators against the plan's targets) and M7 (adaptation
        actions and climate events); regions and Denmark get N3 and N4 from the members' rounds.
        Municipalities without a round say so (never borrowed).

    Returns
    -------
    dict
        Report key (``"0751"``, ``"1082"``, ``"DK"``) → content (see :func:`report_schema`).
    """
    from klimacore.monitoring import NATIONAL_CAVEATS, decompose_panel

    years = [int(y) for y in panel["year"].to_numpy()]
    if base_year not in years:
        raise ValidationError(f"base_year {base_year} is not in the data's years {years}")
    latest = max(years)
    if latest <= base_year:
        raise ValidationError(f"the data end in {latest}: no change since base_year {base_year}")
    attrs = panel.attrs
    gases = panel["emissions"].attrs.get("gases") or attrs.get("gases") or None
    totals, sectors, entities = _entity_frame(panel)
    plans = dict(plans or {})
    codes = {x["code"] for x in entities if x["kind"] == "municipality"}
    stray = sorted(int(c) for c in plans if int(c) not in codes)
    if stray:
        raise MissingLabelError("municipality of a plan (not in the data)", stray,
                                dim="municipality")
    wrong = [f"plans[{c}] is the plan of municipality {p.municipality}"
             for c, p in plans.items() if int(p.municipality) != int(c)]
    if wrong:
        raise ValidationError("plans must be keyed by their own municipality", wrong)
    rounds = dict(rounds or {})
    stray = sorted(int(c) for c in rounds if int(c) not in codes)
    if stray:
        raise MissingLabelError("municipality of a monitoring round (not in the data)", stray,
                                dim="municipality")
    wrong = [f"rounds[{c}] is the round of municipality {r.round.municipality}"
             for c, r in rounds.items() if int(r.round.municipality) != int(c)]
    if wrong:
        raise ValidationError("rounds must be keyed by their own municipality", wrong)
    raws: dict[int, dict[str, Any]] = {}
    checks = _Checks(totals, sectors, references, gases)
    flags = (panel["emissions"] == 0)
    source = {
        "dataset": str(attrs.get("source", "Energi- og CO2-regnskab")),
        "attribution": str(attrs.get("attribution", "")),
        "years": [min(years), latest],
        "vintage": attrs.get("release"),
        "gwp_metric": attrs.get("gwp_metric"),
        "gases": list(gases) if gases else None,
        "boundary": attrs.get("boundary"),
        "illustrative": bool(attrs.get("illustrative", False)),
    }
    lmdi = decompose_panel(panel, start=base_year, end=latest)
    add = lmdi["additive"]
    base: dict[str, Any] = {"generator": f"klimacore {__version__}", "as_of": as_of.isoformat(),
            "base_year": base_year, "latest_year": latest, "sources": [source],
            "rule_set": {"name": "klimacore latest_verdicts", "at_risk_pct": checks.at_risk,
                     "trend_window_years": checks.window, "anchor": "latest",
                     "indicative_path_from": "base_year"}}
    out: dict[str, dict[str, Any]] = {}
    munis = [x for x in entities if x["kind"] == "municipality"]
    arr = _Arrays(totals, sectors, panel, checks, latest)
    effects = add.sum("sector", skipna=False) if "sector" in add.dims else add
    effects = effects.transpose("municipality", "effect")
    eff_names = [str(k) for k in effects["effect"].to_numpy()]
    eff_np = effects.to_numpy()
    excl_np = lmdi["excluded_change"].to_numpy() if "excluded_change" in lmdi \
        else np.zeros(eff_np.shape[0])
    m_index = {int(c): i for i, c in enumerate(effects["municipality"].to_numpy())}
    flags_np = flags.sel(year=latest).transpose("municipality", "sector").to_numpy()
    for ent in entities:
        key = ent["key"]
        tot = arr.tot(key)
        head = _headline(ent, arr, base_year, latest)
        secs = [head, _sectors(arr, key, base_year, latest)]
        if ent["kind"] == "municipality":
            i = m_index[ent["code"]]
            secs.append(_lmdi_section(eff_names, eff_np[i], arr, key, base_year, latest,
                                      float(excl_np[i])))
            plan = plans.get(ent["code"])
            rd = rounds.get(ent["code"])
            if plan is None:
                secs.append(_section("M4", available=False, notes=[_note("no_plan",
                                                                          name=ent["name"])]))
            else:
                secs += _plan_sections(plan)[: 1 if rd is not None else 2]
            if rd is not None:
                from_round, raws[ent["code"]] = round_sections(rd, plan, as_of)
                secs += from_round
            else:
                for sid in ("M5", "M6", "M7") if plan is None else ("M6", "M7"):
                    secs.append(_section(sid, available=False, notes=[
                        _note("no_round", name=ent["name"])]))
            zeros = [s for s, z in zip(arr.sectors, flags_np[i], strict=True) if z]
            secs.append(_data_section([source] if rd is None else [source, _round_source(rd)],
                                      as_of, latest, zeros))
        else:
            members = ent["members"]
            rows = [m_index[c] for c in members]
            secs.append(_lmdi_section(eff_names, eff_np[rows].sum(axis=0), arr, key, base_year,
                                      latest, float(np.nansum(excl_np[rows]))))
            secs.append(area_ambition(ent["name"], plans, members))
            secs.append(_status_distribution(checks, members, munis))
            secs.append(area_action_portfolio(ent["name"], raws, members))
            secs.append(area_transition(ent["name"], raws, members))
            if ent["kind"] == "denmark":
                secs.append(_consistency(pd.Series(tot, index=arr.years), national,
                                         national_source))
            secs.append(_coverage(panel, members, latest, flags))
            secs.append(_data_section([source], as_of, latest, []))
            secs.append(_ranked(arr, members, munis, base_year, latest))
        own = base
        if ent["kind"] == "municipality" and (ent["code"] in plans or ent["code"] in rounds):
            extra = [_plan_source(plans[ent["code"]])] if ent["code"] in plans else []
            extra += [_round_source(rounds[ent["code"]])] if ent["code"] in rounds else []
            own = {**base, "sources": [*base["sources"], *extra]}
        content = {**own, "kind": ent["kind"], "key": key, "code": ent["code"],
                   "name": ent["name"], "sections": secs,
                   "caveats": list(NATIONAL_CAVEATS) if ent["kind"] != "municipality" else [],
                   "members": [f"{c:04d}" for c in ent.get("members", [])]}
        if ent["kind"] == "municipality":
            content["region"] = str(ent["region"])
        out[key] = content
    return out


class _Arrays:
    """Every entity's numbers as numpy rows, extracted once (labelled lookups are slow)."""

    def __init__(self, totals: xr.DataArray, sectors: xr.DataArray, panel: xr.Dataset,
                 checks: _Checks, latest: int) -> None:
        self.years = [int(y) for y in totals["year"].to_numpy()]
        self.y = {y: i for i, y in enumerate(self.years)}
        self.sectors = [str(s) for s in sectors["sector"].to_numpy()]
        keys = [str(k) for k in totals["entity"].to_numpy()]
        self.e = {k: i for i, k in enumerate(keys)}
        self._tot = totals.transpose("entity", "year").to_numpy()
        self._sec = sectors.transpose("entity", "sector", "year").to_numpy()
        codes = [int(c) for c in panel["municipality"].to_numpy()]
        self.m = {c: i for i, c in enumerate(codes)}
        self.pc = panel["per_capita"].transpose("municipality", "year").to_numpy()
        self.pop = panel["population"].transpose("municipality", "year").to_numpy()
        self.allowed = None
        self.reference = None
        if checks.years is not None and checks.refs:
            al = checks.years["allowed"].isel(reference=0).sel(year=self.years)
            self.allowed = al.transpose("entity", "year").to_numpy()
            self.reference = f"{checks.refs[0].id}@{checks.refs[0].version}"
        self.sector_status = None
        if checks.sector_years is not None:
            st = checks.sector_years["status"].isel(reference=0).sel(year=latest)
            self.sector_status = st.transpose("entity", "sector").to_numpy()
        self.checks = checks

    def tot(self, key: str) -> np.ndarray[Any, Any]:
        return np.asarray(self._tot[self.e[key]])

    def sec(self, key: str) -> np.ndarray[Any, Any]:
        return np.asarray(self._sec[self.e[key]])


def _headline(ent: Mapping[str, Any], arr: _Arrays, base_year: int,
              latest: int) -> dict[str, Any]:
    checks = arr.checks
    tot = arr.tot(ent["key"])
    t_latest, t_base = _num(tot[arr.y[latest]]), _num(tot[arr.y[base_year]])
    if ent["kind"] == "municipality":
        pc = _num(arr.pc[arr.m[ent["code"]], arr.y[latest]])
    else:
        pop = float(arr.pop[[arr.m[c] for c in ent["members"]], arr.y[latest]].sum())
        pc = None if t_latest is None or not pop > 0 else t_latest / pop
    change = None if t_latest is None or not t_base else 100.0 * (t_latest / t_base - 1.0)
    t_1990 = _num(tot[arr.y[1990]]) if 1990 in arr.y else None
    change_1990 = None if t_latest is None or not t_1990 else 100.0 * (t_latest / t_1990 - 1.0)
    summary = _table("M1", [("year", None), ("total", "t CO2e"), ("per_capita",
                                                                   "t CO2e/inhabitant"),
                            ("change_vs_base", "%"), ("change_vs_1990", "%")],
                     [[latest, t_latest, pc, change, change_1990]])
    verdicts = _table("M1_verdicts", [("reference", None), ("base_year", None),
                                      ("year", None), ("allowed", "t CO2e"), ("gap", "t CO2e"),
                                      ("gap_pct_base", "%"), ("latest_status", None),
                                      ("verdict", None), ("verdict_year", None),
                                      ("required_rate", "% of base/yr"), ("achieved_rate", "%/yr"),
                                      ("reason", None)],
                      checks.verdicts(ent["key"]))
    notes = [_note("verdict_rule", at_risk=checks.at_risk, window=checks.window)]
    notes += [_note("reference_title", reference=f"{r.id}@{r.version}", title=r.title,
                    source=r.source.cite()) for r in checks.all_refs]
    notes += [_note("not_checked_base", year=r.base_year) for r in checks.unchecked]
    notes += [_note("engine_warning", text=w) for w in checks.warnings]
    series: dict[str, Any] = {"years": arr.years, "emissions": [_num(v) for v in tot]}
    if arr.allowed is not None:
        series["allowed"] = [_num(v) for v in arr.allowed[arr.e[ent["key"]]]]
        series["reference"] = arr.reference
    return _section("M1", tables=[summary, verdicts], notes=notes,
                    figures=[{"id": "F1", "kind": "line", "data": series}])


def _sectors(arr: _Arrays, key: str, base_year: int, latest: int) -> dict[str, Any]:
    sec = arr.sec(key)
    prev = max(y for y in arr.years if y < latest)  # the previous reported year
    total_latest = float(sec[:, arr.y[latest]].sum())
    rows = []
    from klimacore import trajectory

    ranges = {}
    if arr.sector_status is not None:
        ref = trajectory.resolve_references([SECTOR_REFERENCE])[0]
        for m in ref.milestones:
            ranges[m.sector] = (m.reduction_pct, m.reduction_pct_high)
    labels = ("on track", "at risk", "off track", "no data")
    for j, s in enumerate(arr.sectors):
        b, p, la = (_num(sec[j, arr.y[y]]) for y in (base_year, prev, latest))
        change = None if b is None or la is None or not b > 0 else 100.0 * (la / b - 1.0)
        share = None if la is None or not total_latest else 100.0 * la / total_latest
        low, high = ranges.get(SECTOR_MAP.get(s, ""), (None, None))
        status = None
        if arr.sector_status is not None:
            code = int(arr.sector_status[arr.e[key], j])
            status = labels[code] if code >= 0 else "no data"
        rows.append([s, b, p, la, change, share,
                     None if low is None else -float(low),
                     None if high is None else -float(high), status])
    table = _table("M2", [("sector", None), ("base_year", "t CO2e"), ("prev", "t CO2e"),
                          ("latest", "t CO2e"), ("change_vs_base", "%"), ("share", "%"),
                          ("cctf_low", "%"), ("cctf_high", "%"), ("status", None)], rows)
    data = {"years": arr.years, "sectors": arr.sectors,
            "values": [[_num(v) for v in sec[j]] for j in range(len(arr.sectors))]}
    notes = [_note("sector_reference", reference=SECTOR_REFERENCE)] \
        if arr.sector_status is not None else []
    notes += [_note("engine_warning", text=w) for w in arr.checks.sector_warnings]
    return _section("M2", tables=[table], notes=notes,
                    figures=[{"id": "F2", "kind": "stacked", "data": data}])


def _lmdi_section(names: Sequence[str], values: np.ndarray[Any, Any], arr: _Arrays, key: str,
                  start: int, end: int, excluded: float | None) -> dict[str, Any]:
    tot = arr.tot(key)
    v0, v1 = _num(tot[arr.y[start]]), _num(tot[arr.y[end]])
    change = None if v0 is None or v1 is None else v1 - v0
    rows = []
    for k, raw in zip(names, values, strict=True):
        v = _num(raw)
        rows.append([k, v, None if v is None or not change else 100.0 * v / change])
    table = _table("M3", [("effect", None), ("value", "t CO2e"), ("share_of_change", "%")], rows)
    notes = [_note("lmdi_note", start=start, end=end)]
    if excluded:
        notes.append(_note("excluded_change", value=excluded))
    if any(r[1] is None for r in rows) or v0 is None or v1 is None:
        notes.append(_note("lmdi_missing", start=start, end=end))
        return _section("M3", tables=[table], notes=notes)
    data = {"start": start, "end": end, "v0": v0, "v1": v1,
            "effects": [[r[0], r[1]] for r in rows]}
    return _section("M3", tables=[table], notes=notes,
                    figures=[{"id": "F3", "kind": "waterfall", "data": data}])


def _plan_source(plan: Any) -> dict[str, Any]:
    years = [int(plan.baseline_year), max([int(t.target_year) for t in plan.targets]
                                          or [int(plan.baseline_year)])]
    return {"dataset": f"{plan.title}, version {plan.version}",
            "attribution": str(plan.inventory.source), "years": years,
            "vintage": None if plan.adopted is None else str(plan.adopted),
            "gwp_metric": plan.gwp_metric, "gases": list(plan.inventory.gases or []) or None,
            "boundary": plan.inventory.boundary, "illustrative": bool(plan.illustrative)}


def _plan_sections(plan: Any) -> list[dict[str, Any]]:
    """M4 from the plan's targets and action scenario, M5 from its actions (declared status)."""
    from klimacore.trajectory import manko

    m = manko(plan)
    total = m[m["sector"] == "total"]
    rows4 = [[int(str(r.year)), str(r.target), _num(r.target_t), _num(r.action_t), _num(r.manko_t)]
             for r in total.itertuples()]
    m4 = _section("M4", illustrative=bool(plan.illustrative), tables=[_table(
        "M4", [("year", None), ("target", None), ("target_t", "t CO2e"),
               ("action_t", "t CO2e"), ("manko_t", "t CO2e")], rows4)],
        notes=[_note("plan_note", title=plan.title, version=plan.version)],
        figures=[{"id": "F6", "kind": "manko",
                  "data": {"bars": [[f"{r[0]}", r[4]] for r in rows4]}}])
    counts: dict[tuple[str, str], list[float]] = {}
    for a in plan.actions:
        cell = counts.setdefault((str(a.status), str(a.sector)), [0, 0.0])
        cell[0] += 1
        cell[1] += float(a.expected_effect_t or 0.0)
    rows5 = [[st, sec, int(v[0]), v[1]] for (st, sec), v in sorted(counts.items())]
    m5 = _section("M5", illustrative=bool(plan.illustrative), tables=[_table(
        "M5", [("status", None), ("sector", None), ("n", "actions"),
               ("expected_effect", "t CO2e")], rows5)],
        notes=[_note("plan_declared")])
    return [m4, m5]


def _round_source(rd: Any) -> dict[str, Any]:
    r = rd.round
    years = sorted({o.year for o in rd.observations} | {r.year})
    return {"dataset": f"monitoring round {r.municipality}/{r.year} r{r.revision} ({r.state})",
            "attribution": rd.note, "years": [years[0], years[-1]],
            "vintage": None if r.closed_at is None else str(r.closed_at), "gwp_metric": None,
            "gases": None, "boundary": None, "illustrative": bool(rd.illustrative)}


def _data_section(sources: Sequence[Mapping[str, Any]], as_of: dt.date, latest: int,
                  zeros: Sequence[str]) -> dict[str, Any]:
    rows = [[s["dataset"], f"{s['years'][0]}–{s['years'][1]}", s["vintage"],
             as_of.year - int(s["years"][1]), s["gwp_metric"]] for s in sources]
    notes = [_note("possibly_unreported", items=", ".join(zeros))] if zeros else []
    return _section("M8", tables=[_table("M8", [("dataset", None), ("years", None),
                                                ("vintage", None), ("age_years", "years"),
                                                ("gwp_metric", None)], rows)], notes=notes)


def _status_distribution(checks: _Checks, members: Sequence[int],
                         munis: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    by_code = {m["code"]: m for m in munis}
    counts: dict[tuple[str, str], int] = {}
    tiles = []
    first = f"{checks.all_refs[0].id}@{checks.all_refs[0].version}" if checks.all_refs else None
    for c in members:
        m = by_code[c]
        for row in checks.verdicts(m["key"]):
            counts[(row[0], row[7])] = counts.get((row[0], row[7]), 0) + 1
            if row[0] == first:
                tiles.append([m["key"], m["name"], str(m["region"]), row[7]])
    rows = [[ref, status, n] for (ref, status), n in sorted(counts.items())]
    tables = [_table("N2", [("reference", None), ("status", None), ("n", "municipalities")],
                     rows)]
    figures = []
    if first is not None:
        tiles.sort(key=lambda t: (t[2], t[0]))
        tables.append(_table("NF2", [("municipality", None), ("name", None), ("region", None),
                                     ("verdict", None)], tiles))
        from klimacore import reference

        names = reference.regions().set_index("region_code")["region_name"]
        regions = {str(int(r)): str(names.loc[int(r)]) for r in sorted({t[2] for t in tiles})}
        figures.append({"id": "NF2", "kind": "tiles", "data": {"reference": first,
                                                                "regions": regions}})
    return _section("N2", tables=tables, figures=figures,
                    notes=[_note("nf2_note")] if figures else [])


def _consistency(tot: pd.Series, national: pd.Series | None,
                 source: str | None) -> dict[str, Any]:
    if national is None:
        return _section("N5", available=False, notes=[_note("no_national")])
    from klimacore.monitoring import national_residual

    res = national_residual(tot, national)
    rows = [[int(str(r.year)), _num(r.municipal_sum), _num(r.national), _num(r.residual),
             _num(r.residual_pct)] for r in res.itertuples()]
    return _section("N5", tables=[_table("N5", [("year", None), ("municipal_sum", "t CO2e"),
                                                ("national", "t CO2e"), ("residual", "t CO2e"),
                                                ("residual_pct", "%")], rows)],
                    notes=[_note("national_source", source=source or "")])


def _coverage(panel: xr.Dataset, members: Sequence[int], latest: int,
              flags: xr.DataArray) -> dict[str, Any]:
    tot = panel["total"].sel(municipality=list(members), year=latest)
    zero = flags.sel(municipality=list(members), year=latest).any("sector")
    rows = [[len(members), int(np.isfinite(tot.to_numpy()).sum()), int(zero.sum())]]
    return _section("N6", tables=[_table("N6", [("n_members", "municipalities"),
                                                ("n_reported", "municipalities"),
                                                ("n_zero_flags", "municipalities")], rows)])


def _ranked(arr: _Arrays, members: Sequence[int], munis: Sequence[Mapping[str, Any]],
            start: int, end: int) -> dict[str, Any]:
    names = {m["code"]: (m["key"], m["name"]) for m in munis}
    bars = []
    for c in members:
        key, name = names[c]
        tot = arr.tot(key)
        v0, v1 = _num(tot[arr.y[start]]), _num(tot[arr.y[end]])
        bars.append([key, name, None if v0 is None or v1 is None or not v0 > 0
                     else 100.0 * (v1 / v0 - 1.0)])
    bars.sort(key=lambda b: (math.inf if b[2] is None else b[2], b[0]))
    table = _table("NF1", [("municipality", None), ("name", None), ("change_vs_base", "%")],
                   bars)
    return _section("NF1", tables=[table], figures=[{"id": "NF1", "kind": "ranked",
                                                     "data": {"start": start, "end": end}}])
