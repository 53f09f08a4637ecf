"""The column-wise message builder gives exactly the plain f-string text (its reference)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore.trajectory import _messages, check_trajectory

# exc_type: at the NumPy floor a pyarrow built for NumPy 2 raises ImportError, not ModuleNotFound
pytest.importorskip("pyarrow", exc_type=ImportError)


def _both(parts: list[object], n: int) -> tuple[list[object], list[str]]:
    col = _messages.column(n)
    col.add(np.arange(n), parts)  # type: ignore[arg-type]
    return list(col.build()), _messages.python_column(parts, n)  # type: ignore[arg-type]


EDGES = [0.0, -0.0, 0.5, 1.5, 2.5, -0.5, -0.4, 0.05, 0.15, 0.25, 0.35, 999.95, 1e15, -1e15,
         1e16, 123456789.5, 999999.5, 1e-300, -1e-300, np.nan, np.inf, -np.inf, 9.95, 99.95]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                          st.sampled_from(EDGES),
                          st.integers(-10**14, 10**14).map(lambda i: i / 10)),
                min_size=1, max_size=60))
def test_numbers_format_like_python(values: list[float]) -> None:
    x = np.asarray(values, dtype=float)
    codes = np.arange(x.size) % 3
    parts = ["ref ", _messages.Choice(codes, ["a", "bb–", ""]), _messages.Num0(x), " t (",
             _messages.Num1(x), " %) ≤ ", _messages.Int(np.arange(x.size) - 5)]
    fast, plain = _both(parts, x.size)
    assert fast == plain


def test_uncovered_rows_stay_missing() -> None:
    col = _messages.column(3)
    col.add(np.asarray([2, 0]), ["x", _messages.Num0(np.asarray([1e4, 2.0]))])
    out = list(col.build())
    assert out[0] == "x2" and out[2] == "x10,000" and pd.isna(out[1])


def test_check_table_is_the_same_with_and_without_the_fast_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(3)
    years = np.arange(1990, 2051)
    values = 1e5 * (1 - rng.uniform(0, 0.06, (3, 4, 1))) ** (years - 1990)
    values[0, 0, 40:] = np.nan  # no data
    values[1, 1] -= 2e4 * np.clip(years - 2030, 0, None)  # crosses net zero
    e = xr.DataArray(values, dims=("municipality", "draw", "year"),
                     coords={"municipality": [101, 147, 751], "draw": range(4), "year": years},
                     attrs={"units": "t", "gases": ["CO2", "CH4", "N2O"],
                            "boundary": "territorial"})
    pop = xr.DataArray(np.full((3, years.size), 5e4), dims=("municipality", "year"),
                       coords={"municipality": [101, 147, 751], "year": years})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = check_trajectory(e, ["dk-climate-act", "ipcc-ar6-c1-ghg", "sbti-aca-1.5c",
                                   "c40-deadline-2020"], population=pop)
    fast = {k: res.to_frame(k) for k in ("all", "years")}
    monkeypatch.setattr(_messages, "_arrow", lambda: None)
    for kind, frame in fast.items():
        plain = res.to_frame(kind)  # type: ignore[arg-type]
        assert frame["message"].tolist() == plain["message"].tolist(), kind
        assert frame["message"].notna().all()
    monkeypatch.undo()  # the table of all rows is the three kinds' tables, concatenated
    parts = [res.to_frame(k) for k in ("milestones", "budget", "net_zero")]  # type: ignore[arg-type]
    pd.testing.assert_frame_equal(fast["all"], pd.concat(parts, ignore_index=True),
                                  check_exact=True)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-1, 2), min_size=1, max_size=40), st.integers(1, 7),
       st.randoms(use_true_random=False))
def test_interleaved_cases_across_chunks_match_python(
        case_of_row: list[int], chunk: int, rnd: object) -> None:
    """Rows split among cases (-1: none), each case added in any order and written in row
    order across chunk boundaries: the same text as the plain path, uncovered rows missing."""
    n = len(case_of_row)
    cases = np.asarray(case_of_row)
    x = np.linspace(-2e6, 3e6, n) + 0.05
    templates = [lambda v: ["on ", _messages.Num0(v), " t"],
                 lambda v: [_messages.Num1(v), " % – ", _messages.Int(np.trunc(v / 7))],
                 lambda v: ["no data"]]
    fast, plain = _messages.column(n), [None] * n
    for c, template in enumerate(templates):
        rows = np.flatnonzero(cases == c)
        order = rnd.sample(range(rows.size), rows.size)  # type: ignore[attr-defined]
        rows = rows[np.asarray(order, dtype=np.int64)]
        parts = template(x[rows])
        fast.add(rows, parts)
        for i, text in zip(rows.tolist(), _messages.python_column(parts, rows.size),
                           strict=True):
            plain[i] = text
    old = _messages._CHUNK, _messages._ROWS
    _messages._CHUNK = _messages._ROWS = chunk  # cases and layouts cut in small pieces
    try:
        out = list(fast.build())
    finally:
        _messages._CHUNK, _messages._ROWS = old
    assert [None if pd.isna(t) else t for t in out] == plain
