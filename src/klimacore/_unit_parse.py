"""The unit registry and unit-string parsing behind :mod:`klimacore.units` (internal).

The one place a unit text is read: ``t`` is the tonne, ``kt`` a kilotonne, people's spellings
("tonnes", "1000 t", "mio. ton", "t CO2e") are accepted and probable prefix typos refused.
:mod:`klimacore.units` re-exports the public names.
"""

from __future__ import annotations

import math
import re
from functools import cache
from typing import TYPE_CHECKING

from klimacore.errors import UnitError

if TYPE_CHECKING:
    import pint

__all__ = ["conversion_factor", "dimensionality", "get_ureg", "parse_scaled", "split_rate_unit"]

_EXTRA_DEFINITIONS = """
kilotonne = 1e3 * tonne = kt
megatonne = 1e6 * tonne = Mt
gigatonne = 1e9 * tonne = Gt
ton = tonne
normal_cubic_meter = meter ** 3 = Nm3
vehicle = [vehicle]
passenger = [passenger]
vehicle_kilometer = vehicle * kilometer = vkm
passenger_kilometer = passenger * kilometer = pkm
DKK = [currency_DKK] = DKK = kr
EUR = [currency_EUR] = EUR = €
USD = [currency_USD]
SEK = [currency_SEK]
NOK = [currency_NOK]
GBP = [currency_GBP]
person = [person] = _ = capita = inhabitant
"""


@cache
def get_ureg() -> pint.UnitRegistry[float]:
    """Build (once) and return klimacore's unit registry.

    Importing klimacore does not build it; the first use of :data:`klimacore.ureg` does.
    """
    import pint

    # ``force_ndarray_like`` is what pint-xarray needs (``.pint.quantify(unit_registry=ureg)``);
    # ``on_redefinition="ignore"``: the redefinitions below (``kt`` = kilotonne, not knot) are
    # deliberate, and silencing them here leaves pint's own logger alone.
    reg: pint.UnitRegistry[float] = pint.UnitRegistry(
        autoconvert_offset_to_baseunit=True, force_ndarray_like=True, on_redefinition="ignore")
    for line in _EXTRA_DEFINITIONS.strip().splitlines():
        reg.define(line)
    reg.formatter.default_format = "~P"
    return reg


_UNIT_ALIASES = {"m³": "m**3", "m3": "m**3", "Nm³": "Nm3", "l": "L", "pct": "percent",
                 "kwh": "kWh", "gwh": "GWh", "twh": "TWh", "gj": "GJ", "tj": "TJ",
                 "tonnes": "t", "tonne": "t", "tons": "t"}

# Prefixes in lower case that are almost surely a typo for the upper-case one in this field:
# 100,000 "mWh" of gas is milliwatt-hours to pint (1e-10 GWh), "pJ" picojoule, "mt" millitonne.
_TYPO_PREFIXES = {"m": ("milli", "M", "mega"), "p": ("pico", "P", "peta"),
                  "u": ("micro", None, None), "µ": ("micro", None, None)}
_TYPO_BASES = {"Wh": "watt_hour", "J": "joule", "W": "watt", "t": "tonne", "ton": "tonne",
               "toe": "tonne_of_oil_equivalent", "cal": "calorie"}
_TOKEN = re.compile(r"[A-Za-zµ_³]+")
_SCALE_WORDS = {"mio": 1e6, "mio.": 1e6, "mill.": 1e6, "million": 1e6, "millioner": 1e6,
                "mia": 1e9, "mia.": 1e9, "milliard": 1e9, "milliarder": 1e9,
                "tusind": 1e3, "thousand": 1e3, "1000": 1e3}
_LEADING_NUMBER = re.compile(r"^(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?)\s*\*?\s*([A-Za-zµ].*)$")


def _typo_prefix(token: str) -> str | None:
    """Why a unit token is refused as a probable prefix typo, or None."""
    for prefix, (name, upper, upper_name) in _TYPO_PREFIXES.items():
        base = token[len(prefix):]
        if token.startswith(prefix) and base in _TYPO_BASES:
            meant = (f"for {upper_name}{_TYPO_BASES[base]}s write {upper + base!r}; "
                     if upper else "")
            return (f"{token!r} reads as {name}{_TYPO_BASES[base]} ({prefix} = {name}), almost "
                    f"surely a typo here: {meant}if you do mean {name}{_TYPO_BASES[base]}s, "
                    f"write {name + _TYPO_BASES[base]!r}")
    if token == "mwh":
        return "'mwh' could be MWh or mWh: write 'MWh'"
    return None


def _split_scale(text: str) -> tuple[float, str]:
    """A leading count ("1000 t", "mio. ton", "1e6 m3") → (scale, unit text)."""
    match = _LEADING_NUMBER.match(text)
    if match:
        return float(match.group(1)), match.group(2).strip()
    head, _, rest = text.partition(" ")
    scale = _SCALE_WORDS.get(head.lower())
    if scale is not None and rest.strip():
        return scale, rest.strip()
    return 1.0, text


_CO2E_SUFFIX = re.compile(r"^(.*?[A-Za-z])\s*(?:CO2-?e(?:q)?|CO2-?equivalents?|CO₂-?e(?:q)?)$",
                         re.IGNORECASE)


@cache
def parse_scaled(unit: str) -> tuple[float, pint.Unit]:
    reg = get_ureg()
    scale, text = _split_scale(unit.strip())
    suffix = _CO2E_SUFFIX.match(text)  # "t CO2e", "ktCO2-eq": the gas word does not scale
    if suffix:
        text = suffix.group(1).strip()
    text = _UNIT_ALIASES.get(text, text)
    for token in _TOKEN.findall(text):
        reason = _typo_prefix(token)
        if reason is not None:
            raise UnitError(f"unit {unit!r}: {reason}")
    if not math.isfinite(scale) or scale <= 0:
        raise UnitError(f"unknown unit {unit!r}")
    try:
        return scale, reg.Unit(text)
    except Exception as exc:  # pint raises several types for unparseable text
        raise UnitError(f"unknown unit {unit!r}") from exc


def _parse_unit(unit: str) -> pint.Unit:
    return parse_scaled(unit)[1]


@cache
def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Return the factor that converts a value in ``from_unit`` into ``to_unit``.

    Raises :class:`~klimacore.errors.UnitError` naming both units when they are unknown or of
    different dimensions (e.g. energy against volume, or DKK against EUR). Spellings people use
    are accepted (``"tonnes"``, ``"kwh"``, ``"1000 t"``, ``"mio. ton"``, ``"t CO2e"``: a
    trailing CO2-equivalent word names the gas, not the unit); a lower-case prefix
    that is almost surely a typo in this field (``mWh``, ``pJ``, ``mt``: milli/pico) is refused
    unless spelt out (``"milliwatt_hour"``).

    >>> conversion_factor("kt", "t")
    1000.0
    >>> conversion_factor("mio. ton", "Mt"), conversion_factor("1000 t", "kt")
    (1.0, 1.0)
    >>> conversion_factor("L", "GJ")
    Traceback (most recent call last):
    ...
    klimacore.errors.UnitError: cannot convert 'L' ([length] ** 3) to 'GJ' (...)
    >>> conversion_factor("mWh", "GJ")
    Traceback (most recent call last):
    ...
    klimacore.errors.UnitError: unit 'mWh': 'mWh' reads as milliwatt_hour (m = milli), ...
    """
    (s_src, src), (s_dst, dst) = parse_scaled(from_unit), parse_scaled(to_unit)
    if src.dimensionality != dst.dimensionality:
        raise UnitError(
            f"cannot convert {from_unit!r} ({src.dimensionality}) to {to_unit!r} "
            f"({dst.dimensionality})"
        )
    reg = get_ureg()
    return float(reg.Quantity(s_src / s_dst, src).to(dst).magnitude)


_GAS_WORD = re.compile(r"^(co2e|co2eq|co2-eq|co2-e|[a-z0-9\-_]+)$", re.IGNORECASE)


@cache
def split_rate_unit(unit: str) -> tuple[float, str]:
    """Split a factor unit like ``'kg/GJ'`` or ``'g CO2e/kWh'`` into (mass → t factor, denominator).

    >>> split_rate_unit("g CO2e/kWh")
    (1e-06, 'kWh')

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


def dimensionality(unit: str) -> str:
    """The dimensionality of ``unit`` as text, e.g. ``'[length] ** 2 * [mass] / [time] ** 2'``."""
    return str(_parse_unit(unit).dimensionality)
