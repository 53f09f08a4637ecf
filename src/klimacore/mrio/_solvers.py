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
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from klimacore.errors import KlimacoreError

Array = npt.NDArray[np.float64]
Solver = Literal["direct", "iterative"]

__all__ = ["ConvergenceError", "LeontiefSolver", "SolveReport"]


class ConvergenceError(KlimacoreError, ArithmeticError):
    """An iterative solve that did not reach its stated tolerance (the message gives both)."""


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
    """

    def __init__(self, M: Array, scale: Array | None = None) -> None:
        self.M = M
        self.scale = scale
        self.n = M.shape[0]
        self._lu: tuple[Array, npt.NDArray[np.int32]] | None = None
        self._sparse: Any = None
        self._transposed = False

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

    # --- iterative ------------------------------------------------------------------------
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
        """Relative residual of ``(I − A) X = B`` (or the transposed system)."""
        R = B - X
        R += self.matmul(X, transpose=transpose, dense=dense)
        return relative_residual(B, R)

    def solve_iterative(
        self,
        B: Array,
        *,
        transpose: bool = False,
        tol: float = 1e-10,
        maxiter: int = 2000,
        report: SolveReport | None = None,
    ) -> Array:
        """Neumann series ``X = Σ Aʲ B`` on all columns at once; GMRES for columns it leaves.

        The series converges when the spectral radius of ``A`` is below 1 (always so for
        ``A ≥ 0`` with column sums below 1). Its residual after adding ``Aᵐ B`` is exactly
        ``Aᵐ⁺¹ B``, so stopping is decided on the true residual; the final residual
        ``‖B − (I − A)X‖ / ‖B‖`` is recomputed explicitly and checked against ``tol``.

        Raises
        ------
        ConvergenceError
            When the explicit relative residual is above ``tol``.
        """
        X = np.array(B, dtype=np.float64, copy=True)
        if X.size == 0:
            return X
        nb = _colnorms(X)
        nb[nb == 0] = 1.0
        term = X
        prev = np.inf
        it = 0
        for it in range(1, maxiter + 1):
            term = self.matmul(term, transpose=transpose)
            res = float(np.max(_colnorms(term) / nb))
            X += term
            if res <= tol * 0.1:
                break
            if it > 20 and res > 0.999 * prev:  # not contracting: spectral radius ≥ 1
                break
            prev = res
        final = self.residual(B, X, transpose=transpose)
        method = "Neumann series"
        if final > tol:
            X, final = self._gmres(B, X, transpose=transpose, tol=tol, maxiter=maxiter)
            method = "Neumann series + GMRES"
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

        op = LinearOperator((n, n), matvec=mv, dtype=np.float64)
        X = X0.copy()
        for j in range(B.shape[1]):
            b = B[:, j]
            if not np.any(b):
                X[:, j] = 0.0
                continue
            sol, _info = gmres(op, b, x0=X0[:, j], rtol=tol * 0.1, atol=0.0, restart=100,
                               maxiter=maxiter)
            X[:, j] = sol
        return X, self.residual(B, X, transpose=transpose)
