"""The accounts of one :class:`~klimacore.mrio.IOSystem`: solves, products, the Dataset.

One LU factorisation of (I − A) (or an iterative solver), then every account from solves with
matrix right-hand sides (:mod:`klimacore.mrio._accounts` holds the maths on plain arrays).
Progress, when asked for, counts the factorisation and each block of right-hand sides.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from klimacore._progress import progress_bar
from klimacore.errors import ValidationError
from klimacore.mrio import _accounts
from klimacore.mrio._solvers import Array, Solver, SolveReport
from klimacore.units import check_gwp_metric

if TYPE_CHECKING:
    import xarray as xr

    from klimacore.mrio._system import IOSystem

__all__ = ["ACCOUNTS", "Level", "compute_accounts"]

Level = Literal["sector", "region"]
ACCOUNTS = ("D_cba", "D_pba", "D_imp", "D_exp")


def region_demand(io: IOSystem, F_Y: Array | None) -> tuple[Array, Array | None]:
    """Final demand and F_Y summed over each region's categories (n × R, k × R)."""
    # plain sums, no BLAS call (see the note on thread pools in `compute_accounts`)
    Yr = np.zeros((io._n, io._R))
    FYr = None if F_Y is None else np.zeros((F_Y.shape[0], io._R))
    for r in range(io._R):
        cols = io._ycode == r
        Yr[:, r] = io._Y[:, cols].sum(axis=1)
        if FYr is not None and F_Y is not None:
            FYr[:, r] = F_Y[:, cols].sum(axis=1)
    return Yr, FYr


def _steps(io: IOSystem, level: Level, solver: Solver, strategy: _accounts.Strategy,
           k: int) -> int:
    """How many progress steps a call makes: factorisation, X solve, blocks of W or L."""
    steps = (1 if solver == "direct" else 0) + 1
    if level == "sector":
        if strategy == "rows":
            steps += io._solver.masked_steps(io._R, k)[1] if solver == "direct" else 1
        else:
            steps += _accounts.column_blocks(io._R, io._N)
    return steps


def compute_accounts(
    io: IOSystem,
    *,
    level: Level,
    solver: Solver,
    tol: float,
    maxiter: int,
    population: Any,
    characterization: Any,
    gwp_metric: str,
    impact: str,
    strategy: _accounts.Strategy,
    progress: Any,
) -> xr.Dataset:
    """The body of :meth:`IOSystem.accounts` (documented there)."""
    import xarray as xr

    from klimacore.mrio._characterize import characterization_matrix

    if level not in ("sector", "region"):
        raise ValidationError(f"level must be 'sector' or 'region', got {level!r}",
                              code="mrio.level", label=level, location="level")
    if solver not in ("direct", "iterative"):
        raise ValidationError(f"solver must be 'direct' or 'iterative', got {solver!r}",
                              code="mrio.solver", label=solver, location="solver")
    check_gwp_metric(gwp_metric)
    pop = io._population if population is None else io._check_population(population)
    S = io._S
    F_Y = io._F_Y
    labels: list[Any] = list(io._stressors)
    units: list[str] | None = None if io._unit is None else [io._unit[s] for s in labels]
    attrs: dict[str, Any] = {}
    if characterization is not None:
        C, labels, units, cattrs = characterization_matrix(
            characterization, io._stressors, io._unit, gwp_metric=gwp_metric, impact=impact)
        S = C @ S
        F_Y = None if F_Y is None else C @ F_Y
        attrs.update(cattrs)
    Yr, FYr = region_demand(io, F_Y)
    report = SolveReport("LU (scipy.linalg.lu_factor/lu_solve)" if solver == "direct"
                         else f"iterative (tol={tol:g})")
    sv = io._solver

    def solve(B: Array, transpose: bool) -> Array:
        if solver == "direct":
            return sv.solve(B, transpose=transpose, overwrite=True)
        return sv.solve_iterative(B, transpose=transpose, tol=tol, maxiter=maxiter,
                                  report=report)

    strat = _accounts.choose_strategy(strategy, S.shape[0], io._R, io._n)
    desc = f"input-output accounts {io.name}" if io.name else "input-output accounts"
    with progress_bar(total=_steps(io, level, solver, strat, S.shape[0]), desc=desc,
                      enabled=progress) as bar:
        # All LAPACK work first, then the numpy products: scipy and numpy each bring their
        # own OpenBLAS, whose idle threads spin for a while after a call and slow the other.
        if solver == "direct":
            sv.factor()
            bar.update(1)
        X = solve(np.array(Yr, order="F"), False)  # L Yr; a copy, the solve may overwrite it
        bar.update(1)
        W = None
        if level == "sector" and strat == "rows":
            B = _accounts.masked_rhs(S, io._R, io._N)
            if solver == "direct":
                W = sv.solve_masked_transposed(B, io._R, io._N, S.shape[0], tick=bar.update)
            else:
                W = solve(B, True)
                bar.update(1)
            del B
        reg, x, x_exp = _accounts.region_accounts(X, S, FYr, io._R, io._N)
        if solver == "direct":  # check the solve on total output: one pass over A
            report.update(sv.residual(Yr.sum(axis=1)[:, None], x[:, None], dense=True))
        del X
        data: dict[str, Any] = {}
        dims3 = ("stressor", "region", "sector")
        dims2 = ("stressor", "region")
        if level == "sector":
            sec, M = _accounts.sector_accounts(solve, S, Yr, x, x_exp, io._R, io._N,
                                               strategy=strat, W=W, tick=bar.update)
            del W
            if M is not None and characterization is None and io._M is None:
                io._M = M
            for nm in ACCOUNTS:
                data[nm] = (dims3, sec[nm])
            # region totals as pymrio forms them: sums of the sector accounts (+ F_Y)
            for nm in ACCOUNTS:
                tot = sec[nm].sum(axis=2)
                if FYr is not None and nm in ("D_cba", "D_pba"):
                    tot = tot + FYr
                reg[f"{nm}_reg"] = tot
    for nm in ACCOUNTS:
        data[f"{nm}_reg"] = (dims2, reg[f"{nm}_reg"])
    if pop is not None:
        for nm in ACCOUNTS:
            data[f"{nm}_cap"] = (dims2, reg[f"{nm}_reg"] / pop)
    coords: dict[str, Any] = {"stressor": labels, "region": list(io._regions)}
    if level == "sector":
        coords["sector"] = list(io._sectors)
    if units is not None:
        coords["unit"] = ("stressor", units)
    ds = xr.Dataset(data, coords=coords)
    attrs.update({
        "solver": report.method,
        "residual": report.residual,
        "level": level,
        "includes_F_Y": "D_cba_reg and D_pba_reg" if FYr is not None else "no F_Y given",
    })
    if solver == "iterative":
        attrs["tol"] = tol
        attrs["iterations"] = report.iterations
        if report.notes:
            attrs["solver"] = f"{report.method}: {', '.join(report.notes)}"
    if io.name:
        attrs["source"] = io.name
    if io.monetary_unit:
        attrs["monetary_unit"] = io.monetary_unit
    ds.attrs.update(attrs)
    return ds
