"""LMDI-I index decomposition of a change in emissions (additive and multiplicative).

The maths follows Ang (2005) *The LMDI approach to decomposition analysis: a practical guide*,
Energy Policy 33:867–871 (eqs. 4–5). For an identity ``V = Σ_i V_i`` with
``V_i = x_{1,i} · … · x_{n,i}`` and a period 0 → T:

- additive: ``ΔV_k = Σ_i L(V_i^T, V_i^0) · ln(x_{k,i}^T / x_{k,i}^0)``, ``Σ_k ΔV_k = V^T − V^0``;
- multiplicative: ``D_k = exp(ΔV_k / L(V^T, V^0))``, ``Π_k D_k = V^T / V^0``;

with the logarithmic mean ``L(a, b) = (a − b)/(ln a − ln b)``, ``L(a, a) = a``.
Zero values use the analytical limits (Wood & Lenzen 2006, Energy Policy 34:1326–1331; Ang & Liu
2007, Energy Policy 35:238–246), never a small substitute δ: a category that appears (``V_i^0 = 0
< V_i^T``) gives its whole ``V_i^T`` to the factor(s) that are zero in period 0 (split equally when
several are), one that disappears gives ``−V_i^0`` to the factor(s) that vanish. Categories that are
negative in any year of the window (net LULUCF) cannot be decomposed by LMDI (Ang & Liu 2007,
Energy Policy 35:739–742); they are kept out and their change is reported on its own
(``excluded_change``). Missing values stay missing: a NaN anywhere in an entity's categories gives
NaN effects for that entity ("no data"), never a partial answer.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import xarray as xr

from klimacore.errors import MissingLabelError, ValidationError
from klimacore.monitoring._align import require_aligned

__all__ = ["EFFECTS", "decompose_emissions", "emission_identity", "lmdi", "log_mean"]

EFFECTS: tuple[str, ...] = ("activity", "structure", "intensity", "emission_factor")
"""Names of the effects of the municipal emission identity ``C = Σ_i Q · S_i · I_i · F_i``."""

_SERIES_BELOW = 1e-3  # |r| below which L uses its series (truncation error < r**8/9 ≈ 1e-25)


def log_mean(a: Any, b: Any) -> np.ndarray[Any, Any]:
    """Logarithmic mean ``L(a, b)`` of non-negative arrays, exact at ``a = b`` and at zeros.

    Near ``a = b`` the series ``L = m / (1 + r²/3 + r⁴/5 + r⁶/7)`` with ``m = (a + b)/2`` and
    ``r = (a − b)/(a + b)`` avoids the cancellation of ``(a − b)/(ln a − ln b)``;
    ``L(a, 0) = L(0, a) = 0`` (the analytical limit).

    >>> float(log_mean(4455.0, 6000.0))
    5189.223467...
    >>> float(log_mean(5.0, 5.0)), float(log_mean(3.0, 0.0))
    (5.0, 0.0)
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    s = a + b
    with np.errstate(divide="ignore", invalid="ignore"):
        r = (a - b) / s
        r2 = r * r
        series = (0.5 * s) / (1.0 + r2 * (1.0 / 3.0 + r2 * (1.0 / 5.0 + r2 / 7.0)))
        direct = (a - b) / (np.log(a) - np.log(b))
        out = np.where(np.abs(r) < _SERIES_BELOW, series, direct)
    out = np.where((a == 0) | (b == 0), 0.0, out)
    return np.asarray(out, dtype=float)


Arr = np.ndarray[Any, Any]


def _pair_effects(x0: list[Arr], xt: list[Arr], v0: Arr, vt: Arr, keep: Arr) -> Arr:
    """Per-category additive effects, shape (K, ..., n), of one period.

    ``x0``/``xt`` are the K factors at both ends (broadcastable to ``v0``, not materialised);
    ``keep`` masks the decomposable categories.
    """
    regular = keep & (v0 > 0) & (vt > 0)
    appear = keep & (v0 == 0) & (vt > 0)
    vanish = keep & (v0 > 0) & (vt == 0)
    shape = np.broadcast_shapes(v0.shape, *[x.shape for x in x0])
    out = np.empty((len(x0), *shape))
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(regular, log_mean(vt, v0), 0.0)
        n0 = sum(np.broadcast_to(x == 0, shape).astype(np.int8) for x in x0)
        nt = sum(np.broadcast_to(x == 0, shape).astype(np.int8) for x in xt)
        for k, (a, b) in enumerate(zip(x0, xt, strict=True)):
            eff = w * np.where(regular, np.log(b / a), 0.0)
            if appear.any():
                eff += np.where(appear & (a == 0), vt / n0, 0.0)
            if vanish.any():
                eff -= np.where(vanish & (b == 0), v0 / nt, 0.0)
            out[k] = eff
    # an appearing/vanishing category with no zero factor cannot be attributed: no data
    missing = ~np.isfinite(v0) | ~np.isfinite(vt) | (appear & (n0 == 0)) | (vanish & (nt == 0))
    if missing.any():
        out[:, missing] = np.nan
    return out


class _YearLogs:
    """Logs of the value and the factors, one year at a time in two reused buffers.

    ``pair(s)`` returns the logs of years ``s`` and ``s + 1``; every year's logs are computed
    once and checked against the identity ``ln V = Σ_k ln x_k`` (1e-9) when first computed.
    """

    def __init__(self, varr: Arr, fs: list[Arr]) -> None:
        self.varr, self.fs = varr, fs
        shape = varr.shape[1:]
        self.buf = [(np.empty(shape), [np.empty(f.shape[1:]) for f in fs]) for _ in range(2)]
        self.work = {"d": np.empty(shape), "w": np.empty(shape), "dl": np.empty(shape)}
        self.year: list[int] = [-1, -1]

    def _fill(self, t: int) -> tuple[Arr, list[Arr]]:
        slot = t % 2
        if self.year[slot] != t:
            lv, lf = self.buf[slot]
            np.log(self.varr[t], out=lv)
            for f, out in zip(self.fs, lf, strict=True):
                np.log(f[min(t, f.shape[0] - 1)], out=out)
            resid = self.work["d"]
            np.subtract(lv, lf[0], out=resid)
            for f in lf[1:]:
                resid -= f
            np.abs(resid, out=resid)
            if resid.max() > 1e-9:
                n_bad = int(np.count_nonzero(resid > 1e-9))
                raise ValidationError("factors do not form the identity V_i = Π_k x_k,i", [
                    f"the product of the factors differs from the value in {n_bad} cells "
                    f"of year index {t} (relative tolerance 1e-9)"])
            self.year[slot] = t
        return self.buf[slot]

    def pair(self, s: int) -> tuple[tuple[Arr, list[Arr]], tuple[Arr, list[Arr]]]:
        first = self._fill(s)
        return first, self._fill(s + 1)


def _plain_step(v0: Arr, vt: Arr, lv0: Arr, lvt: Arr, logs: list[tuple[Arr, Arr]],
                by_category: bool, work: dict[str, Arr] | None = None) -> tuple[Arr, Arr | None]:
    """One period when every value and factor is positive, from the logs of both years.

    ``w = (v_T − v_0)/(ln v_T − ln v_0)`` (the series of :func:`log_mean` where the two are
    within 0.1 %), then ``ΔV_k = Σ_i w_i (ln x_k,i^T − ln x_k,i^0)``; a factor without the
    category axis multiplies ``Σ_i w_i`` (no broadcast materialised). ``work`` holds reusable
    buffers. Tested equal to :func:`_pair_effects`.
    """
    if work is None:
        work = {k: np.empty(v0.shape) for k in ("d", "w", "dl")}
    d, w, dl_full = work["d"], work["w"], work["dl"]
    with np.errstate(divide="ignore", invalid="ignore"):
        np.subtract(lvt, lv0, out=d)
        np.subtract(vt, v0, out=w)
        w /= d
    np.abs(d, out=d)
    if d.min() < 2 * _SERIES_BELOW:  # rare: near-equal values use the series of log_mean
        near = d < 2 * _SERIES_BELOW
        w[near] = log_mean(vt[near], v0[near])
    w_sum = w.sum(axis=-1)
    n = v0.shape[-1]
    out = np.empty((len(logs), *v0.shape[:-1]))
    per_cat = np.empty((len(logs), *v0.shape)) if by_category else None
    for k, (a, b) in enumerate(logs):
        if a.shape[-1] == 1 and n != 1:
            dl = b - a
            out[k] = dl[..., 0] * w_sum
            if per_cat is not None:
                per_cat[k] = w * dl
        else:
            dl = np.subtract(b, a, out=dl_full) if a.shape == v0.shape else b - a
            if per_cat is not None:
                per_cat[k] = w * dl
                out[k] = per_cat[k].sum(axis=-1)
            else:
                out[k] = np.einsum("...i,...i->...", w, dl)
    return out, per_cat


def _check_identity(value: Arr, factors: list[Arr], names: Sequence[str]) -> None:
    problems = []
    negative = []
    for n, f in zip(names, factors, strict=True):
        if np.any(f < 0) and np.any((f < 0) & (value > 0)):
            negative.append(n)
    if negative:
        problems.append(f"factors {negative} are negative where the value is positive (LMDI "
                        "needs positive factors)")
    with np.errstate(invalid="ignore", over="ignore"):
        prod = factors[0] * factors[1] if len(factors) > 1 else factors[0].copy()
        for f in factors[2:]:
            prod *= f
        prod = np.broadcast_to(prod, value.shape) - value  # a new array, in place below
        np.abs(prod, out=prod)
        bad = prod > 1e-9 * np.abs(value)  # NaN (undefined 0/0 factors) compares False
    n_bad = int(np.count_nonzero(bad))
    if n_bad:
        problems.append(f"the product of the factors differs from the value in {n_bad} "
                        "cells (relative tolerance 1e-9)")
    if problems:
        raise ValidationError("factors do not form the identity V_i = Π_k x_k,i", problems)


def lmdi(
    value: xr.DataArray,
    factors: Mapping[str, xr.DataArray],
    *,
    start: int,
    end: int,
    dim: str = "year",
    category_dim: str = "category",
    chained: bool = False,
    by_category: bool = False,
) -> xr.Dataset:
    """LMDI-I decomposition of the change of ``value`` summed over ``category_dim``.

    Parameters
    ----------
    value
        ``V_i``, with dims ``dim`` and ``category_dim`` and any others (municipality, draw …),
        over which the call is vectorized.
    factors
        ``x_k,i`` by effect name, in order; each broadcastable to ``value`` (a factor without
        ``category_dim`` is the same for every category, e.g. total activity). Their product must
        equal ``value`` where ``value > 0``. A factor may be NaN where it is undefined because
        the category's value is 0 (0/0); that never enters the result.
    start, end
        The two labels of ``dim`` compared (``end`` may be before ``start``).
    chained
        False: one period ``start → end``. True: year-by-year steps over every label of ``dim``
        between them, summed (additive) or multiplied (multiplicative); the result says which
        in ``attrs["chaining"]``. Chained and single-period results differ.
    by_category
        Also return ``additive_by_category`` (effect × category × …).

    Returns
    -------
    xarray.Dataset
        ``additive`` (effect × …, in the unit of ``value``), ``multiplicative`` (effect × …),
        ``change`` (change of the decomposed categories), ``excluded_change`` (change of the
        categories kept out because they are negative in a year of the window), ``excluded``
        (category × …, bool), ``total_change``. NaN where an entity has missing data.

    Examples
    --------
    The worked example of MONITORING.md §B.5 (heated floor area, two heating forms):

    >>> import xarray as xr
    >>> yr, cat = [2019, 2023], ["district_heating", "natural_gas"]
    >>> def da(rows): return xr.DataArray(rows, dims=("year", "category"),
    ...                                    coords={"year": yr, "category": cat})
    >>> q = xr.DataArray([1000.0, 1100.0], dims="year", coords={"year": yr})
    >>> s, i = da([[0.6, 0.4], [0.75, 0.25]]), da([[100.0, 120.0], [90.0, 110.0]])
    >>> f = da([[0.1, 0.2], [0.06, 0.2]])
    >>> out = lmdi(q * s * i * f, {"activity": q, "structure": s, "intensity": i,
    ...                            "emission_factor": f}, start=2019, end=2023)
    >>> out["additive"].round(6).to_series().to_dict()
    {'activity': 1227.415801, 'structure': -2455.866872, 'intensity': -1215.760615, 'emission_factor': -2650.788314}
    >>> float(out["additive"].sum()), float(out["multiplicative"].prod())
    (-5095.0..., 0.67339...)
    """
    names = list(factors)
    if not names:
        raise ValidationError("lmdi needs at least one factor", code="monitoring.lmdi_factors",
                              location="factors")
    from klimacore._lazy import is_lazy

    if any(is_lazy(a) for a in (value, *factors.values())):
        return _lmdi_lazy(value, factors, start=start, end=end, dim=dim,
                          category_dim=category_dim, chained=chained, by_category=by_category)
    for name, da in (("value", value), *factors.items()):
        if dim not in da.dims and name == "value":
            raise MissingLabelError("dimension of the value", [dim], dim="dims")
    if category_dim not in value.dims:
        raise MissingLabelError("dimension of the value", [category_dim], dim="dims")
    labels = list(value[dim].values)
    missing = [y for y in (start, end) if y not in labels]
    if missing:
        raise MissingLabelError(f"label of {dim}", missing, dim=dim)
    lo, hi = sorted((labels.index(start), labels.index(end)))
    if chained:
        idx = list(range(lo, hi + 1))
        if labels.index(start) > labels.index(end):
            idx = idx[::-1]
    else:
        idx = [labels.index(start), labels.index(end)]
    stride = 1 if idx[-1] >= idx[0] else -1
    contiguous = idx == list(range(idx[0], idx[-1] + stride, stride))
    stop = idx[-1] + stride if idx[-1] + stride >= 0 else None
    sel: slice | list[int] = slice(idx[0], stop, stride) if contiguous else idx  # a view
    window = value.isel({dim: sel})
    others = [d for d in value.dims if d not in (dim, category_dim)]
    order = [dim, *others, category_dim]
    v = window.transpose(*order)
    fs = []
    for n in names:
        f = factors[n].isel({dim: sel}) if dim in factors[n].dims else factors[n]
        unknown = [d for d in f.dims if d not in order]
        if unknown:
            raise ValidationError(f"factor {n!r} has dims {unknown} that the value lacks",
                                  code="monitoring.lmdi_dims", label=n, location=f"factors[{n!r}]")
        require_aligned(v, {f"factor {n!r}": f}, code="monitoring.lmdi_labels",
                        what="the value", kind=ValidationError)
        # size-1 axes instead of materialised broadcasts (memory: one value-sized array each)
        f = f.transpose(*[d for d in order if d in f.dims])
        f = f.expand_dims([d for d in order if d not in f.dims]).transpose(*order)
        fs.append(np.asarray(f.to_numpy(), dtype=float))
    varr = np.asarray(v.to_numpy(), dtype=float)
    with np.errstate(invalid="ignore"):  # min() is one pass without a temporary (NaN → False)
        plain = bool(varr.min() > 0) and all(bool(f.min() > 0) for f in fs)
    if plain:
        # fast path, same formulas: every value and factor positive in the window. Logs are
        # taken once per year, into reused one-year buffers (no window-sized temporaries); the
        # identity is checked on them (|ln V − Σ ln x| ≤ 1e-9 is the same relative tolerance
        # as the product check of the general path).
        logs = _YearLogs(varr, fs)
        negative = np.zeros(varr.shape[1:], dtype=bool)
        totals = varr.sum(axis=-1)
    else:
        _check_identity(varr, fs, names)
        # categories negative in any year of the window are kept out in every step
        negative = np.any(varr < 0, axis=0)  # (..., n)
        totals = np.where(~negative, varr, 0.0).sum(axis=-1)
    keep = ~negative
    n_steps = len(idx) - 1
    by_cat = np.zeros((len(names), *varr.shape[1:])) if by_category else None
    effects = np.zeros((len(names), *varr.shape[1:-1]))
    log_d = np.zeros((len(names), *varr.shape[1:-1]))
    for s in range(n_steps):
        if plain:
            (lv0, lf0), (lv1, lf1) = logs.pair(s)
            step_sum, step = _plain_step(varr[s], varr[s + 1], lv0, lv1,
                                         list(zip(lf0, lf1, strict=True)), by_category,
                                         logs.work)
        else:
            step = _pair_effects([f[min(s, f.shape[0] - 1)] for f in fs],
                                 [f[min(s + 1, f.shape[0] - 1)] for f in fs],
                                 varr[s], varr[s + 1], keep)
            step_sum = step.sum(axis=-1)
        effects += step_sum
        if by_cat is not None and step is not None:
            by_cat += step
        if chained:  # multiplicative: product over steps of exp(ΔV_k / L(V^{s+1}, V^s))
            with np.errstate(divide="ignore", invalid="ignore"):
                log_d += step_sum / log_mean(totals[s + 1], totals[s])
    v0, vt = varr[0], varr[-1]
    kept0, keptt = totals[0], totals[-1]
    change = keptt - kept0
    excluded_change = np.where(negative, vt - v0, 0.0).sum(axis=-1)
    nan_entity = np.isnan(effects).any(axis=0) | np.isnan(change)
    with np.errstate(divide="ignore", invalid="ignore"):
        mult = np.exp(log_d) if chained else np.exp(effects / log_mean(keptt, kept0))
    mult = np.where((kept0 > 0) & (keptt > 0), mult, np.nan)
    effects = np.where(nan_entity, np.nan, effects)
    mult = np.where(nan_entity, np.nan, mult)

    coords = {d: v[d] for d in others if d in v.coords}
    edims = ("effect", *others)
    unit = value.attrs.get("units")
    out = xr.Dataset(
        {
            "additive": (edims, effects, {"units": unit} if unit else {}),
            "multiplicative": (edims, mult, {"units": "1"}),
            "change": (tuple(others), np.where(nan_entity, np.nan, change)),
            "excluded_change": (tuple(others), excluded_change),
            "excluded": ((*others, category_dim), negative),
            "total_change": (tuple(others), np.where(nan_entity, np.nan, change) + excluded_change),
        },
        coords={"effect": names, category_dim: v[category_dim].values, **coords},
    )
    if by_cat is not None:
        bc = np.moveaxis(by_cat, -1, 1)  # (K, n, ...)
        out["additive_by_category"] = (("effect", category_dim, *others), bc)
    out.attrs.update(
        method="LMDI-I", chaining="chained" if chained else "single-period",
        period_start=int(start) if isinstance(start, int | np.integer) else start,
        period_end=int(end) if isinstance(end, int | np.integer) else end,
        source="Ang (2005) Energy Policy 33:867-871; zeros by analytical limits "
               "(Ang & Liu 2007, Energy Policy 35:238-246)",
    )
    return out


def _lmdi_block(ds: xr.Dataset, *, names: Sequence[str], **kwargs: Any) -> xr.Dataset:
    """:func:`lmdi` on one block (value and factors packed in one Dataset)."""
    factors = {n: ds[f"factor_{i}"] for i, n in enumerate(names)}
    return lmdi(ds["value"], factors, **kwargs)


def _lmdi_lazy(value: xr.DataArray, factors: Mapping[str, xr.DataArray], **kwargs: Any
               ) -> xr.Dataset:
    """:func:`lmdi` on dask-backed inputs: one eager call per block of entities, lazily.

    ``dim`` and ``category_dim`` are rechunked whole; every other dim keeps its chunks.
    """
    import xarray as xr

    from klimacore._lazy import blockwise

    names = list(factors)
    require_aligned(value, {f"factor {n!r}": factors[n] for n in names},
                    code="monitoring.lmdi_labels", what="the value", kind=ValidationError)
    try:
        ds = xr.Dataset({"value": value, **{f"factor_{i}": factors[n]
                                            for i, n in enumerate(names)}})
    except ValueError as exc:  # factors disagreeing among themselves on a dim the value lacks
        raise ValidationError("the factors have different coordinates", [str(exc)],
                              code="monitoring.lmdi_labels", label=names,
                              location="factors") from None
    chunks: dict[Any, Any] = {}  # one chunking per dim (the first lazy input's), for all
    for a in (value, *factors.values()):
        for d, c in (a.chunksizes if a.chunks is not None else {}).items():
            chunks.setdefault(d, c)
    ds = ds.chunk(chunks)
    out: xr.Dataset = blockwise(_lmdi_block, ds, whole=[kwargs["dim"], kwargs["category_dim"]],
                                what="lmdi", names=names, **kwargs)
    return out


def emission_identity(
    emissions: xr.DataArray,
    *,
    activity: xr.DataArray,
    sub_activity: xr.DataArray | None = None,
    energy: xr.DataArray | None = None,
    category_dim: str = "category",
    dim: str = "year",
) -> dict[str, xr.DataArray]:
    """Factors of ``C_i = Q · S_i · I_i (· F_i)`` from data, for :func:`lmdi`.

    - ``activity`` ``Q`` (no ``category_dim``: population, floor area, vehicle-km);
    - ``structure`` ``S_i = Q_i/Q`` from ``sub_activity``, or, without it, the category's share of
      emissions ``C_i/C``;
    - ``intensity`` ``I_i = E_i/Q_i`` with ``energy`` (energy intensity), else ``C_i/Q_i`` (emission
      intensity; ``C/Q`` for every category when structure is the emission share);
    - ``emission_factor`` ``F_i = C_i/E_i``, only with ``energy``.

    A ratio 0/0 (a category absent in a year) is NaN: undefined, and never used. The total
    ``C`` of the emission shares is the gross total: categories negative in any label of ``dim``
    (net LULUCF, a net-negative agriculture) are left out of it, as :func:`lmdi` leaves them out
    of the decomposition.

    >>> import xarray as xr
    >>> c = xr.DataArray([[60.0, 40.0]], dims=("year", "category"),
    ...                  coords={"year": [2019], "category": ["a", "b"]})
    >>> p = xr.DataArray([10.0], dims="year", coords={"year": [2019]})
    >>> f = emission_identity(c, activity=p)
    >>> list(f), f["structure"].values.tolist(), f["intensity"].values.tolist()
    (['activity', 'structure', 'intensity'], [[0.6, 0.4]], [10.0])
    """
    negative = (emissions < 0).any(dim) if dim in emissions.dims else emissions < 0
    total = emissions.where(~negative, 0.0).sum(category_dim, skipna=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        if sub_activity is None:
            share = emissions / total
            intensity = total / activity
            factors = {"activity": activity, "structure": share, "intensity": intensity}
        else:
            share = sub_activity / activity
            base = energy if energy is not None else emissions
            factors = {"activity": activity, "structure": share,
                       "intensity": base / sub_activity}
            if energy is not None:
                factors["emission_factor"] = emissions / energy
    return {k: v.drop_attrs() if hasattr(v, "drop_attrs") else v for k, v in factors.items()}


def decompose_emissions(
    emissions: xr.DataArray,
    *,
    activity: xr.DataArray,
    start: int,
    end: int,
    sub_activity: xr.DataArray | None = None,
    energy: xr.DataArray | None = None,
    category_dim: str = "category",
    dim: str = "year",
    chained: bool = False,
    by_category: bool = False,
) -> xr.Dataset:
    """Decompose the change of emissions into activity, structure, intensity (and emission factor).

    Builds the factors with :func:`emission_identity` and calls :func:`lmdi`; see both.

    >>> import xarray as xr
    >>> c = xr.DataArray([[60.0, 40.0], [50.0, 50.0]], dims=("year", "category"),
    ...                  coords={"year": [2018, 2023], "category": ["energy", "transport"]})
    >>> pop = xr.DataArray([10.0, 11.0], dims="year", coords={"year": [2018, 2023]})
    >>> out = decompose_emissions(c, activity=pop, start=2018, end=2023)
    >>> (out["additive"].round(3) + 0.0).to_series().to_dict()
    {'activity': 9.499, 'structure': 0.0, 'intensity': -9.499}
    """
    factors = emission_identity(emissions, activity=activity, sub_activity=sub_activity,
                                energy=energy, category_dim=category_dim, dim=dim)
    return lmdi(emissions, factors, start=start, end=end, dim=dim, category_dim=category_dim,
                chained=chained, by_category=by_category)
