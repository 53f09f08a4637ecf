"""Roll-ups municipality → region → Denmark, and the national "do the plans over-fulfil 70 %?".

The national question (MONITORING.md §B.3; Ea Energianalyse/CONCITO, *Analyse af kommunernes
CO2-reduktionsbidrag til 70 %-målet i 2030*, March 2024, p. 9 and 23):
``R_target = 1 − Σ T_m(2030) / Σ E_m(1990)``, ``R_action = 1 − Σ A_m(2030) / Σ E_m(1990)``,
``manko = Σ A_m(2030) − Σ T_m(2030)``; the plans over-fulfil the target iff ``R ≥ 70 %``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from klimacore.errors import AlignmentError, MissingLabelError, Problems, ValidationError
from klimacore.monitoring._align import require_aligned

__all__ = ["NATIONAL_CAVEATS", "national_residual", "national_rollup", "rollup", "status_counts"]

NATIONAL_CAVEATS: tuple[str, ...] = (
    "Municipal base years vary (2017-2020); their 1990 emissions are back-cast, not measured "
    "(Ea/CONCITO 2024 p. 15).",
    "There is no unique top-down translation of the national 70 % target to municipalities "
    "(Ea/CONCITO 2024 p. 17).",
    "The Danish 70 % target is judged on the national UN inventory including LULUCF; the sum of "
    "municipal Energi- og CO2-regnskaber is not that inventory (see the residual against KF25).",
    "Energistyrelsen restates the municipal accounts backwards with each release; the figures "
    "hold for the vintage stated.",
)
"""Caveats a report must print next to the national roll-up."""


def _region_of(codes: Any) -> np.ndarray[Any, Any]:
    from klimacore import reference

    table = reference.municipalities().set_index("code")["region_code"]
    codes = np.asarray(codes)
    unknown = sorted({int(c) for c in codes} - set(table.index))
    if unknown:
        raise MissingLabelError("municipality code", unknown, dim="municipality")
    return np.asarray(table.loc[codes].to_numpy())


def rollup(data: xr.DataArray | xr.Dataset, *, level: str = "region",
           dim: str = "municipality") -> xr.DataArray | xr.Dataset:
    """Sum municipalities to regions (``level="region"``) or Denmark (``level="denmark"``).

    Missing stays missing: a region with a municipality that has no data is NaN (use
    :func:`status_counts` or ``count`` to see coverage). Regions are the five codes 1081–1085.

    >>> import xarray as xr
    >>> e = xr.DataArray([10.0, 5.0, 1.0], dims="municipality",
    ...                  coords={"municipality": [101, 147, 851]})
    >>> rollup(e).to_series().to_dict()
    {1081: 1.0, 1084: 15.0}
    >>> float(rollup(e, level="denmark"))
    16.0
    """
    if dim not in data.dims:
        raise MissingLabelError("dimension", [dim], dim="dims")
    if level == "denmark":
        return data.sum(dim, skipna=False)
    if level != "region":
        raise ValidationError(f"unknown roll-up level {level!r} (region or denmark)",
                              code="monitoring.rollup_level", label=level, location="level")
    regions = xr.DataArray(_region_of(data[dim].values), dims=dim, name="region")
    return data.groupby(regions).sum(skipna=False)


def status_counts(status: xr.DataArray, *, level: str = "region",
                  dim: str = "municipality") -> pd.DataFrame:
    """Count entities by status label per region (or for Denmark): one row per (area, status).

    >>> import xarray as xr
    >>> s = xr.DataArray(["on track", "off track", "on track"], dims="municipality",
    ...                  coords={"municipality": [101, 147, 851]})
    >>> status_counts(s).to_dict("records")[:2]
    [{'region': 1081, 'status': 'on track', 'n': 1}, {'region': 1084, 'status': 'off track', 'n': 1}]
    """
    frame = status.to_dataframe(name="status").reset_index()
    if level == "region":
        frame["region"] = _region_of(frame[dim].to_numpy())
        keys = ["region", "status"]
    elif level == "denmark":
        keys = ["status"]
    else:
        raise ValidationError(f"unknown roll-up level {level!r} (region or denmark)",
                              code="monitoring.rollup_level", label=level, location="level")
    return frame.groupby(keys).size().rename("n").reset_index()


def national_rollup(
    emissions_1990: xr.DataArray,
    targets: xr.DataArray,
    action_scenario: xr.DataArray,
    *,
    threshold_pct: float = 70.0,
    dim: str = "municipality",
) -> xr.Dataset:
    """Share of Σ 1990 emissions removed by the summed targets and by the summed action scenarios.

    Only municipalities with all three figures enter the sums; the result states how many did
    (``n_municipalities``) and names the others (``attrs["missing"]``): nothing is filled.

    Parameters
    ----------
    emissions_1990, targets, action_scenario
        t CO2e per municipality (and any other dims, e.g. draw) for the milestone year.
    threshold_pct
        The national target, % below 1990 (Danish Climate Act: 70).

    Returns
    -------
    xarray.Dataset
        ``sum_1990_t``, ``sum_target_t``, ``sum_action_t``, ``reduction_target_pct``,
        ``reduction_action_pct``, ``manko_t``, ``manko_pp`` (manko in % points of Σ 1990),
        ``target_over_fulfils``, ``action_over_fulfils``, ``n_municipalities``;
        ``attrs["caveats"]`` lists :data:`NATIONAL_CAVEATS`.

    Examples
    --------
    The published sums for 96 municipalities (Ea/CONCITO 2024, p. 9, 23), in Mt:

    >>> import xarray as xr
    >>> one = lambda v: xr.DataArray([v], dims="municipality", coords={"municipality": [0]})
    >>> r = national_rollup(one(78.6), one(18.8), one(21.4))
    >>> round(float(r["reduction_target_pct"]), 1), round(float(r["reduction_action_pct"]), 1)
    (76.1, 72.8)
    >>> round(float(r["manko_t"]), 1), round(float(r["manko_pp"]), 1)
    (2.6, 3.3)
    """
    require_aligned(emissions_1990, {"targets": targets, "action_scenario": action_scenario},
                    code="monitoring.rollup.labels", what="the 1990 emissions")
    e, t, a = xr.align(emissions_1990, targets, action_scenario, join="exact")
    if dim not in e.dims:
        raise MissingLabelError("dimension", [dim], dim="dims")
    if bool((e < 0).any()):  # one problem per municipality, raised together
        problems = Problems("1990 emissions must not be negative")
        for m in e[dim].to_numpy()[(e < 0).any([d for d in e.dims if d != dim]).to_numpy()]:
            problems.add(f"1990 emissions must not be negative: municipality {m}",
                         code="monitoring.negative_1990", label=int(m), location=f"{dim} {m}")
        problems.raise_if_any()
    complete: xr.DataArray = (e == e) & (t == t) & (a == a)  # NaN != NaN
    e, t, a = e.where(complete, 0.0), t.where(complete, 0.0), a.where(complete, 0.0)
    s_e, s_t, s_a = e.sum(dim), t.sum(dim), a.sum(dim)
    with np.errstate(divide="ignore", invalid="ignore"):
        r_t = 100.0 * (1.0 - s_t / s_e)
        r_a = 100.0 * (1.0 - s_a / s_e)
        manko = s_a - s_t
        manko_pp = 100.0 * manko / s_e
    all_complete = complete.all([d for d in complete.dims if d != dim]) if complete.ndim > 1 \
        else complete
    missing = [int(m) if isinstance(m, int | np.integer) else m
               for m in complete[dim].to_numpy()[~all_complete.to_numpy()]]
    out = xr.Dataset({
        "sum_1990_t": s_e, "sum_target_t": s_t, "sum_action_t": s_a,
        "reduction_target_pct": r_t, "reduction_action_pct": r_a,
        "manko_t": manko, "manko_pp": manko_pp,
        "target_over_fulfils": r_t >= threshold_pct,
        "action_over_fulfils": r_a >= threshold_pct,
        "n_municipalities": complete.sum(dim),
    })
    out.attrs.update(threshold_pct=threshold_pct, missing=missing,
                     caveats=list(NATIONAL_CAVEATS),
                     method="R = 1 - sum(2030) / sum(1990) over municipalities with all figures")
    return out


def national_residual(municipal: pd.Series | xr.DataArray, national: pd.Series,
                      *, dim: str = "municipality") -> pd.DataFrame:
    """Σ municipal accounts against the national inventory by year (table N5), residual named.

    ``municipal`` is either a per-year total already summed or a DataArray with ``dim`` and
    ``year`` (summed here; a year with a missing municipality is NaN). ``national`` is indexed
    by year, in the same unit. Only years in both are compared.

    >>> import pandas as pd
    >>> national_residual(pd.Series({2023: 34.0}), pd.Series({2023: 39.3})).round(2).to_dict(
    ...     "records")
    [{'year': 2023, 'municipal_sum': 34.0, 'national': 39.3, 'residual': 5.3, 'residual_pct': 13.49}]
    """
    if isinstance(municipal, xr.DataArray):
        municipal = municipal.sum(dim, skipna=False).to_series()
    years = sorted(set(municipal.index) & set(national.index))
    if not years:
        raise AlignmentError("no year in common between the municipal sum and the national series",
                             code="monitoring.residual.years",
                             label=sorted(set(national.index)), location="year")
    m = municipal.loc[years].to_numpy(dtype=float)
    n = national.loc[years].to_numpy(dtype=float)
    return pd.DataFrame({"year": years, "municipal_sum": m, "national": n,
                         "residual": n - m, "residual_pct": 100.0 * (n - m) / n})
