"""The full yearly report set against computing its numbers alone (same run, same panel).

Workload: the Energi- og CO2-regnskab of all 98 municipalities (the real file when
``../shared/data`` or ``KLIMACORE_SHARED_DATA`` is there, else a synthetic panel of the same
shape), 2018-2023, five sectors; Odder (727) with the bundled illustrative plan and monitoring
round (sections M4-M7 and, for its region and Denmark, N1, N3, N4).

* ``numbers``: :func:`klimacore.report._content.compute_contents` — the tables of every report
  (verdicts with ``latest_verdicts``, paths with ``check_trajectory``, LMDI, roll-ups).
* ``full``: :func:`klimacore.report.build_reports` and writing every report as HTML (inline
  SVG), Markdown and JSON, plus the index and the schema (:func:`write_reports`) to a temporary
  folder — what ``klimacore report`` does after reading the file.

Target: full ≤ 3 × numbers (best of N, ``time.perf_counter``) and the peak resident memory
(``VmHWM`` on Linux, else ``ru_maxrss``) under 1 GB, of a process of its own (``run.py`` runs every benchmark in one
process, whose peak would be the largest of them all). ``--quick``: one repeat, ``target_met: null``.
Run: ``python benchmarks/run.py report [--quick]``.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

TARGET_RATIO = 3.0
TARGET_MB = 1024.0


def _best(func: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = func()
        best = min(best, time.perf_counter() - start)
    return best, out


def _peak_mb() -> float:
    """This process's peak resident memory in MB.

    Linux: ``VmHWM`` of ``/proc/self/status``, the high-water mark of this program's own memory.
    ``ru_maxrss`` is not used there: a child started by fork and exec inherits the parent's
    high-water mark at the fork (``run.py``'s, after the benchmarks before this one).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024.0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return peak / 1024.0 if sys.platform == "darwin" else peak


def _panel() -> tuple[xr.Dataset, str]:
    env = os.environ.get("KLIMACORE_SHARED_DATA")
    shared = Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    account = shared / "energi-co2-regnskab"
    if (account / "kommuner_2018_2023.csv").exists():
        from klimacore._report_cli import panel_from_account

        return panel_from_account(account), "real Energi- og CO2-regnskab 2018-2023"
    from klimacore import reference
    from klimacore.monitoring import account_panel

    codes = reference.municipalities()["code"].to_numpy()
    rng = np.random.default_rng(3)
    years = np.arange(2018, 2024)
    sectors = ["energi", "transport", "landbrug", "affald", "industri"]
    level = rng.uniform(1e4, 1e6, (codes.size, 1, len(sectors)))
    trend = 1 - rng.uniform(0, 0.06, (codes.size, 1, len(sectors))) * (years - 2018)[None, :, None]
    e = xr.DataArray(level * trend, dims=("municipality", "year", "sector"),
                     coords={"municipality": codes, "year": years, "sector": sectors})
    pop = xr.DataArray(rng.uniform(2e3, 6e5, (codes.size, 1)) * np.ones((1, years.size)),
                       dims=("municipality", "year"),
                       coords={"municipality": codes, "year": years})
    return account_panel(e, population=pop), "synthetic panel (shared data not found)"


def run(quick: bool = False) -> dict[str, Any]:
    """Measure in a fresh interpreter, so the memory peak is this benchmark's own."""
    import json
    import subprocess

    args = [sys.executable, __file__, "--measure", *(["--quick"] if quick else [])]
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def _measure(quick: bool) -> dict[str, Any]:
    import warnings

    from klimacore._report_cli import write_reports
    from klimacore.models import load_example_plan
    from klimacore.monitoring import example_round
    from klimacore.report import build_reports
    from klimacore.report._content import compute_contents

    panel, source = _panel()
    as_of = dt.date(2026, 12, 1)
    # the example municipality with the bundled illustrative plan and round (M4-M7, N1, N3, N4)
    plans, rounds = {727: load_example_plan()}, {727: example_round()}
    repeats = 1 if quick else 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t_numbers, contents = _best(lambda: compute_contents(
            panel, as_of=as_of, plans=plans, rounds=rounds), repeats)

        def full() -> int:
            with tempfile.TemporaryDirectory() as tmp:
                reports = build_reports(panel, as_of=as_of, plans=plans, rounds=rounds)
                return len(write_reports(reports, Path(tmp)))

        t_full, n_files = _best(full, repeats)
    peak_mb = _peak_mb()
    ratio = t_full / t_numbers
    return {
        "source": source,
        "reports": len(contents),
        "files": n_files,
        "numbers_seconds": round(t_numbers, 3),
        "full_seconds": round(t_full, 3),
        "ratio_full_to_numbers": round(ratio, 2),
        "target_ratio": TARGET_RATIO,
        "peak_rss_mb": round(peak_mb, 1),
        "target_mb": TARGET_MB,
        "target_met": None if quick else bool(ratio <= TARGET_RATIO and peak_mb < TARGET_MB),
    }


if __name__ == "__main__":
    import json

    if "--measure" in sys.argv:
        print(json.dumps(_measure("--quick" in sys.argv)))
    else:
        print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
