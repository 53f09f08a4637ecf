"""Message columns of the tidy tables, built column-wise (internal).

A trajectory check of 98 municipalities × 1000 draws has millions of rows, each with a sentence
such as ``"dk-climate-act 2030: off track, 1,234 t (5.2 % of 1990 emissions) above the allowed
3,456 t"``. One Python f-string per row cost five to ten times the check itself
(``benchmarks/bench_trajectory.py``), so with :mod:`pyarrow` installed (pandas' string
backend) the sentences are written column-wise: the rows of one case (one sentence template)
are grouped by layout (the lengths of their numbers and choices), each layout is a fixed-width
byte matrix written in whole columns (a template row of literal text, then digit groups looked
up in a table), and Arrow gets one byte buffer with offsets, put in row order by one ``take``.
This hand-written formatting pays measurably, so the plain f-string version stays next to it (:func:`python_column`) and
``tests/test_trajectory_messages.py`` checks that both give the same text for every row,
including ties, negative zero, NaN and very large numbers.

A message is a sequence of parts: literal text (``str``), ``Num0(array)`` (like
``f"{x:,.0f}"``), ``Num1(array)`` (like ``f"{x:.1f}"``) and ``Int(array)`` (like
``f"{int(x)}"``), all arrays of the column's length (or of the rows of one case).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
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


_LIMIT = 1e15  # beyond this (and for ±inf, NaN) a row is formatted by Python
_POW10 = 10 ** np.arange(0, 19, dtype=np.int64)
_DIGITS = np.asarray([[48 + g // 100, 48 + g // 10 % 10, 48 + g % 10] for g in range(1000)],
                     dtype=np.uint8)  # a group of three digits, left to right
_CHUNK = 1 << 20  # rows of one case laid out at a time (bounds the working arrays' memory)
_ROWS = 4096  # rows of a layout written at a time: they stay in cache while every part is

Move = tuple[int, int, Any, Any]
"""``(column, width, table, index)``: write ``table[index[rows]]`` (``width`` bytes a row) at
``column`` of a layout's rows."""


class _Number:
    """A number part over a case's rows: magnitude, sign and digit count per row (rows Python
    must format are ``slow``). Rows of one layout share the digit count and the sign, so the
    sign, separators and point are literal text there and only the digits vary."""

    def __init__(self, part: Num0 | Num1 | Int) -> None:
        x = np.asarray(part.values, dtype=float)
        self.commas, self.tenths = isinstance(part, Num0), isinstance(part, Num1)
        with np.errstate(invalid="ignore"):
            slow = ~np.isfinite(x) | (np.abs(x) >= _LIMIT)
            clean = np.where(slow, 0.0, x)
            if self.tenths:
                scaled = clean * 10.0
                # a product within a few ulps of a .5 tie may round otherwise than Python's
                # exact decimal rounding of x: those few go to Python
                frac = np.abs(scaled - np.trunc(scaled))
                slow |= np.abs(frac - 0.5) <= 8 * np.spacing(np.abs(scaled) + 1.0)
                r = np.rint(np.where(slow, 0.0, scaled))
            else:
                r = np.rint(clean) if self.commas else np.trunc(clean)  # int(x): to zero
        self.slow = slow
        self.n = np.abs(r).astype(np.int64)
        self.neg = r < 0 if isinstance(part, Int) else np.signbit(r)  # int() has no -0
        nd = np.searchsorted(_POW10[1:], self.n, side="right") + 1
        if self.tenths:
            nd = np.maximum(nd, 2)  # 0.5, never .5
        self.key = 2 * nd + self.neg  # what the layout depends on
        ulen = nd + 1 if self.tenths else nd + (nd - 1) // 3 if self.commas else nd
        self.lengths = ulen + self.neg

    def prepare(self, order: np.ndarray[Any, Any]) -> None:
        """Digit groups of the rows ``order`` (the rows in the order they are written)."""
        n = self.n[order]
        if self.tenths:
            q = n // 10  # floor division by a scalar and a subtraction: ~3x np.divmod's speed
            self.last = _DIGITS[:, 2:][n - 10 * q]
            n = q
        self.groups = []
        top = len(str(int(n.max()))) if n.size else 1
        for _ in range(-(-top // 3)):
            q = n // 1000
            self.groups.append(n - 1000 * q)
            n = q

    def place(self, template: np.ndarray[Any, Any], c: int, key: int,
              moves: list[Move]) -> int:
        """Lay out a number of ``key`` (digit count, sign) from column ``c``: literal bytes
        into ``template``, digit groups as moves. Returns the column after it."""
        nd, neg = divmod(key, 2)
        if neg:
            template[c] = 45
            c += 1
        d = nd - 1 if self.tenths else nd
        groups = -(-d // 3)
        lead = d - 3 * (groups - 1)
        moves.append((c, lead, _DIGITS[:, 3 - lead:], self.groups[groups - 1]))
        c += lead
        for j in range(groups - 2, -1, -1):
            if self.commas:
                template[c] = 44
                c += 1
            moves.append((c, 3, _DIGITS, self.groups[j]))
            c += 3
        if self.tenths:
            template[c] = 46
            moves.append((c + 1, 1, None, self.last))
            c += 2
        return c


class _Choice:
    """A choice part: each choice's bytes, left-aligned in a table, and its length."""

    def __init__(self, part: Choice) -> None:
        raws = [u.encode() for u in part.choices] or [b""]
        self.table = np.zeros((len(raws), max(len(r) for r in raws)), dtype=np.uint8)
        for c, raw in enumerate(raws):
            self.table[c, :len(raw)] = np.frombuffer(raw, dtype=np.uint8)
        self.codes = np.asarray(part.codes, dtype=np.int64)
        self.sizes = np.asarray([len(r) for r in raws], dtype=np.int64)
        self.key = self.lengths = self.sizes[self.codes]

    def prepare(self, order: np.ndarray[Any, Any]) -> None:
        self.sorted = self.codes[order]

    def place(self, template: np.ndarray[Any, Any], c: int, row: int,
              moves: list[Move]) -> int:
        """Lay out the choice of the written row ``row``'s length from column ``c``."""
        code = int(self.sorted[row])
        w = int(self.sizes[code])
        if int((self.sizes == w).sum()) == 1:  # the only choice of this length: literal
            template[c:c + w] = self.table[code, :w]
        else:
            moves.append((c, w, self.table[:, :w], self.sorted))
        return c + w


def _taken(part: Part, idx: Any) -> Part:
    if isinstance(part, str):
        return part
    if isinstance(part, Choice):
        return Choice(np.asarray(part.codes)[idx], part.choices)
    return type(part)(np.asarray(part.values)[idx])


class _Case:
    """One case's rows as bytes, grouped by layout: rows whose parts have the same lengths
    (and numbers the same digit count and sign) form one fixed-width byte matrix. It is written
    a few thousand rows at a time, while they stay in cache: a template row with the literal
    text, then the varying bytes in whole columns (digit groups, choices).

    ``order`` are the rows (indices into the parts' arrays) in the order their bytes are
    written, ``lengths`` their byte counts, ``slow`` the rows left to Python."""

    def __init__(self, parts: Sequence[Part], m: int) -> None:
        self.fields: list[Any] = []
        slow = np.zeros(m, dtype=bool)
        fixed = 0
        for p in parts:
            if isinstance(p, str):
                self.fields.append(np.frombuffer(p.encode(), dtype=np.uint8))
                fixed += self.fields[-1].size
            elif isinstance(p, Choice):
                self.fields.append(_Choice(p))
            elif isinstance(p, Num0 | Num1 | Int):
                self.fields.append(_Number(p))
                slow |= self.fields[-1].slow
            else:  # free text per row: Python formats the case
                slow[:] = True
        fast = np.flatnonzero(~slow)
        key = np.zeros(fast.size, dtype=np.int64)
        lengths = np.full(fast.size, fixed, dtype=np.int64)
        radix = 1
        for f in self.fields:
            if not isinstance(f, np.ndarray) and fast.size:
                k = f.key[fast]
                lo = int(k.min())
                key += (k - lo) * radix
                radix *= int(k.max()) - lo + 1
                lengths += f.lengths[fast]
        perm = np.argsort(key.astype(np.uint16) if radix <= 1 << 16 else key,  # radix sort
                          kind="stable")
        self.order, self.lengths, key = fast[perm], lengths[perm], key[perm]
        self.bounds = [0, *(np.flatnonzero(key[1:] != key[:-1]) + 1).tolist(), fast.size]
        self.slow = np.flatnonzero(slow)
        self.nbytes = int(lengths.sum())

    def write(self, out: np.ndarray[Any, Any], offsets: np.ndarray[Any, Any]) -> None:
        """Write the rows' bytes into ``out``; row ``i`` (in ``order``) starts at
        ``offsets[i]`` (``offsets[-1]`` is the end)."""
        for f in self.fields:
            if not isinstance(f, np.ndarray):
                f.prepare(self.order)
        for s, e in pairwise(self.bounds if self.order.size else []):
            template = np.empty(int(self.lengths[s]), dtype=np.uint8)
            moves: list[Move] = []
            c = 0
            row = int(self.order[s])
            for f in self.fields:
                if isinstance(f, np.ndarray):
                    template[c:c + f.size] = f
                    c += f.size
                elif isinstance(f, _Number):
                    c = f.place(template, c, int(f.key[row]), moves)
                else:
                    c = f.place(template, c, s, moves)
            for a in range(s, e, _ROWS):
                b = min(a + _ROWS, e)
                block = out[offsets[a]:offsets[b]].reshape(b - a, c)
                block[...] = template
                for col, w, table, index in moves:
                    block[:, col:col + w] = (index[a:b] if table is None
                                             else np.take(table, index[a:b], axis=0))


class Column:
    """A message column assembled case by case: ``add(rows, parts)`` for each case (the cases'
    rows are disjoint)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.cases: list[tuple[np.ndarray[Any, Any], Sequence[Part]]] = []

    def add(self, rows: np.ndarray[Any, Any], parts: Sequence[Part]) -> None:
        """Rows (indices) of one case and its parts (arrays already restricted to ``rows``)."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size:
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
        plans, texts, slow_rows = [], [], []
        for rows, parts in self.cases:
            for start in range(0, rows.size, _CHUNK):
                some = [_taken(p, slice(start, start + _CHUNK)) for p in parts]
                case = _Case(some, min(rows.size - start, _CHUNK))
                plans.append((case, rows[start:start + _CHUNK]))
                if case.slow.size:
                    texts.extend(python_column([_taken(p, case.slow) for p in some],
                                               case.slow.size))
                    slow_rows.append(rows[start:start + _CHUNK][case.slow])
        raws = b"".join(t.encode() for t in texts)
        lengths = [c.lengths for c, _ in plans]
        lengths.append(np.asarray([len(t.encode()) for t in texts], dtype=np.int64))
        offsets = np.zeros(int(covered.sum()) + 1, dtype=np.int64)
        np.cumsum(np.concatenate(lengths), out=offsets[1:])
        data = np.empty(int(offsets[-1]), dtype=np.uint8)
        first = 0
        for case, _ in plans:
            case.write(data, offsets[first:first + case.order.size + 1])
            first += case.order.size
        data[offsets[first]:] = np.frombuffer(raws, dtype=np.uint8)
        joined = pa.LargeStringArray.from_buffers(offsets.size - 1, pa.py_buffer(offsets),
                                                  pa.py_buffer(data))
        source = np.concatenate([np.zeros(0, dtype=np.int64),
                                 *(rows[c.order] for c, rows in plans), *slow_rows])
        if source.size == self.n and bool((source == np.arange(self.n)).all()):
            return _to_pandas(joined)  # already in row order, every row covered
        index = np.zeros(self.n, dtype=np.int64)
        index[source] = np.arange(source.size)
        return _to_pandas(joined.take(pa.array(index, mask=~covered)))


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
