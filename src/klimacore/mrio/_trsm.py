"""Triangular solves on sub-blocks of an LU factor, through scipy's BLAS ``dtrsm``.

scipy's Python BLAS wrappers copy any array that is not contiguous, so they cannot solve with
the trailing block ``LU[i:, i:]`` of an n × n factor without copying it. The Cython BLAS that
scipy exports (``scipy.linalg.cython_blas``, the same OpenBLAS as ``scipy.linalg``) takes leading
dimensions; its ``dtrsm`` is called here through ctypes — the route numba also uses. Returns
``None`` where that is unavailable, and callers fall back to ``scipy.linalg.lu_solve``.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

_c_int_p = ctypes.POINTER(ctypes.c_int)
_c_dbl_p = ctypes.POINTER(ctypes.c_double)
_PROTO = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p,
                          ctypes.c_char_p, _c_int_p, _c_int_p, _c_dbl_p, ctypes.c_void_p,
                          _c_int_p, ctypes.c_void_p, _c_int_p)


@cache
def _dtrsm() -> Callable[..., Any] | None:
    try:
        from scipy.linalg import cython_blas

        cap = cython_blas.__pyx_capi__["dtrsm"]  # type: ignore[attr-defined]
        get_name = ctypes.pythonapi.PyCapsule_GetName
        get_name.restype = ctypes.c_char_p
        get_name.argtypes = [ctypes.py_object]
        get_ptr = ctypes.pythonapi.PyCapsule_GetPointer
        get_ptr.restype = ctypes.c_void_p
        get_ptr.argtypes = [ctypes.py_object, ctypes.c_char_p]
        name = get_name(cap)
        if b"int *" not in name:  # 32-bit BLAS integers expected
            return None
        fn: Callable[..., Any] = _PROTO(get_ptr(cap, name))
        return fn
    except Exception:  # any failure means: use the fallback
        return None


def available() -> bool:
    return _dtrsm() is not None


def trsm(a: Array, b: Array, row0: int, col0: int, col1: int, *, upper: bool, trans: bool,
         unit: bool) -> None:
    """In place: ``b[row0:, col0:col1] ← op(T)⁻¹ b[row0:, col0:col1]`` with ``T`` the upper or
    lower triangle of ``a[row0:, row0:]``; ``a`` and ``b`` Fortran-ordered float64 with ``n``
    rows."""
    fn = _dtrsm()
    assert fn is not None
    n = a.shape[0]
    assert a.flags.f_contiguous and b.flags.f_contiguous and b.shape[0] == n
    m = n - row0
    ncol = col1 - col0
    if m <= 0 or ncol <= 0:
        return
    one = ctypes.c_double(1.0)
    lda = ctypes.c_int(n)
    ldb = ctypes.c_int(n)
    a_ptr = a.ctypes.data + 8 * (row0 + row0 * n)
    b_ptr = b.ctypes.data + 8 * (row0 + col0 * n)
    fn(b"L", b"U" if upper else b"L", b"T" if trans else b"N", b"U" if unit else b"N",
       ctypes.byref(ctypes.c_int(m)), ctypes.byref(ctypes.c_int(ncol)), ctypes.byref(one),
       ctypes.c_void_p(a_ptr), ctypes.byref(lda), ctypes.c_void_p(b_ptr), ctypes.byref(ldb))
