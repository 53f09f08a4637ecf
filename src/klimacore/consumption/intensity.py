"""Deprecated module path ``klimacore.consumption.intensity``: import from :mod:`klimacore.consumption`.

The module was public before 0.2; its contents now live in the private module(s) ``_intensity``
behind the package's ``__init__``. This shim keeps the old import path working, with a
:class:`~klimacore.errors.KlimacoreDeprecationWarning`, until 0.3.
"""

from __future__ import annotations

from klimacore._deprecation import warn_deprecated
from klimacore.consumption._intensity import (
    characterise,
    check_concordance,
    intensities_from_mrio,
    product_intensities,
)

__all__ = [
    "characterise",
    "check_concordance",
    "intensities_from_mrio",
    "product_intensities",
]

warn_deprecated("klimacore.consumption.intensity", since="0.2", removed_in="0.3",
                use="klimacore.consumption", stacklevel=2)
