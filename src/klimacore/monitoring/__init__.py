"""Monitoring: reporting rounds, computed action and indicator status, LMDI decomposition, roll-ups.

Only what municipalities report is stored (phases and states, action updates, indicator
observations with their data release dates, climate events); statuses are computed for an
injected ``as_of`` date, vectorized over the panel of all municipalities.

- data model: :class:`ReportingRound` (open → closed, revisions with a reason),
  :class:`MonitoredAction` (phase + state; :func:`migrate_action` reads old plans),
  :class:`ActionUpdate`, :class:`IndicatorMeta`, :class:`IndicatorObservation`, links,
  :class:`ClimateEvent`; :class:`RoundData` (one round as a document; the bundled ILLUSTRATIVE round of
  the example plan is :func:`klimacore.examples.example_round`);
- computed: :func:`action_status` (with the reason and update freshness), :func:`action_summary`,
  :func:`indicator_status`, :func:`data_age`, :func:`status_frame`;
- why emissions changed: :func:`lmdi`, :func:`decompose_emissions`, :func:`decompose_panel`
  (LMDI-I, additive and multiplicative, single-period or chained);
- roll-ups: :func:`rollup`, :func:`status_counts`, :func:`national_rollup` (the 70 % question,
  with :data:`NATIONAL_CAVEATS`), :func:`national_residual`;
- panel: :func:`account_panel` (Energi- og CO2-regnskab of all municipalities), observation and
  target panels;
- in and out: :class:`MonitoringStore` (SQLite / PostgreSQL via SQLAlchemy, extra
  ``klimacore[monitoring]``), :func:`write_template` / :func:`read_template` (Excel or CSV).

>>> from klimacore.monitoring import national_rollup
>>> import xarray as xr
>>> one = lambda v: xr.DataArray([v], dims="municipality", coords={"municipality": [0]})
>>> bool(national_rollup(one(78.6), one(18.8), one(21.4))["action_over_fulfils"])
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from klimacore.monitoring._example import RoundData
from klimacore.monitoring._lmdi import (
    EFFECTS,
    decompose_emissions,
    emission_identity,
    lmdi,
    log_mean,
)
from klimacore.monitoring._model import (
    HAZARDS,
    PHASES,
    ROLES,
    STATES,
    ActionIndicatorLink,
    ActionUpdate,
    ClimateEvent,
    IndicatorLink,
    IndicatorMeta,
    IndicatorObservation,
    Milestone,
    MonitoredAction,
    ReportingRound,
    migrate_action,
    migrate_plan_actions,
)
from klimacore.monitoring._panel import (
    account_from_rows,
    account_panel,
    account_rows,
    decompose_panel,
    indicator_targets,
    observation_panel,
)
from klimacore.monitoring._rollup import (
    NATIONAL_CAVEATS,
    national_residual,
    national_rollup,
    rollup,
    status_counts,
)
from klimacore.monitoring._status import (
    ACTION_REASONS,
    ACTION_STATUS,
    DATA_AGE_STATUS,
    FRESHNESS,
    INDICATOR_STATUS,
    action_status,
    action_summary,
    codes,
    data_age,
    indicator_status,
    status_frame,
)
from klimacore.monitoring._template import (
    ACTION_COLUMNS,
    INDICATOR_COLUMNS,
    read_template,
    write_template,
)

if TYPE_CHECKING:  # imported on first use: the store needs SQLAlchemy (extra "monitoring")
    from klimacore.monitoring._store import (
        ConflictError,
        FrozenRoundError,
        MonitoringStore,
        StoredRound,
    )

__all__ = [
    "ACTION_COLUMNS",
    "ACTION_REASONS",
    "ACTION_STATUS",
    "DATA_AGE_STATUS",
    "EFFECTS",
    "FRESHNESS",
    "HAZARDS",
    "INDICATOR_COLUMNS",
    "INDICATOR_STATUS",
    "NATIONAL_CAVEATS",
    "PHASES",
    "ROLES",
    "STATES",
    "ActionIndicatorLink",
    "ActionUpdate",
    "ClimateEvent",
    "ConflictError",
    "FrozenRoundError",
    "IndicatorLink",
    "IndicatorMeta",
    "IndicatorObservation",
    "Milestone",
    "MonitoredAction",
    "MonitoringStore",
    "ReportingRound",
    "RoundData",
    "StoredRound",
    "account_from_rows",
    "account_panel",
    "account_rows",
    "action_status",
    "action_summary",
    "codes",
    "data_age",
    "decompose_emissions",
    "decompose_panel",
    "emission_identity",
    "indicator_status",
    "indicator_targets",
    "lmdi",
    "log_mean",
    "migrate_action",
    "migrate_plan_actions",
    "national_residual",
    "national_rollup",
    "observation_panel",
    "read_template",
    "rollup",
    "status_counts",
    "status_frame",
    "write_template",
]


def __getattr__(name: str) -> object:  # the store needs SQLAlchemy (extra "monitoring")
    if name in ("ConflictError", "FrozenRoundError", "MonitoringStore", "StoredRound"):
        from klimacore.monitoring import _store

        return getattr(_store, name)
    if name == "example_round":  # deprecated alias of klimacore.examples.example_round
        from klimacore.monitoring import _example

        return _example.__getattr__(name)
    raise AttributeError(f"module 'klimacore.monitoring' has no attribute {name!r}")
