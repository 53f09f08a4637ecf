"""Monitoring: reporting rounds, computed action and indicator status, LMDI decomposition, roll-ups.

Only what municipalities report is stored (phases, updates, observations); statuses are computed
for an injected ``as_of`` date, vectorized over a panel of all municipalities.
"""

from __future__ import annotations

from klimacore.monitoring._lmdi import (
    EFFECTS,
    decompose_emissions,
    emission_identity,
    lmdi,
    log_mean,
)
from klimacore.monitoring._rollup import (
    NATIONAL_CAVEATS,
    national_residual,
    national_rollup,
    rollup,
    status_counts,
)

__all__ = [
    "NATIONAL_CAVEATS",
    "national_residual",
    "national_rollup",
    "rollup",
    "status_counts",
    "EFFECTS",
    "decompose_emissions",
    "emission_identity",
    "lmdi",
    "log_mean",
]
