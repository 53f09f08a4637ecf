"""Reading and writing users' files safely (internal; used by :mod:`klimacore.io` and the CLI).

Everything here names the file and, where it can, the line (1-based, as editors count):

* :func:`decode` turns bytes into text: UTF-8 with or without a byte-order mark is accepted;
  UTF-16/UTF-32 and Latin-1/Windows-1252 text are refused with a hint (which one is meant cannot
  be told from the bytes alone: ``æ`` in Latin-1 is the same byte as in Windows-1252, but other
  bytes differ, so guessing could change a label silently).
* :func:`load_json` parses JSON and refuses duplicate keys, ``NaN``/``Infinity`` and numbers
  beyond the float range, and nesting deeper than :data:`MAX_JSON_DEPTH`.
* :func:`read_table` reads a delimited text table (``,``, or ``;`` with decimal commas as Danish
  Excel writes it) into strings, refusing empty files, header-only files, blank or duplicate
  column names and ragged rows, every problem with its line.
* :func:`atomic_write` writes to a temporary file in the target directory and renames it into
  place, so an interrupted write never leaves a partial file behind.
* :func:`escape_cell` / :func:`unescape_cell` guard spreadsheet exports against formula
  injection (a cell starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return is read as
  a formula by Excel and LibreOffice; OWASP, "CSV Injection") and undo it exactly on reading.

>>> decode("municipality\\n727\\n".encode("utf-8-sig"), "a.csv")
'municipality\\n727\\n'
>>> [str(e) for e in load_json('{"municipality": 727, "municipality": 751}', "plan.json")[1]]
['municipality: key given twice (727, then 751); a JSON object may name a key once']
>>> escape_cell("=SUM(A1)"), unescape_cell(escape_cell("=SUM(A1)"))
("'=SUM(A1)", '=SUM(A1)')
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from klimacore.errors import InputFileError, KlimacoreError, ValidationError

if TYPE_CHECKING:
    import pandas as pd

SOURCE_ATTR = "klimacore_source"
"""``frame.attrs`` key holding the path of the file a frame was read from; the frame's index then
holds the file's 1-based line numbers, so problems found later can name the line."""

TIDY_HEADER = "# klimacore: "
"""First line of a tidy CSV written by :func:`klimacore.io.write_csv` (JSON metadata follows)."""

MAX_JSON_DEPTH = 64
"""Deepest nesting of arrays/objects accepted in a JSON input (a plan needs 4)."""

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ESCAPE = "'"


# --- text ---------------------------------------------------------------------------------------


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def decode(data: bytes, path: object) -> str:
    """Bytes of a text file → str; UTF-8 only (a UTF-8 byte-order mark is dropped)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for bom, name in ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
                      (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):
        if data.startswith(bom):
            raise InputFileError(path, f"the file is {name} text (it starts with a {name} "
                                 "byte-order mark); klimacore reads UTF-8: save it as UTF-8 "
                                 "(in Excel: 'CSV UTF-8'), e.g. iconv -f UTF-16 -t UTF-8",
                                 line=1)
    nul = data.find(b"\x00")
    if nul >= 0:
        line, column = _position(data, nul)
        raise InputFileError(path, "the file holds NUL bytes: it is binary or UTF-16 without a "
                             "byte-order mark, not UTF-8 text", line=line, column=column)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _position(data, exc.start)
        byte = data[exc.start]
        guess = bytes([byte]).decode("cp1252", errors="replace")
        raise InputFileError(
            path, f"not UTF-8: byte 0x{byte:02x} (which would be {guess!r} in Latin-1/Windows-1252)"
            "; klimacore reads UTF-8 only: save the file as UTF-8 (in Excel: 'CSV UTF-8'), e.g. "
            "iconv -f WINDOWS-1252 -t UTF-8", line=line, column=column) from None


def read_text(path: str | Path) -> str:
    """The text of a UTF-8 file (see :func:`decode`); OSError when it cannot be read."""
    return decode(Path(path).read_bytes(), path)


# --- JSON ---------------------------------------------------------------------------------------


class _Object(dict[str, Any]):
    """A parsed JSON object that met a key twice (the others stay plain dicts: fast)."""

    twice: list[tuple[str, Any, Any]]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    out = _Object()
    out.twice = []
    for key, value in pairs:
        if key in out:
            out.twice.append((key, out[key], value))
        out[key] = value
    return out


def _walk(value: Any, loc: str, out: list[KlimacoreError]) -> None:
    if isinstance(value, dict):
        for key, first, second in getattr(value, "twice", ()):
            where = f"{loc}.{key}" if loc else key
            out.append(ValidationError(
                f"{where}: key given twice ({json.dumps(first)}, then {json.dumps(second)}); a "
                "JSON object may name a key once", code="json.duplicate_key", label=key,
                location=where))
        for key, item in value.items():
            _walk(item, f"{loc}.{key}" if loc else key, out)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, f"{loc}[{i}]", out)


def load_json(text: str, path: object) -> tuple[Any, list[KlimacoreError]]:
    """Parse JSON; return the document and the problems a plain parser lets through.

    Syntax errors, nesting deeper than :data:`MAX_JSON_DEPTH`, ``NaN``/``Infinity`` and numbers
    beyond the float range raise :class:`~klimacore.errors.InputFileError` with the line;
    duplicate keys come back as problems (a :class:`~klimacore.errors.ValidationError` each,
    code ``"json.duplicate_key"``, location the field path) so they are reported with the
    document's other problems.

    >>> doc, problems = load_json('{"a": [{"b": 1, "b": 2}]}', "x.json")
    >>> doc, [(e.code, e.location) for e in problems]
    ({'a': [{'b': 2}]}, [('json.duplicate_key', 'a[0].b')])
    """
    problems: list[KlimacoreError] = []

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not a JSON number (write a finite number or leave the "
                         "field out)")

    def number(token: str) -> float:
        value = float(token)
        if math.isinf(value):
            raise ValueError(f"the number {token} is beyond the range of a float (±1.8e308)")
        return value

    twice: list[bool] = []

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = _pairs(items)
        if isinstance(obj, _Object):
            twice.append(True)
        return obj

    try:
        doc = json.loads(text, object_pairs_hook=pairs, parse_constant=constant,
                         parse_float=number)
    except json.JSONDecodeError as exc:
        raise InputFileError(path, f"not valid JSON: {exc.msg}", line=exc.lineno,
                             column=exc.colno) from None
    except ValueError as exc:
        raise InputFileError(path, f"not valid JSON: {exc}") from None
    except RecursionError:
        raise InputFileError(path, "JSON nested too deeply to read (thousands of levels; a "
                             "plan needs 4)", line=1) from None
    depth = _depth(doc, MAX_JSON_DEPTH)
    if depth > MAX_JSON_DEPTH:
        raise InputFileError(path, f"JSON nested more than {MAX_JSON_DEPTH} levels deep (a plan "
                             "needs 4)")
    if twice:
        _walk(doc, "", problems)
    return doc, problems


def _depth(value: Any, limit: int, level: int = 0) -> int:
    """Nesting depth of a parsed document, not looking deeper than ``limit`` + 1."""
    if level > limit:
        return level
    if isinstance(value, dict):
        items: Any = value.values()
    elif isinstance(value, list):
        items = value
    else:
        return level
    return max((_depth(v, limit, level + 1) for v in items if isinstance(v, dict | list)),
               default=level + 1)


# --- delimited tables ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """A delimited text table as strings: header, rows and each row's 1-based line number."""

    header: list[str]
    rows: list[list[str]]
    lines: list[int]
    delimiter: str
    decimal_comma: bool


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    if counts[";"] > counts[","] and counts[";"] >= counts["\t"]:
        return ";"
    if counts["\t"] > counts[","]:
        return "\t"
    return ","


def read_table(path: str | Path, *, text: str | None = None, skip_lines: int = 0) -> Table:
    """Read a delimited text file into strings, refusing what cannot be a table.

    The delimiter is taken from the header line: ``;`` (then numbers may use a decimal comma,
    as Danish Excel writes them), tab, or ``,``. Blank lines are skipped.
    """
    if text is None:
        text = read_text(path)
    lines = text.split("\n")  # only \n ends a line here (as in csv); \u2028 & co. are text
    body = "\n".join(lines[skip_lines:])
    first = next((line for line in lines[skip_lines:] if line.strip()), None)
    if first is None:
        raise InputFileError(path, "the file is empty: expected a header line and data rows",
                             line=skip_lines + 1)
    delim = _delimiter(first)
    reader = csv.reader(io.StringIO(body, newline=""), delimiter=delim, strict=True)
    header: list[str] | None = None
    header_line = 0
    rows: list[list[str]] = []
    numbers: list[int] = []
    problems: list[str] = []
    start = 1
    try:
        for row in reader:
            line = skip_lines + start
            start = reader.line_num + 1
            if not row or all(not cell.strip() for cell in row):
                continue
            if header is None:
                header, header_line = [c.strip() for c in row], line
                continue
            if len(row) != len(header):
                problems.append(f"line {line}: {len(row)} fields, but the header (line "
                                f"{header_line}) has {len(header)}")
                continue
            rows.append(row)
            numbers.append(line)
    except csv.Error as exc:
        raise InputFileError(path, f"not a readable table: {exc}",
                             line=skip_lines + reader.line_num) from None
    assert header is not None
    blank = [i + 1 for i, name in enumerate(header) if not name]
    if blank:
        problems.insert(0, f"line {header_line}: column(s) {blank} of the header have no name")
    twice = sorted({n for n in header if n and header.count(n) > 1})
    if twice:
        problems.insert(0, f"line {header_line}: column name(s) {twice} appear twice")
    if problems:
        shown = problems[:20] + ([f"… ({len(problems) - 20} more)"] if len(problems) > 20 else [])
        raise InputFileError(path, f"{len(problems)} problem(s) in the table layout",
                             problems=shown)
    if not rows:
        raise InputFileError(path, f"the file has a header ({', '.join(header)}) but no data "
                             "rows", line=header_line)
    return Table(header, rows, numbers, delim, decimal_comma=delim == ";")


_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_COMMA_NUMBER = re.compile(r"^[+-]?\d+,\d+([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")


def parse_number(cell: str, *, decimal_comma: bool) -> float | str:
    """A number from a table cell, or the reason it is not one."""
    text = cell.strip()
    if decimal_comma:
        if _COMMA_NUMBER.match(text):
            text = text.replace(",", ".")
        elif "." in text and _PLAIN_NUMBER.match(text) and not _INTEGER.match(text):
            return (f"{cell!r} is ambiguous in a ';'-separated file (decimal comma expected: "
                    "is '.' a thousands separator?); write it without thousands separators, "
                    "e.g. 1500 or 1,5")
    if not _PLAIN_NUMBER.match(text):
        return f"{cell!r} is not a number"
    value = float(text)
    if math.isinf(value):
        return f"{cell!r} is beyond the range of a float (±1.8e308)"
    return value


def parse_integer(cell: str) -> int | str:
    """An integer from a table cell (``2019``, not ``2019.5``), or the reason it is not one."""
    text = cell.strip()
    if _INTEGER.match(text):
        return int(text)
    if re.match(r"^[+-]?\d+[.,]0+$", text):
        return int(text.split(".")[0].split(",")[0])
    return f"{cell!r} is not a whole number"


# --- writing ------------------------------------------------------------------------------------


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w") -> Iterator[tuple[Path, IO[Any] | None]]:
    """Write ``path`` through a temporary file in the same directory, renamed into place at the end.

    Yields ``(temporary path, open file)``; with ``mode=""`` the file is not opened (for writers
    that take a path). On any error the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        if mode:
            with os.fdopen(fd, mode, encoding="utf-8" if "b" not in mode else None,
                           newline="" if "b" not in mode else None) as fh:
                yield tmp, fh
                fh.flush()
                os.fsync(fh.fileno())
        else:
            os.close(fd)
            yield tmp, None
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def write_with(path: str | Path, writer: Callable[[Path], object]) -> Path:
    """Call ``writer(temporary path)`` and rename the result to ``path`` (see :func:`atomic_write`)."""
    with atomic_write(path, mode="") as (tmp, _):
        writer(tmp)
    return Path(path)


def escape_cell(text: str) -> str:
    """Prefix ``'`` to a cell a spreadsheet would run as a formula (and to one starting with ``'``)."""
    if text.startswith(_FORMULA_START) or text.startswith(_ESCAPE):
        return _ESCAPE + text
    return text


def unescape_cell(text: str) -> str:
    """Undo :func:`escape_cell` exactly."""
    return text[1:] if text.startswith(_ESCAPE) else text


def escape_frame(frame: pd.DataFrame, skip: tuple[str, ...] = ()) -> pd.DataFrame:
    """A copy with text cells a spreadsheet would run as formulas escaped (:func:`escape_cell`).

    >>> import pandas as pd
    >>> escape_frame(pd.DataFrame({"a": ["=1+1", "x"], "value": [1, 2]}))["a"].tolist()
    ["'=1+1", 'x']
    """
    out = frame.copy()
    for name in out.columns:
        if name in skip or out[name].dtype.kind not in "OSUT":
            continue
        out[name] = [(escape_cell(v) if isinstance(v, str) else v) for v in out[name]]
    return out


def unescape_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo :func:`escape_frame` in place on every text column but ``value``; returns it."""
    for name in frame.columns:
        if name == "value" or frame[name].dtype.kind not in "OSUT":
            continue
        frame[name] = [(unescape_cell(v) if isinstance(v, str) else v) for v in frame[name]]
    return frame
