"""Accounts for a series of years: one input-output system per year, one task per year.

Every year is an independent system with its own LU factorisation, so the series parallelises by
year and nothing else: on a ``dask.distributed`` cluster each year is one task (its system sent
once to one worker, factorised and solved there; a large system stays one LU on one worker, as
BLAS threads already use that worker's cores). Without a scheduler the years run one after
another in this process. The result is the same either way: each year is the same eager
:meth:`IOSystem.accounts` call (bit for bit when BLAS runs the same number of threads).

A year may also be given as a factory, a callable without arguments returning its
:class:`IOSystem` (say ``functools.partial(read_exiobase3, path)``): on a cluster the factory,
not the system, is sent, and the worker builds the system itself (no tens of MB of arrays
through the scheduler, and the reading or validation runs in parallel too); in this process
one year's system is built, used and dropped before the next, so only one is in memory.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Union

from klimacore.errors import ValidationError

if TYPE_CHECKING:
    import xarray as xr

    from klimacore.mrio._system import IOSystem

__all__ = ["accounts_series"]

SystemOrFactory = Union["IOSystem", Callable[[], "IOSystem"]]


def _system(year: int, item: SystemOrFactory) -> IOSystem:
    from klimacore.mrio._system import IOSystem

    system = item if isinstance(item, IOSystem) else item()
    if not isinstance(system, IOSystem):
        raise ValidationError(f"accounts_series: the factory of year {year} returned "
                              f"{type(system).__name__}, not an IOSystem",
                              code="mrio.series.factory", label=year, location=f"systems[{year}]")
    return system


def _one_year(year: int, item: SystemOrFactory, kwargs: dict[str, Any]) -> xr.Dataset:
    # progress is counted in years here, not inside each year's solve
    return _system(year, item).accounts(**{"progress": False, **kwargs})


def _combine(years: list[int], parts: list[xr.Dataset]) -> xr.Dataset:
    import numpy as np
    import pandas as pd
    import xarray as xr

    out = xr.concat(parts, dim=pd.Index(np.asarray(years, dtype=np.int64), name="year"),
                    combine_attrs="drop_conflicts", join="exact")
    # the per-year solve report (residuals, iterations) travels as variables, not lost attrs
    for key in ("residual", "iterations"):
        if all(key in p.attrs for p in parts):
            out[key] = ("year", np.asarray([p.attrs[key] for p in parts], dtype=float))
            out.attrs.pop(key, None)
    return out


def accounts_series(
    systems: Mapping[int, SystemOrFactory],
    *,
    scheduler: Any = None,
    progress: Any = None,
    **kwargs: Any,
) -> xr.Dataset:
    """:meth:`IOSystem.accounts` for every year of ``systems``, stacked on a ``year`` dim.

    Parameters
    ----------
    systems
        ``{year: IOSystem}``, or ``{year: factory}`` with a callable without arguments that
        returns the year's :class:`IOSystem` (built where the year runs: on the worker, or
        here one year at a time); all years must share labels (regions, sectors, stressors).
    scheduler
        ``None`` (default): the years one after another, here. A ``distributed.Client``: one
        task per year on its cluster (systems scattered once; a killed worker's task is
        rerun by the scheduler). ``"distributed"``: the current default client. Any other
        dask scheduler name (``"threads"``, ``"processes"``, ``"sync"``): one delayed task per
        year on it. Needs ``klimacore[distributed]`` unless ``None``.
    progress
        Progress of the years: ``None`` only on an interactive terminal, ``True``/``False``, or
        a callable ``progress(done, total)`` (eager); on a client, dask's progress bar.
    **kwargs
        Passed to :meth:`IOSystem.accounts` (``level``, ``solver``, ``characterization`` …).

    Returns
    -------
    xarray.Dataset
        The accounts with a leading ``year`` dim; ``residual`` (and ``iterations`` for the
        iterative solver) per year as variables.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from klimacore.mrio import IOSystem, accounts_series
    >>> idx = pd.MultiIndex.from_product([["DK", "DE"], ["agri", "ind"]])
    >>> cols = pd.MultiIndex.from_product([["DK", "DE"], ["hh"]])
    >>> def system(y):
    ...     return IOSystem(Z=pd.DataFrame(np.full((4, 4), 1.0), index=idx, columns=idx),
    ...                     Y=pd.DataFrame(np.full((4, 2), float(y)), index=idx, columns=cols),
    ...                     F=pd.DataFrame([[1.0, 2.0, 3.0, 4.0]], index=["CO2"], columns=idx))
    >>> acc = accounts_series({2019: system(3), 2020: system(4)}, level="region")
    >>> acc["D_cba_reg"].dims, acc["D_cba_reg"].sel(year=2019).values.round(6).tolist()
    (('year', 'stressor', 'region'), [[5.0, 5.0]])
    >>> from functools import partial  # factories: each year built where it runs
    >>> lazy = accounts_series({2019: partial(system, 3), 2020: partial(system, 4)},
    ...                        level="region")
    >>> bool(lazy["D_cba_reg"].equals(acc["D_cba_reg"]))
    True
    """
    from klimacore._progress import progress_bar, show_progress

    if not systems:
        raise ValidationError("accounts_series needs at least one year")
    from klimacore.mrio._system import IOSystem

    bad = [y for y in systems if not isinstance(y, int) or isinstance(y, bool)]
    if bad:
        raise ValidationError(f"accounts_series: years must be int, got {bad}",
                              code="mrio.series.year", label=bad, location="systems")
    neither = [y for y, v in systems.items() if not (isinstance(v, IOSystem) or callable(v))]
    if neither:
        raise ValidationError(f"accounts_series: years {neither} are neither an IOSystem nor a "
                              f"factory (a callable returning one)", code="mrio.series.system",
                              label=neither, location="systems")
    years = sorted(systems)
    if scheduler is None:
        parts = []
        with progress_bar(total=len(years), desc="input-output years", enabled=progress) as bar:
            for y in years:
                parts.append(_one_year(y, systems[y], kwargs))
                bar.update(1)
        return _combine(years, parts)
    if scheduler == "distributed":
        from distributed import get_client

        scheduler = get_client()
    if type(scheduler).__name__ == "Client" and hasattr(scheduler, "scatter"):
        # systems are scattered (sent once each); factories travel inside their task
        ships = [y for y in years if isinstance(systems[y], IOSystem)]
        scattered = dict(zip(ships, scheduler.scatter([systems[y] for y in ships]), strict=True)
                         ) if ships else {}
        futures = [scheduler.submit(_one_year, y, scattered.get(y, systems[y]), kwargs,
                                    key=f"klimacore-accounts-{y}-{id(systems[y])}", pure=False)
                   for y in years]
        if show_progress(progress) and not callable(progress):
            from distributed import progress as dask_progress

            dask_progress(futures)  # type: ignore[no-untyped-call]
        return _combine(years, scheduler.gather(futures))
    from dask.base import compute
    from dask.delayed import delayed

    tasks = [delayed(_one_year, pure=True)(y, systems[y], kwargs) for y in years]
    return _combine(years, list(compute(*tasks, scheduler=scheduler)))  # type: ignore[no-untyped-call]
