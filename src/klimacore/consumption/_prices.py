"""Spending rules of the spend-based footprint: nesting, deflation, the price bridge.

For spending ``S`` of municipality ``m`` on COICOP code ``c`` (in year ``y``):

1. **Nesting.** Codes may nest: ``"04"`` includes ``"04.5.1"`` when both are given. Each code is
   valued on its *residual*, its amount less the amounts of its nearest listed descendants; a
   negative residual is an error (:func:`residuals`).
2. **Deflation** to the intensities' price year ``t1`` from the spending's price year ``t0``:
   ``S · P(t1) / P(t0)`` (:func:`deflate`).
3. **Price bridge** from purchaser to basic prices: ``B = S / (1 + vat) · (1 − margin − taxes)``
   (:func:`bridge`, :func:`purchaser_to_basic`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from klimacore.consumption._common import ancestors, normalize_coicop, per_code, resolve_codes
from klimacore.errors import MissingLabelError, Problems, ValidationError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = ["DANISH_VAT_RATE", "Bridge", "bridge", "deflate", "purchaser_to_basic", "residuals"]

DANISH_VAT_RATE = 0.25
"""Danish VAT (moms), 25 % of the price excluding VAT (Momsloven, LBK, § 33). Exempt supplies
(renting of dwellings, health care, education, insurance and financial services; Momsloven § 13)
should be given a rate of 0 through a per-COICOP ``vat`` mapping."""


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
            raise ValidationError("price year 'current' needs spending with a 'year' dimension",
                                  code="spending.price_year", label="current",
                                  location="price_year")
        source_years = [int(y) for y in spending["year"].to_numpy()]
    else:
        source_years = [int(from_year)]
    needed = sorted(set(source_years) | {int(to_year)})
    if all(y == to_year for y in source_years):
        return spending.copy()
    if price_index is None:
        raise ValidationError(
            f"spending is in {from_year} prices and the intensities in {to_year} prices: "
            f"a price_index covering years {needed} is needed", code="price_index.required",
            label=needed, location="price_index")
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
        raise MissingLabelError("price index", missing_years, dim="year",
                                code="price_index.year")
    codes = [str(c) for c in spending["coicop"].to_numpy()]
    if list(table.columns) == ["*"]:
        column_of = dict.fromkeys(codes, "*")
    else:
        column_of = resolve_codes(codes, table.columns, fallback=fallback, what="price index")
    values = table.loc[needed]
    bad = values.columns[(values.isna() | (values <= 0)).any()].tolist()
    if bad:
        raise ValidationError(f"price index must be positive in years {needed}; check {bad}",
                              code="price_index.value", label=bad, location="price_index")

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
class Bridge:
    basic: xr.DataArray
    margin: xr.DataArray
    vat: dict[str, float]
    margins: dict[str, float]
    taxes: dict[str, float]


def bridge(
    spending: xr.DataArray,
    *,
    vat: float | Mapping[Any, float],
    margins: float | Mapping[Any, float],
    taxes: float | Mapping[Any, float],
) -> Bridge:
    import xarray as xr

    codes = [str(c) for c in spending["coicop"].to_numpy()]
    vat_ = per_code(vat, codes, name="VAT rate")
    mar_ = per_code(margins, codes, name="margin share")
    tax_ = per_code(taxes, codes, name="other taxes share")
    problems = Problems("price bridge")
    # a scalar applies to every code: a bad one is one problem (at "vat"), not one per code
    vat_at = {"*": float(vat)} if isinstance(vat, int | float) else vat_
    for c, v in vat_at.items():
        where = "vat" if c == "*" else f"vat[{c!r}]"
        of = "" if c == "*" else f" of {c}"
        if v < 0:
            problems.add(f"VAT rate{of} is {v} (must be >= 0)", code="bridge.vat", label=v,
                         location=where)
        elif not (0 <= v < 1 and np.isfinite(v)):
            problems.add(f"VAT rate{of} is {v:g}: a rate is a fraction of the price excluding "
                         "VAT (Danish VAT 25 % is 0.25, not 25)", code="bridge.vat", label=v,
                         location=where)
    for c in codes:
        if not (mar_[c] >= 0 and tax_[c] >= 0 and mar_[c] + tax_[c] < 1):  # NaN fails too
            problems.add(
                f"margin {mar_[c]} and other taxes {tax_[c]} of {c} must be >= 0 and sum to < 1",
                code="bridge.share", label=(mar_[c], tax_[c]), location=f"margins/taxes[{c!r}]")
    problems.raise_if_any()

    def vec(values: dict[str, float]) -> xr.DataArray:
        return xr.DataArray(
            [values[c] for c in codes], coords={"coicop": spending["coicop"]}, dims="coicop"
        )

    ex_vat = spending / (1.0 + vec(vat_))
    return Bridge(
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
    out = bridge(spending, vat=vat, margins=margins, taxes=taxes).basic
    out.attrs = dict(spending.attrs)
    return out


def residuals(spending: xr.DataArray) -> tuple[xr.DataArray, dict[str, list[str]]]:
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
            f"(a code includes its sub-codes): {where[:10]}", code="spending.nesting",
            label=where[:10], location="coicop")
    return residual.clip(min=0.0), children


