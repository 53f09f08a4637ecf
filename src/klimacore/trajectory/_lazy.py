"""Trajectory checks and latest-year verdicts on dask-backed emissions, lazily.

A check is independent across entities (municipality, draw, scenario …) and needs every year of
an entity, so the emissions are rechunked whole along ``year`` and the eager function
(:func:`~klimacore.trajectory.check_trajectory`, :func:`~klimacore.trajectory.latest_verdicts`)
runs on each block of entities. The result's datasets (years, milestones, summary) come from one
task per block, packed in one Dataset (each part's ``year`` on its own dim), so a block is
checked once however many of them are used. Inputs with entity dims (``population``,
``budget_share``, ``projection``) are cut into the same blocks. Errors that need the values (a
missing base-year value, say) are raised when the result is computed.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Hashable, Sequence
from typing import TYPE_CHECKING, Any

from klimacore.errors import ValidationError

if TYPE_CHECKING:
    import xarray as xr

    from klimacore.trajectory._latest import LatestCheck
    from klimacore.trajectory._result import TrajectoryCheck

__all__ = ["lazy_check", "lazy_latest"]

_ENTITY_ARGS = ("population", "budget_share", "projection")


def _pack(parts: dict[str, xr.Dataset]) -> xr.Dataset:
    import xarray as xr

    data: dict[str, Any] = {}
    coords: dict[Hashable, Any] = {}
    for part, ds in parts.items():
        if "year" in ds.dims:
            ds = ds.rename({"year": f"{part}/year"})
        data.update({f"{part}/{n!s}": v for n, v in ds.data_vars.items()})
        coords.update({n: c for n, c in ds.coords.items() if n not in coords})
    return xr.Dataset(data, coords=coords)


def _unpack(packed: xr.Dataset, small: dict[str, xr.Dataset]) -> dict[str, xr.Dataset]:
    out = {}
    for part, like in small.items():
        names = [n for n in packed.data_vars if str(n).startswith(f"{part}/")]
        sub = packed[names].rename({n: str(n).removeprefix(f"{part}/") for n in names})
        if f"{part}/year" in sub.dims:
            sub = sub.rename({f"{part}/year": "year"})
        sub = sub.drop_vars([c for c in sub.coords if c not in like.coords])
        sub.attrs = dict(like.attrs)
        out[part] = sub[list(like.data_vars)]
    return out


def _args(ds: xr.Dataset) -> dict[str, xr.DataArray]:
    """The entity-dimensioned arguments packed with the emissions, under their own names."""
    out = {}
    for k in ds.data_vars:
        if str(k).startswith("arg/"):
            name = str(k).removeprefix("arg/")
            da = ds[k]
            if f"arg/{name}/year" in da.dims:
                da = da.rename({f"arg/{name}/year": "year"})
            out[name] = da.drop_vars([c for c in da.coords if c not in da.dims])
    return out


def _block(ds: xr.Dataset, *, engine: Callable[..., Any], parts: Sequence[str], references: Any,
           kwargs: dict[str, Any]) -> xr.Dataset:
    extra = _args(ds)
    with warnings.catch_warnings():  # said once, when the call is made (see _run)
        warnings.simplefilter("ignore")
        result = engine(ds["emissions"], references, **kwargs, **extra)
    return _pack({p: getattr(result, p) for p in parts})


def _run(func: Callable[..., Any], emissions: xr.DataArray, references: Any,
         kwargs: dict[str, Any], parts: Sequence[str]) -> tuple[Any, dict[str, xr.Dataset]]:
    import xarray as xr

    from klimacore._lazy import blockwise, stand_in

    entity = [d for d in emissions.dims if d != "year"]
    ds = xr.Dataset({"emissions": emissions})
    rest = dict(kwargs)
    for name in _ENTITY_ARGS:
        arg = rest.get(name)
        if isinstance(arg, xr.DataArray) and set(arg.dims) & set(entity):
            # its own year dim: the years it covers may reach past the data's (milestones)
            ds[f"arg/{name}"] = arg.rename({"year": f"arg/{name}/year"}) if "year" in arg.dims \
                else arg
            del rest[name]
        elif isinstance(arg, xr.Dataset):
            raise ValidationError(f"{name}: pass a DataArray to run on dask-backed emissions")
    ds = ds.chunk({d: c for d, c in emissions.chunksizes.items() if d in entity})
    kw = dict(engine=func, parts=tuple(parts), references=references, kwargs=rest)
    whole = ["year", *[d for d in ds.dims if str(d).startswith("arg/")]]
    packed: xr.Dataset = blockwise(_block, ds, whole=whole, what=func.__name__, **kw)
    # the eager result on a one-entity stand-in: its layout, attrs and reference list
    dummy = stand_in(ds.chunk({d: -1 for d in whole}), {d: slice(0, 1) for d in entity})
    small = func(dummy["emissions"], references, **rest, **_args(dummy))
    return small, _unpack(packed, {p: getattr(small, p) for p in parts})


def lazy_check(check: Callable[..., TrajectoryCheck], emissions: xr.DataArray,
               references: Any, kwargs: dict[str, Any]) -> TrajectoryCheck:
    """``check(emissions, references, **kwargs)`` for dask-backed ``emissions``, lazily.

    The result has the class of ``check``'s own result on the stand-in (so this module imports
    neither the result nor the checks: no import cycle).
    """
    small, out = _run(check, emissions, references, kwargs, ("years", "milestones", "summary"))
    result: TrajectoryCheck = type(small)(out["years"], out["milestones"], out["summary"],
                                          small.references, small.entity_dims)
    return result


def lazy_latest(latest: Callable[..., LatestCheck], emissions: xr.DataArray, references: Any,
                kwargs: dict[str, Any]) -> LatestCheck:
    """``latest(emissions, references, **kwargs)`` for dask-backed ``emissions``, lazily."""
    from collections.abc import Mapping

    if isinstance(references, Mapping):
        raise ValidationError("references assigned per entity (a dict) are not supported with "
                              "dask-backed emissions; run one call per group of entities")
    small, out = _run(latest, emissions, references, kwargs, ("milestones", "summary"))
    result: LatestCheck = type(small)(out["milestones"], out["summary"], small.references,
                                      small.entity_dims, small.window)
    return result
