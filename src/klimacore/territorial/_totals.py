"""Totals by sector/sub-sector/scope/GPC total, aggregation to regions and Denmark, per capita."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import AlignmentError, DataError, ValidationError
from klimacore.forms import as_population, require_entity_dims
from klimacore.territorial._engine import contract, keep_coords, new_dataarray, result_coords
from klimacore.territorial._labels import GROUPINGS, membership, raise_problems

if TYPE_CHECKING:
    import xarray as xr

Array = np.ndarray[Any, Any]


def _numeric_vars(ds: xr.Dataset, dim: str) -> list[str]:
    return [str(n) for n, v in ds.data_vars.items() if dim in v.dims and v.dtype.kind in "fiuc"]


def _check_finite(da: xr.DataArray, what: str) -> bool:
    """Raise naming infinite cells; return whether any cell is missing (NaN: not reported)."""
    values = np.asarray(da.to_numpy())
    if not values.size or np.isfinite(values.sum()):
        return False
    inf = np.isinf(values)
    if inf.any():
        bad = np.argwhere(inf)[:20]
        cells = [{d: _py(da[d].to_numpy()[i]) for d, i in zip(da.dims, row, strict=True)} for row in bad]
        raise ValidationError(f"{what}: {int(inf.sum())} value(s) are infinite",
                              problems=[str(c) for c in cells])
    return True


def _group_sum(values: Array, axis: int, mat: Array, *, partial: bool) -> Array:
    """``contract(values, axis, mat)`` for values with missing (NaN) cells.

    ``partial=True`` (categories into groups): a group is missing only where none of its members
    was reported, else the sum of those reported. ``partial=False`` (municipalities into
    regions): a group with any member missing is missing.
    """
    missing = np.isnan(values)
    total = contract(np.where(missing, 0.0, values), axis, mat)
    if partial:
        have = contract((~missing).astype(float), axis, mat) > 0
        return np.where(have, total, np.nan)
    lacking = contract(missing.astype(float), axis, mat) > 0
    return np.where(lacking, np.nan, total)


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def totals(x: xr.DataArray | xr.Dataset, by: str | Sequence[str] = "sector") -> Any:
    """Sum categories into groups with a membership-matrix product.

    Parameters
    ----------
    x
        A DataArray with a ``category`` dim (e.g. ``inventory["co2e"]``) or an inventory Dataset
        (every numeric variable with a ``category`` dim is summed; ``notation_key`` is left out).
    by
        ``"sector"`` (I…VI), ``"subsector"`` (I.1…), ``"scope"`` (1–3), ``"plan_sector"`` (the
        sectors of :data:`klimacore.models.PLAN_SECTORS`), ``"gpc"`` (the three GPC totals
        BASIC, BASIC+ and territorial along a ``total`` dim; they overlap, so they are not
        parts of one whole), ``"category"`` (unchanged), or a tuple of partitions such as
        ``("sector", "scope")`` for a cross table.

    Returns
    -------
    Same type as ``x``, the ``category`` dim replaced by the group dim(s) in its place, with
    names as extra coordinates (``sector_name``, ``total_name``) and attrs kept. A NaN cell is
    not reported: a group sums the categories reported in it and is NaN (missing, never 0)
    where none was; an infinite value raises.

    Examples
    --------
    >>> import xarray as xr
    >>> da = xr.DataArray([1.0, 2.0, 4.0, 8.0, 16.0], dims="category",
    ...                   coords={"category": ["I.1.1", "I.1.2", "I.4.4", "III.1.3", "V.1"]})
    >>> totals(da, "sector").to_numpy().tolist(), totals(da, "scope").to_numpy().tolist()
    ([7.0, 8.0, 16.0], [29.0, 2.0])
    >>> totals(da, "gpc").to_series().to_dict()
    {'basic': 3.0, 'basic_plus': 19.0, 'territorial': 29.0}
    """
    import xarray as xr

    if isinstance(x, xr.Dataset):
        names = _numeric_vars(x, "category")
        if not names:
            raise DataError("totals: no numeric variable with a 'category' dimension")
        out = xr.Dataset({n: totals(x[n], by) for n in names}, attrs=dict(x.attrs))
        out.attrs["grouping"] = by if isinstance(by, str) else list(by)
        return out
    if "category" not in x.dims:
        raise DataError(f"totals needs a 'category' dimension (dims {list(x.dims)})")
    if by == "category":
        return x
    from klimacore._lazy import is_lazy

    if is_lazy(x):  # dask-backed: the same code on every block, nothing computed here
        from klimacore._lazy import blockwise

        return blockwise(totals, x, whole=["category"], what="totals", by=by)
    missing = _check_finite(x, "totals")
    cats = tuple(str(c) for c in x["category"].to_numpy().tolist())
    groups = [by] if isinstance(by, str) else list(by)
    if len(groups) > 1 and "gpc" in groups:
        raise ValidationError("'gpc' totals overlap and cannot be crossed with other groupings")
    parts = [membership(cats, g) for g in groups]
    names = ["total" if g == "gpc" else g for g in groups]
    mat = parts[0][2]
    for _, _, m in parts[1:]:
        mat = (mat[:, :, None] * m[:, None, :]).reshape(len(cats), -1)
    axis = x.dims.index("category")
    values = np.asarray(x.to_numpy())
    data = (_group_sum(values, axis, mat, partial=True) if missing
            else contract(values, axis, mat))
    shape = data.shape[:-1] + tuple(len(p[0]) for p in parts)
    data = data.reshape(shape)
    rest = [d for d in x.dims if d != "category"]
    data = np.moveaxis(data, list(range(len(rest), len(shape))),
                       list(range(axis, axis + len(parts))))
    dims = rest[:axis] + names + rest[axis:]
    if len(parts) == 1 and axis == len(rest):  # the usual case: coordinates reused, no copies
        labels, extra, _ = parts[0]
        return new_dataarray(data, dims, result_coords(x, rest, names[0], labels, extra),
                             dict(x.attrs))
    coords = keep_coords(x, rest)
    for name, (labels, extra, _) in zip(names, parts, strict=True):
        coords[name] = np.asarray(labels)
        for cname, vals in extra.items():
            coords[cname] = (name, np.asarray(vals))
    return xr.DataArray(data, coords=coords, dims=dims, attrs=dict(x.attrs))


def gpc_totals(x: xr.DataArray | xr.Dataset) -> Any:
    """BASIC, BASIC+ and territorial totals (``totals(x, "gpc")``).

    >>> import xarray as xr
    >>> da = xr.DataArray([10.0, 1.0, 5.0], dims="category",
    ...                   coords={"category": ["I.1.1", "I.1.3", "IV.1"]})
    >>> gpc_totals(da).to_numpy().tolist()
    [10.0, 16.0, 15.0]
    """
    return totals(x, "gpc")


@cache
def _municipality_table() -> tuple[dict[int, int], dict[int, str], dict[int, tuple[int, ...]]]:
    from klimacore import reference

    m = reference.municipalities()
    region_of = dict(zip(m["code"].tolist(), m["region_code"].tolist(), strict=True))
    names = dict(zip(m["region_code"].tolist(), m["region_name"].tolist(), strict=True))
    members: dict[int, list[int]] = {}
    for code, reg in region_of.items():
        members.setdefault(reg, []).append(code)
    return region_of, names, {r: tuple(sorted(v)) for r, v in members.items()}


def aggregate(x: xr.DataArray | xr.Dataset, to: str = "region", *, complete: bool = True) -> Any:
    """Sum municipalities into regions (``to="region"``) or Denmark (``to="denmark"``).

    The ``municipality`` dim is replaced by ``region`` (codes 1081–1085, with ``region_name``) or
    by ``country`` (``["DK"]``). Every municipality must be one of the 98; with
    ``complete=True`` (default) every municipality of each region present (all 98 for Denmark)
    must be in ``x``, so a total is never silently partial. The result is checked: the parts sum
    to the whole. ``notation_key`` of a Dataset is kept where all parts agree, else ``""``.

    Examples
    --------
    >>> import xarray as xr
    >>> from klimacore import reference
    >>> codes = reference.municipalities()["code"].to_numpy()
    >>> da = xr.DataArray(np.ones(98), dims="municipality", coords={"municipality": codes})
    >>> aggregate(da, "region").to_numpy().tolist(), float(aggregate(da, "denmark")[0])
    ([11.0, 19.0, 22.0, 29.0, 17.0], 98.0)
    >>> aggregate(da.isel(municipality=slice(0, 3)), "region")
    Traceback (most recent call last):
    ...
    klimacore.errors.MissingLabelError: missing municipalities for a complete region total (or pass complete=False) for municipality: 153, 155, ...
    """
    import xarray as xr

    if to not in ("region", "denmark", "country", "DK"):
        raise ValidationError(f"aggregate to {to!r}: use 'region' or 'denmark'")
    if "municipality" not in x.dims:
        raise DataError(f"aggregate needs a 'municipality' dimension (dims {list(x.dims)})")
    region_of, region_names, members = _municipality_table()
    codes = [int(c) for c in x["municipality"].to_numpy().tolist()]
    unknown = [c for c in codes if c not in region_of]
    raise_problems([("Danish municipality", "municipality", unknown)])
    present = set(codes)
    if to == "region":
        labels = sorted({region_of[c] for c in codes})
        mat = np.zeros((len(codes), len(labels)))
        pos = {r: i for i, r in enumerate(labels)}
        mat[np.arange(len(codes)), [pos[region_of[c]] for c in codes]] = 1.0
        dim: str = "region"
        needed = [m for r in labels for m in members[r]]
        extra = {"region_name": ("region", np.asarray([region_names[r] for r in labels]))}
        label_arr: Array = np.asarray(labels, dtype=np.int64)
    else:
        mat = np.ones((len(codes), 1))
        dim = "country"
        needed = sorted(region_of)
        extra = {}
        label_arr = np.asarray(["DK"])
    if complete:
        absent = [m for m in needed if m not in present]
        raise_problems([(f"municipalities for a complete {dim} total (or pass complete=False)",
                         "municipality", absent)])
    if len(present) != len(codes):
        raise DataError("aggregate: duplicate municipality labels")

    def one(da: xr.DataArray) -> xr.DataArray:
        axis = da.dims.index("municipality")
        if da.dtype.kind in "USO":  # notation keys: kept where all parts agree
            vals = np.asarray(da.to_numpy()).astype(str)
            cols = []
            for j in range(mat.shape[1]):
                part = np.take(vals, np.flatnonzero(mat[:, j]), axis=axis)
                first = np.take(part, [0], axis=axis)
                same = (part == first).all(axis=axis, keepdims=True)
                cols.append(np.where(same, first, ""))
            data = np.concatenate(cols, axis=axis)
        else:
            missing = _check_finite(da, "aggregate")
            values = np.asarray(da.to_numpy())
            data = np.moveaxis(_group_sum(values, axis, mat, partial=False) if missing
                               else contract(values, axis, mat), -1, axis)
            whole = values.sum(axis=axis)
            parts = data.sum(axis=axis)
            if not np.allclose(parts, whole, rtol=1e-9, equal_nan=True,
                               atol=1e-9 * max(1.0, np.abs(np.nan_to_num(whole)).max(initial=0.0))):
                raise AlignmentError(f"aggregate: {dim} totals do not sum to the whole")
        dims = [dim if d == "municipality" else d for d in da.dims]
        coords = keep_coords(da, [d for d in da.dims if d != "municipality"])
        coords[dim] = label_arr
        coords.update(extra)
        return xr.DataArray(data, coords=coords, dims=dims, attrs=dict(da.attrs))

    note = f"sum of municipalities to {dim}" + ("" if complete else " (may be partial)")
    if isinstance(x, xr.Dataset):
        out = xr.Dataset({n: one(v) for n, v in x.data_vars.items() if "municipality" in v.dims},
                         attrs=dict(x.attrs))
        out.attrs["aggregation"] = note
        return out
    res = one(x)
    res.attrs["aggregation"] = note
    return res


def _population_array(population: Any, x: xr.DataArray | xr.Dataset) -> xr.DataArray:
    """``population`` as the population form, refused if ``x`` has an entity dim it lacks.

    A plain mapping is ``{year: people}`` (the documented form of :func:`per_capita`).
    """
    pop = as_population(population, dim="year" if isinstance(population, Mapping) else None)
    require_entity_dims(pop, x, what="emissions")
    return pop


def per_capita(x: xr.DataArray | xr.Dataset, population: Any) -> Any:
    """Divide by population, with exact alignment (every label of ``x`` needs a population).

    Parameters
    ----------
    x
        Emissions with any of the dims of ``population`` (e.g. municipality, region, year).
    population
        People, by some of x's dims: a DataArray, a Series (index named after the dims), a frame
        with a ``population`` column, a mapping ``{year: people}`` or a number. klimacore ships
        no population table (Statistics Denmark FOLK1A is the source).

    Examples
    --------
    >>> import xarray as xr
    >>> da = xr.DataArray([227000.0, 233000.0], dims="year", coords={"year": [2019, 2024]},
    ...                   attrs={"units": "t"})
    >>> out = per_capita(da, {2019: 22700, 2024: 23300})
    >>> out.to_numpy().tolist(), out.attrs["units"]
    ([10.0, 10.0], 't per capita')
    >>> per_capita(da, {2019: 22700})
    Traceback (most recent call last):
    ...
    klimacore.errors.MissingLabelError: missing population for year: 2024
    """
    import xarray as xr

    pop = _population_array(population, x)
    for d in [d for d in pop.dims if d not in x.dims and d in x.coords and x[d].ndim == 0]:
        label = x[d].item()  # a scalar coordinate, e.g. after x.sel(year=2024)
        raise_problems([("population", str(d),
                         [] if label in pop[d].to_numpy().tolist() else [label])])
        pop = pop.sel({d: label}, drop=True)
    extra = [d for d in pop.dims if d not in x.dims]
    if extra:
        raise DataError(f"population has dims {extra} that the emissions do not have "
                        f"(dims {list(x.dims)})")
    missing = []
    for d in pop.dims:
        have = set(pop[d].to_numpy().tolist())
        missing.append(("population", str(d), [v for v in x[d].to_numpy().tolist() if v not in have]))
    raise_problems(missing)
    pop = pop.sel({d: x[d].to_numpy() for d in pop.dims})
    vals = np.asarray(pop.to_numpy())
    if np.isnan(vals).any():
        idx = np.argwhere(np.isnan(vals))[:20]
        cells = [tuple(_py(pop[d].to_numpy()[i]) for d, i in zip(pop.dims, r, strict=True)) for r in idx]
        raise_problems([(f"population for ({', '.join(map(str, pop.dims))})", "cell", cells)])
    if (vals <= 0).any():
        raise ValidationError("population must be positive")

    def one(da: xr.DataArray) -> xr.DataArray:
        out = da / pop
        out = out.transpose(*da.dims)
        out.attrs = dict(da.attrs)
        out.attrs["units"] = f"{da.attrs.get('units', 't')} per capita"
        return out

    if isinstance(x, xr.Dataset):
        res = x.copy()
        for n in x.data_vars:
            v = x[n]
            if v.dtype.kind in "fiu" and set(pop.dims) <= set(v.dims):
                res[n] = one(v)
        res.attrs["per_capita"] = "numeric variables divided by population"
        return res
    return one(x)


__all__ = ["GROUPINGS", "aggregate", "gpc_totals", "per_capita", "totals"]
