"""Deprecated module path ``klimacore.consumption.uncertainty``: import from :mod:`klimacore.consumption`.

The module was public before 0.2; its contents now live in the private module(s) ``_uncertainty``
behind the package's ``__init__``. This shim keeps the old import path working, with a
:class:`~klimacore.errors.KlimacoreDeprecationWarning`, until 0.3.
"""

from __future__ import annotations

from klimacore._deprecation import warn_deprecated
from klimacore.consumption._uncertainty import lognormal_multipliers, monte_carlo_footprint

__all__ = [
    "lognormal_multipliers",
    "monte_carlo_footprint",
]

warn_deprecated("klimacore.consumption.uncertainty", since="0.2", removed_in="0.3",
                use="klimacore.consumption", stacklevel=2)
