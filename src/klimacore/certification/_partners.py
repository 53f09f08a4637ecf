"""Partners for a development track: municipalities that share a challenge (internal).

A challenge is a (kind, sector) pair. From plans (:func:`challenge_panel`): ``manko`` (the action
scenario misses the plan's 2030 target in that sector, the target split over sectors by
base-year shares as in :func:`klimacore.trajectory.manko`) or ``off_range`` (the action
scenario's 2030 reduction vs 2019 is below the midpoint of the CCTF sector range). From observed
emissions, e.g. the monitoring panel (:func:`sector_challenges`): ``off track`` (the sector's
latest emissions are above the path to its CCTF 2030 range). Any panel with the columns
``municipality``, ``sector``, ``kind`` (and optionally ``value``) works.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from klimacore.certification._planrules import CCTF_SECTOR_MAP, _base, _cctf_ranges
from klimacore.errors import DataError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pandas as pd
    import xarray as xr

    from klimacore.models import ClimateActionPlan

__all__ = ["PANEL_COLUMNS", "Challenge", "challenge_panel", "plan_challenges", "sector_challenges",
           "suggest_partners"]

PANEL_COLUMNS: tuple[str, ...] = ("municipality", "sector", "kind", "year", "value", "unit")
CHALLENGE_YEAR = 2030


@dataclass(frozen=True)
class Challenge:
    """A challenge to share: its kind (``manko``, ``off_range`` …) and plan sector."""

    kind: str
    sector: str
    municipality: int | None = None


def plan_challenges(plan: ClimateActionPlan) -> list[dict[str, Any]]:
    """The challenges of one plan as panel rows (see the module docstring)."""
    from klimacore.trajectory import manko

    rows: list[dict[str, Any]] = []
    m = manko(plan)
    sel = m[(m["year"] == CHALLENGE_YEAR) & (m["sector"] != "total")
            & ~m["target"].str.startswith("sector target")]
    for rec in sel.to_dict("records"):
        gap = float(rec["manko_t"])
        if math.isfinite(gap) and gap > 0:
            rows.append({"municipality": plan.municipality, "sector": rec["sector"],
                         "kind": "manko", "year": CHALLENGE_YEAR, "value": gap, "unit": "t"})
    ref_year, ranges, _ = _cctf_ranges()
    base = _base(plan, ref_year)
    action = plan.action_scenario
    if base is not None and action is not None:
        for sector, series in action.emissions.items():
            rng = ranges.get(CCTF_SECTOR_MAP.get(sector, sector))
            b = base.get(sector)
            if rng is None or not b or CHALLENGE_YEAR not in series:
                continue
            pct = 100 * (1 - series[CHALLENGE_YEAR] / b)
            mid = rng.justify_below_pct if rng.justify_below_pct is not None else rng.reduction_pct
            if mid is not None and pct < mid:
                rows.append({"municipality": plan.municipality, "sector": sector,
                             "kind": "off_range", "year": CHALLENGE_YEAR,
                             "value": round(mid - pct, 6), "unit": "pp below range midpoint"})
    return rows


def challenge_panel(plans: Iterable[ClimateActionPlan]) -> pd.DataFrame:
    """A panel of challenges (one row per municipality × sector × kind) from many plans.

    >>> from klimacore.models import load_example_plan
    >>> panel = challenge_panel([load_example_plan()])
    >>> panel[panel.kind == "off_range"][["sector", "value"]].round(1).to_dict("records")
    [{'sector': 'energy', 'value': 17.0}, {'sector': 'waste', 'value': 20.5}, {'sector': 'industry', 'value': 10.0}]
    """
    import pandas as pd

    rows = [r for plan in plans for r in plan_challenges(plan)]
    return pd.DataFrame(rows, columns=list(PANEL_COLUMNS))


def sector_challenges(
    emissions: xr.DataArray,
    *,
    reference: str = "cctf-dk-2030-sectors",
    sector_map: Mapping[str, str] | None = None,
    statuses: tuple[str, ...] = ("off track",),
) -> pd.DataFrame:
    """Sectors off track in a monitoring panel, as challenge rows (kind = the status).

    ``emissions`` is a panel of observed emissions (t CO2e) with dims ``municipality``,
    ``sector`` and ``year``, e.g. the ``emissions`` of a monitoring panel. Every municipality ×
    sector is checked with :func:`klimacore.trajectory.check_trajectory` against ``reference``
    (default the CCTF 2030 sector ranges, on the path from 2019; ``sector_map`` maps the panel's
    sector labels onto the reference's); the status in the latest year with data becomes a row
    when it is one of ``statuses``, with the gap to the allowed level in t as ``value``.

    >>> import xarray as xr
    >>> e = xr.DataArray([[[56000.0, 57000.0]], [[20000.0, 15000.0]]],
    ...                  dims=("municipality", "sector", "year"),
    ...                  coords={"municipality": [727, 741], "sector": ["transport"],
    ...                          "year": [2019, 2023]},
    ...                  attrs={"units": "t", "gases": ("CO2", "CH4", "N2O")})
    >>> sector_challenges(e)[["municipality", "sector", "kind", "year", "value"]].round(0)
       municipality     sector       kind  year   value
    0           727  transport  off track  2023  7109.0
    """
    import math

    import pandas as pd

    from klimacore.errors import AlignmentError
    from klimacore.trajectory import check_trajectory

    need = {"municipality", "sector", "year"}
    if set(emissions.dims) != need:
        raise AlignmentError(f"emissions must have dims {sorted(need)}, not "
                             f"{list(emissions.dims)}")
    frame = check_trajectory(emissions, reference, sector_map=sector_map).to_frame("years")
    frame = frame[frame["value"].notna()]
    latest = frame.loc[frame.groupby(["municipality", "sector"])["year"].idxmax()]
    rows = [{"municipality": int(r["municipality"]), "sector": str(r["sector"]),
             "kind": str(r["status"]), "year": int(r["year"]),
             "value": float(r["gap_t"]) if math.isfinite(float(r["gap_t"])) else math.nan,
             "unit": "t above the allowed level"}
            for r in latest.to_dict("records") if r["status"] in statuses]
    return pd.DataFrame(rows, columns=list(PANEL_COLUMNS))


def suggest_partners(
    challenge: Challenge,
    panel: pd.DataFrame,
    *,
    limit: int | None = None,
) -> pd.DataFrame:
    """Municipalities in ``panel`` that share ``challenge`` (same kind and sector), largest first.

    Columns: ``municipality``, ``name``, ``region_code``, ``region_name``, ``same_region`` (as
    the challenge's municipality), ``sector``, ``kind``, ``value``, ``unit``. The challenge's own
    municipality is left out.

    >>> import pandas as pd
    >>> panel = pd.DataFrame({"municipality": [727, 741, 101, 751],
    ...                       "sector": ["agriculture", "agriculture", "transport", "agriculture"],
    ...                       "kind": ["manko"] * 4, "value": [900.0, 300.0, 5e4, 1200.0]})
    >>> s = suggest_partners(Challenge("manko", "agriculture", municipality=727), panel)
    >>> s[["municipality", "name", "same_region", "value"]]
       municipality    name  same_region   value
    0           751  Aarhus         True  1200.0
    1           741   Samsø         True   300.0
    """
    from klimacore.reference import municipalities

    lacking = [c for c in ("municipality", "sector", "kind") if c not in panel.columns]
    if lacking:
        raise DataError(f"panel lacks columns {lacking} (needs municipality, sector, kind)")
    table = panel.copy()
    if "value" not in table.columns:
        table["value"] = math.nan
    if "unit" not in table.columns:
        table["unit"] = ""
    hits = table[(table["kind"] == challenge.kind) & (table["sector"] == challenge.sector)]
    if challenge.municipality is not None:
        hits = hits[hits["municipality"] != challenge.municipality]
    names = municipalities().set_index("code")
    unknown = sorted(set(int(c) for c in hits["municipality"]) - set(names.index))
    if unknown:
        raise DataError(f"panel has unknown municipality codes {unknown}")
    out = hits.join(names, on="municipality")
    home = (names["region_code"].get(challenge.municipality)
            if challenge.municipality is not None else None)
    out["same_region"] = out["region_code"] == home
    out = out.sort_values(["value", "municipality"], ascending=[False, True], na_position="last")
    cols = ["municipality", "name", "region_code", "region_name", "same_region", "sector",
            "kind", "value", "unit"]
    out = out[cols].reset_index(drop=True)
    return out if limit is None else out.head(limit)
