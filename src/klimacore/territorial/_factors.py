"""Emission factors by fuel × gas: normalisation to tonnes per activity unit (internal)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError, UnitError, UnknownGasError, ValidationError
from klimacore.territorial._labels import BIOGENIC_CO2, as_label_array, raise_problems
from klimacore.units import conversion_factor, normalize_gas

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

Array = np.ndarray[Any, Any]

BASKET: tuple[str, ...] = ("CO2", "CH4", "N2O")
"""The gases an inventory of fuel combustion covers unless the user states another basket
(``gases=``): a factor table without one of them is an error, never an inventory without it."""

_BIOGENIC_KEYS = {"co2biogenic", "co2bio", "biogenicco2", "bioco2", "co2biomass"}
_GAS_WORD = re.compile(r"^(co2e|co2eq|co2-eq|co2-e|[a-z0-9\-_]+)$", re.IGNORECASE)


@cache
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


@dataclass(frozen=True)
class FactorTable:
    """Emission factors as plain arrays: t of gas per unit ``dens[i]`` of fuel ``fuels[i]``."""

    data: Array  # (fuel, gas, *extra dims); NaN = not given
    fuels: tuple[str, ...]
    gases: tuple[str, ...]
    dens: tuple[str, ...]
    extra: tuple[tuple[str, Array], ...] = ()

    def to_dataarray(self) -> xr.DataArray:
        """The labelled form (a copy) that :func:`emission_factors` returns."""
        import xarray as xr

        coords: dict[str, Any] = {"fuel": np.asarray(self.fuels), "gas": np.asarray(self.gases)}
        coords.update({d: labels for d, labels in self.extra})
        coords["unit"] = ("fuel", np.asarray([f"t/{d}" for d in self.dens]))
        return xr.DataArray(self.data.copy(), coords=coords, dims=["fuel", "gas", *(d for d, _ in self.extra)],
                            attrs={"long_name": "emission factor",
                                   "units_note": "t of gas per unit in 'unit'",
                                   "gases": self.basket})

    @property
    def basket(self) -> list[str]:
        """The gases these factors cover (``CO2_biogenic``, a memo item, left out)."""
        return [g for g in self.gases if g != BIOGENIC_CO2]

    def check_basket(self, fuels: Sequence[str], context: str = "emission factors") -> None:
        """Raise naming every gas of :data:`BASKET` these factors lack for ``fuels``."""
        from klimacore.errors import MissingLabelError

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
            raise_problems([("emission factors for gas", "gas", missing)])
        idx = [self.gases.index(g) for g in want]
        return replace(self, data=self.data[:, idx], gases=tuple(want))


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
    return factor_table(factors, dims=dims, gases=gases).to_dataarray()


def factor_table(
    factors: pd.DataFrame | xr.DataArray | FactorTable,
    *,
    dims: Sequence[str] = (),
    gases: Sequence[str] | None = None,
) -> FactorTable:
    """Emission factors in any accepted form as a :class:`FactorTable` (see
    :func:`emission_factors`)."""
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
        raise_problems(units=sorted(set(problems)), context="emission factors")
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
    return FactorTable(data, fuels, tuple(str(g) for g in coords["gas"].tolist()),
                       tuple(ref_den[f] for f in fuels),
                       tuple((d, coords[d]) for d in dims))


def _py(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else (str(v) if isinstance(v, str) else v)


def _from_dataarray(da: xr.DataArray) -> FactorTable:
    from klimacore.territorial._checks import unique_labels

    absent = [d for d in ("fuel", "gas") if d not in da.dims]
    if absent:
        raise DataError(f"emission factors need dims 'fuel' and 'gas'; missing {absent} "
                        f"(dims {da.dims})")
    problems = unique_labels(da, "emission factors")
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
        raise_problems(units=problems, context="emission factors")
    gas = tuple(_gas_labels(da.get_index("gas").tolist()))
    if len(set(gas)) != len(gas):
        raise DataError(f"duplicate gas labels in emission factors: {list(gas)}")
    extra_dims = [str(d) for d in da.dims if d not in ("fuel", "gas")]
    order = [da.dims.index("fuel"), da.dims.index("gas"), *(da.dims.index(d) for d in extra_dims)]
    values = np.transpose(np.asarray(da.data, dtype=float), order)
    if not np.all(scale == 1.0):
        values = values * scale.reshape((-1,) + (1,) * (values.ndim - 1))
    extra = tuple((d, as_label_array(da.get_index(d).to_numpy())) for d in extra_dims)
    table = FactorTable(values, fuels, gas, tuple(dens), extra)
    bio = da.coords.variables.get("biogenic")
    if bio is not None and bio.dims == ("fuel",):
        table = _move_biogenic(table, np.asarray(bio.to_numpy(), dtype=bool))
    return table


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


def default_emission_factors(
    *, gases: Sequence[str] | None = None, sector: str | None = None
) -> xr.DataArray:
    """The bundled default fuel factors (``data/fuel_emission_factors.csv``), normalised, by sector.

    CO2 is a property of the fuel; CH4 and N2O depend on how it is burnt, so by default the
    factors have a ``category`` dimension over the GPC categories where fuel is burnt (I.1.1 …
    I.6.1, I.4.4, II.1.1 … II.5.1 and the transboundary II.x.3), each using the IPCC 2006 table of
    its sector: Table 2.2 energy industries for I.4, 2.3 manufacturing for I.3, 2.4
    commercial/institutional for I.2 (and I.6), 2.5 residential/agriculture for I.1 and I.5,
    3.2.2 road for II.1, 3.4.1 railways, 3.5.3 navigation, 3.6.5 aviation, 3.3.1 off-road.
    :func:`inventory` then picks each cell's row; ``attrs["ipcc_sector_by_category"]`` records the
    choice. A fuel with no default in a sector (petrol in a house, wood in a car) is NaN there,
    and using it raises naming the cells.

    Biogenic CO2 (wood, pellets, straw, biogas, the biomass part of waste) is the gas
    ``CO2_biogenic``, a memo item. The ``methane_origin`` coordinate (``fossil``,
    ``non_fossil``, ``''`` for mixed waste) lets the inventory weigh methane by origin under AR6.
    Every figure's source is in :func:`klimacore.reference.fuel_emission_factors`.

    Parameters
    ----------
    gases
        Keep only these gases.
    sector
        One IPCC source category (``"energy_industries"``, ``"manufacturing_construction"``,
        ``"commercial_institutional"``, ``"residential_agriculture"``, ``"road"``,
        ``"railways"``, ``"navigation"``, ``"aviation"``, ``"off_road"``) to get plain
        fuel × gas factors of that category instead of factors by GPC category.

    Examples
    --------
    >>> f = default_emission_factors()
    >>> round(float(f.sel(fuel="natural_gas", gas="CO2", category="I.1.1")) * 1e3, 2)
    56.69
    >>> wood = f.sel(fuel="wood", gas="CH4")   # t CH4 per GJ: district heating vs a house
    >>> float(wood.sel(category="I.4.4")) * 1e6, float(wood.sel(category="I.1.1")) * 1e6
    (30.0, 300.0)
    >>> plant = default_emission_factors(sector="energy_industries")
    >>> float(plant.sel(fuel="wood", gas="CO2")), float(plant.sel(fuel="wood", gas="CO2_biogenic"))
    (0.0, 0.112)
    """
    from klimacore.territorial._sectors import sector_factor_array

    return sector_factor_array(sector=sector, gases=gases)
