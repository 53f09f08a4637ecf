"""Environmentally extended multi-regional input-output (EE-MRIO) systems and their accounts.

:class:`IOSystem` takes pandas frames in pymrio's layout (or an xarray Dataset), validates them,
and computes multipliers ``M = S (I − A)⁻¹`` and the footprint accounts D_cba, D_pba, D_imp,
D_exp (pymrio's definitions, F_Y included where pymrio includes it) from ONE LU factorisation of
(I − A) and solves with matrix right-hand sides — never the inverse. Region totals alone need one
solve with one right-hand side per region (``accounts(level="region")``). An iterative solver
with a checked residual serves systems too large for a dense factorisation.

Also: aggregation through concordances (:func:`aggregate`), a reader for the EXIOBASE 3 text
layout (:func:`read_exiobase3`), and converters to and from ``pymrio.IOSystem`` (pymrio is
optional; it is imported only by those converters).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from klimacore.mrio import IOSystem
>>> idx = pd.MultiIndex.from_product([["DK", "DE"], ["agri", "ind"]])
>>> Z = pd.DataFrame(np.full((4, 4), 1.0), index=idx, columns=idx)
>>> Y = pd.DataFrame(np.full((4, 2), 3.0), index=idx,
...                  columns=pd.MultiIndex.from_product([["DK", "DE"], ["hh"]]))
>>> F = pd.DataFrame([[1.0, 2.0, 3.0, 4.0]], index=["CO2"], columns=idx)
>>> acc = IOSystem(Z=Z, Y=Y, F=F).accounts(level="region")
>>> acc["D_cba_reg"].values.round(6).tolist()
[[5.0, 5.0]]
"""

from __future__ import annotations

from klimacore.mrio._aggregate import aggregate
from klimacore.mrio._convert import from_pymrio, from_xarray, to_pymrio, to_xarray
from klimacore.mrio._exiobase import read_exiobase3
from klimacore.mrio._series import accounts_series
from klimacore.mrio._solvers import ConvergenceError
from klimacore.mrio._system import ACCOUNTS, IOSystem

__all__ = [
    "ACCOUNTS",
    "ConvergenceError",
    "IOSystem",
    "accounts_series",
    "aggregate",
    "from_pymrio",
    "from_xarray",
    "read_exiobase3",
    "to_pymrio",
    "to_xarray",
]
