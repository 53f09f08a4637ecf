"""Low-level access to the data files bundled inside the package (internal).

Files are read with :mod:`importlib.resources`, so klimacore works the same from a wheel, an
editable install or a zip. Only :mod:`klimacore.reference` and :mod:`klimacore.units` use this.
"""

from __future__ import annotations

import csv
import json
from functools import cache
from importlib import resources
from io import StringIO
from typing import Any

_PACKAGE = "klimacore.data"


def read_text(name: str) -> str:
    """Return the text of a bundled data file."""
    return resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")


@cache
def read_rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of a bundled CSV file as dicts of strings (cached, immutable tuple)."""
    return tuple(csv.DictReader(StringIO(read_text(name))))


@cache
def datapackage() -> dict[str, Any]:
    """The parsed ``datapackage.json`` describing every bundled file."""
    result: dict[str, Any] = json.loads(read_text("datapackage.json"))
    return result


def resource_names() -> list[str]:
    """Names of all files in the bundled data folder."""
    return sorted(
        p.name for p in resources.files(_PACKAGE).iterdir() if p.is_file() and p.name != "__init__.py"
    )
