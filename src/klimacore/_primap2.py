"""primap2's interchange format in and out: emissions by area, category and gas, with metadata.

The interchange format (primap2 documentation, "Interchange format") is a wide CSV, one row per
source × area × category × entity × unit (× further dims) and one column per year, plus a YAML
file of metadata: ``attrs`` (which column is the area and the category, title, references,
publication date, …), ``dimensions`` and ``time_format``. klimacore writes:

* per-gas ``emissions`` as entities named as primap2 / openscm-units name gases (``CH4``,
  ``HFC134a``: klimacore's ``HFC-134a`` without hyphens), unit ``t CH4 / yr``;
* ``co2e`` as ``KYOTOGHG (AR5GWP100)``, unit ``t CO2 / yr`` (primap2 names the GWP context in
  parentheses);
* the area column ``area (DK-municipality)`` with municipality codes (``area (DK-region)`` for
  region codes), the category column ``category (GPC)`` with GPC reference numbers, ``source``
  from ``attrs["source"]``, any further dim (``scope2_method``) as a column of its own.

:func:`to_primap2` gives the DataFrame with the metadata in ``frame.attrs`` (what
``primap2.pm2io.from_interchange_format`` takes), :func:`write_primap2` the CSV and YAML files
(what ``primap2.pm2io.read_interchange_format`` reads), and :func:`from_primap2` reads such a
frame back: values, labels, units, the GWP metric, source, title and release date exactly.

>>> from klimacore.examples import example_inventory
>>> frame = to_primap2(example_inventory()[["emissions", "co2e"]])
>>> frame.columns[:6].tolist(), frame.columns[-2:].tolist()
(['source', 'area (DK-municipality)', 'entity', 'unit', 'category (GPC)', 'scope2_method'], ['2019', '2024'])
>>> sorted(set(frame["entity"]))
['CH4', 'CO2', 'HFC134a', 'KYOTOGHG (AR5GWP100)', 'N2O']
>>> back = from_primap2(frame)
>>> back["emissions"].sel(gas="HFC-134a").sum().item() > 0
True
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore import _files
from klimacore.errors import DataError, ValidationError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

_log = logging.getLogger(__name__)

__all__ = ["from_primap2", "to_primap2", "write_primap2"]

_AREA = {"municipality": "area (DK-municipality)", "region": "area (DK-region)"}
_CAT = "category (GPC)"
_BASKET = "KYOTOGHG"
_RE_GWP = re.compile(r"^(?P<entity>.+) \((?P<metric>[A-Za-z0-9]+)\)$")
_RE_UNIT = re.compile(r"^(?P<mass>\S+) (?P<gas>\S+) / (?:yr|year|a)$")
# primap2's own output writes pint's canonical form, "CH4 * metric_ton / yr"
_RE_UNIT_PINT = re.compile(r"^(?P<gas>\S+) \* (?P<mass>\S+) / (?:yr|year|a)$")
_MASS_NAMES = {"metric_ton": "t", "kilometric_ton": "kt", "gigagram": "Gg", "megagram": "Mg",
               "kilogram": "kg", "gram": "g", "megametric_ton": "Mt"}
_KNOWN_ATTRS = ("title", "references", "rights", "contact", "comment", "institution")


def _primap_gas(gas: str) -> str:
    return gas.replace("-", "")


def to_primap2(obj: xr.Dataset | xr.DataArray) -> pd.DataFrame:
    """Emissions (per gas and/or CO2e) as primap2's interchange DataFrame (metadata in attrs)."""
    import pandas as pd
    import xarray as xr

    ds = obj.to_dataset(name=obj.name or ("emissions" if "gas" in obj.dims else "co2e")) \
        if isinstance(obj, xr.DataArray) else obj
    unknown = [str(v) for v in ds.data_vars if v not in ("emissions", "co2e")]
    if unknown:
        raise ValidationError("primap2 export takes 'emissions' (by gas) and 'co2e'; select "
                              "them first", [f"variable {v!r} is neither" for v in unknown])
    entity_dim = next((d for d in _AREA if d in ds.dims), None)
    if entity_dim is None:
        raise ValidationError("primap2 needs an area: the data have no 'municipality' or "
                              "'region' dimension")
    area = _AREA[entity_dim]
    extras = [str(d) for d in ds.dims if d not in (entity_dim, "year", "category", "gas")]
    source = str(ds.attrs.get("source", "klimacore"))
    parts = []
    own_dims: dict[str, list[str]] = {}  # entity -> its dims, where fewer than all
    for name, da in ds.data_vars.items():
        units = da.attrs.get("units")
        if not units:
            raise ValidationError(f"{name}: no 'units' in attrs")
        keep = [d for d in (entity_dim, "category", "gas", *extras) if d in da.dims]
        ordered = da.transpose(*keep, "year")  # keep the labels' order (unstack would sort)
        index = pd.MultiIndex.from_product([da.get_index(d) for d in keep], names=keep)
        wide = pd.DataFrame(ordered.to_numpy().reshape(len(index), da.sizes["year"]),
                            index=index, columns=da.get_index("year"))
        wide = wide.dropna(how="all").reset_index()
        wide.columns = [str(c) for c in wide.columns]
        out = pd.DataFrame({"source": source}, index=wide.index)
        out[area] = wide[entity_dim].astype("int64").astype(str)
        if name == "emissions":
            out["entity"] = wide["gas"].astype(str).map(_primap_gas)
            out["unit"] = f"{units} " + out["entity"] + " / yr"
        else:
            metric = da.attrs.get("gwp_metric")
            if not metric:
                raise ValidationError("co2e: no 'gwp_metric' in attrs")
            out["entity"] = f"{_BASKET} ({metric})"
            out["unit"] = f"{units} CO2 / yr"
        if "category" in ds.dims:
            out[_CAT] = wide["category"].astype(str) if "category" in wide else ""
        for e in extras:
            out[e] = wide[e].astype(str) if e in wide else ""
        missing = [e for e in extras if e not in da.dims]
        if missing:  # primap2 reads an entity with fewer dims from its own dimension list
            for entity in out["entity"].unique():
                own_dims[entity] = [e for e in extras if e in da.dims]
        years = [str(int(y)) for y in da["year"].to_numpy()]
        for y in years:
            out[y] = wide[y].to_numpy(dtype="float64")
        parts.append(out)
    frame = pd.concat(parts, ignore_index=True)
    years = [str(int(y)) for y in ds["year"].to_numpy()]
    dims = [c for c in frame.columns if c not in years]
    frame = frame[[*dims, *years]]
    attrs: dict[str, Any] = {"area": area}
    if "category" in ds.dims:
        attrs["cat"] = _CAT
    for key in _KNOWN_ATTRS:
        if key in ds.attrs:
            attrs[key] = str(ds.attrs[key])
    if "release_date" in ds.attrs:  # primap2 holds a datetime.date in memory
        import datetime

        try:
            attrs["publication_date"] = datetime.date.fromisoformat(str(ds.attrs["release_date"]))
        except ValueError:
            attrs["comment"] = f"release date {ds.attrs['release_date']}"
    dimensions = {"*": [*dims, "time"]}
    for entity, kept in own_dims.items():
        dimensions[entity] = [d for d in dims if d not in extras or d in kept] + ["time"]
    frame.attrs = {"attrs": attrs, "dimensions": dimensions, "time_format": "%Y"}
    return frame


def _yaml_scalar(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def write_primap2(obj: xr.Dataset | xr.DataArray, path: str | Path) -> Path:
    """Write ``NAME.csv`` and ``NAME.yaml`` in the interchange format; returns the YAML path.

    The YAML is written in block style (primap2 reads it with strictyaml, which refuses flow
    style); the CSV quotes every text field, as primap2 does.
    """
    import csv

    frame = to_primap2(obj)
    stem = Path(path)
    data_file, meta_file = stem.with_suffix(".csv"), stem.with_suffix(".yaml")
    with _files.atomic_write(data_file) as (_, fh):
        frame.to_csv(fh, index=False, quoting=csv.QUOTE_NONNUMERIC)
    meta = frame.attrs
    lines = ["attrs:"]
    lines += [f"  {k}: {_yaml_scalar(str(v))}" for k, v in sorted(meta["attrs"].items())]
    lines.append(f"data_file: {_yaml_scalar(data_file.name)}")
    lines.append("dimensions:")
    for key, dims in meta["dimensions"].items():
        lines.append(f"  {_yaml_scalar(key)}:")
        lines += [f"  - {_yaml_scalar(d)}" for d in dims]
    lines.append(f"time_format: {_yaml_scalar(meta['time_format'])}")
    with _files.atomic_write(meta_file) as (_, fh):
        assert fh is not None
        fh.write("\n".join(lines) + "\n")
    return meta_file


def from_primap2(frame: pd.DataFrame, attrs: dict[str, Any] | None = None) -> xr.Dataset:
    """Read an interchange-format DataFrame (metadata in ``frame.attrs`` or ``attrs``).

    Entities ``<gas>`` become ``emissions`` (dim ``gas``, klimacore's gas names), entities
    ``<basket> (<metric>)`` become ``co2e`` with ``gwp_metric``; masses of one variable in
    several units are converted to tonnes. Problems are reported together, by row.
    """
    import pandas as pd
    import xarray as xr

    from klimacore.units import conversion_factor, normalize_gas

    meta = dict(attrs if attrs is not None else frame.attrs)
    if "attrs" not in meta or "area" not in meta["attrs"]:
        raise DataError("not primap2's interchange format: no attrs['area'] in the metadata")
    area = meta["attrs"]["area"]
    cat = meta["attrs"].get("cat")
    entity_dim = {v: k for k, v in _AREA.items()}.get(area)
    if entity_dim is None:
        raise DataError(f"area column {area!r}: klimacore reads "
                        f"{' or '.join(map(repr, _AREA.values()))}")
    dim_cols = {c for cols in meta.get("dimensions", {}).values() for c in cols}
    years = [c for c in frame.columns if c not in dim_cols]
    extras = [c for c in frame.columns if c in dim_cols and c not in
              ("source", area, "entity", "unit", cat)]
    problems: list[str] = []
    for y in years:
        if not str(y).isdigit():
            problems.append(f"column {y!r} is neither a dimension nor a year")
    names: list[str] = []
    gases: list[str | None] = []
    metrics: list[str | None] = []
    masses: list[str | None] = []
    for i, (entity, unit) in enumerate(zip(frame["entity"], frame["unit"], strict=True)):
        m_gwp = _RE_GWP.match(str(entity))
        m_unit = _RE_UNIT.match(str(unit)) or _RE_UNIT_PINT.match(str(unit))
        where = f"row {i + 1} (entity {entity!r}, unit {unit!r})"
        if m_gwp:
            names.append("co2e")
            gases.append(None)
            metrics.append(m_gwp["metric"])
            if not m_unit or m_unit["gas"] != "CO2":
                problems.append(f"{where}: a GWP entity needs the unit '<mass> CO2 / yr'")
        else:
            names.append("emissions")
            try:
                gases.append(normalize_gas(str(entity)))
            except Exception:
                problems.append(f"{where}: unknown gas")
                gases.append(None)
            metrics.append(None)
            if not m_unit or m_unit["gas"] != entity:
                problems.append(f"{where}: the unit must read '<mass> {entity} / yr'")
        masses.append(_MASS_NAMES.get(m_unit["mass"], m_unit["mass"]) if m_unit else None)
    if problems:
        raise DataError("cannot read the primap2 table", problems)
    codes = pd.to_numeric(frame[area], errors="coerce")
    if codes.isna().any():
        bad = frame.loc[codes.isna(), area].head(5).tolist()
        raise DataError(f"{area}: not a code", [repr(b) for b in bad])
    long = frame.assign(_name=names, gas=pd.Series(gases, index=frame.index, dtype=object),
                        _metric=pd.Series(metrics, index=frame.index, dtype=object),
                        _mass=pd.Series(masses, index=frame.index, dtype=object))
    for col in [*extras, *([cat] if cat else [])]:  # primap2 leaves a dim an entity lacks empty
        long[col] = long[col].where(long[col].notna(), "").astype(str)
    long[entity_dim] = codes.astype("int64")
    if cat:
        long["category"] = long[cat].astype(str)
    long = long.melt(id_vars=[c for c in long.columns if c not in years], value_vars=years,
                     var_name="year", value_name="value")
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    long = long.dropna(subset=["value"])
    long["year"] = long["year"].astype("int64")
    out: dict[str, xr.DataArray] = {}
    for name, group in long.groupby("_name", sort=False):
        dims = [entity_dim, "year", *(["category"] if cat and (group["category"] != "").any()
                                      else []), *(["gas"] if name == "emissions" else [])]
        dims += [e for e in extras if (group[e].astype(str) != "").any()]
        value = group["value"].to_numpy(dtype="float64")
        mass = group["_mass"].unique().tolist()
        da_attrs: dict[str, Any] = {"units": mass[0] if len(mass) == 1 else "t"}
        if len(mass) > 1:
            value = value * np.asarray([conversion_factor(m, "t") for m in group["_mass"]])
            _log.info("%s: masses in %s converted to t", name, ", ".join(map(str, mass)))
        metric = group["_metric"].dropna().unique().tolist()
        if len(metric) > 1:
            raise DataError("co2e in several GWP metrics: read them one at a time", metric)
        if metric:
            da_attrs["gwp_metric"] = metric[0]
        series = pd.Series(value, index=pd.MultiIndex.from_frame(group[dims]))
        if series.index.duplicated().any():
            raise DataError(f"{name}: duplicate rows", [str(k) for k in
                                                        series.index[series.index.duplicated()][:20]])
        da = xr.DataArray.from_series(series)
        da = da.reindex({d: list(dict.fromkeys(group[d])) for d in dims})
        da.attrs = da_attrs
        out[str(name)] = da
    ds_attrs: dict[str, Any] = {"source": str(long["source"].iloc[0])} if len(long) else {}
    for key in _KNOWN_ATTRS:
        if key in meta["attrs"]:
            ds_attrs[key] = str(meta["attrs"][key])
    if "publication_date" in meta["attrs"]:
        ds_attrs["release_date"] = str(meta["attrs"]["publication_date"])
    return xr.Dataset(out, attrs=ds_attrs)
