"""Deprecated module path ``klimacore.consumption.footprint``: import from :mod:`klimacore.consumption`.

The module was public before 0.2; its contents now live in the private module(s) ``_prices`` (deflation, price bridge), ``_overrides`` and ``_footprint`` (the engine)
behind the package's ``__init__``. This shim keeps the old import path working, with a
:class:`~klimacore.errors.KlimacoreDeprecationWarning`, until 0.3.
"""

from __future__ import annotations

from klimacore._deprecation import warn_deprecated
from klimacore.consumption._footprint import FOOTPRINT_GROUPS, spend_footprint
from klimacore.consumption._prices import DANISH_VAT_RATE, deflate, purchaser_to_basic

__all__ = [
    "DANISH_VAT_RATE",
    "FOOTPRINT_GROUPS",
    "deflate",
    "purchaser_to_basic",
    "spend_footprint",
]

warn_deprecated("klimacore.consumption.footprint", since="0.2", removed_in="0.3",
                use="klimacore.consumption", stacklevel=2)
