"""Characterisation of stressors into impacts (e.g. GHG in CO2e with a GWP set)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from klimacore.errors import MissingLabelError, UnitError, ValidationError
from klimacore.mrio._solvers import Array
from klimacore.units import conversion_factor, to_co2e


def characterization_matrix(
    spec: Any,
    stressors: list[Any],
    units: Mapping[Any, str] | None,
    *,
    gwp_metric: str,
    impact: str = "GHG",
) -> tuple[Array, list[Any], list[str] | None, dict[str, Any]]:
    """``C`` (impacts × stressors), impact labels, impact units and attrs for ``spec``.

    ``spec`` is a DataFrame of factors (impact rows, stressor columns; absent stressors count 0)
    or a Mapping ``stressor → gas name | factor`` for one impact in CO2e; the GWP of the gases
    comes from :func:`klimacore.units.to_co2e` (the one CO2e path), whose ``gwp_metric`` attrs
    the result records.
    """
    pos = {s: i for i, s in enumerate(stressors)}
    k = len(stressors)
    if isinstance(spec, pd.DataFrame):
        cols = [" - ".join(map(str, c)) if isinstance(c, tuple) else c for c in spec.columns]
        missing = [c for c in cols if c not in pos]
        if missing:
            raise MissingLabelError("stressor of the characterization", missing, dim="stressor")
        try:
            vals = spec.to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise ValidationError(f"characterization factors must be numbers ({exc})") from None
        if not np.isfinite(vals).all():
            raise ValidationError("characterization factors hold missing or infinite values")
        C = np.zeros((spec.shape[0], k))
        C[:, [pos[c] for c in cols]] = vals
        labels = [" - ".join(map(str, i)) if isinstance(i, tuple) else i for i in spec.index]
        return C, labels, None, {"characterization": "matrix",
                                 "characterized_stressors": [str(c) for c in cols]}
    if not isinstance(spec, Mapping):
        raise ValidationError("characterization must be a DataFrame (impact × stressor) or a "
                              f"Mapping stressor → gas or factor, got {type(spec).__name__}")
    missing = [s for s in spec if s not in pos]
    if missing:
        raise MissingLabelError("stressor of the characterization", missing, dim="stressor")
    gas_factors, metric_used = _gas_factors(
        [str(g) for g in spec.values() if not isinstance(g, int | float)], gwp_metric)
    C = np.zeros((1, k))
    base_unit: str | None = None
    problems: list[str] = []
    for s, g in spec.items():
        factor = float(g) if isinstance(g, int | float) else gas_factors[str(g)]
        if units is not None:
            u = units[s]
            if base_unit is None:
                base_unit = u
            else:
                try:
                    factor *= conversion_factor(u, base_unit)
                except UnitError as exc:
                    problems.append(f"stressor {s!r}: {exc}")
        C[0, pos[s]] = factor
    if problems:
        raise UnitError("stressor units cannot be put on one mass unit", problems)
    unit = [f"{base_unit} CO2e"] if base_unit is not None else None
    attrs = {"gwp_metric": metric_used, "characterization": "GWP",
             "characterized_stressors": [str(s) for s in spec]}
    return C, [impact], unit, attrs


def _gas_factors(gases: list[str], gwp_metric: str) -> tuple[dict[str, float], str]:
    """CO2e per unit mass of each gas, by :func:`klimacore.units.to_co2e` on one unit of each
    (labelled on ``gas``), and the metric it records."""
    import xarray as xr

    names = list(dict.fromkeys(gases))
    ones = xr.DataArray(np.ones(len(names)), coords={"gas": names}, dims="gas")
    co2e = to_co2e(ones, gwp_metric=gwp_metric)
    factors = {g: float(v) for g, v in zip(names, co2e.to_numpy(), strict=True)}
    return factors, str(co2e.attrs.get("gwp_metric", gwp_metric))
