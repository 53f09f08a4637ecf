"""Aggregation of an :class:`IOSystem`'s regions and sectors through concordances."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from klimacore.errors import MissingLabelError, ValidationError

if TYPE_CHECKING:
    from klimacore.mrio._system import IOSystem


def _groups(spec: Any, old: list[Any], what: str) -> tuple[np.ndarray[Any, Any], list[Any]]:
    """Group codes (position of each old label's new label) and the new labels in order.

    ``spec`` is a Mapping/Series old → new, or a 0/1 concordance DataFrame with the old labels
    on one axis and the new on the other (exactly one 1 per old label).
    """
    if spec is None:
        return np.arange(len(old)), list(old)
    if isinstance(spec, pd.DataFrame):
        oldset = set(old)
        conc = spec if set(spec.index) >= oldset or not set(spec.columns) >= oldset else spec.T
        vals = conc.to_numpy(dtype=np.float64)
        bad_vals = ~np.isin(vals, (0.0, 1.0))
        if bad_vals.any():
            raise ValidationError(f"the {what} concordance must hold only 0 and 1")
        ones = vals.sum(axis=1)
        wrong = [lab for lab, c in zip(conc.index, ones, strict=True) if c != 1]
        if wrong:
            raise ValidationError(f"every {what} must map to exactly one group; not so for "
                                  f"{', '.join(map(repr, wrong[:10]))}")
        mapping: dict[Any, Any] = {lab: conc.columns[int(np.argmax(row))]
                                   for lab, row in zip(conc.index, vals, strict=True)}
        order = list(conc.columns)
    elif isinstance(spec, pd.Series | Mapping):
        mapping = dict(spec.items())
        order = []
        for o in old:
            if o in mapping and mapping[o] not in order:
                order.append(mapping[o])
    else:
        raise ValidationError(f"the {what} concordance must be a Mapping, Series or DataFrame, "
                              f"got {type(spec).__name__}")
    missing = [o for o in old if o not in mapping]
    if missing:
        raise MissingLabelError(f"{what} in the concordance", missing, dim=what)
    unknown = [k for k in mapping if k not in set(old)]
    if unknown:
        raise ValidationError(f"the {what} concordance names {what}s not in the system: "
                              f"{', '.join(map(repr, unknown[:10]))}")
    used = [g for g in order if g in set(mapping.values())]
    pos = {g: i for i, g in enumerate(used)}
    return np.array([pos[mapping[o]] for o in old], dtype=np.intp), used


def _sum_rows(M: np.ndarray[Any, Any], codes: np.ndarray[Any, Any], size: int
              ) -> np.ndarray[Any, Any]:
    out = np.zeros((size, *M.shape[1:]))
    np.add.at(out, codes, M)
    return out


def aggregate(io: IOSystem, *, regions: Any = None, sectors: Any = None,
              name: str | None = None) -> IOSystem:
    """A new system with regions and/or sectors merged; every flow, output, stressor, final
    demand and population total is conserved.

    Parameters
    ----------
    io
        The system.
    regions, sectors
        Concordances: a Mapping (or Series) from every old label to its group, or a 0/1
        DataFrame with old labels on one axis and groups on the other. Groups keep the order
        in which they first appear (Mapping) or the DataFrame's order. Every old label must be
        mapped; unknown labels are an error.
    name
        Name of the result (default: the system's).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from klimacore.mrio import IOSystem
    >>> idx = pd.MultiIndex.from_product([["DK", "SE", "NO"], ["a", "b"]])
    >>> Z = pd.DataFrame(np.ones((6, 6)), index=idx, columns=idx)
    >>> Y = pd.DataFrame(np.full((6, 3), 2.0), index=idx,
    ...                  columns=pd.MultiIndex.from_product([["DK", "SE", "NO"], ["hh"]]))
    >>> F = pd.DataFrame([np.arange(6.0)], index=["CO2"], columns=idx)
    >>> agg = IOSystem(Z=Z, Y=Y, F=F).aggregate(regions={"DK": "DK", "SE": "Nordic",
    ...                                                  "NO": "Nordic"}, sectors={"a": "all",
    ...                                                  "b": "all"})
    >>> agg.regions, agg.sectors, agg.x.tolist()
    (['DK', 'Nordic'], ['all'], [24.0, 48.0])
    """
    from klimacore.mrio._system import IOSystem

    rc, new_regions = _groups(regions, io.regions, "region")
    sc, new_sectors = _groups(sectors, io.sectors, "sector")
    R2, N2 = len(new_regions), len(new_sectors)
    # code of each (region, sector) row in the aggregated index
    codes = (rc[:, None] * N2 + sc[None, :]).ravel()
    n2 = R2 * N2
    sv = io._solver
    Z = sv.M if sv.scale is not None else sv.M * io._x  # flows (not modified)
    Z2 = _sum_rows(_sum_rows(Z, codes, n2).T, codes, n2).T
    del Z
    ycols = io._ycols
    ycat = list(ycols.get_level_values(1).unique())
    yreg = rc[io._ycode]
    ycode_cat = np.array([ycat.index(c) for c in ycols.get_level_values(1)])
    ycodes = yreg * len(ycat) + ycode_cat
    yidx_full = pd.MultiIndex.from_product([new_regions, ycat], names=["region", "category"])
    used_y = np.unique(ycodes)
    Ysum = _sum_rows(_sum_rows(io._Y, codes, n2).T, ycodes, len(yidx_full)).T[:, used_y]
    yidx = yidx_full[used_y]
    F2 = _sum_rows(io._F.T, codes, n2).T
    idx = pd.MultiIndex.from_product([new_regions, new_sectors], names=["region", "sector"])
    kw: dict[str, Any] = {}
    if io._F_Y is not None:
        kw["F_Y"] = pd.DataFrame(_sum_rows(io._F_Y.T, ycodes, len(yidx_full)).T[:, used_y],
                                 index=io._stressor_index, columns=yidx)
    if io._population is not None:
        kw["population"] = pd.Series(_sum_rows(io._population, rc, R2), index=new_regions)
    x2 = _sum_rows(io._x, codes, n2)
    return IOSystem(
        Z=pd.DataFrame(Z2, index=idx, columns=idx),
        Y=pd.DataFrame(Ysum, index=idx, columns=yidx),
        F=pd.DataFrame(F2, index=io._stressor_index, columns=idx),
        x=pd.Series(x2, index=idx),
        unit=io._unit,
        monetary_unit=io.monetary_unit,
        name=name if name is not None else io.name,
        allow_negative=bool((Z2 < 0).any()),
        **kw,
    )
