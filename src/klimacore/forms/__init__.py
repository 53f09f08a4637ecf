"""One validated in-memory form per kind of data, built once where data enter.

Activity data, emission factors, emissions series, population, spending and plan data each have
one canonical form here: fixed dimension names and ``attrs`` (units, ``gwp_metric``, gas basket,
boundary, ``sector_classification``, source). The converters (``as_<kind>``) are called by
:mod:`klimacore.io` and the public entry points; the engines accept only the forms.

Layer: above :mod:`klimacore.models`, below the engines (``territorial``, ``mrio``,
``consumption``, ``trajectory``, …), which import from here and never the other way round.
"""

from __future__ import annotations

from klimacore.forms._activity import Activity, as_activity
from klimacore.forms._factors import BASKET, FactorTable, as_factors

__all__: list[str] = []
__all__ += ["BASKET", "Activity", "FactorTable", "as_activity", "as_factors"]
