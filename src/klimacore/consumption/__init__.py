"""Consumption-based footprints: intensities from an MRIO, spend-based footprints, uncertainty.

Three parts:

* **Intensity builder** (:func:`intensities_from_mrio`, :func:`product_intensities`): emissions
  per unit of final demand for each product as consumed by one region, imports included, optionally
  characterised to CO2e and bridged to COICOP.
* **Spend-based footprint** (:func:`spend_footprint`): spending by municipality × COICOP (× year),
  deflated, bridged from purchaser to basic prices, times intensities, with physical overrides for
  household energy and fuel that *replace* the monetary estimate; results by COICOP, group
  (housing / food / transport / goods / services), total and per inhabitant.
* **Uncertainty** (:func:`monte_carlo_footprint`): lognormal intensities on a ``draw`` dimension,
  vectorized, with percentiles.

* **Danish figures and municipal footprints** (:func:`national_figures`,
  :func:`derive_danish_intensities`, :func:`danish_intensities`, :func:`municipal_footprint`,
  :func:`footprint_table`, :func:`sensitivity_table`): intensities derived from cited national
  figures, and every municipality's footprint in the NIRAS (2024) structure from open register
  drivers with a Monte Carlo over all parameters (see ``docs/consumption-method.md``).

Bundled defaults (:func:`default_intensities`, …) are illustrative where marked; the example
data are in :mod:`klimacore.examples`.

Examples
--------
>>> from klimacore import consumption, examples
>>> ds = consumption.spend_footprint(examples.example_spending(),
...                                  consumption.default_intensities())
>>> sorted(ds["by_group"]["group"].to_numpy().tolist())
['food', 'goods', 'housing', 'services', 'transport']
>>> bool(abs(float(ds["by_group"].sum()) - float(ds["total"].sum())) < 1e-6)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from klimacore.consumption._common import PRICE_BASES, ancestors, normalize_coicop
from klimacore.consumption._defaults import (
    EXAMPLE_MUNICIPALITY,
    coicop_divisions,
    coicop_groups,
    coicop_table,
    default_intensities,
    energy_content_table,
    fuel_factors,
)
from klimacore.consumption._footprint import FOOTPRINT_GROUPS, spend_footprint
from klimacore.consumption._intensity import (
    characterise,
    check_concordance,
    intensities_from_mrio,
    product_intensities,
)
from klimacore.consumption._mparams import municipal_parameters, sample_parameters
from klimacore.consumption._mtables import (
    footprint_indicators,
    footprint_table,
    sensitivity_table,
)
from klimacore.consumption._municipal import (
    CATEGORIES,
    municipal_footprint,
    reference_footprint,
)
from klimacore.consumption._national import (
    PRIVATE_CATEGORIES,
    danish_intensities,
    derive_danish_intensities,
    national_figures,
)
from klimacore.consumption._prices import DANISH_VAT_RATE, deflate, purchaser_to_basic
from klimacore.consumption._uncertainty import lognormal_multipliers, monte_carlo_footprint

if not TYPE_CHECKING:  # deprecated names (example_*, demo_section), until 0.3
    from klimacore.consumption._defaults import __getattr__ as __getattr__

__all__ = [
    "CATEGORIES",
    "DANISH_VAT_RATE",
    "EXAMPLE_MUNICIPALITY",
    "FOOTPRINT_GROUPS",
    "PRICE_BASES",
    "PRIVATE_CATEGORIES",
    "ancestors",
    "characterise",
    "check_concordance",
    "coicop_divisions",
    "coicop_groups",
    "coicop_table",
    "danish_intensities",
    "default_intensities",
    "deflate",
    "derive_danish_intensities",
    "energy_content_table",
    "footprint_indicators",
    "footprint_table",
    "fuel_factors",
    "intensities_from_mrio",
    "lognormal_multipliers",
    "monte_carlo_footprint",
    "municipal_footprint",
    "municipal_parameters",
    "national_figures",
    "normalize_coicop",
    "product_intensities",
    "purchaser_to_basic",
    "reference_footprint",
    "sample_parameters",
    "sensitivity_table",
    "spend_footprint",
]
