"""The bundled example: illustrative activity data for Odder (727) and the demo text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from klimacore.territorial._factors import default_emission_factors
from klimacore.territorial._grid import GridFactorSet, grid_factor_set
from klimacore.territorial._inventory import inventory
from klimacore.territorial._totals import per_capita, totals

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

EXAMPLE_MUNICIPALITY = 727
"""Odder, the municipality of klimacore's illustrative example plan and activity data."""

_NETWORK = "Odder network (illustrative)"


def _table(name: str) -> pd.DataFrame:
    from klimacore import reference

    return reference.read_table(name)


def example_activity() -> pd.DataFrame:
    """Illustrative activity data for Odder (727), 2019 and 2024, as a tidy frame.

    >>> a = example_activity()
    >>> a.columns.tolist()[:6], sorted(set(a["year"]))
    (['municipality', 'year', 'category', 'fuel', 'value', 'unit'], [2019, 2024])
    """
    return _table("example_activity_727.csv")


def example_direct_emissions() -> pd.DataFrame:
    """Illustrative direct entries (waste, IPPU, agriculture, land) for Odder, in t of gas."""
    return _table("example_direct_727.csv")


def example_notation_keys() -> pd.DataFrame:
    """Illustrative notation keys (NO/IE/NE) for Odder's categories without numbers."""
    return _table("example_notation_keys_727.csv")


def example_grid_factors() -> pd.DataFrame:
    """Illustrative scope-2 factor table for the example (layout of ``grid_emission_factors``)."""
    return _table("example_grid_factors_727.csv")


def example_grid_sets() -> dict[str, list[GridFactorSet]]:
    """Two electricity attributions side by side, each with the network's district heating."""
    table = example_grid_factors()
    heat = grid_factor_set(table, carrier="district_heating", method="network_declaration",
                           areas={EXAMPLE_MUNICIPALITY: _NETWORK})
    return {
        method: [grid_factor_set(table, carrier="electricity", method=method,
                                 chp_allocation="125%"), heat]
        for method in ("national_location", "municipality_location")
    }


def example_inventory(*, metric: str = "AR5GWP100") -> xr.Dataset:
    """The example municipality's GPC inventory (illustrative), with a ``scope2_method`` dim.

    >>> inv = example_inventory()
    >>> inv["co2e"].dims, inv["scope2_method"].to_numpy().tolist()
    (('municipality', 'year', 'category', 'scope2_method'), ['national_location', 'municipality_location'])
    """
    return inventory(
        example_activity(), default_emission_factors(), direct=example_direct_emissions(),
        grid=example_grid_sets(), notation_keys=example_notation_keys(), metric=metric,
        source="klimacore illustrative example data (not Energistyrelsen's Energi- og CO2-regnskab)",
        release_date="2026-01-01", attrs={"illustrative": True})


def _fmt(x: float) -> str:
    return f"{x:,.0f}".replace(",", " ")


def demo_section(*, year: int | None = None, metric: str = "AR5GWP100") -> str:
    """The text ``klimacore demo`` prints for the territorial inventory (pure: no I/O).

    The example municipality's inventory by sector and scope, the BASIC / BASIC+ / territorial
    totals, scope 2 under each attribution method side by side, the biogenic CO2 memo item and
    the notation keys. All figures are illustrative.

    >>> text = demo_section()
    >>> "BASIC+" in text and "ILLUSTRATIVE" in text
    True
    """
    from klimacore import reference

    inv = example_inventory(metric=metric)
    years = inv["year"].to_numpy().tolist()
    year = max(years) if year is None else year
    if year not in years:
        raise ValueError(f"demo_section: no example data for {year}; years: {years}")
    name = dict(zip(*(reference.municipalities()[c].tolist() for c in ("code", "name")),
                    strict=True))[EXAMPLE_MUNICIPALITY]
    one = inv.sel(municipality=EXAMPLE_MUNICIPALITY, year=year)
    methods = one["scope2_method"].to_numpy().tolist()
    main = one.sel({"scope2_method": methods[0]})
    table = totals(main["co2e"], ("sector", "scope"))
    sector_names = dict(zip(table["sector"].to_numpy().tolist(),
                            table["sector_name"].to_numpy().tolist(), strict=True))
    scopes = table["scope"].to_numpy().tolist()
    width = 56
    lines = [
        f"Territorial GHG inventory (GPC 1.1) — {name} ({EXAMPLE_MUNICIPALITY}), {year}",
        "ILLUSTRATIVE example data, not official figures. t CO2e, "
        f"{metric}; scope 2 electricity: {methods[0]}.",
        "",
        f"{'sector':<{width}}" + "".join(f"{'scope ' + str(s):>10}" for s in scopes)
        + f"{'total':>11}",
    ]
    for sec in table["sector"].to_numpy().tolist():
        row = table.sel(sector=sec).to_numpy()
        label = f"{sec:<4}{sector_names[sec]}"[: width - 1]
        lines.append(f"{label:<{width}}" + "".join(f"{_fmt(v):>10}" for v in row)
                     + f"{_fmt(row.sum()):>11}")
    col = table.sum("sector").to_numpy()
    lines.append(f"{'all categories':<{width}}" + "".join(f"{_fmt(v):>10}" for v in col)
                 + f"{_fmt(col.sum()):>11}")
    gpc = totals(one["co2e"], "gpc")
    lines += ["", f"{'GPC totals by scope-2 method':<30}" + "".join(f"{m:>24}" for m in methods)]
    for key, label in (("basic", "BASIC"), ("basic_plus", "BASIC+"),
                       ("territorial", "territorial (scope 1)")):
        lines.append(f"  {label:<28}" + "".join(
            f"{_fmt(float(gpc.sel(total=key, scope2_method=m))):>24}" for m in methods))
    if "co2_biogenic" in one:
        lines.append(f"Biogenic CO2 (memo item, outside totals): {_fmt(float(one['co2_biogenic'].sum()))} t")
    keys = one["notation_key"].to_series()
    keys = keys[keys != ""]
    if len(keys):
        grouped = {k: ", ".join(keys[keys == k].index.astype(str)) for k in sorted(set(keys))}
        lines.append("Notation keys: " + "; ".join(f"{k}: {v}" for k, v in grouped.items()))
    from klimacore.models import load_example_plan

    population = load_example_plan().population
    if year in population:
        per = per_capita(gpc, {year: population[year]})
        terr = float(per.sel(total="territorial").isel(scope2_method=0))
        plus = " / ".join(f"{float(per.sel(total='basic_plus', scope2_method=m)):.1f}"
                          for m in methods)
        lines.append(f"Per capita (population {_fmt(population[year])}, from the example plan): "
                     f"territorial {terr:.1f}, BASIC+ {plus} t CO2e")
    return "\n".join(lines)


__all__ = [
    "EXAMPLE_MUNICIPALITY",
    "demo_section",
    "example_activity",
    "example_direct_emissions",
    "example_grid_factors",
    "example_grid_sets",
    "example_inventory",
    "example_notation_keys",
]
