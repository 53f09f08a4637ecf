"""Cited Danish national figures and the intensities derived from them.

Every number here comes from the bundled table ``consumption_dk_national.csv`` (one row per
published figure, with its source and page), read by :func:`national_figures`. The intensities
are *derived*, not typed: :func:`derive_danish_intensities` divides a published national
footprint of a consumption group (CONCITO 2023, t CO2e per inhabitant, 2021) by the published
household spending on the same group (Statistics Denmark, Forbrugsundersøgelsen 2021, per
household, turned per inhabitant with the number of households and inhabitants on 1 January
2022). The result is bundled as ``consumption_intensities_dk_2021.csv``; the script
``data/build_consumption_intensities.py`` and a test recompute it from the cited figures.

Only four groups have both a published footprint and published spending for the same year:
food and non-alcoholic beverages (``01``), housing including heat and electricity (``04``),
recreation and culture without package holidays (``09``) and package holidays (``09.8``).
For every other COICOP division only the total is published, so those rows carry the average
intensity of all private consumption and are marked ``illustrative`` (a split, not a figure).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from klimacore.errors import DataError, MissingLabelError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = [
    "PRIVATE_CATEGORIES",
    "danish_intensities",
    "derive_danish_intensities",
    "national_figures",
]

PRIVATE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "food": ("concito_food",),
    "transport_other": ("concito_transport", "-concito_personal_vehicle_use"),
    "housing_other": ("concito_housing",),
    "leisure_culture": ("concito_leisure_culture",),
    "clothing": ("concito_clothing",),
    "furnishings": ("concito_furnishings",),
    "personal_care": ("concito_personal_care",),
    "insurance_finance": ("concito_insurance_finance",),
    "post_telecom": ("concito_post_telecom",),
    "hotels_package_tours": ("concito_hotels_package_tours",),
    "electronics": ("concito_electronics",),
}
"""The private consumption categories priced from national figures (CONCITO 2023 fig. 7), as
sums of figure ids (a leading ``-`` subtracts). *El og varme* and *Kørsel i personlige
transportmidler* are not here: the municipal model replaces them with physical estimates."""

_INTENSITY_FILE = "consumption_intensities_dk_2021.csv"

# derived rows: coicop -> (footprint ids, spending share ids, note)
_DERIVED: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {
    "01": (
        ("concito_food", "-concito_restaurants_canteens"),
        ("fu_share_food_clothing", "fu_food_share_of_food_clothing"),
        "CONCITO Fødevarer less restaurants and canteens over FU food and non-alcoholic "
        "beverages; CONCITO's food may include beverages and tobacco (an upper bound)",
    ),
    "04": (
        ("concito_housing", "concito_electricity_heat"),
        ("fu_share_housing",),
        "CONCITO Boliger plus El og varme over FU boligbenyttelse incl. heat and electricity; "
        "CONCITO's Boliger includes building dwellings (investment), so an upper bound",
    ),
    "09": (
        ("concito_leisure_culture",),
        ("fu_share_leisure", "1-fu_package_share_of_leisure"),
        "CONCITO Fritid og kultur over FU fritid og kultur less package holidays",
    ),
    "09.8": (
        ("concito_hotels_package_tours",),
        ("fu_share_leisure", "fu_package_share_of_leisure"),
        "CONCITO Hoteller og pakkerejser over FU package holidays; the footprint also "
        "covers hotels, the spending does not (an upper bound)",
    ),
}


def _table(name: str) -> pd.DataFrame:
    from klimacore import reference

    return reference.read_table(name)


@cache
def _figures() -> dict[str, tuple[float, str, int, str]]:
    table = _table("consumption_dk_national.csv")
    return {
        str(i): (float(v), str(u), int(y), f"{s}, {loc}")
        for i, v, u, y, s, loc in zip(
            table["id"], table["value"], table["unit"], table["year"], table["source"],
            table["locator"], strict=True,
        )
    }


def national_figures() -> pd.DataFrame:
    """The cited national figures: ``id``, ``value``, ``unit``, ``year``, ``source``,
    ``locator``, ``note`` (a copy of the bundled table).

    >>> t = national_figures().set_index("id")
    >>> float(t.loc["dst_footprint_private", "value"]), t.loc["dst_footprint_private", "unit"]
    (40.7, 'Mt')
    """
    return _table("consumption_dk_national.csv")


def _value(figures: dict[str, tuple[float, str, int, str]], key: str) -> float:
    if key.startswith("1-"):
        return 1.0 - _value(figures, key[2:])
    if key not in figures:
        raise MissingLabelError("national figure", [key], dim="id", code="national.figure")
    return figures[key][0]


def _signed_sum(figures: dict[str, tuple[float, str, int, str]], ids: tuple[str, ...]) -> float:
    return sum(-_value(figures, i[1:]) if i.startswith("-") else _value(figures, i) for i in ids)


def final_use_shares(figures: pd.DataFrame | None = None) -> dict[str, float]:
    """Shares of private consumption, public consumption and investment in the national
    footprint (Statistics Denmark 2020: 40.7, 8.3 and 16.4 of 65.4 Mt).

    >>> s = final_use_shares()
    >>> round(s["private"], 4), round(sum(s.values()), 6)
    (0.6223, 1.0)
    """
    table = _as_dict(figures)
    total = _value(table, "dst_footprint_total")
    parts = {
        "private": _value(table, "dst_footprint_private"),
        "public": _value(table, "dst_footprint_public"),
        "investment": _value(table, "dst_footprint_investment"),
    }
    if abs(sum(parts.values()) - total) > 0.05 + 1e-9:
        raise DataError(
            f"final-use parts {parts} do not add up to the total {total} Mt (tolerance 0.05)",
            code="national.sum", label=parts, location="dst_footprint_total")
    return {k: v / sum(parts.values()) for k, v in parts.items()}


def category_weights(figures: pd.DataFrame | None = None) -> dict[str, float]:
    """CONCITO (2023) footprint per inhabitant of each category in :data:`PRIVATE_CATEGORIES`.

    >>> w = category_weights()
    >>> w["food"], round(w["transport_other"], 2), round(sum(w.values()), 2)
    (2.5, 2.1, 8.4)
    """
    table = _as_dict(figures)
    return {c: _signed_sum(table, ids) for c, ids in PRIVATE_CATEGORIES.items()}


def _as_dict(figures: pd.DataFrame | None) -> dict[str, tuple[float, str, int, str]]:
    if figures is None:
        return _figures()
    return {
        str(i): (float(v), str(u), int(y), str(s))
        for i, v, u, y, s in zip(
            figures["id"], figures["value"], figures["unit"], figures["year"], figures["source"],
            strict=True,
        )
    }


def derive_danish_intensities(figures: pd.DataFrame | None = None) -> pd.DataFrame:
    """Derive kg CO2e per DKK by consumption group from the cited national figures.

    ``intensity = footprint per inhabitant / spending per inhabitant`` with spending per
    inhabitant ``= FU consumption per household × group share × households / inhabitants``.
    Rows with a published footprint *and* published spending for the same group are
    ``derived``; ``all`` is the average over all private consumption (Statistics Denmark's
    private share of the national footprint, 2020, applied to the 2021 headline figure); the
    other COICOP divisions get that average and are marked ``illustrative``.

    Parameters
    ----------
    figures
        A table in the layout of :func:`national_figures` (default: the bundled one), e.g. with
        a figure replaced by a newer publication.

    Returns
    -------
    pandas.DataFrame
        One row per code: ``coicop``, ``value`` (kg/DKK), ``unit``, ``price_year``,
        ``price_basis`` (purchaser), ``gwp_metric``, ``footprint_t_per_inhabitant``,
        ``spending_dkk_per_inhabitant``, ``gsd``, ``illustrative``, ``source``, ``note``.

    Examples
    --------
    >>> t = derive_danish_intensities().set_index("coicop")
    >>> round(float(t.loc["01", "value"]), 4), bool(t.loc["01", "illustrative"])
    (0.1046, False)
    >>> round(float(t.loc["all", "value"]), 4), bool(t.loc["07", "illustrative"])
    (0.0432, True)
    """
    import pandas as pd

    table = _as_dict(figures)
    per_household = _value(table, "fu_consumption_per_household")
    persons = _value(table, "population") / _value(table, "households")
    per_inhabitant = per_household / persons
    spend_year = table["fu_consumption_per_household"][2]
    rows: list[dict[str, Any]] = []
    for code, (fp_ids, share_ids, note) in _DERIVED.items():
        footprint = _signed_sum(table, fp_ids)
        share = 1.0
        for s in share_ids:
            share *= _value(table, s)
        spending = per_inhabitant * share
        sources = sorted({table[i.lstrip("-")][3] for i in fp_ids} | {
            table[s.removeprefix("1-")][3] for s in share_ids})
        rows.append(_row(code, footprint, spending, False, spend_year, note, sources))
    private = _value(table, "footprint_per_capita") * final_use_shares(figures)["private"]
    average_sources = sorted({table[i][3] for i in (
        "footprint_per_capita", "dst_footprint_private", "dst_footprint_total",
        "fu_consumption_per_household")})
    rows.append(_row("all", private, per_inhabitant, False, spend_year,
                     "all private consumption: the 2021 headline footprint per inhabitant "
                     "times the private share of Statistics Denmark's 2020 footprint, over "
                     "FU consumption per inhabitant", average_sources))
    average = rows[-1]["value"]
    for code in ("02", "03", "05", "06", "07", "08", "10", "11", "12", "13"):
        rows.append({
            **_row(code, float("nan"), float("nan"), True, spend_year,
                   "only the total is published with matching spending: the average "
                   "intensity of all private consumption stands in (illustrative split)",
                   average_sources),
            "value": round(average, 6),
        })
    return pd.DataFrame(rows)


def _row(code: str, footprint: float, spending: float, illustrative: bool, year: int,
         note: str, sources: list[str]) -> dict[str, Any]:
    value = footprint * 1000.0 / spending if spending == spending else float("nan")
    return {
        "coicop": code,
        "value": round(value, 6),
        "unit": "kg/DKK",
        "price_year": int(year),
        "price_basis": "purchaser",
        "gwp_metric": "as published",
        "footprint_t_per_inhabitant": round(footprint, 6),
        "spending_dkk_per_inhabitant": round(spending, 2),
        "gsd": 1.6 if illustrative else 1.3,
        "illustrative": illustrative,
        "source": "; ".join(sources),
        "note": note,
    }


def danish_intensities(*, include_average: bool = False) -> xr.DataArray:
    """The bundled Danish intensities by COICOP code (kg CO2e per DKK, purchaser prices, 2021).

    Derived by :func:`derive_danish_intensities` from cited figures; rows marked illustrative in
    the coordinate ``illustrative`` carry the average private intensity (only a total exists for
    them). Codes nest (``09.8`` inside ``09``); ``all`` (the average) is left out unless
    ``include_average``. The ``gsd`` coordinate feeds
    :func:`~klimacore.consumption.monte_carlo_footprint` (1.3 derived, 1.6 illustrative:
    assumptions).

    >>> i = danish_intensities()
    >>> i.attrs["price_basis"], i.attrs["year"], i.attrs["units"]
    ('purchaser', 2021, 'kg/DKK')
    >>> i.sel(coicop="01").item() > i.sel(coicop="09").item()
    True
    """
    import xarray as xr

    table = _table(_INTENSITY_FILE)
    if not include_average:
        table = table[table["coicop"].astype(str) != "all"]
    codes = [str(c) for c in table["coicop"]]
    return xr.DataArray(
        table["value"].to_numpy(dtype=float),
        coords={
            "coicop": codes,
            "gsd": ("coicop", table["gsd"].to_numpy(dtype=float)),
            "illustrative": ("coicop", table["illustrative"].astype(bool).to_numpy()),
        },
        dims="coicop",
        name="intensity",
        attrs={
            "units": "kg/DKK",
            "quantity": "CO2e",
            "year": int(table["price_year"].iloc[0]),
            "price_basis": "purchaser",
            "currency": "DKK",
            "gwp_metric_note": "GWP set as published by CONCITO (2023) / Energistyrelsen (not "
            "stated per figure); physical overrides use AR5GWP100 fuel factors",
            "imports": "included (consumption-based footprints)",
            "source": "klimacore consumption_intensities_dk_2021.csv, derived from CONCITO (2023) "
            "and Statistics Denmark (FU 2021, analysis 47752) figures",
            "illustrative": bool(table["illustrative"].any()),
        },
    )
