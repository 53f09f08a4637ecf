"""Consumption-based footprints of municipalities in the NIRAS (2024) structure, from open data.

For municipality ``m`` with population ``P_m`` (sum ``P``), per draw of the parameters:

* **housing energy** (physical): the household CO2 of the municipality's own Energi- og
  CO2-regnskab ``H_m`` times a life-cycle factor ``f_h``;
* **private car use** (physical): cars by fuel × km per car ``k · (K_m / K)^γ`` (``K_m`` the
  commuting distance, ``K`` the national one) × energy per km × the territorial fuel factor ×
  a well-to-tank factor, plus electric kilometres × kWh per km × the national grid factor,
  times the households' share of passenger cars;
* **other private consumption** ``c``: the national private footprint ``T · s_priv · P`` *less*
  the two physical parts summed over all municipalities (they replace their share of it, so
  nothing is counted twice), split by CONCITO's category footprints (renormalised shares) and
  spread over municipalities by ``P_m · y_m^ε / Σ_k P_k · y_k^ε`` (``y`` disposable income,
  ``ε`` the income elasticity);
* **public consumption** and **investment**: ``T · s_pub`` and ``T · s_inv`` per inhabitant,
  equally (NIRAS 2024, section 4.3.1).

``T`` is the national footprint per inhabitant and ``s_*`` Statistics Denmark's final-use
shares. By construction the private parts of all municipalities add up to ``T · s_priv · P``:
the national figure they are scaled from. :func:`reference_footprint` is the same model in
plain Python, one municipality at a time (tests and the benchmark check the fast path on it).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.consumption._defaults import fuel_factors
from klimacore.consumption._mparams import (
    Params,
    central_parameters,
    check_parameters,
    municipal_parameters,
    sample_parameters,
    swing_parameters,
)
from klimacore.consumption._national import (
    PRIVATE_CATEGORIES,
    category_weights,
    final_use_shares,
)
from klimacore.errors import DataError, KlimacoreError, Problems, ValidationError
from klimacore.forms import as_population
from klimacore.units import DEFAULT_GWP_METRIC, check_gwp_metric

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = ["CATEGORIES", "municipal_footprint", "reference_footprint"]

OTHER = tuple(PRIVATE_CATEGORIES)
CATEGORIES: tuple[str, ...] = ("housing_energy", "private_car_use", *OTHER,
                               "public_consumption", "investment")
"""The footprint categories, in result order."""

GROUP = {**dict.fromkeys(("housing_energy", "private_car_use", *OTHER), "private"),
         "public_consumption": "public", "investment": "investment"}
METHOD = {
    "housing_energy": "physical: household energy CO2 (Energi- og CO2-regnskab) x life-cycle factor",
    "private_car_use": "physical: cars by fuel (BIL54) x km per car (scaled by commuting, AFSTB4)",
    **dict.fromkeys(OTHER, "national private footprint less the physical parts, CONCITO category "
                    "shares, spread by population x income^elasticity (INDKP101)"),
    "public_consumption": "national per inhabitant, spread equally (NIRAS 2024 s. 4.3.1)",
    "investment": "national per inhabitant, spread equally (NIRAS 2024 s. 4.3.1)",
}
_PARAMETERS = ("footprint_per_capita", "income_elasticity", "housing_lifecycle_factor",
               "car_km_per_year", "household_car_share", "petrol_energy_per_km",
               "diesel_energy_per_km", "ev_electricity_per_km", "plugin_electric_share",
               "fuel_upstream_factor", "commute_elasticity", *(f"share:{k}" for k in OTHER))
"""Every parameter the model needs (rows of the parameter table)."""
_SENSITIVITY_DRAWS = 4000
"""Draws used for the rank correlations of the sensitivity table (all when fewer)."""
_COLUMNS = ("population", "disposable_income", "household_energy_co2_t", "cars_electric",
            "cars_plugin", "cars_diesel", "cars_petrol", "commuting_km")
CAVEATS = (
    "A modelled estimate, not a measurement: national footprints are spread over "
    "municipalities by register drivers.",
    "Housing energy covers households' own energy (Energi- og CO2-regnskab, scope 1+2) times "
    "an assumed life-cycle factor; second homes count where they are, not where owners live.",
    "Cars are counted where they are registered; the households' national share of cars (90 %) "
    "removes business cars on average only, so company and leasing fleets registered at a "
    "company address still inflate that municipality. Kilometres per car are an assumption scaled "
    "by commuting distance, not local travel data (DTU's Transportvaneundersøgelse is not open).",
    "Other private consumption varies between municipalities only through income; a local "
    "spending survey would replace the income scaling.",
    "Public consumption and investment are spread equally per inhabitant (NIRAS 2024): they "
    "carry no municipal information and are no indicator of local action.",
    "The electricity factor for electric cars is the national grid declaration; Energinet's "
    "municipal factors credit local production and cannot be summed across municipalities.",
)


@dataclass(frozen=True)
class _Drivers:
    codes: list[int]
    names: list[str]
    cols: dict[str, np.ndarray[Any, np.dtype[np.float64]]]
    commuting_national: float
    grid_g_per_kwh: float


def _drivers(table: pd.DataFrame, national: dict[str, float] | None) -> _Drivers:
    import pandas as pd

    absent = [c for c in _COLUMNS if c not in table.columns]
    if absent:
        raise DataError(f"municipal drivers lack columns {absent}; read them with "
                        "klimacore.io.read_municipal_drivers", code="drivers.columns",
                        label=absent, location="columns")
    nat = dict(national if national is not None else table.attrs.get("national", {}))
    problems = Problems("municipal drivers")

    def problem(text: str, column: str, labels: object) -> None:
        problems.add(text, code=f"drivers.{column}", label=labels, location=column,
                     kind=DataError)

    cols = {c: table[c].to_numpy(dtype=float) for c in _COLUMNS}
    # the municipality's own travel data, where it has them (NaN: use the national assumption)
    own = (table["car_km_per_car"].to_numpy(dtype=float) if "car_km_per_car" in table.columns
           else np.full(len(table), np.nan))
    bad_own = [int(m) for m, v in zip(table.index, own, strict=True) if v < 0]
    if bad_own:
        problem(f"car_km_per_car is negative for municipalities {bad_own}", "car_km_per_car",
                bad_own)
    cols["car_km_per_car"] = own
    try:  # the one population form: positive persons, one per municipality
        as_population(pd.Series(cols["population"], index=pd.Index(
            [int(m) for m in table.index], name="municipality")))
    except KlimacoreError as exc:
        problem(f"population missing or not positive for municipalities: {exc}", "population",
                exc.label)
    bad = [int(m) for m, v in zip(table.index, cols["disposable_income"], strict=True)
           if not v > 0]
    if bad:
        problem(f"disposable_income missing or not positive for municipalities {bad}",
                "disposable_income", bad)
    bad = [int(m) for m, v in zip(table.index, cols["commuting_km"], strict=True) if not v > 0]
    if bad:
        problem(f"commuting_km missing or not positive for municipalities {bad} (km per car "
                "scale with it)", "commuting_km", bad)
    for c in ("household_energy_co2_t", "cars_electric", "cars_plugin", "cars_diesel",
              "cars_petrol"):
        bad = [int(m) for m, v in zip(table.index, cols[c], strict=True) if not v >= 0]
        if bad:
            problem(f"{c} missing or negative for municipalities {bad} (the physical parts "
                    "replace a national share, so every municipality needs them)", c, bad)
    grid = float(nat.get("electricity_co2_g_per_kwh", np.nan))
    if not grid >= 0:
        problem("national electricity_co2_g_per_kwh missing (grid factor for electric cars)",
                "national.electricity_co2_g_per_kwh", grid)
    commuting = float(nat.get("commuting_km", np.nan))
    if not commuting > 0:
        pop = cols["population"]
        commuting = float((cols["commuting_km"] * pop).sum() / pop.sum())
    problems.raise_if_any()
    names = [str(n) for n in table["name"]] if "name" in table.columns else [
        str(m) for m in table.index]
    return _Drivers([int(m) for m in table.index], names, cols, commuting, grid)


def _fuel_kg_per_gj(metric: str) -> tuple[float, float]:
    table = fuel_factors(gwp_metric=metric)
    return table["petrol"][0], table["diesel"][0]


@dataclass(frozen=True)
class _Parts:
    """The model's pieces per draw: (municipality, draw) arrays and the (category, draw) shares
    of other private consumption; a category's footprint is ``spread × share`` for the others."""

    housing: np.ndarray[Any, np.dtype[np.float64]]
    car: np.ndarray[Any, np.dtype[np.float64]]
    spread: np.ndarray[Any, np.dtype[np.float64]]
    share: np.ndarray[Any, np.dtype[np.float64]]
    other_total: np.ndarray[Any, np.dtype[np.float64]]
    public: np.ndarray[Any, np.dtype[np.float64]]
    invest: np.ndarray[Any, np.dtype[np.float64]]
    # the linear rows as coefficient (per municipality) × one parameter's draws
    housing_coef: np.ndarray[Any, np.dtype[np.float64]]
    housing_factor: np.ndarray[Any, np.dtype[np.float64]]
    public_coef: np.ndarray[Any, np.dtype[np.float64]]
    invest_coef: np.ndarray[Any, np.dtype[np.float64]]
    t_draws: np.ndarray[Any, np.dtype[np.float64]]

    def block(self, i: int, out: np.ndarray[Any, np.dtype[np.float64]]
              ) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Municipality ``i``'s (category, draw) footprints, written into ``out``."""
        out[0] = self.housing[i]
        out[1] = self.car[i]
        np.multiply(self.spread[i], self.share, out=out[2:2 + len(OTHER)])
        out[-2] = self.public[i]
        out[-1] = self.invest[i]
        return out

    def summaries(self) -> dict[str, np.ndarray[Any, np.dtype[np.float64]]]:
        """Totals, the country's category totals and the means, straight from the pieces
        (the shares of the other categories add up to one in every draw)."""
        col = np.newaxis
        n = self.share.shape[1]
        parts = (self.housing, self.car, self.public, self.invest)
        return {
            "totals": (self.housing + self.car + self.spread + self.public + self.invest).T,
            "by_category": np.concatenate(
                [parts[0].sum(axis=0)[col, :], parts[1].sum(axis=0)[col, :],
                 self.other_total[col, :] * self.share, parts[2].sum(axis=0)[col, :],
                 parts[3].sum(axis=0)[col, :]]).T,
            "means": np.concatenate(
                [parts[0].mean(axis=1)[:, col], parts[1].mean(axis=1)[:, col],
                 self.spread @ self.share.T / n, parts[2].mean(axis=1)[:, col],
                 parts[3].mean(axis=1)[:, col]], axis=1),
        }


def _parts(p: Params, d: _Drivers, *, metric: str) -> _Parts:
    """Evaluate the model's pieces for every draw (arrays are municipality × draw)."""
    ef_petrol, ef_diesel = _fuel_kg_per_gj(metric)
    shares = final_use_shares()
    weights = category_weights()
    c = d.cols
    n = len(p["footprint_per_capita"])
    pop = c["population"]
    total_pop = float(pop.sum())
    col = np.newaxis

    missing = [k for k in _PARAMETERS if k not in p]
    if missing:
        raise ValidationError(f"model parameters missing from the table: {missing}",
                              code="parameters.missing", label=missing, location="name")

    def v(name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        return p[name][col, :]

    def m(name: str) -> np.ndarray[Any, np.dtype[np.float64]]:
        return c[name][:, col]

    housing = m("household_energy_co2_t") * v("housing_lifecycle_factor")
    # (K_m / K) ** gamma as exp(gamma · ln(K_m / K)): one log per municipality, not per draw
    km = v("car_km_per_year") * np.exp(
        np.log(c["commuting_km"] / d.commuting_national)[:, col] * v("commute_elasticity"))
    own = ~np.isnan(c["car_km_per_car"])
    if own.any():
        km = np.where(own[:, col], c["car_km_per_car"][:, col], km)
    phi = p["plugin_electric_share"]
    # t CO2e per km of each kind of car in every draw: (4, draw); cars by kind: (municipality, 4)
    petrol_t = p["petrol_energy_per_km"] * ef_petrol * p["fuel_upstream_factor"] / 1e6
    diesel_t = p["diesel_energy_per_km"] * ef_diesel * p["fuel_upstream_factor"] / 1e6
    electric_t = p["ev_electricity_per_km"] * d.grid_g_per_kwh / 1e6
    per_km = np.stack([petrol_t, diesel_t, electric_t, (1.0 - phi) * petrol_t + phi * electric_t])
    fleet = np.stack([c["cars_petrol"], c["cars_diesel"], c["cars_electric"], c["cars_plugin"]],
                     axis=1)
    car = fleet @ (per_km * p["household_car_share"][col, :])
    car *= km

    t_pc = p["footprint_per_capita"]
    other_total = t_pc * shares["private"] * total_pop - housing.sum(axis=0) - car.sum(axis=0)
    if bool((other_total <= 0).any()):
        raise ValidationError(
            "the physical housing and car estimates exceed the national private footprint in "
            f"{int((other_total <= 0).sum())} of {n} draws: check the parameter ranges",
            code="parameters.range", label=int((other_total <= 0).sum()),
            location="footprint_per_capita")
    raw = np.stack([weights[k] * p[f"share:{k}"] for k in OTHER], axis=0)  # (category, draw)
    share = raw / raw.sum(axis=0, keepdims=True)
    log_income = np.log(c["disposable_income"] / c["disposable_income"].mean())
    spread = pop[:, col] * np.exp(log_income[:, col] * v("income_elasticity"))
    spread *= other_total[col, :] / spread.sum(axis=0, keepdims=True)
    public = m("population") * (t_pc * shares["public"])[col, :]
    invest = m("population") * (t_pc * shares["investment"])[col, :]
    return _Parts(housing, car, spread, share, other_total, public, invest,
                  c["household_energy_co2_t"], p["housing_lifecycle_factor"],
                  pop * shares["public"], pop * shares["investment"], t_pc)


def _evaluate(p: Params, d: _Drivers, *, metric: str) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Footprints in t, shape (draws, municipalities, categories) in :data:`CATEGORIES` order."""
    parts = _parts(p, d, metric=metric)
    n = parts.share.shape[1]
    out = np.empty((len(d.codes), len(CATEGORIES), n))
    for i in range(len(d.codes)):
        parts.block(i, out[i])
    return out.transpose(2, 0, 1)


def _block_percentiles(parts: _Parts, q: np.ndarray[Any, np.dtype[np.float64]]
                       ) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Percentiles over the draws of every municipality × category, shape (q, municipality,
    category).

    Housing energy, public consumption and investment are a municipal coefficient times one
    parameter's draws, so their percentiles are the coefficient times that parameter's
    percentiles (exact: a percentile is positively homogeneous). The car and the other
    categories are partitioned one municipality at a time in a reused buffer, which stays in
    the CPU cache instead of a (municipalities × categories × draws) array in memory.
    """
    m, n = parts.housing.shape
    out = np.empty((len(q), m, len(CATEGORIES)))
    factor = _percentiles(parts.housing_factor[:, np.newaxis], q)[:, 0]
    level = _percentiles(parts.t_draws[:, np.newaxis], q)[:, 0]
    out[:, :, 0] = factor[:, np.newaxis] * parts.housing_coef[np.newaxis, :]
    out[:, :, -2] = level[:, np.newaxis] * parts.public_coef[np.newaxis, :]
    out[:, :, -1] = level[:, np.newaxis] * parts.invest_coef[np.newaxis, :]
    buffer = np.empty((1 + len(OTHER), n))
    for i in range(m):
        buffer[0] = parts.car[i]
        np.multiply(parts.spread[i], parts.share, out=buffer[1:])
        out[:, i, 1:2 + len(OTHER)] = _percentiles(buffer.T, q, overwrite=True)
    return out


def reference_footprint(drivers: pd.DataFrame, params: dict[str, float], *,
                        national: dict[str, float] | None = None,
                        gwp_metric: str = "AR5GWP100") -> dict[int, dict[str, float]]:
    """The model in plain Python for one set of parameter values: ``{municipality: {category: t}}``.

    Readable, slow, and independent of the array code in :func:`municipal_footprint`, which is
    tested against it.
    """
    d = _drivers(drivers, national)
    ef_petrol, ef_diesel = _fuel_kg_per_gj(gwp_metric)
    shares, weights = final_use_shares(), category_weights()
    rows = [{k: float(a[i]) for k, a in d.cols.items()} for i in range(len(d.codes))]
    mean_income = sum(r["disposable_income"] for r in rows) / len(rows)

    def car_use(r: dict[str, float]) -> float:
        km = params["car_km_per_year"] * (r["commuting_km"] / d.commuting_national) ** params[
            "commute_elasticity"]
        if not math.isnan(r["car_km_per_car"]):
            km = r["car_km_per_car"]  # the municipality's own travel data
        phi = params["plugin_electric_share"]
        petrol = km * (r["cars_petrol"] + r["cars_plugin"] * (1 - phi)) * params[
            "petrol_energy_per_km"] / 1000 * ef_petrol
        diesel = km * r["cars_diesel"] * params["diesel_energy_per_km"] / 1000 * ef_diesel
        electric = km * (r["cars_electric"] + r["cars_plugin"] * phi) * params[
            "ev_electricity_per_km"] * d.grid_g_per_kwh / 1e6
        fuel = (petrol + diesel) * params["fuel_upstream_factor"] / 1000
        return float((fuel + electric) * params["household_car_share"])

    housing = [r["household_energy_co2_t"] * params["housing_lifecycle_factor"] for r in rows]
    cars = [car_use(r) for r in rows]
    total_pop = sum(r["population"] for r in rows)
    t_pc = params["footprint_per_capita"]
    other_total = t_pc * shares["private"] * total_pop - sum(housing) - sum(cars)
    raw = {k: weights[k] * params[f"share:{k}"] for k in OTHER}
    spread = [r["population"] * (r["disposable_income"] / mean_income) ** params[
        "income_elasticity"] for r in rows]
    result: dict[int, dict[str, float]] = {}
    for i, (code, r) in enumerate(zip(d.codes, rows, strict=True)):
        out = {"housing_energy": housing[i], "private_car_use": cars[i]}
        for k in OTHER:
            out[k] = other_total * raw[k] / sum(raw.values()) * spread[i] / sum(spread)
        out["public_consumption"] = t_pc * shares["public"] * r["population"]
        out["investment"] = t_pc * shares["investment"] * r["population"]
        result[code] = out
    return result


def _ranks(a: np.ndarray[Any, np.dtype[np.float64]]) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Ranks along axis 0, centred and scaled (for Spearman correlations by a dot product)."""
    order = np.argsort(a, axis=0)
    r = np.empty(a.shape)
    np.put_along_axis(r, order, np.arange(a.shape[0], dtype=float)[:, np.newaxis], axis=0)
    r -= (a.shape[0] - 1) / 2.0
    norm = np.sqrt((r**2).sum(axis=0))
    out: np.ndarray[Any, np.dtype[np.float64]] = np.divide(r, norm, out=np.zeros_like(r),
                                                           where=norm > 0)
    return out


def _percentiles(values: np.ndarray[Any, np.dtype[np.float64]],
                 q: np.ndarray[Any, np.dtype[np.float64]], *, overwrite: bool = False
                 ) -> np.ndarray[Any, np.dtype[np.float64]]:
    """Percentiles along axis 0 (numpy's default 'linear' method), shape ``(len(q), ...)``.

    Hand-written because ``np.percentile`` along the leading (strided) draw axis of a
    (draws × municipalities × categories) array spends most of its time copying; here the
    array is laid out draw-last and partitioned in place (tested against np.percentile);
    ``overwrite=True`` lets a draw-last input be partitioned itself, without a copy.
    """
    n = values.shape[0]
    moved = np.moveaxis(values, 0, -1)
    if overwrite and moved.flags.c_contiguous:
        flat = moved.reshape(-1, n)  # a view: partitioned in place, the input is scrambled
    else:
        flat = np.array(moved.reshape(-1, n), order="C", copy=True)
    pos = q / 100.0 * (n - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    flat.partition(sorted({*lo.tolist(), *hi.tolist()}), axis=1)
    frac = (pos - lo)[:, np.newaxis]
    a, b = flat[:, lo].T, flat[:, hi].T
    out: np.ndarray[Any, np.dtype[np.float64]] = np.where(
        frac < 0.5, a + (b - a) * frac, b - (b - a) * (1.0 - frac))
    return out.reshape((len(q), *values.shape[1:]))


def municipal_footprint(
    drivers: pd.DataFrame,
    *,
    n_draws: int = 1000,
    seed: int | np.random.Generator | None = 20240101,
    parameters: pd.DataFrame | None = None,
    national: dict[str, float] | None = None,
    percentiles: Sequence[float] = (5.0, 50.0, 95.0),
    gwp_metric: str = DEFAULT_GWP_METRIC,
) -> xr.Dataset:
    """Consumption-based footprint of every municipality by category, with Monte Carlo intervals.

    Parameters
    ----------
    drivers
        One row per municipality (index ``municipality``), as returned by
        :func:`klimacore.io.read_municipal_drivers`: ``population``, ``disposable_income``,
        ``household_energy_co2_t``, cars by fuel, ``commuting_km`` and optionally ``name`` and
        ``year``, and ``car_km_per_car`` where the municipality has its own travel data
        (it then replaces the assumed km per car); ``attrs["national"]`` holds the whole country's ``commuting_km`` and
        ``electricity_co2_g_per_kwh`` (or pass ``national=``). Give all municipalities of the
        country: the national totals are split among the rows given.
    n_draws, seed
        Monte Carlo draws over every uncertain parameter (0 for the central estimate only).
    parameters
        The parameter table (default :func:`municipal_parameters`); replace a row to use the
        municipality's own data or a different assumption.
    percentiles
        Percentiles reported (default the 90 % interval and the median).
    gwp_metric
        GWP set of the fuel factors for cars.

    Returns
    -------
    xarray.Dataset
        Dims ``year``, ``municipality``, ``category`` (coords ``group``, ``method``, ``name``):
        ``footprint`` (central estimate, t CO2e), ``per_capita``, ``total``,
        ``total_per_capita``, ``population``; with draws also ``*_mean`` and ``*_percentiles``
        for each, the country's ``national_total`` and ``national_per_capita`` (from the draws),
        and the sensitivity table ``rank_correlation`` (parameter × municipality),
        ``rank_correlation_national``, ``rank_correlation_category`` (parameter × category,
        for the country's category totals), ``swing_low``/``swing_high`` (totals with one
        parameter at its low/high end). ``attrs`` hold the caveats and every input's vintage.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"population": [50_000.0, 30_000.0],
    ...     "disposable_income": [300_000.0, 250_000.0],
    ...     "household_energy_co2_t": [30_000.0, 20_000.0], "cars_electric": [5_000.0, 2_000.0],
    ...     "cars_plugin": [1_000.0, 500.0], "cars_diesel": [4_000.0, 4_000.0],
    ...     "cars_petrol": [15_000.0, 10_000.0], "commuting_km": [15.0, 25.0]},
    ...     index=pd.Index([1, 2], name="municipality"))
    >>> ds = municipal_footprint(t, n_draws=200, seed=1,
    ...                          national={"commuting_km": 20.0, "electricity_co2_g_per_kwh": 45.0})
    >>> per_capita = float(ds["national_per_capita"].squeeze())
    >>> round(per_capita, 1)
    11.0
    >>> lo, hi = ds["national_per_capita_percentiles"].sel(percentile=[5.0, 95.0]).values.ravel()
    >>> bool(lo < per_capita < hi)
    True
    """
    import xarray as xr

    check_gwp_metric(gwp_metric)
    table = check_parameters(parameters if parameters is not None else municipal_parameters())
    if "year" in drivers.columns and len(set(drivers["year"])) > 1:
        parts = [municipal_footprint(group.drop(columns="year").assign(year=int(str(y))),
                                     n_draws=n_draws, seed=seed, parameters=table,
                                     national=national or drivers.attrs.get("national"),
                                     percentiles=percentiles, gwp_metric=gwp_metric)
                 for y, group in drivers.groupby("year")]
        out = xr.concat(parts, dim="year", data_vars="all")
        out.attrs = {**parts[0].attrs, **_attrs(drivers, table, n_draws, seed, gwp_metric,
                                                 int(str(min(drivers["year"]))))}
        return out
    d = _drivers(drivers, national)
    year = int(drivers["year"].iloc[0]) if "year" in drivers.columns else 0
    central = _evaluate(central_parameters(table), d, metric=gwp_metric)[0]
    ds = _dataset(central, d, year)
    if n_draws > 0:
        draws = sample_parameters(table, n_draws, seed=seed)
        names, swing = swing_parameters(table)
        _add_draws(ds, _parts(draws, d, metric=gwp_metric), draws, names, d, percentiles)
        swing_totals = _evaluate(swing, d, metric=gwp_metric).sum(axis=2)
        for end, rows in (("low", swing_totals[0::2]), ("high", swing_totals[1::2])):
            ds[f"swing_{end}"] = (("parameter", "municipality"), rows, {"units": "t"})
            ds[f"swing_{end}_national"] = (("parameter",), rows.sum(axis=1), {"units": "t"})
    ds.attrs = _attrs(drivers, table, n_draws, seed, gwp_metric, year)
    return ds


def _dataset(central: np.ndarray[Any, np.dtype[np.float64]], d: _Drivers, year: int
             ) -> xr.Dataset:
    import xarray as xr

    pop = d.cols["population"]
    coords = {"year": [year], "municipality": d.codes, "category": list(CATEGORIES),
              "group": ("category", [GROUP[k] for k in CATEGORIES]),
              "method": ("category", [METHOD[k] for k in CATEGORIES]),
              "name": ("municipality", d.names)}
    dims = ("year", "municipality", "category")
    fp = central[None, :, :]
    ds = xr.Dataset(
        {
            "footprint": (dims, fp, {"units": "t"}),
            "per_capita": (dims, fp / pop[None, :, None], {"units": "t per inhabitant"}),
            "total": (dims[:2], fp.sum(axis=2), {"units": "t"}),
            "total_per_capita": (dims[:2], fp.sum(axis=2) / pop[None, :],
                                 {"units": "t per inhabitant"}),
            "population": (("year", "municipality"), pop[None, :], {"units": "inhabitants"}),
            "national_total": (("year",), [float(central.sum())], {"units": "t"}),
            "national_per_capita": (("year",), [float(central.sum() / pop.sum())],
                                    {"units": "t per inhabitant"}),
        },
        coords=coords,
    )
    return ds


def _add_draws(ds: xr.Dataset, parts: _Parts, draws: Params, uncertain: list[str],
               d: _Drivers, percentiles: Sequence[float]) -> None:
    q = np.asarray(percentiles, dtype=float)
    if bool(((q < 0) | (q > 100)).any()):
        raise ValidationError(f"percentiles must lie in 0..100, got {list(percentiles)}",
                              code="monte_carlo.percentiles", label=list(percentiles),
                              location="percentiles")
    pop = d.cols["population"]
    summaries = parts.summaries()
    totals, by_category, means = (summaries[k] for k in ("totals", "by_category", "means"))
    national = totals.sum(axis=1)
    # per-inhabitant percentiles are the percentiles divided by the (fixed) population
    stats = {
        "footprint": (_block_percentiles(parts, q), means, ("municipality", "category"),
                      pop[:, None]),
        "total": (_percentiles(totals, q), totals.mean(axis=0), ("municipality",), pop),
        "national_total": (_percentiles(national[:, None], q)[:, 0], national.mean(), (),
                           pop.sum()),
    }
    per = {"footprint": "per_capita", "total": "total_per_capita",
           "national_total": "national_per_capita"}
    for name, (pct, mean, dims, divisor) in stats.items():
        for var, scale, unit in ((name, 1.0, "t"), (per[name], divisor, "t per inhabitant")):
            ds[f"{var}_percentiles"] = (("percentile", "year", *dims),
                                        (pct / scale)[:, None, ...], {"units": unit})
            ds[f"{var}_mean"] = (("year", *dims), np.asarray(mean / scale)[None, ...],
                                 {"units": unit})
    ds.coords["percentile"] = q
    # Spearman correlations from the first draws (draws are independent, so any subset is a
    # random sample): with 4 000 the sampling error is about ±0.016, enough to rank parameters
    k = min(len(national), _SENSITIVITY_DRAWS)
    params = _ranks(np.stack([draws[name][:k] for name in uncertain], axis=1))
    totals, national, by_category = totals[:k], national[:k], by_category[:k]
    ds["rank_correlation"] = (("parameter", "municipality"), params.T @ _ranks(totals),
                              {"units": "1", "description": "Spearman correlation of the "
                               "parameter's draws with the municipality's total"})
    ds["rank_correlation_national"] = (("parameter",), (params.T @ _ranks(national[:, None]))[:, 0],
                                       {"units": "1"})
    ds["rank_correlation_category"] = (("parameter", "category"), params.T @ _ranks(by_category),
                                       {"units": "1", "description": "Spearman correlation of "
                                        "the parameter's draws with the country's category total"})
    ds.coords["parameter"] = uncertain


def _attrs(drivers: pd.DataFrame, table: pd.DataFrame, n_draws: int,
           seed: int | np.random.Generator | None, metric: str, year: int) -> dict[str, Any]:
    from klimacore.consumption._national import national_figures

    figures = national_figures().set_index("id")
    vintages = dict(drivers.attrs.get("vintages", {}))
    vintages.update({
        "footprint_per_capita": "CONCITO (2023) p. 8 / Energistyrelsen Global Afrapportering "
        "2023, reference year 2021",
        "final_use_shares": f"Danmarks Statistik analysis 47752, reference year "
        f"{figures.loc['dst_footprint_private', 'year']!s}",
        "category_shares": "CONCITO (2023) fig. 7, reference year 2021",
    })
    kinds = table["kind"] if "kind" in table.columns else ["assumption"] * len(table)
    assumptions = sorted(str(n) for n, k in zip(table["name"], kinds, strict=True)
                         if str(k) == "assumption")
    return {
        "units": "t",
        "quantity": "CO2e",
        "gwp_metric": metric,
        "boundary": "consumption-based, all final use (private, public, investment), imports "
        "included; NIRAS (2024) structure",
        "year_meaning": f"{year}: the year of the population count; each input keeps its own "
        "vintage (see 'vintages')",
        "caveats": list(CAVEATS),
        "vintages": vintages,
        "assumptions": assumptions,
        "n_draws": int(n_draws),
        "sensitivity_draws": min(int(n_draws), _SENSITIVITY_DRAWS),
        "seed": seed if isinstance(seed, int) or seed is None else "Generator",
        "drivers_source": str(drivers.attrs.get("source", "caller")),
        "modelled_estimate": True,
    }
