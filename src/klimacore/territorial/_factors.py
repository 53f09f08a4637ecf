"""Emission factors by fuel × gas: normalisation to tonnes per activity unit (internal)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError, UnitError, UnknownGasError, ValidationError
from klimacore.territorial._labels import BIOGENIC_CO2, as_label_array, raise_problems
from klimacore.units import conversion_factor, normalize_gas

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

_BIOGENIC_KEYS = {"co2biogenic", "co2bio", "biogenicco2", "bioco2", "co2biomass"}
_GAS_WORD = re.compile(r"^(co2e|co2eq|co2-eq|co2-e|[a-z0-9\-_]+)$", re.IGNORECASE)


def canonical_gas(name: object) -> str:
    """Canonical gas label; biogenic CO2 spellings map to ``CO2_biogenic``."""
    key = re.sub(r"[\s_\-]", "", str(name)).lower()
    if key in _BIOGENIC_KEYS:
        return BIOGENIC_CO2
    return normalize_gas(str(name))


@cache
def split_rate_unit(unit: str) -> tuple[float, str]:
    """Split a factor unit like ``'kg/GJ'`` or ``'g CO2e/kWh'`` into (mass → t factor, denominator).

    A gas word after the mass unit (``CO2``, ``CO2e``) is allowed and ignored: the gas is given by
    the gas label (or, for grid factors, is CO2e by definition).
    """
    text = str(unit).strip()
    if "/" not in text:
        raise UnitError(f"emission factor unit {unit!r} is not a rate like 'kg/GJ'")
    num, den = (part.strip() for part in text.split("/", 1))
    words = num.split()
    if not words or not all(_GAS_WORD.match(w) for w in words[1:]):
        raise UnitError(f"cannot read the mass part of emission factor unit {unit!r}")
    try:
        to_t = conversion_factor(words[0], "t")
    except UnitError as exc:
        raise UnitError(f"emission factor unit {unit!r}: numerator must be a mass ({exc})") from exc
    if den.startswith("(") and den.endswith(")"):
        den = den[1:-1].strip()
    conversion_factor(den, den)  # parses, raises UnitError if unknown
    return to_t, den


def _gas_labels(values: Sequence[Any]) -> list[str]:
    out: list[str] = []
    bad: list[object] = []
    for v in values:
        try:
            out.append(canonical_gas(v))
        except UnknownGasError:
            bad.append(v)
    if bad:
        raise UnknownGasError("GWP (unknown gases in emission factors)", bad, dim="gas")
    return out


def emission_factors(
    factors: pd.DataFrame | xr.DataArray,
    *,
    dims: Sequence[str] = (),
    gases: Sequence[str] | None = None,
) -> xr.DataArray:
    """Normalise emission factors to tonnes of gas per activity unit, by fuel × gas.

    Parameters
    ----------
    factors
        Either a tidy frame with columns ``fuel``, ``gas``, ``value`` and ``unit`` (a rate such as
        ``kg/GJ``, ``g/kWh``, ``kg/L``, ``g/vkm``; units may differ by row), optionally a boolean
        ``biogenic_co2`` column (CO2 rows flagged true become gas ``CO2_biogenic``, a memo item) and
        the columns named in ``dims``; or a DataArray with dims ``fuel`` and ``gas`` (plus any
        others, e.g. ``year``) whose unit is ``attrs["units"]`` or a ``unit`` coordinate along
        ``fuel``, optionally with a boolean ``biogenic`` coordinate along ``fuel`` (the CO2 of
        those fuels becomes ``CO2_biogenic``). Other frame columns (source, note, year …) are
        ignored unless named in ``dims``.
    dims
        Frame columns that are dimensions of the factors (e.g. ``("year",)`` for factors that
        change over time). By default a factor is one number per fuel × gas.
    gases
        Keep only these gases (e.g. ``["CO2", "CH4", "N2O"]``); each must be present.

    Returns
    -------
    xarray.DataArray
        Dims ``fuel``, ``gas`` and ``dims``; values in t per unit of activity, the unit per fuel in
        the ``unit`` coordinate (e.g. ``'t/GJ'``). NaN marks a factor that is not given; using
        such a factor raises. Feeding the result back in returns it unchanged.

    Raises
    ------
    UnitError
        A unit that is not a mass per something, or per-fuel units of different dimensions.
    DataError
        Duplicate keys or missing columns.

    Examples
    --------
    >>> import pandas as pd
    >>> f = emission_factors(pd.DataFrame({
    ...     "fuel": ["natural_gas", "natural_gas", "diesel"], "gas": ["CO2", "CH4", "CO2"],
    ...     "value": [56.69, 5.0, 2.65], "unit": ["kg/GJ", "g/GJ", "kg/L"]}))
    >>> f.sel(fuel="natural_gas").to_numpy().tolist(), f["unit"].to_numpy().tolist()
    ([0.05669, 5e-06], ['t/GJ', 't/L'])
    """
    import pandas as pd
    import xarray as xr

    if isinstance(factors, xr.DataArray):
        return _from_dataarray(factors, gases)
    if not isinstance(factors, pd.DataFrame):
        raise ValidationError(
            f"emission factors must be a pandas DataFrame or xarray DataArray, got "
            f"{type(factors).__name__}"
        )
    needed = ["fuel", "gas", "value", "unit", *dims]
    absent = [c for c in needed if c not in factors.columns]
    if absent:
        raise DataError(f"emission factor table lacks columns {absent} (has {list(factors.columns)})")
    frame = factors
    gas = _gas_labels(frame["gas"].tolist())
    if "biogenic_co2" in frame.columns:
        flag = frame["biogenic_co2"].astype(bool).to_numpy()
        not_co2 = [g for g, f in zip(gas, flag, strict=True) if f and g not in ("CO2", BIOGENIC_CO2)]
        if not_co2:
            raise DataError(f"biogenic_co2 is true on rows of gas {sorted(set(not_co2))}, not CO2")
        gas = [BIOGENIC_CO2 if f else g for g, f in zip(gas, flag, strict=True)]
    fuel = [str(f) for f in frame["fuel"].tolist()]
    values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    units = [str(u) for u in frame["unit"].tolist()]
    bad_values = [(fuel[i], gas[i]) for i in np.flatnonzero(~np.isfinite(values))]
    if bad_values:
        raise DataError(f"emission factors with missing or non-numeric values: {bad_values}")
    # per-fuel reference denominator: the first row's
    ref_den: dict[str, str] = {}
    scale = np.empty(len(values))
    problems: list[str] = []
    for i, (f, u) in enumerate(zip(fuel, units, strict=True)):
        try:
            to_t, den = split_rate_unit(u)
            ref = ref_den.setdefault(f, den)
            scale[i] = to_t * (1.0 if den == ref else conversion_factor(ref, den))
        except UnitError as exc:
            problems.append(f"fuel {f!r}, gas {gas[i]!r}: {exc}")
    if problems:
        raise_problems(units=sorted(set(problems)), context="emission factors")
    keys: dict[str, list[Any]] = {"fuel": fuel, "gas": gas}
    for d in dims:
        keys[d] = frame[d].tolist()
    key_frame = pd.DataFrame(keys)
    dup = key_frame.duplicated(keep=False).to_numpy()
    if dup.any():
        rows = sorted({tuple(r) for r in key_frame[dup].itertuples(index=False)}, key=str)
        raise DataError(f"duplicate emission factors for ({', '.join(keys)}): {rows}")
    coords = {name: as_label_array(pd.unique(np.asarray(col, dtype=object))) for name, col in keys.items()}
    shape = tuple(len(c) for c in coords.values())
    codes = []
    for name, col in keys.items():
        lookup = {v: i for i, v in enumerate(coords[name].tolist())}
        codes.append(np.array([lookup[_py(v)] for v in col], dtype=np.intp))
    data = np.full(shape, np.nan)
    data[tuple(codes)] = values * scale
    fuels = coords["fuel"].tolist()
    out = xr.DataArray(data, coords=coords, dims=list(keys))
    out = out.assign_coords(unit=("fuel", np.array([f"t/{ref_den[f]}" for f in fuels])))
    out.attrs = {"long_name": "emission factor", "units_note": "t of gas per unit in 'unit'"}
    return _select_gases(out, gases)


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else (str(v) if isinstance(v, str) else v)


def _select_gases(out: xr.DataArray, gases: Sequence[str] | None) -> xr.DataArray:
    if gases is None:
        return out
    want = _gas_labels(list(gases))
    have = set(out["gas"].to_numpy().tolist())
    missing = [g for g in want if g not in have]
    if missing:
        raise_problems([("emission factors for gas", "gas", missing)])
    return out.sel(gas=want)


def _from_dataarray(da: xr.DataArray, gases: Sequence[str] | None) -> xr.DataArray:
    import xarray as xr

    absent = [d for d in ("fuel", "gas") if d not in da.dims]
    if absent:
        raise DataError(f"emission factors need dims 'fuel' and 'gas'; missing {absent} (dims {da.dims})")
    fuels = [str(f) for f in da["fuel"].to_numpy().tolist()]
    if "unit" in da.coords and da["unit"].dims == ("fuel",):
        units = [str(u) for u in da["unit"].to_numpy().tolist()]
    elif "units" in da.attrs:
        units = [str(da.attrs["units"])] * len(fuels)
    else:
        raise UnitError(
            "emission factors have no unit: set attrs['units'] (e.g. 'kg/GJ') or a 'unit' "
            "coordinate along 'fuel'"
        )
    scale = np.empty(len(fuels))
    dens: list[str] = []
    problems: list[str] = []
    for i, (f, u) in enumerate(zip(fuels, units, strict=True)):
        try:
            to_t, den = split_rate_unit(u)
        except UnitError as exc:
            problems.append(f"fuel {f!r}: {exc}")
            to_t, den = 1.0, u
        scale[i] = to_t
        dens.append(den)
    if problems:
        raise_problems(units=problems, context="emission factors")
    gas = _gas_labels(da["gas"].to_numpy().tolist())
    values = np.asarray(da.to_numpy(), dtype=float)
    fuel_axis = da.dims.index("fuel")
    shape = [1] * values.ndim
    shape[fuel_axis] = len(fuels)
    if not np.all(scale == 1.0):
        values = values * scale.reshape(shape)
    coords: dict[str, Any] = {d: da[d].to_numpy() for d in da.dims}
    coords["gas"] = np.asarray(gas)
    coords["fuel"] = np.asarray(fuels)
    out = xr.DataArray(values, coords=coords, dims=da.dims)
    if "biogenic" in da.coords and da["biogenic"].dims == ("fuel",):
        out = _move_biogenic(out, np.asarray(da["biogenic"].to_numpy(), dtype=bool))
    out = out.assign_coords(unit=("fuel", np.array([f"t/{d}" for d in dens])))
    out.attrs = {"long_name": "emission factor", "units_note": "t of gas per unit in 'unit'"}
    if len(set(out["gas"].to_numpy().tolist())) != out.sizes["gas"]:
        raise DataError(f"duplicate gas labels in emission factors: {out['gas'].to_numpy().tolist()}")
    return _select_gases(out, gases)


def _move_biogenic(out: xr.DataArray, flag: np.ndarray[Any, Any]) -> xr.DataArray:
    """Move the CO2 of fuels flagged biogenic into a ``CO2_biogenic`` gas row."""
    import xarray as xr

    gas = out["gas"].to_numpy().tolist()
    if "CO2" not in gas or not flag.any():
        return out
    co2 = out.sel(gas="CO2")
    bio = co2.where(xr.DataArray(flag, dims="fuel", coords={"fuel": out["fuel"]}), 0.0)
    fossil = co2.where(~xr.DataArray(flag, dims="fuel", coords={"fuel": out["fuel"]}), 0.0)
    if BIOGENIC_CO2 in gas:
        bio = bio + out.sel(gas=BIOGENIC_CO2).fillna(0.0)
        out = out.drop_sel(gas=BIOGENIC_CO2)
    out = out.copy()
    out.loc[{"gas": "CO2"}] = fossil
    bio = bio.expand_dims(gas=[BIOGENIC_CO2]).transpose(*out.dims)
    return xr.concat([out, bio], dim="gas")


def default_emission_factors(*, gases: Sequence[str] | None = None) -> xr.DataArray:
    """The bundled Danish default fuel factors (``data/fuel_emission_factors.csv``), normalised.

    One factor per fuel × gas (the file holds one vintage of each); biogenic CO2 (wood, pellets,
    straw, biogas, the biomass part of waste) is the gas ``CO2_biogenic``, a memo item. Every
    figure's source is in :func:`klimacore.reference.fuel_emission_factors`.

    >>> f = default_emission_factors()
    >>> round(float(f.sel(fuel="natural_gas", gas="CO2")) * 1e3, 2), str(f["unit"].sel(fuel="diesel").to_numpy())
    (56.69, 't/GJ')
    >>> float(f.sel(fuel="wood", gas="CO2")), float(f.sel(fuel="wood", gas="CO2_biogenic"))
    (0.0, 0.112)
    """
    from klimacore import reference

    table = reference.fuel_emission_factors()
    # one vintage per key: the latest year
    key = ["fuel", "gas"] + (["biogenic_co2"] if "biogenic_co2" in table.columns else [])
    table = table.sort_values("year").drop_duplicates(key, keep="last")
    out = emission_factors(table, gases=gases)
    # a fuel whose CO2 is all biogenic (wood, straw, ...) emits no fossil CO2: an explicit 0
    if BIOGENIC_CO2 in out["gas"].to_numpy().tolist() and "CO2" in out["gas"].to_numpy().tolist():
        co2, bio = out.sel(gas="CO2"), out.sel(gas=BIOGENIC_CO2)
        out.loc[{"gas": "CO2"}] = co2.where(~(co2.isnull() & bio.notnull()), 0.0)  # noqa: PD003, PD004
    out.attrs["source"] = "klimacore data/fuel_emission_factors.csv (see reference.datapackage())"
    return out
