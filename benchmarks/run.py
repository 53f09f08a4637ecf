"""Run every benchmark in this folder and print (and save) the results as JSON.

Usage: ``python benchmarks/run.py [--quick] [NAME ...]`` where NAME is e.g. ``import`` or
``territorial`` (default: all ``bench_*.py``). Results go to ``benchmarks/results/latest.json``.
Figures are ratios against baselines measured in the same run; this machine is shared and noisy.
"""

from __future__ import annotations

import importlib.util
import json
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _load(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    names = [a for a in argv if not a.startswith("--")]
    paths = sorted(HERE.glob("bench_*.py"))
    if names:
        paths = [p for p in paths if p.stem.removeprefix("bench_") in names]
    results: dict[str, Any] = {}
    for path in paths:
        start = time.perf_counter()
        print(f"running {path.stem} ...", file=sys.stderr, flush=True)
        results[path.stem] = _load(path).run(quick=quick)
        results[path.stem]["wall_seconds"] = round(time.perf_counter() - start, 1)
        print(json.dumps(results[path.stem], indent=2), flush=True)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / ("quick.json" if quick else "latest.json")).write_text(json.dumps(results, indent=2))
    missed = [k for k, v in results.items() if v.get("target_met") is False]
    if missed:
        print(f"targets missed: {missed}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
