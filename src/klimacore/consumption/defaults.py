"""Deprecated module path ``klimacore.consumption.defaults``: import from :mod:`klimacore.consumption`.

The module was public before 0.2; its contents now live in the private module(s) ``_defaults``
behind the package's ``__init__``. This shim keeps the old import path working, with a
:class:`~klimacore.errors.KlimacoreDeprecationWarning`, until 0.3.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from klimacore._deprecation import warn_deprecated
from klimacore.consumption._defaults import (
    EXAMPLE_MUNICIPALITY,
    HOUSEHOLD_SECTOR,
    coicop_divisions,
    coicop_groups,
    coicop_table,
    default_intensities,
    energy_content_table,
    fuel_factors,
)

if not TYPE_CHECKING:  # the deprecated example_* and demo_section, until 0.3
    from klimacore.consumption._defaults import __getattr__ as __getattr__

__all__ = [
    "EXAMPLE_MUNICIPALITY",
    "HOUSEHOLD_SECTOR",
    "coicop_divisions",
    "coicop_groups",
    "coicop_table",
    "default_intensities",
    "energy_content_table",
    "fuel_factors",
]

warn_deprecated("klimacore.consumption.defaults", since="0.2", removed_in="0.3",
                use="klimacore.consumption", stacklevel=2)
