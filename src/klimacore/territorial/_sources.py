"""The parts an inventory sums: direct entries, notation keys, and their union (internal).

Each part reports some cells; a cell no part reported stays missing (NaN), never 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from klimacore.errors import DataError, UnitError, ValidationError
from klimacore.forms._activity import parse_frame
from klimacore.territorial._engine import add_reported, mask_unreported
from klimacore.territorial._factors import canonical_gas
from klimacore.territorial._labels import NOTATION_KEYS, check_categories, raise_problems
from klimacore.units import conversion_factor

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

CO2E_LABELS = {"co2e", "co2eq", "co2-eq", "co2-e", "co2equivalent"}
KEY_DIMS = ("municipality", "year", "category")


def canonical_direct_gas(name: object) -> str:
    return "CO2e" if str(name).strip().lower().replace(" ", "") in CO2E_LABELS else canonical_gas(name)


def direct_emissions(direct: pd.DataFrame | xr.DataArray) -> tuple[
        xr.DataArray | None, xr.DataArray | None, pd.DataFrame | None]:
    """Direct entries → (per-gas t, CO2e-only t, notation-key rows)."""
    import pandas as pd
    import xarray as xr

    keys = None
    reported = None
    if isinstance(direct, pd.DataFrame):
        da, keys, reported = parse_frame(direct, label="gas", what="direct emissions")
        if da is None:
            return None, None, keys
    elif isinstance(direct, xr.DataArray):
        from klimacore.forms._checks import finite_values, unique_labels

        problems = unique_labels(direct, "direct emissions")
        problems += finite_values(np.asarray(direct.values, dtype=float), "direct emissions")
        if problems:
            raise ValidationError("direct emissions", problems=problems)
        if "gas" not in direct.dims:
            raise DataError(f"direct emissions need a 'gas' dimension (dims {list(direct.dims)})")
        if "unit" in direct.coords and direct["unit"].dims == ("gas",):
            da = direct
        elif "units" in direct.attrs:
            da = direct.assign_coords(unit=("gas", np.full(direct.sizes["gas"], direct.attrs["units"])))
        else:
            raise UnitError("direct emissions have no unit: set attrs['units'] (e.g. 't')")
    else:
        raise ValidationError(f"direct emissions must be a DataFrame or DataArray, got "
                              f"{type(direct).__name__}")
    if "category" not in da.dims:
        raise DataError("direct emissions need a 'category' dimension")
    check_categories(da["category"].to_numpy().tolist())
    gases = [canonical_direct_gas(g) for g in da["gas"].to_numpy().tolist()]
    problems = []
    scale = np.ones(len(gases))
    for i, (g, u) in enumerate(zip(gases, da["unit"].to_numpy().tolist(), strict=True)):
        try:
            scale[i] = conversion_factor(str(u).split()[0], "t")
        except UnitError as exc:
            problems.append(f"gas {g!r}: {u!r} is not a mass ({exc})")
    raise_problems(units=problems, context="direct emissions")
    if len(set(gases)) != len(gases):
        raise DataError(f"direct emissions: gas labels collide after normalising: {gases}")
    da = da.drop_vars("unit").assign_coords(gas=gases)
    da = da * xr.DataArray(scale, dims="gas", coords={"gas": gases})
    da = mask_unreported(da, reported)
    per_gas = [g for g in gases if g != "CO2e"]
    gas_part = da.sel(gas=per_gas) if per_gas else None
    fixed = da.sel(gas="CO2e", drop=True) if "CO2e" in gases else None
    return gas_part, fixed, keys


def sum_aligned(parts: Sequence[xr.DataArray]) -> xr.DataArray | None:
    """The sum of parts that each report some cells (outer join): a cell no part reported is
    missing (NaN); a gas one part lacks is nothing from that part in the cells it reported."""
    import xarray as xr

    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    if any("gas" in p.dims for p in parts):
        union = list(dict.fromkeys(g for p in parts for g in p.get_index("gas").tolist()))
        parts = [p.reindex(gas=union, fill_value=0.0).where(p.notnull().any("gas"))  # noqa: PD004
                 if p.get_index("gas").tolist() != union else p for p in parts]
    aligned = xr.align(*parts, join="outer", fill_value=np.nan)
    total = aligned[0]
    for p in aligned[1:]:
        total = add_reported(total, p)
    return total


def keys_array(frames: Sequence[pd.DataFrame], given: pd.DataFrame | xr.DataArray | None
                ) -> xr.DataArray | None:
    import pandas as pd
    import xarray as xr

    arrays: list[xr.DataArray] = []
    if given is not None:
        if isinstance(given, xr.DataArray):
            arrays.append(given.astype(str))
        elif isinstance(given, pd.DataFrame):
            col = next((c for c in ("notation_key", "key", "value") if c in given.columns), None)
            if col is None:
                raise DataError("notation keys frame needs a 'notation_key' column")
            frames = [*frames, given.rename(columns={col: "notation_key"})]
        else:
            raise ValidationError(f"notation keys must be a DataFrame or DataArray, got "
                                  f"{type(given).__name__}")
    for f in frames:
        dims = [c for c in f.columns if c != "notation_key" and c not in ("source", "note",
                                                                          "comment", "fuel", "gas")]
        extra = [d for d in dims if d not in KEY_DIMS]
        if extra:
            raise DataError(f"notation keys are by (municipality, year, category); got columns {extra}")
        f = f.drop_duplicates(subset=[*dims, "notation_key"])
        dup = f.duplicated(subset=dims, keep=False)
        if dup.any():
            rows = f[dup.to_numpy(dtype=bool)].to_dict("records")
            raise DataError(f"conflicting notation keys for the same cell: {rows[:20]}")
        idx = pd.MultiIndex.from_frame(f[dims].astype(
            {d: "int64" for d in dims if d in ("municipality", "year")}))
        s = pd.Series(f["notation_key"].astype(str).to_numpy(), index=idx)
        arrays.append(xr.DataArray.from_series(s).fillna(""))
    if not arrays:
        return None
    out = arrays[0]
    for a in arrays[1:]:
        a, out = xr.align(a, out, join="outer", fill_value="")
        clash = (a != "") & (out != "") & (a != out)
        if bool(clash.any()):
            raise DataError("conflicting notation keys for the same cell")
        out = a.where(a != "", out)
    values = set(np.unique(out.to_numpy()).tolist()) - {""}
    bad = sorted(values - set(NOTATION_KEYS))
    if bad:
        raise ValidationError(f"unknown notation keys {bad}; valid: {', '.join(NOTATION_KEYS)}")
    if "category" in out.dims:
        check_categories(out.get_index("category").tolist())
    return out.astype("<U2")


def union_with_keys(objs: list[xr.DataArray], keys: xr.DataArray
                     ) -> tuple[list[xr.DataArray], xr.DataArray]:
    """Extend numeric variables (fill NaN: not reported) and keys (fill "") to the union of their
    labels."""
    import pandas as pd

    for d in keys.dims:
        numeric_labels = next((o[d].to_numpy() for o in objs if d in o.dims), None)
        if numeric_labels is None:
            continue
        union = pd.Index(numeric_labels).append(
            pd.Index(keys[d].to_numpy()).difference(pd.Index(numeric_labels), sort=False))
        if d in ("municipality", "year"):
            union = union.sort_values()
        objs = [o.reindex({d: union}, fill_value=np.nan)
                if d in o.dims and not union.equals(pd.Index(o[d].to_numpy())) else o for o in objs]
        keys = keys.reindex({d: union}, fill_value="")
    return objs, keys


def zero_where_keyed(variables: dict[str, xr.DataArray], keys: xr.DataArray
                      ) -> dict[str, xr.DataArray]:
    """Cells keyed NO (not occurring) or IE (included elsewhere) that nobody gave a number for
    are 0 here; cells keyed NE or C without a number stay missing (NaN)."""
    zero = keys.isin(["NO", "IE"])
    if not bool(zero.any()):
        return variables
    return {name: (v.where(~(zero & v.isnull()), 0.0).transpose(*v.dims)  # noqa: PD003
                   if v.dtype.kind == "f" else v) for name, v in variables.items()}


def check_key_conflicts(keys: xr.DataArray, co2e: xr.DataArray) -> None:
    strict = keys.isin(["NO", "IE", "NE"])
    if not bool(strict.any()):
        return
    nonzero = (abs(co2e) > 0).any([str(d) for d in co2e.dims if d not in keys.dims])
    clash = strict & nonzero
    if bool(clash.any()):
        flags = clash.to_numpy()
        idx = np.argwhere(flags)
        labels = [{str(d): keys[d].to_numpy()[i].item() for d, i in zip(keys.dims, row, strict=True)}
                  for row in idx[:20]]
        raise ValidationError(
            f"{len(idx)} cell(s) carry a notation key NO/IE/NE but have emissions",
            problems=[f"{cell}: {keys.to_numpy()[tuple(row)]}" for cell, row in zip(labels, idx,
                                                                                   strict=False)])
