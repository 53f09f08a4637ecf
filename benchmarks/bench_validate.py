"""Validating a plan with many actions: the duplicate-id check is linear.

Workload: the bundled example plan with ``n`` actions (ids ``A0 … A{n-1}``, every action linking
the plan's indicators), as JSON text, through :func:`klimacore.models.plan_problems` (what
``klimacore validate`` runs) with every rule of the plan.

Contenders, measured in the same run (best of N, ``time.perf_counter``):

* ``plan_problems``: the whole validation of the ``n``-action plan.
* ``rules_only``: the cross-field rules alone on the raw document
  (:func:`klimacore.models.cross_field_problems`).
* ``quadratic_ids`` (informational, small ``n`` only): the old duplicate-id check
  (``ids.count(i)`` per id), to show the growth it had.

Targets: 120,000 actions validate in under 30 s on this machine (the issue measured 299 s), and
the time per action at 120,000 is within 3× of that at 12,000 (linear, not quadratic).

Run: ``python benchmarks/bench_validate.py [--quick]``
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from typing import Any


def _document(n: int) -> tuple[str, dict[str, Any]]:
    from klimacore.models import load_example_plan

    doc = json.loads(load_example_plan().model_dump_json())
    template = doc["actions"][0]
    links = [ind["id"] for ind in doc["indicators"]][:2]
    doc["actions"] = [dict(template, id=f"A{i}", indicators=links) for i in range(n)]
    return json.dumps(doc), doc


def _best(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def _quadratic(ids: list[str]) -> list[str]:
    return sorted({i for i in ids if ids.count(i) > 1})


def run(*, quick: bool = False) -> dict[str, Any]:
    from klimacore.models import cross_field_problems, plan_problems

    sizes = (1_200, 12_000) if quick else (12_000, 120_000)
    out: dict[str, Any] = {"sizes": list(sizes)}
    per_action = []
    for n in sizes:
        text, doc = _document(n)
        assert plan_problems(text) == []
        seconds = _best(lambda t=text: plan_problems(t), 1 if n > 50_000 else 3)  # type: ignore[misc]
        rules = _best(lambda d=doc: cross_field_problems(d), 3)  # type: ignore[misc]
        out[f"plan_problems_{n}_s"] = round(seconds, 3)
        out[f"rules_only_{n}_s"] = round(rules, 4)
        per_action.append(seconds / n)
    small = [f"A{i}" for i in range(2_000)]
    out["quadratic_ids_2000_s"] = round(_best(lambda: _quadratic(small), 1), 4)
    out["linear_rules_2000_s"] = round(_best(lambda: cross_field_problems(
        {"actions": [{"id": i} for i in small]}), 3), 5)
    out["growth_per_action"] = round(per_action[1] / per_action[0], 2)
    largest = out[f"plan_problems_{sizes[1]}_s"]
    out["target_met"] = bool(out["growth_per_action"] < 3 and (quick or largest < 30))
    return out


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
