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
from klimacore.forms._emissions import as_emissions
from klimacore.forms._factors import BASKET, FactorTable, as_factors
from klimacore.forms._plan import BASELINE_RTOL, PlanData, SectorSeries, plan_data
from klimacore.forms._population import as_population, population_for, require_entity_dims
from klimacore.forms._spending import PRICE_BASES, as_spending, normalize_coicop

__all__: list[str] = []
__all__ += ["BASKET", "Activity", "FactorTable", "as_activity", "as_factors"]
__all__ += ["as_emissions"]
__all__ += ["BASELINE_RTOL", "PlanData", "SectorSeries", "plan_data"]
__all__ += ["as_population", "population_for", "require_entity_dims"]
__all__ += ["PRICE_BASES", "as_spending", "normalize_coicop"]
