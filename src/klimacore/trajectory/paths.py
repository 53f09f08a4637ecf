"""Deprecated module path: import from :mod:`klimacore.trajectory` (goes in klimacore 0.3).

``klimacore.trajectory.paths`` became private in 0.2; its names live on behind
``klimacore.trajectory`` (and are forwarded from here, with a deprecation warning at import).
"""

from __future__ import annotations

from klimacore._deprecation import moved_module
from klimacore.trajectory import _paths

__all__, __getattr__ = moved_module("klimacore.trajectory.paths", (_paths,),
                                    use="klimacore.trajectory")
