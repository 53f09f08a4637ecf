"""Dask-backed (lazy, chunked) xarray inputs: run an eager engine block by block.

The engines are written once, in numpy, for data in memory. When an input is backed by a dask
array, :func:`blockwise` runs the same eager function on every block with
:func:`xarray.map_blocks`: the graph is built without computing anything, every block is an
ordinary eager call (so a block's result is the eager result for those entities, exactly), and
any dask scheduler runs it — threads on a laptop, or a ``dask.distributed`` cluster.

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

__all__ = ["blockwise", "is_lazy"]


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


def _dummy_values(dtype: np.dtype[Any], shape: tuple[int, ...]) -> np.ndarray[Any, Any]:
    """Placeholder values for the template run: 1 for numbers (a valid positive emission,
    factor or share), False / '' otherwise."""
    if dtype.kind in "fiuc":
        return np.ones(shape, dtype=dtype)
    if dtype.kind == "b":
        return np.zeros(shape, dtype=bool)
    return np.full(shape, "", dtype=object if dtype.kind == "O" else dtype)


def _dummy(obj: Any, one: dict[Hashable, slice]) -> Any:
    """A small in-memory stand-in for ``obj``: one label along every chunked dim."""
    import xarray as xr

    small = obj.isel({d: s for d, s in one.items() if d in obj.dims})
    if isinstance(small, xr.DataArray):
        return small.copy(data=_dummy_values(small.dtype, small.shape))
    return small.copy(data={n: _dummy_values(v.dtype, v.shape)
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


def blockwise(func: Callable[..., Any], obj: xr.DataArray | xr.Dataset, *,
              whole: Iterable[Hashable] = (), what: str = "engine", **kwargs: Any) -> Any:
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
    if not is_lazy(obj):
        obj = obj.chunk()
    chunks = dict(obj.chunksizes)
    passthrough = [d for d in obj.dims if d not in whole]
    small = _dummy(obj, {d: slice(0, 1) for d in passthrough})
    out_small = func(small, **kwargs)
    template = _template(out_small, obj, passthrough, chunks, what)
    return xr.map_blocks(func, obj, kwargs=kwargs, template=template)
