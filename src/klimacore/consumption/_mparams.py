"""Parameters of the municipal footprint model: the bundled table, central values and draws.

Every parameter is a row of ``consumption_municipal_parameters.csv`` with its central value,
its range and its distribution, and says whether it is ``cited`` (with the source) or an
``assumption`` (with the reasoning). Three distributions:

* ``triangular`` (``low``, ``value`` = mode, ``high``): assumptions known only by a plausible range;
* ``lognormal`` (``gsd``): multipliers with mean 1 (``exp(σZ − σ²/2)``, σ = ln gsd), used for
  the category shares of other private consumption (renormalised in every draw);
* ``fixed``: no uncertainty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError, Problems, ValidationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["central_parameters", "municipal_parameters", "sample_parameters"]

Params = dict[str, np.ndarray[Any, np.dtype[np.float64]]]

_DISTRIBUTIONS = ("fixed", "triangular", "lognormal")


def municipal_parameters() -> pd.DataFrame:
    """The model's parameters (a copy of the bundled table): ``name``, ``value``, ``low``,
    ``high``, ``gsd``, ``unit``, ``distribution``, ``kind`` (cited/assumption), ``source``,
    ``note``. Change a row (e.g. the municipality's own km per car) and pass the table to
    :func:`~klimacore.consumption.municipal_footprint` as ``parameters=``.

    >>> t = municipal_parameters().set_index("name")
    >>> [float(t.loc["income_elasticity", c]) for c in ("value", "low", "high")]
    [0.6, 0.3, 0.9]
    >>> t.loc["income_elasticity", "kind"]
    'assumption'
    """
    from klimacore import reference

    return reference.read_table("consumption_municipal_parameters.csv")


def check_parameters(table: pd.DataFrame) -> pd.DataFrame:
    """Validate a parameter table; every problem is reported together, naming the row."""
    need = ["name", "value", "distribution"]
    absent = [c for c in need if c not in table.columns]
    if absent:
        raise DataError(f"parameter table lacks columns {absent} (has {list(table.columns)})",
                        code="parameters.columns", label=absent, location="columns")
    problems = Problems("model parameters")
    names = [str(n) for n in table["name"]]
    dups = sorted({n for n in names if names.count(n) > 1})
    if dups:
        problems.add(f"parameters listed twice: {dups}", code="parameters.duplicate", label=dups,
                     location="name")
    for i, row in enumerate(table.to_dict("records")):
        name, dist = str(row["name"]), str(row["distribution"])
        value = float(row["value"])
        where = f"row {i} ({name})"
        if dist not in _DISTRIBUTIONS:
            problems.add(f"{name}: distribution {dist!r} is not one of {_DISTRIBUTIONS}",
                         code="parameters.distribution", label=dist, location=where)
            continue
        if not np.isfinite(value):
            problems.add(f"{name}: value is missing", code="parameters.value", label=name,
                         location=where)
        if dist == "triangular":
            low, high = float(row.get("low", np.nan)), float(row.get("high", np.nan))
            if not (low <= value <= high) or not np.isfinite(low) or not np.isfinite(high):
                problems.add(f"{name}: needs low <= value <= high, got {low}, {value}, {high}",
                             code="parameters.range", label=(low, value, high), location=where)
        if dist == "lognormal":
            gsd = float(row.get("gsd", np.nan))
            if not (np.isfinite(gsd) and gsd >= 1.0):
                problems.add(f"{name}: lognormal needs gsd >= 1, got {gsd}",
                             code="parameters.gsd", label=gsd, location=where)
    problems.raise_if_any()
    return table


def central_parameters(table: pd.DataFrame) -> Params:
    """Every parameter at its central value (the mode; 1 for lognormal multipliers), shape (1,).

    >>> p = central_parameters(municipal_parameters())
    >>> float(p["footprint_per_capita"][0]), float(p["share:food"][0])
    (11.0, 1.0)
    """
    check_parameters(table)
    return {str(n): np.array([float(v)]) for n, v in zip(table["name"], table["value"],
                                                          strict=True)}


def sample_parameters(table: pd.DataFrame, n_draws: int, *,
                      seed: int | np.random.Generator | None = None) -> Params:
    """``n_draws`` independent draws of every parameter (arrays of shape ``(n_draws,)``).

    >>> p = sample_parameters(municipal_parameters(), 20_000, seed=1)
    >>> e = p["income_elasticity"]
    >>> bool(e.min() >= 0.3 and e.max() <= 0.9), round(float(p["share:food"].mean()), 2)
    (True, 1.0)
    """
    check_parameters(table)
    if n_draws < 1:
        raise ValidationError(f"n_draws must be >= 1, got {n_draws}", code="monte_carlo.n_draws",
                              label=n_draws, location="n_draws")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    out: Params = {}
    for row in table.to_dict("records"):
        name, dist, value = str(row["name"]), str(row["distribution"]), float(row["value"])
        if dist == "fixed":
            out[name] = np.full(n_draws, value)
        elif dist == "triangular":
            low, high = float(row["low"]), float(row["high"])
            out[name] = (rng.triangular(low, value, high, n_draws) if high > low
                         else np.full(n_draws, value))
        else:
            sigma = float(np.log(float(row["gsd"])))
            out[name] = value * np.exp(sigma * rng.standard_normal(n_draws) - sigma**2 / 2)
    return out


def swing_parameters(table: pd.DataFrame) -> tuple[list[str], Params]:
    """Rows for a one-at-a-time swing: each uncertain parameter at its low then its high end
    (5th/95th percentile for lognormal), the others central. Returns names and 2×J draws."""
    check_parameters(table)
    central = {str(n): float(v) for n, v in zip(table["name"], table["value"], strict=True)}
    uncertain = [r for r in table.to_dict("records") if str(r["distribution"]) != "fixed"]
    names = [str(r["name"]) for r in uncertain]
    n = 2 * len(names)
    out: Params = {k: np.full(n, v) for k, v in central.items()}
    for j, row in enumerate(uncertain):
        name = str(row["name"])
        if str(row["distribution"]) == "triangular":
            low, high = float(row["low"]), float(row["high"])
        else:
            sigma = float(np.log(float(row["gsd"])))
            low, high = (float(row["value"]) * float(np.exp(z * sigma - sigma**2 / 2))
                         for z in (-1.6449, 1.6449))
        out[name][2 * j] = low
        out[name][2 * j + 1] = high
    return names, out
