"""Territorial (GPC) accounting: activity × emission factor over labelled dimensions.

Emissions are computed for one municipality or all 98, many years, and any extra dimension a user
brings (scenario, draw) at once. Units are converted at the boundary (GJ, MWh, L, Nm3, t, vkm …
against factors per that unit) and the arithmetic runs on plain arrays. Alignment is exact: a
missing factor, an unknown GPC category or fuel, or a unit of the wrong dimension raises an error
that names every offending label, never a silent zero.

The inventory is an :class:`xarray.Dataset` with ``emissions`` by gas (t), ``co2e`` (t CO2e, its
GWP metric in attrs), ``co2_biogenic`` (a memo item outside totals), ``co2e_fixed`` (numbers
known only as CO2e, e.g. scope 2 from grid factor sets) and ``notation_key`` (NO/IE/NE/C as data).
:func:`totals` sums categories by sector, sub-sector, scope, plan sector or into the GPC totals
BASIC, BASIC+ and territorial; :func:`aggregate` goes municipality → region → Denmark;
:func:`per_capita` divides by a population input. Scope 2 electricity and district heating use
named attribution methods (:class:`GridFactorSet`), several side by side along a ``scope2_method`` dim.

Examples
--------
>>> import pandas as pd
>>> from klimacore import territorial as kt
>>> act = pd.DataFrame({"municipality": 727, "year": 2019,
...     "category": ["I.1.1", "I.2.1", "II.1.1"], "fuel": ["natural_gas", "natural_gas", "diesel"],
...     "value": [100.0, 10.0, 500.0], "unit": ["GJ", "MWh", "GJ"]})
>>> inv = kt.inventory(act, kt.default_emission_factors())
>>> kt.totals(inv["co2e"], "sector").sel(municipality=727, year=2019).round(1).to_numpy().tolist()
[7.7, 37.6]
>>> kt.co2e(inv, "AR6GWP100").attrs["gwp_metric"]
'AR6GWP100'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from klimacore.forms._activity import activity_array
from klimacore.territorial._engine import co2e_totals, emissions
from klimacore.territorial._example import EXAMPLE_MUNICIPALITY
from klimacore.territorial._factors import default_emission_factors, emission_factors
from klimacore.territorial._grid import (
    METHODS,
    GridFactorSet,
    grid_emission_factors,
    grid_emissions,
    grid_factor_set,
)
from klimacore.territorial._inventory import co2e, inventory
from klimacore.territorial._labels import BIOGENIC_CO2, GROUPINGS, NOTATION_KEYS
from klimacore.territorial._totals import aggregate, gpc_totals, per_capita, totals

__all__ = [
    "BIOGENIC_CO2",
    "EXAMPLE_MUNICIPALITY",
    "GROUPINGS",
    "METHODS",
    "NOTATION_KEYS",
    "GridFactorSet",
    "activity_array",
    "aggregate",
    "co2e",
    "co2e_totals",
    "default_emission_factors",
    "emission_factors",
    "emissions",
    "gpc_totals",
    "grid_emission_factors",
    "grid_emissions",
    "grid_factor_set",
    "inventory",
    "per_capita",
    "totals",
]

if not TYPE_CHECKING:  # deprecated names (example_*, demo_section), until 0.3
    from klimacore.territorial._example import __getattr__ as __getattr__
