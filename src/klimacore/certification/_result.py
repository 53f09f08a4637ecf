"""The tidy result of a certification: columns, statuses, one finding per rule (internal)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "BLOCKING",
    "CERT_COLUMNS",
    "FAIL",
    "NEEDS_REVIEW",
    "NOT_APPLICABLE",
    "NO_DATA",
    "PASS",
    "STATUSES",
    "Finding",
    "blocking",
    "frame",
]

PASS, FAIL, NEEDS_REVIEW, NO_DATA, NOT_APPLICABLE = (
    "pass", "fail", "needs review", "no data", "not applicable")
STATUSES: tuple[str, ...] = (PASS, FAIL, NEEDS_REVIEW, NO_DATA, NOT_APPLICABLE)
"""Statuses of a finding. ``needs review``: the machine found what it can check in order and a
person must judge the content (never a pass). ``no data``: the plan does not state what the rule
needs (unreported is not zero)."""

BLOCKING: tuple[str, ...] = (FAIL, NO_DATA)
"""Statuses that block certification when the finding's severity is ``error``."""

CERT_COLUMNS: tuple[str, ...] = (
    "municipality", "plan_version", "ruleset", "rule", "criterion", "status", "severity",
    "needs_review", "evidence", "missing", "message",
)
"""Columns of a certification table: one row per rule and plan. ``evidence`` and ``missing`` are
``"; "``-joined lists (what was found, which plan fields are absent)."""


@dataclass(frozen=True)
class Finding:
    """What one rule found: status, severity, evidence and missing fields, and a message."""

    status: str
    severity: str
    message: str
    evidence: Sequence[str] = field(default_factory=tuple)
    missing: Sequence[str] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; valid: {', '.join(STATUSES)}")
        if self.severity not in ("error", "warning", "info"):
            raise ValueError(f"unknown severity {self.severity!r}: error, warning or info")


def row(municipality: int, version: str, ruleset: str, rule: str, criterion: str,
        finding: Finding) -> dict[str, Any]:
    """One table row (a plain dict) from a finding."""
    return {
        "municipality": municipality, "plan_version": version, "ruleset": ruleset,
        "rule": rule, "criterion": criterion, "status": finding.status,
        "severity": finding.severity, "needs_review": finding.status == NEEDS_REVIEW,
        "evidence": "; ".join(finding.evidence), "missing": "; ".join(finding.missing),
        "message": finding.message,
    }


def frame(rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """The tidy table of rows in :data:`CERT_COLUMNS` order."""
    import pandas as pd

    out = pd.DataFrame(list(rows), columns=list(CERT_COLUMNS))
    out["needs_review"] = out["needs_review"].astype(bool)
    out["municipality"] = out["municipality"].astype("int64")
    return out


def blocking(table: pd.DataFrame) -> pd.DataFrame:
    """The rows that block certification: severity ``error`` and status ``fail`` or ``no data``.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"status": ["fail", "fail", "no data", "needs review"],
    ...                   "severity": ["error", "warning", "error", "error"]})
    >>> blocking(t).index.tolist()
    [0, 2]
    """
    mask = (table["severity"] == "error") & table["status"].isin(BLOCKING)
    return table[mask]
