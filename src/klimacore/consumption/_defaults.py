"""Bundled defaults for consumption footprints (COICOP tables, intensities, fuel factors).

Every table is described in ``data/datapackage.json``. The Danish intensity table is
**illustrative** (marked so in the data), see :func:`default_intensities`. The example spending,
energy use, factors and footprint moved to :mod:`klimacore.examples` and the demo text to
:func:`klimacore.report.spend_footprint_text`; the old names in :mod:`klimacore.consumption` are
deprecated aliases until 0.3.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from klimacore._deprecation import renamed_parameter, warn_deprecated
from klimacore.errors import DataError
from klimacore.units import DEFAULT_GWP_METRIC, check_gwp_metric

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = [
    "EXAMPLE_MUNICIPALITY",
    "coicop_divisions",
    "coicop_groups",
    "coicop_table",
    "default_intensities",
    "energy_content_table",
    "fuel_factors",
]

EXAMPLE_MUNICIPALITY = 727
"""The example municipality of the bundled illustrative data (727 Odder)."""


def _table(name: str) -> pd.DataFrame:
    from klimacore import reference

    return reference.read_table(name)


def coicop_table() -> pd.DataFrame:
    """COICOP 2018 divisions and the energy groups/classes: ``code``, ``level``, ``name``,
    ``name_da``, ``group``.

    >>> t = coicop_table().set_index("code")
    >>> t.loc["07", "name"], t.loc["04.5.1", "group"]
    ('Transport', 'housing')
    """
    return _table("coicop.csv")


def coicop_divisions() -> pd.DataFrame:
    """The 13 COICOP 2018 divisions ``01``–``13`` with English and Danish names and group."""
    table = coicop_table()
    return table[table["level"] == "division"].reset_index(drop=True)


@cache
def _groups() -> dict[str, str]:
    table = coicop_table()
    return {str(c): str(g) for c, g in zip(table["code"], table["group"], strict=True)}


def coicop_groups() -> dict[str, str]:
    """klimacore's COICOP → footprint group mapping (housing, food, transport, goods, services).

    Divisions 01 (food) and 02 (alcohol and tobacco) are *food*; 04 *housing*; 07 *transport*;
    03 (clothing) and 05 (furnishings and household equipment) *goods*; the rest (health,
    information and communication, recreation, education, restaurants and accommodation,
    insurance and finance, personal care and miscellaneous) *services*. A sub-code takes the
    group of its nearest listed ancestor. This is a convention, not a published classification.

    >>> coicop_groups()["11"]
    'services'
    """
    return dict(_groups())


def default_intensities() -> xr.DataArray:
    """The bundled Danish intensity table by COICOP 2018 division (**illustrative**).

    kg CO2e per DKK at basic prices of 2019, AR5 GWP100, with the energy classes 04.5.x and
    07.2.2 as separate rows (used only where no physical override replaces them). The values are
    placeholders, marked ``illustrative`` in ``attrs`` and in the data: no citable per-division
    Danish table was available. Their level is set so that the bundled example of an average
    Danish household (DST Forbrugsundersøgelsen 2019) lands near Statistics Denmark's
    experimental Klimaaftryk for private consumption (40.7 Mt CO2e in 2020, about 7 t per
    inhabitant; DST analysis of December 2021, tables AFTRYK1/AFTRYK2). Replace them with
    intensities from :func:`intensities_from_mrio`, a published table, or the intensities
    derived from cited Danish figures, :func:`~klimacore.consumption.danish_intensities`
    (kg per DKK at purchaser prices of 2021). The coordinate ``gsd``
    holds an (illustrative) geometric standard deviation per row for Monte Carlo.

    >>> i = default_intensities()
    >>> i.attrs["units"], i.attrs["price_basis"], i.attrs["year"], i.attrs["illustrative"]
    ('kg/DKK', 'basic', 2019, True)
    """
    import xarray as xr

    table = _table("consumption_intensities_dk.csv")
    for col in ("unit", "price_year", "price_basis", "gwp_metric"):
        if len(set(table[col])) != 1:
            raise DataError(f"consumption_intensities_dk.csv mixes values of {col!r}",
                            code="data.mixed", label=sorted(map(str, set(table[col]))),
                            location=f"consumption_intensities_dk.csv, column {col!r}")
    meta = next(r for r in _data_resources() if r["path"] == "consumption_intensities_dk.csv")
    return xr.DataArray(
        table["value"].to_numpy(dtype=float),
        coords={
            "coicop": table["coicop"].astype(str).tolist(),
            "gsd": ("coicop", table["gsd"].to_numpy(dtype=float)),
        },
        dims="coicop",
        name="intensity",
        attrs={
            "units": str(table["unit"].iloc[0]),
            "quantity": "CO2e",
            "year": int(table["price_year"].iloc[0]),
            "price_basis": str(table["price_basis"].iloc[0]),
            "currency": "DKK",
            "gwp_metric": str(table["gwp_metric"].iloc[0]),
            "source": "klimacore bundled table consumption_intensities_dk.csv (ILLUSTRATIVE): "
            + meta["title"],
            "illustrative": bool(table["illustrative"].all()),
        },
    )


def _data_resources() -> list[dict[str, Any]]:
    from klimacore import reference

    resources: list[dict[str, Any]] = reference.datapackage()["resources"]
    return resources


def energy_content_table() -> dict[str, tuple[float, str]]:
    """Energy content per volume of household fuels, ``{carrier: (value, unit)}`` (cited)."""
    table = _table("consumption_energy_content.csv")
    return {
        str(c): (float(v), str(u))
        for c, v, u in zip(table["carrier"], table["value"], table["unit"], strict=True)
    }


HOUSEHOLD_SECTOR: dict[str, str] = {"petrol": "road", "diesel": "road", "jet_fuel": "aviation"}
"""IPCC source category of households' use of a fuel when it is not heating (IPCC 2006 Vol. 2:
Table 3.2.2 road, 3.6.5 aviation); every other fuel uses Table 2.5 (residential)."""


@cache
def _fuel_factors(gwp_metric: str) -> dict[str, tuple[float, str]]:
    import xarray as xr

    from klimacore import reference
    from klimacore.units import conversion_factor, to_co2e

    table = reference.fuel_emission_factors()
    if "biogenic_co2" in table.columns:
        table = table[~table["biogenic_co2"].astype(bool)]
    if "sector" in table.columns:  # CH4/N2O of the sector where households burn each fuel
        own = table["fuel"].map(lambda f: HOUSEHOLD_SECTOR.get(str(f), "residential_agriculture"))
        table = table[(table["sector"] == "all") | (table["sector"] == own)]
    kg_per_gj = [float(value) * conversion_factor(mass, "kg") / conversion_factor(den, "GJ")
                 for value, (mass, _, den) in zip(
                     table["value"], (str(u).partition("/") for u in table["unit"]), strict=True)]
    per_gas = (table.assign(kg_per_gj=kg_per_gj, fuel=table["fuel"].astype(str),
                            gas=table["gas"].astype(str))
               .groupby(["fuel", "gas"], sort=False)["kg_per_gj"].sum())
    # a fuel without a row for a gas emits none of it in the table: NaN here, left out of the sum
    co2e = to_co2e(xr.DataArray.from_series(per_gas), gwp_metric=gwp_metric, dim="gas").sum("gas")
    fuels = list(dict.fromkeys(per_gas.index.get_level_values("fuel")))
    return {fuel: (float(co2e.sel(fuel=fuel)), "kg/GJ") for fuel in fuels}


@renamed_parameter("metric", "gwp_metric", since="0.2", removed_in="0.3")
def fuel_factors(*, gwp_metric: str = DEFAULT_GWP_METRIC) -> dict[str, tuple[float, str]]:
    """Territorial CO2e factors per fuel in kg/GJ from :func:`klimacore.reference.fuel_emission_factors`.

    CO2, CH4 and N2O rows are converted with :func:`klimacore.units.to_co2e` in the GWP set
    ``gwp_metric`` (the keyword was ``metric`` before 0.2); biogenic CO2 is left out (a
    memo item outside totals). CH4 and N2O are those of the sector where households burn the fuel:
    road for petrol and diesel, aviation for jet fuel (:data:`HOUSEHOLD_SECTOR`), residential
    (IPCC 2006 Vol. 2 Table 2.5) for the rest.

    >>> value, unit = fuel_factors()["diesel"]
    >>> round(value, 2), unit
    (75.14, 'kg/GJ')
    """
    return dict(_fuel_factors(check_gwp_metric(gwp_metric)))


def _demo_section(*, n_draws: int = 500, seed: int | None = 20190727) -> str:
    """The deprecated ``consumption.demo_section``: the example footprint as a text table."""
    from klimacore import examples, report  # deprecated alias: layer exception until 0.3

    return report.spend_footprint_text(examples.example_footprint(n_draws=n_draws, seed=seed))


_MOVED_TO_EXAMPLES = ("example_energy_use", "example_factors", "example_footprint",
                      "example_spending")

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Deprecated names (goes in 0.3): ``example_*`` → :mod:`klimacore.examples`,
        ``demo_section`` → :func:`klimacore.report.spend_footprint_text`."""
        if name in _MOVED_TO_EXAMPLES:
            from klimacore import examples  # deprecated alias: layer exception until 0.3

            warn_deprecated(f"klimacore.consumption.{name}", since="0.2", removed_in="0.3",
                            use=f"klimacore.examples.{name}")
            return getattr(examples, name)
        if name == "demo_section":
            warn_deprecated("klimacore.consumption.demo_section", since="0.2", removed_in="0.3",
                            use="klimacore.report.spend_footprint_text("
                            "klimacore.examples.example_footprint())")
            return _demo_section
        raise AttributeError(f"module 'klimacore.consumption' has no attribute {name!r}")
