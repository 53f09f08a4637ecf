"""klimacore: the calculation core for Danish municipal climate action plans.

Typed plans and indicators, territorial (GPC) and consumption-based emissions accounting with
units and GWP sets, Paris-aligned trajectory checks, monitoring and the CCTF re-certification rules.

Importing klimacore is cheap: the unit registry, bundled data and the engines load on first use
(the subpackages are attributes that import on first access: ``klimacore.certification``). The
``.klima`` xarray accessor is registered whatever the import order: at once when xarray is
already imported, otherwise as soon as xarray is (``klimacore._import_hook``).

>>> import klimacore as kc
>>> kc.gwp("CH4", "AR6GWP100")
27.9
>>> len(kc.reference.municipalities())
98
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from klimacore import _import_hook
from klimacore._version import __version__
from klimacore.errors import (
    AlignmentError,
    ConvergenceError,
    DataError,
    KlimacoreError,
    KlimacoreWarning,
    MissingLabelError,
    UnitError,
    UnknownGasError,
    UnknownMetricError,
    ValidationError,
)
from klimacore.units import DEFAULT_GWP_METRIC, GWP_METRICS, CO2e, gwp, to_co2e

if TYPE_CHECKING:
    import pint

    from klimacore import models as models
    from klimacore import reference as reference
    from klimacore import units as units

    ureg: pint.UnitRegistry[float]

__all__ = [
    "DEFAULT_GWP_METRIC",
    "GWP_METRICS",
    "AlignmentError",
    "CO2e",
    "ConvergenceError",
    "DataError",
    "KlimacoreError",
    "KlimacoreWarning",
    "MissingLabelError",
    "UnitError",
    "UnknownGasError",
    "UnknownMetricError",
    "ValidationError",
    "__version__",
    "gwp",
    "to_co2e",
    "ureg",
]

_SUBMODULES = frozenset({
    "accessor",
    "certification",
    "consumption",
    "errors",
    "examples",
    "forms",
    "io",
    "models",
    "monitoring",
    "mrio",
    "reference",
    "report",
    "territorial",
    "testing",
    "trajectory",
    "units",
})
"""The public subpackages and modules: attributes of ``klimacore`` imported on first access."""


def _register_accessor() -> None:
    importlib.import_module("klimacore.accessor")


_import_hook.after_import("xarray", _register_accessor)


def __getattr__(name: str) -> Any:
    if name == "ureg":
        from klimacore.units import get_ureg

        return get_ureg()
    if name in _SUBMODULES:
        return importlib.import_module(f"klimacore.{name}")
    raise AttributeError(f"module 'klimacore' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(__all__) | _SUBMODULES)
