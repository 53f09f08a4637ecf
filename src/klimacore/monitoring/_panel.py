"""The monitoring panel: all municipalities × years in one xarray Dataset, and its drivers.

From the Energi- og CO2-regnskab (``klimacore.io.read_energi_co2_regnskab``: t CO2e by
municipality, year and the account's sectors) and the account's per-inhabitant totals the panel
derives the drivers the data carry: population (total ÷ per-inhabitant emissions), emissions per
inhabitant and sector shares. The decomposition of a change then reads
``C_i = population × (C/population) × (C_i/C)``: activity (population), intensity (emissions per
inhabitant) and structure (sector shares).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from klimacore.errors import AlignmentError, DataError, MissingLabelError
from klimacore.forms import as_population, require_entity_dims
from klimacore.monitoring._align import require_aligned
from klimacore.monitoring._lmdi import decompose_emissions

__all__ = [
    "account_from_rows",
    "account_panel",
    "account_rows",
    "decompose_panel",
    "indicator_targets",
    "observation_panel",
]


def account_panel(emissions: xr.DataArray, *, per_capita: xr.DataArray | None = None,
                  population: Any = None) -> xr.Dataset:
    """The panel Dataset from emissions (municipality × year × sector) and a population driver.

    Give either ``per_capita`` (t CO2e per inhabitant, municipality × year; population is then
    derived as total ÷ per capita, as precise as the per-capita figure's rounding) or
    ``population`` (a DataArray by municipality (× year), or anything
    :func:`klimacore.forms.as_population` takes). A population without a ``municipality``
    dimension is refused, never spread over every municipality. Missing stays missing: a
    municipality-year lacking a sector has no total.

    >>> import xarray as xr
    >>> e = xr.DataArray([[[60.0, 40.0]]], dims=("municipality", "year", "sector"),
    ...                  coords={"municipality": [751], "year": [2023],
    ...                          "sector": ["energi", "transport"]})
    >>> pc = xr.DataArray([[5.0]], dims=("municipality", "year"),
    ...                   coords={"municipality": [751], "year": [2023]})
    >>> p = account_panel(e, per_capita=pc)
    >>> float(p["population"].squeeze()), p["sector_share"].squeeze().values.tolist()
    (20.0, [0.6, 0.4])
    """
    need = {"municipality", "year", "sector"}
    if set(emissions.dims) != need:
        raise AlignmentError(f"emissions must have dims {sorted(need)}, not {list(emissions.dims)}",
                             code="monitoring.emissions.dims", label=list(map(str, emissions.dims)),
                             location="emissions")
    if (per_capita is None) == (population is None):
        raise DataError("give exactly one of per_capita and population",
                        code="monitoring.population_or_per_capita",
                        location="per_capita, population")
    total = emissions.sum("sector", skipna=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        if per_capita is not None:
            require_aligned(total, {"per_capita": per_capita},
                            code="monitoring.per_capita.labels")
            pop = (total / per_capita.where(per_capita != 0)).assign_attrs(
                units="inhabitants", note="derived: total emissions / emissions per inhabitant")
            pc = per_capita
        else:
            assert population is not None
            population = _population(population, total)
            pop = population
            pc = total / population.where(population > 0)
        share = emissions / total
    drop = [c for c in emissions.coords if c not in emissions.dims]
    e = emissions.reset_coords(drop, drop=True) if drop else emissions
    ds = xr.Dataset({
        "emissions": e.assign_attrs(units=emissions.attrs.get("units", "t")),
        "total": total.reset_coords(drop=True).assign_attrs(units="t"),
        "population": pop.reset_coords(drop=True),
        "per_capita": pc.reset_coords(drop=True).assign_attrs(units="t/inhabitant"),
        "sector_share": share.reset_coords(drop=True).assign_attrs(units="1"),
    })
    ds.attrs.update({k: v for k, v in emissions.attrs.items() if isinstance(v, str | int | float)})
    ds.attrs["negative_sectors_note"] = (
        "sectors negative in a year (e.g. net agriculture with soil removals) are kept out of "
        "the decomposition and shown as excluded_change")
    return ds


def _population(population: Any, total: xr.DataArray) -> xr.DataArray:
    """The panel's population: labelled like the emissions, never spread over municipalities.

    A DataArray keeps its cells (a NaN year stays missing); anything else goes through
    :func:`klimacore.forms.as_population`. Either way a population without the emissions'
    ``municipality`` dimension is refused (:func:`klimacore.forms.require_entity_dims`).
    """
    pop = population if isinstance(population, xr.DataArray) else as_population(population)
    require_entity_dims(pop, total, what="emissions")
    extra = [str(d) for d in pop.dims if d not in total.dims]
    if extra:
        raise AlignmentError(f"population has dimensions {extra} that the emissions do not have "
                             f"(dims {list(map(str, total.dims))})",
                             code="monitoring.population.dim", label=extra, location="population")
    require_aligned(total, {"population": pop}, code="monitoring.population.labels")
    return pop


def decompose_panel(panel: xr.Dataset, *, start: int, end: int,
                    chained: bool = False) -> xr.Dataset:
    """LMDI-I of the panel's emission change: activity (population), intensity, structure.

    Vectorized over all municipalities; a municipality with a missing value is NaN, and sectors
    that are negative in a year of the window are kept out (``excluded_change``).

    >>> import xarray as xr
    >>> e = xr.DataArray([[[60.0, 40.0], [50.0, 45.0]]], dims=("municipality", "year", "sector"),
    ...                  coords={"municipality": [751], "year": [2018, 2023],
    ...                          "sector": ["energi", "transport"]})
    >>> pop = xr.DataArray([[10.0, 11.0]], dims=("municipality", "year"),
    ...                    coords={"municipality": [751], "year": [2018, 2023]})
    >>> out = decompose_panel(account_panel(e, population=pop), start=2018, end=2023)
    >>> round(float(out["additive"].sum()), 9)
    -5.0
    """
    for var in ("emissions", "population"):
        if var not in panel:
            raise MissingLabelError("panel variable", [var], dim="variable")
    return decompose_emissions(panel["emissions"], activity=panel["population"], start=start,
                               end=end, category_dim="sector", chained=chained, by_category=True)


def account_rows(panel: xr.Dataset) -> dict[int, pd.DataFrame]:
    """Store rows (year, sector, variable, value, unit) per municipality from a panel.

    Emissions by sector (variable ``emissions``, unit ``t CO2e``) and the per-inhabitant total
    (sector ``total``, variable ``per_capita``, unit ``t CO2e/inhabitant``).

    >>> import xarray as xr
    >>> e = xr.DataArray([[[60.0, 40.0]]], dims=("municipality", "year", "sector"),
    ...                  coords={"municipality": [751], "year": [2023],
    ...                          "sector": ["energi", "transport"]})
    >>> pc = xr.DataArray([[5.0]], dims=("municipality", "year"),
    ...                   coords={"municipality": [751], "year": [2023]})
    >>> rows = account_rows(account_panel(e, per_capita=pc))
    >>> rows[751][["sector", "variable", "value"]].to_dict("records")[-1]
    {'sector': 'total', 'variable': 'per_capita', 'value': 5.0}
    >>> back = account_from_rows(rows[751].assign(municipality=751))
    >>> back["emissions"].equals(account_panel(e, per_capita=pc)["emissions"])
    True
    """
    e = panel["emissions"].to_dataframe(name="value").reset_index()
    e["variable"], e["unit"] = "emissions", "t CO2e"
    pc = panel["per_capita"].to_dataframe(name="value").reset_index()
    pc["sector"], pc["variable"], pc["unit"] = "total", "per_capita", "t CO2e/inhabitant"
    rows = pd.concat([e, pc], ignore_index=True)
    cols = ["year", "sector", "variable", "value", "unit"]
    return {int(m): g[cols].reset_index(drop=True)  # type: ignore[arg-type]
            for m, g in rows.groupby("municipality")}


def account_from_rows(frame: pd.DataFrame) -> xr.Dataset:
    """The panel back from store rows with ``municipality`` (inverse of :func:`account_rows`)."""
    need = {"municipality", "year", "sector", "variable", "value"}
    missing = sorted(need - set(frame.columns))
    if missing:
        raise MissingLabelError("column", missing, dim="column")
    em = frame[frame["variable"] == "emissions"]
    pcf = frame[frame["variable"] == "per_capita"]
    sectors = list(dict.fromkeys(em["sector"]))
    e = em.set_index(["municipality", "year", "sector"])["value"].astype(float).to_xarray()
    e = e.sel(sector=sectors)
    pc = pcf.set_index(["municipality", "year"])["value"].astype(float).to_xarray()
    return account_panel(e.rename("emissions"), per_capita=pc)


def observation_panel(frame: pd.DataFrame) -> xr.Dataset:
    """Observations (municipality, indicator_id, year, value, release_date) as a panel.

    Where the same indicator and year was reported in several rounds, the value from the latest
    data release wins (and its ``release_date`` is kept). Unobserved cells are NaN.

    >>> import datetime as dt, pandas as pd
    >>> f = pd.DataFrame({"municipality": [751, 751, 751], "indicator_id": ["ev", "ev", "ev"],
    ...                   "year": [2023, 2023, 2024], "value": [18.0, 19.5, 24.0],
    ...                   "release_date": [dt.date(2024, 2, 1), dt.date(2025, 2, 1),
    ...                                    dt.date(2025, 2, 1)]})
    >>> observation_panel(f)["value"].sel(municipality=751, indicator="ev").values.tolist()
    [19.5, 24.0]
    """
    need = {"municipality", "indicator_id", "year", "value", "release_date"}
    missing = sorted(need - set(frame.columns))
    if missing:
        raise MissingLabelError("column", missing, dim="column")
    latest = (frame.assign(release_date=pd.to_datetime(frame["release_date"]))
              .sort_values("release_date", kind="stable")
              .drop_duplicates(["municipality", "indicator_id", "year"], keep="last")
              .rename(columns={"indicator_id": "indicator"})
              .set_index(["municipality", "indicator", "year"]))
    ds = latest[["value", "release_date"]].to_xarray()
    ds["value"] = ds["value"].astype(float)
    return ds


def indicator_targets(indicators: Sequence[Any]) -> xr.Dataset:
    """Baseline, targets and direction of plan indicators (:class:`klimacore.models.Indicator`)
    as arrays over ``indicator`` (targets NaN-padded along ``target``), for
    :func:`klimacore.monitoring.indicator_status`.

    >>> from klimacore.models import Indicator
    >>> ind = Indicator(id="ev", name="EV share", level="outcome", unit="percent",
    ...                 direction="increase", baseline_year=2020, baseline_value=4,
    ...                 targets={2030: 60})
    >>> t = indicator_targets([ind])
    >>> t["target_value"].values.tolist(), t["direction"].values.tolist()
    ([[60.0]], [1])
    """
    n_t = max([len(i.targets) for i in indicators] + [1])
    ty = np.full((len(indicators), n_t), np.nan)
    tv = np.full((len(indicators), n_t), np.nan)
    for k, ind in enumerate(indicators):
        for j, (y, v) in enumerate(sorted(ind.targets.items())):
            ty[k, j], tv[k, j] = y, v
    by = [np.nan if i.baseline_year is None else float(i.baseline_year) for i in indicators]
    bv = [np.nan if i.baseline_value is None else float(i.baseline_value) for i in indicators]
    ids = [i.id for i in indicators]
    return xr.Dataset({
        "baseline_year": ("indicator", np.asarray(by)),
        "baseline_value": ("indicator", np.asarray(bv)),
        "target_year": (("indicator", "target"), ty),
        "target_value": (("indicator", "target"), tv),
        "direction": ("indicator", np.asarray([1 if i.direction == "increase" else -1
                                               for i in indicators])),
    }, coords={"indicator": ids})
