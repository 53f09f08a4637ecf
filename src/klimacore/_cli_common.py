"""Conventions every ``klimacore`` command shares: stdin, ``--format json``, ``-v``, the streams.

* Results go to **stdout**, diagnostics (problems, progress, "wrote FILE") to **stderr**, so
  ``klimacore check plan.json --format json | jq`` gets only the result.
* A file argument ``-`` reads standard input (UTF-8, like any file).
* ``--format json`` prints one JSON document: numbers as numbers, missing values as ``null``
  (never 0), the same fields as the tidy tables of the library.
* ``-v`` / ``-vv`` show klimacore's log (the ``klimacore`` logger, INFO / DEBUG) on stderr; the
  library itself configures no logging.

Commands added later use :func:`add_format`, :func:`read_input` and :func:`emit_json`.

>>> import pandas as pd
>>> frame_records(pd.DataFrame({"year": pd.array([2030, None], dtype="Int64"),
...                             "value": [1.5, float("nan")], "status": ["pass", "fail"]}))
[{'year': 2030, 'value': 1.5, 'status': 'pass'}, {'year': None, 'value': None, 'status': 'fail'}]
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["STDIN", "add_format", "add_verbose", "configure_logging", "emit_json",
           "frame_records", "read_input"]

STDIN = "-"


def read_input(path: str) -> str:
    """The text of ``path`` (UTF-8, BOM accepted), or of standard input for ``-``.

    OSError when the file cannot be read; :class:`~klimacore.errors.InputFileError` when it is
    not UTF-8 (named ``<stdin>`` for standard input).
    """
    from klimacore import _files

    if path == STDIN:
        data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else \
            sys.stdin.read().encode("utf-8")
        return _files.decode(data, "<stdin>")
    return _files.read_text(path)


def add_format(parser: argparse.ArgumentParser) -> None:
    """Add ``--format {text,json}`` (default text) to a command's parser."""
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="print the result as text (default) or as one JSON document")


def add_verbose(parser: argparse.ArgumentParser) -> None:
    """Add ``-v/--verbose`` (repeatable) to the top-level parser."""
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="show klimacore's log on stderr (-v info, -vv debug)")


def configure_logging(verbosity: int) -> logging.Handler | None:
    """Attach a stderr handler to the ``klimacore`` logger (the CLI's choice, not the library's).

    Returns the handler so the caller can remove it again (``main`` is called many times in
    tests).
    """
    if verbosity <= 0:
        return None
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("klimacore: %(levelname)s: %(name)s: %(message)s"))
    logger = logging.getLogger("klimacore")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbosity == 1 else logging.DEBUG)
    return handler


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
    except ImportError:  # pragma: no cover - pandas is a dependency
        pass
    return value


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A tidy table as JSON-ready records: NaN / NA → ``None``, numpy scalars → Python."""
    columns = [str(c) for c in frame.columns]
    return [{c: _plain(v) for c, v in zip(columns, row, strict=True)}
            for row in frame.astype(object).itertuples(index=False, name=None)]


def emit_json(document: Any) -> None:
    """Print one JSON document on stdout (UTF-8, not ASCII-escaped; NaN refused)."""
    print(json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False, default=_plain))
