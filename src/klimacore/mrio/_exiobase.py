"""Reader for the EXIOBASE 3 text layout (written below)."""

from __future__ import annotations

from typing import Any


def read_exiobase3(path: Any, **kwargs: Any) -> Any:  # pragma: no cover - placeholder
    raise NotImplementedError
