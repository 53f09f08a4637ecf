"""Dask-backed (lazy, chunked) xarray inputs: run an eager engine block by block.

The engines are written once, in numpy, for data in memory. When an input is backed by a dask
array, :func:`blockwise` runs the same eager function on every block with
:func:`xarray.map_blocks`: the graph is built without computing anything, every block is an
ordinary eager call (so a block's result is the eager result for those entities, exactly), and
any dask scheduler runs it — threads on a laptop, or a ``dask.distributed`` cluster.

Label coordinates that are not indexes (a ``unit`` per fuel, say) are loaded once when the call is
made (they are small); the data are never touched until asked for.

Dimensions an engine needs whole (``category`` for totals, ``year`` for a trajectory check,
``draw`` for percentiles) are rechunked into one chunk; every other dimension keeps the caller's
chunks and must come back from the engine unchanged (entity dims such as ``municipality``,
``draw``, ``scenario``).

dask is imported only here, and only when an input is lazy: ``import klimacore`` never imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["blockwise", "is_lazy", "stand_in"]


def is_lazy(obj: Any) -> bool:
    """True if ``obj`` is an xarray object with a dask-backed variable (dask is not imported).

    >>> import xarray as xr
    >>> is_lazy(xr.DataArray([1.0])), is_lazy([1.0])
    (False, False)
    """
    import xarray as xr

    if isinstance(obj, xr.DataArray):
        return obj.chunks is not None
    if isinstance(obj, xr.Dataset):
        return any(v.chunks is not None for v in obj.variables.values())
    return False


def _dummy_values(dtype: np.dtype[Any], shape: tuple[int, ...], fill: float = 1.0
                  ) -> np.ndarray[Any, Any]:
    """Placeholder values for the template run: ``fill`` for numbers (1: a valid positive
    emission, factor or share; 0: no activity), False / '' otherwise."""
    if dtype.kind in "fiuc":
        return np.full(shape, fill, dtype=dtype)
    if dtype.kind == "b":
        return np.zeros(shape, dtype=bool)
    return np.full(shape, "", dtype=object if dtype.kind == "O" else dtype)


def stand_in(obj: Any, one: dict[Hashable, slice], fill: float = 1.0) -> Any:
    """A small in-memory stand-in for ``obj``: ``obj.isel(one)`` filled with placeholders.

    For a template run of a blockwise function (what it returns on one label along every
    chunked dim): numbers are ``fill`` (1: a valid positive emission, factor or share), booleans
    False, strings ''. Nothing of ``obj`` is computed but its index labels.

    >>> import xarray as xr
    >>> da = xr.DataArray([[5.0, 6.0], [7.0, 8.0]], dims=("m", "year"))
    >>> stand_in(da, {"m": slice(0, 1)}).values.tolist()
    [[1.0, 1.0]]
    """
    import xarray as xr

    small = obj.isel({d: s for d, s in one.items() if d in obj.dims})
    if isinstance(small, xr.DataArray):
        return small.copy(data=_dummy_values(small.dtype, small.shape, fill))
    return small.copy(data={n: _dummy_values(v.dtype, v.shape, fill)
                            for n, v in small.variables.items() if n not in small.indexes})


def _template(out_small: Any, obj: Any, passthrough: Iterable[Hashable], chunks: dict[Hashable, Any],
              what: str) -> Any:
    """The lazy result's skeleton: ``out_small``'s layout with the full passthrough dims."""
    import dask.array as dsa
    import xarray as xr

    keep = set(passthrough)

    def one(var: xr.Variable) -> xr.Variable:
        shape = tuple(obj.sizes[d] if d in keep else n for d, n in zip(var.dims, var.shape, strict=True))
        ch = tuple(chunks[d] if d in keep else (n,) for d, n in zip(var.dims, shape, strict=True))
        return xr.Variable(var.dims, dsa.empty(shape, chunks=ch, dtype=var.dtype), attrs=var.attrs)

    def coords_of(small: Any) -> dict[Hashable, Any]:
        out: dict[Hashable, Any] = {}
        for name, c in small.coords.items():
            if keep & set(c.dims):
                if name not in obj.coords or set(obj[name].dims) != set(c.dims):
                    raise DataError(f"{what}: coordinate {name!r} on a chunked dimension has no "
                                    "counterpart in the input")
                out[name] = obj[name].variable
            else:
                out[name] = c.variable
        return out

    for d in keep:
        if d not in out_small.dims or out_small.sizes[d] != 1:
            raise DataError(f"{what}: dimension {d!r} must be kept whole by the engine to run "
                            "chunked; rechunk it into one chunk")
    if isinstance(out_small, xr.DataArray):
        return xr.DataArray(one(out_small.variable), coords=coords_of(out_small),
                            name=out_small.name, attrs=dict(out_small.attrs))
    data = {n: one(v.variable) for n, v in out_small.data_vars.items()}
    return xr.Dataset(data, coords=coords_of(out_small), attrs=dict(out_small.attrs))


def _labels_loaded(obj: Any) -> Any:
    """``obj`` with its non-index coordinates in memory (``.chunk()`` makes them dask arrays).

    They are labels the engines read (a ``unit`` per fuel, names per code), small next to the
    data; they are loaded here, with the synchronous scheduler, once. The data stay lazy.
    """
    lazy = [n for n, c in obj.coords.items() if n not in obj.indexes and c.chunks is not None]
    if not lazy:
        return obj
    return obj.assign_coords({n: obj.coords[n].compute(scheduler="sync") for n in lazy})


def blockwise(func: Callable[..., Any], obj: xr.DataArray | xr.Dataset, *,
              whole: Iterable[Hashable] = (), what: str = "engine", fill: float = 1.0,
              **kwargs: Any) -> Any:
    """Run the eager ``func(block, **kwargs)`` on every block of the lazy ``obj``, lazily.

    Parameters
    ----------
    func
        An eager engine: numpy-backed xarray object in, xarray object out, keeping every
        dimension not in ``whole`` (same labels, same order of labels).
    obj
        A dask-backed DataArray or Dataset.
    whole
        Dimensions ``func`` needs in one piece; they are rechunked into a single chunk.
    what
        Name used in error messages.
    fill
        The value of the numbers in the one-entity stand-in ``func`` is first run on to learn the
        result's layout (1 by default: a valid emission, factor or share; 0 where any non-zero
        value would need more inputs, e.g. an activity needs its emission factor).

    Returns
    -------
    A dask-backed object of the type ``func`` returns; nothing is computed.

    Examples
    --------
    >>> import xarray as xr
    >>> da = xr.DataArray([[1.0, 2.0], [3.0, 4.0]], dims=("m", "c")).chunk({"m": 1})
    >>> out = blockwise(lambda x: x.sum("c"), da, whole=["c"])
    >>> out.chunks, out.compute().to_numpy().tolist()
    (((1, 1),), [3.0, 7.0])
    """
    import xarray as xr

    whole = [d for d in whole if d in obj.dims]
    obj = obj.chunk({d: -1 for d in whole}) if whole else obj
    obj = _labels_loaded(obj)
    if not is_lazy(obj):
        obj = obj.chunk()
    chunks = dict(obj.chunksizes)
    passthrough = [d for d in obj.dims if d not in whole]
    # a dim without labels gets its positions, so every block knows where it sits
    obj = obj.assign_coords({d: np.arange(obj.sizes[d]) for d in passthrough
                             if d not in obj.indexes})
    small = stand_in(obj, {d: slice(0, 1) for d in passthrough}, fill)
    out_small = func(small, **kwargs)
    template = _template(out_small, obj, passthrough, chunks, what)
    out = xr.map_blocks(func, obj, kwargs=kwargs, template=template)
    if isinstance(out, xr.Dataset):  # older xarray (2024.1) loses the order of the variables
        out = out[list(template.data_vars)]
    # label coordinates stay in memory (the engine keeps them): comparing or merging results
    # must not compute anything
    labels = [n for n in template.coords if n not in template.indexes]
    return out.assign_coords({n: template.coords[n] for n in labels}) if labels else out
