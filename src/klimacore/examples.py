"""The bundled illustrative example: one municipality (727 Odder), built from bundled tables.

Everything here is **illustrative** (marked so in the data and in ``attrs``): round figures of
plausible size to try klimacore on, never official numbers. ``klimacore demo`` runs on them.

- the plan: :func:`example_plan` (DK2020/CAPF), :func:`example_plan_cctf` (with CCTF data);
- territorial (GPC): :func:`example_activity`, :func:`example_direct_emissions`,
  :func:`example_notation_keys`, :func:`example_grid_factors`, :func:`example_grid_sets` and the
  inventory built from them, :func:`example_inventory`;
- consumption: :func:`example_spending`, :func:`example_energy_use`, :func:`example_factors` and
  the footprint built from them, :func:`example_footprint`;
- monitoring: the plan's 2025 reporting round, :func:`example_round`.

These used to live in the engines (``territorial.example_inventory``,
``consumption.example_footprint``, ``certification.example_plan``,
``monitoring.example_round``, …); the old names are
deprecated aliases until klimacore 0.3.

>>> from klimacore import examples
>>> inv = examples.example_inventory()
>>> inv.attrs["illustrative"], int(inv["municipality"].item())
(True, 727)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from klimacore._deprecation import renamed_parameter
from klimacore.territorial import EXAMPLE_MUNICIPALITY
from klimacore.units import DEFAULT_GWP_METRIC

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from klimacore.models import ClimateActionPlan
    from klimacore.monitoring import RoundData
    from klimacore.territorial import GridFactorSet

__all__ = [
    "EXAMPLE_MUNICIPALITY",
    "example_activity",
    "example_direct_emissions",
    "example_energy_use",
    "example_factors",
    "example_footprint",
    "example_grid_factors",
    "example_grid_sets",
    "example_inventory",
    "example_notation_keys",
    "example_plan",
    "example_plan_cctf",
    "example_round",
    "example_spending",
]

_NETWORK = "Odder network (illustrative)"
_SOURCE = "klimacore illustrative example data (not Energistyrelsen's Energi- og CO2-regnskab)"


def _table(name: str) -> pd.DataFrame:
    from klimacore import reference

    return reference.read_table(name)


# -- the plan ---------------------------------------------------------------------------------


def example_plan() -> ClimateActionPlan:
    """The bundled illustrative climate action plan of 727 Odder (DK2020/CAPF).

    The same plan as :func:`klimacore.models.load_example_plan`.

    >>> plan = example_plan()
    >>> plan.municipality, plan.illustrative, plan.baseline_year
    (727, True, 2019)
    """
    from klimacore.models import load_example_plan

    return load_example_plan()


def example_plan_cctf() -> ClimateActionPlan:
    """The example plan with its illustrative CCTF data attached (for the re-certification rules).

    >>> example_plan_cctf().cctf.commitment.body
    'council'
    """
    import json

    from klimacore import _data
    from klimacore.certification import with_cctf

    return with_cctf(example_plan(), json.loads(_data.read_text("example_plan_cctf.json")))


# -- territorial (GPC) ------------------------------------------------------------------------


def example_activity() -> pd.DataFrame:
    """Illustrative activity data for Odder (727), 2019 and 2024, as a tidy frame.

    >>> a = example_activity()
    >>> a.columns.tolist()[:6], sorted(set(a["year"]))
    (['municipality', 'year', 'category', 'fuel', 'value', 'unit'], [2019, 2024])
    """
    return _table("example_activity_727.csv")


def example_direct_emissions() -> pd.DataFrame:
    """Illustrative direct entries (waste, IPPU, agriculture, land) for Odder, in t of gas.

    >>> sorted(set(example_direct_emissions()["gas"]))
    ['CH4', 'CO2', 'HFC-134a', 'N2O']
    """
    return _table("example_direct_727.csv")


def example_notation_keys() -> pd.DataFrame:
    """Illustrative notation keys (NO/IE/NE) for Odder's categories without numbers.

    >>> sorted(set(example_notation_keys()["notation_key"]))
    ['IE', 'NE', 'NO']
    """
    return _table("example_notation_keys_727.csv")


def example_grid_factors() -> pd.DataFrame:
    """Illustrative scope-2 factor table (the layout of ``reference.grid_emission_factors()``).

    >>> sorted(set(example_grid_factors()["carrier"]))
    ['district_heating', 'electricity']
    """
    return _table("example_grid_factors_727.csv")


def example_grid_sets() -> dict[str, list[GridFactorSet]]:
    """Two electricity attributions side by side, each with the network's district heating.

    >>> sorted(example_grid_sets())
    ['municipality_location', 'national_location']
    """
    from klimacore.territorial import grid_factor_set

    table = example_grid_factors()
    heat = grid_factor_set(table, carrier="district_heating", method="network_declaration",
                           areas={EXAMPLE_MUNICIPALITY: _NETWORK})
    return {
        method: [grid_factor_set(table, carrier="electricity", method=method,
                                 chp_allocation="125%"), heat]
        for method in ("national_location", "municipality_location")
    }


@renamed_parameter("metric", "gwp_metric", since="0.2", removed_in="0.3")
def example_inventory(*, gwp_metric: str = DEFAULT_GWP_METRIC) -> xr.Dataset:
    """The example municipality's GPC inventory (illustrative), with a ``scope2_method`` dim.

    Parameters
    ----------
    gwp_metric
        GWP set of ``co2e`` (one of :data:`klimacore.units.GWP_METRICS`).

    Examples
    --------
    >>> inv = example_inventory()
    >>> inv["co2e"].dims, inv["scope2_method"].to_numpy().tolist()
    (('municipality', 'year', 'category', 'scope2_method'), ['national_location', 'municipality_location'])
    >>> example_inventory(gwp_metric="AR6GWP100").attrs["gwp_metric"]
    'AR6GWP100'
    """
    from klimacore.territorial import default_emission_factors, inventory
    from klimacore.units import check_gwp_metric

    check_gwp_metric(gwp_metric)
    return inventory(
        example_activity(), default_emission_factors(), direct=example_direct_emissions(),
        grid=example_grid_sets(), notation_keys=example_notation_keys(), gwp_metric=gwp_metric,
        source=_SOURCE, release_date="2026-01-01", attrs={"illustrative": True})


# -- consumption ------------------------------------------------------------------------------


def example_spending() -> xr.DataArray:
    """Illustrative household spending of the example municipality (727 Odder), 2019, DKK at
    purchaser prices of 2019, by COICOP code (nested: ``04`` includes ``04.5.x``).

    >>> s = example_spending()
    >>> s.dims, s.attrs["units"], s.attrs["price_basis"]
    (('municipality', 'year', 'coicop'), 'DKK', 'purchaser')
    """
    import xarray as xr

    table = _table("consumption_spending_example.csv")
    series = table.set_index(["municipality", "year", "coicop"])["value"]
    da = xr.DataArray.from_series(series).astype(float)
    da.attrs = {
        "units": str(table["unit"].iloc[0]),
        "price_year": int(table["price_year"].iloc[0]),
        "price_basis": str(table["price_basis"].iloc[0]),
        "illustrative": True,
        "source": "klimacore bundled consumption_spending_example.csv (illustrative; shares "
        "from DST Forbrugsundersøgelsen 2019)",
    }
    return da


def example_energy_use() -> pd.DataFrame:
    """Illustrative household energy and fuel use of the example municipality (physical units).

    >>> int(example_energy_use()["municipality"].iloc[0])
    727
    """
    return _table("consumption_energy_example.csv")


def example_factors() -> dict[str, tuple[float, str]]:
    """Illustrative electricity and district heat CO2e factors for the example.

    >>> example_factors()["electricity"]
    (0.15, 'kg/kWh')
    """
    table = _table("consumption_energy_factors_example.csv")
    return {
        str(c): (float(v), str(u))
        for c, v, u in zip(table["carrier"], table["value"], table["unit"], strict=True)
    }


def example_footprint(*, n_draws: int = 0, seed: int | None = 20190727) -> xr.Dataset:
    """The example municipality's consumption footprint from the bundled illustrative data.

    Spending (purchaser prices) is bridged to basic prices with the Danish 25 % VAT, 0 % on
    rent, education and insurance/finance (exempt, Momsloven § 13: the 04 residual, 10, 12), and
    the energy classes are replaced by physical use × factors (fuel factors from
    :func:`klimacore.reference.fuel_emission_factors`, illustrative electricity and district
    heat). The population is the example plan's (2019). With ``n_draws`` > 0 a Monte Carlo over
    the intensities is added (percentiles of the total).

    >>> ds = example_footprint()
    >>> sorted(ds["by_group"]["group"].to_numpy().tolist())
    ['food', 'goods', 'housing', 'services', 'transport']
    >>> ds.attrs["population_source"]
    'example plan'
    """
    from klimacore.consumption import (
        DANISH_VAT_RATE,
        default_intensities,
        monte_carlo_footprint,
        spend_footprint,
    )

    plan = example_plan()
    kwargs: dict[str, Any] = {
        "vat": {"*": DANISH_VAT_RATE, "04": 0.0, "04.5": DANISH_VAT_RATE, "10": 0.0, "12": 0.0},
        "overrides": example_energy_use(),
        "factors": example_factors(),
        "population": {plan.municipality: float(plan.population[2019])},
    }
    if n_draws > 0:
        ds = monte_carlo_footprint(example_spending(), default_intensities(), n_draws=n_draws,
                                   seed=seed, **kwargs)
    else:
        ds = spend_footprint(example_spending(), default_intensities(), **kwargs)
    # what the text table says about the inputs (klimacore.report.spend_footprint_text)
    ds.attrs["population_source"] = "example plan"
    ds.attrs["bridge_note"] = f"VAT {DANISH_VAT_RATE * 100:g} %; 0 % on rent, education, finance"
    return ds


def example_round() -> RoundData:
    """The bundled ILLUSTRATIVE 2025 monitoring round of the example plan (Odder, 727).

    Read from ``example_round_727.json`` and validated as a
    :class:`klimacore.monitoring.RoundData`: invented for the demo, docs and tests, not Odder
    Kommune's reporting. (Was ``monitoring.example_round``, a deprecated alias until 0.3.)

    >>> r = example_round()
    >>> r.round.municipality, r.round.year, r.illustrative
    (727, 2025, True)
    >>> sorted(a.id for a in r.actions)[:3]
    ['A1', 'AD1', 'AD2']
    """
    from klimacore import _data
    from klimacore.monitoring import RoundData

    return RoundData.model_validate_json(_data.read_text("example_round_727.json"))
