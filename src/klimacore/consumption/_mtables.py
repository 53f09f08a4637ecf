"""Tidy tables of a :func:`~klimacore.consumption.municipal_footprint` result.

:func:`footprint_table` gives one row per year × municipality × category (plus a ``total`` row
per municipality) with the central estimate, the Monte Carlo mean and percentiles, in t and t
per inhabitant: the layout ``klimacore footprint`` writes as CSV and JSON, and the one the
monitoring layer can take indicators from (e.g. ``food`` and ``private_car_use`` per inhabitant).
:func:`sensitivity_table` says which parameters drive the interval.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import MissingLabelError, ValidationError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = ["footprint_indicators", "footprint_table", "sensitivity_table"]


def _label(q: float) -> str:
    return f"p{q:g}"


def footprint_table(ds: xr.Dataset) -> pd.DataFrame:
    """One row per ``year``, ``municipality``, ``category`` (and ``total``): ``name``,
    ``group``, ``t`` (central), ``t_mean``, ``t_p5`` …, ``t_per_inhabitant``, … and ``population``.

    >>> import pandas as pd
    >>> from klimacore.consumption import municipal_footprint
    >>> t = pd.DataFrame({"population": [1000.0], "disposable_income": [300_000.0],
    ...     "household_energy_co2_t": [600.0], "cars_electric": [100.0], "cars_plugin": [20.0],
    ...     "cars_diesel": [100.0], "cars_petrol": [280.0], "commuting_km": [20.0]},
    ...     index=pd.Index([727], name="municipality"))
    >>> ds = municipal_footprint(t, n_draws=100, seed=2,
    ...     national={"commuting_km": 20.0, "electricity_co2_g_per_kwh": 45.0})
    >>> frame = footprint_table(ds)
    >>> frame.columns[:6].tolist()
    ['year', 'municipality', 'name', 'category', 'group', 't']
    >>> round(float(frame.loc[frame["category"] == "total", "t_per_inhabitant"].iloc[0]), 1)
    11.0
    """
    import pandas as pd

    pieces: list[pd.DataFrame] = []
    has_draws = "footprint_percentiles" in ds
    for name, kind in (("footprint", "category"), ("total", "total")):
        per = "per_capita" if name == "footprint" else "total_per_capita"
        cols: dict[str, Any] = {"t": ds[name], "t_per_inhabitant": ds[per]}
        if has_draws:
            cols["t_mean"] = ds[f"{name}_mean"]
            cols["t_per_inhabitant_mean"] = ds[f"{per}_mean"]
            for q in ds["percentile"].to_numpy():
                cols[f"t_{_label(float(q))}"] = ds[f"{name}_percentiles"].sel(percentile=q)
                cols[f"t_per_inhabitant_{_label(float(q))}"] = ds[f"{per}_percentiles"].sel(
                    percentile=q)
        frame = pd.DataFrame({k: v.drop_vars("percentile", errors="ignore").to_series()
                              for k, v in cols.items()}).reset_index()
        if kind == "total":
            frame.insert(2, "category", "total")
            frame.insert(3, "group", "all")
        else:
            groups = dict(zip(ds["category"].to_numpy().tolist(),
                              ds["group"].to_numpy().tolist(), strict=True))
            frame.insert(3, "group", frame["category"].map(groups))
        pieces.append(frame)
    out = pd.concat(pieces, ignore_index=True)
    names = ds["name"].to_series()
    out.insert(2, "name", out["municipality"].map(names))
    population = ds["population"].to_series().rename("population")
    out = out.join(population, on=["year", "municipality"])
    order = {c: i for i, c in enumerate([*ds["category"].to_numpy().tolist(), "total"])}
    out = out.sort_values(["year", "municipality", "category"],
                          key=lambda s: s.map(order) if s.name == "category" else s)
    return out.reset_index(drop=True)


def sensitivity_table(ds: xr.Dataset, *, municipality: int | None = None,
                      category: str | None = None, year: int | None = None) -> pd.DataFrame:
    """Which parameters drive the interval: one row per uncertain parameter, most important first.

    Columns ``parameter``, ``kind`` (cited/assumption), ``rank_correlation`` (Spearman, of the
    parameter's draws with the total), ``variance_share`` (its squared correlation over the sum
    of squares: an approximate share of the spread) and ``swing_low``/``swing_high`` (the total
    in t with that parameter alone at the low/high end of its range). For the whole country when
    ``municipality`` is None; with ``category``, for the country's total of that category (no
    swing columns then). A result of several years needs ``year`` (default: the last).
    """
    import pandas as pd
    import xarray as xr

    from klimacore.consumption._mparams import municipal_parameters

    if "rank_correlation" not in ds:
        raise ValidationError("no sensitivity in this result: run municipal_footprint with "
                              "n_draws > 0", code="footprint.sensitivity",
                              location="rank_correlation")
    if "year" in ds["rank_correlation"].dims:
        years = [int(y) for y in ds["year"].to_numpy()]
        chosen = years[-1] if year is None else int(year)
        if chosen not in years:
            raise MissingLabelError("footprint result", [chosen], dim="year",
                                    code="footprint.year")
        ds = ds.sel(year=chosen)
    if category is not None:
        if municipality is not None:
            raise ValidationError("give municipality or category, not both",
                                  code="footprint.selection", label=(municipality, category),
                                  location="municipality, category")
        have = [str(c) for c in ds["category"].to_numpy()]
        if category not in have:
            raise MissingLabelError("footprint category", [category], dim="category",
                                    code="footprint.category")
        rho = ds["rank_correlation_category"].sel(category=category)
        low = high = xr.full_like(rho, np.nan)
    elif municipality is None:
        rho = ds["rank_correlation_national"]
        low, high = ds["swing_low_national"], ds["swing_high_national"]
    else:
        codes = {int(m) for m in ds["municipality"].to_numpy()}
        if int(municipality) not in codes:
            raise MissingLabelError("footprint result", [municipality], dim="municipality",
                                    code="footprint.municipality")
        at = {"municipality": int(municipality)}
        rho, low, high = (ds[v].sel(at) for v in ("rank_correlation", "swing_low", "swing_high"))
    values = rho.to_numpy().astype(float)
    squares = values**2
    share = squares / squares.sum() if squares.sum() > 0 else np.zeros_like(squares)
    kinds = municipal_parameters().set_index("name")["kind"].to_dict()
    frame = pd.DataFrame({
        "parameter": [str(p) for p in rho["parameter"].to_numpy()],
        "rank_correlation": values,
        "variance_share": share,
        "swing_low": low.to_numpy(),
        "swing_high": high.to_numpy(),
    })
    frame.insert(1, "kind", frame["parameter"].map(lambda p: kinds.get(p, "user")))
    return frame.sort_values("variance_share", ascending=False, kind="stable").reset_index(
        drop=True)


def footprint_indicators(ds: xr.Dataset,
                         categories: tuple[str, ...] = ("food", "private_car_use",
                                                        "housing_energy")) -> pd.DataFrame:
    """Indicator series for monitoring: t CO2e per inhabitant of chosen categories.

    One row per year × municipality × category with ``indicator``
    (``consumption_<category>_per_inhabitant``), ``value``, ``unit``, the interval where the
    result has draws (``low``/``high``: the outermost percentiles) and ``method``. C40's CCTF
    (criterion K10) asks for indicators of at least two consumption categories, so fewer than
    two is an error; categories that only spread national figures equally
    (``public_consumption``, ``investment``) carry no local information and are refused.

    >>> import pandas as pd
    >>> from klimacore.consumption import municipal_footprint
    >>> t = pd.DataFrame({"population": [1000.0], "disposable_income": [300_000.0],
    ...     "household_energy_co2_t": [600.0], "cars_electric": [100.0], "cars_plugin": [20.0],
    ...     "cars_diesel": [100.0], "cars_petrol": [280.0], "commuting_km": [20.0]},
    ...     index=pd.Index([727], name="municipality"))
    >>> ds = municipal_footprint(t, n_draws=50, seed=2,
    ...     national={"commuting_km": 20.0, "electricity_co2_g_per_kwh": 45.0})
    >>> for name in footprint_indicators(ds)["indicator"]:
    ...     print(name)
    consumption_food_per_inhabitant
    consumption_private_car_use_per_inhabitant
    consumption_housing_energy_per_inhabitant
    """
    wanted = list(dict.fromkeys(categories))
    if len(wanted) < 2:
        raise ValidationError("consumption indicators need at least two categories "
                              f"(CCTF K10), got {wanted}", code="indicators.categories",
                              label=wanted, location="categories")
    have = [str(c) for c in ds["category"].to_numpy()]
    missing = [c for c in wanted if c not in have]
    if missing:
        raise MissingLabelError("footprint category", missing, dim="category",
                                code="footprint.category")
    flat = [c for c in wanted if c in ("public_consumption", "investment")]
    if flat:
        raise ValidationError(f"{flat} are spread equally per inhabitant and cannot show local "
                              "change; choose private categories", code="indicators.categories",
                              label=flat, location="categories")
    per = ds["per_capita"].sel(category=wanted)
    frame = per.to_series().rename("value").reset_index()
    if "per_capita_percentiles" in ds:
        pct = ds["per_capita_percentiles"].sel(category=wanted)
        q = pct["percentile"].to_numpy()
        frame["low"] = pct.sel(percentile=q.min()).to_series().to_numpy()
        frame["high"] = pct.sel(percentile=q.max()).to_series().to_numpy()
    methods = dict(zip(have, [str(m) for m in ds["method"].to_numpy()], strict=True))
    frame.insert(2, "indicator", [f"consumption_{c}_per_inhabitant" for c in frame["category"]])
    frame["unit"] = "t CO2e per inhabitant"
    frame["method"] = frame["category"].map(methods)
    return frame.reset_index(drop=True)
