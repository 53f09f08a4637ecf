"""The example municipality's code, and the deprecated names of the example and its demo text.

The illustrative example data moved to :mod:`klimacore.examples` and the demo text to
:func:`klimacore.report.gpc_inventory_text` (presentation lives in ``report``, never in an
engine). The old names ``territorial.example_*`` and ``territorial.demo_section`` keep working
until klimacore 0.3 with a :class:`~klimacore.errors.KlimacoreDeprecationWarning`; they import
``examples`` / ``report`` lazily, the only imports of a higher layer in this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from klimacore.units import DEFAULT_GWP_METRIC

EXAMPLE_MUNICIPALITY = 727
"""Odder, the municipality of klimacore's illustrative example plan and activity data."""

_MOVED_TO_EXAMPLES = (
    "example_activity",
    "example_direct_emissions",
    "example_grid_factors",
    "example_grid_sets",
    "example_inventory",
    "example_notation_keys",
)


def _demo_section(*, year: int | None = None, metric: str = DEFAULT_GWP_METRIC) -> str:
    """The deprecated ``territorial.demo_section``: the example inventory as a text table."""
    from klimacore import examples, report  # deprecated alias: layer exception until 0.3

    return report.gpc_inventory_text(examples.example_inventory(gwp_metric=metric), year=year,
                                     plan=examples.example_plan())


if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        """Deprecated names (goes in 0.3): ``example_*`` → :mod:`klimacore.examples`,
        ``demo_section`` → :func:`klimacore.report.gpc_inventory_text`."""
        from klimacore._deprecation import warn_deprecated

        if name in _MOVED_TO_EXAMPLES:
            from klimacore import examples  # deprecated alias: layer exception until 0.3

            warn_deprecated(f"klimacore.territorial.{name}", since="0.2", removed_in="0.3",
                            use=f"klimacore.examples.{name}")
            return getattr(examples, name)
        if name == "demo_section":
            warn_deprecated("klimacore.territorial.demo_section", since="0.2", removed_in="0.3",
                            use="klimacore.report.gpc_inventory_text("
                            "klimacore.examples.example_inventory())")
            return _demo_section
        raise AttributeError(f"module 'klimacore.territorial' has no attribute {name!r}")


__all__ = ["EXAMPLE_MUNICIPALITY"]
