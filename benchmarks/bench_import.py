"""Import time of ``import klimacore`` against importing its dependencies alone.

Each contender runs in a fresh interpreter (``python -X importtime`` is not used: it adds its
own overhead); the figure is the median wall time of N runs of ``python -c "<imports>"`` minus the
median of an empty interpreter start, measured in the same run, interleaved to share the noise.

Target (issue 2): ``import klimacore`` at most 1.3× the time of importing its dependencies
(numpy, pandas, xarray, pint, pydantic). Also reported: klimacore imported after the dependencies
(its own marginal cost) and the first real use (registry + data), which is paid lazily.

Run: ``python benchmarks/bench_import.py [--quick]``
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from typing import Any

DEPS = "import numpy, pandas, xarray, pint, pydantic"
CONTENDERS = {
    "empty": "pass",
    "dependencies": DEPS,
    "klimacore": "import klimacore",
    "dependencies+klimacore": f"{DEPS}; import klimacore",
    "klimacore first use": "import klimacore as kc; kc.ureg; kc.gwp('CH4'); "
    "kc.reference.municipalities()",
}


def _time(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True)
    return time.perf_counter() - start


def run(*, quick: bool = False) -> dict[str, Any]:
    repeats = 5 if quick else 21
    samples: dict[str, list[float]] = {name: [] for name in CONTENDERS}
    for code in CONTENDERS.values():  # warm the file cache
        _time(code)
    for _ in range(repeats):
        for name, code in CONTENDERS.items():
            samples[name].append(_time(code))
    median = {name: statistics.median(values) for name, values in samples.items()}
    net = {name: max(median[name] - median["empty"], 1e-9) for name in CONTENDERS}
    ratio = net["klimacore"] / net["dependencies"]
    marginal = (net["dependencies+klimacore"] - net["dependencies"]) / net["dependencies"]
    return {
        "benchmark": "import time",
        "repeats": repeats,
        "median_seconds": {k: round(v, 4) for k, v in median.items()},
        "net_seconds": {k: round(v, 4) for k, v in net.items()},
        "ratio_klimacore_vs_dependencies": round(ratio, 3),
        "marginal_cost_after_dependencies": round(marginal, 3),
        "ratio_first_use_vs_dependencies": round(net["klimacore first use"] / net["dependencies"], 3),
        "target": "import klimacore <= 1.3x importing its dependencies",
        "target_met": ratio <= 1.3,
    }


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
