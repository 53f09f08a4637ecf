"""Inputs of the trajectory checks: emissions and other arrays in one form, compatibility, bases.

Private helpers of :mod:`klimacore.trajectory._checks` (which re-exports :func:`as_emissions` and
:func:`as_input_array`): the canonical emissions form, pandas/dict inputs, the gas basket /
boundary / LULUCF / base-year comparisons that warn or raise, and base-year values.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import CompatibilityWarning, ValidationError
from klimacore.forms import as_population, require_entity_dims
from klimacore.forms._emissions import (
    as_emissions,
    entity_text,
    municipality_codes,
    years_from,
)

if TYPE_CHECKING:
    import xarray as xr

    from klimacore.trajectory._references import Reference

__all__ = ["as_emissions", "as_input_array", "population_input"]


def population_input(value: Any, emissions: xr.DataArray) -> xr.DataArray | None:
    """A check's ``population`` as the population form, refused when it would be broadcast.

    Everything goes through :func:`klimacore.forms.as_population` (a plain dict is keyed by
    year; a dict of dicts is ``{entity: {year: persons}}`` over the emissions' one entity
    dimension), then :func:`klimacore.forms.require_entity_dims`: a population without the
    emissions' ``municipality``/``region`` dimension is an error naming that dimension and its
    entities, never spread over every entity. A year the population lacks stays "no data".

    >>> import xarray as xr
    >>> e = xr.DataArray([[1.0], [2.0]], dims=("municipality", "year"),
    ...                  coords={"municipality": [101, 751], "year": [2019]})
    >>> population_input({101: {2019: 5.0}, 751: {2019: 6.0}}, e).dims
    ('municipality', 'year')
    >>> population_input({2019: 5.0}, e)
    Traceback (most recent call last):
    ...
    klimacore.errors.ValidationError: population has no 'municipality' dimension but the emissions have municipality [101, 751]: give one population per municipality (a population is never spread over every municipality)
    """
    import pandas as pd

    if value is None:
        return None
    if isinstance(value, Mapping):
        items = list(value.items())
        nested = bool(items) and isinstance(items[0][1], Mapping)
        pop = as_population(as_input_array(value, emissions, "population") if nested else value,
                            dim=None if nested else "year")
    else:
        if isinstance(value, pd.Series) and None in value.index.names:
            dims = [str(d) for d in emissions.dims if d != "year"]
            raise ValidationError(f"population: name the index levels of the Series (e.g. "
                                  f"{[*dims, 'year']})", code="population.dim",
                                  label=list(value.index.names), location="population")
        pop = as_population(value)
    require_entity_dims(pop, emissions, what="emissions")
    return pop


def as_input_array(value: Any, emissions: xr.DataArray, what: str, *,
                   by_year: bool = False) -> Any:
    """``population``/``budget_share``/… given as pandas or a dict, as a DataArray.

    A :class:`pandas.Series` becomes a DataArray over its index levels (named like the
    emissions' dims); a dict is keyed by years (``by_year``) or by the labels of the emissions'
    single entity dimension; a dict of dicts is ``{entity: {year: value}}``. Numbers and
    DataArrays pass through unchanged; anything else raises naming ``what``.

    >>> import xarray as xr
    >>> e = xr.DataArray([[1.0]], dims=("municipality", "year"),
    ...                  coords={"municipality": [101], "year": [2019]})
    >>> as_input_array({101: 0.5}, e, "budget_share").dims
    ('municipality',)
    """
    import pandas as pd
    import xarray as xr

    if what == "population" and by_year:  # the checks' population: the one population form
        return population_input(value, emissions)
    if value is None or isinstance(value, xr.DataArray | int | float | np.number):
        return value
    dims = [str(d) for d in emissions.dims if d != "year"]
    if isinstance(value, pd.Series):
        names = [n for n in value.index.names]
        if None in names:
            raise ValidationError(f"{what}: name the index levels of the Series (e.g. "
                                  f"{[*dims, 'year'] if by_year else dims})")
        return municipality_codes(xr.DataArray.from_series(value.astype(float)))
    if isinstance(value, Mapping):
        items = list(value.items())
        if items and isinstance(items[0][1], Mapping):
            if len(dims) != 1:
                raise ValidationError(f"{what}: a dict of dicts needs emissions with one entity "
                                      f"dimension (they have {dims})")
            series = pd.Series({(k, y): float(v) for k, inner in items for y, v in inner.items()})
            series.index = series.index.set_names([dims[0], "year"])
            return municipality_codes(xr.DataArray.from_series(series))
        if by_year:
            return xr.DataArray(np.asarray([float(v) for _, v in items]), dims="year",
                                coords={"year": years_from([k for k, _ in items], what)})
        if len(dims) != 1:
            raise ValidationError(f"{what}: a dict needs emissions with one entity dimension to "
                                  f"key it by (they have {dims}); pass a DataArray")
        return municipality_codes(xr.DataArray(np.asarray([float(v) for _, v in items]),
                                                dims=dims[0],
                                                coords={dims[0]: [k for k, _ in items]}))
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value
    raise ValidationError(f"{what} must be a number, an xarray.DataArray, a pandas Series or a "
                          f"dict, got {type(value).__name__}")


# --- compatibility ------------------------------------------------------------------------------


def _basket_of(gases: Any) -> tuple[str, set[str]]:
    if isinstance(gases, str):
        items = {g.strip() for g in re.split(r"[;,+ ]+", gases) if g.strip()}
    else:
        items = {str(g) for g in gases}
    if items == {"CO2"}:
        return "CO2", items
    if {"CO2", "CH4", "N2O"} <= items:
        return "GHG", items
    return "partial", items


def _compatibility(
    refs: Sequence[Reference],
    attrs: Mapping[str, Any],
    gases: Any,
    boundary: str | None,
    includes_lulucf: bool | None,
) -> list[str]:
    problems: list[str] = []
    gases = gases if gases is not None else attrs.get("gases")
    boundary = boundary if boundary is not None else attrs.get("boundary")
    lulucf = includes_lulucf if includes_lulucf is not None else attrs.get("includes_lulucf")
    unknown = []
    if gases is None:
        unknown.append("which gases they cover (attrs['gases'] or gases=…)")
    if lulucf is None and any(r.includes_lulucf is not None for r in refs):
        unknown.append("whether they include LULUCF (attrs['includes_lulucf'] or "
                       "includes_lulucf=…)")
    if unknown:
        warnings.warn(
            f"the data do not say {' or '.join(unknown)}: checked against "
            f"{', '.join(r.id for r in refs)} as if they matched", CompatibilityWarning,
            stacklevel=3)
    for ref in refs:
        if gases is not None:
            basket, items = _basket_of(gases)
            if basket != ref.basket:
                problems.append(
                    f"reference {ref.id!r} covers {'CO2 only' if ref.basket == 'CO2' else 'GHG'} "
                    f"({'; '.join(ref.gases)}) but the data cover {', '.join(sorted(items))}"
                )
            elif basket == "GHG":
                lacking = [g for g in ref.gases if g not in items]
                if lacking:
                    warnings.warn(
                        f"reference {ref.id!r} covers {len(ref.gases)} gases "
                        f"({', '.join(ref.gases)}) but the data lack {', '.join(lacking)}: "
                        "the data's total is compared with a wider basket",
                        CompatibilityWarning, stacklevel=3)
        if boundary is not None and ref.boundary != "any" and boundary != ref.boundary:
            problems.append(
                f"reference {ref.id!r} is {ref.boundary} but the data are {boundary}"
            )
        if lulucf is not None and ref.includes_lulucf is not None and bool(lulucf) != (
            ref.includes_lulucf
        ):
            warnings.warn(
                f"reference {ref.id!r} {'includes' if ref.includes_lulucf else 'excludes'} "
                f"LULUCF but the data {'include' if lulucf else 'exclude'} it",
                CompatibilityWarning,
                stacklevel=3,
            )
    return problems



def _warn_unmapped_sectors(refs: Sequence[Reference], E: xr.DataArray,
                           sector_map: Mapping[str, str] | None) -> None:
    """Sector-range references evaluate mapped sectors only: say which ones they do not."""
    if "sector" not in E.dims:
        return
    mapping = dict(sector_map or {})
    labels = [str(x) for x in E["sector"].to_numpy()]
    for ref in refs:
        if ref.method != "sector_range":
            continue
        missing = [x for x in labels if mapping.get(x, x) not in ref.sectors]
        if missing:
            hint = (" (the Energi- og CO2-regnskab's sectors: "
                    "klimacore.io.eco2_sector_map()['cctf_sector'] maps them)"
                    if E.attrs.get("sector_classification") == "eco2" else "")
            warnings.warn(
                f"reference {ref.id!r} has ranges for {', '.join(ref.sectors)}; sector(s) "
                f"{', '.join(missing)} of the data are not evaluated: pass sector_map{hint}",
                CompatibilityWarning, stacklevel=3)


BASE_TOLERANCE_PCT = 5.0
"""A given base-year value further than this (%) from the data's own value is warned about."""


def _warn_base_differs(ref: Reference, given: xr.DataArray, own: xr.DataArray) -> None:
    g = np.asarray(given.transpose(*own.dims).to_numpy(), dtype=float)
    o = np.broadcast_to(np.asarray(own.to_numpy(), dtype=float), g.shape)
    with np.errstate(invalid="ignore", divide="ignore"):
        off = np.abs(g - o) > BASE_TOLERANCE_PCT / 100 * np.abs(o)
    if not off.any():
        return
    dims = [str(d) for d in own.dims]
    shown = []
    for row in np.argwhere(off)[:10]:
        where = entity_text(dims, [own[d].to_numpy()[i] for d, i in zip(dims, row, strict=True)])
        shown.append(f"{where}: given {g[tuple(row)]:,.0f} t, data {o[tuple(row)]:,.0f} t")
    warnings.warn(
        f"reference {ref.id!r}: base_emissions[{ref.base_year}] differs from the data's own "
        f"{ref.base_year} value by more than {BASE_TOLERANCE_PCT:g} % for {int(off.sum())} "
        "entit(ies): " + "; ".join(shown), CompatibilityWarning, stacklevel=4)


def _base_values(
    ref: Reference,
    E: xr.DataArray,
    template: xr.DataArray,
    data_years: np.ndarray[Any, Any],
    base_emissions: Mapping[int, Any] | None,
    problems: list[str],
    on_invalid_base: str,
    sector_map: Mapping[str, str] | None = None,
) -> xr.DataArray | None:
    import xarray as xr

    year = ref.base_year
    if base_emissions is not None and year in base_emissions:
        b = base_emissions[year]
        b = b if isinstance(b, xr.DataArray) else xr.DataArray(float(b))
        extra = [d for d in b.dims if d not in template.dims]
        if extra:
            problems.append(f"base_emissions[{year}] has dimension(s) {extra} the emissions lack")
            return None
        b = b.astype(float).broadcast_like(template)
        if year in data_years:
            _warn_base_differs(ref, b, E.sel(year=year, drop=True))
    elif year not in data_years:
        problems.append(
            f"reference {ref.id!r}: base year {year} is missing from the data for every entity "
            f"(years {int(data_years.min())}–{int(data_years.max())}, {data_years.size} years); "
            f"pass base_emissions={{{year}: …}} or add the year"
        )
        return None
    else:
        b = E.sel(year=year, drop=True)
    b = b.transpose(*template.dims)
    if on_invalid_base == "raise":
        bad = ~np.isfinite(b.to_numpy()) | (b.to_numpy() <= 0)
        if ref.method == "sector_range" and "sector" in b.dims:
            mapping = dict(sector_map or {})
            covered = np.asarray([mapping.get(str(x), str(x)) in ref.sectors
                                  for x in b["sector"].to_numpy()])
            axis = list(b.dims).index("sector")
            shape = [1] * b.ndim
            shape[axis] = covered.size
            bad = bad & covered.reshape(shape)  # sectors without a range need no base
        if bad.any():
            dims = [str(d) for d in b.dims]
            idx = np.argwhere(np.broadcast_to(bad, b.shape))
            shown = [
                entity_text(dims, [b[d].to_numpy()[i] for d, i in zip(dims, row, strict=True)])
                for row in idx[:20]
            ]
            more = f" … and {len(idx) - 20} more" if len(idx) > 20 else ""
            kind = "missing or not positive"
            problems.append(
                f"reference {ref.id!r}: base-year {year} emissions {kind} for "
                f"{'; '.join(shown)}{more} (reductions need a positive base; "
                "on_invalid_base='no data' reports these as no data)"
            )
    return b
