"""The GPC inventory as an xarray Dataset (internal)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore._deprecation import renamed_parameter
from klimacore._version import __version__
from klimacore.errors import DataError, MissingLabelError, ValidationError
from klimacore.forms import Activity
from klimacore.forms import as_activity as to_activity
from klimacore.territorial._engine import (
    add_reported,
    compute,
    new_dataarray,
    prepare,
)
from klimacore.territorial._factors import FactorTable, factor_table
from klimacore.territorial._grid import GridLike, grid_carriers, grid_methods, scope2_emissions
from klimacore.territorial._labels import (
    BIOGENIC_CO2,
    METHOD_DIM,
    gpc_order,
    raise_problems,
)
from klimacore.territorial._sectors import (
    origin_adjustment,
    warn_generation_fuel,
)
from klimacore.territorial._sources import (
    KEY_DIMS,
    check_key_conflicts,
    direct_emissions,
    keys_array,
    sum_aligned,
    union_with_keys,
    zero_where_keyed,
)
from klimacore.units import (
    DEFAULT_GWP_METRIC,
    GWP_METRICS,
    check_gwp_metric,
    gwp_vector,
    to_co2e,
)
from klimacore.units import gases as gases_of

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from klimacore.models import InventoryMeta

_ORDER = ("municipality", "region", "year", "category")


def _activity_with_fuel_check(activity: Any, factors: Any, grid: Any) -> Any:
    """:func:`to_activity`; when the frame has problems, fuels with no factor join them.

    So an empty value, a unit typo, an unknown category and an unknown fuel come in one round.
    """
    import pandas as pd

    from klimacore.errors import KlimacoreError

    try:
        return to_activity(activity)
    except KlimacoreError as exc:
        if not isinstance(activity, pd.DataFrame) or factors is None or "fuel" not in activity:
            raise
        try:
            known = set(factor_table(factors).fuels) | (grid_carriers(grid) if grid else set())
        except KlimacoreError:
            raise exc from None
        unknown = [f for f in dict.fromkeys(activity["fuel"].astype(str)) if f not in known]
        if not unknown:
            raise
        problems = [*(exc.problems or [str(exc)]),
                    str(MissingLabelError("emission factor (unknown fuels)", unknown, dim="fuel"))]
        raise ValidationError(f"activity: {len(problems)} problem(s)", problems=problems) from None


@cache
def _gas_rank() -> dict[str, int]:
    """Position of each gas in the GWP tables (CO2, CH4, N2O, …)."""
    return {g: i for i, g in enumerate(dict.fromkeys(
        g for m in GWP_METRICS for g in gases_of(m)))}


def _canonical(ds: xr.Dataset) -> xr.Dataset:
    """Categories in GPC order, gases in the order of the GWP table (CO2, CH4, N2O, …)."""
    cats = ds.get_index("category").tolist()
    order = gpc_order(cats)
    if order != cats:
        ds = ds.reindex(category=order)
    gas = ds.get_index("gas").tolist()
    rank = _gas_rank()
    gas_order = sorted(gas, key=lambda g: (rank.get(g, len(rank)), g))
    if gas_order != gas:
        ds = ds.reindex(gas=gas_order)
    return ds


def _dataset_of(arrays: Mapping[str, xr.DataArray]) -> xr.Dataset:
    """``xr.Dataset(arrays)``, without aligning again when the arrays already agree.

    The variables of an inventory share their coordinates (same index objects or equal
    indexes, identical other coordinates); then the Dataset is assembled directly from them
    (no alignment, no copies of the labels). Anything else goes through the constructor.
    """
    import xarray as xr

    variables: dict[Hashable, Any] = {}
    indexes: dict[Hashable, Any] = {}
    for arr in arrays.values():
        arr_indexes = arr.xindexes
        for name, var in arr.coords.variables.items():
            idx = arr_indexes.get(name)
            if name not in variables:
                variables[name] = var
                if idx is not None:
                    indexes[name] = idx
                continue
            if idx is not None or name in indexes:
                known = indexes.get(name)
                if idx is None or known is None or not (known is idx or known.equals(idx)):
                    return xr.Dataset(dict(arrays))
            elif not (variables[name] is var or variables[name].identical(var)):
                return xr.Dataset(dict(arrays))
    coord_names = set(variables)
    if coord_names & set(arrays):
        return xr.Dataset(dict(arrays))
    variables.update({name: arr.variable for name, arr in arrays.items()})
    try:
        return xr.Dataset._construct_direct(variables, coord_names, indexes=indexes, attrs={})
    except (AttributeError, TypeError, ValueError):  # pragma: no cover - another xarray
        return xr.Dataset(dict(arrays))


def _coords_on(src: xr.DataArray, dims: Sequence[Hashable]
               ) -> tuple[dict[Hashable, Any], dict[Hashable, Any]]:
    """``src``'s coordinate variables and indexes that live on ``dims`` (shared, not copied)."""
    wanted = set(dims)
    src_indexes = src.xindexes
    variables = {name: var.copy(deep=False) for name, var in src.coords.variables.items()
                 if set(var.dims) <= wanted}
    indexes = {name: src_indexes[name] for name in variables if name in src_indexes}
    return variables, indexes


def _transpose(da: xr.DataArray, last: Sequence[str] = ()) -> xr.DataArray:
    lead = [d for d in _ORDER if d in da.dims]
    tail = [d for d in last if d in da.dims]
    mid = [d for d in da.dims if d not in lead and d not in tail]
    order = [*lead, *mid, *tail]
    return da if list(da.dims) == order else da.transpose(*order)


@renamed_parameter("metric", "gwp_metric", since="0.2", removed_in="0.3")
def inventory(
    activity: pd.DataFrame | xr.DataArray | xr.Dataset | None = None,
    factors: pd.DataFrame | xr.DataArray | None = None,
    *,
    direct: pd.DataFrame | xr.DataArray | None = None,
    grid: GridLike | None = None,
    notation_keys: pd.DataFrame | xr.DataArray | None = None,
    gwp_metric: str | None = None,
    gases: Sequence[str] | None = None,
    meta: InventoryMeta | None = None,
    source: str | None = None,
    release_date: str | None = None,
    boundary: str = "territorial (GPC 1.1)",
    attrs: Mapping[str, Any] | None = None,
) -> xr.Dataset:
    """Build a GPC inventory: emissions by gas, CO2e, biogenic CO2 memo and notation keys.

    Parameters
    ----------
    activity
        Activity data (see :func:`activity_array`): fuel combustion and, for the carriers that
        ``grid`` covers (``electricity``, ``district_heating``), grid-supplied energy. Rows of a
        tidy frame whose value is a notation key (NO, IE, NE, C) become notation keys.
    factors
        Emission factors by fuel × gas (see :func:`emission_factors`,
        :func:`default_emission_factors`).
    direct
        Emissions already known (e.g. agriculture from a national model): a tidy frame
        (…, ``category``, ``gas``, ``value``, ``unit``) or a DataArray with a ``gas`` dim and a
        mass unit. Gas ``CO2e`` entries are kept as CO2e (``co2e_fixed``); others join
        ``emissions`` and are added to computed emissions of the same cell.
    grid
        Scope-2 factor sets (:class:`GridFactorSet`): one set or a list (one per carrier) gives
        one attribution; a mapping ``{label: sets}`` computes every method side by side along a
        ``scope2_method`` dimension.
    notation_keys
        NO/IE/NE/C by (municipality, year, category), as a frame with a ``notation_key`` column or
        a DataArray of strings. A NO/IE/NE cell must have zero emissions.
    gwp_metric
        GWP set for ``co2e`` (recorded in attrs; switch with :func:`co2e`); default
        ``meta.gwp_metric`` or AR5 GWP100. Checked up front, also when nothing is per gas.
        The keyword ``metric=`` is deprecated.
    gases
        The gas basket of the fuel combustion, e.g. ``("CO2", "CH4")``: compute only these
        gases. By default every gas of the factors, which must cover CO2, CH4 and N2O (a table
        without one of them raises naming the gas and the fuels, never an inventory that
        silently lacks it). The basket is recorded in ``attrs["gases"]`` (of the Dataset and
        of ``co2e``).
    meta
        An :class:`klimacore.models.InventoryMeta`: its fields (source, release date, GWP metric,
        boundary, reporting level, …) go into the attrs; an explicit ``gwp_metric`` must agree.
    source, release_date, boundary, attrs
        Provenance recorded in the Dataset's attrs (explicit values win over ``meta``'s).

    Returns
    -------
    xarray.Dataset
        ``emissions`` (…, category, gas) in t; ``co2e`` (…, category[, scope2_method]) in t CO2e;
        ``co2_biogenic`` (memo, outside totals) when any factor has biogenic CO2; ``co2e_fixed``
        (emissions known only as CO2e: grid factors, direct CO2e entries, included in ``co2e``
        under every metric) when there are any; ``notation_key`` (municipality, year, category)
        strings, ``""`` where no key is given. Categories in GPC order. A cell nobody reported
        (no activity row, direct entry or key for it) is NaN in every numeric variable: missing,
        never 0 (a cell keyed NO or IE without a number is 0).

    Examples
    --------
    >>> import pandas as pd
    >>> from klimacore.territorial import default_emission_factors
    >>> act = pd.DataFrame({"municipality": 727, "year": 2019,
    ...     "category": ["I.1.1", "I.1.1", "II.1.1", "I.6.1"],
    ...     "fuel": ["natural_gas", "wood", "diesel", "gas_oil"],
    ...     "value": ["1000", "500", "2000", "NO"], "unit": ["GJ", "GJ", "GJ", ""]})
    >>> inv = inventory(act, default_emission_factors())
    >>> inv["co2e"].sel(category="I.1.1").round(1).to_numpy().tolist()
    [[61.6]]
    >>> float(inv["co2_biogenic"].sum()), str(inv["notation_key"].sel(category="I.6.1").item())
    (56.0, 'NO')
    >>> inv.attrs["gwp_metric"]
    'AR5GWP100'
    """
    import xarray as xr

    from klimacore._lazy import is_lazy

    if gwp_metric is not None:
        check_gwp_metric(gwp_metric)
    if is_lazy(activity):  # dask-backed: the same inventory on every block, nothing computed
        return _lazy_inventory(activity, factors, direct=direct, grid=grid,
                               notation_keys=notation_keys, gwp_metric=gwp_metric, gases=gases,
                               meta=meta, source=source, release_date=release_date,
                               boundary=boundary, attrs=attrs)
    extra_attrs: dict[str, Any] = {}
    if meta is not None:
        if gwp_metric is not None and gwp_metric != meta.gwp_metric:
            raise ValidationError(f"gwp_metric {gwp_metric!r} contradicts meta.gwp_metric "
                                  f"{meta.gwp_metric!r}", code="inventory.gwp_metric",
                                  label=gwp_metric, location="gwp_metric")
        gwp_metric = meta.gwp_metric
        dumped = meta.model_dump(mode="json")
        source = source if source is not None else dumped["source"]
        release_date = release_date if release_date is not None else dumped["release_date"]
        boundary = str(dumped["boundary"])
        extra_attrs.update({f"inventory_{k}": v for k, v in dumped.items()
                            if k not in ("source", "release_date", "gwp_metric", "boundary")})
    metric = check_gwp_metric(DEFAULT_GWP_METRIC if gwp_metric is None else gwp_metric)
    extra_attrs.update(attrs or {})
    gas_parts: list[xr.DataArray] = []
    fixed_parts: list[xr.DataArray] = []
    key_frames: list[pd.DataFrame] = []
    grid_meta: dict[str, Any] = {}
    origin_parts: dict[str, xr.DataArray] = {}
    if activity is not None:
        act, keys = _activity_with_fuel_check(activity, factors, grid)
        if keys is not None:
            key_frames.append(keys)
        if act is not None:
            carriers = grid_carriers(grid) if grid is not None else set()
            fuels = act.fuels
            on_grid = [f for f in fuels if f in carriers]
            burnt = [f for f in fuels if f not in carriers]
            if burnt:
                if factors is None:
                    raise_problems([("emission factors (none given)", "fuel", burnt)])
                assert factors is not None
                sub = act if not on_grid else act.select(burnt)
                table = factor_table(factors)  # the factor form, built once
                chosen = table.select_gases(gases)
                if gases is None:
                    table.check_basket(burnt, context="inventory")
                gas_parts.append(compute(prepare(sub, chosen, context="inventory")))
                warn_generation_fuel(sub.data, sub.units, stacklevel=4)  # user, wrapper, inventory
                origin_parts = _methane_by_origin(sub, chosen)
                extra_attrs.update(_factor_sectors(table, sub))
            if on_grid:
                assert grid is not None
                g, grid_meta = scope2_emissions(act.select(on_grid), grid)
                if not grid_methods(grid)[1]:  # one attribution: no method dimension
                    g = g.isel({METHOD_DIM: 0}, drop=True)
                fixed_parts.append(g)
    if direct is not None:
        gpart, fpart, dkeys = direct_emissions(direct)
        gas_parts += [gpart] if gpart is not None else []
        fixed_parts += [fpart] if fpart is not None else []
        key_frames += [dkeys] if dkeys is not None else []
    keys_da = keys_array(key_frames, notation_keys)
    per_gas = sum_aligned(gas_parts)
    fixed = sum_aligned(fixed_parts)
    if per_gas is None and fixed is None and keys_da is None:
        raise ValidationError("inventory: no activity, direct emissions or notation keys given")
    variables: dict[str, xr.DataArray] = {}
    if per_gas is not None:
        gas_list = per_gas["gas"].to_numpy().tolist()
        if BIOGENIC_CO2 in gas_list:
            variables["co2_biogenic"] = per_gas.sel(gas=BIOGENIC_CO2, drop=True)
            per_gas = per_gas.sel(gas=[g for g in gas_list if g != BIOGENIC_CO2])
        variables["emissions"] = per_gas
    if fixed is not None:
        variables["co2e_fixed"] = fixed
    variables.update(origin_parts)
    names = list(variables)
    objs = list(variables.values())
    if len(objs) > 1:
        objs = list(xr.align(*objs, join="outer", exclude=("gas", METHOD_DIM), fill_value=np.nan))
    if keys_da is not None and objs:
        objs, keys_da = union_with_keys(objs, keys_da)
    variables = dict(zip(names, objs, strict=True))
    if "emissions" not in variables:  # nothing per gas: an empty gas dimension, not fake zeros
        template = variables.get("co2e_fixed", keys_da)
        assert template is not None
        if METHOD_DIM in template.dims:
            template = template.isel({METHOD_DIM: 0}, drop=True)
        variables["emissions"] = (xr.zeros_like(template, dtype=float)
                                  .expand_dims(gas=["CO2"]).isel(gas=slice(0, 0)))
    co2e = _co2e_of_inventory(variables, metric)
    methane_note = co2e.attrs.pop("methane_origin")
    variables["co2e"] = co2e
    if keys_da is not None:
        variables = zero_where_keyed(variables, keys_da)
        co2e = variables["co2e"]
    dims = co2e.dims
    key_dims = [d for d in KEY_DIMS if d in dims]
    if keys_da is None:
        keys_da = new_dataarray(np.full(tuple(co2e.sizes[d] for d in key_dims), "", dtype="<U2"),
                                key_dims, _coords_on(co2e, key_dims), {})
    else:
        absent = [d for d in keys_da.dims if d not in key_dims]
        if absent:
            raise DataError(f"notation keys have dims {absent} that the emissions do not have")
        template = co2e.isel({d: 0 for d in dims if d not in key_dims}, drop=True)
        keys_da = keys_da.broadcast_like(template).transpose(*key_dims).astype("<U2")
        check_key_conflicts(keys_da, co2e)
    variables["notation_key"] = keys_da
    ds = _dataset_of({k: _transpose(v, ("gas", METHOD_DIM)) for k, v in variables.items()})
    ds = _canonical(ds)
    _var_attrs(ds, metric)
    ds["co2e"].attrs["methane_origin"] = methane_note
    ds.attrs = _provenance(metric, source, release_date, boundary, grid, grid_meta, extra_attrs)
    ds.attrs["methane_origin"] = methane_note
    basket = [str(g) for g in ds.get_index("gas").tolist()]
    if basket:  # the gases the inventory covers (CO2e-only entries say nothing of their basket)
        ds.attrs["gases"] = basket
        ds["co2e"].attrs["gases"] = basket
    return ds


def _co2e_of_inventory(variables: xr.Dataset | Mapping[str, xr.DataArray], metric: str
                       ) -> xr.DataArray:
    """``co2e``: per-gas emissions weighed with ``metric``, methane by origin where the factors
    state it, plus the emissions known only as CO2e; a cell no part reported stays NaN.
    ``attrs["methane_origin"]`` says what was done with methane."""
    co2e = _co2e_sum(variables["emissions"], metric)
    if variables["emissions"].sizes["gas"] == 0:  # nothing per gas: no cell reported by gas
        co2e = co2e.where(False)
    adjustment, methane_note = origin_adjustment(variables, metric)
    if adjustment is not None:
        co2e = add_reported(co2e, adjustment).where(co2e.notnull())  # noqa: PD004
    if "co2e_fixed" in variables:
        co2e = add_reported(co2e, variables["co2e_fixed"])
    co2e.attrs["methane_origin"] = methane_note
    return co2e


def _lazy_inventory(activity: Any, factors: Any, **kwargs: Any) -> xr.Dataset:
    """:func:`inventory` of a dask-backed activity array, block by block (lazily).

    ``category`` and ``fuel`` are kept whole; municipality, year and any other dim keep their
    chunks. Direct emissions and notation keys would add cells of their own to every block, so
    they are refused here: build their inventory eagerly and merge.
    """
    from klimacore._lazy import blockwise

    given = [k for k in ("direct", "notation_keys") if kwargs.get(k) is not None]
    if given:
        raise ValidationError(f"inventory: {', '.join(given)} cannot be combined with dask-backed "
                              "activity; build their inventory separately and merge")
    out: xr.Dataset = blockwise(_inventory_block, activity, whole=["category", "fuel"],
                                what="inventory", fill=0.0, factors=factors, kwargs=kwargs)
    return out


def _inventory_block(activity: Any, *, factors: Any, kwargs: dict[str, Any]) -> xr.Dataset:
    return inventory(activity, factors, **kwargs)


def _methane_by_origin(act: Activity, table: FactorTable) -> dict[str, xr.DataArray]:
    """CH4 (t) of the fuels whose origin the factors state: ``ch4_fossil``, ``ch4_non_fossil``."""
    origin = table.origin_of(act.fuels)
    if origin is None or "CH4" not in table.gases:
        return {}
    out: dict[str, xr.DataArray] = {}
    for key, fuels in origin.items():
        if fuels:
            part = compute(prepare(act.select(fuels), table, gases=["CH4"], context="inventory"))
            out[f"ch4_{key}"] = part.sel(gas="CH4", drop=True)
    return out


def _factor_sectors(table: FactorTable, act: Activity) -> dict[str, Any]:
    """The IPCC table behind each category's CH4/N2O defaults, for the inventory's attrs."""
    by_cat = table.attrs.get("ipcc_sector_by_category")
    if not isinstance(by_cat, Mapping) or "category" not in act.data.dims:
        return {}
    used = act.data.get_index("category").tolist()
    return {"emission_factor_sectors": {c: by_cat[c] for c in used if c in by_cat}}


def _var_attrs(ds: xr.Dataset, metric: str) -> None:
    ds["emissions"].attrs = {"units": "t", "long_name": "emissions by gas"}
    ds["co2e"].attrs = {"units": "t", "long_name": "CO2-equivalent emissions", "gwp_metric": metric}
    if "co2_biogenic" in ds:
        ds["co2_biogenic"].attrs = {"units": "t", "long_name": "biogenic CO2 (memo item, outside "
                                    "totals)"}
    if "co2e_fixed" in ds:
        ds["co2e_fixed"].attrs = {"units": "t", "long_name": "emissions known only as CO2e "
                                  "(grid factors, direct CO2e entries); in co2e under every metric"}
    ds["notation_key"].attrs = {"long_name": "GPC notation key (NO, IE, NE, C); '' where reported"}
    for name, origin in (("ch4_fossil", "fossil"), ("ch4_non_fossil", "non-fossil")):
        if name in ds:
            ds[name].attrs = {"units": "t", "long_name": f"CH4 from {origin} fuels (part of "
                              "emissions of gas CH4; weighs by origin under AR6 GWP100)"}


def _provenance(metric: str, source: str | None, release_date: str | None, boundary: str,
                grid: GridLike | None, grid_meta: Mapping[str, Any],
                extra: Mapping[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {"title": "GPC inventory", "gwp_metric": metric, "boundary": boundary,
                           "klimacore_version": __version__}
    if source is not None:
        out["source"] = source
    if release_date is not None:
        out["release_date"] = str(release_date)
    if grid is not None:
        methods, labelled = grid_methods(grid)
        out["scope2_methods"] = {k: [s.describe() for s in v.values()] for k, v in methods.items()}
        if not labelled:
            out["scope2_method"] = next(iter(methods))
    if extra:
        out.update(extra)
    return out


def _co2e_sum(per_gas: xr.DataArray, metric: str) -> xr.DataArray:
    """Per-gas emissions → CO2e summed over gas, through :func:`klimacore.units.to_co2e`
    (``CO2_biogenic`` a memo item; a cell missing in every gas stays missing)."""
    if isinstance(per_gas.data, np.ndarray) and per_gas.dims[-1] == "gas":
        # to_co2e(total=True)'s product (units.gwp_vector's weights, one BLAS call), on the
        # coordinates of per_gas (no copies, the same indexes: the Dataset needs no alignment)
        weights = gwp_vector(per_gas.get_index("gas"), metric, memo=(BIOGENIC_CO2,))
        values = np.ascontiguousarray(per_gas.data, dtype=float)
        # as a 2-D gemv: np.dot of an N-d array runs a dot per row, ~8x slower
        data = np.dot(values.reshape(-1, values.shape[-1]), weights).reshape(values.shape[:-1])
        out = new_dataarray(data, per_gas.dims[:-1], _coords_on(per_gas, per_gas.dims[:-1]), {})
    else:
        out = to_co2e(per_gas, gwp_metric=metric, memo=(BIOGENIC_CO2,), total=True)
    out.attrs = {"units": per_gas.attrs.get("units", "t"),
                 "long_name": "CO2-equivalent emissions", "gwp_metric": metric}
    if BIOGENIC_CO2 in per_gas.get_index("gas"):
        out.attrs["memo_excluded"] = BIOGENIC_CO2
    return out


@renamed_parameter("metric", "gwp_metric", since="0.2", removed_in="0.3")
def co2e(x: xr.Dataset | xr.DataArray,
         gwp_metric: str = DEFAULT_GWP_METRIC) -> xr.Dataset | xr.DataArray:
    """CO2e under another GWP set (``gwp_metric``; ``metric=`` is deprecated), recomputed
    from emissions by gas.

    A Dataset from :func:`inventory` comes back with ``co2e`` recomputed (``co2e_fixed`` is added
    unchanged: those numbers are known only as CO2e) and ``attrs["gwp_metric"]`` updated; a
    DataArray with a ``gas`` dim comes back summed over gas. ``CO2_biogenic`` is left out.

    >>> import xarray as xr
    >>> e = xr.DataArray([[1.0, 1.0, 5.0]], dims=("year", "gas"),
    ...                  coords={"year": [2019], "gas": ["CH4", "N2O", "CO2_biogenic"]},
    ...                  attrs={"units": "t"})
    >>> co2e(e, "AR4GWP100").to_numpy().tolist(), co2e(e, "AR6GWP100").attrs["gwp_metric"]
    ([323.0], 'AR6GWP100')
    """
    import xarray as xr

    metric = check_gwp_metric(gwp_metric)
    if isinstance(x, xr.Dataset):
        if "emissions" not in x:
            raise DataError("co2e needs an inventory Dataset with an 'emissions' variable")
        new = _co2e_of_inventory(x, metric)
        methane_note = new.attrs.pop("methane_origin")
        out = x.copy()
        out["co2e"] = _transpose(new, (METHOD_DIM,))
        out["co2e"].attrs = {"units": "t", "long_name": "CO2-equivalent emissions",
                             "gwp_metric": metric, "methane_origin": methane_note}
        if "gases" in x["co2e"].attrs if "co2e" in x else False:
            out["co2e"].attrs["gases"] = x["co2e"].attrs["gases"]
        out.attrs["gwp_metric"] = metric
        out.attrs["methane_origin"] = methane_note
        return out
    if "gas" not in x.dims:
        raise DataError(f"co2e needs a 'gas' dimension (dims {list(x.dims)})")
    return _co2e_sum(x, metric)
