"""Emissions = activity × emission factor, CO2e under a GWP set (internal)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore._deprecation import renamed_parameter
from klimacore.errors import ValidationError
from klimacore.forms import Activity
from klimacore.forms import as_activity as to_activity
from klimacore.forms._gpc import UNKNOWN_CATEGORIES, unknown_categories
from klimacore.territorial._factors import FactorTable, factor_table
from klimacore.territorial._labels import BIOGENIC_CO2, membership, raise_problems
from klimacore.territorial._sectors import origin_weights
from klimacore.units import DEFAULT_GWP_METRIC, check_gwp_metric, conversion_factor, gwp_vector

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    ActivityLike = pd.DataFrame | xr.DataArray | xr.Dataset
    FactorsLike = pd.DataFrame | xr.DataArray

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Prepared:
    """Activity and factors checked against each other, ready for the arithmetic."""

    act: Activity
    matrix: Array | None  # fast case: (fuel, gas), t per unit of the activity as given
    factors: xr.DataArray | None  # general case: (fuel, gas, extra…) aligned to the activity
    gases: tuple[str, ...]


def prepare(act: Activity, factors: FactorsLike | FactorTable, *,
            gases: Sequence[str] | None = None, context: str = "emissions") -> Prepared:
    """Check activity against factors; name every missing label and unit problem together."""
    table = factor_table(factors, gases=gases)
    da = act.data
    missing: list[tuple[str, str, Sequence[object]]] = []
    unit_problems: list[str] = []
    bad: list[Any] = []
    if "category" in da.dims:
        bad = unknown_categories(da.get_index("category").tolist())
        missing.append((UNKNOWN_CATEGORIES, "category", bad))
    fuels = act.fuels
    fac_pos = {f: i for i, f in enumerate(table.fuels)}
    missing.append(("emission factor (unknown fuels)", "fuel", [f for f in fuels if f not in fac_pos]))
    extra = dict(table.extra)
    shared = [d for d in extra if d in da.dims]
    sel: dict[str, Array] = {}
    for d in shared:
        pos = {v: i for i, v in enumerate(extra[d].tolist())}
        labels = da.get_index(d).tolist()
        unknown = bad if d == "category" else []  # unknown GPC categories: named above
        missing.append((f"emission factor for {d}", d,
                        [v for v in labels if v not in pos and v not in unknown]))
        sel[d] = np.array([pos.get(v, -1) for v in labels], dtype=np.intp)
    known = [f for f in fuels if f in fac_pos]
    if known and not any(m[2] for m in missing[2:]):
        sub = table.data[[fac_pos[f] for f in known]]
        for d in shared:
            sub = np.take(sub, sel[d], axis=2 + list(extra).index(d))
        gas_idx = [i for i, g in enumerate(table.gases) if g != BIOGENIC_CO2]
        nan = np.isnan(sub[:, gas_idx])
        if nan.any() and shared:  # a factor nobody uses (zero activity) may be missing
            nan &= _used_cells(da, known, shared, list(extra))
        if nan.any():
            names = ["fuel", "gas", *extra]
            labels_of = [known, [table.gases[i] for i in gas_idx],
                         *[(da.get_index(d).tolist() if d in sel else extra[d].tolist())
                           for d in extra]]
            cells = sorted({tuple(_py(labels_of[k][i]) for k, i in enumerate(idx))
                            for idx in zip(*np.nonzero(nan), strict=True)}, key=str)
            missing.append((f"emission factor for ({', '.join(names)})", "fuel × gas", cells))
    scale = np.ones(len(fuels))
    for i, (f, u) in enumerate(zip(fuels, act.units, strict=True)):
        if f in fac_pos:
            den = table.dens[fac_pos[f]]
            try:
                scale[i] = 1.0 if u == den else conversion_factor(u, den)
            except Exception as exc:
                unit_problems.append(f"fuel {f!r}: activity in {u!r}, emission factor per {den!r} "
                                     f"({exc})")
    raise_problems(missing, unit_problems, context=context)
    values = table.data[[fac_pos[f] for f in fuels]]
    for d in shared:
        values = np.take(values, sel[d], axis=2 + list(extra).index(d))
    values = np.where(np.isnan(values), 0.0, values)  # only CO2_biogenic can be NaN here
    values = values * scale.reshape((-1,) + (1,) * (values.ndim - 1))
    if not extra:
        return Prepared(act, values, None, table.gases)
    import xarray as xr

    coords: dict[str, Any] = {"fuel": da.get_index("fuel"), "gas": np.asarray(table.gases)}
    for d, extra_labels in extra.items():
        coords[d] = da.get_index(d) if d in sel else extra_labels
    fac = xr.DataArray(values, coords=coords, dims=["fuel", "gas", *extra])
    return Prepared(act, None, fac, table.gases)


def _used_cells(da: xr.DataArray, fuels: Sequence[Any], shared: Sequence[str],
                extra: Sequence[str]) -> Array:
    """Mask over (fuel, 1, *extra) of the cells where the activity is non-zero (or NaN).

    Factors that vary by a dimension the activity shares (e.g. ``category``) may be missing where
    no activity uses them: a dense activity array holds zeros for every fuel in every category.
    """
    plain = da.drop_vars("unit") if "unit" in da.coords else da
    nonzero = plain.sel(fuel=list(fuels)) != 0
    other = [d for d in nonzero.dims if d not in ("fuel", *shared)]
    used = (nonzero.any(other) if other else nonzero).transpose("fuel", *shared)
    mask = np.asarray(used.data, dtype=bool)[:, None]
    for axis, d in enumerate(extra):
        if d not in shared:
            mask = np.expand_dims(mask, 2 + axis)
    return mask


def _along(values: Array, dim: str, labels: Any) -> xr.DataArray:
    import xarray as xr

    return xr.DataArray(values, dims=dim, coords={dim: labels})


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def contract(a: Array, axis: int, f: Array) -> Array:
    """Sum ``a`` over ``axis`` against the first axis of ``f`` (result: other axes, then f's)."""
    if axis == a.ndim - 1 and a.flags.c_contiguous:
        flat = a.reshape(-1, a.shape[-1])
        out: Array = np.dot(flat, f) if f.ndim == 1 else flat @ f  # the faster BLAS call of each
        return out.reshape(a.shape[:-1] + f.shape[1:])
    return np.tensordot(a, f, axes=([axis], [0]))


def keep_coords(src: xr.DataArray, dims: Sequence[Hashable]) -> dict[str, Any]:
    """Coordinates of ``src`` (dimension and non-dimension) that live on ``dims`` only.

    They are passed on as xarray Variables (no copy of the labels).
    """
    out: dict[str, Any] = {}
    wanted = set(dims)
    for name, var in src.coords.variables.items():
        if name != "unit" and set(var.dims) <= wanted:
            out[str(name)] = var
    return out


@cache
def _group_index(dim: str, labels: tuple[Any, ...]) -> Any:
    """A (cached, immutable) xarray index over group labels such as sectors."""
    import pandas as pd
    from xarray.indexes import PandasIndex

    arr = np.asarray(labels)
    return PandasIndex(pd.Index(arr, dtype=object), dim, coord_dtype=arr.dtype)


def result_coords(src: xr.DataArray, keep: Sequence[Hashable], dim: str,
                  labels: Sequence[Any], extra: Mapping[str, Sequence[Any]]
                  ) -> tuple[dict[Hashable, Any], dict[Hashable, Any]]:
    """Coordinate variables and indexes of a result: ``src``'s on ``keep`` (indexes reused, not
    rebuilt) plus a new ``dim`` with ``labels`` and ``extra`` coordinates along it."""
    import xarray as xr

    wanted = set(keep)
    variables: dict[Hashable, Any] = {}
    indexes: dict[Hashable, Any] = {}
    src_indexes = src.xindexes
    for name, var in src.coords.variables.items():
        if name != "unit" and set(var.dims) <= wanted:
            variables[name] = var.copy(deep=False)
            if name in src_indexes:
                indexes[name] = src_indexes[name]
    index = _group_index(dim, tuple(labels))
    variables.update(index.create_variables())
    indexes[dim] = index
    for name, vals in extra.items():
        variables[name] = xr.Variable(dim, np.asarray(vals))
    return variables, indexes


def new_dataarray(data: Array, dims: Sequence[Hashable],
                  coords: tuple[dict[Hashable, Any], dict[Hashable, Any]],
                  attrs: Mapping[str, Any]) -> xr.DataArray:
    """A DataArray around ``data`` without re-validating or deep-copying the coordinates.

    ``coords`` (variables, indexes) must be fresh and consistent with ``dims``, as
    :func:`result_coords` builds them. Uses xarray's internal fast path when it is there, else
    the public constructor (same result, slower).
    """
    import xarray as xr

    variables, indexes = coords
    variable = xr.Variable(tuple(dims), data, dict(attrs))
    try:
        return xr.DataArray(variable, coords=variables, indexes=indexes, fastpath=True)
    except (TypeError, AssertionError):  # pragma: no cover - a future xarray without it
        return xr.DataArray(data, coords=xr.Coordinates(variables, indexes=indexes),
                            dims=tuple(dims), attrs=dict(attrs))


def check_finite(result: Array, act: xr.DataArray) -> None:
    """Raise naming activity cells that are NaN or infinite (never a silent NaN in results)."""
    if np.isfinite(result.sum()):
        return
    values = np.asarray(act.data)
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    idx = np.argwhere(bad)[:20]
    cells = [{str(d): _py(act.get_index(d)[i]) for d, i in zip(act.dims, row, strict=True)}
             for row in idx]
    raise ValidationError(f"{int(bad.sum())} activity value(s) are NaN or infinite",
                          problems=[str(c) for c in cells])


def mask_unreported(out: xr.DataArray, reported: xr.DataArray | None) -> xr.DataArray:
    """``out`` with NaN in the cells nobody reported (``reported`` False); unchanged if None."""
    if reported is None:
        return out
    masked = out.where(reported)
    return masked.transpose(*out.dims) if masked.dims != out.dims else masked


def add_reported(a: xr.DataArray, b: xr.DataArray) -> xr.DataArray:
    """``a + b`` where a cell missing (NaN) in one counts as nothing from it; NaN where both are.

    Two sources of one inventory (fuel combustion and direct entries, say) each report some
    cells: a cell either reported stays reported, a cell neither reported stays missing.
    """
    total = a.fillna(0.0) + b.fillna(0.0)
    return total.where(a.notnull() | b.notnull())  # noqa: PD004 (xarray)


def compute(prep: Prepared, *, by_fuel: bool = False) -> xr.DataArray:
    """Emissions per gas (t) from prepared activity and factors."""
    import xarray as xr

    act = prep.act.data
    if prep.matrix is not None:
        a = np.asarray(act.data)
        axis = act.dims.index("fuel")
        if by_fuel:
            shape = [1] * a.ndim + [len(prep.gases)]
            shape[axis] = a.shape[axis]
            data = a[..., None] * prep.matrix.reshape(shape)
            dims = [*act.dims, "gas"]
        else:
            data = contract(a, axis, prep.matrix)
            dims = [d for d in act.dims if d != "fuel"] + ["gas"]
        check_finite(data, act)
        # coordinates reused from the activity (no copy, no re-validation), a new gas index
        out = new_dataarray(data, dims, result_coords(act, dims[:-1], "gas", prep.gases, {}),
                            {})
    else:
        assert prep.factors is not None
        plain = prep.act.plain()
        out = plain * prep.factors if by_fuel else xr.dot(plain, prep.factors, dim="fuel")
        lead = [d for d in act.dims if d in out.dims and (by_fuel or d != "fuel")]
        rest = [d for d in out.dims if d not in lead and d != "gas"]
        out = out.transpose(*lead, *rest, "gas")
        check_finite(np.asarray(out.data), act)
    out = mask_unreported(out, prep.act.reported)
    out.attrs = {"units": "t", "long_name": "emissions by gas"}
    return out


def emissions(
    activity: ActivityLike,
    factors: FactorsLike,
    *,
    gases: Sequence[str] | None = None,
    by_fuel: bool = False,
) -> xr.DataArray:
    """Emissions by gas in tonnes: activity × emission factor, summed over fuel.

    Parameters
    ----------
    activity
        Activity data (see :func:`activity_array`): a tidy frame with mixed units per row, a
        DataArray with a ``fuel`` dim and units, or a Dataset of one variable per fuel. Any extra
        dimension (``scenario``, ``draw``…) is carried through.
    factors
        Emission factors by fuel × gas (see :func:`emission_factors`), optionally also by
        ``year``, ``municipality`` or any other dimension shared with the activity.
    gases
        Compute only these gases.
    by_fuel
        Keep the ``fuel`` dimension instead of summing over it.

    Returns
    -------
    xarray.DataArray
        Dims of the activity without ``fuel`` (unless ``by_fuel``), then any factor-only dims,
        then ``gas``; ``attrs["units"] == "t"``. Biogenic CO2 is the gas ``CO2_biogenic`` (a memo
        item that :func:`co2e` leaves out).

    Raises
    ------
    MissingLabelError
        Unknown GPC categories, fuels without factors, (fuel, gas) pairs or years without a
        factor: every one is named.
    UnitError
        Activity in a unit that cannot be converted to its factor's (e.g. litres against GJ).

    Examples
    --------
    >>> import pandas as pd
    >>> act = pd.DataFrame({"municipality": 727, "year": 2019, "category": ["I.1.1", "II.1.1"],
    ...                     "fuel": ["natural_gas", "diesel"], "value": [1000.0, 2.0],
    ...                     "unit": ["GJ", "TJ"]})
    >>> fac = pd.DataFrame({"fuel": ["natural_gas", "diesel"], "gas": "CO2",
    ...                     "value": [56.69, 74.0], "unit": "kg/GJ"})
    >>> e = emissions(act, fac)
    >>> e.dims, e.sel(gas="CO2").to_numpy().round(2).tolist()
    (('municipality', 'year', 'category', 'gas'), [[[56.69, 148.0]]])
    """
    act, keys = to_activity(activity)
    if keys is not None:
        raise ValidationError(f"activity has {len(keys)} notation-key row(s); use inventory()")
    if act is None:
        raise ValidationError("activity has no rows")
    return compute(prepare(act, factors, gases=gases), by_fuel=by_fuel)


@renamed_parameter("metric", "gwp_metric", since="0.2", removed_in="0.3")
def co2e_totals(
    activity: ActivityLike,
    factors: FactorsLike,
    *,
    by: str = "sector",
    gwp_metric: str = DEFAULT_GWP_METRIC,
) -> xr.DataArray:
    """CO2e totals straight from activity data, without the per-gas intermediate.

    The GWP values are folded into the factors and the category → group membership into the
    same product, so the activity array is read once and nothing of its size is allocated. Use
    :func:`inventory` when you also need emissions by gas, notation keys or scope 2 methods.
    As in :func:`inventory`, methane is weighed by the fuel's origin under AR6 GWP100 where the
    factors state it (a ``methane_origin`` coordinate, as the default factors have).

    Parameters
    ----------
    activity, factors
        As for :func:`emissions`; the activity must have a ``category`` dim.
    by
        ``"sector"``, ``"subsector"``, ``"scope"``, ``"gpc"`` (BASIC, BASIC+, territorial),
        ``"plan_sector"`` or ``"category"`` (no grouping).
    gwp_metric
        GWP set, recorded in ``attrs["gwp_metric"]`` (the keyword ``metric=`` is deprecated).

    Examples
    --------
    >>> import pandas as pd
    >>> act = pd.DataFrame({"year": 2019, "category": ["I.1.1", "I.4.4", "II.1.1"],
    ...                     "fuel": "natural_gas", "value": [1.0, 2.0, 4.0], "unit": "TJ"})
    >>> fac = pd.DataFrame({"fuel": "natural_gas", "gas": ["CO2", "CH4"],
    ...                     "value": [56.69, 5.0], "unit": ["kg/GJ", "g/GJ"]})
    >>> t = co2e_totals(act, fac, by="gpc")
    >>> t.sel(year=2019).to_numpy().round(3).tolist()   # BASIC leaves out I.4.4
    [284.15, 284.15, 397.81]
    """
    import xarray as xr

    metric = check_gwp_metric(gwp_metric)
    activity_, keys = to_activity(activity)
    if keys is not None:
        raise ValidationError(f"activity has {len(keys)} notation-key row(s); use inventory()")
    if activity_ is None:
        raise ValidationError("activity has no rows")
    act = activity_.data
    if "category" not in act.dims:
        raise ValidationError(f"co2e_totals needs a 'category' dimension (dims {list(act.dims)})")
    table = factor_table(factors)  # the factor form, built once
    prep = prepare(activity_, table, context="co2e_totals")
    w = gwp_vector(prep.gases, metric, memo=(BIOGENIC_CO2,))
    by_fuel = origin_weights(table, activity_.fuels, prep.gases, w, metric)  # AR6 CH4 origin
    cats = tuple(str(c) for c in act.get_index("category").tolist())
    extra: dict[str, tuple[Any, ...]] = {}
    if by == "category":
        labels, mat = cats, np.eye(len(cats))
    else:
        labels, extra, mat = membership(cats, by)
    dim = "total" if by == "gpc" else by
    by_category = (prep.factors is not None  # factors by category only (the defaults): fast too
                   and sorted(map(str, prep.factors.dims)) == ["category", "fuel", "gas"])
    if prep.matrix is None and not by_category:  # factors with other extra dims: labelled path
        assert prep.factors is not None
        if by_fuel is None:
            fco2e = xr.dot(prep.factors, _along(w, "gas", np.asarray(prep.gases)), dim="gas")
        else:
            weights = xr.DataArray(by_fuel, dims=("fuel", "gas"),
                                   coords={"fuel": prep.factors.get_index("fuel"),
                                           "gas": np.asarray(prep.gases)})
            fco2e = xr.dot(prep.factors, weights, dim="gas")
        per_cat = xr.dot(activity_.plain(), fco2e, dim="fuel")
        if by == "category":  # no grouping (a membership matrix would repeat the dim name)
            out = per_cat
        else:
            m = xr.DataArray(mat, dims=("category", dim),
                             coords={"category": list(cats), dim: list(labels)})
            out = xr.dot(per_cat, m, dim="category")
        out = out.transpose(*[d if d != "category" else dim for d in act.dims if d != "fuel"],
                            *[d for d in out.dims if d not in act.dims and d != dim])
        check_finite(np.asarray(out.data), act)
    else:
        weights_fg = w[None, :] if by_fuel is None else by_fuel
        if prep.matrix is not None:  # (fuel,) t CO2e per activity unit: GWP folded in
            f = prep.matrix @ w if by_fuel is None else (prep.matrix * by_fuel).sum(axis=1)
        else:  # (fuel, category) t CO2e per activity unit, categories in the activity's order
            assert prep.factors is not None
            fac = prep.factors.transpose("fuel", "gas", "category").to_numpy()
            f = np.einsum("fgc,fg->fc", fac, weights_fg)
        a = np.asarray(act.data)
        fi = act.dims.index("fuel")
        cdims = [d for d in act.dims if d != "fuel"]
        ci = cdims.index("category")
        dims = [dim if d == "category" else d for d in cdims]
        shape = tuple(len(labels) if d == dim else act.sizes[d] for d in dims)
        # the result object is built first, while caches are warm; the products fill its buffer
        buf = np.empty(shape)
        out = new_dataarray(buf, dims, result_coords(act, [d for d in dims if d != dim], dim,
                                                     labels, extra), {})
        if f.ndim == 1:
            per_cat = contract(a, fi, f)  # CO2e by (…, category): a matrix-vector product
        else:  # factors by category: a per-category dot product over fuel
            ca = act.dims.index("category")
            per_cat = np.moveaxis(np.einsum("...cf,fc->...c", np.moveaxis(a, (ca, fi), (-2, -1)),
                                            f), -1, ci)
        if ci == per_cat.ndim - 1:  # category → group membership product, into the result
            np.dot(per_cat.reshape(-1, mat.shape[0]), mat, out=buf.reshape(-1, mat.shape[1]))
        else:
            buf[...] = np.moveaxis(contract(per_cat, ci, mat), -1, ci)
        check_finite(buf, act)
    result: xr.DataArray = out
    if activity_.reported is not None:  # a group none of whose cells was reported is missing
        rep = activity_.reported.astype(float)
        if by != "category":
            rep = xr.dot(rep, xr.DataArray(mat, dims=("category", dim),
                                           coords={"category": list(cats), dim: list(labels)}),
                         dim="category")
        result = result.where(rep > 0).transpose(*result.dims)
    result.attrs = {"units": "t", "long_name": f"CO2-equivalent emissions by {dim}",
                    "gwp_metric": metric}
    return result
