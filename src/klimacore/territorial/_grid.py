"""Scope 2: grid electricity and district heating by named attribution methods (internal)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError, ValidationError
from klimacore.territorial._labels import METHOD_DIM, gpc, raise_problems
from klimacore.units import conversion_factor, split_rate_unit

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from klimacore.forms import Activity

METHODS: tuple[str, ...] = (
    "national_location",
    "municipality_location",
    "municipality_local_production",
    "network_declaration",
    "market_based",
)
"""Attribution methods of ``data/grid_emission_factors.csv``."""

_DK2_REGIONS = (1084, 1085)  # Hovedstaden (incl. Bornholm) and Sjælland are bidding zone DK2


@dataclass(frozen=True, eq=False)
class GridFactorSet:
    """Emission factors of one carrier under one attribution method.

    Parameters
    ----------
    carrier
        ``"electricity"`` or ``"district_heating"`` (the ``fuel`` label of the consumption).
    method
        Attribution method, e.g. ``"national_location"``, ``"municipality_location"``,
        ``"municipality_local_production"``, ``"network_declaration"``, ``"market_based"``.
    factors
        ``{(area, year): t CO2e per MWh}``; an area is ``"DK"``, ``"DK1"``/``"DK2"`` (bidding
        zones), a municipality code as text (``"727"``) or a network name.
    chp_allocation, grid_losses_included, release, source
        What the factors rest on; recorded on results.
    areas
        ``{municipality code: area}`` for sets whose areas are networks (district heating).

    Build one from the bundled table with :func:`grid_factor_set`.
    """

    carrier: str
    method: str
    factors: Mapping[tuple[str, int], float]
    chp_allocation: str | None = None
    grid_losses_included: bool | None = None
    release: str | None = None
    source: str | None = None
    areas: Mapping[int, str] | None = field(default=None)

    unit = "t/MWh"

    def describe(self) -> dict[str, Any]:
        """The set's metadata as a JSON-able dict (what results record)."""
        return {
            "carrier": self.carrier, "method": self.method,
            "chp_allocation": self.chp_allocation,
            "grid_losses_included": self.grid_losses_included,
            "release": self.release, "source": self.source, "unit": "t CO2e/MWh",
        }

    def area_of(self, municipalities: Sequence[int] | None) -> dict[int | None, str]:
        """The area whose factor applies to each municipality (strict: no fallbacks)."""
        have = {a for a, _ in self.factors}
        if self.areas is not None:
            if municipalities is None:
                raise ValidationError(f"{self.carrier} set {self.method!r} maps municipalities "
                                      "to areas but the consumption has no municipality dim")
            absent = [m for m in municipalities if m not in self.areas]
            if absent:
                raise_problems([(f"area mapping in {self.carrier} set {self.method!r}",
                                 "municipality", absent)])
            return {m: self.areas[m] for m in municipalities}
        if have == {"DK"}:
            keys: list[int | None] = list(municipalities) if municipalities else [None]
            return {m: "DK" for m in keys}
        if municipalities is None:
            raise ValidationError(f"{self.carrier} set {self.method!r} has areas {sorted(have)}; "
                                  "the consumption needs a municipality dimension")
        if all(a.isdigit() for a in have):
            return {m: str(m) for m in municipalities}
        if have <= {"DK1", "DK2"}:
            from klimacore import reference

            region = dict(zip(*(reference.municipalities()[c].tolist()
                                for c in ("code", "region_code")), strict=True))
            absent = [m for m in municipalities if m not in region]
            if absent:
                raise_problems([("Danish municipality", "municipality", absent)])
            return {m: "DK2" if region[m] in _DK2_REGIONS else "DK1" for m in municipalities}
        raise DataError(
            f"{self.carrier} set {self.method!r} has areas of several kinds or network names "
            f"{sorted(have)}; pass areas={{municipality: area}}")


def grid_emission_factors() -> pd.DataFrame:
    """The bundled scope-2 factor table ``data/grid_emission_factors.csv`` (a copy).

    Columns: carrier, area, year, method, chp_allocation, grid_losses_included, value, unit,
    release, source, note, verified, gas_basis (CO2e, or CO2 for CO2-only rows) and the citation
    publisher, document, table, source_year, url. Rows whose source starts with "unverified" are
    not from a checked primary source. Per-municipality figures that could not be traced to a
    publication are illustrative examples in ``grid_emission_factors_example.csv``
    (``reference.read_table``), not defaults.

    >>> t = grid_emission_factors()
    >>> sorted(set(t["method"]))
    ['national_location', 'network_declaration']
    """
    from klimacore import reference

    return reference.read_table("grid_emission_factors.csv")


def grid_factor_set(
    table: pd.DataFrame | None = None,
    *,
    carrier: str,
    method: str,
    chp_allocation: str | None = None,
    grid_losses_included: bool | None = None,
    release: str | None = None,
    areas: Mapping[int, str] | None = None,
) -> GridFactorSet:
    """Select one attribution method of one carrier from a table in the bundled layout.

    The selection must be unambiguous: where rows for the same area and year differ in CHP
    allocation, loss basis or release, name the one you mean; a set may not mix CHP allocations
    or loss bases across years either.

    Examples
    --------
    >>> s = grid_factor_set(carrier="electricity", method="national_location",
    ...                     chp_allocation="125%", grid_losses_included=True)
    >>> round(s.factors[("DK", 2016)], 3), s.chp_allocation, s.grid_losses_included
    (0.243, '125%', True)
    >>> grid_factor_set(carrier="electricity", method="national_location")
    Traceback (most recent call last):
    ...
    klimacore.errors.DataError: ambiguous electricity set 'national_location': ...
    """
    import pandas as pd

    t = grid_emission_factors() if table is None else table
    absent = [c for c in ("carrier", "area", "year", "method", "value", "unit") if c not in t.columns]
    if absent:
        raise DataError(f"grid factor table lacks columns {absent}")
    mask = (t["carrier"] == carrier) & (t["method"] == method)
    if chp_allocation is not None and "chp_allocation" in t.columns:
        mask &= t["chp_allocation"] == chp_allocation
    if grid_losses_included is not None and "grid_losses_included" in t.columns:
        mask &= t["grid_losses_included"].astype(bool) == grid_losses_included
    if release is not None and "release" in t.columns:
        mask &= t["release"].astype(str) == release
    rows = t[mask.to_numpy(dtype=bool)]
    if rows.empty:
        have = sorted({(str(c), str(m)) for c, m in zip(t["carrier"], t["method"], strict=True)})
        raise DataError(f"no grid factors for carrier {carrier!r}, method {method!r} with the "
                        f"filters given; the table has (carrier, method): {have}")
    meta_cols = [c for c in ("chp_allocation", "grid_losses_included", "release") if c in t.columns]
    keys = rows[["area", "year"]].astype(str).agg("/".join, axis=1)
    problems: list[str] = []
    if keys.duplicated().any():
        options = rows[meta_cols].drop_duplicates().to_dict("records")
        problems.append(f"ambiguous {carrier} set {method!r}: several rows per (area, year); "
                        f"choose among {options}")
    for col in ("chp_allocation", "grid_losses_included"):
        if col in rows.columns and len(set(map(str, rows[col]))) > 1 and not problems:
            problems.append(f"ambiguous {carrier} set {method!r}: {col} differs across years "
                            f"({sorted(set(map(str, rows[col])))}); name one")
    if problems:
        raise DataError(problems[0])
    values: dict[tuple[str, int], float] = {}
    bad: list[str] = []
    for area, year, value, unit in zip(rows["area"], rows["year"], rows["value"], rows["unit"],
                                       strict=True):
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        where = f"{carrier} {method!r} area {area!s} year {year!s}"
        if not np.isfinite(number) or number < 0:
            bad.append(f"{where}: value {value!r} must be a finite number >= 0 (a grid factor "
                       "is never negative)")
            continue
        year_f = float(year)
        if not year_f.is_integer():
            bad.append(f"{where}: year {year!r} is not a whole number")
            continue
        to_t, den = split_rate_unit(str(unit))
        values[(str(area), int(year_f))] = number * to_t / conversion_factor(den, "MWh")
    if bad:
        raise ValidationError(f"grid factors: {len(bad)} problem(s)", problems=bad)
    first = rows.iloc[0]
    releases = sorted({str(r) for r in rows["release"]}) if "release" in rows else []
    sources = sorted({str(s) for s in rows["source"]}) if "source" in rows else []
    return GridFactorSet(
        carrier=carrier, method=method, factors=values,
        chp_allocation=str(first["chp_allocation"]) if "chp_allocation" in rows else None,
        grid_losses_included=(bool(first["grid_losses_included"])
                              if "grid_losses_included" in rows
                              and not pd.isna(first["grid_losses_included"]) else None),
        release="; ".join(releases) or None, source="; ".join(sources) or None, areas=areas)


GridLike = GridFactorSet | Sequence[GridFactorSet] | Mapping[str, GridFactorSet | Sequence[GridFactorSet]]


def grid_methods(grid: GridLike) -> tuple[dict[str, dict[str, GridFactorSet]], bool]:
    """``{method label: {carrier: set}}`` and whether the caller asked for a ``scope2_method`` dim."""
    if isinstance(grid, GridFactorSet):
        grid = [grid]
    if isinstance(grid, Mapping):
        groups = {str(k): ([v] if isinstance(v, GridFactorSet) else list(v)) for k, v in grid.items()}
        labelled = True
    else:
        sets = list(grid)
        if not sets:
            raise ValidationError("grid: no factor sets given")
        label = next((s.method for s in sets if s.carrier == "electricity"), sets[0].method)
        groups = {label: sets}
        labelled = False
    out: dict[str, dict[str, GridFactorSet]] = {}
    for label, sets in groups.items():
        by_carrier: dict[str, GridFactorSet] = {}
        for s in sets:
            if not isinstance(s, GridFactorSet):
                raise ValidationError(f"grid method {label!r}: expected GridFactorSet, got "
                                      f"{type(s).__name__}")
            if s.carrier in by_carrier:
                raise ValidationError(f"grid method {label!r} has two sets for {s.carrier!r}")
            by_carrier[s.carrier] = s
        out[label] = by_carrier
    return out, labelled


def grid_carriers(grid: GridLike) -> set[str]:
    """The carriers that ``grid`` covers (consumption of these is not fuel combustion)."""
    return {c for sets in grid_methods(grid)[0].values() for c in sets}


def grid_emissions(consumption: pd.DataFrame | xr.DataArray | xr.Dataset, grid: GridLike
                   ) -> xr.DataArray:
    """Scope-2 CO2e (t) of grid-supplied energy under one or several attribution methods.

    Parameters
    ----------
    consumption
        Activity data (as for :func:`activity_array`) whose fuels are carriers
        (``electricity``, ``district_heating``) in energy units, in scope-2 categories (I.x.2,
        II.x.2) or T&D-loss rows; a ``year`` dim is needed and, unless every set is national, a
        ``municipality`` dim.
    grid
        One :class:`GridFactorSet`, a list (one per carrier), or ``{label: sets}`` for several
        methods side by side.

    Returns
    -------
    xarray.DataArray
        t CO2e over the consumption's dims (carrier summed out) and ``scope2_method``.

    Examples
    --------
    >>> import pandas as pd
    >>> use = pd.DataFrame({"municipality": 101, "year": 2016, "category": "I.1.2",
    ...                     "fuel": "electricity", "value": [1000.0], "unit": "MWh"})
    >>> s = grid_factor_set(carrier="electricity", method="national_location",
    ...                     chp_allocation="200%", grid_losses_included=True)
    >>> grid_emissions(use, {"200%": s}).sel(category="I.1.2").to_numpy().tolist()
    [[[282.0]]]
    """
    from klimacore.forms import as_activity as to_activity

    act, keys = to_activity(consumption)
    if act is None or keys is not None:
        raise ValidationError("grid consumption needs numeric rows and no notation keys")
    return scope2_emissions(act, grid)[0]


def scope2_emissions(act: Activity, grid: GridLike) -> tuple[xr.DataArray, dict[str, Any]]:
    """Scope-2 CO2e with a ``scope2_method`` dim, and the metadata of the sets used."""
    import xarray as xr

    consumption = act.plain()
    methods, _ = grid_methods(grid)
    if "year" not in consumption.dims:
        raise ValidationError("grid emissions need a 'year' dimension in the consumption")
    carriers = [str(c) for c in act.fuels]
    units = list(act.units)
    munis = (consumption.get_index("municipality").tolist() if "municipality" in consumption.dims
             else None)
    years = [int(y) for y in consumption.get_index("year").tolist()]
    _check_scope(consumption)
    missing: list[tuple[str, str, Sequence[object]]] = []
    unit_problems: list[str] = []
    no_set = [(label, c) for label, sets in methods.items() for c in carriers if c not in sets]
    missing.append(("grid factor set for (method, carrier)", "carrier", no_set))
    scale = {}
    for c, u in zip(carriers, units, strict=True):
        try:
            scale[c] = conversion_factor(u, "MWh")
        except Exception as exc:
            unit_problems.append(f"carrier {c!r}: consumption in {u!r} is not energy ({exc})")
    results = []
    meta: dict[str, Any] = {}
    for label, sets in methods.items():
        meta[label] = [sets[c].describe() for c in carriers if c in sets]
        total = None
        for c in carriers:
            s = sets.get(c)
            if s is None or c not in scale:
                continue
            area = s.area_of(munis)
            absent = sorted({(area[m], y) for m in area for y in years if (area[m], y) not in s.factors})
            if absent:
                missing.append((f"{c} factor of method {label!r} for (area, year)", "area", absent))
                continue
            fac = np.array([[s.factors[(area[m], y)] for y in years] for m in area]) * scale[c]
            fda = xr.DataArray(fac, dims=("municipality", "year"),
                               coords={"municipality": munis, "year": years}) if munis else \
                xr.DataArray(fac[0], dims=("year",), coords={"year": years})
            part = consumption.sel(fuel=c, drop=True) * fda
            total = part if total is None else total + part
        if total is not None:
            results.append(total.expand_dims({METHOD_DIM: [label]}))
    raise_problems(missing, unit_problems, context="scope 2")
    out = xr.concat(results, dim=METHOD_DIM) if len(results) > 1 else results[0]
    out = out.assign_coords({METHOD_DIM: np.asarray([str(m) for m in out.get_index(METHOD_DIM)])})
    order = [d for d in consumption.dims if d != "fuel"] + [METHOD_DIM]
    out = out.transpose(*order)
    if act.reported is not None:
        out = out.where(act.reported).transpose(*order)
    out.attrs = {"units": "t", "long_name": "CO2e of grid-supplied energy"}
    return out, meta


def _check_scope(consumption: xr.DataArray) -> None:
    """Grid energy belongs in scope-2 rows (I.x.2, II.x.2) or T&D-loss rows (I.x.3, II.x.3)."""
    if "category" not in consumption.dims:
        raise ValidationError("grid consumption needs a 'category' dimension")
    table = gpc()
    cats = consumption["category"].to_numpy().tolist()
    used = abs(consumption).sum([str(d) for d in consumption.dims if d != "category"]).to_numpy()
    bad = [c for c, u in zip(cats, used, strict=True)
           if u > 0 and c in table.index and table.columns["scope"][table.index[c]] == 1]
    if bad:
        raise ValidationError(
            "grid electricity/heat reported in scope-1 categories (use the .2 rows): "
            + ", ".join(repr(c) for c in bad))
