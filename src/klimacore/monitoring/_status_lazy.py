"""Monitoring statuses on dask-backed inputs: one eager call per block of entities, lazily.

:func:`~klimacore.monitoring.action_status` and :func:`~klimacore.monitoring.indicator_status`
are independent across entities (municipality, action, indicator, round, draw …), so every input
is packed into one Dataset (each block then holds all of its inputs), the dims a rule needs whole
are rechunked into one chunk, and the eager function runs on each block with
:func:`klimacore._lazy.blockwise`. A block's result is the eager result for its entities, exactly.

Kept whole: ``milestone`` (overdue milestones of an action) and ``indicator`` (the links of an
action to its progress indicators) for actions; ``year`` (the latest observation) and
``target`` (the path through the targets) for indicators. Every other dim keeps the chunks of the
first lazy input that has it.

Only labels are looked at when the call is made (missing variables or dims are raised then);
values (an unknown phase label, say) are checked when the result is computed. Non-index
coordinates of the inputs are dropped before packing: the eager results keep only dimension
coordinates, so they never needed them, and loading them would be a computation.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Any

from klimacore.errors import ValidationError

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["lazy_action_status", "lazy_indicator_status"]

_PANEL = ("phase", "state", "start", "end", "last_update", "status_override", "milestone_due",
          "milestone_done")


def _pack(parts: Mapping[str, xr.DataArray], what: str) -> tuple[xr.Dataset, list[Hashable]]:
    """One Dataset of ``parts`` with one chunking per dim (the first lazy part's), and the dims
    that have no labels (``blockwise`` gives them positions; they are dropped again after)."""
    import xarray as xr

    chunks: dict[Hashable, Any] = {}
    for a in parts.values():
        for d, c in (a.chunksizes if a.chunks is not None else {}).items():
            chunks.setdefault(d, c)
    try:
        ds = xr.Dataset({k: v.reset_coords(drop=True) for k, v in parts.items()})
    except ValueError as exc:  # inputs disagreeing on the labels of a shared dim
        raise ValidationError(f"{what}: the inputs have conflicting coordinates", [str(exc)],
                              code="monitoring.labels", label=list(parts),
                              location="inputs") from None
    unlabelled = [d for d in ds.dims if d not in ds.indexes]
    return ds.chunk({d: c for d, c in chunks.items() if d in ds.dims}), unlabelled


def _run(block: Callable[..., xr.Dataset], ds: xr.Dataset, unlabelled: list[Hashable], *,
         whole: list[str], what: str, **kwargs: Any) -> xr.Dataset:
    from klimacore._lazy import blockwise

    out: xr.Dataset = blockwise(block, ds, whole=whole, what=what, **kwargs)
    drop = [d for d in unlabelled if d in out.coords]
    return out.drop_vars(drop) if drop else out


def _action_block(ds: xr.Dataset, *, engine: Callable[..., xr.Dataset], names: list[str],
                  kwargs: dict[str, Any]) -> xr.Dataset:
    ind = ds.get("arg/indicator_status")
    links = ds.get("arg/links")
    return engine(ds[names], as_of=ds["arg/as_of"], indicator_status=ind, links=links, **kwargs)


def lazy_action_status(engine: Callable[..., xr.Dataset], panel: xr.Dataset, *,
                       as_of: xr.DataArray, indicator_status: xr.DataArray | None,
                       links: xr.DataArray | None, kwargs: dict[str, Any]) -> xr.Dataset:
    """``engine(panel, as_of=…, …)`` (the eager :func:`action_status`) on dask-backed inputs.

    ``as_of`` is already a DataArray; the labels of ``panel`` have been checked.
    """
    names = [k for k in _PANEL if k in panel]
    parts: dict[str, xr.DataArray] = {k: panel[k] for k in names}
    parts["arg/as_of"] = as_of
    if indicator_status is not None and links is not None:
        parts["arg/indicator_status"] = indicator_status
        parts["arg/links"] = links
    ds, unlabelled = _pack(parts, "action_status")
    return _run(_action_block, ds, unlabelled, whole=["milestone", "indicator"],
                what="action_status", engine=engine, names=names, kwargs=kwargs)


_INDICATOR = ("baseline_year", "baseline_value", "target_year", "target_value", "direction",
              "observations", "as_of_year")


def _indicator_block(ds: xr.Dataset, *, engine: Callable[..., xr.Dataset],
                     kwargs: dict[str, Any]) -> xr.Dataset:
    return engine(**{k: ds[k] for k in _INDICATOR}, **kwargs)


def lazy_indicator_status(engine: Callable[..., xr.Dataset], inputs: dict[str, xr.DataArray],
                          kwargs: dict[str, Any]) -> xr.Dataset:
    """``engine(**inputs, **kwargs)`` (the eager :func:`indicator_status`) on dask-backed
    inputs; ``inputs`` are the seven DataArrays of :data:`_INDICATOR`, labels checked."""
    ds, unlabelled = _pack(inputs, "indicator_status")
    return _run(_indicator_block, ds, unlabelled, whole=["year", "target"],
                what="indicator_status", engine=engine, kwargs=kwargs)
