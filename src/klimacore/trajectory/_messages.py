"""Message columns of the tidy tables, built column-wise (internal).

A trajectory check of 98 municipalities × 1000 draws has millions of rows, each with a sentence
such as ``"dk-climate-act 2030: off track, 1,234 t (5.2 % of 1990 emissions) above the allowed
3,456 t"``. One Python f-string per row cost five to ten times the check itself
(``benchmarks/bench_trajectory.py``), so with :mod:`pyarrow` installed (pandas' string backend)
the sentences are assembled column-wise: numbers formatted by integer arithmetic into Arrow
strings, pieces joined element-wise in C. This hand-written formatting pays measurably, so the
plain f-string version stays next to it (:func:`python_column`) and
``tests/test_trajectory_messages.py`` checks that both give the same text for every row,
including ties, negative zero, NaN and very large numbers.

A message is a sequence of parts: literal text (``str``), ``Num0(array)`` (like
``f"{x:,.0f}"``), ``Num1(array)`` (like ``f"{x:.1f}"``) and ``Int(array)`` (like
``f"{int(x)}"``), all arrays of the column's length (or of the rows of one case).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["Choice", "Int", "Num0", "Num1", "Str", "column", "python_column"]


@dataclass(frozen=True)
class Num0:
    """Numbers shown as ``f"{x:,.0f}"`` (thousands separated, no decimals; NaN as ``nan``)."""

    values: Any


@dataclass(frozen=True)
class Num1:
    """Numbers shown as ``f"{x:.1f}"``."""

    values: Any


@dataclass(frozen=True)
class Int:
    """Whole numbers shown as ``f"{int(x)}"``."""

    values: Any


@dataclass(frozen=True)
class Str:
    """Text per row (e.g. a reference id picked per row)."""

    values: Any


@dataclass(frozen=True)
class Choice:
    """Text per row picked from ``choices`` by integer ``codes`` (reference ids, labels)."""

    codes: Any
    choices: Sequence[str]


Part = str | Num0 | Num1 | Int | Str | Choice


def _py(part: Part, i: int) -> str:
    if isinstance(part, str | Choice):
        return part if isinstance(part, str) else part.choices[int(part.codes[i])]
    v = part.values[i]
    if isinstance(part, Num0):
        return f"{v:,.0f}"
    if isinstance(part, Num1):
        return f"{v:.1f}"
    if isinstance(part, Int):
        return f"{int(v)}"
    return str(v)





def python_column(parts: Sequence[Part], n: int) -> list[str]:
    """The reference: one f-string per row."""
    return ["".join(_py(p, i) for p in parts) for i in range(n)]


def _arrow() -> Any:
    try:
        import pyarrow as pa  # type: ignore[import-untyped]
    except ImportError:  # pragma: no cover - pandas without pyarrow: the plain path
        return None
    return pa


_LIMIT = 1e15  # beyond this (and for ±inf) the few values are formatted by Python
_POW10 = 10 ** np.arange(0, 19, dtype=np.int64)
_GROUPS = np.asarray([[48 + g % 10, 48 + g // 10 % 10, 48 + g // 100] for g in range(1000)],
                     dtype=np.uint8)  # a group's three digits, right to left
_CHUNK = 1 << 17  # rows per block: keeps the byte matrices small (about 15 MB a chunk)

Block = tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]
"""Bytes of one part, ``(m, width)`` uint8, and which of them belong to the row (bool)."""


def _literal(text: str, m: int) -> Block:
    raw = np.frombuffer(text.encode(), dtype=np.uint8)
    return (np.broadcast_to(raw, (m, raw.size)),
            np.broadcast_to(np.ones(raw.size, dtype=bool), (m, raw.size)))


def _texts(texts: Sequence[str], rows: np.ndarray[Any, Any], m: int) -> Block:
    """Arbitrary text for some rows (the few values Python formats), left-aligned."""
    raws = [t.encode() for t in texts]
    width = max((len(r) for r in raws), default=0)
    data = np.zeros((m, width), dtype=np.uint8)
    mask = np.zeros((m, width), dtype=bool)
    for i, raw in zip(rows.tolist(), raws, strict=True):
        data[i, :len(raw)] = np.frombuffer(raw, dtype=np.uint8)
        mask[i, :len(raw)] = True
    return data, mask


def _layout(top: int, *, commas: bool, tenths: bool) -> tuple[np.ndarray[Any, Any], ...]:
    """Columns, left to right, of a right-aligned number of at most ``top`` digits: the digit
    each shows (``k``-th from the right; -1 for a separator, -2 the point, -3 the sign), its
    byte when not a digit, and the digit count a row needs for the column to be its own."""
    kind: list[int] = []
    byte: list[int] = []
    need: list[int] = []
    for k in range(top):  # right to left
        kind.append(k)
        byte.append(0)
        need.append(k + 1)
        if tenths and k == 0:
            kind.append(-2)
            byte.append(46)
            need.append(0)
        if commas and k % 3 == 2 and k + 1 < top:
            kind.append(-1)
            byte.append(44)
            need.append(k + 2)
    kind.append(-3)
    byte.append(45)
    need.append(0)
    return (np.asarray(kind[::-1]), np.asarray(byte[::-1], dtype=np.uint8),
            np.asarray(need[::-1]))


def _digit_matrix(n: np.ndarray[Any, Any], top: int) -> np.ndarray[Any, Any]:
    """ASCII digits of ``n``, column ``k`` the ``k``-th from the right, ``top`` columns: three
    digits per division, looked up in a table of the 1000 groups."""
    groups = -(-top // 3)
    index = np.empty((n.size, groups), dtype=np.int64)
    q = n
    for j in range(groups):
        q, index[:, j] = np.divmod(q, 1000)
    return np.take(_GROUPS, index, axis=0).reshape(n.size, 3 * groups)[:, :top]


def _digits(n: np.ndarray[Any, Any], neg: np.ndarray[Any, Any], valid: np.ndarray[Any, Any],
            *, commas: bool, tenths: bool) -> Block:
    """Non-negative ints as decimal text, right-aligned: sign, thousands separators, or a
    decimal point before the last digit (``tenths``: ``n`` counts tenths)."""
    nd = np.searchsorted(_POW10[1:], n, side="right") + 1
    if tenths:
        nd = np.maximum(nd, 2)  # 0.5, never .5
    top = int(nd[valid].max()) if valid.any() else 1
    kind, byte, need = _layout(top, commas=commas, tenths=tenths)
    data = _digit_matrix(n, top)[:, np.maximum(kind, 0)]
    special = kind < 0
    data[:, special] = byte[special]
    mask = nd[:, None] >= need[None, :]
    mask[:, 0] = neg  # the sign column is the leftmost
    mask &= valid[:, None]
    return data, mask


def _number(values: Any, fmt: str) -> list[Block]:
    x = np.asarray(values, dtype=float)
    finite = np.isfinite(x)
    if fmt == ".1f":
        scaled = np.where(finite, x, 0.0) * 10.0
        # a product within a few ulps of a .5 tie may round otherwise than Python's exact
        # decimal rounding of x: those few go to Python
        frac = np.abs(scaled - np.trunc(scaled))
        slow = ~finite | (np.abs(x) >= _LIMIT) | (
            np.abs(frac - 0.5) <= 8 * np.spacing(np.abs(scaled) + 1.0))
    else:
        scaled = np.where(finite, x, 0.0)
        slow = ~finite | (np.abs(x) >= _LIMIT)
    r = np.rint(np.where(slow, 0.0, scaled))
    blocks = [_digits(np.abs(r).astype(np.int64), np.signbit(r), ~slow, commas=fmt == ",.0f",
                      tenths=fmt == ".1f")]
    rows = np.flatnonzero(slow)
    if rows.size:
        blocks.append(_texts([format(v, fmt) for v in x[rows].tolist()], rows, x.size))
    return blocks


def _pick(codes: np.ndarray[Any, Any], choices: Sequence[str]) -> Block:
    """Text per row from a small vocabulary (reference ids)."""
    raws = [u.encode() for u in choices]
    width = max((len(r) for r in raws), default=0)
    table = np.zeros((max(len(raws), 1), width), dtype=np.uint8)
    valid = np.zeros((max(len(raws), 1), width), dtype=bool)
    for c, raw in enumerate(raws):
        table[c, :len(raw)] = np.frombuffer(raw, dtype=np.uint8)
        valid[c, :len(raw)] = True
    return table[codes], valid[codes]


def _blocks(part: Part, m: int) -> list[Block]:
    if isinstance(part, str):
        return [_literal(part, m)]
    if isinstance(part, Num0):
        return _number(part.values, ",.0f")
    if isinstance(part, Num1):
        return _number(part.values, ".1f")
    if isinstance(part, Int):
        n = np.asarray(part.values, dtype=float).astype(np.int64)
        return [_digits(np.abs(n), n < 0, np.ones(m, dtype=bool), commas=False, tenths=False)]
    if isinstance(part, Choice):
        return [_pick(np.asarray(part.codes, dtype=np.int64), part.choices)]
    texts = [str(v) for v in np.asarray(part.values, dtype=object).tolist()]
    return [_texts(texts, np.arange(m), m)]


def _taken(part: Part, idx: Any) -> Part:
    if isinstance(part, str):
        return part
    if isinstance(part, Choice):
        return Choice(np.asarray(part.codes)[idx], part.choices)
    return type(part)(np.asarray(part.values)[idx])


def _sliced(part: Part, sl: slice) -> Part:
    if isinstance(part, str):
        return part
    if isinstance(part, Choice):
        return Choice(np.asarray(part.codes)[sl], part.choices)
    return type(part)(np.asarray(part.values)[sl])


class Column:
    """A message column assembled case by case: ``add(rows, parts)`` for each case (the cases'
    rows are disjoint)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.cases: list[tuple[np.ndarray[Any, Any], Sequence[Part]]] = []

    def add(self, rows: np.ndarray[Any, Any], parts: Sequence[Part]) -> None:
        """Rows (indices) of one case and its parts (arrays already restricted to ``rows``)."""
        rows = np.asarray(rows, dtype=np.int64)
        if not rows.size:
            return
        if rows.size > 1 and bool((rows[1:] < rows[:-1]).any()):
            order = np.argsort(rows, kind="stable")
            rows, parts = rows[order], [_taken(p, order) for p in parts]
        self.cases.append((rows, parts))

    def build(self) -> Any:
        """The column: a pandas string array (Arrow-backed when pyarrow is there), or a list.

        Rows no case covers are missing (None).
        """
        arrow = _arrow()
        if arrow is None:
            out: list[str | None] = [None] * self.n
            for rows, parts in self.cases:
                for i, text in zip(rows.tolist(), python_column(parts, rows.size),
                                   strict=True):
                    out[i] = text
            return out
        pa = arrow
        covered = np.zeros(self.n, dtype=bool)
        for rows, _ in self.cases:
            if bool(covered[rows].any()):
                raise ValueError("message cases overlap")  # pragma: no cover - internal misuse
            covered[rows] = True
        chunks = [self._chunk(start, min(start + _CHUNK, self.n), covered, pa)
                  for start in range(0, self.n, _CHUNK)]
        joined = pa.concat_arrays(chunks) if chunks else pa.array([], type=pa.large_string())
        return _to_pandas(joined)

    def _chunk(self, start: int, stop: int, covered: np.ndarray[Any, Any], pa: Any) -> Any:
        """Rows ``start:stop`` as an Arrow string array: every case writes its parts' bytes
        into one byte matrix in row order, whose valid bytes, read row by row, are the
        messages."""
        size = stop - start
        pieces = []
        for rows, parts in self.cases:
            lo, hi = np.searchsorted(rows, [start, stop])
            if hi > lo:
                sl = slice(int(lo), int(hi))
                local = rows[sl] - start
                pieces.append((local, [b for p in parts
                                       for b in _blocks(_sliced(p, sl), local.size)]))
        width = max((sum(d.shape[1] for d, _ in blocks) for _, blocks in pieces), default=0)
        # every covered row is written whole (its case's bytes, then unmasked padding), the
        # others are masked out: no pass zeroes the matrices
        data = np.empty((size, width), dtype=np.uint8)
        mask = np.empty((size, width), dtype=np.uint8)
        here = covered[start:stop]
        mask[~here] = 0
        for local, blocks in pieces:
            piece = np.empty((local.size, width), dtype=np.uint8)
            valid = np.empty((local.size, width), dtype=np.uint8)
            off = 0
            for d, k in blocks:
                w = d.shape[1]
                piece[:, off:off + w] = d
                valid[:, off:off + w] = k
                off += w
            valid[:, off:] = 0
            data[local] = piece
            mask[local] = valid
        offsets = np.zeros(size + 1, dtype=np.int64)
        np.cumsum(mask.sum(axis=1, dtype=np.int64), out=offsets[1:])
        mask = mask.view(bool)
        nulls = int(size - here.sum())
        bitmap = pa.py_buffer(np.packbits(here, bitorder="little")) if nulls else None
        return pa.LargeStringArray.from_buffers(
            size, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(data[mask])),
            bitmap, nulls)


def column(n: int) -> Column:
    """A new :class:`Column` of ``n`` rows."""
    return Column(n)


def _to_pandas(arr: Any) -> Any:
    """Arrow strings as the pandas array the default string dtype would give."""
    import pandas as pd

    dtype = pd.Series(["x"]).dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return pd.array(arr, dtype=dtype)
    return np.asarray(arr.to_pylist(), dtype=object)
