"""Bundled reference data: municipalities, regions, GPC categories, notation keys, factors.

Every table is read once from the package (:mod:`importlib.resources`) and every call returns a
fresh copy, so a caller cannot corrupt the cache. ``data/datapackage.json`` describes each file:
columns, units, source and licence.

Examples
--------
>>> from klimacore import reference
>>> m = reference.municipalities()
>>> len(m), m.columns.tolist()
(98, ['code', 'name', 'region_code', 'region_name'])
>>> m.groupby("region_name").size().to_dict()["Region Hovedstaden"]
29
>>> reference.municipality_code("0751"), reference.municipality_code("Vesthimmerland")
(751, 820)
>>> row = reference.gpc_categories().set_index("ref").loc["I.4.4"]
>>> int(row.scope), bool(row.basic), bool(row.basic_plus), bool(row.territorial)
(1, False, False, True)
"""

from __future__ import annotations

import unicodedata
from functools import cache
from io import StringIO
from typing import TYPE_CHECKING, Any

from klimacore import _data
from klimacore.errors import DataError, MissingLabelError

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "datapackage",
    "fuel_emission_factors",
    "gpc_categories",
    "gpc_totals",
    "grid_emission_factors",
    "municipalities",
    "municipality_code",
    "notation_keys",
    "read_table",
    "regions",
]

GPC_TOTALS: tuple[str, ...] = ("basic", "basic_plus", "territorial")
"""The three GPC inventory totals, as column names of :func:`gpc_categories`."""


@cache
def _frame(name: str) -> pd.DataFrame:
    import pandas as pd

    schema = _schema(name)
    dtypes: dict[str, Any] = {}
    bools: list[str] = []
    for field in schema.get("fields", []):
        kind = field.get("type", "string")
        if kind == "integer":
            dtypes[field["name"]] = "int64"
        elif kind == "number":
            dtypes[field["name"]] = "float64"
        elif kind == "boolean":
            bools.append(field["name"])
            dtypes[field["name"]] = "string"
        else:
            dtypes[field["name"]] = object
    frame = pd.read_csv(
        StringIO(_data.read_text(name)), dtype=dtypes, keep_default_na=False, na_values=[""]
    )
    expected = [f["name"] for f in schema.get("fields", [])]
    if expected and frame.columns.tolist() != expected:
        raise DataError(
            f"bundled file {name!r} has columns {frame.columns.tolist()}, "
            f"datapackage.json says {expected}"
        )
    for col in bools:
        values = frame[col].str.lower()
        bad = sorted(set(values) - {"true", "false"})
        if bad:
            raise DataError(f"bundled file {name!r} column {col!r} has non-boolean values {bad}")
        frame[col] = (values == "true").to_numpy(dtype=bool)
    return frame


def _schema(name: str) -> dict[str, Any]:
    for resource in _data.datapackage()["resources"]:
        if resource["path"] == name:
            schema: dict[str, Any] = resource.get("schema", {})
            return schema
    raise DataError(f"bundled file {name!r} is not described in datapackage.json")


def read_table(name: str) -> pd.DataFrame:
    """Any bundled CSV by file name, typed by its datapackage schema (a copy).

    >>> read_table("regions.csv").shape
    (5, 3)
    """
    return _frame(name).copy()


def datapackage() -> dict[str, Any]:
    """The bundled ``datapackage.json`` (a deep copy): every file with its source and licence."""
    import copy

    return copy.deepcopy(_data.datapackage())


def municipalities() -> pd.DataFrame:
    """The 98 Danish municipalities: ``code``, ``name``, ``region_code``, ``region_name``.

    Codes are the 3-digit kommunekoder used by Statistics Denmark and the Energi- og CO2-regnskab
    (101 København … 860 Hjørring); Christiansø (411) is not a municipality and is not listed.
    """
    return _frame("municipalities.csv").copy()


def regions() -> pd.DataFrame:
    """The five regions: ``region_code`` (1081–1085), ``region_name``, ``region_name_en``."""
    return _frame("regions.csv").copy()


def gpc_categories() -> pd.DataFrame:
    """GPC v1.1 reference numbers with sector, sub-sector, scope and total membership.

    Columns: ``ref`` (e.g. ``"I.1.1"``), ``sector`` (``"I"``…``"VI"``), ``sector_name``,
    ``subsector``, ``subsector_name``, ``scope`` (1–3), and booleans ``basic``, ``basic_plus`` and
    ``territorial`` saying whether the row counts in each GPC total. BASIC covers I and II scope 1+2
    (not I.4.4) and III scope 1+3 (not III.x.3); BASIC+ adds IV, V and the scope-3 rows I.x.3 and
    II.x.3; the territorial total is every scope-1 row, I.4.4 and III.x.3 included.
    """
    return _frame("gpc_categories.csv").copy()


def gpc_totals() -> tuple[str, ...]:
    """Names of the GPC totals: ``('basic', 'basic_plus', 'territorial')``."""
    return GPC_TOTALS


def notation_keys() -> pd.DataFrame:
    """GPC notation keys NO, IE, NE and C with their meaning (data, never 0 or NaN)."""
    return _frame("notation_keys.csv").copy()


def fuel_emission_factors() -> pd.DataFrame:
    """Danish default fuel emission factors, one row per fuel × gas × year × sector, with source.

    Columns: ``fuel``, ``gas``, ``value``, ``unit`` (e.g. ``kg/GJ``), ``year``, ``source``,
    ``note``, ``biogenic_co2`` (True for CO2 from biomass, a memo item kept outside totals; CH4 and
    N2O from biomass count), ``verified`` (False for a figure not re-checked against its table),
    ``sector`` (the IPCC source category of a CH4/N2O factor, e.g. ``energy_industries`` from
    IPCC 2006 Vol. 2 Table 2.2 or ``residential_agriculture`` from Table 2.5; ``all`` for CO2, a
    property of the fuel) and the citation ``publisher``, ``document``, ``table``,
    ``source_year``, ``url``. See ``data/datapackage.json`` and docs/data.md.

    >>> f = fuel_emission_factors()
    >>> row = f.query("fuel == 'natural_gas' and gas == 'CO2'").iloc[0]
    >>> float(row.value), row.unit, bool(row.biogenic_co2), row.sector
    (56.69, 'kg/GJ', False, 'all')
    >>> wood = f.query("fuel == 'wood' and gas == 'CH4'").set_index("sector")["value"]
    >>> float(wood["energy_industries"]), float(wood["residential_agriculture"])
    (30.0, 300.0)
    """
    return _frame("fuel_emission_factors.csv").copy()


def grid_emission_factors() -> pd.DataFrame:
    """Emission factors of grid electricity and district heating for scope-2 attribution.

    One row per carrier × area × year × method: ``carrier`` (electricity, district_heating),
    ``area`` (DK, DK1, DK2, a municipality code or a network), ``year``, ``method``
    (national_location, municipality_location, municipality_local_production, market_based,
    network_declaration), ``chp_allocation`` (125%, 200%, …), ``grid_losses_included``, ``value``,
    ``unit``, ``release``, ``source``, ``note``, ``verified`` (False where the figure was seen only
    in a secondary source: treat it as illustrative until checked), ``gas_basis`` (``CO2e``, or
    ``CO2`` for the CO2-only national rows of 2010, 2014 and 2018) and the citation columns
    ``publisher``, ``document``, ``table``, ``source_year``, ``url``. Methods differ by up to 5×
    for the same place and year, so a factor always names its method, CHP allocation, loss basis
    and release. From data year 2022 Energinet's location-based declaration is split into East and
    West Denmark and its national figure is not recommended for CSR use (see the datapackage).
    Per-municipality figures that could not be traced to a publication are kept only as
    illustrative examples in ``read_table("grid_emission_factors_example.csv")``.

    >>> t = grid_emission_factors()
    >>> t.query("year == 2018")[["value", "unit", "gas_basis", "chp_allocation"]].values.tolist()
    [[244.0, 'g/kWh', 'CO2', '200%']]
    """
    return _frame("grid_emission_factors.csv").copy()


# --- municipality lookup ----------------------------------------------------------------------


def _name_key(name: str) -> str:
    text = unicodedata.normalize("NFC", name).casefold().strip()
    return text.removesuffix(" kommune").strip()


_NAME_VARIANTS = {"nordfyn": 480, "vesthimmerland": 820, "aarhus": 751, "århus": 751}


@cache
def _name_index() -> dict[str, int]:
    frame = _frame("municipalities.csv")
    index = {_name_key(n): int(c) for c, n in zip(frame["code"], frame["name"], strict=True)}
    index.update(_NAME_VARIANTS)
    return index


def municipality_code(value: int | str) -> int:
    """Return the integer municipality code for a code or a name.

    Accepts 3-digit codes (``101``), DAWA's zero-padded 4-digit codes (``"0101"``) and names,
    including the variants Nordfyn/Nordfyns and Vesthimmerland/Vesthimmerlands and a trailing
    " Kommune". Raises :class:`~klimacore.errors.MissingLabelError` for anything else.

    >>> municipality_code(" Nordfyn Kommune")
    480
    >>> municipality_code(411)
    Traceback (most recent call last):
    ...
    klimacore.errors.MissingLabelError: missing Danish municipality for municipality: 411
    """
    codes = set(int(c) for c in _frame("municipalities.csv")["code"])
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        code = int(value)
        if code in codes:
            return code
    elif isinstance(value, str):
        key = _name_key(value)
        index = _name_index()
        found = index.get(key, index.get(key.removesuffix("s")))
        if found is not None and key:
            return found
    raise MissingLabelError("Danish municipality", [value], dim="municipality")
