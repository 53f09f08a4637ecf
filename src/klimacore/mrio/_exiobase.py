"""Reader for the EXIOBASE 3 text layout (a folder, or the zip archive as distributed).

The layout, as shipped in EXIOBASE 3 (``IOT_<year>_ixi.zip`` / ``_pxp.zip``; the same layout
pymrio writes with ``save_all``): tab-separated text files with the column labels in header
rows and the row labels in leading columns::

    A.txt, Z.txt   region⇥⇥AT⇥AT…       (2 header rows: region, sector;
                   sector⇥⇥Cultivation…  then a row naming the index columns)
                   region⇥sector⇥⇥…
                   AT⇥Cultivation…⇥0.01⇥…
    Y.txt          header rows region, category; index columns region, sector
    x.txt          region⇥sector⇥indout, then one row per (region, sector)
    unit.txt       region⇥sector⇥unit (the monetary unit, e.g. M.EUR)
    satellite/F.txt, satellite/F_Y.txt
                   header rows region, sector (F) or region, category (F_Y);
                   index column(s) stressor (pymrio's test system: stressor, compartment)
    satellite/unit.txt   stressor⇥unit

The number of index columns is read from the first header row (the empty cells after its first
label). Only what an :class:`~klimacore.mrio.IOSystem` needs is read: A (or Z), Y, x when A is
used, F, F_Y and the units; L, S, M and the ``impacts`` folder are ignored (pass
``extension="impacts"`` to read that folder's F and F_Y instead).
"""

from __future__ import annotations

import io as _io
import zipfile
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING, Any

import pandas as pd

from klimacore.errors import DataError

if TYPE_CHECKING:
    from klimacore.mrio._system import IOSystem


class _Source:
    """Files of an EXIOBASE folder or zip, addressed by their path below the system root."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.zip: zipfile.ZipFile | None = None
        self.root = ""
        if self.path.is_file() and zipfile.is_zipfile(self.path):
            self.zip = zipfile.ZipFile(self.path)
            roots = sorted(
                (str(PurePosixPath(m).parent) for m in self.zip.namelist()
                 if PurePosixPath(m).name in ("A.txt", "Z.txt")),
                key=lambda p: p.count("/"))
            if not roots:
                raise DataError(f"{self.path} holds no A.txt or Z.txt (not an EXIOBASE archive)")
            self.root = "" if roots[0] == "." else roots[0] + "/"
        elif not self.path.is_dir():
            raise DataError(f"{self.path} is neither a folder nor a zip archive")

    def exists(self, name: str) -> bool:
        if self.zip is not None:
            return (self.root + name) in set(self.zip.namelist())
        return (self.path / name).is_file()

    def open(self, name: str) -> IO[str]:
        if self.zip is not None:
            return _io.TextIOWrapper(self.zip.open(self.root + name), encoding="utf-8")
        return open(self.path / name, encoding="utf-8")

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()


def _read_table(src: _Source, name: str) -> pd.DataFrame:
    """A matrix file: two header rows (region; sector or category), a row naming the index
    columns, then the data rows with their labels in the leading index column(s)."""
    with src.open(name) as fh:
        first = fh.readline().rstrip("\r\n").split("\t")
        second = fh.readline().rstrip("\r\n").split("\t")
    n_index = 1
    while n_index < len(first) and first[n_index] == "":
        n_index += 1
    if n_index >= len(first) or len(second) != len(first):
        raise DataError(f"{name}: not in the EXIOBASE layout (two header rows of column labels "
                        f"after {n_index} index column(s))")
    with src.open(name) as fh:
        try:
            df = pd.read_csv(fh, sep="\t", header=[0, 1], index_col=list(range(n_index)),
                             engine="c", float_precision="round_trip")
        except (ValueError, pd.errors.ParserError) as exc:
            raise DataError(f"{name}: cannot parse ({exc})") from None
    df.columns = df.columns.set_names([first[0], second[0]])
    bad = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
    if bad:
        raise DataError(f"{name}: non-numeric values in column(s) "
                        f"{', '.join(map(repr, bad[:5]))}")
    return df


def _read_labels(src: _Source, name: str) -> pd.Series:
    """A unit file: index columns then one value column (``unit``)."""
    with src.open(name) as fh:
        df = pd.read_csv(fh, sep="\t", dtype=str, keep_default_na=False)
    if df.shape[1] < 2:
        raise DataError(f"{name}: expected index column(s) and a value column")
    idx_cols = list(df.columns[:-1])
    s = df.set_index(idx_cols if len(idx_cols) > 1 else idx_cols[0])[df.columns[-1]]
    return s


def read_exiobase3(path: str | Path, *, extension: str = "satellite", **kwargs: Any
                   ) -> IOSystem:
    """Read an EXIOBASE 3 system (folder or zip) into an :class:`~klimacore.mrio.IOSystem`.

    Parameters
    ----------
    path
        The extracted folder or the zip archive (files may sit in one sub-folder of it, as in
        ``IOT_2019_pxp.zip``).
    extension
        Folder with the stressor tables F, F_Y and unit (``"satellite"`` or ``"impacts"``).
    **kwargs
        Passed to :class:`~klimacore.mrio.IOSystem` (``name``, ``population``,
        ``allow_negative`` …).

    Raises
    ------
    DataError
        A file is missing or unreadable (the message names it).

    Examples
    --------
    >>> io = read_exiobase3("IOT_2022_pxp.zip")  # doctest: +SKIP
    >>> io.accounts(level="region")["D_cba_reg"].sel(region="DK")  # doctest: +SKIP
    """
    from klimacore.mrio._system import IOSystem

    src = _Source(path)
    try:
        use_a = src.exists("A.txt")
        needed = ["A.txt" if use_a else "Z.txt", "Y.txt", f"{extension}/F.txt"]
        if use_a and src.exists("x.txt"):
            needed.append("x.txt")
        missing = [f for f in needed if not src.exists(f)]
        if missing:
            raise DataError(f"{path}: missing EXIOBASE file(s) {', '.join(missing)}")
        mat = _read_table(src, needed[0])
        args: dict[str, Any] = {"A" if use_a else "Z": mat,
                                "Y": _read_table(src, "Y.txt"),
                                "F": _read_table(src, f"{extension}/F.txt")}
        if src.exists(f"{extension}/F_Y.txt"):
            args["F_Y"] = _read_table(src, f"{extension}/F_Y.txt")
        if use_a and src.exists("x.txt"):
            x = _read_labels(src, "x.txt").astype(float)
            args["x"] = x
        if src.exists(f"{extension}/unit.txt"):
            args["unit"] = _read_labels(src, f"{extension}/unit.txt")
        if src.exists("unit.txt"):
            mu = set(_read_labels(src, "unit.txt"))
            if len(mu) == 1:
                args["monetary_unit"] = mu.pop()
        args.setdefault("name", Path(path).stem)
        args.update(kwargs)
        return IOSystem(**args)
    finally:
        src.close()
