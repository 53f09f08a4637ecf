"""Deprecated module path: import from :mod:`klimacore.trajectory` (goes in klimacore 0.3).

``klimacore.trajectory.plan_rules`` became private in 0.2; its names live on behind
``klimacore.trajectory`` (and are forwarded from here, with a deprecation warning at import).
"""

from __future__ import annotations

from klimacore._deprecation import moved_module
from klimacore.trajectory import _backsliding, _manko, _plan_emissions, _plan_rows, _plan_rules

__all__, __getattr__ = moved_module(
    "klimacore.trajectory.plan_rules",
    (_plan_rules, _plan_rows, _plan_emissions, _manko, _backsliding), use="klimacore.trajectory",
    renamed={"_Rows": "Rows", "_frame": "frame_of", "_economy_targets": "economy_targets"})
