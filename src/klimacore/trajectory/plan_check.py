"""Deprecated module path: import from :mod:`klimacore.trajectory` (goes in klimacore 0.3).

``klimacore.trajectory.plan_check`` became private in 0.2; its names live on behind
``klimacore.trajectory`` (and are forwarded from here, with a deprecation warning at import).
"""

from __future__ import annotations

from typing import Any

from klimacore._deprecation import warn_deprecated
from klimacore.trajectory import _plan_check

_MODULES = (_plan_check,)
__all__ = sorted({n for m in _MODULES for n in getattr(m, "__all__", ())})

warn_deprecated("klimacore.trajectory.plan_check", since="0.2", removed_in="0.3",
                use="klimacore.trajectory", stacklevel=2)


def __getattr__(name: str) -> Any:
    for module in _MODULES:
        if hasattr(module, name):
            return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
