"""klimacore: the calculation core for Danish municipal climate action plans.

Typed plans and indicators, territorial (GPC) and consumption-based emissions accounting with
units and GWP sets, Paris-aligned trajectory checks, monitoring and the CCTF re-certification rules.

Importing klimacore is cheap: the unit registry, bundled data and the engines load on first use.
The ``.klima`` xarray accessor is registered at import when xarray is already imported, and
otherwise by ``import klimacore.accessor`` or the first use of an engine.

>>> import klimacore as kc
>>> kc.gwp("CH4", "AR6GWP100")
27.9
>>> len(kc.reference.municipalities())
98
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

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

_SUBMODULES = {
    "accessor",
    "certification",
    "consumption",
    "examples",
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
}


if "xarray" in sys.modules:  # register the .klima accessor now when it costs nothing;
    importlib.import_module("klimacore.accessor")  # otherwise on first use of an engine


def __getattr__(name: str) -> Any:
    if name == "ureg":
        from klimacore.units import get_ureg

        return get_ureg()
    if name in _SUBMODULES:
        return importlib.import_module(f"klimacore.{name}")
    raise AttributeError(f"module 'klimacore' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(__all__) | _SUBMODULES)
