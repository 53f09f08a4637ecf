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
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "STDIN", "InvalidError", "UsageError",
           "add_format", "add_verbose", "configure_logging", "emit_json", "frame_records",
           "guard", "guarded", "load_plan", "problem_lines", "read_input", "read_path",
           "read_plan_workbook"]

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


# --- errors and exit codes: one handler for every command ---------------------------------------

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
"""Exit codes: 0 success, 1 invalid input or a failed check, 2 usage / IO / missing dependency /
internal error."""


class UsageError(Exception):
    """A usage or IO problem of a command (exit 2): an option, a file that cannot be read."""


class InvalidError(Exception):
    """Invalid input already rendered as problem texts (exit 1)."""

    def __init__(self, message: str, problems: Sequence[str]) -> None:
        super().__init__(message)
        self.problems = list(problems)


def problem_lines(exc: BaseException) -> list[str]:
    """The lines the CLI prints for invalid input: a headline, then one problem per line.

    A :class:`~klimacore.errors.ProblemGroup` gives its headline and each item with its
    location; any other klimacore error its message (and its older ``problems`` list).

    >>> from klimacore.errors import Problems
    >>> p = Problems("plan.json")
    >>> p.add("year 1850 is outside 1990–2100", location="baseline_year")
    >>> p.add("unknown sector 'x'", location="actions[0].sector")
    >>> try:
    ...     p.raise_if_any()
    ... except Exception as exc:
    ...     print("\\n".join(problem_lines(exc)))
    plan.json: 2 problems
      - baseline_year: year 1850 is outside 1990–2100
      - actions[0].sector: unknown sector 'x'
    """
    from klimacore.errors import ProblemGroup

    if isinstance(exc, ProblemGroup):
        return [exc.headline, *(f"  - {p}" for p in exc.problems)]
    problems = list(getattr(exc, "problems", ()))
    text = str(exc)
    location = getattr(exc, "location", None)
    if location and not text.startswith(str(location)) and not problems:
        text = f"{location}: {text}"
    head = text.splitlines()[0] if problems else text
    return [head, *(f"  - {p}" for p in problems)]


def guard(exc: BaseException, *, install_hint: str | None = None, prefix: str = "") -> int:
    """Print an exception as a short paragraph (never a traceback); return the exit code.

    Invalid input (a :class:`~klimacore.errors.KlimacoreError`, a :class:`ProblemGroup` one
    problem per line) exits 1; a usage error, unreadable file, missing optional dependency
    (with ``install_hint``, e.g. ``"pip install 'klimacore[report]'"``) or an internal error
    exits 2. ``prefix`` starts the headline of invalid input (``"klimacore footprint: "``).

    >>> guard(ModuleNotFoundError("No module named 'jinja2'", name="jinja2"),
    ...       install_hint="pip install 'klimacore[report]'")
    2
    """
    import os

    from klimacore.errors import KlimacoreError

    if isinstance(exc, SystemExit):
        return int(exc.code) if isinstance(exc.code, int) else EXIT_USAGE
    if isinstance(exc, UsageError):
        print(f"klimacore: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if isinstance(exc, KlimacoreError | InvalidError):  # names file / row / field / label
        lines = problem_lines(exc)
        print(prefix + "\n".join(lines), file=sys.stderr)
        return EXIT_INVALID
    if isinstance(exc, KeyboardInterrupt):
        print("klimacore: interrupted", file=sys.stderr)
        return EXIT_USAGE
    if isinstance(exc, BrokenPipeError):  # e.g. `klimacore check plan.json | head`
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    if isinstance(exc, ImportError):
        hint = f" ({install_hint})" if install_hint else ""
        print(f"klimacore: error: a dependency is missing: {exc}{hint}", file=sys.stderr)
        return EXIT_USAGE
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"klimacore: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    if os.environ.get("KLIMACORE_TRACEBACK"):
        raise exc
    print(f"klimacore: internal error ({type(exc).__name__}: {exc}); this is a bug in "
          "klimacore, please report it with the command line and the input (set "
          "KLIMACORE_TRACEBACK=1 for the traceback)", file=sys.stderr)
    return EXIT_USAGE


def guarded(command: Callable[[argparse.Namespace], int], *, install_hint: str | None = None,
            prefix: str = "") -> Callable[[argparse.Namespace], int]:
    """``command`` with every exception turned into its exit code by :func:`guard`."""

    def run(args: argparse.Namespace) -> int:
        try:
            return int(command(args))
        except BaseException as exc:  # the guard: no traceback reaches a user
            return guard(exc, install_hint=install_hint, prefix=prefix)

    run.__doc__ = command.__doc__
    return run


def read_path(path: str) -> str:
    """The text of a UTF-8 file or of stdin for ``-``; a file that cannot be read is a
    :class:`UsageError` (exit 2), other encodings invalid input (exit 1)."""
    try:
        return read_input(path)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None


def load_plan(path: str | None) -> Any:
    """The plan in ``path`` (JSON or a plan workbook), the example plan for None.

    Every problem of the plan is raised together (klimacore's error contract), for
    :func:`guard` to print one per line.
    """
    from klimacore.models import load_example_plan, read_plan

    if path is None:
        return load_example_plan()
    if path.lower().endswith(".xlsx"):  # a plan workbook (klimacore.io.write_plan_xlsx)
        return read_plan_workbook(path)
    return read_plan(read_path(path), source=path)  # the path may be "-" (stdin)


def read_plan_workbook(path: str) -> Any:
    """A plan workbook (:func:`klimacore.io.read_plan_xlsx`); unreadable is a usage error."""
    from klimacore.io import read_plan_xlsx

    try:
        return read_plan_xlsx(path)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
