"""Footprint accounts on plain arrays (pymrio's definitions, computed without the inverse).

Notation: ``R`` regions, ``N`` sectors per region, ``n = R·N``, ``k`` stressors; rows of ``A`` and
columns of ``S`` are ordered region-major ``(r, s)``. ``Yr`` (n × R) is each region's final
demand summed over its categories, ``FYr`` (k × R) its direct final-demand stressors.

With ``L = (I − A)⁻¹`` and ``X = L Yr`` (output required by each region's final demand):

* ``D_cba[k, r, s] = Σ_p M[k, (p, s)] Yr[(p, s), r]`` — footprint of region r's demand for
  product s, ``M = S L``;
* ``D_pba = S · x`` with ``x = X 1`` (pymrio recomputes x from L and Y; so do we);
* ``D_imp[k, r, s]`` — the part of ``D_cba[k, r, s]`` emitted outside region r;
* ``D_exp = S · x_exp`` with ``x_exp[i] = Σ_{r ≠ region(i)} X[i, r]``.

Region totals add ``FYr`` to D_cba_reg and D_pba_reg, as pymrio does.

Sector-level D_imp needs, for every region q, the emissions in q embodied in each product:
``W_q = S_q L`` with ``S_q`` = ``S`` restricted to q's columns, i.e. ``k·R`` transposed solves
(one matrix right-hand side). When ``k·R > n`` it is cheaper to solve for L's columns directly,
product by product (``n`` solves in blocks) — the "columns" strategy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
import numpy.typing as npt

from klimacore.mrio._solvers import gemm

Array = npt.NDArray[np.float64]
# (B, transpose) -> (I − A)^{-1} B or (I − A)^{-T} B; may overwrite B
SolveFn = Callable[[Array, bool], Array]
Strategy = Literal["auto", "rows", "columns"]


def _zero_domestic(X3: Array) -> None:
    """In-place: ``X3[q, :, ..., q] = 0`` for an array shaped (R, N, ..., R)."""
    R = X3.shape[0]
    idx = np.arange(R)
    X3[idx, ..., idx] = 0.0


def choose_strategy(strategy: Strategy, k: int, R: int, n: int) -> Strategy:
    """``"rows"`` (k·R transposed solves) unless ``"columns"`` (n solves) is cheaper."""
    if strategy == "auto":
        return "rows" if k * R <= n else "columns"
    return strategy


def column_blocks(R: int, N: int, block: int = 1024) -> int:
    """Number of blocks of right-hand sides of the ``"columns"`` strategy."""
    per = max(1, block // R)
    return -(-N // per)


def masked_rhs(S: Array, R: int, N: int) -> Array:
    """``B[:, q*k + j] = S[j, :]`` restricted to region q's columns (n × R·k, Fortran order)."""
    k, n = S.shape
    B = np.zeros((n, R * k), order="F")
    for q in range(R):
        B[q * N : (q + 1) * N, q * k : (q + 1) * k] = S[:, q * N : (q + 1) * N].T
    return B


def region_accounts(
    X: Array, S: Array, FYr: Array | None, R: int, N: int
) -> tuple[dict[str, Array], Array, Array]:
    """Region totals ``(k, R)`` from ``X = L Yr`` (n × R).

    Returns the totals, ``x`` (n) and ``x_exp`` (n) for reuse by sector-level accounts.
    """
    k, n = S.shape
    x = X.sum(axis=1)
    Xt = np.array(X, order="C").reshape(R, N, R)
    _zero_domestic(Xt)
    Xt2 = Xt.reshape(n, R)
    x_exp = Xt2.sum(axis=1)
    cba = gemm(S, X)
    imp = gemm(S, Xt2)
    pba = (S * x).reshape(k, R, N).sum(axis=2)
    exp = (S * x_exp).reshape(k, R, N).sum(axis=2)
    if FYr is not None:
        cba += FYr
        pba += FYr
    totals = {"D_cba_reg": cba, "D_pba_reg": pba, "D_imp_reg": imp, "D_exp_reg": exp}
    return totals, x, x_exp


def sector_accounts(
    solve: SolveFn,
    S: Array,
    Yr: Array,
    x: Array,
    x_exp: Array,
    R: int,
    N: int,
    *,
    strategy: Strategy = "auto",
    W: Array | None = None,
    block: int = 1024,
    tick: Callable[[int], object] | None = None,
) -> tuple[dict[str, Array], Array | None]:
    """Sector-level accounts, each ``(k, R, N)``; also returns M (k × n) when it came free.

    With the ``"rows"`` strategy, ``W = (I − A)⁻ᵀ masked_rhs(S)`` may be passed in (solved
    earlier, next to the other LAPACK work). ``tick(1)`` is called after each block of
    right-hand sides of the ``"columns"`` strategy (progress; see :func:`column_blocks`).
    """
    k, n = S.shape
    strategy = choose_strategy(strategy, k, R, n)
    M: Array | None
    if strategy == "rows":
        if W is None:
            W = solve(masked_rhs(S, R, N), True)
        cba, imp, M = _cba_imp_rows(W, S, Yr, R, N)
    else:
        cba, imp = _cba_imp_columns(solve, S, Yr, R, N, block=block, tick=tick)
        M = None
    pba = (S * x).reshape(k, R, N)
    exp = (S * x_exp).reshape(k, R, N)
    return {"D_cba": cba, "D_pba": pba, "D_imp": imp, "D_exp": exp}, M


def _cba_imp_rows(
    W: Array, S: Array, Yr: Array, R: int, N: int
) -> tuple[Array, Array, Array]:
    """D_cba, D_imp (k, R, N) and M from ``W[:, q*k + j] = (S_q L)[j, :]``.

    ``D_cba[j, r, s] = Σ_p M[j, (p, s)] Yr[(p, s), r]`` and the domestic part
    ``Σ_p W_r[j, (p, s)] Yr[(p, s), r]`` are contractions of k·n·R terms each, done by
    ``numpy.einsum`` in one pass without BLAS: small BLAS products (one per sector, as
    before) cost far more than their arithmetic in thread start-up and spinning, most of
    all on a loaded machine. ``D_imp`` = D_cba − domestic.
    """
    k, n = S.shape
    W4 = np.asarray(W.T).reshape(R, k, R, N)  # [q, j, p, s]; a view when W is Fortran-ordered
    M: Array = W4.reshape(R, k, n).sum(axis=0)
    Y3 = Yr.reshape(R, N, R)  # [p, s, r]
    cba: Array = np.einsum("jps,psr->jrs", M.reshape(k, R, N), Y3)
    dom: Array = np.einsum("rjps,psr->jrs", W4, Y3)
    imp: Array = cba - dom
    return cba, imp, M


def _cba_imp_columns(
    solve: SolveFn, S: Array, Yr: Array, R: int, N: int, *, block: int,
    tick: Callable[[int], object] | None = None,
) -> tuple[Array, Array]:
    k, n = S.shape
    cba = np.empty((k, R, N))
    imp = np.empty((k, R, N))
    Y3 = Yr.reshape(R, N, R)
    per = max(1, block // R)
    for s0 in range(0, N, per):
        secs = np.arange(s0, min(N, s0 + per))
        c = secs.size
        # columns of L for products `secs` from every origin p, ordered (s, p)
        E = np.zeros((n, c * R), order="F")
        rows = (np.arange(R)[None, :] * N + secs[:, None]).ravel()  # (s, p) -> row (p, s)
        E[rows, np.arange(c * R)] = 1.0
        Lc = solve(E, False)  # (n, c*R): column s_local*R + p is L[:, (p, s)]
        del E
        # x_diag[i, s, r] = Σ_p L[i, (p, s)] Yr[(p, s), r]   (scipy's BLAS, see `gemm`)
        xd = np.empty((n, c, R))
        for j, sec in enumerate(secs):
            xd[:, j, :] = gemm(Lc[:, j * R : (j + 1) * R], Y3[:, sec, :])
        del Lc
        cba[:, :, secs] = gemm(S, xd.reshape(n, c * R)).reshape(k, c, R).transpose(0, 2, 1)
        xd4 = xd.reshape(R, N, c, R)
        _zero_domestic(xd4)
        imp[:, :, secs] = gemm(S, xd.reshape(n, c * R)).reshape(k, c, R).transpose(0, 2, 1)
        if tick is not None:
            tick(1)
    return cba, imp
