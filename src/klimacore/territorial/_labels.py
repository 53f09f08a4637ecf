"""Labels shared by the territorial engine: GPC categories, groupings, error helpers (internal)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from klimacore.errors import MissingLabelError, UnitError, ValidationError
from klimacore.forms._factors import BIOGENIC_CO2, as_label_array
from klimacore.forms._gpc import NOTATION_KEYS, Gpc, check_categories, gpc, gpc_order

__all__ = [
    "BIOGENIC_CO2",
    "GROUPINGS",
    "METHOD_DIM",
    "NOTATION_KEYS",
    "Gpc",
    "as_label_array",
    "check_categories",
    "gpc",
    "gpc_order",
    "membership",
    "raise_problems",
]

METHOD_DIM = "scope2_method"
"""Dimension of scope-2 attribution methods side by side (not ``method``, which ``.sel`` takes
as its fill-method argument)."""


GROUPINGS: tuple[str, ...] = ("sector", "subsector", "scope", "gpc", "plan_sector")
"""What :func:`totals` can group categories by."""

@cache
def membership(
    categories: tuple[str, ...], by: str
) -> tuple[tuple[Any, ...], dict[str, tuple[Any, ...]], np.ndarray[Any, np.dtype[np.float64]]]:
    """Group labels, their extra coordinates and the (category × group) 0/1 matrix."""
    table = gpc()
    check_categories(categories)
    rows = [table.index[c] for c in categories]
    if by == "gpc":
        labels: tuple[Any, ...] = ("basic", "basic_plus", "territorial")
        matrix = table.totals[rows].astype(np.float64)
        extra: dict[str, tuple[Any, ...]] = {
            "total_name": ("BASIC", "BASIC+", "territorial (scope 1)")
        }
    elif by in ("sector", "subsector", "scope", "plan_sector"):
        keys = [table.columns[by][r] for r in rows]
        if by == "plan_sector":
            from klimacore.models import PLAN_SECTORS

            order = {s: i for i, s in enumerate(PLAN_SECTORS)}
            labels = tuple(sorted(set(keys), key=order.__getitem__))
        else:
            labels = tuple(dict.fromkeys(table.columns[by][r] for r in sorted(rows)))
            if by == "scope":
                labels = tuple(sorted(labels))
        pos = {k: i for i, k in enumerate(labels)}
        matrix = np.zeros((len(rows), len(labels)))
        matrix[np.arange(len(rows)), [pos[k] for k in keys]] = 1.0
        extra = {}
        if by in ("sector", "subsector"):
            names = dict(zip(table.columns[by], table.columns[f"{by}_name"], strict=True))
            extra = {f"{by}_name": tuple(names[k] for k in labels)}
    else:
        raise ValidationError(f"unknown grouping {by!r}; valid: {', '.join(GROUPINGS)}")
    matrix.setflags(write=False)
    return labels, extra, matrix


def raise_problems(
    missing: Sequence[tuple[str, str, Sequence[object]]] = (),
    units: Sequence[str] = (),
    context: str = "",
) -> None:
    """Raise one error naming every problem found.

    ``missing`` holds (what, dim, labels) triples; ``units`` unit problems. Only missing labels:
    :class:`MissingLabelError` (all labels in ``.labels``); only units: :class:`UnitError`; both:
    :class:`ValidationError`. Every problem is in ``.problems``.
    """
    missing = [m for m in missing if m[2]]
    if not missing and not units:
        return
    texts = [str(MissingLabelError(what, labels, dim=dim)) for what, dim, labels in missing]
    prefix = f"{context}: " if context else ""
    if missing and not units:
        if len(missing) == 1:
            what, dim, labels = missing[0]
            raise MissingLabelError(f"{prefix}{what}", labels, dim=dim)
        all_labels = [lab for _, _, labels in missing for lab in labels]
        err = MissingLabelError(f"{prefix}labels", all_labels)
        err.problems = tuple(texts)
        err.args = (f"{prefix}{len(texts)} kinds of missing labels\n"
                    + "\n".join(f"  - {t}" for t in texts),)
        raise err
    if units and not missing:
        raise UnitError(f"{prefix}{len(units)} unit problem(s)", problems=list(units))
    raise ValidationError(f"{prefix}{len(texts) + len(units)} problems", problems=texts + list(units))
