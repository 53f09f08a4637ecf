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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from klimacore.consumption._common import (
    PRICE_BASES,
    ancestors,
    intensity_array,
    normalize_coicop,
    per_code,
    resolve_codes,
    split_unit,
)
from klimacore.errors import (
    MissingLabelError,
    UnitError,
    ValidationError,
)
from klimacore.forms import as_population, as_spending, population_for
from klimacore.units import (
    DEFAULT_GWP_METRIC,
    check_gwp_metric,
    conversion_factor,
    dimensionality,
)

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = [
    "DANISH_VAT_RATE",
    "FOOTPRINT_GROUPS",
    "deflate",
    "purchaser_to_basic",
    "spend_footprint",
]

DANISH_VAT_RATE = 0.25
"""Danish VAT (moms), 25 % of the price excluding VAT (Momsloven, LBK, § 33). Exempt supplies
(renting of dwellings, health care, education, insurance and financial services; Momsloven § 13)
should be given a rate of 0 through a per-COICOP ``vat`` mapping."""

FOOTPRINT_GROUPS: tuple[str, ...] = ("housing", "food", "transport", "goods", "services")
"""The five footprint groups; the bundled COICOP → group mapping is in ``data/coicop.csv``."""

Basis = Literal["basic", "purchaser"]


# --- small pure steps --------------------------------------------------------------------------


def deflate(
    spending: xr.DataArray,
    *,
    from_year: int | Literal["current"],
    to_year: int,
    price_index: pd.Series | pd.DataFrame | Mapping[int, float] | None,
    fallback: bool = True,
) -> xr.DataArray:
    """Re-express spending of price year ``from_year`` in prices of ``to_year``.

    ``S · P(to_year) / P(from_year)``. ``price_index`` is one index per year (a Series or mapping
    indexed by year) or one per year and COICOP code (a DataFrame, index year, columns codes;
    a code missing there uses its nearest ancestor when ``fallback``). ``from_year="current"``
    means each year's spending is in that year's prices (``spending`` then needs a ``year`` dim).

    Raises :class:`~klimacore.errors.MissingLabelError` naming every missing year (and COICOP
    code).

    >>> import xarray as xr
    >>> s = xr.DataArray([100.0, 200.0], coords={"coicop": ["01", "07"]}, dims="coicop")
    >>> deflate(s, from_year=2015, to_year=2020, price_index={2015: 100.0, 2020: 110.0}).values
    array([110., 220.])
    """
    import pandas as pd
    import xarray as xr

    if from_year == "current":
        if "year" not in spending.dims:
            raise ValidationError("price year 'current' needs spending with a 'year' dimension")
        source_years = [int(y) for y in spending["year"].to_numpy()]
    else:
        source_years = [int(from_year)]
    needed = sorted(set(source_years) | {int(to_year)})
    if all(y == to_year for y in source_years):
        return spending.copy()
    if price_index is None:
        raise ValidationError(
            f"spending is in {from_year} prices and the intensities in {to_year} prices: "
            f"a price_index covering years {needed} is needed"
        )
    if isinstance(price_index, pd.DataFrame):
        table = price_index.copy()
        table.index = [int(y) for y in table.index]
        table.columns = [normalize_coicop(c) for c in table.columns]
    else:
        series = pd.Series(dict(price_index)) if isinstance(price_index, Mapping) else price_index
        series = series.copy()
        series.index = [int(y) for y in series.index]
        table = pd.DataFrame({"*": series})
    missing_years = [y for y in needed if y not in table.index]
    if missing_years:
        raise MissingLabelError("price index", missing_years, dim="year")
    codes = [str(c) for c in spending["coicop"].to_numpy()]
    if list(table.columns) == ["*"]:
        column_of = dict.fromkeys(codes, "*")
    else:
        column_of = resolve_codes(codes, table.columns, fallback=fallback, what="price index")
    values = table.loc[needed]
    bad = values.columns[(values.isna() | (values <= 0)).any()].tolist()
    if bad:
        raise ValidationError(f"price index must be positive in years {needed}; check {bad}")

    grid = table.to_numpy(dtype=float)
    row = {int(y): i for i, y in enumerate(table.index)}
    col = [list(table.columns).index(column_of[c]) for c in codes]

    def ratio(year: int) -> np.ndarray[Any, np.dtype[np.float64]]:
        return np.asarray(grid[row[int(to_year)], col] / grid[row[year], col], dtype=float)

    if from_year == "current":
        factors = xr.DataArray(
            np.stack([ratio(y) for y in source_years]),
            coords={"year": spending["year"], "coicop": spending["coicop"]},
            dims=("year", "coicop"),
        )
    else:
        factors = xr.DataArray(
            ratio(source_years[0]), coords={"coicop": spending["coicop"]}, dims="coicop"
        )
    out = spending * factors
    out.attrs = dict(spending.attrs)
    return out


@dataclass(frozen=True)
class _Bridge:
    basic: xr.DataArray
    margin: xr.DataArray
    vat: dict[str, float]
    margins: dict[str, float]
    taxes: dict[str, float]


def _bridge(
    spending: xr.DataArray,
    *,
    vat: float | Mapping[Any, float],
    margins: float | Mapping[Any, float],
    taxes: float | Mapping[Any, float],
) -> _Bridge:
    import xarray as xr

    codes = [str(c) for c in spending["coicop"].to_numpy()]
    vat_ = per_code(vat, codes, name="VAT rate")
    mar_ = per_code(margins, codes, name="margin share")
    tax_ = per_code(taxes, codes, name="other taxes share")
    problems = [f"VAT rate of {c} is {v} (must be >= 0)" for c, v in vat_.items() if v < 0]
    problems += [f"VAT rate of {c} is {v:g}: a rate is a fraction of the price excluding VAT "
                 f"(Danish VAT 25 % is 0.25, not 25)" for c, v in vat_.items()
                 if not 0 <= v < 1 or not np.isfinite(v)]
    for c in codes:
        if not (mar_[c] >= 0 and tax_[c] >= 0 and mar_[c] + tax_[c] < 1):  # NaN fails too
            problems.append(
                f"margin {mar_[c]} and other taxes {tax_[c]} of {c} must be >= 0 and sum to < 1"
            )
    if problems:
        raise ValidationError(f"{len(problems)} problems in the price bridge", problems=problems)

    def vec(values: dict[str, float]) -> xr.DataArray:
        return xr.DataArray(
            [values[c] for c in codes], coords={"coicop": spending["coicop"]}, dims="coicop"
        )

    ex_vat = spending / (1.0 + vec(vat_))
    return _Bridge(
        basic=ex_vat * (1.0 - vec(mar_) - vec(tax_)),
        margin=ex_vat * vec(mar_),
        vat=vat_,
        margins=mar_,
        taxes=tax_,
    )


def purchaser_to_basic(
    spending: xr.DataArray,
    *,
    vat: float | Mapping[Any, float] = DANISH_VAT_RATE,
    margins: float | Mapping[Any, float] = 0.0,
    taxes: float | Mapping[Any, float] = 0.0,
) -> xr.DataArray:
    """Spending at purchaser prices → basic prices: ``S / (1 + vat) · (1 − margin − taxes)``.

    ``vat`` is the rate on the price excluding VAT (Danish default 25 %); ``margins`` and
    ``taxes`` (other net product taxes, e.g. excise) are shares of the price excluding VAT. Each
    may be a scalar or a ``{coicop: value}`` mapping (nearest ancestor counts; key ``"*"`` for the
    rest).

    >>> import xarray as xr
    >>> s = xr.DataArray([125.0], coords={"coicop": ["01"]}, dims="coicop")
    >>> float(purchaser_to_basic(s, margins={"01": 0.2})[0])
    80.0
    """
    out = _bridge(spending, vat=vat, margins=margins, taxes=taxes).basic
    out.attrs = dict(spending.attrs)
    return out


def _residuals(spending: xr.DataArray) -> tuple[xr.DataArray, dict[str, list[str]]]:
    """Value each code on its amount less its nearest listed descendants; return the children."""
    codes = [str(c) for c in spending["coicop"].to_numpy()]
    listed = set(codes)
    children: dict[str, list[str]] = {c: [] for c in codes}
    for code in codes:
        parent = next((a for a in ancestors(code) if a in listed), None)
        if parent is not None:
            children[parent].append(code)
    residual = spending.copy()
    for code, kids in children.items():
        if kids:
            residual.loc[{"coicop": code}] = spending.sel(coicop=code) - spending.sel(
                coicop=kids
            ).sum("coicop")
    tol = 1e-9 * np.maximum(abs(spending), 1.0)
    negative = residual < -tol
    if bool(negative.any()):
        stacked = negative.to_series()
        where = [k for k, v in stacked.items() if v]
        raise ValidationError(
            f"{len(where)} spending lines are smaller than the sum of their listed sub-codes "
            f"(a code includes its sub-codes): {where[:10]}"
        )
    return residual.clip(min=0.0), children


def _descendants(code: str, children: Mapping[str, list[str]]) -> list[str]:
    out: list[str] = []
    stack = list(children.get(code, []))
    while stack:
        kid = stack.pop()
        out.append(kid)
        stack.extend(children.get(kid, []))
    return out


def _pair_table(
    table: Mapping[str, tuple[float, str]] | pd.DataFrame | None, *, key: str
) -> dict[str, tuple[float, str]]:
    import pandas as pd

    if table is None:
        return {}
    if isinstance(table, pd.DataFrame):
        return {
            str(k): (float(v), str(u))
            for k, v, u in zip(table[key], table["value"], table["unit"], strict=True)
        }
    return {str(k): (float(v[0]), str(v[1])) for k, v in table.items()}


# --- physical overrides ------------------------------------------------------------------------


def _physical(
    overrides: pd.DataFrame,
    template: xr.DataArray,
    *,
    factors: dict[str, tuple[float, str]],
    energy_content: dict[str, tuple[float, str]],
    unit: str,
) -> xr.DataArray:
    """Sum activity × factor per (municipality[, year], coicop) on the template's coords."""
    import xarray as xr

    need = ["municipality", "coicop", "carrier", "amount", "unit"]
    has_year = "year" in template.dims
    if has_year:
        need.insert(1, "year")
    absent = [c for c in need if c not in overrides.columns]
    if absent:
        raise ValidationError(
            f"physical overrides lack columns {absent} (have {list(overrides.columns)})"
        )
    if not has_year and "year" in overrides.columns and len(set(overrides["year"])) > 1:
        raise ValidationError(
            "physical overrides span several years but the spending has no 'year' dimension"
        )
    carriers = sorted({str(c) for c in overrides["carrier"]})
    missing = [c for c in carriers if c not in factors]
    if missing:
        raise MissingLabelError("emission factor", missing, dim="carrier")
    codes = [normalize_coicop(c) for c in overrides["coicop"]]
    listed = {str(c) for c in template["coicop"].to_numpy()}
    absent_codes = sorted({c for c in codes if c not in listed})
    if absent_codes:
        raise MissingLabelError(
            "spending line (an override replaces the monetary estimate of its COICOP code, so "
            "that code's spending must be given)",
            absent_codes,
            dim="coicop",
        )
    munis = {int(m) for m in template["municipality"].to_numpy()}
    absent_m = sorted({int(m) for m in overrides["municipality"]} - munis)
    if absent_m:
        raise MissingLabelError(
            "spending for overridden municipality", absent_m, dim="municipality"
        )
    if has_year:
        years = {int(y) for y in template["year"].to_numpy()}
        absent_y = sorted({int(y) for y in overrides["year"]} - years)
        if absent_y:
            raise MissingLabelError("spending for override year", absent_y, dim="year")

    problems: list[str] = []
    values: list[float] = []
    rows = overrides.to_dict("records")
    per_unit: dict[tuple[str, str], float | str] = {}
    for row, code in zip(rows, codes, strict=True):
        carrier = str(row["carrier"])
        act_unit = str(row["unit"])
        key = (carrier, act_unit)
        if key not in per_unit:
            per_unit[key] = _per_unit(carrier, act_unit, factors, energy_content, unit)
        factor = per_unit[key]
        if isinstance(factor, str):
            problems.append(f"{carrier} ({code}): {factor}")
            continue
        value = float(row["amount"]) * factor
        if not np.isfinite(value) or float(row["amount"]) < 0:
            problems.append(f"{carrier} ({code}): amount {row['amount']} must be >= 0")
            continue
        values.append(value)
    if problems:
        raise UnitError(f"{len(problems)} problems in the physical overrides", problems=problems)
    arr = np.zeros(template.shape)
    np.add.at(arr, _positions(overrides, codes, template), np.asarray(values, dtype=float))
    return xr.DataArray(arr, coords=template.coords, dims=template.dims)


def _per_unit(
    carrier: str,
    act_unit: str,
    factors: Mapping[str, tuple[float, str]],
    energy_content: Mapping[str, tuple[float, str]],
    unit: str,
) -> float | str:
    """Emission (in ``unit``) per one ``act_unit`` of ``carrier``, or the reason it cannot be."""
    f_value, f_unit = factors[carrier]
    try:
        f_mass, f_den = split_unit(f_unit)
        if dimensionality(act_unit) == dimensionality(f_den):
            amount = conversion_factor(act_unit, f_den)
        elif carrier in energy_content:
            e_value, e_unit = energy_content[carrier]
            e_num, e_den = split_unit(e_unit)
            amount = conversion_factor(act_unit, e_den) * e_value * conversion_factor(e_num, f_den)
        else:
            return (
                f"activity in {act_unit!r} but factor per {f_den!r} and no energy_content "
                f"for {carrier!r}"
            )
        return amount * f_value * conversion_factor(f_mass, unit)
    except (UnitError, ValidationError) as exc:
        return str(exc)


def _positions(
    rows: pd.DataFrame, codes: list[str], template: xr.DataArray
) -> tuple[np.ndarray[Any, np.dtype[np.intp]], ...]:
    """Integer positions of (municipality[, year], coicop) rows in the template's dims."""
    import pandas as pd

    pos = {
        "municipality": pd.Index(template["municipality"].to_numpy()).get_indexer(
            [int(m) for m in rows["municipality"]]
        ),
        "coicop": pd.Index(template["coicop"].to_numpy()).get_indexer(codes),
    }
    if "year" in template.dims:
        pos["year"] = pd.Index(template["year"].to_numpy()).get_indexer(
            [int(y) for y in rows["year"]]
        )
    return tuple(np.asarray(pos[str(d)], dtype=np.intp) for d in template.dims)


def _override_mask(
    overrides: pd.DataFrame | None, template: xr.DataArray, children: Mapping[str, list[str]]
) -> xr.DataArray:
    import xarray as xr

    arr = np.zeros(template.shape, dtype=bool)
    if overrides is not None and len(overrides):
        codes = [normalize_coicop(c) for c in overrides["coicop"]]
        family = {c: [c, *_descendants(c, children)] for c in set(codes)}
        rep = [len(family[c]) for c in codes]
        expanded = overrides.loc[overrides.index.repeat(rep)]
        flat = [member for c in codes for member in family[c]]
        arr[_positions(expanded, flat, template)] = True
    return xr.DataArray(arr, coords=template.coords, dims=template.dims)


# --- groups and population ---------------------------------------------------------------------


def _groups_of(codes: list[str], groups: Mapping[str, str] | None) -> list[str]:
    if groups is None:
        from klimacore.consumption.defaults import coicop_groups

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
        raise MissingLabelError("footprint group", missing, dim="coicop")
    return out


def _population(population: Any, template: xr.DataArray) -> xr.DataArray:
    """The population form lined up with the spending (a plain mapping is per municipality)."""
    pop = as_population(population, dim="municipality" if isinstance(population, Mapping)
                        else None)
    return population_for(pop, template, what="spending")


# --- the engine --------------------------------------------------------------------------------


def _intensity_meta(intensities: xr.DataArray) -> dict[str, Any]:
    attrs = dict(intensities.attrs)
    problems = []
    for key in ("units", "year", "price_basis"):
        if key not in attrs:
            problems.append(f"intensities.attrs lacks {key!r}")
    if problems:
        raise ValidationError(
            "intensities need metadata (units, price year, price basis)", problems=problems
        )
    if attrs["price_basis"] not in PRICE_BASES:
        raise ValidationError(
            f"intensity price_basis {attrs['price_basis']!r} is not one of {PRICE_BASES}"
        )
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
                f"exchange_rate=(rate, 'DKK/EUR') ({exc})"
            ) from None
    rate, rate_unit = exchange_rate
    if not rate > 0:
        raise ValidationError(f"exchange rate must be positive, got {rate}")
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

    from klimacore.consumption.defaults import energy_content_table, fuel_factors

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

    residual, children = _residuals(spend)
    real = deflate(
        residual,
        from_year=price_year if price_year == "current" else int(price_year),
        to_year=int(meta["year"]),
        price_index=price_index,
        fallback=fallback,
    )
    if meta["price_basis"] == "basic" and basis == "purchaser":
        bridge = _bridge(real, vat=vat, margins=margins, taxes=taxes)
        basic, margin_amount = bridge.basic, bridge.margin
        bridge_attrs: dict[str, Any] = {
            "vat": bridge.vat,
            "margins": bridge.margins,
            "taxes": bridge.taxes,
        }
    elif meta["price_basis"] == basis:
        basic, margin_amount = real, xr.zeros_like(real)
        bridge_attrs = {}
    else:
        raise ValidationError(
            "spending at basic prices cannot be valued with purchaser-price intensities"
        )
    if float(abs(margin_amount).sum()) > 0 and margin_intensity is None:
        raise ValidationError(
            "margins are non-zero but margin_intensity is not given; pass the intensity of "
            "trade and transport services (or 0.0 to leave margin emissions out knowingly)"
        )

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
        factor_table.update(_pair_table(factors, key="carrier"))
        content = dict(energy_content_table())
        content.update(_pair_table(energy_content, key="carrier"))
        physical = _physical(
            overrides, spend, factors=factor_table, energy_content=content, unit=unit
        )
    else:
        physical = xr.zeros_like(spend, dtype=float)
    mask = _override_mask(overrides, spend, children)
    footprint = monetary_all.where(~mask, physical)

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
            "physical": physical,
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
