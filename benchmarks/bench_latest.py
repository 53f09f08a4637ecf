"""Latest-year verdicts in one vectorized call against a straightforward per-municipality loop.

Workload: 98 municipalities × 1000 draws × 61 years (1990–2050) of GHG emissions, reported up to
2023 (later years unreported, NaN), checked against five references in one call
(``dk-climate-act``, ``ipcc-ar6-c1-ghg``, ``eu-climate-law``, ``sbti-aca-1.5c``,
``c40-deadline-2020`` with population per municipality and year). For every municipality × draw ×
reference: the latest year, the least-squares trend over 2018–2023, the pace needed to every
future milestone (t/yr, % of base a year, compound %/yr), the projection at each milestone (the
trend, or a given action scenario for even draws), gap and status, the worst future milestone, the
comparison of the latest year with the reference's (indicative) path, the mean year-on-year
change, the year the trend reaches zero and the year the implied budget runs out on the trend.

Contenders, measured in the same run (best of N, ``time.perf_counter``):

* ``vectorized``: :func:`klimacore.trajectory.latest_verdicts` on the whole array.
* ``loop_python``: for each municipality, for each draw, for each reference, plain Python (the
  trend by the textbook sums, the milestones, the budget walk year by year). Timed on
  ``loop_munis`` municipalities (all draws) and scaled linearly to 98; its results are checked
  equal to the vectorized ones on those municipalities.

Target: ``vectorized`` at least 50× faster than ``loop_python`` (scaled), results equal, judged
at full size only (``--quick``, 40 draws, reports ``target_met: null``).

Run: ``python benchmarks/bench_latest.py [--quick]``; ``benchmarks/run.py`` picks it up with the
other ``bench_*.py`` (``python benchmarks/run.py latest``).
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import numpy as np
import xarray as xr

REFERENCES = ("dk-climate-act", "ipcc-ar6-c1-ghg", "eu-climate-law", "sbti-aca-1.5c",
              "c40-deadline-2020")
TARGET = 50.0
LAST_DATA_YEAR = 2023
WINDOW = 5
AT_RISK = 5.0


def _workload(n_munis: int, n_draws: int) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
    from klimacore import reference

    codes = reference.municipalities()["code"].to_numpy()[:n_munis]
    rng = np.random.default_rng(7)
    years = np.arange(1990, 2051)
    base = rng.uniform(5e4, 2e6, n_munis)
    rate = rng.uniform(0.0, 0.06, (n_munis, n_draws))
    noise = rng.normal(1.0, 0.03, (n_munis, n_draws, years.size))
    values = base[:, None, None] * (1 - rate[..., None]) ** (years - 1990) * noise
    full = xr.DataArray(values, dims=("municipality", "draw", "year"),
                        coords={"municipality": codes, "draw": np.arange(n_draws),
                                "year": years},
                        attrs={"units": "t", "gases": ["CO2", "CH4", "N2O"],
                               "boundary": "territorial"})
    observed = full.where(full["year"] <= LAST_DATA_YEAR)
    # an action scenario for even draws: 60 % of the noisy path after the data
    projection = (full * 0.6).where((full["year"] > LAST_DATA_YEAR) & (full["draw"] % 2 == 0))
    pop0 = rng.uniform(2e3, 6e5, n_munis)
    growth = rng.uniform(-0.005, 0.01, n_munis)
    population = xr.DataArray(pop0[:, None] * (1 + growth[:, None]) ** (years - 1990),
                              dims=("municipality", "year"),
                              coords={"municipality": codes, "year": years})
    return observed, projection, population


# --- the straightforward loop -------------------------------------------------------------------


def _interp(points: list[tuple[int, float]], year: int) -> float:
    if year <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in pairwise(points):
        if year <= x1:
            return y0 + (y1 - y0) * (year - x0) / (x1 - x0)
    return points[-1][1]


def _loop_python(observed: xr.DataArray, projection: xr.DataArray,
                 population: xr.DataArray) -> dict[str, Any]:
    from klimacore.trajectory import get_reference

    refs = [get_reference(r) for r in REFERENCES]
    years = [int(y) for y in observed["year"].to_numpy()]
    values, proj_v, pops = observed.to_numpy(), projection.to_numpy(), population.to_numpy()
    n_m, n_d, _ = values.shape
    m_years = sorted({y for r in refs for y in r.milestone_years})
    gap_pct = np.full((n_m, n_d, len(refs), len(m_years)), np.nan)
    needed = np.full((n_m, n_d, len(refs), len(m_years)), np.nan)
    compound = np.full((n_m, n_d, len(refs), len(m_years)), np.nan)
    verdict = np.empty((n_m, n_d, len(refs)), dtype=np.int8)
    runout = np.full((n_m, n_d, len(refs)), np.nan)
    latest_status = np.empty((n_m, n_d, len(refs)), dtype=np.int8)
    slopes = np.empty((n_m, n_d))
    mean_change = np.full((n_m, n_d), np.nan)
    zero_year = np.full((n_m, n_d), np.nan)
    rank = {0: 0, 3: 1, 1: 2, 2: 3}
    for i in range(n_m):
        pop = [float(p) for p in pops[i]]
        for d in range(n_d):
            series = [float(v) for v in values[i, d]]
            pseries = [float(v) for v in proj_v[i, d]]
            k_last = max(k for k, v in enumerate(series) if not math.isnan(v))
            latest, e_l = years[k_last], series[k_last]
            pts = [(years[k], series[k]) for k in range(len(years))
                   if latest - WINDOW <= years[k] <= latest and not math.isnan(series[k])]
            n = len(pts)
            mx = sum(x for x, _ in pts) / n
            my = sum(y for _, y in pts) / n
            slope = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
            slopes[i, d] = slope
            changes = [(y1 - y0) / y0 * 100 for (x0, y0), (x1, y1) in pairwise(pts)
                       if x1 - x0 == 1 and y0 > 0]
            if changes:
                mean_change[i, d] = sum(changes) / len(changes)
            if slope < 0 < e_l:
                zero_year[i, d] = latest - e_l / slope
            for r, ref in enumerate(refs):
                b_idx = years.index(ref.base_year)
                base = series[b_idx]
                if ref.method == "milestones":
                    fr = [(ref.base_year, 1.0)] + [
                        (m.year, (100.0 - float(m.reduction_pct or 0)) / 100.0)
                        for m in ref.milestones]

                    def allowed(y: int, fr: Any = fr, base: float = base) -> float:
                        return base * _interp(fr, y)
                elif ref.method == "linear_rate":
                    rate = float(ref.annual_rate_pct or 0)

                    def allowed(y: int, rate: float = rate, base: float = base,
                                by: int = ref.base_year) -> float:
                        return base * max((100.0 - rate * (y - by)) / 100.0, 0.0)
                else:
                    pc_base = base / pop[b_idx]
                    pc = [(ref.base_year, pc_base)] + [(m.year, float(m.per_capita_t or 0))
                                                       for m in ref.milestones]

                    def allowed(y: int, pc: Any = pc, pc_base: float = pc_base,
                                pop: list[float] = pop) -> float:
                        return min(_interp(pc, y), pc_base) * pop[years.index(y)]
                # the latest year against the reference's (indicative) path that year
                lg = (e_l - allowed(latest)) / base * 100.0
                latest_status[i, d, r] = 0 if lg <= 1e-7 else (1 if lg <= AT_RISK + 1e-7 else 2)
                worst, worst_rank = -1, -1
                for j, m in enumerate(m_years):
                    if m not in ref.milestone_years or m <= latest:
                        continue
                    a = allowed(m)
                    p = pseries[years.index(m)]
                    if math.isnan(p):
                        p = max(0.0, e_l + slope * (m - latest))
                    needed[i, d, r, j] = (e_l - a) / (m - latest)
                    compound[i, d, r, j] = (100.0 if a <= 0 else
                                            100.0 * (1 - (a / e_l) ** (1 / (m - latest))))
                    g = (p - a) / base * 100.0
                    gap_pct[i, d, r, j] = g
                    status = 0 if g <= 1e-7 else (1 if g <= AT_RISK + 1e-7 else 2)
                    if rank[status] > worst_rank:
                        worst, worst_rank = status, rank[status]
                verdict[i, d, r] = worst
                # implied budget 2020..horizon, spent by the data to 2023, then by the trend
                start = max(2020, ref.base_year)
                horizon = max([*ref.milestone_years, ref.net_zero_year or 0, start])
                budget = sum(allowed(y) for y in range(start, horizon + 1))
                spent = sum(series[years.index(y)] for y in range(start, latest + 1))
                left, k = budget - spent, 1
                while left > 0 and k < 500:
                    v = max(0.0, e_l + slope * k)
                    if v <= 0:
                        break
                    if v >= left:
                        runout[i, d, r] = latest + k + left / v
                        break
                    left -= v
                    k += 1
    return {"gap_pct": gap_pct, "needed": needed, "compound": compound, "verdict": verdict,
            "runout": runout, "slope": slopes, "latest_status": latest_status,
            "mean_change": mean_change, "zero_year": zero_year}


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, result = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def run(*, quick: bool = False) -> dict[str, Any]:
    from klimacore.trajectory import latest_verdicts

    n_munis, n_draws = (98, 40) if quick else (98, 1000)
    loop_munis = 4
    repeats, rounds = (1, 1) if quick else (2, 4)
    observed, projection, population = _workload(n_munis, n_draws)

    def vectorized() -> Any:
        return latest_verdicts(observed, REFERENCES, projection=projection,
                               population=population, window=WINDOW)

    vectorized()  # warm-up
    sub = {"municipality": slice(0, loop_munis)}
    t_vec, t_loop_sub = math.inf, math.inf
    for _ in range(rounds):
        t, res = _best(vectorized, repeats)
        t_vec = min(t_vec, t)
        t, loop = _best(lambda: _loop_python(observed.isel(sub), projection.isel(sub),
                                             population.isel(sub)), 1)
        t_loop_sub = min(t_loop_sub, t)
    t_loop = t_loop_sub * n_munis / loop_munis

    ms = res.milestones.isel(sub)
    sm = res.summary.isel(sub)
    gap = ms["gap_pct"].transpose("municipality", "draw", "reference", "year").to_numpy()
    need = ms["needed_t_per_year"].transpose("municipality", "draw", "reference",
                                             "year").to_numpy()
    comp = ms["needed_compound_pct"].transpose("municipality", "draw", "reference",
                                               "year").to_numpy()
    equal = bool(
        np.allclose(gap, loop["gap_pct"], rtol=1e-9, atol=1e-9, equal_nan=True)
        and np.allclose(need, loop["needed"], rtol=1e-9, atol=1e-6, equal_nan=True)
        and np.allclose(comp, loop["compound"], rtol=1e-9, atol=1e-9, equal_nan=True)
        and np.array_equal(sm["verdict"].to_numpy(), loop["verdict"])
        and np.allclose(sm["budget_runout_year"].to_numpy(), loop["runout"], rtol=0,
                        atol=1e-6, equal_nan=True)
        and np.allclose(sm["trend_t_per_year"].to_numpy(), loop["slope"], rtol=1e-9)
        and np.array_equal(sm["latest_status"].to_numpy(), loop["latest_status"])
        and np.allclose(sm["mean_change_pct"].to_numpy(), loop["mean_change"], rtol=1e-9,
                        equal_nan=True)
        and np.allclose(sm["trend_zero_year"].to_numpy(), loop["zero_year"], rtol=1e-9,
                        equal_nan=True)
    )
    speedup = t_loop / t_vec
    return {
        "workload": {"municipalities": n_munis, "draws": n_draws,
                     "years": int(observed.sizes["year"]), "references": list(REFERENCES),
                     "last_data_year": LAST_DATA_YEAR, "window": WINDOW, "quick": quick},
        "seconds": {"vectorized": round(t_vec, 3), "loop_python_scaled": round(t_loop, 1),
                    "loop_python_measured": round(t_loop_sub, 2)},
        "loop_python_municipalities_timed": loop_munis,
        "speedup_vs_loop_python": round(speedup, 1),
        "results_equal": equal,
        "target": f">= {TARGET:g}x vs loop_python, results equal",
        "target_met": None if quick else bool(speedup >= TARGET and equal),
        "repeats": repeats,
        "rounds": rounds,
        "timer": "time.perf_counter; `rounds` interleaved rounds of (vectorized best of "
                 "`repeats`, loop_python once on `loop_python_municipalities_timed` "
                 "municipalities, scaled linearly to all), best of each",
    }


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv[1:]), indent=2))
