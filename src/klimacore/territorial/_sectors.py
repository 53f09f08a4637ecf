"""Default fuel factors by GPC sector and methane by origin (internal).

CO2 per GJ is a property of the fuel; CH4 and N2O depend on how it is burnt, so the IPCC 2006
Guidelines give them per source category (Vol. 2, Tables 2.2-2.5 for stationary combustion,
3.2.2-3.6.5 for mobile). The bundled table ``data/fuel_emission_factors.csv`` carries one CH4/N2O
row per fuel x IPCC category with its table; here each GPC sub-sector is mapped to the category
whose table it uses, and the default factors get a ``category`` dimension so that
``inventory(activity, default_emission_factors())`` picks the right row for every cell.

Methane: AR6 WG1 Table 7.15 gives GWP100 29.8 for fossil and 27.0 for non-fossil methane
(27.9 without origin, Table 7.SM.7). The default factors say each fuel's origin in a
``methane_origin`` coordinate; the inventory keeps the CH4 of each origin and applies the split
under the metrics in :data:`METHANE_ORIGIN_METRICS`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError, ValidationError
from klimacore.forms import as_factors

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

Array = np.ndarray[Any, Any]

IPCC_SECTORS: Mapping[str, str] = {
    "energy_industries": "IPCC 2006 Vol. 2 Table 2.2 (energy industries)",
    "manufacturing_construction": "IPCC 2006 Vol. 2 Table 2.3 (manufacturing industries and construction)",
    "commercial_institutional": "IPCC 2006 Vol. 2 Table 2.4 (commercial/institutional)",
    "residential_agriculture": "IPCC 2006 Vol. 2 Table 2.5 (residential and agriculture/forestry/fishing)",
    "road": "IPCC 2006 Vol. 2 Table 3.2.2 (road transport)",
    "railways": "IPCC 2006 Vol. 2 Table 3.4.1 (railways)",
    "navigation": "IPCC 2006 Vol. 2 Table 3.5.3 (water-borne navigation)",
    "aviation": "IPCC 2006 Vol. 2 Table 3.6.5 (civil aviation)",
    "off_road": "IPCC 2006 Vol. 2 Table 3.3.1 (off-road mobile sources and machinery)",
}
"""IPCC source categories of the CH4/N2O defaults, with the table each comes from."""

GPC_SUBSECTOR_SECTOR: Mapping[str, str] = {
    "I.1": "residential_agriculture",
    "I.2": "commercial_institutional",
    "I.3": "manufacturing_construction",
    "I.4": "energy_industries",
    "I.5": "residential_agriculture",
    "I.6": "commercial_institutional",  # non-specified: no IPCC table; the small-combustion one
    "II.1": "road",
    "II.2": "railways",
    "II.3": "navigation",
    "II.4": "aviation",
    "II.5": "off_road",
}
"""GPC sub-sector → IPCC source category whose CH4/N2O table it uses."""

METHANE_ORIGIN_METRICS: tuple[str, ...] = ("AR6GWP100",)
"""Metrics under which the inventory weighs methane by origin (AR6 WG1 Table 7.15: fossil 29.8,
non-fossil 27.0), as the GHG Protocol does with AR6 values. Under AR5 GWP100, the metric of
UNFCCC reporting (decision 18/CMA.1), all methane counts 28."""

_FOSSIL = {"natural_gas", "gas_oil", "fuel_oil", "lpg", "kerosene", "coal", "coke",
           "petroleum_coke", "petrol", "diesel", "jet_fuel"}
_NON_FOSSIL = {"biogas", "wood", "wood_pellets", "straw"}


def methane_origin(fuel: str) -> str:
    """``'fossil'``, ``'non_fossil'`` or ``''`` (unknown or mixed, e.g. mixed waste) for a fuel key.

    >>> methane_origin("natural_gas"), methane_origin("wood"), methane_origin("waste")
    ('fossil', 'non_fossil', '')
    """
    return "fossil" if fuel in _FOSSIL else "non_fossil" if fuel in _NON_FOSSIL else ""


def combustion_categories() -> list[str]:
    """GPC reference numbers where fuel combustion is booked: scope 1 of I.1-I.6 and II.1-II.5,
    I.4.4 (generation supplied to the grid) and the transboundary trips II.x.3."""
    from klimacore import reference

    refs = reference.gpc_categories()["ref"].tolist()
    out = []
    for ref in map(str, refs):
        sub, _, last = ref.rpartition(".")
        if sub not in GPC_SUBSECTOR_SECTOR:
            continue
        scope1 = last == "1" or (sub == "I.4" and last == "4")
        transboundary = sub.startswith("II.") and last == "3"
        if scope1 or transboundary:
            out.append(ref)
    return out


def sector_of_category(category: str) -> str:
    """The IPCC source category whose CH4/N2O defaults a GPC category uses.

    >>> sector_of_category("I.4.4"), sector_of_category("II.1.1")
    ('energy_industries', 'road')
    """
    sub = category.rpartition(".")[0]
    if sub not in GPC_SUBSECTOR_SECTOR:
        raise ValidationError(f"GPC category {category!r} has no fuel-combustion default "
                              f"(combustion categories: {', '.join(combustion_categories())})")
    return GPC_SUBSECTOR_SECTOR[sub]


@cache
def _table() -> pd.DataFrame:
    from klimacore import reference

    table = reference.fuel_emission_factors()
    key = ["fuel", "gas", "biogenic_co2", "sector"]
    return table.sort_values("year").drop_duplicates(key, keep="last").reset_index(drop=True)


def sector_factor_frame(sectors: Sequence[str]) -> pd.DataFrame:
    """Tidy factors (fuel, gas, value, unit, biogenic_co2, sector) for the IPCC ``sectors``.

    CO2 rows (sector ``all``) are repeated for every sector; a fuel with no CH4/N2O row in a
    sector is left out of that sector.
    """
    import pandas as pd

    unknown = [s for s in sectors if s not in IPCC_SECTORS]
    if unknown:
        raise ValidationError(f"unknown IPCC source categories {unknown}; valid: "
                              f"{', '.join(IPCC_SECTORS)}")
    table = _table()
    co2 = table[table["sector"] == "all"]
    parts = []
    for s in sectors:
        other = table[table["sector"] == s]
        have = set(other["fuel"])
        if not have:
            raise DataError(f"the bundled fuel factor table has no CH4/N2O rows for sector {s!r}")
        parts.append(pd.concat([co2[co2["fuel"].isin(have)], other]).assign(sector=s))
    return pd.concat(parts, ignore_index=True)


def sector_factor_array(*, sector: str | None, gases: Sequence[str] | None) -> xr.DataArray:
    """The default factors, normalised: by (fuel, gas) for one IPCC ``sector``, or by
    (fuel, gas, category) over every GPC category (NaN outside :func:`combustion_categories`)
    when ``sector`` is None. Built once per argument set; every call returns a deep copy."""
    return _sector_factor_array(sector, None if gases is None else tuple(gases)).copy(deep=True)


@cache
def _sector_factor_array(sector: str | None, gases: tuple[str, ...] | None) -> xr.DataArray:
    import xarray as xr

    if sector is not None:
        frame = sector_factor_frame([sector])
        out = as_factors(frame, gases=gases).to_dataarray()
        out = _zero_fossil_co2_of_biomass(out)
        out.attrs["ipcc_sector"] = f"{sector}: {IPCC_SECTORS[sector]}"
    else:
        cats = combustion_categories()
        sectors = [sector_of_category(c) for c in cats]
        frame = sector_factor_frame(sorted(set(sectors), key=list(IPCC_SECTORS).index))
        by_sector = as_factors(frame, dims=("sector",), gases=gases).to_dataarray()
        by_sector = _zero_fossil_co2_of_biomass(by_sector)
        picked = by_sector.sel(sector=xr.DataArray(sectors, dims="category",
                                                   coords={"category": cats}))
        from klimacore import reference

        every = reference.gpc_categories()["ref"].astype(str).tolist()
        out = (picked.drop_vars("sector").transpose("fuel", "gas", "category")
               .reindex(category=every))  # NaN outside combustion: used there, it raises
        out.attrs = dict(by_sector.attrs)
        out.attrs["ipcc_sector_by_category"] = {
            c: f"{s}: {IPCC_SECTORS[s]}" for c, s in zip(cats, sectors, strict=True)}
    origin = [methane_origin(str(f)) for f in out.get_index("fuel").tolist()]
    out = out.assign_coords(methane_origin=("fuel", np.asarray(origin)))
    out.attrs["source"] = ("klimacore data/fuel_emission_factors.csv: CO2 per fuel, CH4/N2O per "
                           "IPCC source category (see reference.datapackage())")
    return out


def _zero_fossil_co2_of_biomass(da: xr.DataArray) -> xr.DataArray:
    """A fuel whose CO2 is all biogenic (wood, straw …) emits no fossil CO2: an explicit 0."""
    from klimacore.territorial._labels import BIOGENIC_CO2

    gases = da.get_index("gas").tolist()
    if BIOGENIC_CO2 not in gases or "CO2" not in gases:
        return da
    co2 = da.sel(gas="CO2")
    fill = np.isnan(co2) & ~np.isnan(da.sel(gas=BIOGENIC_CO2))
    out = da.copy()
    out.loc[{"gas": "CO2"}] = co2.where(~fill, 0.0)
    return out


# --- methane by origin in the inventory ----------------------------------------------------------


def origin_of_factors(factors: Any, fuels: Sequence[Any]) -> dict[str, list[Any]] | None:
    """Fuels by methane origin when the factors say it (a ``methane_origin`` coordinate along
    ``fuel`` or a ``methane_origin`` column: :attr:`klimacore.forms.FactorTable.origin`), else
    None."""
    return as_factors(factors).origin_of(fuels)


def origin_adjustment(ds: xr.Dataset | Mapping[str, xr.DataArray], metric: str
                      ) -> tuple[xr.DataArray | None, str]:
    """CO2e to add to a single-CH4-value CO2e for methane of known origin, and a note for attrs.

    The adjustment is (GWP_fossil − GWP_CH4) × CH4_fossil + (GWP_non-fossil − GWP_CH4) ×
    CH4_non-fossil under the metrics in :data:`METHANE_ORIGIN_METRICS`; None elsewhere.
    """
    from klimacore.units import gwp

    names = [v for v in ("ch4_fossil", "ch4_non_fossil") if v in ds]
    if not names:
        return None, "origin unknown: every CH4 weighed with the metric's CH4 value"
    if metric not in METHANE_ORIGIN_METRICS:
        return None, (f"not applied: {metric} weighs all CH4 alike (split applied under "
                      f"{', '.join(METHANE_ORIGIN_METRICS)})")
    base = gwp("CH4", metric)
    fossil, non_fossil = gwp("CH4_fossil", metric), gwp("CH4_biogenic", metric)
    total: xr.DataArray | None = None
    if "ch4_fossil" in ds:
        total = (fossil - base) * ds["ch4_fossil"]
    if "ch4_non_fossil" in ds:
        part = (non_fossil - base) * ds["ch4_non_fossil"]
        total = part if total is None else total + part
    note = (f"applied: CH4 of fossil fuels x {fossil:g}, of non-fossil fuels x {non_fossil:g}, "
            f"of unknown origin x {base:g} ({metric})")
    return total, note


# --- fuel booked as own use that looks like generation fuel -----------------------------------------

AUXILIARY_SHARE = 0.1
"""klimacore's threshold (a heuristic, not a GPC rule) for :func:`warn_generation_fuel`: fuel in
I.4.1 above this share of the fuel in I.4.4 of the same cell is more than plants' own use."""


@cache
def _gj_scale(units: tuple[str, ...]) -> tuple[Array, Array]:
    """GJ per unit of each fuel's unit, and which units are no energy (counted as present)."""
    from klimacore.errors import UnitError
    from klimacore.units import conversion_factor

    scale = np.zeros(len(units))
    other = np.zeros(len(units), dtype=bool)
    for i, unit in enumerate(units):
        try:
            scale[i] = conversion_factor(unit, "GJ")
        except (UnitError, ValueError):
            other[i] = True
    scale.flags.writeable = other.flags.writeable = False  # cached: shared by every call
    return scale, other


def _energy(x: Array, scale: Array) -> Array:
    """GJ per cell (fuel axis last), NaN counted as nothing: one product, nansum if NaN."""
    out: Array = np.dot(x.reshape(-1, x.shape[-1]), scale).reshape(x.shape[:-1])
    if np.isnan(out).any():
        out = np.nansum(x * scale, axis=-1)
    return out


def warn_generation_fuel(data: xr.DataArray, units: Sequence[str], *, stacklevel: int = 3) -> None:
    """Warn (:class:`~klimacore.errors.GenerationFuelWarning`) where fuel in I.4.1 looks like the
    fuel a plant burns to generate grid-supplied energy.

    GPC 1.1 limits I.4.1 to energy industries' own use (auxiliary operations); generation fuel is
    I.4.4. A cell (every dimension but fuel and category) is flagged when it has fuel in I.4.1
    and either no fuel in I.4.4 or I.4.1 above :data:`AUXILIARY_SHARE` of I.4.4 (energy units
    compared in GJ; fuels in other units count as present).
    """
    import warnings

    from klimacore.errors import GenerationFuelWarning

    if "category" not in data.dims:
        return
    cats = data.get_index("category")
    if "I.4.1" not in cats:
        return
    scale, other = _gj_scale(tuple(units))
    # the two slices in numpy (category axis taken out, fuel axis last): no xarray objects
    values = np.asarray(data.data)
    cat_axis, fuel_axis = data.dims.index("category"), data.dims.index("fuel")
    dims = [d for d in data.dims if d not in ("category", "fuel")]

    def _slice(label: str) -> Array:
        part = np.take(values, int(cats.get_loc(label)), axis=cat_axis)  # type: ignore[arg-type]
        axis = fuel_axis - (fuel_axis > cat_axis)
        return np.moveaxis(np.asarray(part, dtype=float), axis, -1)

    a = _slice("I.4.1")
    g = _slice("I.4.4") if "I.4.4" in cats else np.zeros_like(a)
    a_energy, g_energy = _energy(a, scale), _energy(g, scale)
    if other.any():
        a_other = (np.abs(np.nan_to_num(a)) > 0)[..., other].any(axis=-1)
        g_other = (np.abs(np.nan_to_num(g)) > 0)[..., other].any(axis=-1)
    else:  # every fuel in energy units (the usual case)
        a_other = g_other = np.zeros(a_energy.shape, dtype=bool)
    has_aux = (a_energy > 0) | a_other
    no_gen = (g_energy <= 0) & ~g_other
    above_share = (a_energy > AUXILIARY_SHARE * g_energy) & ~g_other
    flagged = has_aux & (no_gen | above_share)
    if not flagged.any():
        return
    cells = []
    for idx in np.argwhere(flagged)[:5]:
        cell = {str(d): data.get_index(d)[i] for d, i in zip(dims, idx, strict=True)}
        cells.append(", ".join(f"{k}={v.item() if isinstance(v, np.generic) else v}"
                               for k, v in cell.items()) or "(all)")
    more = f" and {int(flagged.sum()) - 5} more" if flagged.sum() > 5 else ""
    warnings.warn(
        f"fuel in GPC I.4.1 looks like generation fuel in {int(flagged.sum())} cell(s) "
        f"[{'; '.join(cells)}{more}]: I.4.1-I.4.3 are energy industries' own use (auxiliary "
        f"operations, GPC 1.1); fuel burnt to generate grid-supplied electricity or heat belongs "
        f"in I.4.4, or it is counted again in consumers' scope 2 (BASIC). Flagged when I.4.4 has "
        f"no fuel or I.4.1 exceeds {AUXILIARY_SHARE:.0%} of it.",
        GenerationFuelWarning, stacklevel=stacklevel)


def origin_weights(factors: Any, fuels: Sequence[Any], gases: Sequence[str],
                   weights: np.ndarray[Any, Any], metric: str) -> np.ndarray[Any, Any] | None:
    """GWP per (fuel, gas) with methane weighed by each fuel's origin, or None where the split
    does not apply (metric, no CH4, or factors that do not state the origin)."""
    from klimacore.units import gwp

    if metric not in METHANE_ORIGIN_METRICS or "CH4" not in gases:
        return None
    origin = origin_of_factors(factors, fuels)
    if origin is None:
        return None
    out = np.tile(np.asarray(weights, dtype=float), (len(fuels), 1))
    ch4 = list(gases).index("CH4")
    pos = {f: i for i, f in enumerate(fuels)}
    for key, gas in (("fossil", "CH4_fossil"), ("non_fossil", "CH4_biogenic")):
        for f in origin[key]:
            out[pos[f], ch4] = gwp(gas, metric)
    return out
