"""Spend-based consumption footprints: spending × intensity, with physical overrides.

The chain, for spending ``S`` of municipality ``m`` on COICOP code ``c`` (in year ``y``):

1. **Nesting.** Codes may nest: ``"04"`` includes ``"04.5.1"`` when both are given (as in
   Statistics Denmark's tables, where a division total sits above its classes). Each code is valued
   on its *residual*, its amount less the amounts of its nearest listed descendants; a negative
   residual is an error.
2. **Deflation** to the intensities' price year ``t1`` from the spending's price year ``t0``:
   ``S · P(t1) / P(t0)``, with a price index per year (optionally per COICOP code).
3. **Price bridge** from purchaser to basic prices when the intensities are at basic prices
   (as multipliers of an input-output model are): ``B = S / (1 + vat) · (1 − margin − taxes)``,
   with VAT, trade-and-transport margins and other net product taxes (excise) per COICOP code.
   The margin part ``S / (1 + vat) · margin`` is valued with ``margin_intensity`` (the
   intensity of trade and transport services); VAT and excise carry no emissions.
4. **Intensity** ``I(c)`` (kg CO2e per currency unit): the exact code, or its nearest ancestor in
   the table (``fallback=True``); the code used is returned as coordinate ``intensity_code``.
5. **Physical overrides** for household energy and fuel (kWh of electricity, GJ of district heat,
   Nm3 of gas, L of heating oil, petrol, diesel) × territorial factors. An override on code ``c``
   *replaces* the monetary estimate of ``c`` and of every listed descendant of ``c``, so nothing is
   counted twice; ``overridden`` in the result says where.

Results come by COICOP code, by group (housing / food / transport / goods / services), in total
and per inhabitant. Units are converted at the boundary with
:func:`klimacore.units.conversion_factor`; currencies are separate dimensions, so spending in DKK
against intensities per EUR needs an explicit ``exchange_rate``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from klimacore.consumption._common import (
    PRICE_BASES,
    ancestors,
    intensity_array,
    normalize_coicop,
    resolve_codes,
    split_unit,
)
from klimacore.consumption._defaults import coicop_groups, energy_content_table, fuel_factors
from klimacore.consumption._overrides import override_mask, pair_table, physical
from klimacore.consumption._prices import DANISH_VAT_RATE, bridge, deflate, residuals
from klimacore.errors import MissingLabelError, Problems, UnitError, ValidationError
from klimacore.forms import as_population, as_spending, population_for
from klimacore.units import DEFAULT_GWP_METRIC, check_gwp_metric, conversion_factor

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = ["FOOTPRINT_GROUPS", "spend_footprint"]

FOOTPRINT_GROUPS: tuple[str, ...] = ("housing", "food", "transport", "goods", "services")
"""The five footprint groups; the bundled COICOP → group mapping is in ``data/coicop.csv``."""

Basis = Literal["basic", "purchaser"]


# --- groups and population ---------------------------------------------------------------------


def _groups_of(codes: list[str], groups: Mapping[str, str] | None) -> list[str]:
    if groups is None:
        groups = coicop_groups()
    table = {normalize_coicop(k): str(v) for k, v in groups.items()}
    out: list[str] = []
    missing: list[str] = []
    for code in codes:
        key = next((c for c in [code, *ancestors(code)] if c in table), None)
        if key is None:
            missing.append(code)
        else:
            out.append(table[key])
    if missing:
        raise MissingLabelError("footprint group", missing, dim="coicop", code="coicop.group",
                                location="groups")
    return out


def _population(population: Any, template: xr.DataArray) -> xr.DataArray:
    """The population form lined up with the spending (a plain mapping is per municipality)."""
    pop = as_population(population, dim="municipality" if isinstance(population, Mapping)
                        else None)
    return population_for(pop, template, what="spending")


# --- the engine --------------------------------------------------------------------------------


def _intensity_meta(intensities: xr.DataArray) -> dict[str, Any]:
    attrs = dict(intensities.attrs)
    problems = Problems("intensities need metadata (units, price year, price basis)")
    for key in ("units", "year", "price_basis"):
        if key not in attrs:
            problems.add(f"intensities need metadata (units, price year, price basis): "
                         f"intensities.attrs lacks {key!r}", code="intensity.attrs", label=key,
                         location=f"intensities.attrs[{key!r}]")
    if "price_basis" in attrs and attrs["price_basis"] not in PRICE_BASES:
        problems.add(f"intensity price_basis {attrs['price_basis']!r} is not one of "
                     f"{PRICE_BASES}", code="intensity.price_basis", label=attrs["price_basis"],
                     location="intensities.attrs['price_basis']")
    problems.raise_if_any()
    split_unit(str(attrs["units"]))
    return attrs


def _result_metric(meta: Mapping[str, Any], gwp_metric: str | None) -> tuple[str, str]:
    """The result's GWP metric and where it comes from (the one rule of spend_footprint)."""
    stated = meta.get("gwp_metric")
    if stated is not None:
        check_gwp_metric(str(stated))
    if gwp_metric is not None:
        check_gwp_metric(gwp_metric)
        if stated is not None and str(stated) != gwp_metric:
            raise ValidationError(
                f"gwp_metric={gwp_metric!r} but the intensities are CO2e in {stated!r}: monetary "
                "intensities cannot be re-characterised; use intensities in that metric",
                code="gwp_metric.mismatch", label=gwp_metric, location="gwp_metric")
        return gwp_metric, "argument"
    if stated is not None:
        return str(stated), "intensities"
    return DEFAULT_GWP_METRIC, "default (the intensities state no gwp_metric)"


def _money_factor(
    spending_unit: str,
    intensity_unit: str,
    unit: str,
    exchange_rate: tuple[float, str] | None,
) -> float:
    """Factor turning spending (spending_unit) × intensity (intensity_unit) into ``unit``."""
    if exchange_rate is None:
        try:
            return conversion_factor(f"({spending_unit})*({intensity_unit})", unit)
        except UnitError as exc:
            raise UnitError(
                f"spending in {spending_unit!r} times intensities in {intensity_unit!r} does not "
                f"give {unit!r}: currencies are not converted without an explicit "
                f"exchange_rate=(rate, 'DKK/EUR') ({exc})", code="spending.currency",
                label=(spending_unit, intensity_unit), location="exchange_rate"
            ) from None
    rate, rate_unit = exchange_rate
    if not rate > 0:
        raise ValidationError(f"exchange rate must be positive, got {rate}",
                              code="exchange_rate.value", label=rate, location="exchange_rate")
    return conversion_factor(f"({spending_unit})*({intensity_unit})/({rate_unit})", unit) / float(
        rate
    )


def spend_footprint(
    spending: xr.DataArray | pd.DataFrame | pd.Series,
    intensities: xr.DataArray,
    *,
    spending_unit: str | None = None,
    price_year: int | Literal["current"] | None = None,
    price_basis: Basis | None = None,
    price_index: pd.Series | pd.DataFrame | Mapping[int, float] | None = None,
    vat: float | Mapping[Any, float] = DANISH_VAT_RATE,
    margins: float | Mapping[Any, float] = 0.0,
    taxes: float | Mapping[Any, float] = 0.0,
    margin_intensity: float | None = None,
    overrides: pd.DataFrame | None = None,
    factors: Mapping[str, tuple[float, str]] | pd.DataFrame | None = None,
    energy_content: Mapping[str, tuple[float, str]] | pd.DataFrame | None = None,
    population: xr.DataArray | pd.Series | Mapping[int, float] | None = None,
    groups: Mapping[str, str] | None = None,
    exchange_rate: tuple[float, str] | None = None,
    unit: str = "t",
    fallback: bool = True,
    gwp_metric: str | None = None,
) -> xr.Dataset:
    """Consumption footprint from spending by municipality × COICOP (× year).

    Parameters
    ----------
    spending
        Spending with dims ``municipality``, ``coicop`` and optionally ``year``: a DataArray, or a
        long DataFrame with those columns and ``value``. Codes may nest (see module docs).
    intensities
        CO2e intensities with dim ``coicop`` and attrs ``units`` (e.g. ``"kg/DKK"``), ``year``
        (their price year), ``price_basis`` (``"basic"``/``"purchaser"``) and ``gwp_metric``,
        e.g. from :func:`~klimacore.consumption.default_intensities` or
        :func:`~klimacore.consumption.intensities_from_mrio`.
    spending_unit, price_year, price_basis
        Unit (``"DKK"``, ``"kDKK"``, …), price year (or ``"current"``) and price basis of the
        spending; default to ``spending.attrs`` keys ``units``, ``price_year``, ``price_basis``.
    price_index
        Price index by year (Series/mapping) or by year × COICOP (DataFrame); needed when the
        spending's and the intensities' price years differ.
    vat, margins, taxes
        Purchaser → basic price bridge, used when the intensities are at basic prices and the
        spending at purchaser prices. Scalars or ``{coicop: value}`` (nearest ancestor counts,
        ``"*"`` for the rest). VAT defaults to the Danish 25 %.
    margin_intensity
        Intensity (in the intensities' unit) of the trade and transport margins; required when
        any margin is non-zero (pass ``0.0`` to leave margin emissions out knowingly).
    overrides
        Physical activity replacing monetary estimates: columns ``municipality``, (``year``),
        ``coicop`` (the code replaced), ``carrier``, ``amount``, ``unit``.
    factors
        CO2e factor per carrier, ``{carrier: (value, "kg/kWh")}`` or a DataFrame (``carrier``,
        ``value``, ``unit``). Fuels not given here use
        :func:`~klimacore.consumption.fuel_factors` (territorial factors from
        :func:`klimacore.reference.fuel_emission_factors`, in the intensities' GWP metric).
    energy_content
        ``{carrier: (value, "kWh/L")}`` for activity units of another dimension than the factor's
        (L of diesel against kg/GJ); the bundled table fills gaps.
    population
        Inhabitants per municipality (Series/mapping, or DataArray with ``municipality`` and
        optionally ``year``) for per-capita results.
    groups
        ``{coicop: group}``; default the bundled mapping (:func:`coicop_groups`).
    exchange_rate
        ``(rate, "DKK/EUR")``: needed when the spending's currency differs from the intensities'.
    unit
        Mass unit of the results (default ``"t"`` CO2e).
    fallback
        Use the nearest ancestor's intensity for a code with none of its own.
    gwp_metric
        GWP set of the result: the physical overrides are converted to CO2e with it and the
        result is labelled with it. Default the intensities' ``attrs["gwp_metric"]``, else
        :data:`klimacore.units.DEFAULT_GWP_METRIC` (then ``attrs["gwp_metric_source"]`` says it
        was assumed). A metric other than the intensities' own is refused: monetary
        intensities cannot be re-characterised.

    Returns
    -------
    xarray.Dataset
        ``footprint`` (by COICOP code), ``monetary`` (the monetary estimate before overrides),
        ``physical`` (override estimates), ``overridden`` (bool), ``spending_basic`` (spending
        valued at the intensities' price year and basis and currency), ``by_group``, ``total``,
        and with ``population`` also ``per_capita`` and ``by_group_per_capita``. Coordinates
        ``intensity_code`` and ``coicop_group`` on ``coicop``. ``attrs`` carry ``units``,
        ``gwp_metric`` (and ``gwp_metric_source``), ``price_year``, ``price_basis``,
        ``intensity_source``, and ``overridden_coicop`` (every replaced code).

    Examples
    --------
    >>> import xarray as xr
    >>> s = xr.DataArray([[1000.0, 500.0]], dims=("municipality", "coicop"),
    ...                  coords={"municipality": [727], "coicop": ["01", "07"]},
    ...                  attrs={"units": "DKK", "price_year": 2019, "price_basis": "basic"})
    >>> i = xr.DataArray([0.1, 0.2], coords={"coicop": ["01", "07"]}, dims="coicop",
    ...                  attrs={"units": "kg/DKK", "year": 2019, "price_basis": "basic",
    ...                         "gwp_metric": "AR5GWP100"})
    >>> out = spend_footprint(s, i, unit="kg")
    >>> out["footprint"].sel(municipality=727).values.tolist(), float(out["total"][0])
    ([100.0, 100.0], 200.0)
    >>> out["by_group"].sel(municipality=727).to_series().to_dict()
    {'food': 100.0, 'goods': 0.0, 'housing': 0.0, 'services': 0.0, 'transport': 100.0}
    """
    import xarray as xr

    meta = _intensity_meta(intensities)
    inten = intensity_array(intensities)
    metric, metric_source = _result_metric(meta, gwp_metric)
    spend = as_spending(spending, units=spending_unit, price_year=price_year,
                        price_basis=price_basis)
    spending_unit = str(spend.attrs["units"])
    price_year = spend.attrs["price_year"]
    basis = str(spend.attrs["price_basis"])
    codes = [str(c) for c in spend["coicop"].to_numpy()]
    intensity_code = resolve_codes(
        codes, [str(c) for c in inten["coicop"].to_numpy()], fallback=fallback, what="intensity"
    )

    residual, children = residuals(spend)
    real = deflate(
        residual,
        from_year=price_year if price_year == "current" else int(price_year),
        to_year=int(meta["year"]),
        price_index=price_index,
        fallback=fallback,
    )
    if meta["price_basis"] == "basic" and basis == "purchaser":
        bridged = bridge(real, vat=vat, margins=margins, taxes=taxes)
        basic, margin_amount = bridged.basic, bridged.margin
        bridge_attrs: dict[str, Any] = {
            "vat": bridged.vat,
            "margins": bridged.margins,
            "taxes": bridged.taxes,
        }
    elif meta["price_basis"] == basis:
        basic, margin_amount = real, xr.zeros_like(real)
        bridge_attrs = {}
    else:
        raise ValidationError(
            "spending at basic prices cannot be valued with purchaser-price intensities",
            code="spending.price_basis", label=basis, location="price_basis")
    if float(abs(margin_amount).sum()) > 0 and margin_intensity is None:
        raise ValidationError(
            "margins are non-zero but margin_intensity is not given; pass the intensity of "
            "trade and transport services (or 0.0 to leave margin emissions out knowingly)",
            code="bridge.margin_intensity", location="margin_intensity")

    money = _money_factor(spending_unit, str(meta["units"]), unit, exchange_rate)
    i_vec = xr.DataArray(
        [float(inten.sel(coicop=intensity_code[c])) for c in codes],
        coords={"coicop": spend["coicop"]},
        dims="coicop",
    )
    monetary = basic * i_vec * money
    margin_fp = margin_amount * float(margin_intensity or 0.0) * money
    monetary_all = monetary + margin_fp

    if overrides is not None:
        factor_table = dict(fuel_factors(gwp_metric=metric))
        factor_table.update(pair_table(factors, key="carrier"))
        content = dict(energy_content_table())
        content.update(pair_table(energy_content, key="carrier"))
        by_activity = physical(
            overrides, spend, factors=factor_table, energy_content=content, unit=unit
        )
    else:
        by_activity = xr.zeros_like(spend, dtype=float)
    mask = override_mask(overrides, spend, children)
    footprint = monetary_all.where(~mask, by_activity)

    group_of = _groups_of(codes, groups)
    coords = {
        "intensity_code": ("coicop", [intensity_code[c] for c in codes]),
        "coicop_group": ("coicop", group_of),
    }
    ds = xr.Dataset(
        {
            "footprint": footprint,
            "monetary": monetary_all,
            "margin": margin_fp,
            "physical": by_activity,
            "overridden": mask,
            "spending_basic": basic,
        }
    ).assign_coords(coords)
    by_group = ds["footprint"].groupby("coicop_group").sum().rename(coicop_group="group")
    by_group = by_group.reindex(group=sorted(set(FOOTPRINT_GROUPS) | set(group_of)), fill_value=0.0)
    ds["by_group"] = by_group
    ds["total"] = ds["footprint"].sum("coicop")
    if population is not None:
        pop = _population(population, spend)
        ds["population"] = pop
        ds["per_capita"] = ds["total"] / pop
        ds["by_group_per_capita"] = ds["by_group"] / pop
    overridden = sorted({c for c in codes if bool(mask.sel(coicop=c).any())})
    currency = split_unit(str(meta["units"]))[1]
    ds.attrs = {
        "units": unit,
        "quantity": "CO2e",
        "gwp_metric": metric,
        "gwp_metric_source": metric_source,
        "price_year": int(meta["year"]),
        "price_basis": meta["price_basis"],
        "currency": meta.get("currency", currency),
        "intensity_units": meta["units"],
        "intensity_source": meta.get("source", "unknown"),
        "spending_unit": spending_unit,
        "spending_price_year": price_year,
        "spending_price_basis": basis,
        "overridden_coicop": overridden,
        "boundary": "consumption-based (spend-based, physical overrides for energy and fuel)",
        **({"bridge": repr(bridge_attrs)} if bridge_attrs else {}),
    }
    for var in ds.data_vars:
        ds[var].attrs = {}
    for name in ("footprint", "monetary", "margin", "physical", "by_group", "total"):
        ds[name].attrs["units"] = unit
    if population is not None:
        ds["per_capita"].attrs["units"] = f"{unit} per inhabitant"
        ds["by_group_per_capita"].attrs["units"] = f"{unit} per inhabitant"
    ds["spending_basic"].attrs["units"] = (
        f"{spending_unit} ({meta['year']} prices, {meta['price_basis']})"
    )
    return ds
