"""Tidy tables and messages of a :class:`~klimacore.trajectory.LatestCheck`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.trajectory._result import NO_DATA, SEVERITY, STATUS_LABELS

if TYPE_CHECKING:
    import pandas as pd

    from klimacore.trajectory._latest import LatestCheck

__all__ = ["latest_frame", "milestone_frame", "verdict_table"]


def _n(x: float) -> str:
    return f"{x:,.0f}" if x == x else "n/a"


def _flat_rows(ds: Any, var: str, entity_dims: tuple[str, ...], mask: Any) -> dict[str, Any]:
    """Columns (entity dims, reference[, year]) of the cells of ``ds[var]`` where ``mask``."""
    da = ds[var]
    sel = np.flatnonzero(np.broadcast_to(mask, da.shape).reshape(-1))
    idx = np.unravel_index(sel, da.shape)
    cols: dict[str, Any] = {}
    for dim, i in zip(da.dims, idx, strict=True):
        cols[str(dim)] = np.asarray(ds[dim].to_numpy())[i]
    cols["_sel"] = sel
    return cols


def _take(ds: Any, name: str, like: Any, sel: Any) -> np.ndarray[Any, Any]:
    da = ds[name]
    dims = [d for d in like.dims if d in da.dims]
    arr = np.asarray(da.transpose(*dims).to_numpy())
    arr = arr.reshape([da.sizes[d] if d in da.dims else 1 for d in like.dims])
    out: np.ndarray[Any, Any] = np.broadcast_to(arr, like.shape).reshape(-1)[sel]
    return out


def _severity(codes: np.ndarray[Any, Any]) -> list[str]:
    return [SEVERITY[STATUS_LABELS[max(int(c), 0)]] for c in codes]


def milestone_frame(check: LatestCheck) -> pd.DataFrame:
    """One row per entity × reference × future milestone."""
    import pandas as pd

    ms, sm = check.milestones, check.summary
    like = ms["status"]
    cols = _flat_rows(ms, "status", check.entity_dims, like.to_numpy() >= 0)
    sel = cols.pop("_sel")
    get = {name: _take(ms, name, like, sel) for name in (
        "allowed", "needed_t_per_year", "needed_pct_of_base", "needed_compound_pct",
        "projected", "projection_basis", "gap_t", "gap_pct", "status")}
    for name in ("latest_year", "latest_t", "trend_t_per_year", "trend_start", "base_year"):
        get[name] = _take(sm, name, like, sel)
    codes = get.pop("status").astype(int)
    frame = pd.DataFrame({**{d: cols[d] for d in check.entity_dims},
                          "reference": cols["reference"], "year": cols["year"]})
    frame["latest_year"] = get["latest_year"]
    frame["latest_t"] = get["latest_t"]
    for name in ("allowed", "needed_t_per_year", "needed_pct_of_base", "needed_compound_pct",
                 "trend_t_per_year", "projected", "gap_t", "gap_pct"):
        frame[name] = get[name]
    frame["basis"] = np.where(get["projection_basis"] == 1, "projection", "trend")
    frame["status"] = [STATUS_LABELS[max(c, 0)] for c in codes]
    frame["severity"] = _severity(codes)
    msgs = []
    for ref, y, ly, el, a, nt, npct, nc, tr, ts, p, basis, g, gp, by, c in zip(
            cols["reference"], cols["year"], get["latest_year"], get["latest_t"],
            get["allowed"], get["needed_t_per_year"], get["needed_pct_of_base"],
            get["needed_compound_pct"], get["trend_t_per_year"], get["trend_start"],
            get["projected"], frame["basis"], get["gap_t"], get["gap_pct"], get["base_year"],
            codes, strict=True):
        if c == NO_DATA:
            msgs.append(f"{ref} {y}: no data (allowed {_n(a)} t; latest {_n(el)} t)")
            continue
        how = (f"trend {int(ts)}–{int(ly)} {tr:+,.0f} t/yr" if basis == "trend"
               else "the given projection")
        side = "above" if g > 0 else "below"
        msgs.append(
            f"{ref} {y}: {STATUS_LABELS[c]} — latest {int(ly)}: {_n(el)} t; needed "
            f"{nt:,.0f} t/yr ({npct:.2f} % of {int(by)} a year; {nc:.2f} %/yr compound) to "
            f"reach {_n(a)} t; {how} → {_n(p)} t projected, {abs(g):,.0f} t "
            f"({abs(gp):.1f} % of {int(by)}) {side} the allowed value")
    frame["message"] = msgs
    return frame


def _date_text(x: float) -> str:
    from klimacore.trajectory._budget import fractional_year_to_date

    d = fractional_year_to_date(float(x))
    return d.isoformat() if d is not None else ""


def latest_frame(check: LatestCheck) -> pd.DataFrame:
    """One row per entity × reference: latest year, indicative comparison, pace and verdict."""
    import pandas as pd

    from klimacore.trajectory._latest import REASONS

    sm = check.summary
    like = sm["verdict"]
    assigned = sm["reason"].transpose(*like.dims).to_numpy() != 8  # per-entity references
    cols = _flat_rows(sm, "verdict", check.entity_dims, assigned)
    sel = cols.pop("_sel")
    names = ("latest_year", "latest_t", "base_t", "base_year", "allowed_latest",
             "latest_indicative", "latest_gap_pct", "latest_status", "trend_t_per_year",
             "trend_start", "trend_points", "mean_change_pct", "verdict", "verdict_year",
             "reason", "budget_t", "cumulative_t", "budget_left_t", "budget_runout_year",
             "trend_zero_year", "estimate_t")
    get = {n: _take(sm, n, like, sel) for n in names}
    frame = pd.DataFrame({**{d: cols[d] for d in check.entity_dims},
                          "reference": cols["reference"]})
    for n in ("latest_year", "latest_t", "base_year", "base_t", "allowed_latest"):
        frame[n] = get[n]
    frame["latest_indicative"] = get["latest_indicative"].astype(bool)
    lcodes = get["latest_status"].astype(int)
    frame["latest_status"] = [STATUS_LABELS[c] if c >= 0 else "not applicable" for c in lcodes]
    for n in ("trend_t_per_year", "trend_start", "mean_change_pct"):
        frame[n] = get[n]
    codes = get["verdict"].astype(int)
    frame["verdict_year"] = get["verdict_year"]
    frame["status"] = [STATUS_LABELS[c] if c >= 0 else "not applicable" for c in codes]
    sev = _severity(np.maximum(codes, 0))
    # the latest year against an indicative (interpolated) path informs; only a real milestone
    # in the latest year adds its own severity
    lsev = [s if not ind else "info" for s, ind in zip(
        _severity(np.maximum(lcodes, 0)), get["latest_indicative"].astype(bool), strict=True)]
    order = {"info": 0, "warning": 1, "error": 2}
    frame["severity"] = [a if order[a] >= order[b] else b for a, b in zip(sev, lsev,
                                                                           strict=True)]
    frame["reason"] = [REASONS[int(r)] for r in get["reason"]]
    for n in ("budget_t", "cumulative_t", "budget_left_t", "budget_runout_year",
              "trend_zero_year"):
        frame[n] = get[n]
    frame["budget_runout_date"] = [_date_text(x) for x in get["budget_runout_year"]]
    frame["trend_zero_date"] = [_date_text(x) for x in get["trend_zero_year"]]
    as_of = sm.attrs.get("as_of")
    if as_of is not None:
        frame["estimate_year"] = as_of
        frame["estimate_t"] = get["estimate_t"]
    msgs = []
    for i in range(len(frame)):
        row = frame.iloc[i]
        ref, code = row["reference"], codes[i]
        if row["reason"] and row["reason"] != REASONS[7]:
            by = int(row["base_year"])
            msgs.append(f"{ref}: no data — {row['reason'].replace('base-year', f'{by} base-year')}"
                        .replace("base year not", f"base year {by} not"))
            continue
        parts = []
        ly = row["latest_year"]
        if ly == ly:
            start = sm.attrs.get("indicative_from", "base_year")
            start = int(row["base_year"]) if start == "base_year" else start
            tag = (f" (indicative path from {start}, not a target)"
                   if row["latest_indicative"] else "")
            if row["latest_status"] in ("not applicable", "no data"):
                parts.append(f"latest {int(ly)}: {_n(row['latest_t'])} t")
            else:
                parts.append(f"latest {int(ly)}: {_n(row['latest_t'])} t vs "
                             f"{_n(row['allowed_latest'])} t{tag}, {row['latest_status']}")
        if row["trend_t_per_year"] == row["trend_t_per_year"]:
            parts.append(f"trend {int(row['trend_start'])}–{int(ly)} "
                         f"{row['trend_t_per_year']:+,.0f} t/yr")
        elif code >= 0:
            parts.append("projected by the given scenario (too few years for a trend)")
        if code == 0:
            parts.append("on track for every milestone ahead")
        elif code >= 0:
            parts.append(f"{row['status']} for {int(row['verdict_year'])}")
        else:
            parts.append("no milestone after the latest year")
        if row["budget_left_t"] <= 0 and row["budget_runout_year"] == row["budget_runout_year"]:
            parts.append(f"budget already spent in {int(row['budget_runout_year'])} (in the data)")
        elif row["budget_runout_date"]:
            parts.append(f"budget runs out {row['budget_runout_date']} on this trend")
        elif row["budget_left_t"] == row["budget_left_t"]:
            parts.append("budget not exhausted on this trend")
        if as_of is not None and row["estimate_t"] == row["estimate_t"]:
            parts.append(f"{as_of} estimate {_n(row['estimate_t'])} t (from the trend)")
        msgs.append(f"{ref}: " + "; ".join(parts))
    frame["message"] = msgs
    return frame


def verdict_table(check: LatestCheck) -> pd.DataFrame:
    """Verdict labels: entities as rows, references as columns (one row for a single series)."""
    import pandas as pd

    sm = check.summary
    codes = sm["verdict"].transpose(*check.entity_dims, "reference").to_numpy()
    labels = np.where(codes >= 0, np.asarray(STATUS_LABELS, dtype=object)[np.maximum(codes, 0)],
                      "not applicable")
    refs = [str(r) for r in sm["reference"].to_numpy()]
    if not check.entity_dims:
        return pd.DataFrame([labels.tolist()], columns=pd.Index(refs, name="reference"),
                            index=pd.Index(["series"], name="entity"))
    index = sm["verdict"].isel(reference=0, drop=True).to_series().index
    return pd.DataFrame(labels.reshape(-1, len(refs)), index=index,
                        columns=pd.Index(refs, name="reference"))
