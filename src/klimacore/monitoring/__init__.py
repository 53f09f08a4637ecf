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

__all__ = [
    "EFFECTS",
    "decompose_emissions",
    "emission_identity",
    "lmdi",
    "log_mean",
]
