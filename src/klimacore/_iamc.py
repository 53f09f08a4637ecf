"""IAMC long format in and out (the layout of pyam's ``IamDataFrame`` and the IPCC scenario databases).

One row per model × scenario × region × variable × unit × year with a ``value``
(:data:`IAMC_COLUMNS`); any further dimension (``scope2_method``, ``draw``, …) is an extra column,
as pyam's ``extra_cols``. :func:`to_iamc` writes emissions (per gas or CO2e), and the per-year
results of a trajectory check (allowed emissions, gaps, verdict codes); :func:`from_iamc` reads
the long table (or the wide one with years as columns, or a ``pyam.IamDataFrame``) back into an
``xarray.Dataset``; :func:`to_pyam` gives a ``pyam.IamDataFrame`` (``pip install pyam-iamc``).

Variable naming scheme
----------------------
======================================  =====================  ============================
klimacore                               IAMC ``variable``      ``unit``
======================================  =====================  ============================
``emissions`` (gas, category)           ``Emissions|CH4|I.1.1``   ``t CH4/yr``
``emissions`` (gas)                     ``Emissions|CH4``          ``t CH4/yr``
``co2e`` (category), metric in attrs    ``Emissions|Kyoto Gases (AR5GWP100)|I.1.1``  ``t CO2e/yr``
``co2e``                                ``Emissions|Kyoto Gases (AR5GWP100)``  ``t CO2e/yr``
``allowed`` (reference)                 ``Trajectory|dk-climate-act|Allowed``  ``t CO2e/yr``
``gap_t`` (reference)                   ``Trajectory|dk-climate-act|Gap``      ``t CO2e/yr``
``gap_pct`` (reference)                 ``Trajectory|dk-climate-act|Gap Share``  ``%``
``status`` (reference)                  ``Trajectory|dk-climate-act|Status``   ``status code``
======================================  =====================  ============================

Categories are GPC reference numbers, gases klimacore's names (``HFC-134a``), the GWP metric is
part of the variable name as in primap2's ``KYOTOGHG (AR5GWP100)``. Status codes: 0 on track,
1 at risk, 2 off track, 3 no data, −1 the reference does not apply that year. ``region`` is a
municipality's name (``Aarhus``), a region's (``Region Midtjylland``) or, for data of neither, the
``region=`` you give. ``model`` and ``scenario`` come from the ``model``/``scenario`` dims when
there are such, else from the arguments (default: ``attrs``, then ``"klimacore"`` /
``"default"``); reading, a single value goes to ``attrs`` and several make a dimension.

A missing cell has no row (IAMC's way to say "not reported"), so it reads back missing, never 0;
a label whose every cell is missing cannot travel. Values, labels, units and the GWP metric
travel exactly; other ``attrs`` do not (IAMC has no place for them: use netCDF or the tidy CSV).

Examples
--------
>>> import xarray as xr
>>> da = xr.DataArray([[10.0, 0.5]], dims=("year", "gas"),
...     coords={"year": [2019], "gas": ["CO2", "CH4"]}, attrs={"units": "t"}, name="emissions")
>>> table = to_iamc(da, region="Aarhus")
>>> table[["region", "variable", "unit", "year", "value"]].to_numpy().tolist()
[['Aarhus', 'Emissions|CO2', 't CO2/yr', 2019, 10.0], ['Aarhus', 'Emissions|CH4', 't CH4/yr', 2019, 0.5]]
>>> back = from_iamc(table)
>>> back["emissions"].sel(municipality=751, drop=True).equals(da)
True
"""

from __future__ import annotations

import logging
import re
from collections.abc import Hashable, Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError, ValidationError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

_log = logging.getLogger(__name__)  # "klimacore._iamc": under the klimacore logger

__all__ = ["IAMC_COLUMNS", "from_iamc", "to_iamc", "to_pyam"]

IAMC_COLUMNS: tuple[str, ...] = ("model", "scenario", "region", "variable", "unit", "year",
                                 "value")
"""The columns of the long IAMC table, in pyam's order."""

_TRAJECTORY = {"allowed": "Allowed", "gap_t": "Gap", "gap_pct": "Gap Share", "status": "Status"}
_TRAJECTORY_BACK = {v: k for k, v in _TRAJECTORY.items()}
_STATUS_UNIT = "status code"
_KNOWN = ("emissions", "co2e", *_TRAJECTORY)
_ENTITY = ("municipality", "region")
_OWN_DIMS = ("model", "scenario", *_ENTITY, "reference", "year", "category", "gas")
_RE_CO2E = re.compile(r"^Emissions\|Kyoto Gases \((?P<metric>[A-Za-z0-9]+)\)(?:\|(?P<cat>[^|]+))?$")
_RE_GAS = re.compile(r"^Emissions\|(?P<gas>[^|]+)(?:\|(?P<cat>[^|]+))?$")
_RE_TRAJ = re.compile(r"^Trajectory\|(?P<ref>[^|]+)\|(?P<what>Allowed|Gap|Gap Share|Status)$")
_RE_MASS = re.compile(r"^(?P<mass>\S+) (?P<gas>\S+)/yr$")


def _names() -> tuple[dict[int, str], dict[int, str]]:
    from klimacore.reference import municipalities

    m = municipalities()
    return (dict(zip(m["code"].tolist(), m["name"].tolist(), strict=True)),
            dict(zip(m["region_code"].tolist(), m["region_name"].tolist(), strict=True)))


# --- out --------------------------------------------------------------------------------------


def _variables(obj: Any) -> dict[str, xr.DataArray]:
    """The variables to write, by klimacore name; anything outside the scheme is an error."""
    import xarray as xr

    from klimacore.trajectory import TrajectoryCheck

    if isinstance(obj, TrajectoryCheck):
        years = obj.years
        co2e = years["emissions"].copy()
        co2e.attrs = {"units": years.attrs.get("units", "t"),
                      "gwp_metric": years.attrs.get("gwp_metric")}
        out = {"co2e": co2e}
        for name in _TRAJECTORY:
            da = years[name].copy()
            da.attrs = {"units": "%" if name == "gap_pct" else _STATUS_UNIT if name == "status"
                        else years.attrs.get("units", "t")}
            out[name] = da
        return out
    if isinstance(obj, xr.DataArray):
        name = obj.name if obj.name in _KNOWN else "emissions" if "gas" in obj.dims else "co2e"
        return {str(name): obj}
    if isinstance(obj, xr.Dataset):
        unknown = [str(v) for v in obj.data_vars if v not in _KNOWN]
        if unknown:
            raise ValidationError(
                "IAMC carries only the variables " + ", ".join(_KNOWN) + "; select them first, "
                "e.g. inventory[['emissions', 'co2e']]", [f"variable {v!r} has no IAMC name"
                                                          for v in unknown])
        return {str(k): v for k, v in obj.data_vars.items()}
    raise ValidationError(f"to_iamc takes an xarray DataArray/Dataset or a TrajectoryCheck, "
                          f"not {type(obj).__name__}")


def _variable_names(name: str, da: xr.DataArray, frame: pd.DataFrame) -> tuple[Any, Any]:
    var: Any
    unit: Any
    units = da.attrs.get("units")
    if units is None and name != "status":
        raise ValidationError(f"{name}: no 'units' in attrs (IAMC needs a unit on every row)")
    if name == "emissions":
        if "gas" not in frame:
            raise ValidationError("emissions: a 'gas' dimension is needed for per-gas emissions "
                                  "(CO2e goes as 'co2e' with its gwp_metric)")
        var = "Emissions|" + frame["gas"].astype(str)
        unit = f"{units} " + frame["gas"].astype(str) + "/yr"
    elif name == "co2e":
        metric = da.attrs.get("gwp_metric")
        if not metric:
            raise ValidationError("co2e: no 'gwp_metric' in attrs; IAMC names the metric in "
                                  "the variable (Emissions|Kyoto Gases (AR5GWP100))")
        var = f"Emissions|Kyoto Gases ({metric})"
        unit = f"{units} CO2e/yr"
    else:
        if "reference" not in frame:
            raise ValidationError(f"{name}: a 'reference' dimension is needed")
        var = "Trajectory|" + frame["reference"].astype(str) + f"|{_TRAJECTORY[name]}"
        unit = units if name in ("gap_pct", "status") else f"{units} CO2e/yr"
    if "category" in frame:
        var = var + "|" + frame["category"].astype(str)
    return var, unit


def to_iamc(obj: Any, *, model: str | None = None, scenario: str | None = None,
            region: str | None = None) -> pd.DataFrame:
    """Emissions or a trajectory check as the long IAMC table (:data:`IAMC_COLUMNS` + extras).

    Parameters
    ----------
    obj
        An ``xarray.DataArray`` (``emissions`` with a ``gas`` dim, or ``co2e`` with
        ``attrs["gwp_metric"]``), a Dataset of such variables (and ``allowed``, ``gap_t``,
        ``gap_pct``, ``status``), or a :class:`~klimacore.trajectory.TrajectoryCheck`.
    model, scenario
        Used when ``obj`` has no such dimension (default: its ``attrs``, then ``"klimacore"``
        and ``"default"``).
    region
        The region of data without a ``municipality`` or ``region`` dim.

    Returns
    -------
    pandas.DataFrame
        One row per reported cell, in the order of the data; missing cells have no row.

    >>> from klimacore.examples import example_inventory
    >>> t = to_iamc(example_inventory()[["emissions", "co2e"]])
    >>> t.loc[0, ["region", "variable", "unit", "scope2_method"]].tolist()
    ['Odder', 'Emissions|CO2|I.1.1', 't CO2/yr', '']
    """
    import pandas as pd

    variables = _variables(obj)
    munis, regions = _names()
    extras: list[str] = []
    for da in variables.values():
        extras += [str(d) for d in da.dims if d not in _OWN_DIMS and str(d) not in extras]
    parts = []
    for name, da in variables.items():
        frame = da.to_series().dropna().reset_index()
        frame = frame.rename(columns={frame.columns[-1]: "value"})
        attrs = da.attrs
        out = pd.DataFrame(index=frame.index)
        out["model"] = frame["model"] if "model" in frame else (
            model or attrs.get("model") or "klimacore")
        out["scenario"] = frame["scenario"] if "scenario" in frame else (
            scenario or attrs.get("scenario") or "default")
        if "municipality" in frame:
            out["region"] = _mapped(frame["municipality"], munis, "municipality")
        elif "region" in frame:
            out["region"] = _mapped(frame["region"], regions, "region")
        elif region is not None:
            out["region"] = region
        else:
            raise ValidationError(f"{name}: no 'municipality' or 'region' dimension: give "
                                  "region=… (the IAMC region of these data)")
        out["variable"], out["unit"] = _variable_names(name, da, frame)
        out["year"] = frame["year"].astype("int64")
        for extra in extras:
            out[extra] = frame.get(extra, "")
        out["value"] = frame["value"].astype("float64")
        parts.append(out)
    table = pd.concat(parts, ignore_index=True)
    return table[[*IAMC_COLUMNS[:-1], *extras, "value"]]


def _mapped(codes: pd.Series, names: Mapping[int, str], dim: str) -> pd.Series:
    unknown = sorted({int(c) for c in codes.unique()} - set(names))
    if unknown:
        from klimacore.errors import MissingLabelError

        raise MissingLabelError(f"Danish {dim} code (no name for IAMC's region)", unknown, dim=dim)
    return codes.astype("int64").map(names)


def to_pyam(obj: Any, **kwargs: Any) -> Any:
    """:func:`to_iamc` as a ``pyam.IamDataFrame`` (needs ``pip install pyam-iamc``)."""
    try:
        import pyam
    except ImportError:
        raise ImportError("to_pyam needs pyam: pip install pyam-iamc (or use to_iamc for the "
                          "long table)") from None
    return pyam.IamDataFrame(to_iamc(obj, **kwargs))


# --- in ---------------------------------------------------------------------------------------


def _long(data: Any) -> pd.DataFrame:
    """Any accepted input as the long table with lower-case IAMC columns."""
    import pandas as pd

    if hasattr(data, "timeseries") and hasattr(data, "data"):  # a pyam.IamDataFrame
        return pd.DataFrame(data.data)
    if not isinstance(data, pd.DataFrame):
        raise ValidationError(f"from_iamc takes a DataFrame or pyam.IamDataFrame, not "
                              f"{type(data).__name__}")
    frame = data.rename(columns={c: c.lower() for c in data.columns if isinstance(c, str)
                                 and c.lower() in IAMC_COLUMNS})
    years = [c for c in frame.columns if str(c).strip().isdigit()]
    if "year" not in frame and years:
        ids = [c for c in frame.columns if c not in years]
        frame = frame.melt(id_vars=ids, value_vars=years, var_name="year", value_name="value")
        frame = frame.dropna(subset=["value"])
    missing = [c for c in IAMC_COLUMNS if c not in frame]
    if missing:
        raise DataError("not an IAMC table", [f"column {c!r} is missing" for c in missing])
    return frame.reset_index(drop=True)


def _parse(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Add name, gas, category, reference, gwp_metric and mass unit columns; list problems."""
    import pandas as pd

    problems: list[str] = []
    rows: list[tuple[Any, ...]] = []
    for i, (var, unit) in enumerate(zip(frame["variable"], frame["unit"], strict=True)):
        where = f"row {i + 1} (variable {var!r}, unit {unit!r})"
        m = _RE_CO2E.match(var)
        if m:
            u = _RE_MASS.match(unit)
            if not u or u["gas"] != "CO2e":
                problems.append(f"{where}: the unit of CO2e must read '<mass> CO2e/yr'")
            rows.append(("co2e", None, m["cat"], None, m["metric"], u["mass"] if u else None))
            continue
        m = _RE_TRAJ.match(var)
        if m:
            name = _TRAJECTORY_BACK[m["what"]]
            mass = None
            if name in ("allowed", "gap_t"):
                u = _RE_MASS.match(unit)
                if not u or u["gas"] != "CO2e":
                    problems.append(f"{where}: the unit must read '<mass> CO2e/yr'")
                mass = u["mass"] if u else None
            elif unit != ("%" if name == "gap_pct" else _STATUS_UNIT):
                problems.append(f"{where}: the unit must be "
                                f"{'%' if name == 'gap_pct' else _STATUS_UNIT!r}")
            rows.append((name, None, None, m["ref"], None, mass))
            continue
        m = _RE_GAS.match(var)
        if m and not m["gas"].startswith(("Kyoto Gases", "Trajectory")):
            u = _RE_MASS.match(unit)
            if not u or u["gas"] != m["gas"]:
                problems.append(f"{where}: the unit must read '<mass> {m['gas']}/yr'")
            rows.append(("emissions", m["gas"], m["cat"], None, None, u["mass"] if u else None))
            continue
        problems.append(f"{where}: not in klimacore's IAMC naming scheme (Emissions|<gas>[|"
                        "<category>], Emissions|Kyoto Gases (<metric>)[|<category>], "
                        "Trajectory|<reference>|Allowed/Gap/Gap Share/Status)")
        rows.append((None, None, None, None, None, None))
    parsed = pd.DataFrame(rows, columns=["_name", "gas", "category", "reference", "_metric",
                                         "_mass"], index=frame.index)
    return pd.concat([frame, parsed], axis=1), problems


def _entity(frame: pd.DataFrame, problems: list[str]) -> tuple[str | None, pd.Series | None]:
    """Map the region column to municipality or region codes, or keep one region in attrs."""
    munis, regions = _names()
    labels = list(dict.fromkeys(frame["region"].astype(str)))
    by_name_m = {v: k for k, v in munis.items()}
    by_name_r = {v: k for k, v in regions.items()}
    if all(x in by_name_m or (x.isdigit() and int(x) in munis) for x in labels):
        return "municipality", frame["region"].astype(str).map(
            lambda x: by_name_m.get(x, int(x) if x.isdigit() else -1)).astype("int64")
    if all(x in by_name_r or (x.isdigit() and int(x) in regions) for x in labels):
        return "region", frame["region"].astype(str).map(
            lambda x: by_name_r.get(x, int(x) if x.isdigit() else -1)).astype("int64")
    if len(labels) > 1:
        problems.append(f"regions {labels[:5]} are neither all Danish municipalities nor all "
                        "Danish regions (by name or code)")
    return None, None


def from_iamc(data: Any) -> xr.Dataset:
    """Read an IAMC table (long or wide, or a ``pyam.IamDataFrame``) into a Dataset.

    The inverse of :func:`to_iamc`: variables ``emissions`` (…, year, category, gas), ``co2e``,
    ``allowed``, ``gap_t``, ``gap_pct``, ``status``; dims in the order model, scenario,
    municipality/region, reference, year, category, gas, extra columns; labels in order of first
    appearance. Masses of one variable in several units are converted to tonnes. Every row
    outside the naming scheme, every bad unit or year and every duplicate is reported together.

    >>> import pandas as pd
    >>> t = pd.DataFrame({"model": "m", "scenario": "s", "region": ["Aalborg", "Aalborg"],
    ...     "variable": "Emissions|CO2|I.1.1", "unit": ["kt CO2/yr", "Mt CO2/yr"],
    ...     "year": [2019, 2020], "value": [2.0, 1.0]})
    >>> from_iamc(t)["emissions"].sel(gas="CO2", category="I.1.1").values.tolist()
    [[2000.0, 1000000.0]]
    """
    import pandas as pd
    import xarray as xr

    from klimacore.units import conversion_factor

    frame = _long(data)
    problems: list[str] = []
    years = pd.to_numeric(frame["year"], errors="coerce")
    for i in np.flatnonzero(~np.isfinite(years.to_numpy(dtype=float)) | (years % 1 != 0)):
        y = frame["year"].iloc[i]
        problems.append(f"row {i + 1}: year {y.item() if hasattr(y, 'item') else y!r} is not "
                        "a whole year")
    values = pd.to_numeric(frame["value"], errors="coerce")
    for i in np.flatnonzero(values.isna() & frame["value"].notna()):
        problems.append(f"row {i + 1}: value {frame['value'].iloc[i]!r} is not a number")
    frame = frame.assign(year=years, value=values)
    frame, more = _parse(frame)
    problems += more
    entity, codes = _entity(frame, problems)
    extras = [c for c in frame.columns if c not in IAMC_COLUMNS and c not in
              ("_name", "gas", "category", "reference", "_metric", "_mass")]
    if problems:
        raise DataError("cannot read the IAMC table", problems)
    frame["year"] = frame["year"].astype("int64")
    attrs: dict[str, Any] = {}
    if entity is not None:
        frame[entity] = codes
    else:
        attrs["region"] = str(frame["region"].iloc[0])
    for col in ("model", "scenario"):
        if (frame[col] == frame[col].iloc[0]).all():
            attrs[col] = str(frame[col].iloc[0])
    out: dict[Hashable, xr.DataArray] = {}
    for name, group in frame.groupby("_name", sort=False):
        dims = [d for d in ("model", "scenario", entity) if d is not None and d not in attrs]
        dims += [d for d in ("reference", "year", "category", "gas") if group[d].notna().any()]
        dims += [e for e in extras if (group[e].astype(str) != "").any()]
        partial = [d for d in ("category", "gas", "reference") if d in dims
                   and group[d].isna().any()]
        if partial:
            raise DataError(f"{name}: some rows have a {partial[0]} and some do not", [
                f"row {int(i) + 1}: variable {v!r}" for i, v in  # type: ignore[call-overload]
                group.loc[group[partial[0]].isna(), "variable"].head(5).items()])
        dup = group.duplicated(subset=dims, keep=False)
        if dup.any():
            raise DataError(f"{name}: duplicate rows", [
                f"row {i + 1}: {group.loc[i, 'variable']!r} {group.loc[i, 'year']}"
                for i in group.index[dup][:20]])
        da_attrs: dict[str, Any] = {}
        value = group["value"].to_numpy(dtype="float64")
        masses = group["_mass"].dropna().unique().tolist()
        if len(masses) == 1:
            da_attrs["units"] = masses[0]
        elif masses:
            value = value * np.asarray([conversion_factor(m, "t") for m in group["_mass"]])
            da_attrs["units"] = "t"
            _log.info("%s: masses in %s converted to t", name, ", ".join(map(str, masses)))
        elif name == "gap_pct":
            da_attrs["units"] = "%"
        metrics = group["_metric"].dropna().unique().tolist()
        if len(metrics) > 1:
            raise DataError("co2e in several GWP metrics: read them one at a time", metrics)
        if metrics:
            da_attrs["gwp_metric"] = metrics[0]
        index = pd.MultiIndex.from_frame(group[dims]) if dims else None
        series = pd.Series(value, index=index)
        da = xr.DataArray.from_series(series) if dims else xr.DataArray(value[0])
        da = da.reindex({d: list(dict.fromkeys(group[d])) for d in dims})
        if name == "status" and np.isfinite(da.to_numpy()).all():
            da = da.astype("int8")
        da.attrs = da_attrs
        out[name] = da
    _log.debug("read %d IAMC rows into %s", len(frame), ", ".join(map(str, out)))
    return xr.Dataset(out, attrs=attrs)
