"""Municipal footprints of all 98 municipalities with a Monte Carlo over every parameter.

Workload: the real drivers from ``../shared/data/municipal-drivers`` (or
``$KLIMACORE_SHARED_DATA``) when present, else 98 synthetic municipalities of the same layout;
the bundled parameter table (22 uncertain parameters: the national footprint, the income
elasticity, the car and housing assumptions, the category shares).

Contenders, measured in the same run (best of N, ``time.perf_counter``):

* ``vectorized``: :func:`klimacore.consumption.municipal_footprint` with ``n_draws`` draws: the
  whole call (sampling, all draws as one array, percentiles of every municipality × category,
  totals, per-inhabitant figures, the sensitivity table).
* ``loop``: the per-municipality loop, i.e. the model as written on the method page,
  :func:`klimacore.consumption.reference_footprint` (plain Python over municipalities) once per
  draw, with the same parameter draws. Timed on ``loop_draws`` draws and extrapolated to
  ``n_draws``; its results are checked equal to the vectorized draws (1e-9 relative). To deliver
  the same table the loop then needs the percentiles, means and totals of its draws
  (``np.percentile`` and friends on the collected draws array): timed separately and added.

Targets (judged at full size only; ``--quick`` is a smoke test): the whole loop at least 50×
slower than the vectorized call, results equal within 1e-9, and peak memory of the vectorized
run (:mod:`tracemalloc`, Python and numpy allocations) under 2 GB.

Run: ``python benchmarks/bench_footprint.py [--quick]``
"""

from __future__ import annotations

import json
import os
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def _drivers(n_munis: int) -> tuple[pd.DataFrame, str]:
    from klimacore import io, reference

    env = os.environ.get("KLIMACORE_SHARED_DATA")
    folder = (Path(env) if env else HERE.parent / ".." / "shared" / "data") / "municipal-drivers"
    if (folder / "data.json").exists():
        table = io.read_municipal_drivers(folder)
        return table.iloc[:n_munis], f"real drivers ({folder.resolve()})"
    rng = np.random.default_rng(0)
    codes = reference.municipalities()["code"].tolist()[:n_munis]
    pop = rng.uniform(2_000, 600_000, len(codes)).round()
    cars = pop * rng.uniform(0.35, 0.6, len(codes))
    frame = pd.DataFrame({
        "population": pop,
        "disposable_income": rng.uniform(230_000, 560_000, len(codes)),
        "household_energy_co2_t": pop * rng.uniform(0.3, 1.1, len(codes)),
        "cars_electric": cars * 0.2, "cars_plugin": cars * 0.05, "cars_diesel": cars * 0.2,
        "cars_petrol": cars * 0.55, "commuting_km": rng.uniform(10, 35, len(codes)),
    }, index=pd.Index(codes, name="municipality"))
    frame.attrs["national"] = {"commuting_km": 22.6, "electricity_co2_g_per_kwh": 43.0}
    return frame, "synthetic drivers (shared data not found)"


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def run(*, quick: bool = False) -> dict[str, Any]:
    from klimacore import consumption as kc
    from klimacore.consumption._municipal import _drivers as prepare
    from klimacore.consumption._municipal import _evaluate

    n_munis = 20 if quick else 98
    n_draws = 500 if quick else 10_000
    loop_draws = 5 if quick else 50
    repeats = 1 if quick else 3
    seed = 20240101
    drivers, what = _drivers(n_munis)

    def vectorized() -> Any:
        return kc.municipal_footprint(drivers, n_draws=n_draws, seed=seed)

    t_vec, ds = _best(vectorized, repeats)
    tracemalloc.start()
    vectorized()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    draws = kc.sample_parameters(kc.municipal_parameters(), n_draws, seed=seed)
    codes = [int(m) for m in drivers.index]

    def loop() -> np.ndarray[Any, Any]:
        out = np.empty((loop_draws, len(codes), len(kc.CATEGORIES)))
        for d in range(loop_draws):
            result = kc.reference_footprint(drivers, {k: float(v[d]) for k, v in draws.items()})
            for j, code in enumerate(codes):
                out[d, j] = [result[code][c] for c in kc.CATEGORIES]
        return out

    t_loop, looped = _best(loop, 1 if quick else 2)
    fast = _evaluate({k: v[:loop_draws] for k, v in draws.items()}, prepare(drivers, None),
                     metric="AR5GWP100")
    max_rel = float(np.max(np.abs(looped - fast) / np.maximum(np.abs(fast), 1e-12)))
    collected = np.ascontiguousarray(_evaluate(draws, prepare(drivers, None), metric="AR5GWP100"))
    q = np.array([5.0, 50.0, 95.0])

    def post() -> None:  # what the loop does with its collected draws to give the same table
        totals = collected.sum(axis=2)
        np.percentile(collected, q, axis=0)
        collected.mean(axis=0)
        np.percentile(totals, q, axis=0)
        np.percentile(totals.sum(axis=1), q)

    t_post, _ = _best(post, 1 if quick else 2)
    per_draw_vec = t_vec / n_draws
    per_draw_loop = t_loop / loop_draws
    loop_total = per_draw_loop * n_draws + t_post
    ratio = loop_total / t_vec
    return {
        "workload": {"municipalities": n_munis, "draws": n_draws, "categories":
                     len(kc.CATEGORIES), "parameters": len(draws), "drivers": what},
        "vectorized_seconds": round(t_vec, 3),
        "vectorized_per_draw_ms": round(per_draw_vec * 1e3, 5),
        "loop_draws_timed": loop_draws,
        "loop_per_draw_ms": round(per_draw_loop * 1e3, 3),
        "loop_post_seconds": round(t_post, 3),
        "loop_total_seconds_estimated": round(loop_total, 1),
        "speedup_per_draw": round(per_draw_loop / per_draw_vec, 1),
        "speedup": round(ratio, 1),
        "max_rel_difference": max_rel,
        "peak_memory_mb": round(peak / 2**20, 1),
        "national_per_capita_p5_p50_p95": [
            round(float(v), 3) for v in ds["national_per_capita_percentiles"].to_numpy().ravel()],
        "targets": {"speedup": ">= 50", "max_rel_difference": "<= 1e-9",
                    "peak_memory_mb": "< 2048"},
        "target_met": None if quick else bool(ratio >= 50 and max_rel <= 1e-9
                                              and peak < 2 * 2**30),
    }


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
