"""Physical overrides of the spend-based footprint: energy and fuel use × CO2e factors.

An override on code ``c`` *replaces* the monetary estimate of ``c`` and of every listed
descendant of ``c`` (:func:`override_mask`), so nothing is counted twice; its emissions are
activity × factor, with units converted at this boundary (:func:`physical`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.consumption._common import normalize_coicop, split_unit
from klimacore.errors import MissingLabelError, Problems, UnitError, ValidationError
from klimacore.units import conversion_factor, dimensionality

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = ["override_mask", "pair_table", "physical"]


def _descendants(code: str, children: Mapping[str, list[str]]) -> list[str]:
    out: list[str] = []
    stack = list(children.get(code, []))
    while stack:
        kid = stack.pop()
        out.append(kid)
        stack.extend(children.get(kid, []))
    return out


def pair_table(
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


def physical(
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
            f"physical overrides lack columns {absent} (have {list(overrides.columns)})",
            code="overrides.columns", label=absent, location="overrides")
    problems = Problems("physical overrides")
    if not has_year and "year" in overrides.columns and len(set(overrides["year"])) > 1:
        problems.add("physical overrides span several years but the spending has no 'year' "
                     "dimension", code="overrides.year", label=sorted(set(overrides["year"])),
                     location="overrides.year")
    carriers = sorted({str(c) for c in overrides["carrier"]})
    missing = [c for c in carriers if c not in factors]
    if missing:
        problems.add(MissingLabelError("emission factor", missing, dim="carrier",
                                       code="overrides.factor", location="overrides.carrier"))
    codes = [normalize_coicop(c) for c in overrides["coicop"]]
    listed = {str(c) for c in template["coicop"].to_numpy()}
    absent_codes = sorted({c for c in codes if c not in listed})
    if absent_codes:
        problems.add(MissingLabelError(
            "spending line (an override replaces the monetary estimate of its COICOP code, so "
            "that code's spending must be given)", absent_codes, dim="coicop",
            code="overrides.coicop", location="overrides.coicop"))
    munis = {int(m) for m in template["municipality"].to_numpy()}
    absent_m = sorted({int(m) for m in overrides["municipality"]} - munis)
    if absent_m:
        problems.add(MissingLabelError("spending for overridden municipality", absent_m,
                                       dim="municipality", code="overrides.municipality",
                                       location="overrides.municipality"))
    if has_year:
        years = {int(y) for y in template["year"].to_numpy()}
        absent_y = sorted({int(y) for y in overrides["year"]} - years)
        if absent_y:
            problems.add(MissingLabelError("spending for override year", absent_y, dim="year",
                                           code="overrides.year", location="overrides.year"))
    problems.raise_if_any()

    values: list[float] = []
    rows = overrides.to_dict("records")
    per_unit: dict[tuple[str, str], float | str] = {}
    for i, (row, code) in enumerate(zip(rows, codes, strict=True)):
        carrier = str(row["carrier"])
        act_unit = str(row["unit"])
        key = (carrier, act_unit)
        if key not in per_unit:
            per_unit[key] = _per_unit(carrier, act_unit, factors, energy_content, unit)
        factor = per_unit[key]
        where = f"overrides row {i}"
        if isinstance(factor, str):
            problems.add(f"{carrier} ({code}): {factor}", code="overrides.unit", label=act_unit,
                         location=where, kind=UnitError)
            continue
        value = float(row["amount"]) * factor
        if not np.isfinite(value) or float(row["amount"]) < 0:
            problems.add(f"{carrier} ({code}): amount {row['amount']} must be >= 0",
                         code="overrides.amount", label=row["amount"], location=where,
                         kind=UnitError)
            continue
        values.append(value)
    problems.raise_if_any()
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


def override_mask(
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


