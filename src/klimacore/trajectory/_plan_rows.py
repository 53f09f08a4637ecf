"""The rows every plan check returns: :data:`RULE_COLUMNS`, the row collector, the rules' constants.

Shared by the target rules, the rule sets, the manko and action checks, no backsliding and
:func:`~klimacore.trajectory.check_plan` (internal).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from klimacore.models import ClimateActionPlan, Target

__all__ = ["RULE_COLUMNS"]

RULE_COLUMNS: tuple[str, ...] = (
    "municipality", "plan_version", "check", "rule", "reference", "sector", "year", "value",
    "threshold", "unit", "status", "severity", "message", "rule_set",
)
MIN_GASES = ("CO2", "CH4", "N2O")
LATEST_NET_ZERO = 2050
LATEST_FIRST_TARGET = 2030
MIN_INTERIM_TARGETS = 2
SCENARIO_END = 2050
CCTF_REFERENCE = "cctf-dk-2030-sectors"
CCTF_SECTOR_MAP = {"waste": "other"}
"""Plan sectors mapped onto the CCTF ranges' sectors (``land_use`` has no range)."""
LINK_TOLERANCE_PCT = 5.0
"""Claimed reductions may differ from the linked action effects by this % before a warning."""


class Rows:
    def __init__(self, plan: ClimateActionPlan, check: str, rule_set: str | None = None) -> None:
        self.plan = plan
        self.check = check
        self.rule_set = rule_set
        self.rows: list[dict[str, Any]] = []

    def add(self, rule: str, status: str, severity: str, message: str, *,
            reference: str | None = None, sector: str | None = None, year: float | None = None,
            value: float | None = None, threshold: float | None = None,
            unit: str = "") -> None:
        self.rows.append(dict(
            municipality=self.plan.municipality, plan_version=self.plan.version,
            check=self.check, rule=rule, reference=reference, sector=sector,
            year=math.nan if year is None else float(year),
            value=math.nan if value is None else float(value),
            threshold=math.nan if threshold is None else float(threshold),
            unit=unit, status=status, severity=severity if status != "pass" else "info",
            message=message, rule_set=self.rule_set,
        ))

    def frame(self) -> pd.DataFrame:
        return frame_of(self.rows)


def frame_of(rows: Sequence[dict[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    frame = pd.DataFrame(list(rows), columns=list(RULE_COLUMNS))
    frame["year"] = frame["year"].astype("Int64")
    for col in ("value", "threshold"):
        frame[col] = frame[col].astype(float)
    return frame


def economy_targets(plan: ClimateActionPlan) -> list[Target]:
    return [t for t in plan.targets if t.kind in ("absolute", "net_zero", "per_capita")
            and t.sector is None]

