"""The emission-factor form: t of gas per activity unit, by fuel × gas (× any other dims).

Built once where factors enter (:func:`as_factors`): a tidy frame, a DataArray or a form already
built. The form records the gases it covers (:attr:`FactorTable.basket`), each fuel's
denominator unit, the methane origin of each fuel where the input states it and the input's
attrs. Engines take only the form; none asks "what type is this?" again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import (
    DataError,
    MissingLabelError,
    UnitError,
    UnknownGasError,
    ValidationError,
)
from klimacore.units import conversion_factor, normalize_gas, split_rate_unit

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = ["BASKET", "BIOGENIC_CO2", "FactorTable", "as_factors", "as_label_array",
           "canonical_gas"]

Array = np.ndarray[Any, Any]

BIOGENIC_CO2 = "CO2_biogenic"
"""Gas label of biogenic CO2: a memo item, never part of CO2e totals (GPC 1.1, section 3)."""

BASKET: tuple[str, ...] = ("CO2", "CH4", "N2O")
"""The gases an inventory of fuel combustion covers unless the user states another basket
(``gases=``): a factor table without one of them is an error, never an inventory without it."""

METHANE_ORIGINS: tuple[str, ...] = ("fossil", "non_fossil", "")
"""Values of a ``methane_origin`` coordinate or column ('' = unknown or mixed)."""

_BIOGENIC_KEYS = {"co2biogenic", "co2bio", "biogenicco2", "bioco2", "co2biomass"}


@cache
def canonical_gas(name: object) -> str:
    """Canonical gas label; biogenic CO2 spellings map to ``CO2_biogenic``."""
    key = re.sub(r"[\s_\-]", "", str(name)).lower()
    if key in _BIOGENIC_KEYS:
        return BIOGENIC_CO2
    return normalize_gas(str(name))


def as_label_array(values: Sequence[Any] | np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Coordinate labels as a plain numpy array: int64 for integers, fixed-width str for text."""
    arr = np.asarray(values)
    if arr.dtype.kind in "iub":
        return arr.astype(np.int64)
    if arr.dtype.kind in "OTU":
        items = arr.tolist()
        if all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in items):
            return np.asarray(items, dtype=np.int64)
        return np.asarray([str(v) for v in items], dtype=str) if items else arr.astype(str)
    return arr


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


@dataclass(frozen=True)
class FactorTable:
    """Emission factors as plain arrays: t of gas per unit ``dens[i]`` of fuel ``fuels[i]``."""

    data: Array  # (fuel, gas, *extra dims); NaN = not given
    fuels: tuple[str, ...]
    gases: tuple[str, ...]
    dens: tuple[str, ...]
    extra: tuple[tuple[str, Array], ...] = ()
    origin: tuple[str, ...] | None = None  # methane origin per fuel, where the input states it
    attrs: Mapping[str, Any] = field(default_factory=dict)  # the input's attrs (provenance)

    def to_dataarray(self) -> xr.DataArray:
        """The labelled form (a copy) that :func:`emission_factors` returns."""
        import xarray as xr

        coords: dict[str, Any] = {"fuel": np.asarray(self.fuels), "gas": np.asarray(self.gases)}
        coords.update({d: labels for d, labels in self.extra})
        coords["unit"] = ("fuel", np.asarray([f"t/{d}" for d in self.dens]))
        if self.origin is not None:
            coords["methane_origin"] = ("fuel", np.asarray(self.origin))
        attrs = {k: v for k, v in self.attrs.items() if k not in ("units", "gases")}
        attrs.update({"long_name": "emission factor", "units_note": "t of gas per unit in 'unit'",
                      "gases": self.basket})
        return xr.DataArray(self.data.copy(), coords=coords,
                            dims=["fuel", "gas", *(d for d, _ in self.extra)], attrs=attrs)

    def origin_of(self, fuels: Sequence[Any]) -> dict[str, list[Any]] | None:
        """``fossil`` and ``non_fossil`` fuels among ``fuels``, or None if the factors do not say."""
        if self.origin is None:
            return None
        mapping = dict(zip(self.fuels, self.origin, strict=True))
        out: dict[str, list[Any]] = {"fossil": [], "non_fossil": []}
        for f in fuels:
            origin = mapping.get(str(f), "")
            if origin:
                out[origin].append(f)
        return out

    @property
    def basket(self) -> list[str]:
        """The gases these factors cover (``CO2_biogenic``, a memo item, left out)."""
        return [g for g in self.gases if g != BIOGENIC_CO2]

    def check_basket(self, fuels: Sequence[str], context: str = "emission factors") -> None:
        """Raise naming every gas of :data:`BASKET` these factors lack for ``fuels``."""
        lacking = [g for g in BASKET if g not in self.gases]
        if lacking:
            raise MissingLabelError(
                f"emission factors of the default basket {', '.join(BASKET)} (fuels "
                f"{', '.join(map(str, fuels))}; or state the basket you mean, e.g. "
                f"gases={tuple(g for g in BASKET if g not in lacking)!r})", lacking, dim="gas",
                code="factors.gas_missing", location=context)

    def select_gases(self, gases: Sequence[str] | None) -> FactorTable:
        if gases is None:
            return self
        want = _gas_labels(list(gases))
        missing = [g for g in want if g not in self.gases]
        if missing:
            raise MissingLabelError("emission factors for gas", missing, dim="gas",
                                    code="factors.gas_missing", location="gases")
        idx = [self.gases.index(g) for g in want]
        return replace(self, data=self.data[:, idx], gases=tuple(want))


def as_factors(
    factors: pd.DataFrame | xr.DataArray | FactorTable,
    *,
    dims: Sequence[str] = (),
    gases: Sequence[str] | None = None,
) -> FactorTable:
    """Emission factors in any accepted form as a :class:`FactorTable`, the one converter.

    A tidy frame (``fuel``, ``gas``, ``value``, ``unit``, optional ``biogenic_co2``,
    ``methane_origin`` and the columns in ``dims``) or a DataArray (dims ``fuel``, ``gas``, …;
    ``attrs["units"]`` or a ``unit`` coordinate along ``fuel``; optional ``biogenic`` and
    ``methane_origin`` coordinates along ``fuel``); a form already built comes back as it is
    (``gases`` selects). Every check and unit conversion of factors happens here, once.

    >>> import pandas as pd
    >>> t = as_factors(pd.DataFrame({"fuel": "natural_gas", "gas": ["CO2", "CH4"],
    ...                              "value": [56.69, 5.0], "unit": ["kg/GJ", "g/GJ"]}))
    >>> t.fuels, t.gases, t.dens, t.data.round(6).tolist()
    (('natural_gas',), ('CO2', 'CH4'), ('GJ',), [[0.05669, 5e-06]])
    """
    import pandas as pd
    import xarray as xr

    if isinstance(factors, FactorTable):
        return factors.select_gases(gases)
    if isinstance(factors, xr.DataArray):
        return _from_dataarray(factors).select_gases(gases)
    if not isinstance(factors, pd.DataFrame):
        raise ValidationError(
            f"emission factors must be a pandas DataFrame or xarray DataArray, got "
            f"{type(factors).__name__}"
        )
    return _from_frame(factors, dims).select_gases(gases)


def _from_frame(frame: pd.DataFrame, dims: Sequence[str]) -> FactorTable:
    import pandas as pd

    needed = ["fuel", "gas", "value", "unit", *dims]
    absent = [c for c in needed if c not in frame.columns]
    if absent:
        raise DataError(f"emission factor table lacks columns {absent} (has {list(frame.columns)})")
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
        raise DataError(f"emission factors with missing, non-numeric or infinite values: "
                        f"{bad_values}")
    negative = [(fuel[i], gas[i]) for i in np.flatnonzero(values < 0)]
    if negative:
        raise ValidationError(f"negative emission factors for (fuel, gas) {negative[:20]}: a "
                              "factor is never negative (state removals as direct emissions "
                              "in GPC V.2)")
    ref_den: dict[str, str] = {}  # per fuel, the first row's denominator
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
        _raise_units(sorted(set(problems)))
    keys: dict[str, list[Any]] = {"fuel": fuel, "gas": gas}
    for d in dims:
        keys[d] = frame[d].tolist()
    key_frame = pd.DataFrame(keys)
    dup = key_frame.duplicated(keep=False).to_numpy()
    if dup.any():
        rows = sorted({tuple(r) for r in key_frame[dup].itertuples(index=False)}, key=str)
        raise DataError(f"duplicate emission factors for ({', '.join(keys)}): {rows}")
    coords = {name: as_label_array(pd.unique(np.asarray(col, dtype=object)))
              for name, col in keys.items()}
    codes = []
    for name, col in keys.items():
        lookup = {v: i for i, v in enumerate(coords[name].tolist())}
        codes.append(np.array([lookup[_py(v)] for v in col], dtype=np.intp))
    data = np.full(tuple(len(c) for c in coords.values()), np.nan)
    data[tuple(codes)] = values * scale
    fuels = tuple(str(f) for f in coords["fuel"].tolist())
    origin = None
    if "methane_origin" in frame.columns:
        pairs = frame[["fuel", "methane_origin"]].fillna("").astype(str).drop_duplicates()
        clash = pairs[pairs["fuel"].duplicated(keep=False)]
        if not clash.empty:
            raise DataError(f"fuels with more than one methane_origin: "
                            f"{sorted(set(clash['fuel']))}", code="factors.methane_origin",
                            label=sorted(set(clash["fuel"])), location="methane_origin")
        by_fuel = dict(zip(pairs["fuel"], pairs["methane_origin"], strict=True))
        origin = _check_origin([by_fuel[f] for f in fuels])
    return FactorTable(data, fuels, tuple(str(g) for g in coords["gas"].tolist()),
                       tuple(ref_den[f] for f in fuels),
                       tuple((d, coords[d]) for d in dims), origin, {str(k): v for k, v in frame.attrs.items()})


def _check_origin(values: Sequence[Any]) -> tuple[str, ...]:
    """Methane origins as given, each 'fossil', 'non_fossil' or '' (unknown)."""
    out = tuple(str(v) for v in values)
    bad = sorted(set(out) - set(METHANE_ORIGINS))
    if bad:
        raise ValidationError(f"methane_origin must be 'fossil', 'non_fossil' or '' (unknown); "
                              f"got {bad}", code="factors.methane_origin", label=bad,
                              location="methane_origin")
    return out


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else (str(v) if isinstance(v, str) else v)


def _from_dataarray(da: xr.DataArray) -> FactorTable:
    absent = [d for d in ("fuel", "gas") if d not in da.dims]
    if absent:
        raise DataError(f"emission factors need dims 'fuel' and 'gas'; missing {absent} "
                        f"(dims {da.dims})")
    problems = [f"emission factors: {d!s} labels repeat: "
                f"{sorted({str(v) for v in da.indexes[d][da.indexes[d].duplicated()]})[:20]}"
                for d in da.dims if d in da.indexes and not da.indexes[d].is_unique]
    raw = np.asarray(da.values, dtype=float)
    if np.isinf(raw).any():
        problems.append(f"emission factors: {int(np.isinf(raw).sum())} infinite value(s)")
    if (raw < 0).any():
        problems.append(f"emission factors: {int((raw < 0).sum())} negative value(s) (a factor "
                        "is never negative)")
    if problems:
        raise ValidationError("emission factors", problems=problems)
    fuels = tuple(str(f) for f in da.get_index("fuel").tolist())
    unit_coord = da.coords.variables.get("unit")
    if unit_coord is not None and unit_coord.dims == ("fuel",):
        units = [str(u) for u in unit_coord.to_numpy().tolist()]
    elif "units" in da.attrs:
        units = [str(da.attrs["units"])] * len(fuels)
    else:
        raise UnitError(
            "emission factors have no unit: set attrs['units'] (e.g. 'kg/GJ') or a 'unit' "
            "coordinate along 'fuel'"
        )
    scale = np.empty(len(fuels))
    dens: list[str] = []
    problems = []
    for i, (f, u) in enumerate(zip(fuels, units, strict=True)):
        try:
            to_t, den = split_rate_unit(u)
        except UnitError as exc:
            problems.append(f"fuel {f!r}: {exc}")
            to_t, den = 1.0, u
        scale[i] = to_t
        dens.append(den)
    if problems:
        _raise_units(problems)
    gas = tuple(_gas_labels(da.get_index("gas").tolist()))
    if len(set(gas)) != len(gas):
        raise DataError(f"duplicate gas labels in emission factors: {list(gas)}")
    extra_dims = [str(d) for d in da.dims if d not in ("fuel", "gas")]
    order = [da.dims.index("fuel"), da.dims.index("gas"), *(da.dims.index(d) for d in extra_dims)]
    values = np.transpose(np.asarray(da.data, dtype=float), order)
    if not np.all(scale == 1.0):
        values = values * scale.reshape((-1,) + (1,) * (values.ndim - 1))
    extra = tuple((d, as_label_array(da.get_index(d).to_numpy())) for d in extra_dims)
    coord = da.coords.variables.get("methane_origin")
    origin = (_check_origin(coord.to_numpy().tolist())
              if coord is not None and coord.dims == ("fuel",) else None)
    table = FactorTable(values, fuels, gas, tuple(dens), extra, origin, dict(da.attrs))
    bio = da.coords.variables.get("biogenic")
    if bio is not None and bio.dims == ("fuel",):
        table = _move_biogenic(table, np.asarray(bio.to_numpy(), dtype=bool))
    return table


def _raise_units(problems: Sequence[str]) -> None:
    """One :class:`UnitError` naming every unit problem (``except UnitError`` catches it)."""
    if problems:
        raise UnitError(f"emission factors: {len(problems)} unit problem(s)",
                        problems=list(problems), code="factors.unit", location="unit")


def _move_biogenic(table: FactorTable, flag: Array) -> FactorTable:
    """Move the CO2 of fuels flagged biogenic into a ``CO2_biogenic`` gas row."""
    if "CO2" not in table.gases or not flag.any():
        return table
    values = table.data.copy()
    gases = list(table.gases)
    co2 = gases.index("CO2")
    moved = np.where(flag.reshape((-1,) + (1,) * (values.ndim - 2)), values[:, co2], 0.0)
    values[:, co2] = np.where(flag.reshape((-1,) + (1,) * (values.ndim - 2)), 0.0, values[:, co2])
    if BIOGENIC_CO2 in gases:
        b = gases.index(BIOGENIC_CO2)
        values[:, b] = np.nan_to_num(values[:, b]) + moved
    else:
        values = np.concatenate([values, moved[:, None]], axis=1)
        gases.append(BIOGENIC_CO2)
    return replace(table, data=values, gases=tuple(gases))


