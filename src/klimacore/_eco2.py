"""Importer for Energistyrelsen's Energi- og CO2-regnskab (klimaregnskabet.dk), all 98 municipalities.

The account is the municipal energy and emissions inventory every Danish municipality reports
from. :func:`read_energi_co2_regnskab` reads it in the shapes users meet it in and returns the
canonical emissions form: a float :class:`xarray.DataArray` in t CO2e with dims
``municipality`` (int code), ``year`` (int) and ``sector`` (the account's own sectors,
``attrs["sector_classification"] == "eco2"``).

Shapes read (a path, the parsed JSON, or a :class:`pandas.DataFrame`):

* the API's own rows: fields ``sektor``, ``type``, ``enhed``, ``værdi`` (as
  ``GET /api/municipality-data?type=Nøgletal`` returns them under ``data``), with the
  municipality and year as row fields (``kommunekode``/``municipality``, ``år``/``year``), as the
  ``municipality=``/``year=`` arguments, or nested as ``[{"kommuneKode", "kommuneNavn",
  "years_data": [{"year", "rows": [...]}]}]``;
* the reshaped long CSV (``kommunekode, kommune, year, sector, value_t_co2e, …``) and the
  reshaped JSON (``{"kommuner": [{"kommuneKode", "years", "samletUdledning", "sektorer"}]}``).

What the importer does about the data's known traps:

* codes with leading zeros (``"0751"``) and 3-digit codes both become the integer 751; an
  unknown code is an error naming the row;
* a 0 may mean "not reported" (the reshaped files turned absent values into 0): zeros are kept
  and flagged in the boolean coordinate ``possibly_unreported`` (``zeros="missing"`` makes them
  NaN instead); an absent value is NaN, never 0;
* the account's own total ("Samlet") is kept as the coordinate ``reported_total``
  (municipality, year) and compared with the sum of the sectors; where the API gives two
  different "Samlet" rows the one nearer the sector sum is kept, with a warning.

Examples
--------
>>> rows = [
...     {"kommunekode": "0751", "år": 2022, "sektor": "Energi", "type": "Samlet CO2-udledning",
...      "enhed": "Ton CO2e", "værdi": 900.0},
...     {"kommunekode": "0751", "år": 2022, "sektor": "Transport",
...      "type": "Samlet CO2-udledning", "enhed": "Ton CO2e", "værdi": 0.0},
...     {"kommunekode": "0751", "år": 2022, "sektor": "Samlet", "type": "Samlet CO2-udledning",
...      "enhed": "Ton CO2e", "værdi": 900.0},
... ]
>>> da = read_energi_co2_regnskab(rows)
>>> da.dims, da["municipality"].values.tolist(), da["sector"].values.tolist()
(('municipality', 'year', 'sector'), [751], ['energi', 'transport'])
>>> da.attrs["sector_classification"], da.attrs["units"]
('eco2', 't')
>>> bool(da["possibly_unreported"].sel(sector="transport").item())
True
>>> eco2_sector_map().loc["affald", ["plan_sector", "gpc_sector", "cctf_sector"]].tolist()
['waste', 'III', 'other']
"""

from __future__ import annotations

import json
import math
import re
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from klimacore.errors import DataError, KlimacoreWarning, ValidationError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = ["aggregate_eco2_sectors", "eco2_sector_map", "read_energi_co2_regnskab"]

SOURCE = "Energistyrelsen, Energi- og CO2-regnskabet (klimaregnskabet.dk)"
ATTRIBUTION = "Kilde: Energi- og CO2-regnskabet, Energistyrelsen / klimaregnskabet.dk"
EMISSION_TYPE = "Samlet CO2-udledning"
EMISSION_UNIT = "Ton CO2e"
TOTAL = "samlet"
_TOTAL_LABELS = {"samlet", "total"}
_CODE_KEYS = ("kommunekode", "kommuneKode", "kommune_kode", "kommunenr", "municipality",
              "municipality_code", "kode")
_YEAR_KEYS = ("år", "aar", "year", "Year", "År")
_NAME_KEYS = ("kommune", "kommuneNavn", "kommunenavn", "navn", "municipality_name")
_SECTOR_ORDER = ("energi", "transport", "landbrug", "affald", "affaldsdeponi", "spildevand",
                 "industri", "kemiske processer")
_TOTAL_TOLERANCE_T = 1.0
"""|reported total − sum of sectors| above this (t) is reported (the reshaped files round to 0.1 t
per sector, so sums differ from the total by up to a few tenths)."""


# --- mapping ----------------------------------------------------------------------------------


def eco2_sector_map() -> pd.DataFrame:
    """The bundled mapping of the account's sectors to plan, GPC and CCTF sectors.

    Indexed by ``eco2_sector`` (the labels :func:`read_energi_co2_regnskab` returns); columns
    ``api_sektor``, ``plan_sector``, ``gpc_sector``, ``gpc_refs``, ``cctf_sector``, ``basis``,
    ``note`` (cited in ``datapackage.json``, resource ``eco2_sector_map``).

    >>> eco2_sector_map().loc["kemiske processer", "gpc_refs"]
    'IV.1'
    """
    from klimacore.reference import read_table

    return read_table("eco2_sector_map.csv").set_index("eco2_sector")


def aggregate_eco2_sectors(
    emissions: xr.DataArray, to: Literal["plan", "gpc", "cctf"] = "plan"
) -> xr.DataArray:
    """Sum the account's sectors into plan (``plan``), GPC (``gpc``) or CCTF (``cctf``) sectors.

    A sector sum is NaN when any of its parts is NaN (a reporting gap is never a partial sum).
    ``attrs["sector_classification"]`` says the new classification. Raises naming any sector the
    mapping does not know.

    >>> import xarray as xr
    >>> e = xr.DataArray([[1.0, 2.0, 4.0]], dims=("year", "sector"),
    ...                  coords={"year": [2022], "sector": ["affaldsdeponi", "spildevand", "energi"]},
    ...                  attrs={"sector_classification": "eco2", "units": "t"})
    >>> agg = aggregate_eco2_sectors(e, "cctf")
    >>> agg.sector.values.tolist(), agg.values.tolist(), agg.attrs["sector_classification"]
    (['energy', 'other'], [[4.0, 3.0]], 'cctf')
    """
    if to not in ("plan", "gpc", "cctf"):
        raise ValidationError(f"to must be 'plan', 'gpc' or 'cctf', got {to!r}")
    if "sector" not in emissions.dims:
        raise ValidationError("emissions have no 'sector' dimension to aggregate")
    mapping = eco2_sector_map()[f"{to}_sector"]
    labels = [str(s) for s in emissions["sector"].to_numpy()]
    unknown = [s for s in labels if s not in mapping.index]
    if unknown:
        raise DataError(f"sectors not in the Energi- og CO2-regnskab mapping: {unknown} "
                        f"(known: {', '.join(mapping.index)})")
    target = [str(mapping[s]) for s in labels]
    keep = [c for c in emissions.coords if "sector" not in emissions[c].dims]
    da = emissions.drop_vars([c for c in emissions.coords
                              if c not in keep and c != "sector"])
    da = da.assign_coords(sector=target)
    out = da.groupby("sector").sum(min_count=1, skipna=False)
    out.attrs = {**emissions.attrs, "sector_classification": to}
    return out


# --- reading ----------------------------------------------------------------------------------


def read_energi_co2_regnskab(
    source: Any,
    *,
    municipality: int | str | None = None,
    year: int | None = None,
    release: str | None = None,
    gwp_metric: str | None = None,
    zeros: Literal["flag", "missing"] = "flag",
) -> xr.DataArray:
    """Read the Energi- og CO2-regnskab into the canonical emissions form.

    Parameters
    ----------
    source
        A path (``.csv`` or ``.json``), parsed JSON (a list of API rows, ``{"data": rows}``, the
        nested per-municipality raw form, or the reshaped ``{"kommuner": …}``), or a
        :class:`pandas.DataFrame` of API rows or of the reshaped long form. See the module
        docstring.
    municipality, year
        For API rows that do not carry them (one API call is one municipality and year).
    release
        The release or retrieval date of the data (the account is restated backwards with every
        release); default: the file's own ``fetchedAt`` where it has one.
    gwp_metric
        The GWP set of the CO2e values, where you know it (the files do not say).
    zeros
        ``"flag"`` (default) keeps zeros and marks them in the ``possibly_unreported``
        coordinate; ``"missing"`` turns them into NaN ("no data").

    Returns
    -------
    xarray.DataArray
        t CO2e a year, dims ``municipality``, ``year``, ``sector``; coordinates
        ``municipality_name``, ``reported_total`` (the account's own total, t) and
        ``possibly_unreported``; attrs ``units``, ``sector_classification`` (``"eco2"``),
        ``source``, ``attribution``, ``release`` (where known), ``gwp_metric`` (where given),
        ``gases``, ``boundary``.

    Raises
    ------
    DataError
        Naming the rows: unknown municipality codes, years that are not integers, values that
        are not numbers, duplicate sector rows, mixed units.
    """
    import pandas as pd

    if zeros not in ("flag", "missing"):
        raise ValidationError(f"zeros must be 'flag' or 'missing', got {zeros!r}")
    meta: dict[str, Any] = {}
    data = source
    if isinstance(source, str | Path):
        data, meta = _read_path(Path(source))
    if isinstance(data, pd.DataFrame):
        frame = data
    elif isinstance(data, Mapping) and "kommuner" in data:
        meta.setdefault("fetchedAt", data.get("fetchedAt"))
        frame = _from_reshaped_json(data)
    elif isinstance(data, Mapping) and "data" in data:
        frame = pd.DataFrame(list(data["data"]))
    elif isinstance(data, Sequence) and not isinstance(data, str | bytes):
        items = list(data)
        if items and isinstance(items[0], Mapping) and "years_data" in items[0]:
            frame = _from_nested(items)
        else:
            frame = pd.DataFrame(items)
    else:
        raise ValidationError(
            "source must be a path, a DataFrame, a list of API rows or the parsed JSON of the "
            f"Energi- og CO2-regnskab, got {type(source).__name__}")
    frame = _with_context(frame, municipality, year)
    long = _api_long(frame) if "sektor" in frame.columns else _reshaped_long(frame)
    rel = release or meta.get("fetchedAt")
    return _to_array(long, release=None if rel is None else str(rel)[:10],
                     gwp_metric=gwp_metric, zeros=zeros)


def _read_path(path: Path) -> tuple[Any, dict[str, Any]]:
    import pandas as pd

    if not path.exists():
        raise DataError(f"no such file: {path}")
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise DataError(f"{path}: not valid JSON ({exc})") from None
        return data, {}
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        return frame, {}
    raise DataError(f"{path}: expected a .csv or .json file")


def _first(columns: Sequence[str], keys: Sequence[str]) -> str | None:
    return next((k for k in keys if k in columns), None)


def _with_context(frame: pd.DataFrame, municipality: Any, year: Any) -> pd.DataFrame:
    frame = frame.copy()
    cols = [str(c) for c in frame.columns]
    for value, keys, name in ((municipality, _CODE_KEYS, "municipality"),
                              (year, _YEAR_KEYS, "year")):
        col = _first(cols, keys)
        if value is not None:
            if col is not None:
                raise ValidationError(f"{name}= given but the rows have a column {col!r}")
            frame[name] = value
        elif col is None:
            raise DataError(f"the rows have no {name} column ({', '.join(keys)}) and no "
                            f"{name}= was given")
        elif col != name:
            frame = frame.rename(columns={col: name})
    name_col = _first(cols, _NAME_KEYS)
    if name_col is not None and name_col != "municipality_name":
        frame = frame.rename(columns={name_col: "municipality_name"})
    return frame


def _from_nested(items: list[Mapping[str, Any]]) -> pd.DataFrame:
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for i, item in enumerate(items):
        code = item.get("kommuneKode", item.get("kommunekode"))
        if code is None:
            raise DataError(f"record {i} has years_data but no kommuneKode")
        for entry in item.get("years_data", []):
            for row in entry.get("rows", []):
                rows.append({**row, "kommunekode": code, "år": entry.get("year"),
                             "kommune": item.get("kommuneNavn")})
    return pd.DataFrame(rows)


def _from_reshaped_json(data: Mapping[str, Any]) -> pd.DataFrame:
    import pandas as pd

    rows: list[dict[str, Any]] = []
    for i, k in enumerate(data["kommuner"]):
        years = list(k.get("years", data.get("years", [])))
        series = {TOTAL: k.get("samletUdledning", []), **k.get("sektorer", {})}
        for sector, values in series.items():
            if len(values) != len(years):
                raise DataError(f"kommuner[{i}] ({k.get('kommuneKode')}): {sector} has "
                                f"{len(values)} values for {len(years)} years")
            rows.extend({"kommunekode": k.get("kommuneKode"), "kommune": k.get("kommuneNavn"),
                         "year": y, "sector": sector, "value_t_co2e": v}
                        for y, v in zip(years, values, strict=True))
    return pd.DataFrame(rows)


def _number(value: Any) -> float:
    """A value as float; None/'' → NaN; Danish decimal commas ('1.234,5') accepted."""
    if value is None:
        return math.nan
    if isinstance(value, int | float | np.number):
        return float(value)
    text = str(value).strip()
    if not text:
        return math.nan
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    return float(text)


def _numbers(values: pd.Series, what: str, problems: list[str]) -> np.ndarray[Any, Any]:
    out = np.empty(len(values))
    for i, (idx, v) in enumerate(values.items()):
        try:
            out[i] = _number(v)
        except (TypeError, ValueError):
            out[i] = math.nan
            problems.append(f"row {idx}: {what} {v!r} is not a number")
    return out


def _api_long(frame: pd.DataFrame) -> pd.DataFrame:
    """API rows → long (municipality, municipality_name, year, sector, value)."""
    missing = [c for c in ("sektor", "type", "enhed", "værdi") if c not in frame.columns]
    if missing:
        raise DataError(f"API rows lack the field(s) {missing}")

    def plain(col: str) -> pd.Series:  # "CO₂" and "CO2" alike, surrounding spaces ignored
        return frame[col].astype(str).str.replace("₂", "2", regex=False).str.strip()

    is_emission = (plain("type") == EMISSION_TYPE) & (plain("enhed") == EMISSION_UNIT)
    rows = frame[is_emission]
    if rows.empty:
        raise DataError(f"no rows with type {EMISSION_TYPE!r} and enhed {EMISSION_UNIT!r} "
                        f"(types: {sorted(map(str, frame['type'].unique()))[:10]})")
    problems: list[str] = []
    out = rows[["municipality", "year"] + (["municipality_name"] if "municipality_name" in
                                           rows.columns else [])].copy()
    out["sector"] = rows["sektor"].astype(str).str.strip().str.lower()
    out["value"] = _numbers(rows["værdi"], "værdi", problems)
    if problems:
        raise DataError(f"{len(problems)} value(s) are not numbers", problems=problems[:20])
    return out


def _reshaped_long(frame: pd.DataFrame) -> pd.DataFrame:
    value_col = _first([str(c) for c in frame.columns], ("value_t_co2e", "value", "værdi"))
    if value_col is None or "sector" not in frame.columns:
        raise DataError(
            "unrecognised table: expected API rows (sektor, type, enhed, værdi) or the reshaped "
            f"long form (kommunekode, year, sector, value_t_co2e); columns: {list(frame.columns)}")
    problems: list[str] = []
    out = frame[["municipality", "year"] + (["municipality_name"] if "municipality_name" in
                                            frame.columns else [])].copy()
    out["sector"] = frame["sector"].astype(str).str.strip().str.lower()
    out["value"] = _numbers(frame[value_col], value_col, problems)
    if problems:
        raise DataError(f"{len(problems)} value(s) are not numbers", problems=problems[:20])
    return out


def _codes(values: pd.Series, problems: list[str]) -> np.ndarray[Any, Any]:
    from klimacore.reference import municipality_code

    cache: dict[Any, int] = {}
    out = np.zeros(len(values), dtype=np.int64)
    for i, (idx, v) in enumerate(values.items()):
        key = str(v).strip()
        if key not in cache:
            try:
                cache[key] = municipality_code(int(key) if re.fullmatch(r"\d+", key) else key)
            except (KeyError, ValueError):
                problems.append(f"row {idx}: unknown municipality code {v!r}")
                cache[key] = -1
        out[i] = cache[key]
    return out


def _years(values: pd.Series, problems: list[str]) -> np.ndarray[Any, Any]:
    out = np.zeros(len(values), dtype=np.int64)
    for i, (idx, v) in enumerate(values.items()):
        try:
            f = float(str(v).strip())
            if f != round(f):
                raise ValueError
            out[i] = int(f)
        except (TypeError, ValueError):
            problems.append(f"row {idx}: year {v!r} is not an integer")
    return out


def _to_array(long: pd.DataFrame, *, release: str | None, gwp_metric: str | None,
              zeros: str) -> xr.DataArray:
    import pandas as pd
    import xarray as xr

    problems: list[str] = []
    long = long.assign(municipality=_codes(long["municipality"], problems),
                       year=_years(long["year"], problems))
    if problems:
        raise DataError(f"{len(problems)} problem(s) reading the Energi- og CO2-regnskab",
                        problems=problems[:20] + ([f"… and {len(problems) - 20} more"]
                                                  if len(problems) > 20 else []))
    is_total = long["sector"].isin(_TOTAL_LABELS)
    sectors_long, totals_long = long[~is_total], long[is_total]
    key = ["municipality", "year", "sector"]
    dup = sectors_long.duplicated(key, keep=False)
    if dup.any():
        first_dups = sectors_long[dup].drop_duplicates(key).head(20)
        raise DataError(f"{int(dup.sum())} duplicate sector rows (one value per municipality, "
                        "year and sector)", problems=[
                            f"municipality {m}, year {y}, sector {s!r}" for m, y, s in
                            first_dups[key].itertuples(index=False)])
    present = [s for s in dict.fromkeys(sectors_long["sector"])]
    order = [s for s in _SECTOR_ORDER if s in present] + [s for s in present
                                                          if s not in _SECTOR_ORDER]
    wide = sectors_long.set_index(key)["value"].unstack("sector").reindex(columns=order)
    munis = np.unique(long["municipality"].to_numpy())
    years = np.unique(long["year"].to_numpy())
    full = wide.reindex(index=pd.MultiIndex.from_product(
        [munis, years], names=["municipality", "year"]))
    values = full.to_numpy(dtype=float).reshape(munis.size, years.size, len(order))
    zero = values == 0.0
    if zeros == "missing":
        values = np.where(zero, np.nan, values)
    sector_sum = np.where(np.isnan(values).any(-1), np.nan, np.nansum(values, -1))
    reported = _reported_totals(totals_long, munis, years, sector_sum)
    with np.errstate(invalid="ignore"):
        off = np.abs(reported - sector_sum) > _TOTAL_TOLERANCE_T
    if off.any():
        shown = [f"{int(munis[m])}/{int(years[y])}: total {reported[m, y]:,.1f} t, sectors "
                 f"{sector_sum[m, y]:,.1f} t" for m, y in np.argwhere(off)[:10]]
        warnings.warn(f"{int(off.sum())} municipality-year(s) whose reported total differs from "
                      "the sum of the sectors by more than "
                      f"{_TOTAL_TOLERANCE_T:g} t: " + "; ".join(shown), KlimacoreWarning,
                      stacklevel=3)
    names = None
    if "municipality_name" in long.columns:
        first = long.drop_duplicates("municipality").set_index("municipality")
        names = [str(first["municipality_name"].get(m, "")) for m in munis]
    coords: dict[str, Any] = {"municipality": munis, "year": years, "sector": order,
                              "possibly_unreported": (("municipality", "year", "sector"), zero),
                              "reported_total": (("municipality", "year"), reported)}
    if names is not None:
        coords["municipality_name"] = ("municipality", names)
    attrs: dict[str, Any] = {
        "units": "t",
        "sector_classification": "eco2",
        "source": SOURCE,
        "attribution": ATTRIBUTION,
        "gases": ("CO2", "CH4", "N2O"),
        "gases_note": "CO2e of CO2, CH4 and N2O (agriculture's CH4 and N2O are in the account); "
                      "F-gases are not part of the account",
        "boundary": "territorial",
        "scope_note": "scope 1 + 2 of the account's own method (local electricity production)",
    }
    if release is not None:
        attrs["release"] = release
    if gwp_metric is not None:
        attrs["gwp_metric"] = gwp_metric
    n_zero = int(zero.sum())
    if n_zero:
        attrs["possibly_unreported_count"] = n_zero
    return xr.DataArray(values, dims=("municipality", "year", "sector"), coords=coords,
                        attrs=attrs, name="emissions")


def _reported_totals(totals: pd.DataFrame, munis: np.ndarray[Any, Any],
                     years: np.ndarray[Any, Any],
                     sector_sum: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    out = np.full((munis.size, years.size), np.nan)
    if totals.empty:
        return out
    mi = np.searchsorted(munis, totals["municipality"].to_numpy())
    yi = np.searchsorted(years, totals["year"].to_numpy())
    ambiguous: list[str] = []
    for (m_key, y_key), group in totals.assign(mi=mi, yi=yi).groupby(["mi", "yi"]):
        m, y = int(m_key), int(y_key)  # type: ignore[call-overload]
        vals = group["value"].to_numpy(dtype=float)
        vals = vals[np.isfinite(vals)]
        if vals.size == 0:
            continue
        if vals.size > 1 and np.ptp(vals) > _TOTAL_TOLERANCE_T:
            s = sector_sum[m, y]
            pick = vals[np.argmin(np.abs(vals - s))] if np.isfinite(s) else vals.min()
            ambiguous.append(f"{int(munis[m])}/{int(years[y])}: {sorted(vals.tolist())} "
                             f"→ {pick:,.1f}")
            out[m, y] = pick
        else:
            out[m, y] = vals[0]
    if ambiguous:
        warnings.warn(
            f"{len(ambiguous)} municipality-year(s) have two different 'Samlet' totals in t CO2e;"
            " kept the one nearest the sum of the sectors (else the smaller, the scope 1+2 "
            "boundary): " + "; ".join(ambiguous[:10]), KlimacoreWarning, stacklevel=4)
    return out
