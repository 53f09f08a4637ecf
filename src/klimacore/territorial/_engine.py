"""Emissions = activity × emission factor, CO2e under a GWP set (internal)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import UnknownGasError, ValidationError
from klimacore.territorial._activity import to_activity
from klimacore.territorial._factors import emission_factors, split_rate_unit
from klimacore.territorial._labels import BIOGENIC_CO2, gpc, membership, raise_problems
from klimacore.units import DEFAULT_GWP_METRIC, conversion_factor, gwp

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    ActivityLike = pd.DataFrame | xr.DataArray | xr.Dataset
    FactorsLike = pd.DataFrame | xr.DataArray

Array = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Prepared:
    """Activity and factors checked against each other, ready for the arithmetic."""

    act: xr.DataArray  # (…, fuel), as given
    factors: xr.DataArray | None  # general case: (fuel, gas, extra…) aligned, in t per activity unit
    matrix: Array | None  # fast case: (fuel, gas) in t per activity unit
    gases: tuple[str, ...]


def prepare(
    act: xr.DataArray, factors: FactorsLike, *, gases: Sequence[str] | None = None,
    context: str = "emissions",
) -> Prepared:
    """Check activity against factors; name every missing label and unit problem together."""
    fac = emission_factors(factors, gases=gases)
    missing: list[tuple[str, str, Sequence[object]]] = []
    unit_problems: list[str] = []
    if "category" in act.dims:
        index = gpc().index
        bad = [c for c in act["category"].to_numpy().tolist() if c not in index]
        missing.append(("GPC reference number (unknown categories; see "
                        "reference.gpc_categories())", "category", bad))
    fuels = act["fuel"].to_numpy().tolist()
    fac_fuels = {f: i for i, f in enumerate(fac["fuel"].to_numpy().tolist())}
    missing.append(("emission factor (unknown fuels)", "fuel", [f for f in fuels if f not in fac_fuels]))
    shared = [d for d in fac.dims if d not in ("fuel", "gas") and d in act.dims]
    for d in shared:
        have = set(fac[d].to_numpy().tolist())
        missing.append((f"emission factor for {d}", d,
                        [v for v in act[d].to_numpy().tolist() if v not in have]))
    known = [f for f in fuels if f in fac_fuels]
    gas_labels = tuple(str(g) for g in fac["gas"].to_numpy().tolist())
    if known and not any(m[2] for m in missing[2:]):
        sub = fac.isel(fuel=[fac_fuels[f] for f in known])
        for d in shared:
            sub = sub.sel({d: act[d].to_numpy()})
        # a missing CO2_biogenic factor means no biogenic CO2; every other gas must be given
        check = sub.sel(gas=[g for g in gas_labels if g != BIOGENIC_CO2])
        nan = np.isnan(check.to_numpy())
        if nan.any():
            dims = check.dims
            cells = {tuple(_py(check[d].to_numpy()[i]) for d, i in zip(dims, idx, strict=True))
                     for idx in zip(*np.nonzero(nan), strict=True)}
            order = ["fuel", "gas", *[d for d in dims if d not in ("fuel", "gas")]]
            pos = [dims.index(d) for d in order]
            pairs = sorted({tuple(c[p] for p in pos) for c in cells}, key=str)
            missing.append((f"emission factor for ({', '.join(order)})", "fuel × gas", pairs))
    act_units = act["unit"].to_numpy().tolist()
    fac_units = fac["unit"].to_numpy().tolist()
    scale = np.ones(len(fuels))
    for i, (f, u) in enumerate(zip(fuels, act_units, strict=True)):
        if f not in fac_fuels:
            continue
        den = split_rate_unit(fac_units[fac_fuels[f]])[1]
        try:
            scale[i] = conversion_factor(u, den)
        except Exception as exc:
            unit_problems.append(f"fuel {f!r}: activity in {u!r}, emission factor per {den!r} ({exc})")
    raise_problems(missing, unit_problems, context=context)
    fidx = [fac_fuels[f] for f in fuels]
    if fac.dims == ("fuel", "gas"):
        mat = fac.to_numpy()[fidx]
        mat = np.where(np.isnan(mat), 0.0, mat)  # only CO2_biogenic can be NaN here
        return Prepared(act, None, mat * scale[:, None], gas_labels)
    sub = fac.isel(fuel=fidx).assign_coords(fuel=act["fuel"].to_numpy())
    for d in shared:
        sub = sub.sel({d: act[d].to_numpy()})
    sub = sub.fillna(0.0) * _along(scale, "fuel", act["fuel"].to_numpy())
    return Prepared(act, sub.drop_vars("unit", errors="ignore"), None, gas_labels)


def _along(values: Array, dim: str, labels: Array) -> xr.DataArray:
    import xarray as xr

    return xr.DataArray(values, dims=dim, coords={dim: labels})


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else v


def contract(a: Array, axis: int, f: Array) -> Array:
    """Sum ``a`` over ``axis`` against the first axis of ``f`` (result: other axes, then f's)."""
    if axis == a.ndim - 1 and a.flags.c_contiguous:
        out: Array = a.reshape(-1, a.shape[-1]) @ f
        return out.reshape(a.shape[:-1] + f.shape[1:])
    return np.tensordot(a, f, axes=([axis], [0]))


def keep_coords(src: xr.DataArray, dims: Sequence[str]) -> dict[str, Any]:
    """Coordinates of ``src`` (dimension and non-dimension) that live on ``dims`` only."""
    out: dict[str, Any] = {}
    for name, c in src.coords.items():
        if set(c.dims) <= set(dims):
            out[str(name)] = (c.dims, c.to_numpy()) if name not in src.dims else c.to_numpy()
    return out


def check_finite(result: Array, act: xr.DataArray) -> None:
    """Raise naming activity cells that are NaN or infinite (never a silent NaN in results)."""
    if np.isfinite(result.sum()):
        return
    bad = ~np.isfinite(act.to_numpy())
    if not bad.any():
        return
    idx = np.argwhere(bad)[:20]
    cells = [{d: _py(act[d].to_numpy()[i]) for d, i in zip(act.dims, row, strict=True)} for row in idx]
    raise ValidationError(f"{int(bad.sum())} activity value(s) are NaN or infinite",
                          problems=[str(c) for c in cells])


def compute(prep: Prepared, *, by_fuel: bool = False) -> xr.DataArray:
    """Emissions per gas (t) from prepared activity and factors."""
    import xarray as xr

    act = prep.act
    if prep.matrix is not None:
        a = np.asarray(act.to_numpy())
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
        coords = keep_coords(act, dims)
        coords.pop("unit", None)
        coords["gas"] = np.asarray(prep.gases)
        out = xr.DataArray(data, coords=coords, dims=dims)
    else:
        assert prep.factors is not None
        plain = act.drop_vars("unit")
        out = plain * prep.factors if by_fuel else xr.dot(plain, prep.factors, dim="fuel")
        lead = [d for d in act.dims if d in out.dims and (by_fuel or d != "fuel")]
        rest = [d for d in out.dims if d not in lead and d != "gas"]
        out = out.transpose(*lead, *rest, "gas")
        check_finite(np.asarray(out.to_numpy()), act)
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


def gwp_weights(gases: Sequence[str], metric: str) -> Array:
    """GWP per gas label; ``CO2_biogenic`` weighs 0 (memo item); unknown gases all named."""
    weights = np.zeros(len(gases))
    bad: list[str] = []
    for i, g in enumerate(gases):
        if g == BIOGENIC_CO2:
            continue
        try:
            weights[i] = gwp(g, metric)
        except UnknownGasError:
            bad.append(g)
    if bad:
        raise UnknownGasError(f"GWP in {metric}", bad, dim="gas")
    return weights


def co2e_of(per_gas: xr.DataArray, metric: str) -> xr.DataArray:
    """Sum a per-gas DataArray to CO2e with ``metric`` (CO2_biogenic left out)."""
    import xarray as xr

    gases = [str(g) for g in per_gas["gas"].to_numpy().tolist()]
    w = gwp_weights(gases, metric)
    axis = per_gas.dims.index("gas")
    data = contract(np.asarray(per_gas.to_numpy()), axis, w)
    dims = [d for d in per_gas.dims if d != "gas"]
    out = xr.DataArray(data, coords=keep_coords(per_gas, dims), dims=dims)
    out.attrs = {"units": per_gas.attrs.get("units", "t"), "long_name": "CO2-equivalent emissions",
                 "gwp_metric": metric}
    if BIOGENIC_CO2 in gases:
        out.attrs["memo_excluded"] = BIOGENIC_CO2
    return out


def co2e_totals(
    activity: ActivityLike,
    factors: FactorsLike,
    *,
    by: str = "sector",
    metric: str = DEFAULT_GWP_METRIC,
) -> xr.DataArray:
    """CO2e totals straight from activity data, without the per-gas intermediate.

    The GWP values are folded into the factors and the category → group membership into the
    same product, so the activity array is read once and nothing of its size is allocated. Use
    :func:`inventory` when you also need emissions by gas, notation keys or scope 2 methods.

    Parameters
    ----------
    activity, factors
        As for :func:`emissions`; the activity must have a ``category`` dim.
    by
        ``"sector"``, ``"subsector"``, ``"scope"``, ``"gpc"`` (BASIC, BASIC+, territorial),
        ``"plan_sector"`` or ``"category"`` (no grouping).
    metric
        GWP set, recorded in ``attrs["gwp_metric"]``.

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

    act, keys = to_activity(activity)
    if keys is not None:
        raise ValidationError(f"activity has {len(keys)} notation-key row(s); use inventory()")
    if act is None:
        raise ValidationError("activity has no rows")
    if "category" not in act.dims:
        raise ValidationError(f"co2e_totals needs a 'category' dimension (dims {list(act.dims)})")
    prep = prepare(act, factors, context="co2e_totals")
    w = gwp_weights(prep.gases, metric)
    cats = tuple(str(c) for c in act["category"].to_numpy().tolist())
    if by == "category":
        labels, extra, mat = cats, {}, np.eye(len(cats))
    else:
        labels, extra, mat = membership(cats, by)
    dim = "total" if by == "gpc" else by
    if prep.matrix is None:  # factors with extra dims: the labelled path
        assert prep.factors is not None
        fco2e = xr.dot(prep.factors, _along(w, "gas", np.asarray(prep.gases)), dim="gas")
        per_cat = xr.dot(act.drop_vars("unit"), fco2e, dim="fuel")
        m = xr.DataArray(mat, dims=("category", dim), coords={"category": list(cats), dim: list(labels)})
        out = xr.dot(per_cat, m, dim="category")
        out = out.transpose(*[d if d != "category" else dim for d in act.dims if d != "fuel"],
                            *[d for d in out.dims if d not in act.dims and d != dim])
        check_finite(np.asarray(out.to_numpy()), act)
    else:
        f = prep.matrix @ w  # (fuel,) t CO2e per activity unit
        a = np.asarray(act.to_numpy())
        ci, fi = act.dims.index("category"), act.dims.index("fuel")
        nd = a.ndim
        if {ci, fi} == {nd - 2, nd - 1} and a.flags.c_contiguous:
            # one product over (category, fuel): W[c, f, g] = M[c, g] * f[f]
            w3 = mat[:, None, :] * f[None, :, None] if ci < fi else f[:, None, None] * mat[None, :, :]
            data = a.reshape(-1, a.shape[-2] * a.shape[-1]) @ w3.reshape(-1, mat.shape[1])
            data = data.reshape((*a.shape[:-2], mat.shape[1]))
            dims = [d for d in act.dims if d not in ("category", "fuel")] + [dim]
        else:
            per_cat = contract(a, fi, f)
            cdims = [d for d in act.dims if d != "fuel"]
            data = np.moveaxis(contract(per_cat, cdims.index("category"), mat), -1,
                               cdims.index("category"))
            dims = [dim if d == "category" else d for d in cdims]
        check_finite(data, act)
        coords = keep_coords(act, [d for d in dims if d != dim])
        coords.pop("unit", None)
        coords[dim] = np.asarray(labels)
        for name, vals in extra.items():
            coords[name] = (dim, np.asarray(vals))
        out = xr.DataArray(data, coords=coords, dims=dims)
    out.attrs = {"units": "t", "long_name": f"CO2-equivalent emissions by {dim}",
                 "gwp_metric": metric}
    return out
