"""Emission factors by fuel × gas: the public converters over the factor form (internal).

The form itself (:class:`klimacore.forms.FactorTable`, built by :func:`klimacore.forms.as_factors`)
lives in :mod:`klimacore.forms`; here are the public names that return its labelled view.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from klimacore.forms import BASKET, FactorTable, as_factors
from klimacore.forms._factors import canonical_gas

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = ["BASKET", "FactorTable", "canonical_gas", "default_emission_factors",
           "emission_factors", "factor_table"]

factor_table = as_factors
"""The one converter of emission factors (:func:`klimacore.forms.as_factors`)."""


def emission_factors(
    factors: pd.DataFrame | xr.DataArray,
    *,
    dims: Sequence[str] = (),
    gases: Sequence[str] | None = None,
) -> xr.DataArray:
    """Normalise emission factors to tonnes of gas per activity unit, by fuel × gas.

    Parameters
    ----------
    factors
        Either a tidy frame with columns ``fuel``, ``gas``, ``value`` and ``unit`` (a rate such as
        ``kg/GJ``, ``g/kWh``, ``kg/L``, ``g/vkm``; units may differ by row), optionally a boolean
        ``biogenic_co2`` column (CO2 rows flagged true become gas ``CO2_biogenic``, a memo item) and
        the columns named in ``dims``; or a DataArray with dims ``fuel`` and ``gas`` (plus any
        others, e.g. ``year``) whose unit is ``attrs["units"]`` or a ``unit`` coordinate along
        ``fuel``, optionally with a boolean ``biogenic`` coordinate along ``fuel`` (the CO2 of
        those fuels becomes ``CO2_biogenic``). Other frame columns (source, note, year …) are
        ignored unless named in ``dims``.
    dims
        Frame columns that are dimensions of the factors (e.g. ``("year",)`` for factors that
        change over time). By default a factor is one number per fuel × gas.
    gases
        Keep only these gases (e.g. ``["CO2", "CH4", "N2O"]``); each must be present.

    Returns
    -------
    xarray.DataArray
        Dims ``fuel``, ``gas`` and ``dims``; values in t per unit of activity, the unit per fuel in
        the ``unit`` coordinate (e.g. ``'t/GJ'``). NaN marks a factor that is not given; using
        such a factor raises. Feeding the result back in returns it unchanged.

    Raises
    ------
    UnitError
        A unit that is not a mass per something, or per-fuel units of different dimensions.
    DataError
        Duplicate keys or missing columns.

    Examples
    --------
    >>> import pandas as pd
    >>> f = emission_factors(pd.DataFrame({
    ...     "fuel": ["natural_gas", "natural_gas", "diesel"], "gas": ["CO2", "CH4", "CO2"],
    ...     "value": [56.69, 5.0, 2.65], "unit": ["kg/GJ", "g/GJ", "kg/L"]}))
    >>> f.sel(fuel="natural_gas").to_numpy().tolist(), f["unit"].to_numpy().tolist()
    ([0.05669, 5e-06], ['t/GJ', 't/L'])
    """
    return factor_table(factors, dims=dims, gases=gases).to_dataarray()


def default_emission_factors(
    *, gases: Sequence[str] | None = None, sector: str | None = None
) -> xr.DataArray:
    """The bundled default fuel factors (``data/fuel_emission_factors.csv``), normalised, by sector.

    CO2 is a property of the fuel; CH4 and N2O depend on how it is burnt, so by default the
    factors have a ``category`` dimension over the GPC categories where fuel is burnt (I.1.1 …
    I.6.1, I.4.4, II.1.1 … II.5.1 and the transboundary II.x.3), each using the IPCC 2006 table of
    its sector: Table 2.2 energy industries for I.4, 2.3 manufacturing for I.3, 2.4
    commercial/institutional for I.2 (and I.6), 2.5 residential/agriculture for I.1 and I.5,
    3.2.2 road for II.1, 3.4.1 railways, 3.5.3 navigation, 3.6.5 aviation, 3.3.1 off-road.
    :func:`inventory` then picks each cell's row; ``attrs["ipcc_sector_by_category"]`` records the
    choice. A fuel with no default in a sector (petrol in a house, wood in a car) is NaN there,
    and using it raises naming the cells.

    Biogenic CO2 (wood, pellets, straw, biogas, the biomass part of waste) is the gas
    ``CO2_biogenic``, a memo item. The ``methane_origin`` coordinate (``fossil``,
    ``non_fossil``, ``''`` for mixed waste) lets the inventory weigh methane by origin under AR6.
    Every figure's source is in :func:`klimacore.reference.fuel_emission_factors`.

    Parameters
    ----------
    gases
        Keep only these gases.
    sector
        One IPCC source category (``"energy_industries"``, ``"manufacturing_construction"``,
        ``"commercial_institutional"``, ``"residential_agriculture"``, ``"road"``,
        ``"railways"``, ``"navigation"``, ``"aviation"``, ``"off_road"``) to get plain
        fuel × gas factors of that category instead of factors by GPC category.

    Examples
    --------
    >>> f = default_emission_factors()
    >>> round(float(f.sel(fuel="natural_gas", gas="CO2", category="I.1.1")) * 1e3, 2)
    56.69
    >>> wood = f.sel(fuel="wood", gas="CH4")   # t CH4 per GJ: district heating vs a house
    >>> float(wood.sel(category="I.4.4")) * 1e6, float(wood.sel(category="I.1.1")) * 1e6
    (30.0, 300.0)
    >>> plant = default_emission_factors(sector="energy_industries")
    >>> float(plant.sel(fuel="wood", gas="CO2")), float(plant.sel(fuel="wood", gas="CO2_biogenic"))
    (0.0, 0.112)
    """
    from klimacore.territorial._sectors import sector_factor_array

    return sector_factor_array(sector=sector, gases=gases)
