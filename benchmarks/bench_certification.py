"""The whole CCTF rule set over 98 plans against loading and validating those plans.

Workload: 98 plans, one per municipality, made from the bundled example plan with its
illustrative CCTF data (``klimacore.examples.example_plan_cctf()``): sector emissions, scenarios,
targets, action effects and dates scaled or shifted by seeded random factors, so every plan takes
its own paths through the rules. Each plan also has a previous version (a 2030 target 0–5
points different, one action fewer), so ``K9.no_backsliding`` runs the plan diff.

Contenders, measured in the same run (best of N, ``time.perf_counter``):

* ``load``: ``ClimateActionPlan.model_validate_json`` of the 98 plan documents (the baseline:
  parsing and validating every field and cross-reference);
* ``certify``: ``certification.certify_many(plans, as_of=…, previous=…)``: all 37 rules of
  ``cctf-dk-1.0`` for every plan (fast engine), the due dates, the diff against the previous
  version, one tidy table of 98 × 37 rows;
* ``certify_trajectory`` (informational): the same with ``engine="trajectory"`` (the plan rules
  through :mod:`klimacore.trajectory`'s pandas functions), timed once on 10 plans and scaled.

Target (issue 13): ``certify`` at most 3× ``load``; judged at full size only (``--quick`` uses
10 plans and reports ``target_met: null``).

Run: ``python benchmarks/bench_certification.py [--quick]``
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

TARGET = 3.0
AS_OF = dt.date(2026, 11, 22)


def _documents(n: int) -> tuple[list[str], list[str]]:
    from klimacore import examples, reference

    base = examples.example_plan_cctf().model_dump(mode="json")
    codes = reference.municipalities()["code"].to_numpy()[:n]
    rng = np.random.default_rng(13)
    plans, previous = [], []
    for code in codes:
        d = copy.deepcopy(base)
        d["municipality"] = int(code)
        scale = float(rng.uniform(0.3, 8.0))
        d["baseline_emissions"] = {s: v * scale for s, v in d["baseline_emissions"].items()}
        for name in ("observed", "bau", "action_scenario"):
            for series in d[name]["emissions"].values():
                noise = float(rng.uniform(0.85, 1.15)) if name == "action_scenario" else 1.0
                for year in series:
                    series[year] *= scale * noise
        for a in d["actions"]:
            a["expected_effect_t"] *= scale * float(rng.uniform(0.7, 1.3))
        for t in d["targets"]:
            if t.get("reduction_pct") is not None:
                t["reduction_pct"] = float(min(100, t["reduction_pct"] + rng.integers(-5, 6)))
        d["adopted"] = str(dt.date(2021, 1, 1) + dt.timedelta(days=int(rng.integers(0, 1800))))
        d["inventory"]["year"] = int(rng.integers(2019, 2025))
        plans.append(json.dumps(d))
        old = copy.deepcopy(d) | {"version": "1.0", "previous_version": None, "cctf": None}
        old["targets"][1]["reduction_pct"] = float(min(100, d["targets"][1]["reduction_pct"]
                                                       + rng.integers(-5, 1)))
        old["actions"] = old["actions"][:-1]
        previous.append(json.dumps(old))
    return plans, previous


def _best(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def run(*, quick: bool = False) -> dict[str, Any]:
    from klimacore import certification
    from klimacore.models import ClimateActionPlan

    n = 10 if quick else 98
    repeats = 3 if quick else 7
    docs, old_docs = _documents(n)

    def load() -> list[ClimateActionPlan]:
        return [ClimateActionPlan.model_validate_json(text) for text in docs]

    plans = load()
    previous = {p.municipality: ClimateActionPlan.model_validate_json(text)
                for p, text in zip(plans, old_docs, strict=True)}

    def certify() -> Any:
        return certification.certify_many(plans, as_of=AS_OF, previous=previous)

    certify()  # warm caches (CCTF ranges, registries)
    t_load, _ = _best(load, repeats)
    t_cert, table = _best(certify, repeats)
    t_load2, _ = _best(load, repeats)  # interleave: the baseline is the better of both
    t_load = min(t_load, t_load2)
    sub = plans[:10]
    t_traj, slow = _best(lambda: certification.certify_many(
        sub, as_of=AS_OF, previous=previous, engine="trajectory"), 1)
    fast_sub = certification.certify_many(sub, as_of=AS_OF, previous=previous)
    cols = ["rule", "status", "severity"]
    same = bool(fast_sub[cols].equals(slow[cols]))
    ratio = t_cert / t_load
    return {
        "benchmark": "certification rule set over plans",
        "plans": n,
        "rules": int(table["rule"].nunique()),
        "rows": len(table),
        "status_counts": {str(k): int(v) for k, v in table["status"].value_counts().items()},
        "seconds": {"load": round(t_load, 4), "certify": round(t_cert, 4),
                    "certify_trajectory_scaled": round(t_traj * n / len(sub), 4)},
        "ratio_certify_vs_load": round(ratio, 3),
        "ratio_trajectory_engine_vs_load": round(t_traj * n / len(sub) / t_load, 2),
        "engines_agree_on_10_plans": same,
        "target": f"certify <= {TARGET:g}x load+validate of the same plans",
        "target_met": None if quick else bool(ratio <= TARGET and same),
    }


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
