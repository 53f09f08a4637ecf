"""Progress for long runs: tqdm in the eager engines, off unless someone is watching.

``progress=None`` (every engine's default) means "only when standard error is an interactive
terminal", so batch jobs, CI and doctests print nothing. ``progress=True`` forces a bar (tqdm,
from ``klimacore[distributed]``; without tqdm nothing is shown), ``False`` silences it. A
callable ``progress(done, total)`` is called instead of drawing a bar. On a dask cluster use
dask's own progress (``distributed.progress``) on the lazy result.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["progress_bar", "show_progress"]

Progress = bool | Callable[[int, int], Any] | None


def show_progress(progress: Progress) -> bool:
    """Whether to report progress: explicit True/False/callable, else only on a terminal.

    >>> show_progress(False), show_progress(True), show_progress(lambda done, total: None)
    (False, True, True)
    """
    if progress is None:
        stream = sys.stderr
        return bool(getattr(stream, "isatty", lambda: False)())
    return bool(progress)


class _Callback:
    def __init__(self, fn: Callable[[int, int], Any], total: int) -> None:
        self.fn, self.total, self.done = fn, total, 0

    def update(self, n: int) -> None:
        self.done += n
        self.fn(self.done, self.total)


class _Silent:
    def update(self, n: int) -> None:
        del n


@contextmanager
def progress_bar(*, total: int, desc: str, enabled: Progress) -> Iterator[Any]:
    """An object with ``update(n)``: a tqdm bar, the user's callback, or nothing.

    >>> seen = []
    >>> with progress_bar(total=2, desc="x", enabled=lambda d, t: seen.append((d, t))) as bar:
    ...     bar.update(1); bar.update(1)
    >>> seen
    [(1, 2), (2, 2)]
    """
    if callable(enabled) and not isinstance(enabled, bool):
        yield _Callback(enabled, total)
        return
    if not show_progress(enabled):
        yield _Silent()
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:  # progress is a nicety: without tqdm, run silently
        yield _Silent()
        return
    bar = tqdm(total=total, desc=desc, file=sys.stderr)
    try:
        yield bar
    finally:
        bar.close()
