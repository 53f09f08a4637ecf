"""The GPC category table, the one check of GPC labels and their order (internal).

Layer: forms (below the engines), so the activity form and the territorial engine read the same
table and check a category label in one place.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from klimacore.errors import MissingLabelError

__all__ = ["NOTATION_KEYS", "UNKNOWN_CATEGORIES", "Gpc", "check_categories", "gpc", "gpc_order",
           "unknown_categories"]

NOTATION_KEYS: tuple[str, ...] = ("NO", "IE", "NE", "C")

# GPC sector / sub-sector -> the sectors of klimacore.models.PLAN_SECTORS
_PLAN_SECTOR = {
    "I": "energy",
    "II": "transport",
    "III": "waste",
    "IV": "industry",
    "V.1": "agriculture",
    "V.2": "land_use",
    "V.3": "agriculture",
    "VI": "other",
}


@dataclass(frozen=True)
class Gpc:
    """The GPC category table as immutable arrays (cached)."""

    refs: tuple[str, ...]
    index: dict[str, int]
    columns: dict[str, tuple[Any, ...]]
    totals: np.ndarray[Any, np.dtype[np.bool_]]  # (n_refs, 3): basic, basic_plus, territorial


@cache
def gpc() -> Gpc:
    from klimacore import reference

    frame = reference.gpc_categories()
    refs = tuple(str(r) for r in frame["ref"])
    cols = {
        c: tuple(frame[c].tolist())
        for c in ("sector", "sector_name", "subsector", "subsector_name", "scope")
    }
    cols["plan_sector"] = tuple(
        _PLAN_SECTOR[sub] if sub in _PLAN_SECTOR else _PLAN_SECTOR[sec]
        for sec, sub in zip(cols["sector"], cols["subsector"], strict=True)
    )
    totals = frame[list(reference.gpc_totals())].to_numpy(dtype=bool)
    totals.setflags(write=False)
    return Gpc(refs, {r: i for i, r in enumerate(refs)}, cols, totals)


UNKNOWN_CATEGORIES = "GPC reference number (unknown categories; see reference.gpc_categories())"
"""What is missing when a category label is not a GPC 1.1 reference number."""


def unknown_categories(categories: Iterable[Hashable]) -> list[Any]:
    """The labels (deduplicated, in order met) that are not GPC 1.1 reference numbers: the one
    check of a GPC label, which every reader and engine calls.

    >>> unknown_categories(["I.1.1", "X.9", "II.1.1", "X.9"])
    ['X.9']
    """
    index = gpc().index
    return [c for c in dict.fromkeys(categories) if c not in index]


def check_categories(categories: Iterable[Hashable]) -> None:
    """Raise naming every label that is not a GPC 1.1 reference number."""
    bad = unknown_categories(categories)
    if bad:
        raise MissingLabelError(UNKNOWN_CATEGORIES, bad, dim="category", code="category.unknown")


def gpc_order(categories: Iterable[Hashable], *, checked: bool = False) -> list[str]:
    """Categories (deduplicated) in GPC table order; unknown ones raise (unless the caller has
    ``checked`` them already)."""
    cats = list(dict.fromkeys(str(c) for c in categories))
    if not checked:
        check_categories(cats)
    index = gpc().index
    return sorted(cats, key=index.__getitem__)
