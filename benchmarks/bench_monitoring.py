"""Monitoring engines against the loops one would write without them, and the store against to_sql.

Three workloads, each with its own target (ratios measured in the same run, best of N,
``time.perf_counter``; this machine is shared and noisy):

* ``statuses``: 98 municipalities × 200 actions × 50 indicators × 10 rounds (inputs built once
  for both contenders: labelled arrays for the engines, numpy arrays for the loop). Vectorized:
  :func:`klimacore.monitoring.indicator_status` on (municipality × indicator × round) and
  :func:`klimacore.monitoring.action_status` on (municipality × action × round) with 3 milestones
  per action, the last update date and the action → indicator links, in one call each. Loop: the
  plain per-object rules (``_status_ref.action_status_one`` / ``indicator_status_one``) for each
  municipality, round, indicator and action, timed on ``loop_munis`` municipalities and scaled
  linearly to 98; its statuses are checked identical to the vectorized ones on those.
  Target: ≥ 50×. Informational: the same statuses on dask-backed inputs (14 municipalities per
  block, dask's threads), checked identical to the eager Datasets (part of ``target_met``), and
  their time over eager's.
* ``lmdi``: chained LMDI-I over 98 municipalities × 1000 draws × 30 categories × 20 years
  (activity, structure, intensity). Loop: per municipality, the dependency-free script of
  MONITORING.md §B.6 in plain Python (per draw, step and category), timed on one municipality and
  scaled to 98; its effects are checked equal (1e-9 relative) to the vectorized ones.
  Target: ≥ 50×.
* ``store``: one reporting round of 98 municipalities (200 action updates and 50 observations
  each, 24,500 rows) written to a SQLite file with :class:`MonitoringStore` (version check, audit
  trail, supersede, insert) and read back, against writing the same rows with
  :meth:`pandas.DataFrame.to_sql` alone. Target: store write + read at ≥ 50 % of to_sql's speed.

``--quick`` shrinks the workloads (smoke test, ``target_met: null``).
Run: ``python benchmarks/run.py monitoring [--quick]``.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

TARGET = 50.0
STORE_TARGET = 0.5


def _best(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return best, out


# --- statuses -----------------------------------------------------------------------------------

def _status_workload(n_m: int, n_a: int, n_i: int, n_r: int) -> dict[str, Any]:
    from klimacore.monitoring import PHASES, STATES

    rng = np.random.default_rng(11)
    years = np.arange(2010, 2026)
    obs = rng.normal(50, 20, (n_m, n_i, years.size))
    obs[rng.random(obs.shape) < 0.3] = np.nan
    by = rng.integers(2010, 2016, (n_m, n_i))
    bv = rng.normal(50, 10, (n_m, n_i))
    ty = np.stack([by + rng.integers(5, 10, (n_m, n_i)), by + rng.integers(12, 25, (n_m, n_i))],
                  -1).astype(float)
    tv = rng.normal(50, 30, (n_m, n_i, 2))
    direction = rng.choice([-1, 1], (n_m, n_i))
    rounds = np.arange(2016, 2016 + n_r)
    shape = (n_m, n_a, n_r)
    phase = rng.choice(np.array(PHASES, dtype=object), size=shape)
    state = rng.choice(np.array(STATES, dtype=object), size=shape, p=[.8, .05, .05, .05, .05])
    start = np.broadcast_to(rng.integers(2014, 2026, (n_m, n_a, 1)), shape)
    end = start + np.broadcast_to(rng.integers(1, 10, (n_m, n_a, 1)), shape)
    due = (np.datetime64("2015-01-01") + rng.integers(0, 4000, (n_m, n_a, 1, 3))).astype(
        "datetime64[D]")
    due = np.broadcast_to(due, (*shape, 3))
    done = np.where(rng.random((*shape, 3)) < 0.5, due + 10, np.datetime64("NaT"))
    last = (np.datetime64("2016-06-01") + rng.integers(0, 3650, shape)).astype("datetime64[D]")
    links = rng.random((n_a, n_i)) < 0.03
    return dict(years=years, obs=obs, by=by, bv=bv, ty=ty, tv=tv, direction=direction,
                rounds=rounds, phase=phase, state=state, start=start, end=end, due=due,
                done=done, last=last, links=links)


def _status_inputs(w: dict[str, Any]) -> dict[str, Any]:
    """The labelled inputs (built once, like the loop's arrays; not timed)."""
    mi = ("municipality", "indicator")
    d = ("municipality", "action", "round")
    return {
        "ind": dict(
            baseline_year=xr.DataArray(w["by"], dims=mi),
            baseline_value=xr.DataArray(w["bv"], dims=mi),
            target_year=xr.DataArray(w["ty"], dims=(*mi, "target")),
            target_value=xr.DataArray(w["tv"], dims=(*mi, "target")),
            direction=xr.DataArray(w["direction"], dims=mi),
            observations=xr.DataArray(w["obs"], dims=(*mi, "year"), coords={"year": w["years"]}),
            as_of_year=xr.DataArray(w["rounds"], dims="round")),
        "panel": xr.Dataset({"phase": (d, w["phase"]), "state": (d, w["state"]),
                             "start": (d, w["start"]), "end": (d, w["end"]),
                             "milestone_due": ((*d, "milestone"), w["due"]),
                             "milestone_done": ((*d, "milestone"), w["done"]),
                             "last_update": (d, w["last"])}),
        "as_of": xr.DataArray(np.array([f"{y + 1}-03-01" for y in w["rounds"]],
                                       dtype="datetime64[D]"), dims="round"),
        "links": xr.DataArray(w["links"], dims=("action", "indicator")),
    }


def _status_vectorized(x: dict[str, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    from klimacore.monitoring import action_status, indicator_status

    ind = indicator_status(**x["ind"])
    act = action_status(x["panel"], as_of=x["as_of"], indicator_status=ind["status"],
                        links=x["links"])
    return (ind["status"].transpose("municipality", "indicator", "round").to_numpy(),
            act["status"].transpose("municipality", "action", "round").to_numpy())


def _status_loop(w: dict[str, Any], n_m: int) -> tuple[list[Any], list[Any]]:
    from klimacore.monitoring import ACTION_STATUS, INDICATOR_STATUS
    from klimacore.monitoring._status_ref import action_status_one, indicator_status_one

    a_code = {s: i for i, s in enumerate(ACTION_STATUS)}
    i_code = {s: i for i, s in enumerate(INDICATOR_STATUS)}
    years = [int(y) for y in w["years"]]
    ind_out: list[Any] = []
    act_out: list[Any] = []
    n_i = w["obs"].shape[1]
    n_a = w["phase"].shape[1]
    for m in range(n_m):
        for r, ry in enumerate(int(x) for x in w["rounds"]):
            as_of = dt.date(ry + 1, 3, 1)
            statuses = []
            for i in range(n_i):
                ob = {y: float(v) for y, v in zip(years, w["obs"][m, i], strict=True)
                      if not math.isnan(v)}
                targets = {int(y): float(v) for y, v in zip(w["ty"][m, i], w["tv"][m, i],
                                                             strict=True)}
                st, _, _ = indicator_status_one(
                    baseline=(int(w["by"][m, i]), float(w["bv"][m, i])), targets=targets,
                    direction=int(w["direction"][m, i]), observations=ob, as_of_year=ry)
                statuses.append(i_code[st])
                ind_out.append((m, i, r, i_code[st]))
            for a in range(n_a):
                ms = [(due.astype(dt.date), None if np.isnat(done) else done.astype(dt.date))
                      for due, done in zip(w["due"][m, a, r], w["done"][m, a, r], strict=True)]
                off = [bool(w["links"][a, i]) and statuses[i] == 3 for i in range(n_i)]
                st, _, _ = action_status_one(
                    phase=w["phase"][m, a, r], state=w["state"][m, a, r],
                    start=int(w["start"][m, a, r]), end=int(w["end"][m, a, r]), milestones=ms,
                    off_track=off, as_of=as_of)
                act_out.append((m, a, r, a_code[st]))
    return ind_out, act_out


def _status_lazy(x: dict[str, Any], block: int) -> dict[str, Any]:
    """The same statuses on dask-backed inputs (``block`` municipalities per block), computed
    with dask's threads: identical to the eager Datasets? And the time against eager (same run,
    informational: the lazy route pays for the graph and the per-block calls)."""
    try:
        import dask
    except ImportError:
        return {"lazy": "dask not installed"}
    from klimacore.monitoring import action_status, indicator_status

    def eager() -> tuple[xr.Dataset, xr.Dataset]:
        ind = indicator_status(**x["ind"])
        return ind, action_status(x["panel"], as_of=x["as_of"], indicator_status=ind["status"],
                                  links=x["links"])

    def lazy() -> tuple[xr.Dataset, xr.Dataset]:
        ch = {"municipality": block}
        ind = indicator_status(**{k: v.chunk({d: c for d, c in ch.items() if d in v.dims})
                                  for k, v in x["ind"].items()})
        act = action_status(x["panel"].chunk(ch), as_of=x["as_of"],
                            indicator_status=ind["status"], links=x["links"])
        out: tuple[xr.Dataset, xr.Dataset] = dask.compute(ind, act, scheduler="threads")
        return out

    eager()  # warm-up
    t_eager, (ind, act) = _best(eager, 3)
    t_lazy, (lind, lact) = _best(lazy, 3)
    same = ind.identical(lind) and act.identical(lact) and all(
        a[v].dtype == b[v].dtype for a, b in ((ind, lind), (act, lact)) for v in a.variables)
    return {"lazy_block_municipalities": block, "eager_datasets_s": round(t_eager, 3),
            "lazy_threads_s": round(t_lazy, 3), "lazy_over_eager": round(t_lazy / t_eager, 2),
            "lazy_identical": bool(same)}


def _bench_statuses(quick: bool) -> dict[str, Any]:
    n_m, n_a, n_i, n_r = (98, 40, 10, 3) if quick else (98, 200, 50, 10)
    loop_munis = 2
    w = _status_workload(n_m, n_a, n_i, n_r)
    x = _status_inputs(w)
    _status_vectorized(x)  # warm-up
    t_vec, (ind, act) = _best(lambda: _status_vectorized(x), 1 if quick else 5)
    t_loop_sub, (lind, lact) = _best(lambda: _status_loop(w, loop_munis), 1)
    same = all(ind[m, i, r] == c for m, i, r, c in lind) and \
        all(act[m, a, r] == c for m, a, r, c in lact)
    t_loop = t_loop_sub * n_m / loop_munis
    ratio = t_loop / t_vec
    lazy = _status_lazy(x, 14)
    lazy_ok = bool(lazy.get("lazy_identical", True))
    return {"workload": f"{n_m} municipalities x {n_a} actions x {n_i} indicators x {n_r} rounds",
            "vectorized_s": round(t_vec, 4), "loop_python_s_scaled": round(t_loop, 2),
            "loop_munis": loop_munis, "statuses_identical": bool(same),
            "speedup": round(ratio, 1), "target": TARGET,
            "target_met": None if quick else bool(ratio >= TARGET and same and lazy_ok),
            **lazy}


# --- LMDI ---------------------------------------------------------------------------------------

def _lmdi_workload(n_m: int, n_d: int, n_c: int, n_y: int) -> tuple[xr.DataArray, dict[str, Any]]:
    rng = np.random.default_rng(5)
    shape = (n_y, n_m, n_d, n_c)
    dims = ("year", "municipality", "draw", "category")
    q = rng.uniform(1e3, 1e5, (1, n_m, 1)) * np.cumprod(
        rng.normal(1.005, 0.01, (n_y, n_m, n_d)), axis=0)
    s = rng.uniform(0.1, 1.0, shape)
    s /= s.sum(-1, keepdims=True)
    i = rng.uniform(0.5, 5.0, (1, n_m, 1, n_c)) * np.cumprod(rng.normal(0.98, 0.02, shape), 0)
    coords = {"year": np.arange(2004, 2004 + n_y)}
    act = xr.DataArray(q, dims=dims[:3], coords=coords)
    st = xr.DataArray(s, dims=dims, coords=coords)
    it = xr.DataArray(i, dims=dims, coords=coords)
    value = xr.DataArray(q[..., None] * s * i, dims=dims, coords=coords)
    return value, {"activity": act, "structure": st, "intensity": it}


def _lmdi_loop(value: xr.DataArray, factors: dict[str, xr.DataArray],
               n_m: int) -> np.ndarray[Any, Any]:
    """§B.6 per municipality, draw, step and category, in plain Python."""
    v = value.to_numpy()
    q = factors["activity"].to_numpy()
    s = factors["structure"].to_numpy()
    it = factors["intensity"].to_numpy()
    n_y, _, n_d, n_c = v.shape
    out = np.zeros((3, n_m, n_d))
    log = math.log
    for m in range(n_m):
        for d in range(n_d):
            e0 = e1 = e2 = 0.0
            for t in range(n_y - 1):
                qr = log(q[t + 1, m, d] / q[t, m, d])
                for c in range(n_c):
                    c0, c1 = v[t, m, d, c], v[t + 1, m, d, c]
                    w = c0 if c0 == c1 else (c1 - c0) / (log(c1) - log(c0))
                    e0 += w * qr
                    e1 += w * log(s[t + 1, m, d, c] / s[t, m, d, c])
                    e2 += w * log(it[t + 1, m, d, c] / it[t, m, d, c])
            out[:, m, d] = (e0, e1, e2)
    return out


def _bench_lmdi(quick: bool) -> dict[str, Any]:
    from klimacore.monitoring import lmdi

    n_m, n_d, n_c, n_y = (98, 10, 30, 20) if quick else (98, 1000, 30, 20)
    value, factors = _lmdi_workload(n_m, n_d, n_c, n_y)
    y0, y1 = int(value["year"][0]), int(value["year"][-1])

    def vectorized() -> xr.Dataset:
        return lmdi(value, factors, start=y0, end=y1, chained=True)

    t_vec, res = _best(vectorized, 1 if quick else 2)
    loop_munis = 1
    t_loop_sub, loop = _best(lambda: _lmdi_loop(value, factors, loop_munis), 1)
    vec = res["additive"].transpose("effect", "municipality", "draw").to_numpy()[:, :loop_munis]
    same = bool(np.allclose(vec, loop, rtol=1e-9, atol=1e-9 * float(abs(value).max())))
    t_loop = t_loop_sub * n_m / loop_munis
    ratio = t_loop / t_vec
    return {"workload": f"{n_m} municipalities x {n_d} draws x {n_c} categories x {n_y} years, "
                        "chained, 3 factors",
            "vectorized_s": round(t_vec, 3), "loop_python_s_scaled": round(t_loop, 1),
            "loop_munis": loop_munis, "effects_equal": same, "speedup": round(ratio, 1),
            "target": TARGET, "target_met": None if quick else bool(ratio >= TARGET and same)}


# --- store --------------------------------------------------------------------------------------

def _store_rows(n_m: int, n_a: int, n_i: int) -> tuple[dict[int, pd.DataFrame],
                                                        dict[int, pd.DataFrame]]:
    from klimacore import reference

    rng = np.random.default_rng(2)
    codes = reference.municipalities()["code"].to_numpy()[:n_m]
    ups, obs = {}, {}
    for m in codes:
        ups[int(m)] = pd.DataFrame({
            "action_id": [f"A{k}" for k in range(n_a)],
            "phase": rng.choice(["planning", "implementation", "completed"], n_a),
            "state": "active", "progress_pct": rng.uniform(0, 100, n_a).round(1),
            "milestones_met": '["tender"]', "realised_effect_t": rng.uniform(0, 500, n_a),
            "realised_effect_year": 2025, "spent_dkk": rng.uniform(0, 1e6, n_a),
            "note": "reported", "date": dt.date(2026, 2, 1), "reporter": "bench"})
        obs[int(m)] = pd.DataFrame({
            "indicator_id": [f"I{k}" for k in range(n_i)], "year": 2025,
            "value": rng.normal(50, 10, n_i), "release_date": dt.date(2026, 1, 15),
            "source": "bench", "quality": "final"})
    return ups, obs


def _bench_store(quick: bool) -> dict[str, Any]:
    import sqlalchemy as sa

    from klimacore.monitoring import MonitoringStore

    n_m, n_a, n_i = (98, 50, 10) if quick else (98, 200, 50)
    ups, obs = _store_rows(n_m, n_a, n_i)
    n_rows = sum(len(f) for f in ups.values()) + sum(len(f) for f in obs.values())
    t_store, t_sql = math.inf, math.inf
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(1 if quick else 3):
            store = MonitoringStore(f"sqlite:///{tmp}/store{k}.db")
            rounds = {m: store.open_round(m, 2025, who="bench", on=dt.date(2026, 1, 10))
                      for m in ups}
            start = time.perf_counter()
            new = store.write_many("action_updates", ups, rounds, who="bench")
            new = store.write_many("observations", obs, new, who="bench")
            back_u = store.read("action_updates", list(new.values()))
            back_o = store.read("observations", list(new.values()))
            t_store = min(t_store, time.perf_counter() - start)
            assert len(back_u) + len(back_o) == n_rows
            store.engine.dispose()

            engine = sa.create_engine(f"sqlite:///{tmp}/plain{k}.db")
            all_u = pd.concat([f.assign(round_id=i) for i, f in enumerate(ups.values())])
            all_o = pd.concat([f.assign(round_id=i) for i, f in enumerate(obs.values())])
            start = time.perf_counter()
            all_u.to_sql("action_updates", engine, index=False)
            all_o.to_sql("observations", engine, index=False)
            t_sql = min(t_sql, time.perf_counter() - start)
            engine.dispose()
    speed = t_sql / t_store
    return {"workload": f"{n_m} rounds, {n_rows} rows (action updates + observations)",
            "store_write_read_s": round(t_store, 3), "to_sql_write_s": round(t_sql, 3),
            "relative_speed": round(speed, 2), "target": STORE_TARGET,
            "target_met": None if quick else bool(speed >= STORE_TARGET)}


def run(*, quick: bool = False) -> dict[str, Any]:
    out = {"statuses": _bench_statuses(quick), "lmdi": _bench_lmdi(quick),
           "store": _bench_store(quick)}
    met = [v["target_met"] for v in out.values()]
    out["target_met"] = None if quick else all(bool(m) for m in met)  # type: ignore[assignment]
    return out


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
