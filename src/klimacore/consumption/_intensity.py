"""Consumption intensities from an environmentally extended MRIO (:class:`klimacore.mrio.IOSystem`).

For a consuming region ``r``, stressor ``k`` and product ``p`` (a sector of the MRIO), with
multipliers ``M = S (I − A)⁻¹`` and ``y_r(s, p)``, region ``r``'s final demand for product ``p``
made in origin region ``s`` (summed over the chosen final-demand categories):

.. math::

    I_r(k, p) = \\sum_s M(k, (s, p)) \\; w_r(s, p), \\qquad
    w_r(s, p) = \\frac{y_r(s, p)}{\\sum_{s'} y_r(s', p)}

i.e. the multipliers of every origin weighted by the origin shares of ``r``'s final demand for
``p``: domestic production and imports in the proportions ``r`` actually buys them. Then
``I_r(k, p) · Σ_s y_r(s, p)`` is exactly the consumption-based account ``D_cba(k, r, p)`` of
:meth:`IOSystem.accounts` and summing over ``p`` gives ``D_cba_reg`` less the direct emissions of
final demand (``F_Y``), which have no product and are returned separately (``direct``). A product
``r`` does not buy at all gets the output-weighted average multiplier over origins (named in
``attrs["fallback_products"]``).

Characterisation to CO2e uses :func:`klimacore.units.to_co2e` with a ``{stressor: gas}`` map; the
COICOP bridge uses a concordance whose column for each COICOP code holds the product composition
of that code's spending (weights ≥ 0 summing to 1): ``I(c) = Σ_p W(p, c) · I(p)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from klimacore._deprecation import renamed_parameter
from klimacore.consumption._common import PRICE_BASES, normalize_coicop, split_unit
from klimacore.errors import MissingLabelError, Problems, UnitError, ValidationError
from klimacore.units import DEFAULT_GWP_METRIC, check_gwp_metric, conversion_factor, to_co2e

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from klimacore.mrio import IOSystem

__all__ = [
    "characterise",
    "check_concordance",
    "intensities_from_mrio",
    "product_intensities",
]


def _monetary_unit(text: str | None) -> str:
    if not text:
        raise ValidationError(
            "the IO system's monetary unit is unknown: pass monetary_unit= (e.g. 'MEUR')",
            code="mrio.monetary_unit", location="monetary_unit")
    cleaned = str(text).replace("M.", "M").replace("mio. ", "M").replace(" ", "")
    try:
        conversion_factor(cleaned, cleaned)
    except UnitError as exc:
        raise UnitError(f"monetary unit {text!r} is not a unit klimacore knows ({exc})",
                        code="mrio.monetary_unit", label=text,
                        location="monetary_unit") from None
    return cleaned


def product_intensities(
    io: IOSystem,
    region: Any,
    *,
    categories: list[Any] | None = None,
) -> xr.Dataset:
    """Stressors per unit of final demand of each product as consumed by ``region``.

    Parameters
    ----------
    io
        The MRIO system.
    region
        The consuming region (a label of ``io.regions``).
    categories
        Final-demand categories of ``region`` to use (e.g. households only); default all.

    Returns
    -------
    xarray.Dataset
        ``intensity`` (stressor, product) in stressor units per monetary unit of final demand,
        ``final_demand`` (product): ``Σ_s y_r(s, p)``, ``origin_share`` (origin, product) and
        ``direct`` (stressor): the region's F_Y over the same categories (0 without F_Y).

    Examples
    --------
    >>> import pandas as pd
    >>> from klimacore.mrio import IOSystem
    >>> idx = pd.MultiIndex.from_product([["DK", "SE"], ["food", "power"]])
    >>> Z = pd.DataFrame(0.0, index=idx, columns=idx)
    >>> Y = pd.DataFrame([[3.0, 0.0], [0.0, 1.0], [1.0, 0.0], [2.0, 0.0]], index=idx,
    ...     columns=pd.MultiIndex.from_tuples([("DK", "households"), ("SE", "households")]))
    >>> F = pd.DataFrame([[3.0, 0.0, 4.0, 2.0]], index=["CO2"], columns=idx)
    >>> pi = product_intensities(IOSystem(Z=Z, Y=Y, F=F), "DK")
    >>> pi["intensity"].sel(stressor="CO2").values.tolist()   # food: 3/4·1 + 1/4·4
    [1.75, 1.0]
    """
    import pandas as pd
    import xarray as xr

    regions = list(io.regions)
    if region not in regions:
        raise MissingLabelError("region in the IO system", [region], dim="region",
                                code="mrio.region")
    Y = io.Y
    col_regions = Y.columns.get_level_values(0)
    col_cats = Y.columns.get_level_values(1)
    chosen = np.asarray(col_regions == region)
    if categories is not None:
        have = set(col_cats[chosen])
        missing = [c for c in categories if c not in have]
        if missing:
            raise MissingLabelError(f"final-demand category of {region!r}", missing,
                                    dim="category", code="mrio.category")
        chosen &= np.isin(np.asarray(col_cats, dtype=object), np.asarray(categories, dtype=object))
    y = Y.to_numpy()[:, chosen].sum(axis=1)
    sectors = list(io.sectors)
    R, N = len(regions), len(sectors)
    index = Y.index
    r_pos = pd.Index(regions).get_indexer(index.get_level_values(0))
    p_pos = pd.Index(sectors).get_indexer(index.get_level_values(1))
    y_rp = np.zeros((R, N))
    y_rp[r_pos, p_pos] = y
    M_frame = io.M
    m_r = pd.Index(regions).get_indexer(M_frame.columns.get_level_values(0))
    m_p = pd.Index(sectors).get_indexer(M_frame.columns.get_level_values(1))
    M = np.zeros((M_frame.shape[0], R, N))
    M[:, m_r, m_p] = M_frame.to_numpy()
    x = io.x
    x_rp = np.zeros((R, N))
    x_rp[
        pd.Index(regions).get_indexer(x.index.get_level_values(0)),
        pd.Index(sectors).get_indexer(x.index.get_level_values(1)),
    ] = x.to_numpy()

    total = y_rp.sum(axis=0)
    fallback = total == 0
    denom = np.where(fallback, 1.0, total)
    shares = y_rp / denom
    if fallback.any():
        xtot = x_rp.sum(axis=0)
        out_share = np.where(xtot > 0, x_rp / np.where(xtot > 0, xtot, 1.0), 1.0 / R)
        shares[:, fallback] = out_share[:, fallback]
    intensity = np.einsum("krp,rp->kp", M, shares)

    direct = np.zeros(M.shape[0])
    F_Y = io.F_Y
    if F_Y is not None:
        direct = F_Y.to_numpy()[:, chosen].sum(axis=1)
    stressors = list(io.stressors)
    unit = io.unit
    ds = xr.Dataset(
        {
            "intensity": (("stressor", "product"), intensity),
            "final_demand": (("product",), total),
            "origin_share": (("origin", "product"), shares),
            "direct": (("stressor",), direct),
        },
        coords={"stressor": stressors, "product": sectors, "origin": regions},
    )
    if unit is not None:
        ds = ds.assign_coords(unit=("stressor", [str(unit[s]) for s in stressors]))
    ds.attrs = {
        "region": str(region),
        "categories": "all" if categories is None else ", ".join(map(str, categories)),
        "fallback_products": [sectors[i] for i in np.flatnonzero(fallback)],
        "monetary_unit": str(getattr(io, "monetary_unit", None) or "unknown"),
        "formula": "I_r(k,p) = sum_s M(k,(s,p)) * y_r(s,p) / sum_s' y_r(s',p)",
    }
    return ds


@renamed_parameter("metric", "gwp_metric", since="0.2", removed_in="0.3")
def characterise(
    intensity: xr.DataArray,
    gas_map: Mapping[Any, str],
    *,
    gwp_metric: str = DEFAULT_GWP_METRIC,
    stressor_units: Mapping[Any, str] | str = "kg",
    mass_unit: str = "kg",
) -> xr.DataArray:
    """Sum mapped stressors into CO2e with :func:`klimacore.units.to_co2e` (drops ``stressor``).

    ``gas_map`` maps stressor label → gas name (``"CO2"``, ``"CH4"``, …); stressors not in the
    map are left out (listed in ``attrs["stressors_excluded"]``). ``stressor_units`` gives each
    stressor's mass unit (or one for all); the result is in ``mass_unit`` CO2e of ``gwp_metric``
    (the keyword was ``metric`` before 0.2). Each mapped stressor is converted to ``mass_unit``,
    the stressors of one gas are added, and the per-gas masses go through the one CO2e path.

    >>> import xarray as xr
    >>> da = xr.DataArray([[1.0], [2.0], [5.0]], dims=("stressor", "product"),
    ...     coords={"stressor": ["CO2", "CH4", "jobs"], "product": ["food"]})
    >>> out = characterise(da, {"CO2": "CO2", "CH4": "CH4"}, gwp_metric="AR5GWP100")
    >>> out.values.tolist(), out.attrs["stressors_excluded"], out.attrs["gwp_metric"]
    ([57.0], ['jobs'], 'AR5GWP100')
    """
    import xarray as xr

    check_gwp_metric(gwp_metric)
    labels = list(intensity["stressor"].to_numpy())
    missing = [s for s in gas_map if s not in labels]
    if missing:
        raise MissingLabelError("stressor of the gas map in the IO system", missing,
                                dim="stressor", code="stressor.missing")
    used = [label for label in labels if label in gas_map]
    if not used:
        raise ValidationError("the gas map names no stressor: nothing would be characterised",
                              code="gas_map.empty", location="gas_map")
    problems = Problems("stressor units")
    scale: list[float] = []
    for label in used:
        unit = stressor_units if isinstance(stressor_units, str) else stressor_units.get(label)
        if unit is None:
            problems.add(MissingLabelError("unit of stressor", [label], dim="stressor",
                                           code="stressor.unit"))
            continue
        try:
            scale.append(conversion_factor(str(unit), mass_unit))
        except UnitError as exc:
            problems.add(str(exc), code="stressor.unit", label=unit, location=str(label),
                         kind=UnitError)
    problems.raise_if_any()
    picked = intensity.sel(stressor=used)
    mass = picked * xr.DataArray(scale, coords={"stressor": picked["stressor"]}, dims="stressor")
    mass = mass.assign_coords(gas=("stressor", [str(gas_map[label]) for label in used]))
    per_gas = mass.groupby("gas").sum("stressor")
    out = to_co2e(per_gas, gwp_metric=gwp_metric, dim="gas").sum("gas")
    out = out.drop_vars([c for c in out.coords if c not in out.dims])
    out.attrs = dict(intensity.attrs)
    out.attrs.update(
        {
            "gwp_metric": gwp_metric,
            "stressors_used": [str(s) for s in used],
            "stressors_excluded": [str(s) for s in labels if s not in gas_map],
        }
    )
    return out


def check_concordance(
    concordance: pd.DataFrame, products: list[Any], *, tol: float = 1e-9
) -> tuple[pd.DataFrame, list[Any]]:
    """Validate a product × COICOP concordance; return it aligned to ``products`` and the
    products it leaves unmapped.

    Each COICOP column is the product composition of that code's spending: weights ≥ 0 that sum
    to 1 (within ``tol``). Errors name every offending product and COICOP code; products with no
    weight anywhere are returned (their final demand is outside every COICOP code).

    >>> import pandas as pd
    >>> W = pd.DataFrame({"01": [1.0, 0.0, 0.0], "07": [0.0, 0.5, 0.5]},
    ...                  index=["food", "cars", "fuel"])
    >>> aligned, unmapped = check_concordance(W, ["food", "cars", "fuel", "steel"])
    >>> aligned.shape, unmapped
    ((4, 2), ['steel'])
    """
    import pandas as pd

    frame = concordance.copy()
    frame.columns = [normalize_coicop(c) for c in frame.columns]
    problems = Problems("concordance")
    if frame.columns.duplicated().any():
        dups = sorted(set(frame.columns[frame.columns.duplicated()]))
        problems.add(f"duplicate COICOP columns {dups}", code="concordance.duplicate",
                     label=dups, location="columns")
    if frame.index.duplicated().any():
        rows = sorted(map(str, set(frame.index[frame.index.duplicated()])))
        problems.add(f"duplicate product rows {rows}", code="concordance.duplicate", label=rows,
                     location="index")
    unknown = [p for p in frame.index if p not in set(products)]
    if unknown:
        problems.add(MissingLabelError("product of the concordance in the IO system", unknown,
                                       dim="product", code="concordance.product"))
    problems.raise_if_any()
    values = frame.astype(float)
    if bool(values.isna().to_numpy().any()):
        problems.add("concordance has NaN weights", code="concordance.weight",
                     location="weights")
    neg = [(p, c) for p in values.index for c in values.columns if values.loc[p, c] < 0]
    if neg:
        problems.add(f"negative weights at (product, coicop) {neg[:10]}",
                     code="concordance.weight", label=neg[:10], location="weights")
    sums = values.sum(axis=0)
    empty = [c for c in values.columns if sums[c] == 0]
    if empty:
        problems.add(f"COICOP codes with no product mapped: {empty}", code="concordance.empty",
                     label=empty, location="columns")
    for c in values.columns:
        if sums[c] != 0 and abs(sums[c] - 1.0) > tol:
            problems.add(f"weights of each COICOP code must sum to 1: {c} sums to {sums[c]:.6g}",
                         code="concordance.sum", label=c, location=f"column {c!r}")
    problems.raise_if_any()
    aligned = values.reindex(pd.Index(products), fill_value=0.0)
    unmapped = [p for p in products if not bool((aligned.loc[p] > 0).any())]
    return aligned, unmapped


def intensities_from_mrio(
    io: IOSystem,
    region: Any,
    *,
    year: int,
    categories: list[Any] | None = None,
    gas_map: Mapping[Any, str] | None = None,
    gwp_metric: str = DEFAULT_GWP_METRIC,
    concordance: pd.DataFrame | None = None,
    units: str = "kg/EUR",
    monetary_unit: str | None = None,
    stressor_unit: str | None = None,
    price_basis: Literal["basic", "purchaser"] = "basic",
    source: str | None = None,
) -> xr.DataArray:
    """CO2e (or stressor) intensities of ``region``'s consumption, by product or by COICOP.

    Parameters
    ----------
    io, region, categories
        As :func:`product_intensities` (formula in the module docs).
    year
        Price year of the MRIO's monetary figures (recorded as ``attrs["year"]``).
    gas_map
        ``{stressor: gas}``; with it the result is CO2e (``gwp_metric``) without a ``stressor``
        dimension, otherwise it keeps one (and cannot go into :func:`spend_footprint`).
    concordance
        Product × COICOP weights (see :func:`check_concordance`); without it the result is by
        ``product``. Unmapped products are listed in ``attrs["unmapped_products"]``.
    units
        Target unit, mass per currency (``"kg/EUR"``, ``"kg/kEUR"``); without ``gas_map`` only
        its currency is used and each stressor keeps its own unit. The MRIO's units are read
        from ``io.unit`` (stressors, default ``stressor_unit`` or kg) and ``io.monetary_unit``
        (or ``monetary_unit``, e.g. ``"MEUR"``).
    price_basis
        ``"basic"`` for MRIO multipliers (the usual case).
    source
        Recorded in ``attrs["source"]`` (default the IO system's name).

    Returns
    -------
    xarray.DataArray
        dims ``coicop`` (or ``product``), plus ``stressor`` without ``gas_map``; attrs
        ``source``, ``year``, ``currency``, ``price_basis``, ``gwp_metric``, ``units``,
        ``region``, ``unmapped_products``, ``fallback_products``, and ``direct`` (the region's
        direct final-demand emissions in the same mass unit, CO2e, not spread over products).
    """
    import xarray as xr

    check_gwp_metric(gwp_metric)
    if price_basis not in PRICE_BASES:
        raise ValidationError(f"price_basis must be one of {PRICE_BASES}, got {price_basis!r}",
                              code="intensity.price_basis", label=price_basis,
                              location="price_basis")
    mass, currency = split_unit(units)
    money = _monetary_unit(monetary_unit or getattr(io, "monetary_unit", None))
    pi = product_intensities(io, region, categories=categories)
    unit_table = io.unit
    if unit_table is not None:
        stressor_units: Mapping[Any, str] | str = {
            s: str(unit_table[s]) for s in pi["stressor"].to_numpy()
        }
    else:
        stressor_units = stressor_unit or "kg"
    intensity = pi["intensity"]
    direct = pi["direct"]
    if gas_map is not None:
        intensity = characterise(
            intensity, gas_map, gwp_metric=gwp_metric, stressor_units=stressor_units,
            mass_unit=mass)
        direct_co2e = float(
            characterise(
                direct.expand_dims(product=["direct"]),
                gas_map,
                gwp_metric=gwp_metric,
                stressor_units=stressor_units,
                mass_unit=mass,
            ).sum()
        )
        factor = conversion_factor(f"{mass}/({money})", units)
    else:
        # each stressor keeps its own unit; only the monetary denominator is converted
        factor = conversion_factor(currency, money)
        direct_co2e = float("nan")
    intensity = intensity * factor
    unmapped: list[Any] = []
    if concordance is not None:
        products = [str(p) if not isinstance(p, str) else p for p in pi["product"].to_numpy()]
        aligned, unmapped = check_concordance(concordance, list(pi["product"].to_numpy()))
        W = xr.DataArray(
            aligned.to_numpy(),
            dims=("product", "coicop"),
            coords={"product": pi["product"].to_numpy(), "coicop": list(aligned.columns)},
        )
        intensity = (intensity * W).sum("product")
        del products
    out = intensity.rename("intensity")
    dims = [d for d in ("stressor", "coicop", "product") if d in out.dims]
    out = out.transpose(*dims)
    out.attrs = {
        "source": source or getattr(io, "name", None) or "IOSystem",
        "year": int(year),
        "currency": currency,
        "price_basis": price_basis,
        "gwp_metric": gwp_metric if gas_map is not None else "none (not characterised)",
        "units": units if gas_map is not None else f"stressor unit/{currency}",
        "quantity": "CO2e" if gas_map is not None else "stressors",
        "region": str(region),
        "categories": pi.attrs["categories"],
        "unmapped_products": [str(p) for p in unmapped],
        "fallback_products": [str(p) for p in pi.attrs["fallback_products"]],
        "direct": direct_co2e,
        "direct_units": f"{mass} CO2e" if gas_map is not None else "n/a",
        "formula": pi.attrs["formula"],
    }
    return out
