"""Validation of an :class:`~klimacore.mrio.IOSystem`'s frames: labels, alignment, values.

Everything is checked once, at construction, on the numpy values of the frames (views where
pandas allows, no copies of n × n): labels and their order, missing or infinite values,
negative flows, zero outputs with inputs or stressors, and a singular (I − A). Problems are
collected and raised together, naming the labels at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from klimacore.errors import ValidationError
from klimacore.mrio._solvers import Array, LeontiefSolver

__all__ = ["Parts", "build"]


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
        arr: Array = df.to_numpy(dtype=np.float64, copy=False)
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



@dataclass(frozen=True)
class Parts:
    """The validated arrays and labels of a system (what :class:`IOSystem` keeps)."""

    index: pd.MultiIndex
    regions: list[Any]
    sectors: list[Any]
    solver: LeontiefSolver
    x: Array
    Y: Array
    ycols: pd.MultiIndex
    F: Array
    F_Y: Array | None
    stressor_index: pd.Index


def build(
    Z: pd.DataFrame | None,
    Y: pd.DataFrame | None,
    F: pd.DataFrame | None,
    F_Y: pd.DataFrame | None,
    A: pd.DataFrame | None,
    x: pd.Series | pd.DataFrame | None,
    *,
    label: str,
    allow_negative: bool,
) -> Parts:
    """Check the frames of a system (see :class:`IOSystem`) and return its arrays."""
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
    solver = LeontiefSolver(B, recip, block=len(sectors))
    nonneg = solver.min() >= 0 if allow_negative else True
    colsum = solver.column_sums()
    if not (nonneg and colsum.max(initial=0.0) < 1.0):
        pivots = solver.singular_pivots()
        if pivots.size:
            heavy = index[colsum >= 1.0]
            problems.append(
                f"(I − A) is singular ({pivots.size} zero pivot(s)); sectors whose input "
                f"coefficients sum to 1 or more: {_fmt(heavy) if len(heavy) else 'none'}")
            raise ValidationError(f"{len(problems)} problem(s) in {label}", problems)
    if Zf is None and xv is None:
        xvec = solver.solve(Yv.sum(axis=1)[:, None])[:, 0]
        xvec = np.ascontiguousarray(xvec)
    if (xvec < 0).any():
        problems.append(f"negative total output x in {_fmt(index[xvec < 0])}")
    zero = xvec == 0
    if zero.any() and (Fv[:, zero] != 0).any():
        bad = zero & (Fv != 0).any(axis=0)
        problems.append(f"sectors with zero output but stressors in F: {_fmt(index[bad])}")
    if problems:
        raise ValidationError(f"{len(problems)} problem(s) in {label}", problems)
    return Parts(index=index, regions=regions, sectors=sectors, solver=solver, x=xvec,
                 Y=np.ascontiguousarray(Yv), ycols=ycols, F=np.ascontiguousarray(Fv),
                 F_Y=None if FYv is None else np.ascontiguousarray(FYv),
                 stressor_index=Ff.index)
