"""Vectorized Monte Carlo of consumption footprints against per-draw loops.

Workload: all 98 municipalities × the bundled example's 18 COICOP lines (nested, 5 of them
replaced by physical energy/fuel use), spending scaled per municipality, bundled illustrative
intensities with their geometric standard deviations, Danish VAT bridge, population.

Contenders, measured in the same run (best of N, ``time.perf_counter``):

* ``vectorized``: :func:`klimacore.consumption.monte_carlo_footprint` with ``n_draws`` draws
  (one deterministic pass, then all draws as one array on a ``draw`` dimension, percentiles).
* ``loop_full``: what a user would write without it: per draw, rescale the intensities by the
  same multipliers and call :func:`spend_footprint`. Timed on ``loop_draws`` draws and reported
  per draw; its results are checked equal to the vectorized draws (1e-9 relative).
* ``loop_numpy`` against ``kernel_numpy`` (informational): the bare arithmetic of the draws,
  totals only, as a per-draw numpy loop and as one broadcast over the ``draw`` axis, both on the
  deterministic pass's arrays. Also reported: the deterministic pass alone (``spend_footprint``),
  so the cost of the Monte Carlo on top of it is visible.

Targets: the vectorized Monte Carlo at least 20× faster per draw than ``loop_full``, and all
results equal within 1e-9 relative. Peak memory of the vectorized run is measured with
:mod:`tracemalloc` (Python/numpy allocations).

Run: ``python benchmarks/bench_consumption.py [--quick]``
"""

from __future__ import annotations

import json
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr


def _workload(n_munis: int) -> tuple[xr.DataArray, dict[str, Any]]:
    from klimacore import examples, reference

    codes = reference.municipalities()["code"].tolist()[:n_munis]
    example = examples.example_spending()
    base = example.sel(municipality=727, year=2019)
    scale = np.random.default_rng(0).uniform(0.3, 20.0, len(codes))
    spending = xr.DataArray(
        scale[:, None, None] * base.to_numpy()[None, None, :],
        dims=("municipality", "year", "coicop"),
        coords={"municipality": codes, "year": [2019], "coicop": base["coicop"].to_numpy()},
        attrs=dict(example.attrs),
    )
    energy = examples.example_energy_use()
    overrides = pd.concat(
        [
            energy.assign(municipality=m, amount=energy["amount"] * f)
            for m, f in zip(codes, scale, strict=True)
        ],
        ignore_index=True,
    )
    kwargs = {
        "vat": {"*": 0.25, "04": 0.0, "04.5": 0.25, "10": 0.0, "12": 0.0},
        "overrides": overrides,
        "factors": examples.example_factors(),
        "population": dict(zip(codes, scale * 22_700, strict=True)),
    }
    return spending, kwargs


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def run(*, quick: bool = False) -> dict[str, Any]:
    from klimacore import consumption as kc

    n_munis = 10 if quick else 98
    n_draws = 100 if quick else 1000
    loop_draws = 10 if quick else 50
    repeats = 2 if quick else 5
    seed = 42
    spending, kwargs = _workload(n_munis)
    intensities = kc.default_intensities()

    def vectorized() -> xr.Dataset:
        return kc.monte_carlo_footprint(spending, intensities, n_draws=n_draws, seed=seed, **kwargs)

    t_vec, mc = _best(vectorized, repeats)
    tracemalloc.start()
    vectorized()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    # the same multipliers as the vectorized run, by intensity code
    used = sorted({str(c) for c in mc["intensity_code"].to_numpy()})
    gsd_table = dict(
        zip(
            intensities["coicop"].to_numpy().tolist(),
            intensities.coords["gsd"].to_numpy().tolist(),
            strict=True,
        )
    )
    mult = kc.lognormal_multipliers([gsd_table[c] for c in used], n_draws, seed=seed)
    col = {c: i for i, c in enumerate(used)}

    def loop_full() -> list[xr.DataArray]:
        out = []
        for d in range(loop_draws):
            scale = np.array(
                [mult[d, col[c]] if c in col else 1.0 for c in intensities["coicop"].to_numpy()]
            )
            drawn = intensities.copy(data=intensities.to_numpy() * scale)
            out.append(kc.spend_footprint(spending, drawn, **kwargs)["total"])
        return out

    t_loop, loop_totals = _best(loop_full, max(1, repeats // 2))
    want = mc["total_draws"].isel(draw=slice(0, loop_draws)).to_numpy()
    got = np.stack([t.to_numpy() for t in loop_totals])
    max_rel = float(np.max(np.abs(got - want) / np.abs(want)))

    det = kc.spend_footprint(spending, intensities, **kwargs)
    product = (det["monetary"] - det["margin"]).to_numpy()
    fixed = np.where(
        det["overridden"].to_numpy(), det["physical"].to_numpy(), det["margin"].to_numpy()
    )
    keep = ~det["overridden"].to_numpy()
    line_col = np.array([col[c] for c in det["intensity_code"].to_numpy()])

    def loop_numpy() -> np.ndarray[Any, Any]:
        totals = np.empty((n_draws, *product.shape[:-1]))
        for d in range(n_draws):
            totals[d] = (np.where(keep, product * mult[d, line_col], 0.0) + fixed).sum(-1)
        return totals

    def kernel_numpy() -> np.ndarray[Any, Any]:
        drawn = mult[:, line_col]  # (draw, coicop)
        scaled = np.where(
            keep, product[None] * drawn.reshape((n_draws,) + (1,) * (product.ndim - 1) + (-1,)), 0.0
        )
        return np.asarray((scaled + fixed[None]).sum(-1))

    t_np, np_totals = _best(loop_numpy, repeats)
    t_kernel, kernel_totals = _best(kernel_numpy, repeats)
    t_det, _ = _best(lambda: kc.spend_footprint(spending, intensities, **kwargs), repeats)
    ref = mc["total_draws"].to_numpy()
    np_rel = float(
        max(
            np.max(np.abs(np_totals - ref) / np.abs(ref)),
            np.max(np.abs(kernel_totals - ref) / np.abs(ref)),
        )
    )

    per_draw_vec = t_vec / n_draws
    per_draw_loop = t_loop / loop_draws
    ratio_full = per_draw_loop / per_draw_vec
    ratio_np = t_np / t_kernel
    return {
        "benchmark": "consumption Monte Carlo: vectorized vs per-draw loops",
        "workload": {
            "municipalities": n_munis,
            "coicop_lines": int(spending.sizes["coicop"]),
            "n_draws": n_draws,
            "loop_full_draws_timed": loop_draws,
            "overridden_lines": det.attrs["overridden_coicop"],
        },
        "seconds": {
            "vectorized_total": round(t_vec, 4),
            "vectorized_per_draw": per_draw_vec,
            "loop_full_per_draw": per_draw_loop,
            "loop_full_extrapolated_total": round(per_draw_loop * n_draws, 3),
            "deterministic_pass": round(t_det, 4),
            "monte_carlo_on_top_of_deterministic": round(t_vec - t_det, 4),
            "loop_numpy_total": round(t_np, 5),
            "kernel_numpy_total": round(t_kernel, 5),
        },
        "speedup_vs_loop_full": round(ratio_full, 1),
        "speedup_kernel_vs_loop_numpy_informational": round(ratio_np, 2),
        "peak_memory_vectorized_MB_tracemalloc": round(peak / 1e6, 2),
        "max_relative_difference_loop_full": max_rel,
        "max_relative_difference_loop_numpy": np_rel,
        "targets": {
            "vectorized >= 20x faster per draw than loop_full": ratio_full >= 20,
            "results equal within 1e-9 relative": max(max_rel, np_rel) <= 1e-9,
        },
        "target_met": bool(ratio_full >= 20 and max(max_rel, np_rel) <= 1e-9),
    }


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
