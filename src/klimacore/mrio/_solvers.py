"""Linear solves with the Leontief system (I − A): one LU factorisation, or an iterative scheme.

Never forms the inverse. LAPACK factors Fortran-ordered matrices, and a C-ordered matrix read in
Fortran order is its transpose; so, to avoid a transposing copy of n × n, the factor is of
(I − A) when ``A`` is Fortran-ordered and of (I − A)ᵀ when it is C-ordered, and each solve picks
``trans`` accordingly. (With column sums of A below 1, (I − A) is column diagonally dominant and
partial pivoting does no row swaps; (I − A)ᵀ may swap rows, which costs a little time, never
accuracy.)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from klimacore.errors import ConvergenceError

Array = npt.NDArray[np.float64]
Solver = Literal["direct", "iterative"]

__all__ = ["ConvergenceError", "LeontiefSolver", "SolveReport"]


@dataclass
class SolveReport:
    """What the solves behind one result did: method, worst relative residual, iterations."""

    method: str
    residual: float = 0.0
    iterations: int = 0
    notes: list[str] = field(default_factory=list)

    def update(self, residual: float, iterations: int = 0) -> None:
        self.residual = max(self.residual, residual)
        self.iterations = max(self.iterations, iterations)


def gemm(a: Array, b: Array) -> Array:
    """``a @ b`` through scipy's BLAS (``dgemm``), without copying C- or Fortran-ordered inputs.

    Used right after LAPACK solves: numpy's own OpenBLAS thread pool would compete with
    scipy's, whose idle threads keep spinning for a while after each call (measured here:
    numpy's product ~1.8× slower right after a scipy solve, scipy's dgemm unaffected).
    """
    from scipy.linalg.blas import dgemm, dgemv

    if a.shape[0] == 0 or b.shape[1] == 0 or a.shape[1] == 0:
        return np.zeros((a.shape[0], b.shape[1]))
    if b.shape[1] == 1:  # one column: dgemv (dgemm with one column is ~5× slower here)
        a1 = np.asarray(a, dtype=np.float64)
        b1 = np.ascontiguousarray(b[:, 0], dtype=np.float64)
        if a1.flags.f_contiguous:
            col: Array = dgemv(1.0, a1, b1)
        elif a1.flags.c_contiguous:
            col = dgemv(1.0, a1.T, b1, trans=1)
        else:
            col = dgemv(1.0, np.asfortranarray(a1), b1)
        return col[:, None]

    def prep(m: Array) -> tuple[Array, int]:
        if m.flags.f_contiguous:
            return m, 0
        if m.flags.c_contiguous:
            return m.T, 1
        return np.asfortranarray(m), 0

    a_, ta = prep(np.asarray(a, dtype=np.float64))
    b_, tb = prep(np.asarray(b, dtype=np.float64))
    out: Array = dgemm(1.0, a_, b_, trans_a=ta, trans_b=tb)
    return out


def _colnorms(M: Array) -> Array:
    out: Array = np.sqrt(np.einsum("ij,ij->j", M, M))
    return out


def relative_residual(B: Array, R: Array) -> float:
    """Worst column ``‖r_j‖₂ / ‖b_j‖₂`` (columns with ``b_j = 0`` compare to 1)."""
    if B.size == 0:
        return 0.0
    nb = _colnorms(B)
    nb[nb == 0] = 1.0
    return float(np.max(_colnorms(R) / nb))


class LeontiefSolver:
    """Solves ``(I − A) X = B`` and ``(I − A)ᵀ X = B`` for a dense ``A = M · diag(scale)``.

    Holding ``A`` as flows ``M = Z`` and ``scale = 1/x`` lets the system work on a read-only
    view of the caller's Z: the only n × n buffer it allocates is the LU factor.

    Parameters
    ----------
    M
        Flows Z (or A itself), shape ``(n, n)``, float64, any memory order (not copied, never
        modified).
    scale
        Column scale (``1/x``, 0 where x = 0), or ``None`` when ``M`` is ``A``.
    block
        Size of the diagonal blocks (sectors per region) used to precondition the iterative
        solver.
    """

    def __init__(self, M: Array, scale: Array | None = None, *, block: int | None = None
                 ) -> None:
        self.M = M
        self.scale = scale
        self.block = block
        self._blocks: Array | None = None
        self.n = M.shape[0]
        self._lu: tuple[Array, npt.NDArray[np.int32]] | None = None
        self._sparse: Any = None
        self._transposed = False

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the caches (LU factor, sparse copy, preconditioner blocks): they are
        derived, as large as ``M`` itself, and rebuilt on first use where the solver lands
        (a system shipped to a dask worker is factorised there, not sent with its factor)."""
        state = dict(self.__dict__)
        state.update(_lu=None, _sparse=None, _blocks=None, _transposed=False)
        return state

    def dense(self) -> Array:
        """``A`` as a new array."""
        if self.scale is None:
            return np.array(self.M, copy=True)
        out: Array = self.M * self.scale
        return out

    def column_sums(self) -> Array:
        """Column sums of ``A``."""
        cs: Array = self.M.sum(axis=0)
        return cs if self.scale is None else cs * self.scale

    def min(self) -> float:
        return float(self.M.min(initial=0.0))

    # --- direct ---------------------------------------------------------------------------
    @property
    def factorized(self) -> bool:
        return self._lu is not None

    def factor(self) -> tuple[Array, npt.NDArray[np.int32]]:
        """LU factor of (I − A) or (I − A)ᵀ (see module notes), computed once and cached."""
        if self._lu is None:
            from scipy.linalg import lu_factor

            # −A in M's memory order: one streaming pass into the one n × n buffer
            if self.scale is None:
                buf = np.negative(self.M, order="K")
            else:
                buf = np.multiply(self.M, -self.scale, order="K")
            diag = np.arange(self.n)
            buf[diag, diag] += 1.0
            self._transposed = not buf.flags.f_contiguous
            mat = buf.T if self._transposed else buf  # Fortran-ordered either way
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # exact zero pivots are checked by `singular_pivots`
                lu, piv = lu_factor(mat, overwrite_a=True, check_finite=False)
            self._lu = (lu, piv)
        return self._lu

    @staticmethod
    def masked_steps(R: int, k: int) -> tuple[int, int]:
        """Regions per forward block of :meth:`solve_masked_transposed` (≥ 128 right-hand
        sides a BLAS call) and its number of blocks in all (progress steps): the forward
        blocks, then one back-substitution over every column."""
        G = max(1, -(-128 // max(k, 1)))
        return G, -(-R // G) + 1

    def solve_masked_transposed(self, B: Array, R: int, N: int, k: int, *,
                                tick: Callable[[int], Any] | None = None) -> Array:
        """``(I − A)⁻ᵀ B`` for ``B`` whose column block q (k columns) is zero outside region
        q's rows (:func:`~klimacore.mrio._accounts.masked_rhs`); may overwrite ``B``.

        The first (lower-triangular) substitution keeps the zero leading rows, so for a group
        of regions starting at row i it only needs the trailing block ``LU[i:, i:]``: about a
        third of that half of the work. The second substitution is one call over every column
        (splitting it would re-read the factor once per block). ``tick(1)`` is called after
        each forward block and after the second substitution (progress; see
        :meth:`masked_steps`). Falls back to :meth:`solve` when the factor has row
        interchanges or the sub-block BLAS is unavailable.
        """
        from klimacore.mrio import _trsm

        lu, piv = self.factor()
        n = self.n
        G, steps = self.masked_steps(R, k)
        if (not _trsm.available() or not lu.flags.f_contiguous or B.shape != (n, R * k)
                or not np.array_equal(piv, np.arange(n))):
            out = self.solve(B, transpose=True, overwrite=True)
            if tick is not None:
                tick(steps)
            return out
        b = np.asfortranarray(B)
        for q0 in range(0, R, G):
            c0, c1 = q0 * k, min(R, q0 + G) * k
            if self._transposed:  # LU = (I − A)ᵀ: L z = b (then U w = z below)
                _trsm.trsm(lu, b, q0 * N, c0, c1, upper=False, trans=False, unit=True)
            else:  # LU = I − A: Uᵀ z = b (then Lᵀ w = z below)
                _trsm.trsm(lu, b, q0 * N, c0, c1, upper=True, trans=True, unit=False)
            if tick is not None:
                tick(1)
        if self._transposed:
            _trsm.trsm(lu, b, 0, 0, R * k, upper=True, trans=False, unit=False)
        else:
            _trsm.trsm(lu, b, 0, 0, R * k, upper=False, trans=True, unit=True)
        if tick is not None:
            tick(1)
        return b

    def singular_pivots(self) -> npt.NDArray[np.intp]:
        """Positions of (numerically) zero pivots of U; empty when (I − A) is non-singular."""
        lu, _ = self.factor()
        d = np.abs(np.diagonal(lu))
        scale = float(d.max()) if d.size else 1.0
        bad: npt.NDArray[np.intp] = np.flatnonzero(
            ~np.isfinite(d) | (d <= self.n * np.finfo(float).eps * max(scale, 1.0))
        )
        return bad

    def solve(self, B: Array, *, transpose: bool = False, overwrite: bool = False) -> Array:
        """``(I − A)⁻¹ B`` (or ``(I − A)⁻ᵀ B``) by forward/back substitution with the LU factor."""
        from scipy.linalg import lu_solve

        if B.shape[0] == 0 or (B.ndim == 2 and B.shape[1] == 0):
            return np.array(B, dtype=np.float64, copy=True)
        lu = self.factor()
        b = np.asfortranarray(B) if overwrite else np.array(B, dtype=np.float64, order="F")
        trans: Literal[0, 1] = 1 if transpose != self._transposed else 0
        out: Array = lu_solve(lu, b, trans=trans, overwrite_b=True,
                              check_finite=False)
        return out

    def _operator(self) -> Any:
        """``M`` as a CSR matrix when it is sparse enough for that to pay off, else dense."""
        if self._sparse is None:
            density = np.count_nonzero(self.M) / max(self.M.size, 1)
            if density < 0.05:
                from scipy.sparse import csr_array

                self._sparse = csr_array(self.M)
            else:
                self._sparse = self.M
        return self._sparse

    def matmul(self, X: Array, *, transpose: bool = False, dense: bool = False) -> Array:
        """``A X`` (or ``Aᵀ X``); ``dense`` skips the sparsity probe (one pass over M)."""
        op = self.M if dense else self._operator()
        sc = None if self.scale is None else (self.scale[:, None] if X.ndim == 2
                                              else self.scale)
        if transpose:
            out = np.asarray(op.T @ X, dtype=np.float64)
            return out if sc is None else out * sc
        Xs = X if sc is None else X * sc
        res: Array = np.asarray(op @ Xs, dtype=np.float64)
        return res

    def residual(self, B: Array, X: Array, *, transpose: bool = False, dense: bool = False
                 ) -> float:
        """Relative residual of ``(I − A) X = B`` (or the transposed system); ``dense`` uses
        scipy's BLAS on the dense matrix (right after LAPACK work)."""
        R = B - X
        if dense:
            sc = None if self.scale is None else self.scale[:, None]
            if transpose:
                AX = gemm(self.M.T, X)
                R += AX if sc is None else AX * sc
            else:
                R += gemm(self.M, X if sc is None else X * sc)
        else:
            R += self.matmul(X, transpose=transpose)
        return relative_residual(B, R)

    # --- iterative ------------------------------------------------------------------------
    def _block_inverses(self) -> Array | None:
        """Inverses of the diagonal blocks (I − A_qq), shape (R, N, N); ``None`` if unusable.

        These are small (N × N per region) preconditioner blocks, never (I − A) itself; they
        are applied with numpy's batched matmul so that the whole iteration stays in numpy's
        BLAS thread pool (alternating with scipy's pool makes idle threads spin against each
        other). Their accuracy does not limit the result: the residual is computed exactly.
        """
        if self._blocks is None:
            N = self.block
            if N is None or N <= 0 or self.n % N:
                self._blocks = np.empty((0, 0, 0))
                return None
            R = self.n // N
            P = np.empty((R, N, N))
            for q in range(R):
                sl = slice(q * N, (q + 1) * N)
                P[q] = -self.M[sl, sl]
                if self.scale is not None:
                    P[q] *= self.scale[sl]
            idx = np.arange(N)
            P[:, idx, idx] += 1.0
            try:
                inv = np.linalg.inv(P)
            except np.linalg.LinAlgError:
                inv = np.empty((0, 0, 0))
            self._blocks = inv if np.isfinite(inv).all() else np.empty((0, 0, 0))
        return self._blocks if self._blocks.size else None

    def _precondition(self, Rm: Array, transpose: bool) -> Array:
        """``P⁻¹ Rm`` (or ``P⁻ᵀ Rm``) with ``P`` = the block-diagonal (domestic) part of I − A."""
        inv = self._block_inverses()
        if inv is None:
            return Rm.copy()
        R, N, _ = inv.shape
        blocks = inv.transpose(0, 2, 1) if transpose else inv
        out: Array = np.matmul(blocks, Rm.reshape(R, N, -1)).reshape(Rm.shape)
        return out

    def solve_iterative(
        self,
        B: Array,
        *,
        transpose: bool = False,
        tol: float = 1e-10,
        maxiter: int = 2000,
        report: SolveReport | None = None,
    ) -> Array:
        """Preconditioned Richardson iteration on all columns at once; GMRES where it stalls.

        ``X ← X + P⁻¹ (B − (I − A) X)`` with ``P`` the block-diagonal part of (I − A) (each
        region's domestic block, inverted once: n·N² work, not n³); without regional blocks
        ``P = I`` (the Neumann series). Each step costs one product with ``A`` (dense BLAS, or
        CSR when A is sparse); the error shrinks by the spectral radius of ``P⁻¹ A_trade``,
        small when most inputs are domestic. The stopping test is the explicit relative
        residual ``max_j ‖b_j − (I − A) x_j‖₂ / ‖b_j‖₂ ≤ tol`` of the returned ``X``.

        Raises
        ------
        ConvergenceError
            When the relative residual is still above ``tol`` after the iteration and GMRES.
        """
        X = np.zeros(B.shape, dtype=np.float64)
        if X.size == 0:
            return X
        nb = _colnorms(B)
        nb[nb == 0] = 1.0
        method = ("block-Jacobi iteration" if self._block_inverses() is not None
                  else "Neumann series")
        X = self._precondition(B, transpose)
        prev = np.inf
        it = 0
        final = np.inf
        for it in range(1, maxiter + 1):
            Rm = B - X
            Rm += self.matmul(X, transpose=transpose)
            final = float(np.max(_colnorms(Rm) / nb))
            if final <= tol:
                break
            if it > 5 and final > 0.95 * prev:  # stalling: leave it to GMRES
                break
            prev = final
            X += self._precondition(Rm, transpose)
        if final > tol:
            X, final = self._gmres(B, X, transpose=transpose, tol=tol, maxiter=maxiter)
            method += " + GMRES"
        if report is not None:
            report.update(final, it)
            if method not in report.notes:
                report.notes.append(method)
        if not final <= tol:
            raise ConvergenceError(
                f"iterative Leontief solve did not converge: relative residual {final:.3g} "
                f"> tolerance {tol:.3g} after {it} iterations ({method}); use solver='direct'"
            )
        return X

    def _gmres(
        self, B: Array, X0: Array, *, transpose: bool, tol: float, maxiter: int
    ) -> tuple[Array, float]:
        from scipy.sparse.linalg import LinearOperator, gmres

        n = self.n

        def mv(v: Array) -> Array:
            return v - self.matmul(v, transpose=transpose)

        def pc(v: Array) -> Array:
            return self._precondition(v[:, None], transpose)[:, 0]

        op = LinearOperator((n, n), matvec=mv, dtype=np.float64)
        prec = LinearOperator((n, n), matvec=pc, dtype=np.float64)
        X = X0.copy()
        for j in range(B.shape[1]):
            b = B[:, j]
            if not np.any(b):
                X[:, j] = 0.0
                continue
            sol, _info = gmres(op, b, x0=X0[:, j], rtol=tol * 0.1, atol=0.0, restart=100,
                               maxiter=maxiter, M=prec)
            X[:, j] = sol
        return X, self.residual(B, X, transpose=transpose)
