"""Reading municipal drivers for the consumption footprint model (re-exported by :mod:`klimacore.io`).

The drivers are public register figures for the 98 municipalities and the whole country in the
layout of the public project *forbrugsudledninger* (``data.json`` with ``land`` and ``kommuner``,
and ``sources.json`` naming each table and its period): population (DST FOLK1A), disposable
income (INDKP101), passenger cars by fuel (BIL54), commuting distance (AFSTB4), household energy
use and CO2 from the Energi- og CO2-regnskab, and the grid electricity factor (Energinet). The
files are not shipped with klimacore; :func:`read_municipal_drivers` reads them from where they
are and returns the one table :func:`klimacore.consumption.municipal_footprint` takes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from klimacore.errors import DataError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["DRIVER_FIELDS", "drivers_from_records", "read_municipal_drivers"]

DRIVER_FIELDS: dict[str, str] = {
    "folketal": "population",
    "disp_indkomst": "disposable_income",
    "husholdning_co2_ton": "household_energy_co2_t",
    "husholdning_energi_tj": "household_energy_tj",
    "biler": "cars",
    "biler_el": "cars_electric",
    "biler_plugin": "cars_plugin",
    "biler_diesel": "cars_diesel",
    "pendlingsafstand_km": "commuting_km",
    "elco2_g_kwh": "electricity_co2_g_per_kwh",
}
"""Field of the source layout → column of the driver table."""

_UNITS = {
    "population": "inhabitants", "disposable_income": "DKK per person",
    "household_energy_co2_t": "t CO2e", "household_energy_tj": "TJ", "cars": "cars",
    "cars_electric": "cars", "cars_plugin": "cars", "cars_diesel": "cars",
    "commuting_km": "km", "electricity_co2_g_per_kwh": "g/kWh",
}
_REQUIRED = ("population", "disposable_income")


def _number(value: Any) -> float:
    if value is None or isinstance(value, bool):
        return math.nan
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def drivers_from_records(
    municipalities: list[dict[str, Any]],
    national: dict[str, Any],
    *,
    vintages: dict[str, str] | None = None,
    source: str = "unknown",
    year: int | None = None,
) -> pd.DataFrame:
    """Build the driver table from records in the source layout (``kode``, ``navn``, fields).

    Absent or ``None`` values stay missing (NaN), never zero; population and disposable income
    must be present and positive for every municipality, and cars by fuel may not exceed all
    cars. Every problem is reported at once, naming the municipality and field.

    >>> rec = {"kode": 727, "navn": "Odder", "folketal": 24000, "disp_indkomst": 300000,
    ...        "biler": 13000, "biler_el": 2000, "biler_plugin": 500, "biler_diesel": 3000}
    >>> t = drivers_from_records([rec], {"folketal": 24000, "elco2_g_kwh": 43.0}, year=2026)
    >>> t.loc[727, "name"], float(t.loc[727, "population"]), float(t.loc[727, "cars_petrol"])
    ('Odder', 24000.0, 7500.0)
    >>> import math; math.isnan(t.loc[727, "commuting_km"])
    True
    """
    import pandas as pd

    problems: list[str] = []
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()
    for i, rec in enumerate(municipalities):
        try:
            code = int(rec["kode"])
        except (KeyError, TypeError, ValueError):
            problems.append(f"record {i}: no municipality code 'kode'")
            continue
        if code in seen:
            problems.append(f"municipality {code}: listed twice")
        seen.add(code)
        row: dict[str, Any] = {"municipality": code, "name": str(rec.get("navn", code))}
        for field, column in DRIVER_FIELDS.items():
            row[column] = _number(rec.get(field))
        problems.extend(_check_row(code, row))
        rows.append(row)
    nat = {column: _number(national.get(field)) for field, column in DRIVER_FIELDS.items()}
    if not nat["population"] > 0:
        problems.append("national: population (folketal) missing or not positive")
    if problems:
        raise DataError(f"{len(problems)} problems in the municipal drivers", problems=problems)
    table = pd.DataFrame(rows).set_index("municipality").sort_index()
    table["cars_petrol"] = table["cars"] - table["cars_electric"] - table["cars_plugin"] - table[
        "cars_diesel"]
    if year is not None:
        table.insert(1, "year", int(year))
    table.attrs = {
        "national": nat,
        "vintages": dict(vintages or {}),
        "source": source,
        "units": {**_UNITS, "cars_petrol": "cars (petrol and other non-electric)"},
    }
    return table


def _check_row(code: int, row: dict[str, Any]) -> list[str]:
    problems = [
        f"municipality {code}: {column} missing or not positive ({row[column]})"
        for column in _REQUIRED
        if not row[column] > 0
    ]
    for column in ("household_energy_co2_t", "cars", "cars_electric", "cars_plugin",
                   "cars_diesel", "commuting_km"):
        if row[column] < 0:
            problems.append(f"municipality {code}: {column} is negative ({row[column]})")
    by_fuel = row["cars_electric"] + row["cars_plugin"] + row["cars_diesel"]
    if by_fuel > row["cars"]:
        problems.append(
            f"municipality {code}: cars by fuel ({by_fuel:.0f}) exceed all cars ({row['cars']:.0f})"
        )
    return problems


def read_municipal_drivers(path: str | Path) -> pd.DataFrame:
    """Read municipal drivers from a folder (``data.json`` [+ ``sources.json``]) or a JSON file.

    Returns one row per municipality (index ``municipality``, the 3-digit code) with columns
    ``name``, ``year`` (the population count's year), ``population``, ``disposable_income``,
    ``household_energy_co2_t``, ``household_energy_tj``, ``cars``, ``cars_electric``,
    ``cars_plugin``, ``cars_diesel``, ``cars_petrol`` (the rest), ``commuting_km``,
    ``electricity_co2_g_per_kwh``; ``attrs`` hold ``national`` (the whole country's row),
    ``vintages`` (period of each field, from ``sources.json``), ``source`` and ``units``.

    Raises :class:`~klimacore.errors.DataError` naming every bad municipality and field, and
    :class:`OSError` when the files cannot be read.
    """
    base = Path(path)
    data_file = base / "data.json" if base.is_dir() else base
    try:
        document = json.loads(data_file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"{data_file}: not valid JSON ({exc})") from None
    if not isinstance(document, dict) or "kommuner" not in document or "land" not in document:
        raise DataError(f"{data_file}: expected an object with 'land' and 'kommuner'")
    vintages: dict[str, str] = {}
    sources_file = data_file.parent / "sources.json"
    if sources_file.exists():
        sources = json.loads(sources_file.read_text(encoding="utf-8"))
        for entry in sources.get("kilder", []):
            for field in entry.get("felter", []):
                if field in DRIVER_FIELDS:
                    vintages[DRIVER_FIELDS[field]] = (
                        f"{entry.get('id', '?')} {entry.get('periode', '?')}"
                    )
    year = None
    period = vintages.get("population", "")
    digits = "".join(ch for ch in period.split(" ")[-1][:4] if ch.isdigit())
    if len(digits) == 4:
        year = int(digits)
    return drivers_from_records(
        list(document["kommuner"]), dict(document["land"]), vintages=vintages,
        source=str(data_file), year=year,
    )
