"""The :class:`IOSystem`: an environmentally extended multi-regional input-output system."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from klimacore._progress import Progress
from klimacore.errors import MissingLabelError, ValidationError
from klimacore.mrio._accounts import Strategy
from klimacore.mrio._checks import _flat, _fmt, _labels, build
from klimacore.mrio._compute import ACCOUNTS, Level, compute_accounts
from klimacore.mrio._solvers import Array, Solver
from klimacore.units import DEFAULT_GWP_METRIC

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["ACCOUNTS", "IOSystem"]


class IOSystem:
    """An environmentally extended multi-regional input-output (EE-MRIO) system.

    Frames follow pymrio's layout: ``Z``/``A`` rows and columns are a ``(region, sector)``
    MultiIndex (every region has the same sectors), ``Y`` rows likewise and columns
    ``(region, category)``, ``F`` rows are stressors and columns ``(region, sector)``, ``F_Y``
    rows are stressors and columns as ``Y``. Give ``Z`` or ``A`` (not both); ``x`` is derived
    (``x = Z·1 + Y·1``, or ``(I − A)⁻¹ Y·1`` by one LU solve) unless given. Rows and columns may
    come in any order; they are aligned to ``Z``'s row order, and label sets must match exactly.

    Validation on construction collects every problem into one
    :class:`~klimacore.errors.ValidationError` naming the labels: shapes and labels, missing
    values, negative ``Z``/``A`` (``Y`` and ``F`` may be negative: inventory changes, uptakes),
    negative output, stressors or inputs in a sector with zero output (their ``A`` and ``S``
    columns are zero, as in pymrio), and a singular (I − A).

    Memory: the system keeps a read-only view of the values of the ``Z`` (or ``A``) frame it
    was given, not a copy (A = Z · diag(1/x) is never formed); the only n × n buffer it adds is
    the LU factor of (I − A), made on first use. Do not modify that frame in place afterwards.

    Parameters
    ----------
    Z, Y, F, F_Y, A, x
        Flows, final demand, stressors, final-demand stressors, coefficients, output.
    unit
        Stressor units: a Mapping/Series by stressor, or pymrio's unit frame (column ``unit``).
    monetary_unit
        Unit of Z, Y and x, e.g. ``"M.EUR"`` (recorded, not converted).
    population
        People per region (Mapping, Series or pymrio's one-row frame), for per-capita accounts.
    name
        A name for messages and metadata.
    allow_negative
        Accept negative entries in Z/A (some published tables have a few).

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.MultiIndex.from_product([["DK", "SE"], ["food", "power"]],
    ...                                  names=["region", "sector"])
    >>> Z = pd.DataFrame([[1, 2, 0, 1], [1, 0, 1, 0], [0, 1, 2, 1], [1, 0, 0, 1]],
    ...                  index=idx, columns=idx, dtype=float)
    >>> Y = pd.DataFrame([[5, 1], [2, 0], [1, 6], [0, 3]], index=idx,
    ...     columns=pd.MultiIndex.from_product([["DK", "SE"], ["households"]]), dtype=float)
    >>> F = pd.DataFrame([[2, 8, 1, 4]], index=["CO2"], columns=idx, dtype=float)
    >>> io = IOSystem(Z=Z, Y=Y, F=F, unit={"CO2": "t"})
    >>> io.regions, io.sectors, io.x.tolist()
    (['DK', 'SE'], ['food', 'power'], [10.0, 4.0, 11.0, 5.0])
    >>> acc = io.accounts()
    >>> acc["D_cba_reg"].round(3).values.tolist()
    [[8.342, 6.658]]
    >>> float(acc["D_pba_reg"].sum())     # all emissions are attributed to a final demand
    15.0
    """

    def __init__(
        self,
        Z: pd.DataFrame | None = None,
        Y: pd.DataFrame | None = None,
        F: pd.DataFrame | None = None,
        F_Y: pd.DataFrame | None = None,
        *,
        A: pd.DataFrame | None = None,
        x: pd.Series | pd.DataFrame | None = None,
        unit: Any = None,
        monetary_unit: str | None = None,
        population: Any = None,
        name: str | None = None,
        allow_negative: bool = False,
    ) -> None:
        self.name = name
        label = f"IOSystem {name!r}" if name else "IOSystem"
        parts = build(Z, Y, F, F_Y, A, x, label=label, allow_negative=allow_negative)
        regions, sectors = parts.regions, parts.sectors
        self._solver = parts.solver
        self._index = parts.index
        self._regions = regions
        self._sectors = sectors
        self._R, self._N, self._n = len(regions), len(sectors), len(parts.index)
        self._x = parts.x
        self._Y = parts.Y
        self._ycols = parts.ycols
        pos = {r: i for i, r in enumerate(regions)}
        self._ycode = np.array([pos[r] for r in parts.ycols.get_level_values(0)], dtype=np.intp)
        self._F = parts.F
        self._F_Y = parts.F_Y
        self._stressor_index: pd.Index = parts.stressor_index
        self._stressors = [_flat(s) for s in parts.stressor_index]
        self.monetary_unit = monetary_unit
        self._unit = self._check_unit(unit)
        self._population = self._check_population(population) if population is not None \
            else None
        self._M: Array | None = None

    def __getstate__(self) -> dict[str, Any]:
        """Pickle without the cached multipliers (derived; see also the solver's caches)."""
        state = dict(self.__dict__)
        state["_M"] = None
        return state

    # --- checks of metadata ---------------------------------------------------------------
    def _check_unit(self, unit: Any) -> dict[Any, str] | None:
        if unit is None:
            return None
        if isinstance(unit, pd.DataFrame) and "unit" in unit.columns:
            unit = unit["unit"]
        raw = _labels(unit, "unit")
        raw = {_flat(k): v for k, v in raw.items()}
        missing = [s for s in self._stressors if s not in raw]
        if missing:
            raise MissingLabelError("unit", missing, dim="stressor")
        return {s: str(raw[s]) for s in self._stressors}

    def _check_population(self, population: Any, what: str = "population") -> Array:
        raw = _labels(population, what, self._regions)
        missing = [r for r in self._regions if r not in raw]
        if missing:
            raise MissingLabelError(what, missing, dim="region")
        vals = np.array([float(raw[r]) for r in self._regions])
        bad = [r for r, v in zip(self._regions, vals, strict=True) if not v > 0]
        if bad:
            raise ValidationError(f"{what} must be positive; not so for region(s) {_fmt(bad)}")
        return vals

    # --- labels ---------------------------------------------------------------------------
    @property
    def regions(self) -> list[Any]:
        """Regions in the order of Z's rows."""
        return list(self._regions)

    @property
    def sectors(self) -> list[Any]:
        """Sectors (the same in every region), in the order of Z's rows."""
        return list(self._sectors)

    @property
    def stressors(self) -> list[Any]:
        """Stressors in F's row order (MultiIndex labels joined with ' - ')."""
        return list(self._stressors)

    @property
    def categories(self) -> list[Any]:
        """Final-demand categories, in the order of Y's columns."""
        return list(self._ycols.get_level_values(1).unique())

    @property
    def index(self) -> pd.MultiIndex:
        """The ``(region, sector)`` index of Z's rows and columns."""
        return self._index

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """``(regions, sectors, stressors, final-demand columns)``."""
        return self._R, self._N, len(self._stressors), self._Y.shape[1]

    def __repr__(self) -> str:
        nm = f" {self.name!r}" if self.name else ""
        R, N, k, m = self.shape
        return (f"<IOSystem{nm}: {R} regions × {N} sectors (n={self._n}), {k} stressors, "
                f"{m} final-demand columns>")

    # --- frames ---------------------------------------------------------------------------
    def _frame(self, arr: Array, index: pd.Index, columns: pd.Index) -> pd.DataFrame:
        return pd.DataFrame(np.array(arr, copy=True), index=index, columns=columns)

    @property
    def A(self) -> pd.DataFrame:
        """Technical coefficients (a copy, n × n)."""
        return pd.DataFrame(self._solver.dense(), index=self._index, columns=self._index)

    @property
    def Z(self) -> pd.DataFrame:
        """Flows ``A · diag(x)`` (n × n)."""
        sv = self._solver
        Z = np.array(sv.M, copy=True) if sv.scale is not None else sv.M * self._x
        return pd.DataFrame(Z, index=self._index, columns=self._index)

    @property
    def x(self) -> pd.Series:
        """Total output by ``(region, sector)``."""
        return pd.Series(self._x.copy(), index=self._index, name="x")

    @property
    def Y(self) -> pd.DataFrame:
        """Final demand, rows ``(region, sector)``, columns ``(region, category)``."""
        return self._frame(self._Y, self._index, self._ycols)

    @property
    def F(self) -> pd.DataFrame:
        """Stressors by producing ``(region, sector)``."""
        return self._frame(self._F, self._stressor_index, self._index)

    @property
    def F_Y(self) -> pd.DataFrame | None:
        """Direct stressors of final demand (``None`` when not given)."""
        if self._F_Y is None:
            return None
        return self._frame(self._F_Y, self._stressor_index, self._ycols)

    @property
    def unit(self) -> pd.Series | None:
        """Stressor units (``None`` when not given)."""
        if self._unit is None:
            return None
        return pd.Series(self._unit, name="unit")

    @property
    def population(self) -> pd.Series | None:
        """People per region (``None`` when not given)."""
        if self._population is None:
            return None
        return pd.Series(self._population, index=pd.Index(self._regions, name="region"),
                         name="population")

    @property
    def _S(self) -> Array:
        zero = self._x == 0
        recip = np.where(zero, 0.0, 1.0 / np.where(zero, 1.0, self._x))
        out: Array = self._F * recip
        return out

    @property
    def S(self) -> pd.DataFrame:
        """Stressor intensities ``F / x`` (zero where x = 0)."""
        return pd.DataFrame(self._S, index=self._stressor_index, columns=self._index)

    @property
    def M(self) -> pd.DataFrame:
        """Multipliers ``M = S (I − A)⁻¹`` (stressor × (region, sector)), by one transposed LU
        solve with the k stressors as right-hand sides; cached."""
        if self._M is None:
            self._M = np.ascontiguousarray(self._solver.solve(self._S.T, transpose=True).T)
        return pd.DataFrame(self._M.copy(), index=self._stressor_index, columns=self._index)

    @property
    def L(self) -> pd.DataFrame:
        """The Leontief inverse ``(I − A)⁻¹`` (n × n; computed on request by n LU solves)."""
        eye = np.eye(self._n, order="F")
        return pd.DataFrame(np.ascontiguousarray(self._solver.solve(eye, overwrite=True)),
                            index=self._index, columns=self._index)

    # --- accounts -------------------------------------------------------------------------
    def accounts(
        self,
        *,
        level: Level = "sector",
        solver: Solver = "direct",
        tol: float = 1e-10,
        maxiter: int = 2000,
        population: Any = None,
        characterization: Any = None,
        gwp_metric: str = DEFAULT_GWP_METRIC,
        impact: str = "GHG",
        strategy: Strategy = "auto",
        progress: Progress = None,
    ) -> xr.Dataset:
        """Consumption-, production-, import- and export-based accounts (pymrio's definitions).

        Parameters
        ----------
        level
            ``"sector"``: D_cba, D_pba, D_imp, D_exp (stressor × region × sector) and the region
            totals; ``"region"``: the region totals only, by one solve with one right-hand side
            per region (much cheaper).
        solver
            ``"direct"``: one LU factorisation of (I − A), reused; ``"iterative"``: a
            Richardson iteration preconditioned with each region's domestic block (GMRES where
            it stalls) to relative residual ``tol``, checked (no n × n buffer; pays off for
            region totals and very large systems).
        tol, maxiter
            Tolerance and iteration cap of the iterative solver (the direct solver's relative
            residual for total output, ``(I − A) x = Y·1``, is reported too, in
            ``attrs["residual"]``).
        population
            People per region (overrides the system's); adds ``D_*_cap`` = region total / people.
        characterization
            Stressors into impacts: a DataFrame (impact × stressor factors; stressors not in its
            columns count 0), or a Mapping ``stressor → gas name or factor`` giving one impact
            named ``impact`` in CO2e by :func:`klimacore.units.to_co2e` with ``gwp_metric`` (stressor
            units are converted to the first mapped stressor's mass unit). The result's
            ``stressor`` dimension then holds the impacts.
        strategy
            ``"rows"``/``"columns"`` for sector-level D_imp (see module notes); default picks the
            cheaper.
        progress
            Progress of the solve, counted in steps (the factorisation, then each block of
            right-hand sides): ``None`` (default) only on an interactive terminal,
            ``True``/``False``, or a callable ``progress(done, total)``; the convention of
            :func:`~klimacore.mrio.accounts_series`.

        Returns
        -------
        xarray.Dataset
            ``D_cba``, ``D_pba``, ``D_imp``, ``D_exp`` (stressor, region, sector) when
            ``level="sector"``; ``D_cba_reg``, ``D_pba_reg``, ``D_imp_reg``, ``D_exp_reg``
            (stressor, region), F_Y included in D_cba_reg and D_pba_reg as pymrio does; per
            capita ``D_*_cap`` with a population. ``attrs``: solver, residual, units, GWP metric.
            In D_cba/D_imp ``region`` is the consuming region and ``sector`` the product; in
            D_pba/D_exp they are the producing region and sector.
        """
        return compute_accounts(
            self, level=level, solver=solver, tol=tol, maxiter=maxiter, population=population,
            characterization=characterization, gwp_metric=gwp_metric, impact=impact,
            strategy=strategy, progress=progress)

    # --- conversions (implemented in sibling modules) --------------------------------------
    def to_xarray(self) -> xr.Dataset:
        """The system as an :class:`xarray.Dataset` (see :func:`klimacore.mrio.from_xarray`)."""
        from klimacore.mrio._convert import to_xarray

        return to_xarray(self)

    @classmethod
    def from_xarray(cls, ds: xr.Dataset, **kwargs: Any) -> IOSystem:
        """Build from a Dataset as written by :meth:`to_xarray` (``Z`` or ``A``, ``Y``, ``F``,
        optional ``F_Y``, ``x``, ``population``)."""
        from klimacore.mrio._convert import from_xarray

        return from_xarray(ds, **kwargs)

    def to_pymrio(self) -> Any:
        """A ``pymrio.IOSystem`` with Z, A, x, Y, population and one extension ``stressors``."""
        from klimacore.mrio._convert import to_pymrio

        return to_pymrio(self)

    @classmethod
    def from_pymrio(cls, io: Any, *, extensions: Any = None, **kwargs: Any) -> IOSystem:
        """Build from a ``pymrio.IOSystem`` (see :func:`klimacore.mrio.from_pymrio`)."""
        from klimacore.mrio._convert import from_pymrio

        return from_pymrio(io, extensions=extensions, **kwargs)

    def aggregate(self, *, regions: Any = None, sectors: Any = None,
                  name: str | None = None) -> IOSystem:
        """Aggregate regions and/or sectors through concordances, conserving all totals.

        See :func:`klimacore.mrio.aggregate`.
        """
        from klimacore.mrio._aggregate import aggregate

        return aggregate(self, regions=regions, sectors=sectors, name=name)

