"""Units and global warming potentials.

klimacore has one :mod:`pint` registry, :data:`klimacore.ureg`, built on first use. In it ``t`` is
the metric tonne and ``kt``/``Mt``/``Gt`` are kilo/mega/giga-tonnes (pint's defaults make ``kt`` a
knot and ``ton`` a short ton). ``ton`` is redefined as the metric tonne too, as in Danish usage.
Currencies (``DKK``, ``EUR``, ``USD``, ``SEK``, ``NOK``, ``GBP``) are dimensions of their own and are
never converted into one another without an explicit rate. ``Nm3`` is a normal cubic metre (a
volume of gas at reference conditions), ``vkm`` a vehicle-kilometre and ``pkm`` a passenger-km.

Arithmetic in klimacore runs on plain floats: units are converted at the boundary with
:func:`conversion_factor` and results say their unit.

Examples
--------
>>> import klimacore as kc
>>> kc.gwp("CH4", "AR6GWP100")
27.9
>>> kc.gwp("N2O")                        # AR5 GWP100 is the default (UNFCCC reporting)
265.0
>>> print(kc.ureg.Quantity(2, "kt").to("t"))
2000.0 t
>>> conversion_factor("MWh", "GJ")
3.6
>>> to_co2e(2.0, "CH4", gwp_metric="AR4GWP100")
CO2e(magnitude=50.0, units='dimensionless', metric='AR4GWP100')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, TypeVar, overload

import numpy as np

from klimacore import _data
from klimacore._deprecation import renamed_parameter
from klimacore._unit_parse import conversion_factor as conversion_factor
from klimacore._unit_parse import dimensionality as dimensionality
from klimacore._unit_parse import get_ureg as get_ureg
from klimacore._unit_parse import parse_scaled
from klimacore._unit_parse import split_rate_unit as split_rate_unit
from klimacore.errors import UnitError, UnknownGasError, UnknownMetricError

if TYPE_CHECKING:
    import pint
    import xarray as xr

__all__ = [
    "DEFAULT_GWP_METRIC",
    "GWP_METRICS",
    "CO2e",
    "check_gwp_metric",
    "conversion_factor",
    "gases",
    "get_ureg",
    "gwp",
    "gwp_table",
    "gwp_vector",
    "normalize_gas",
    "pint_unit",
    "quantify",
    "split_rate_unit",
    "to_co2e",
]

DEFAULT_GWP_METRIC = "AR5GWP100"
"""The GWP set used when none is named: AR5 GWP100, as in UNFCCC reporting (decision 18/CMA.1)."""

GWP_METRICS: tuple[str, ...] = ("AR4GWP100", "AR5GWP100", "AR6GWP100")
"""The GWP sets klimacore carries (values in ``data/gwp.csv`` with their IPCC tables)."""

def __getattr__(name: str) -> Any:
    if name == "ureg":
        return get_ureg()
    raise AttributeError(f"module 'klimacore.units' has no attribute {name!r}")


# --- GWP --------------------------------------------------------------------------------------

_GAS_KEY = re.compile(r"[\s_\-]")


def _gas_key(name: str) -> str:
    return _GAS_KEY.sub("", name).lower()


@cache
def _gwp_values() -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    for row in _data.read_rows("gwp.csv"):
        table.setdefault(row["metric"], {})[row["gas"]] = float(row["value"])
    return table


@cache
def _canonical_gases() -> dict[str, str]:
    names = {gas for values in _gwp_values().values() for gas in values}
    mapping = {_gas_key(g): g for g in names}
    mapping.update({"ch4nonfossil": "CH4_biogenic", "ch4bio": "CH4_biogenic"})
    return mapping


def normalize_gas(gas: str) -> str:
    """Return klimacore's canonical spelling of a gas name.

    Case, hyphens, underscores and spaces are ignored: ``"hfc134a"``, ``"HFC-134a"`` and
    ``"HFC 134a"`` are all ``"HFC-134a"``.

    >>> normalize_gas("hfc134a")
    'HFC-134a'
    >>> normalize_gas("ch4 fossil")
    'CH4_fossil'
    """
    try:
        return _canonical_gases()[_gas_key(str(gas))]
    except KeyError:
        raise UnknownGasError(
            f"GWP (known gases: {', '.join(sorted(set(_canonical_gases().values())))})",
            [gas],
            dim="gas",
        ) from None


def _check_metric(metric: str) -> dict[str, float]:
    try:
        return _gwp_values()[metric]
    except KeyError:
        raise UnknownMetricError(
            f"unknown GWP metric {metric!r}; valid metrics: {', '.join(GWP_METRICS)}",
            code="gwp_metric.unknown", label=metric, location="gwp_metric",
        ) from None


def check_gwp_metric(gwp_metric: str) -> str:
    """``gwp_metric`` itself if klimacore carries it; else :class:`UnknownMetricError`.

    The one check of a GWP set name: public entry points call it before any arithmetic, so a
    wrong name fails up front even where no gas is looked up.

    >>> check_gwp_metric("AR6GWP100")
    'AR6GWP100'
    >>> check_gwp_metric("AR7GWP100")
    Traceback (most recent call last):
    ...
    klimacore.errors.UnknownMetricError: unknown GWP metric 'AR7GWP100'; valid metrics: AR4GWP100, AR5GWP100, AR6GWP100
    """
    if not isinstance(gwp_metric, str):
        raise UnknownMetricError(f"GWP metric must be a name such as {DEFAULT_GWP_METRIC!r}, "
                                 f"got {gwp_metric!r}", code="gwp_metric.unknown",
                                 label=gwp_metric, location="gwp_metric")
    _check_metric(gwp_metric)
    return gwp_metric


@renamed_parameter("metric", "gwp_metric", since="0.2", removed_in="0.3")
def gases(gwp_metric: str = DEFAULT_GWP_METRIC) -> list[str]:
    """The gases with a GWP value in ``gwp_metric``, in the order of ``data/gwp.csv``.

    >>> gases("AR4GWP100")[:3]
    ['CO2', 'CH4', 'N2O']
    """
    return list(_check_metric(gwp_metric))


@renamed_parameter("metric", "gwp_metric", since="0.2", removed_in="0.3")
def gwp(gas: str, gwp_metric: str = DEFAULT_GWP_METRIC) -> float:
    """The 100-year global warming potential of ``gas`` in the GWP set ``gwp_metric``.

    Parameters
    ----------
    gas
        Gas name, e.g. ``"CH4"``, ``"CH4_fossil"``, ``"N2O"``, ``"HFC-134a"`` (spelling as in
        :func:`normalize_gas`).
    gwp_metric
        ``"AR4GWP100"``, ``"AR5GWP100"`` (default) or ``"AR6GWP100"`` (the keyword ``metric=``
        is deprecated).

    Raises
    ------
    UnknownGasError
        The gas is unknown, or has no value in this metric (AR4 does not split fossil methane);
        the message lists the valid gases.
    UnknownMetricError
        The metric is unknown; the message lists the valid metrics.

    Examples
    --------
    >>> gwp("SF6", "AR6GWP100")
    25200.0
    >>> gwp("CH4_fossil", "AR4GWP100")
    Traceback (most recent call last):
    ...
    klimacore.errors.UnknownGasError: missing GWP in AR4GWP100 (valid gases: ...) for gas: 'CH4_fossil'
    """
    values = _check_metric(gwp_metric)
    name = normalize_gas(gas)
    try:
        return values[name]
    except KeyError:
        raise UnknownGasError(
            f"GWP in {gwp_metric} (valid gases: {', '.join(values)})", [name], dim="gas"
        ) from None


@renamed_parameter("metrics", "gwp_metrics", since="0.2", removed_in="0.3")
def gwp_table(gwp_metrics: tuple[str, ...] = GWP_METRICS) -> Mapping[str, Mapping[str, float]]:
    """GWP values as ``{gwp_metric: {gas: value}}`` (a fresh copy).

    >>> gwp_table(("AR5GWP100",))["AR5GWP100"]["N2O"]
    265.0
    """
    return {m: dict(_check_metric(m)) for m in gwp_metrics}


def gwp_vector(gases: Any, gwp_metric: str = DEFAULT_GWP_METRIC, *,
               memo: Any = ()) -> np.ndarray[Any, Any]:
    """The GWP of each gas label in ``gases`` (``memo`` items such as ``CO2_biogenic`` weigh 0).

    The one lookup behind :func:`to_co2e`; engines that fold the weights into their own product
    (activity × factor × GWP in one pass) take them from here. Every unknown gas is named.

    >>> gwp_vector(["CO2", "CH4", "CO2_biogenic"], "AR6GWP100", memo=("CO2_biogenic",)).tolist()
    [1.0, 27.9, 0.0]
    """
    labels = [str(g) for g in gases]
    skip = {str(m) for m in memo}
    values = _check_metric(check_gwp_metric(gwp_metric))
    out = np.zeros(len(labels))
    bad: list[str] = []
    for i, label in enumerate(labels):
        if label in skip:
            continue
        try:
            out[i] = values[normalize_gas(label)]
        except (UnknownGasError, KeyError):
            bad.append(label)
    if bad:
        raise UnknownGasError(f"GWP in {gwp_metric} (valid gases: {', '.join(values)})", bad,
                              dim="gas")
    return out


# --- CO2e ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CO2e:
    """An amount of CO2-equivalent that remembers its GWP metric and unit.

    Adding two ``CO2e`` of different metrics or units raises instead of mixing them.
    """

    magnitude: Any
    units: str
    metric: str

    def __add__(self, other: object) -> CO2e:
        if not isinstance(other, CO2e):
            return NotImplemented
        if other.metric != self.metric:
            raise UnitError(f"cannot add CO2e in {self.metric} to CO2e in {other.metric}")
        factor = conversion_factor(other.units, self.units)
        return CO2e(self.magnitude + other.magnitude * factor, self.units, self.metric)

    def to(self, units: str) -> CO2e:
        """The same amount in other mass units."""
        return CO2e(self.magnitude * conversion_factor(self.units, units), units, self.metric)

    def __float__(self) -> float:
        return float(self.magnitude)

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray[Any, Any]:
        return np.asarray(self.magnitude, dtype=dtype)


T = TypeVar("T", "xr.DataArray", "xr.Dataset")


@overload
def to_co2e(amount: T, gas: str | None = None, *, gwp_metric: str = ..., dim: str = ...,
            memo: Any = ..., total: bool = ...) -> T: ...
@overload
def to_co2e(amount: Any, gas: str | None = None, *, gwp_metric: str = ..., dim: str = ...,
            memo: Any = ..., total: bool = ...) -> CO2e: ...


@renamed_parameter("metric", "gwp_metric", since="0.2", removed_in="0.3")
def to_co2e(
    amount: Any, gas: str | None = None, *, gwp_metric: str = DEFAULT_GWP_METRIC,
    dim: str = "gas", memo: Any = (), total: bool = False,
) -> Any:
    """Convert a mass of a gas to CO2-equivalent with the GWP set ``gwp_metric``.

    The one CO2e path of klimacore: every engine's CO2e goes through here (or through
    :func:`gwp_vector`, its lookup, where the weights are folded into a larger product).

    Parameters
    ----------
    amount
        A number, numpy array or :class:`pint.Quantity` of one ``gas``; or an xarray
        ``DataArray``/``Dataset`` with a ``dim`` dimension labelled with gas names (then ``gas``
        is left out).
    gas
        The gas of a non-labelled ``amount``.
    gwp_metric
        GWP set, default AR5 GWP100; checked up front (:func:`check_gwp_metric`). The keyword
        ``metric=`` is deprecated.
    dim
        Name of the gas dimension of a labelled ``amount``.
    memo
        Gas labels of memo items (e.g. ``CO2_biogenic``) in a labelled ``amount``: they weigh 0
        (kept along ``dim``, so a sum over it leaves them out).
    total
        For a labelled DataArray: return the CO2e summed over ``dim`` (one weighted product,
        lazy for dask-backed input; a cell missing in a gas stays missing) instead of per gas.

    Returns
    -------
    CO2e or xarray object
        Labelled input comes back labelled, per gas (not summed), with ``attrs["gwp_metric"]`` set
        and the ``units`` attribute kept; anything else comes back as a :class:`CO2e` that records
        the metric and unit.

    Examples
    --------
    >>> import xarray as xr
    >>> da = xr.DataArray([1.0, 1.0], coords={"gas": ["CH4", "N2O"]}, dims="gas",
    ...                   attrs={"units": "t"})
    >>> out = to_co2e(da, gwp_metric="AR6GWP100")
    >>> out.values.tolist(), out.attrs["gwp_metric"], out.attrs["units"]
    ([27.9, 273.0], 'AR6GWP100', 't')
    >>> to_co2e(get_ureg().Quantity(3, "kt"), "N2O").to("t")
    CO2e(magnitude=795000.0, units='t', metric='AR5GWP100')
    """
    import xarray as xr

    metric = check_gwp_metric(gwp_metric)
    if isinstance(amount, xr.DataArray | xr.Dataset):
        if gas is not None:
            factor = gwp(gas, metric)
            out = amount * factor
        else:
            if dim not in amount.dims:
                raise UnitError(
                    f"to_co2e needs a {dim!r} dimension (dims: {list(amount.dims)}) or a gas name"
                )
            weights = gwp_vector(amount.get_index(dim), metric, memo=memo)
            w = xr.DataArray(weights, coords={dim: amount[dim]}, dims=dim)
            if total and isinstance(amount, xr.DataArray):
                out = _weighted_sum(amount, weights, dim) if isinstance(
                    amount.data, np.ndarray) else xr.dot(amount, w, dim=dim)  # dask: lazy
            else:
                out = amount * w
        out.attrs = dict(amount.attrs)
        out.attrs["gwp_metric"] = metric
        if isinstance(out, xr.Dataset):
            for var_name, var in out.data_vars.items():
                var.attrs = dict(amount[var_name].attrs)
                var.attrs["gwp_metric"] = metric
        return out
    if gas is None:
        raise UnitError("to_co2e needs the gas of an unlabelled amount")
    factor = gwp(gas, metric)
    reg = get_ureg()
    if isinstance(amount, reg.Quantity):
        if amount.dimensionality != reg.kilogram.dimensionality:
            raise UnitError(f"to_co2e needs a mass, got {amount.units:~P} ({amount.dimensionality})")
        mag = amount.magnitude  # a 0-d array under force_ndarray_like: give back a float
        mag = float(mag) if np.ndim(mag) == 0 else np.asarray(mag)
        return CO2e(mag * factor, f"{amount.units:~P}", metric)
    return CO2e(np.asarray(amount) * factor if np.ndim(amount) else float(amount) * factor,
                "dimensionless", metric)


def _weighted_sum(amount: xr.DataArray, weights: np.ndarray[Any, Any], dim: str) -> xr.DataArray:
    """``(amount * weights).sum(dim)`` for numpy data in one BLAS product (NaN propagates)."""
    import xarray as xr

    moved = np.moveaxis(np.asarray(amount.data, dtype=float), amount.get_axis_num(dim), -1)
    data = np.dot(np.ascontiguousarray(moved), weights)
    keep = [d for d in amount.dims if d != dim]
    coords = {k: v.variable for k, v in amount.coords.items() if dim not in v.dims}
    return xr.DataArray(data, dims=keep, coords=coords)


# --- pint-xarray ------------------------------------------------------------------------------

_NOTE = re.compile(r"^(?P<unit>.*?)\s*\((?P<note>[^()]*)\)$")


def pint_unit(unit: str) -> pint.Unit:
    """A units text as klimacore writes it, as a :class:`pint.Unit` of :data:`klimacore.ureg`.

    Accepts klimacore's spellings (``"t CO2e"``: the gas word names the gas, not the unit;
    ``"t per inhabitant"``; a trailing note in parentheses such as ``"DKK (2019 prices,
    basic)"``); refuses a scaled text (``"1000 t"``), which is no single unit.

    >>> [f"{pint_unit(u):D}" for u in ("kt", "t CO2e", "t per inhabitant")]
    ['kilotonne', 'metric_ton', 'metric_ton / person']
    >>> print(pint_unit("DKK (2019 prices, basic)"))
    DKK
    """
    text = unit.strip()
    note = _NOTE.match(text)
    if note and note.group("unit"):
        text = note.group("unit")
    scale, parsed = parse_scaled(text)
    if scale != 1.0:
        raise UnitError(f"unit {unit!r} carries a factor {scale:g}; pint-xarray needs a unit: "
                        "convert the values first")
    return parsed


def quantify(obj: Any) -> Any:
    """``obj.pint.quantify`` with klimacore's registry: ``kt`` is a kilotonne, not a knot.

    Every variable (and coordinate) with a ``units`` attribute becomes a pint-xarray quantity
    of :data:`klimacore.ureg` (see :func:`pint_unit`); the original text stays in
    ``attrs["units_text"]`` where it differs from pint's. Needs ``pip install pint-xarray``.
    Also ``obj.klima.quantify()``.

    >>> import xarray as xr
    >>> da = xr.DataArray([1.5], dims="year", coords={"year": [2019]}, attrs={"units": "kt"})
    >>> q = quantify(da)
    >>> q.pint.to("t").values.tolist()
    [1500.0]
    """
    import xarray as xr

    try:
        import pint_xarray  # noqa: F401  (registers the .pint accessor)
    except ImportError:
        raise ImportError("quantify needs pint-xarray: pip install pint-xarray") from None
    variables = obj.variables if isinstance(obj, xr.Dataset) else {
        obj.name if obj.name is not None else "<this-array>": obj.variable,
        **{k: v.variable for k, v in obj.coords.items()}}
    units: dict[Any, Any] = {}
    out = obj.copy()
    for name, var in variables.items():
        text = var.attrs.get("units")
        if text is None or (name in getattr(obj, "dims", ()) and name in getattr(obj, "indexes", {})):
            continue  # indexed coordinates (year, …) stay plain, as pint-xarray wants
        parsed = pint_unit(str(text))
        key = None if name == "<this-array>" or (
            isinstance(obj, xr.DataArray) and name == obj.name) else name
        units[key] = parsed
        if f"{parsed:~P}" != str(text):
            target = out if key is None else out[key]
            target.attrs["units_text"] = str(text)
    if isinstance(obj, xr.DataArray):
        main = units.pop(None, None)
        return out.pint.quantify(main, unit_registry=get_ureg(), **{str(k): v for k, v in
                                                                  units.items()})
    return out.pint.quantify({k: v for k, v in units.items()}, unit_registry=get_ureg())
