"""The :class:`IOSystem`: an environmentally extended multi-regional input-output system."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pandas as pd

from klimacore.errors import MissingLabelError, ValidationError
from klimacore.mrio import _accounts
from klimacore.mrio._solvers import Array, LeontiefSolver, Solver, SolveReport
from klimacore.units import DEFAULT_GWP_METRIC

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["IOSystem"]

Level = Literal["sector", "region"]
ACCOUNTS = ("D_cba", "D_pba", "D_imp", "D_exp")


def _fmt(labels: Any, limit: int = 8) -> str:
    items = [repr(_flat(x)) for x in labels]
    if len(items) > limit:
        return ", ".join(items[:limit]) + f", … ({len(items) - limit} more)"
    return ", ".join(items)


def _flat(label: Any) -> Any:
    """A tuple label (from a MultiIndex) as one string, joined like EXIOBASE names (' - ')."""
    if isinstance(label, tuple):
        return " - ".join(str(p) for p in label)
    return label


def _as_frame(obj: Any, what: str, problems: list[str]) -> pd.DataFrame | None:
    if obj is None:
        return None
    if isinstance(obj, pd.Series):
        return obj.to_frame()
    if not isinstance(obj, pd.DataFrame):
        problems.append(f"{what} must be a pandas DataFrame, got {type(obj).__name__}")
        return None
    return obj


def _pair_index(idx: pd.Index, what: str, names: tuple[str, str], problems: list[str]
                ) -> pd.MultiIndex | None:
    if not isinstance(idx, pd.MultiIndex) or idx.nlevels != 2:
        problems.append(f"{what} must be a 2-level ({names[0]}, {names[1]}) MultiIndex, "
                        f"got {idx.nlevels} level(s) {list(idx.names)}")
        return None
    dup = idx[idx.duplicated()]
    if len(dup):
        problems.append(f"{what} has duplicate labels: {_fmt(dup.unique())}")
        return None
    return idx.set_names(list(names))


def _numeric(df: pd.DataFrame, what: str, problems: list[str], *,
             rowsums: list[Array] | None = None) -> Array | None:
    """The frame's values as float64 (a view where pandas allows), checked finite.

    The check is one summing pass (a NaN or inf anywhere makes a sum non-finite); with
    ``rowsums`` given, the row sums it computes are appended to it for reuse.
    """
    try:
        arr = df.to_numpy(dtype=np.float64, copy=False)
    except (TypeError, ValueError) as exc:
        problems.append(f"{what} holds non-numeric values ({exc})")
        return None
    with np.errstate(over="ignore", invalid="ignore"):
        if rowsums is not None:
            rs = arr.sum(axis=1)
            rowsums.append(rs)
            total = float(rs.sum())
        else:
            total = float(np.sum(arr))
    if np.isfinite(total):
        return arr
    bad = ~np.isfinite(arr)
    if bad.any():
        rows, cols = np.nonzero(bad)
        where = [(_flat(df.index[i]), _flat(df.columns[j])) for i, j in zip(rows[:5], cols[:5],
                                                                            strict=True)]
        problems.append(f"{what} has {int(bad.sum())} missing or infinite value(s), e.g. at "
                        f"{', '.join(map(repr, where))}")
        return None
    return arr


def _align(df: pd.DataFrame, target: pd.Index, axis: Literal["index", "columns"], what: str,
           problems: list[str]) -> pd.DataFrame | None:
    """Reorder ``df`` along ``axis`` to ``target``; the label sets must be equal."""
    have = df.index if axis == "index" else df.columns
    if have.equals(target):
        return df
    if have.nlevels == target.nlevels:
        have = have.set_names(target.names)
    missing = target.difference(have, sort=False)
    extra = have.difference(target, sort=False)
    if len(missing) or len(extra) or have.has_duplicates:
        parts = []
        if len(missing):
            parts.append(f"missing {_fmt(missing)}")
        if len(extra):
            parts.append(f"unexpected {_fmt(extra)}")
        if have.has_duplicates:
            parts.append(f"duplicated {_fmt(have[have.duplicated()].unique())}")
        problems.append(f"{what} do not match: " + "; ".join(parts))
        return None
    out = df.copy(deep=False)
    if axis == "index":
        out.index = have
    else:
        out.columns = have
    return out.reindex(index=target) if axis == "index" else out.reindex(columns=target)


def _labels(x: Any, what: str, expected: list[Any] | None = None) -> dict[Any, Any]:
    if isinstance(x, pd.DataFrame):
        as_row = x.shape[0] == 1 and (x.shape[1] > 1 or (expected is not None
                                                         and x.columns[0] in expected))
        if as_row:  # pymrio population: one row, regions as columns
            return {k: v for k, v in x.iloc[0].items()}
        if x.shape[1] == 1:
            return {k: v for k, v in x.iloc[:, 0].items()}
        raise ValidationError(f"{what} must be one row or one column, got shape {x.shape}")
    if isinstance(x, pd.Series):
        return {k: v for k, v in x.items()}
    if isinstance(x, Mapping):
        return dict(x)
    raise ValidationError(f"{what} must be a Mapping, Series or DataFrame, "
                          f"got {type(x).__name__}")


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
        problems: list[str] = []
        Zf = _as_frame(Z, "Z", problems)
        Af = _as_frame(A, "A", problems)
        Yf = _as_frame(Y, "Y", problems)
        Ff = _as_frame(F, "F", problems)
        FYf = _as_frame(F_Y, "F_Y", problems)
        if Yf is None and Y is None:
            problems.append("Y (final demand) is required")
        if Ff is None and F is None:
            problems.append("F (stressors) is required")
        if (Z is None) == (A is None):
            problems.append("give exactly one of Z (flows) or A (coefficients)")
        if problems:
            raise ValidationError(f"cannot build {label}", problems)
        assert Yf is not None and Ff is not None
        base = Zf if Zf is not None else Af
        bname = "Z" if Zf is not None else "A"
        assert base is not None

        # --- labels ---------------------------------------------------------------------
        index = _pair_index(base.index, f"rows of {bname}", ("region", "sector"), problems)
        if index is None:
            raise ValidationError(f"cannot build {label}", problems)
        regions = list(index.get_level_values(0).unique())
        sectors = list(index.get_level_values(1).unique())
        full = pd.MultiIndex.from_product([regions, sectors], names=["region", "sector"])
        if not index.equals(full):
            missing = full.difference(index, sort=False)
            if len(missing):
                problems.append(f"rows of {bname} are not every region × every sector; "
                                f"missing {_fmt(missing)}")
            else:
                problems.append(f"rows of {bname} must be grouped region by region with the "
                                f"sectors in the same order in every region")
            raise ValidationError(f"cannot build {label}", problems)
        base = _align(base, index, "columns", f"columns of {bname} and its rows", problems)
        Yf = _align(Yf, index, "index", f"rows of Y and rows of {bname}", problems)
        Ff = _align(Ff, index, "columns", f"columns of F and rows of {bname}", problems)
        ycols = _pair_index(Yf.columns, "columns of Y", ("region", "category"), problems) \
            if Yf is not None else None
        if Yf is not None and ycols is not None:
            Yf = Yf.set_axis(ycols, axis=1)
            yreg = set(ycols.get_level_values(0))
            if yreg != set(regions):
                miss = [r for r in regions if r not in yreg]
                extra = [r for r in ycols.get_level_values(0).unique() if r not in set(regions)]
                parts = ([f"regions without final demand {_fmt(miss)}"] if miss else []) + (
                    [f"final-demand regions not in {bname} {_fmt(extra)}"] if extra else [])
                problems.append("regions of Y columns do not match: " + "; ".join(parts))
        if Ff is not None and Ff.index.has_duplicates:
            problems.append(f"F has duplicate stressors: "
                            f"{_fmt(Ff.index[Ff.index.duplicated()].unique())}")
        if FYf is not None and Ff is not None and ycols is not None and Yf is not None:
            FYf = _align(FYf, Ff.index, "index", "rows of F_Y and rows of F", problems)
            if FYf is not None:
                FYf = _align(FYf, ycols, "columns", "columns of F_Y and columns of Y", problems)
        xs: pd.DataFrame | None = None
        if x is not None:
            xs = _as_frame(x, "x", problems)
            if xs is not None:
                if xs.shape[1] != 1:
                    problems.append(f"x must be one column, got {xs.shape[1]}")
                    xs = None
                else:
                    xs = _align(xs, index, "index", f"rows of x and rows of {bname}", problems)
        if problems:
            raise ValidationError(f"{len(problems)} problem(s) in {label}", problems)
        assert base is not None and Yf is not None and Ff is not None and ycols is not None

        # --- values ---------------------------------------------------------------------
        base_rowsums: list[Array] = []
        B = _numeric(base, bname, problems, rowsums=base_rowsums)
        Yv = _numeric(Yf, "Y", problems)
        Fv = _numeric(Ff, "F", problems)
        FYv = _numeric(FYf, "F_Y", problems) if FYf is not None else None
        xv = _numeric(xs, "x", problems) if xs is not None else None
        if problems:
            raise ValidationError(f"{len(problems)} problem(s) in {label}", problems)
        assert B is not None and Yv is not None and Fv is not None
        n = len(index)
        if not allow_negative and B.size and B.min() < 0:
            neg = B < 0
            if neg.any():
                rows, cols = np.nonzero(neg)
                where = [(_flat(index[i]), _flat(index[j])) for i, j in
                         zip(rows[:5], cols[:5], strict=True)]
                problems.append(f"{bname} has {int(neg.sum())} negative value(s) (row, column), "
                                f"e.g. {', '.join(map(repr, where))}; pass allow_negative=True "
                                f"to accept them")
        if Zf is not None:
            xvec = np.asarray(xv[:, 0] if xv is not None else base_rowsums[0] + Yv.sum(axis=1),
                              dtype=np.float64)
            zero = xvec == 0
            with np.errstate(divide="ignore"):
                recip = np.where(zero, 0.0, 1.0 / np.where(zero, 1.0, xvec))
            if zero.any():
                bad = zero & (B != 0).any(axis=0)
                if bad.any():
                    problems.append(f"sectors with zero output but inputs in Z: "
                                    f"{_fmt(index[bad])}")
        else:
            recip = None
            xvec = np.asarray(xv[:, 0], dtype=np.float64) if xv is not None else np.empty(0)
        # keep a read-only view of the caller's Z (or A): no n × n copy; A = Z · diag(1/x)
        B = B.view()
        B.flags.writeable = False
        self._solver = LeontiefSolver(B, recip, block=len(sectors))
        nonneg = self._solver.min() >= 0 if allow_negative else True
        colsum = self._solver.column_sums()
        if not (nonneg and colsum.max(initial=0.0) < 1.0):
            pivots = self._solver.singular_pivots()
            if pivots.size:
                heavy = index[colsum >= 1.0]
                problems.append(
                    f"(I − A) is singular ({pivots.size} zero pivot(s)); sectors whose input "
                    f"coefficients sum to 1 or more: {_fmt(heavy) if len(heavy) else 'none'}")
                raise ValidationError(f"{len(problems)} problem(s) in {label}", problems)
        if Zf is None and xv is None:
            xvec = self._solver.solve(Yv.sum(axis=1)[:, None])[:, 0]
            xvec = np.ascontiguousarray(xvec)
        if (xvec < 0).any():
            problems.append(f"negative total output x in {_fmt(index[xvec < 0])}")
        zero = xvec == 0
        if zero.any() and (Fv[:, zero] != 0).any():
            bad = zero & (Fv != 0).any(axis=0)
            problems.append(f"sectors with zero output but stressors in F: {_fmt(index[bad])}")
        if problems:
            raise ValidationError(f"{len(problems)} problem(s) in {label}", problems)

        self._index = index
        self._regions = regions
        self._sectors = sectors
        self._R, self._N, self._n = len(regions), len(sectors), n
        self._x = xvec
        self._Y = np.ascontiguousarray(Yv)
        self._ycols = ycols
        pos = {r: i for i, r in enumerate(regions)}
        self._ycode = np.array([pos[r] for r in ycols.get_level_values(0)], dtype=np.intp)
        self._F = np.ascontiguousarray(Fv)
        self._F_Y = None if FYv is None else np.ascontiguousarray(FYv)
        self._stressor_index: pd.Index = Ff.index
        self._stressors = [_flat(s) for s in Ff.index]
        self.monetary_unit = monetary_unit
        self._unit = self._check_unit(unit)
        self._population = self._check_population(population) if population is not None \
            else None
        self._M: Array | None = None

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
    def _region_demand(self, F_Y: Array | None) -> tuple[Array, Array | None]:
        """Final demand and F_Y summed over each region's categories (n × R, k × R)."""
        # plain sums, no BLAS call (see the note on thread pools in `accounts`)
        Yr = np.zeros((self._n, self._R))
        FYr = None if F_Y is None else np.zeros((F_Y.shape[0], self._R))
        for r in range(self._R):
            cols = self._ycode == r
            Yr[:, r] = self._Y[:, cols].sum(axis=1)
            if FYr is not None and F_Y is not None:
                FYr[:, r] = F_Y[:, cols].sum(axis=1)
        return Yr, FYr

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
        strategy: _accounts.Strategy = "auto",
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
            named ``impact`` in CO2e by :func:`klimacore.units.gwp` with ``gwp_metric`` (stressor
            units are converted to the first mapped stressor's mass unit). The result's
            ``stressor`` dimension then holds the impacts.
        strategy
            ``"rows"``/``"columns"`` for sector-level D_imp (see module notes); default picks the
            cheaper.

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
        import xarray as xr

        from klimacore.mrio._characterize import characterization_matrix

        if level not in ("sector", "region"):
            raise ValidationError(f"level must be 'sector' or 'region', got {level!r}")
        if solver not in ("direct", "iterative"):
            raise ValidationError(f"solver must be 'direct' or 'iterative', got {solver!r}")
        pop = self._population if population is None else self._check_population(population)
        S = self._S
        F_Y = self._F_Y
        labels: list[Any] = list(self._stressors)
        units: list[str] | None = None if self._unit is None else [self._unit[s] for s in labels]
        attrs: dict[str, Any] = {}
        if characterization is not None:
            C, labels, units, cattrs = characterization_matrix(
                characterization, self._stressors, self._unit, metric=gwp_metric, impact=impact)
            S = C @ S
            F_Y = None if F_Y is None else C @ F_Y
            attrs.update(cattrs)
        Yr, FYr = self._region_demand(F_Y)
        report = SolveReport("LU (scipy.linalg.lu_factor/lu_solve)" if solver == "direct"
                             else f"iterative (tol={tol:g})")

        def solve(B: Array, transpose: bool) -> Array:
            if solver == "direct":
                return self._solver.solve(B, transpose=transpose, overwrite=True)
            return self._solver.solve_iterative(B, transpose=transpose, tol=tol,
                                                maxiter=maxiter, report=report)

        # All LAPACK work first, then the numpy products: scipy and numpy each bring their own
        # OpenBLAS, whose idle threads spin for a while after a call and slow the other down.
        strat = _accounts.choose_strategy(strategy, S.shape[0], self._R, self._n)
        X = solve(np.array(Yr, order="F"), False)  # L Yr; a copy, the solve may overwrite it
        W = None
        if level == "sector" and strat == "rows":
            B = _accounts.masked_rhs(S, self._R, self._N)
            W = (self._solver.solve_masked_transposed(B, self._R, self._N, S.shape[0])
                 if solver == "direct" else solve(B, True))
            del B
        reg, x, x_exp = _accounts.region_accounts(X, S, FYr, self._R, self._N)
        if solver == "direct":  # check the solve on total output: one pass over A
            report.update(self._solver.residual(Yr.sum(axis=1)[:, None], x[:, None],
                                                dense=True))
        del X
        data: dict[str, Any] = {}
        dims3 = ("stressor", "region", "sector")
        dims2 = ("stressor", "region")
        if level == "sector":
            sec, M = _accounts.sector_accounts(solve, S, Yr, x, x_exp, self._R, self._N,
                                               strategy=strat, W=W)
            del W
            if M is not None and characterization is None and self._M is None:
                self._M = M
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
        coords: dict[str, Any] = {"stressor": labels, "region": list(self._regions)}
        if level == "sector":
            coords["sector"] = list(self._sectors)
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
        if self.name:
            attrs["source"] = self.name
        if self.monetary_unit:
            attrs["monetary_unit"] = self.monetary_unit
        ds.attrs.update(attrs)
        return ds

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

