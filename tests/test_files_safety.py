"""Files written safely: atomic replacement, spreadsheet-formula escaping, exact dtypes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import xarray as xr
from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore import _files, io


def _inventory_like() -> xr.DataArray:
    return xr.DataArray([1.5, 2.5], dims="category", coords={"category": ["I.1.1", "II.1.1"]},
                        attrs={"units": "t"})


@pytest.mark.parametrize("fmt", ["csv", "nc", "activity"])
def test_interrupted_write_leaves_the_old_file_and_no_partial_one(
        fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / f"out.{'nc' if fmt == 'nc' else 'csv'}"
    path.write_bytes(b"old content")

    def boom(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C half-way

    if fmt == "nc":
        monkeypatch.setattr(xr.Dataset, "to_netcdf", boom)
        write = lambda: io.to_netcdf(_inventory_like(), path)  # noqa: E731
    else:
        monkeypatch.setattr(pd.DataFrame, "to_csv", boom)
        if fmt == "csv":
            write = lambda: io.write_csv(_inventory_like(), path)  # noqa: E731
        else:
            frame = pd.DataFrame({"municipality": [727], "year": [2019], "category": ["I.1.1"],
                                  "fuel": ["wood"], "value": [1.0], "unit": ["GJ"]})
            write = lambda: io.write_activity_csv(frame, path)  # noqa: E731
    with pytest.raises(KeyboardInterrupt):
        write()
    assert path.read_bytes() == b"old content"
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    import os

    umask = os.umask(0o022)
    try:
        path = io.write_csv(_inventory_like(), tmp_path / "x.csv")
    finally:
        os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o644


FORMULAS = ["=1+2", "+SUM(A1)", "-2+3", "@cmd", "\tTAB", "'quoted", "''twice", "plain", "a=b"]


@pytest.mark.parametrize("label", FORMULAS)
def test_formula_labels_are_escaped_in_csv_and_read_back_exactly(label: str,
                                                                 tmp_path: Path) -> None:
    da = xr.DataArray([1.0, 2.0], dims="category", coords={"category": [label, "I.1.1"]},
                      attrs={"units": "t"}, name="co2e")
    path = io.write_csv(da, tmp_path / "x.csv")
    cells = pd.read_csv(path, skiprows=1, dtype=str, keep_default_na=False)["category"].tolist()
    assert not any(c.startswith(("=", "+", "-", "@", "\t")) for c in cells)
    assert io.read_csv(path).identical(da)
    frame = pd.DataFrame({"municipality": [727], "year": [2019], "category": ["I.1.1"],
                          "fuel": [label], "value": [1.0], "unit": ["GJ"]})
    act = tmp_path / "act.csv"
    io.write_activity_csv(frame, act)
    assert io.read_activity_csv(act)["fuel"].tolist() == [label]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_escaping_is_undone_exactly(text: str) -> None:
    escaped = _files.escape_cell(text)
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert _files.unescape_cell(escaped) == text


def _round_trips(obj: xr.DataArray, tmp_path: Path) -> None:
    assert io.read_csv(io.write_csv(obj, tmp_path / "x.csv")).identical(obj)
    pytest.importorskip("h5netcdf")
    assert io.read_netcdf(io.to_netcdf(obj, tmp_path / "x.nc")).identical(obj)


@pytest.mark.parametrize("labels", [
    np.array([2**60 + 1, 2**53 + 1, -(2**62) - 3], dtype=np.int64),
    np.array([2**64 - 1, 2**63 + 7, 0], dtype=np.uint64),
    np.array(["2019-01-01", "2020-06-30T12:00:00.000000001", "NaT"], dtype="datetime64[ns]"),
    np.array(["2019-01-01", "1970-01-01", "2100-12-31"], dtype="datetime64[D]"),
], ids=["int64-beyond-2^53", "uint64", "datetime-ns-nat", "datetime-days"])
def test_integer_and_datetime_coordinates_round_trip_exactly(labels: np.ndarray[Any, Any],
                                                             tmp_path: Path) -> None:
    da = xr.DataArray([1.0, 2.0, 3.0], dims="id", coords={"id": labels}, attrs={"units": "t"})
    if labels.dtype.kind == "M" and np.isnat(labels).any():
        # NaT is no label for an index: keep it as a non-index coordinate
        da = xr.DataArray([1.0, 2.0, 3.0], dims="id", coords={"when": ("id", labels)})
    _round_trips(da, tmp_path)


def test_large_integer_variables_exact_in_netcdf_refused_in_csv(tmp_path: Path) -> None:
    from klimacore.errors import DataError

    da = xr.DataArray(np.array([2**60 + 1, 3], dtype=np.int64), dims="year",
                      coords={"year": [2019, 2020]})
    pytest.importorskip("h5netcdf")
    assert io.read_netcdf(io.to_netcdf(da, tmp_path / "x.nc")).identical(da)
    with pytest.raises(DataError, match="2\\^53"):
        io.write_csv(da, tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()
    small = da.copy(data=np.array([2**53, -(2**53)], dtype=np.int64))
    assert io.read_csv(io.write_csv(small, tmp_path / "x.csv")).identical(small)


labels = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
                 min_size=1, max_size=12).map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(labels, st.floats(min_value=0, max_value=1e15,
                                                 allow_nan=False, allow_infinity=False)),
                     min_size=1, max_size=6, unique_by=lambda r: r[0]))
def test_activity_csv_round_trip_is_exact(rows: list[tuple[str, float]]) -> None:
    """Any labels (commas, quotes, line breaks, formula signs, æøå) and values read back exactly."""
    import tempfile

    frame = pd.DataFrame({"municipality": 727, "year": 2019, "category": "I.1.1",
                          "fuel": [r[0] for r in rows], "value": [r[1] for r in rows],
                          "unit": "GJ"})
    with tempfile.TemporaryDirectory() as d:
        back = io.read_activity_csv(io.write_activity_csv(frame, Path(d) / "a.csv"))
    assert back["fuel"].tolist() == frame["fuel"].tolist()
    assert back["value"].tolist() == frame["value"].tolist()
    assert back["municipality"].tolist() == [727] * len(rows)
