"""Computed statuses: actions (with the reason), indicators against their target path, data age.

All three run vectorized on xarray inputs of any shape (municipality × action × round …) for an
injected ``as_of`` date, never ``today()``. Codes are small integers (fast, compact); the label
tuples name them and :func:`status_frame` turns a result into a tidy table with reasons in words.
Dask-backed inputs stay lazy (``_status_lazy``: one eager call per block of entities).

Rules (MONITORING.md §A.4, adapted from Kausal Watch ``_determine_status`` and
``ActionStatusSummaryIdentifier``; klimastatus-dk ``tiltag-status.ts``; CCTF guide D1 p. 17–19):
action status, first match wins: merged; completed (phase); cancelled / out of scope; postponed;
late (end year passed, a milestone overdue, or a progress indicator off track); late (not started
although the start year has passed); on time (planning or implementation); not started; no data.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import xarray as xr

from klimacore.errors import MissingLabelError, ValidationError
from klimacore.monitoring._model import PHASES, STATES

__all__ = [
    "ACTION_REASONS",
    "ACTION_STATUS",
    "DATA_AGE_STATUS",
    "FRESHNESS",
    "INDICATOR_STATUS",
    "action_status",
    "action_summary",
    "codes",
    "data_age",
    "indicator_status",
    "status_frame",
]

ACTION_STATUS: tuple[str, ...] = ("merged", "completed", "cancelled", "out of scope", "postponed",
                                  "late", "on time", "not started", "no data")
ACTION_REASONS: tuple[str, ...] = ("", "end year passed", "milestone overdue",
                                   "progress indicator off track", "not started by start year",
                                   "set by hand (see status_override_reason)")
FRESHNESS: tuple[str, ...] = ("optimal", "acceptable", "late", "stale", "never reported")
INDICATOR_STATUS: tuple[str, ...] = ("achieved", "on track", "at risk", "off track", "no data")
DATA_AGE_STATUS: tuple[str, ...] = ("fresh", "due", "stale", "no data")

Arr = np.ndarray[Any, Any]
_A = {name: i for i, name in enumerate(ACTION_STATUS)}
_I = {name: i for i, name in enumerate(INDICATOR_STATUS)}


def codes(values: Any, labels: tuple[str, ...], *, what: str) -> np.ndarray[Any, Any]:
    """Integer codes of string labels (−1 for missing: None, NaN or ""); unknown labels raise.

    >>> codes(["planning", None, "completed"], PHASES, what="phase").tolist()
    [1, -1, 3]
    """
    arr = np.asarray(values)
    if arr.dtype.kind in "iu":
        bad = sorted({int(x) for x in np.unique(arr) if not -1 <= x < len(labels)})
        if bad:
            raise MissingLabelError(f"{what} code", bad, dim=what)
        return arr.astype(np.int8)
    # factorize (hash table) once, then map the few distinct labels: fast on big panels
    found, uniques = pd.factorize(np.asarray(arr, dtype=object).ravel(), use_na_sentinel=True)
    lookup = {label: i for i, label in enumerate(labels)}
    mapped = np.array([-1 if u == "" else lookup.get(u, -2) for u in uniques] + [-1],
                      dtype=np.int8)
    unknown = sorted(str(u) for u, m in zip(uniques, mapped, strict=False) if m == -2)
    if unknown:
        raise MissingLabelError(f"{what} (valid: {', '.join(labels)})", unknown, dim=what)
    return mapped[found].reshape(arr.shape)  # found == -1 (missing) picks the trailing -1


def _where(cond: Any, x: Any, y: Any) -> xr.DataArray:
    return xr.where(cond, x, y)  # type: ignore[no-untyped-call,no-any-return]


def _missing(x: Any) -> xr.DataArray:
    return x.isnull()  # type: ignore[no-any-return]  # noqa: PD003


def _days(x: Any) -> np.ndarray[Any, Any]:
    """datetime64 → days since epoch as float (NaT → NaN)."""
    a = np.asarray(x).astype("datetime64[D]")
    out = a.astype("int64").astype(float)
    out[np.isnat(a)] = np.nan
    return out


def _first_linked_off_track(indicator_status: xr.DataArray,
                            links: xr.DataArray) -> tuple[xr.DataArray, xr.DataArray]:
    """Per action: any linked progress indicator off track, and the first one's position.

    Links are sparse, so only the linked (action, indicator) pairs are visited
    (``np.minimum.reduceat`` over each action's pairs) instead of the dense
    action × indicator × … product.
    """
    lk = links.astype(bool).transpose("action", "indicator")
    rest = [d for d in indicator_status.dims if d != "indicator"]
    off = (indicator_status == _I["off track"]).transpose(*rest, "indicator").to_numpy()
    n_ind = off.shape[-1]
    a_idx, i_idx = np.nonzero(lk.to_numpy())
    first = np.full((*off.shape[:-1], lk.sizes["action"]), n_ind, dtype=np.int64)
    if a_idx.size:
        val = np.where(off[..., i_idx], i_idx, n_ind)
        starts = np.flatnonzero(np.r_[True, a_idx[1:] != a_idx[:-1]])
        first[..., a_idx[starts]] = np.minimum.reduceat(val, starts, axis=-1)
    coords = {d: indicator_status[d] for d in rest if d in indicator_status.coords}
    if "action" in links.coords:
        coords["action"] = links["action"]
    first_da = xr.DataArray(first, dims=(*rest, "action"), coords=coords)
    return first_da < n_ind, first_da


def action_status(
    panel: xr.Dataset,
    *,
    as_of: Any,
    indicator_status: xr.DataArray | None = None,
    links: xr.DataArray | None = None,
    optimal_days: int = 30,
    acceptable_days: int = 60,
    stale_days: int = 180,
) -> xr.Dataset:
    """Status of every action with the reason, and the freshness of its last update.

    Parameters
    ----------
    panel
        Variables ``phase``, ``state`` (labels of :data:`PHASES`, :data:`STATES` or their codes;
        missing = never reported), ``start``, ``end`` (years) and optionally
        ``status_override`` (a label of :data:`ACTION_STATUS` set by hand, empty = none; it wins
        over every rule but ``merged``), ``milestone_due``,
        ``milestone_done`` (datetime64 with a ``milestone`` dim, NaT = none / not done) and
        ``last_update`` (datetime64, NaT = never). Any other dims (municipality, action, round).
    as_of
        The date statuses are computed for (scalar or a DataArray, e.g. one per round).
    indicator_status, links
        Indicator status codes (dims … × ``indicator``) and a boolean ``action × indicator`` matrix
        of links that indicate progress: an action with a linked indicator off track is late.

    Any of ``panel``, ``as_of``, ``indicator_status`` and ``links`` may be dask-backed: the
    result is then dask-backed too and nothing is computed until asked (one eager call per block
    of entities; ``milestone`` and ``indicator`` are kept whole, every other dim keeps its chunks).
    Missing variables and dims are raised at the call, unknown labels (a phase, a state) when the
    result is computed.

    Returns
    -------
    xarray.Dataset
        ``status`` (codes into :data:`ACTION_STATUS`), ``reason`` (codes into
        :data:`ACTION_REASONS`), ``reason_index`` (position of the overdue milestone or the
        off-track indicator, −1 if none), ``freshness`` (codes into :data:`FRESHNESS`),
        ``update_age_days``.

    Examples
    --------
    >>> import numpy as np, xarray as xr
    >>> p = xr.Dataset({"phase": ("action", ["implementation", "planning", "not_started", None]),
    ...                 "state": ("action", ["active", "active", "active", "active"]),
    ...                 "start": ("action", [2024, 2024, 2024, 2027]),
    ...                 "end": ("action", [2030, 2023, 2030, 2030])})
    >>> out = action_status(p, as_of=np.datetime64("2026-03-01"))
    >>> [ACTION_STATUS[c] for c in out["status"].values]
    ['on time', 'late', 'late', 'no data']
    >>> [ACTION_REASONS[c] for c in out["reason"].values]
    ['', 'end year passed', 'not started by start year', '']
    """
    missing = [v for v in ("phase", "state", "start", "end") if v not in panel]
    if missing:
        raise MissingLabelError("variable of the action panel", missing, dim="variable")
    as_of_da = as_of if isinstance(as_of, xr.DataArray) else xr.DataArray(
        np.asarray(as_of, dtype="datetime64[D]"))
    off_first = None
    if indicator_status is not None and links is None:
        raise ValidationError("indicator_status needs links (action × indicator, bool)",
                              code="monitoring.links_missing", location="links")
    from klimacore._lazy import is_lazy

    if any(is_lazy(x) for x in (panel, as_of_da, indicator_status, links)):
        from klimacore.monitoring._status_lazy import lazy_action_status

        return lazy_action_status(
            action_status, panel, as_of=as_of_da, indicator_status=indicator_status, links=links,
            kwargs={"optimal_days": optimal_days, "acceptable_days": acceptable_days,
                    "stale_days": stale_days})
    if indicator_status is not None and links is not None:
        off_first = _first_linked_off_track(indicator_status, links)[1]
    # one broadcast (views, no copies) to a common layout, then plain numpy
    parts = {k: panel[k] for k in ("phase", "state", "start", "end", "last_update",
                                   "status_override") if k in panel}
    parts["as_of"] = as_of_da
    if off_first is not None:
        parts["off_first"] = off_first
    lined = dict(zip(parts, xr.broadcast(*parts.values()), strict=True))
    dims = lined["phase"].dims
    lined = {k: v.transpose(*dims) for k, v in lined.items()}
    day = lined["as_of"].to_numpy().astype("datetime64[D]")
    year = day.astype("datetime64[Y]").astype(np.int64) + 1970
    phase = codes(lined["phase"].to_numpy(), PHASES, what="phase")
    state = codes(lined["state"].to_numpy(), STATES, what="state")
    start, end = lined["start"].to_numpy(), lined["end"].to_numpy()

    reason = np.where(end < year, 1, 0).astype(np.int8)
    index = np.full(reason.shape, -1, dtype=np.int16)
    if "milestone_due" in panel:
        due_da = panel["milestone_due"]
        extra = [d for d in due_da.dims if d not in (*dims, "milestone")]
        if extra:
            raise ValidationError(f"milestone_due has dims {extra} that the panel lacks",
                                  code="monitoring.dims", label=extra, location="milestone_due")
        # compared in their own unit (numpy casts the day), no conversion pass
        due = due_da.broadcast_like(lined["phase"]).transpose(*dims, "milestone").to_numpy()
        if "milestone_done" in panel:
            done = panel["milestone_done"].broadcast_like(lined["phase"]).transpose(
                *dims, "milestone").to_numpy()
            open_ = np.isnat(done)
        else:
            open_ = np.ones(due.shape, dtype=bool)
        overdue = ~np.isnat(due) & (due < day[..., None]) & open_
        any_overdue = overdue.any(-1)
        take = any_overdue & (reason == 0)
        reason[take] = 2
        index[take] = overdue.argmax(-1)[take]
    if off_first is not None:
        first = lined["off_first"].to_numpy()
        take = (first < indicator_status.sizes["indicator"]) & (reason == 0)  # type: ignore[union-attr]
        reason[take] = 3
        index[take] = first[take]
    reason[(reason == 0) & (phase == 0) & (start < year)] = 4

    st = np.full(phase.shape, _A["no data"], dtype=np.int8)
    st[phase == 0] = _A["not started"]
    st[(phase == 1) | (phase == 2)] = _A["on time"]
    st[(reason > 0) & (phase >= 0) & (phase < 3)] = _A["late"]
    st[state == 1] = _A["postponed"]
    st[state == 3] = _A["out of scope"]
    st[state == 2] = _A["cancelled"]
    st[phase == 3] = _A["completed"]
    late = st == _A["late"]
    reason = np.where(late, reason, 0).astype(np.int8)
    index = np.where(late, index, -1).astype(np.int16)
    if "status_override" in lined:  # rule 2: a status set by hand (with a stated reason)
        manual = codes(lined["status_override"].to_numpy(), ACTION_STATUS,
                       what="status_override")
        by_hand = manual >= 0
        st[by_hand] = manual[by_hand]
        reason[by_hand] = len(ACTION_REASONS) - 1
        index[by_hand] = -1
    merged = state == 4
    st[merged] = _A["merged"]
    reason[merged] = 0
    index[merged] = -1

    if "last_update" in lined:
        last = lined["last_update"].to_numpy().astype("datetime64[D]")
        never = np.isnat(last)
        age = np.where(never, np.nan, (day - last).astype(np.int64).astype(float))
        fresh = np.select([never, age <= optimal_days, age <= acceptable_days,
                           age <= stale_days], [4, 0, 1, 2], 3).astype(np.int8)
    else:
        age = np.full(st.shape, np.nan)
        fresh = np.full(st.shape, 4, dtype=np.int8)
    coords = {k: v for k, v in lined["phase"].coords.items() if k in dims}

    def wrap(a: Any) -> xr.DataArray:
        return xr.DataArray(a, dims=dims, coords=coords)

    return xr.Dataset({
        "status": wrap(st), "reason": wrap(reason), "reason_index": wrap(index),
        "freshness": wrap(fresh), "update_age_days": wrap(age),
    }, attrs={"status_labels": list(ACTION_STATUS), "reason_labels": list(ACTION_REASONS),
              "freshness_labels": list(FRESHNESS),
              "freshness_days": [optimal_days, acceptable_days, stale_days]})


def indicator_status(
    *,
    baseline_year: xr.DataArray,
    baseline_value: xr.DataArray,
    target_year: xr.DataArray,
    target_value: xr.DataArray,
    direction: xr.DataArray,
    observations: xr.DataArray,
    as_of_year: Any,
    at_risk_pct: float = 5.0,
    max_age_years: int = 2,
    interpolation: str = "linear",
    projection: bool = False,
) -> xr.Dataset:
    """Status of indicators against the path through the baseline and their targets.

    ``target_year`` / ``target_value`` carry a ``target`` dim (NaN-padded, any order);
    ``direction`` is +1 (increase) or −1 (decrease); ``observations`` have a ``year`` dim (NaN =
    not observed). The latest observation at or before ``as_of_year`` is compared with the path
    ``p(t)`` (linear through baseline and targets, or ``step``: the latest target dated ≤ t);
    ``gap = s·(v_t − p(t))``, tolerance ``at_risk_pct`` % of ``|v_T − v_0|`` (final target);
    achieved if the final target is reached; no data if nothing was observed within
    ``max_age_years``. With ``projection=True`` also ``projected_value`` / ``projected_meets``: a
    least-squares line through the observations (at least 3) at the final target year.

    Any input may be dask-backed: the result is then dask-backed and nothing is computed until
    asked (one eager call per block of entities; ``year`` and ``target`` are kept whole, every
    other dim keeps its chunks). Missing dims and a bad ``interpolation`` are raised at the call.

    >>> import numpy as np, xarray as xr
    >>> one = lambda v: xr.DataArray(v)
    >>> tgt = lambda v: xr.DataArray([v], dims="target")
    >>> obs = xr.DataArray([19.5], dims="year", coords={"year": [2023]})
    >>> out = indicator_status(baseline_year=one(2020), baseline_value=one(4.0),
    ...     target_year=tgt(2030), target_value=tgt(60.0), direction=one(1), observations=obs,
    ...     as_of_year=2024)
    >>> float(out["expected"]), round(float(out["gap"]), 6), round(float(out["progress_pct"]), 2)
    (20.8, -1.3, 27.68)
    >>> INDICATOR_STATUS[int(out["status"])]
    'at risk'
    """
    if interpolation not in ("linear", "step"):
        raise ValidationError(f"interpolation {interpolation!r} must be 'linear' or 'step'",
                              code="monitoring.interpolation", label=interpolation,
                              location="interpolation")
    if "year" not in observations.dims:
        raise MissingLabelError("dimension of observations", ["year"], dim="dims")
    as_of = xr.DataArray(as_of_year) if not isinstance(as_of_year, xr.DataArray) else as_of_year
    for name, da in (("target_year", target_year), ("target_value", target_value)):
        if "target" not in da.dims:
            raise MissingLabelError(f"dimension of {name}", ["target"], dim="dims")
    from klimacore._lazy import is_lazy

    inputs = {"baseline_year": baseline_year, "baseline_value": baseline_value,
              "target_year": target_year, "target_value": target_value, "direction": direction,
              "observations": observations, "as_of_year": as_of}
    if any(is_lazy(x) for x in inputs.values()):
        from klimacore.monitoring._status_lazy import lazy_indicator_status

        return lazy_indicator_status(indicator_status, inputs, {
            "at_risk_pct": at_risk_pct, "max_age_years": max_age_years,
            "interpolation": interpolation, "projection": projection})
    # one broadcast (views) to the entity layout, then plain numpy
    tmpl = xr.broadcast(baseline_year, baseline_value, direction, as_of,
                        observations.isel(year=0, drop=True),
                        target_year.isel(target=0, drop=True))[0]
    dims = list(tmpl.dims)

    def arr(da: xr.DataArray, extra: str | None = None) -> Arr:
        return np.asarray(da.broadcast_like(tmpl).transpose(*dims, *([extra] if extra else []))
                          .to_numpy(), dtype=float)

    years = observations["year"].to_numpy().astype(float)
    obs = arr(observations, "year")
    asof = arr(as_of)
    by, bv, sgn = arr(baseline_year), arr(baseline_value), arr(direction)
    with np.errstate(invalid="ignore"):
        seen = ~np.isnan(obs) & (years <= asof[..., None])
    has = seen.any(-1)
    pos = seen.shape[-1] - 1 - seen[..., ::-1].argmax(-1)
    t = np.where(has, years[pos], np.nan)
    vt = np.where(has, np.take_along_axis(obs, pos[..., None], -1)[..., 0], np.nan)

    # knots: baseline + targets sorted by year (NaN targets last)
    kyn = np.concatenate([by[..., None], arr(target_year, "target")], -1)
    kvn = np.concatenate([bv[..., None], arr(target_value, "target")], -1)
    order = np.argsort(np.where(np.isnan(kyn), np.inf, kyn), axis=-1)
    kyn = np.take_along_axis(kyn, order, -1)
    kvn = np.take_along_axis(kvn, order, -1)
    n_valid = np.sum(~np.isnan(kyn), axis=-1)
    last = np.clip(n_valid - 1, 0, None)[..., None]
    y_final = np.take_along_axis(kyn, last, -1)[..., 0]
    v_final = np.take_along_axis(kvn, last, -1)[..., 0]
    with np.errstate(invalid="ignore"):
        k = np.sum(kyn <= t[..., None], axis=-1) - 1  # last knot ≤ t
    k = np.clip(k, 0, np.maximum(n_valid - 1, 0))
    k_hi = np.minimum(k + 1, np.maximum(n_valid - 1, 0))
    y_lo = np.take_along_axis(kyn, k[..., None], -1)[..., 0]
    v_lo = np.take_along_axis(kvn, k[..., None], -1)[..., 0]
    y_hi = np.take_along_axis(kyn, k_hi[..., None], -1)[..., 0]
    v_hi = np.take_along_axis(kvn, k_hi[..., None], -1)[..., 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.clip(np.where(y_hi > y_lo, (t - y_lo) / (y_hi - y_lo), 0.0), 0.0, 1.0)
        expected = v_lo + frac * (v_hi - v_lo) if interpolation == "linear" else v_lo
        expected = np.where(t < kyn[..., 0], kvn[..., 0], expected)
        gap = sgn * (vt - expected)
        tol = at_risk_pct / 100.0 * np.abs(v_final - bv)
        progress = 100.0 * (vt - bv) / (v_final - bv)
        stale = ~has | ((asof - t) > max_age_years)
        no_data = stale | np.isnan(expected) | (n_valid < 2) | np.isnan(by)
        status = np.select(
            [no_data, sgn * (vt - v_final) >= 0, gap >= 0, gap >= -tol],
            [_I["no data"], _I["achieved"], _I["on track"], _I["at risk"]],
            _I["off track"]).astype(np.int8)
        wrong = (sgn * (vt - bv) < 0) & has
    coords = {d: tmpl[d] for d in dims if d in tmpl.coords}

    def wrap(a: Any) -> xr.DataArray:
        return xr.DataArray(a, dims=dims, coords=coords)

    out = {"status": status, "latest_year": t, "latest_value": vt, "expected": expected,
           "gap": gap, "tolerance": tol, "progress_pct": progress, "target_year": y_final,
           "target_value": v_final, "wrong_direction": wrong}
    if projection:
        out.update(_projection(years, obs, seen, y_final, v_final, sgn))
    return xr.Dataset({k: wrap(v) for k, v in out.items()},
                      attrs={"status_labels": list(INDICATOR_STATUS), "at_risk_pct": at_risk_pct,
                             "max_age_years": max_age_years, "interpolation": interpolation})


def _projection(years: Arr, obs: Arr, seen: Arr, y_final: Arr, v_final: Arr,
                sgn: Arr) -> dict[str, Arr]:
    """Least-squares line through every observation up to ``as_of`` (at least 3), evaluated at
    the final target year: ``projected_value`` and ``projected_meets`` (the trend approach of
    Klimatkollen's ``trendCoefficients``; MONITORING.md §A.4.3). NaN / False with < 3 points."""
    x = np.where(seen, years, 0.0)
    y = np.where(seen, obs, 0.0)
    n = seen.sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mx = x.sum(-1) / n
        my = y.sum(-1) / n
        dx = np.where(seen, years - mx[..., None], 0.0)
        sxx = (dx * dx).sum(-1)
        sxy = (dx * np.where(seen, obs - my[..., None], 0.0)).sum(-1)
        proj = np.where((n >= 3) & (sxx > 0), my + sxy / sxx * (y_final - mx), np.nan)
        meets = (sgn * (proj - v_final) >= 0) & ~np.isnan(proj)
    return {"projected_value": proj, "projected_meets": meets}


def data_age(
    *,
    as_of: Any,
    inventory_year: xr.DataArray | None = None,
    risk_assessment_date: xr.DataArray | None = None,
    risk_data_year: xr.DataArray | None = None,
    inventory_max_age: int = 3,
    risk_max_age: int = 5,
    risk_data_max_age: int = 10,
) -> xr.Dataset:
    """Recency of the inventory (≤ 3 years) and the risk assessment (≤ 5 years, data ≤ 10).

    Inventory: age ``as_of.year − year``; below the limit fresh, at it due (still compliant),
    above stale. Risk assessment: stale when older than ``risk_max_age`` years or resting on
    data older than ``risk_data_max_age``; fresh otherwise. Missing → no data, never a warning.
    Sources: CCTF guide D1 p. 17–19; C40 Leadership Standards (MONITORING.md §0.3).
    Dask-backed inputs (``as_of`` too) give a dask-backed result, element by element, with the
    inputs' chunks; nothing is computed until asked.

    >>> import numpy as np, xarray as xr
    >>> out = data_age(as_of=np.datetime64("2026-11-22"),
    ...                inventory_year=xr.DataArray([2023.0, 2020.0, np.nan]),
    ...                risk_assessment_date=xr.DataArray(np.array(
    ...                    ["2020-03-01", "2024-01-01", "NaT"], dtype="datetime64[D]")))
    >>> [DATA_AGE_STATUS[c] for c in out["inventory_status"].values]
    ['due', 'stale', 'no data']
    >>> [DATA_AGE_STATUS[c] for c in out["risk_status"].values]
    ['stale', 'fresh', 'no data']
    """
    from klimacore._lazy import is_lazy

    year: Any
    if is_lazy(as_of):  # the same layout as the eager np.asarray(as_of), left lazy
        day = xr.DataArray(as_of.data.astype("datetime64[D]"))
        year = day.astype("datetime64[Y]").astype(np.int64) + 1970 if day.ndim == 0 else None
    else:
        day_np = np.asarray(as_of, dtype="datetime64[D]")
        year = int(str(day_np)[:4]) if day_np.ndim == 0 else None
        day = xr.DataArray(day_np)
    out = xr.Dataset(attrs={"status_labels": list(DATA_AGE_STATUS),
                            "limits_years": [inventory_max_age, risk_max_age, risk_data_max_age]})
    if inventory_year is not None:
        if year is None:
            raise ValidationError("as_of must be one date", code="monitoring.as_of",
                                  location="as_of")
        age = year - inventory_year.astype(float)
        st = _where(age < inventory_max_age, 0, _where(age == inventory_max_age, 1, 2))
        out["inventory_age"] = age
        out["inventory_status"] = _where(_missing(age), 3, st).astype(np.int8)
    if risk_assessment_date is not None:
        age_r = (day - risk_assessment_date.astype("datetime64[D]")).dt.days / 365.25
        stale = age_r > risk_max_age
        if risk_data_year is not None:
            data_gap = risk_assessment_date.dt.year - risk_data_year
            stale = stale | (data_gap > risk_data_max_age)
        out["risk_age"] = age_r
        out["risk_status"] = _where(_missing(age_r), 3, _where(stale, 2, 0)).astype(np.int8)
    return out


def status_frame(result: xr.Dataset, *, kind: str = "action") -> pd.DataFrame:
    """A tidy table of a status result with labels in words (and reasons for actions).

    A table is a presentation of values: a dask-backed ``result`` is computed here (reduce it
    first, e.g. with :func:`action_summary`, when it is large).

    >>> import numpy as np, xarray as xr
    >>> p = xr.Dataset({"phase": ("action", ["planning"]), "state": ("action", ["active"]),
    ...                 "start": ("action", [2024]), "end": ("action", [2023])},
    ...                coords={"action": ["A1"]})
    >>> status_frame(action_status(p, as_of=np.datetime64("2026-01-01")))[
    ...     ["action", "status", "reason"]].to_dict("records")
    [{'action': 'A1', 'status': 'late', 'reason': 'end year passed'}]
    """
    frame = result.to_dataframe().reset_index()
    labels = {"action": ACTION_STATUS, "indicator": INDICATOR_STATUS}.get(kind)
    if labels is None:
        raise ValidationError(f"unknown status kind {kind!r} (action or indicator)",
                              code="monitoring.status_kind", label=kind, location="kind")
    frame["status"] = np.asarray(labels, dtype=object)[frame["status"].to_numpy()]
    if kind == "action":
        frame["reason"] = np.asarray(ACTION_REASONS, dtype=object)[frame["reason"].to_numpy()]
        frame["freshness"] = np.asarray(FRESHNESS, dtype=object)[frame["freshness"].to_numpy()]
    return frame


def action_summary(result: xr.Dataset, *, dim: str = "action",
                   expected_effect: xr.DataArray | None = None) -> xr.Dataset:
    """Plan-level action metrics from :func:`action_status` (MONITORING.md §A.4.5).

    Over ``dim``: ``n`` and ``n_active`` (not merged, completed, cancelled, out of scope or
    postponed), the count per status (``n_by_status``), ``share_completed`` (of all but merged),
    ``share_late`` and ``share_reported`` (of active; reported = updated at least once), and,
    with ``expected_effect`` (t CO2e by action), ``expected_effect_t`` per status. Shares are NaN
    where there is nothing to divide by. A roll-up to regions sums the counts
    (:func:`klimacore.monitoring.rollup`), never the shares.

    A dask-backed ``result`` (or ``expected_effect``) gives a dask-backed summary, nothing
    computed; ``dim`` is rechunked into one chunk so the sums add up in the eager order (exact).

    >>> import numpy as np, xarray as xr
    >>> p = xr.Dataset({"phase": ("action", ["completed", "planning", "planning", None]),
    ...                 "state": ("action", ["active"] * 4),
    ...                 "start": ("action", [2020, 2024, 2024, 2024]),
    ...                 "end": ("action", [2025, 2030, 2024, 2030])})
    >>> s = action_summary(action_status(p, as_of=np.datetime64("2026-01-01")))
    >>> int(s["n_active"]), float(s["share_late"]), float(s["share_completed"])
    (3, 0.3333333333333333, 0.25)
    """
    from klimacore._lazy import is_lazy

    # dask-backed: the reduced dim in one chunk, so the sums add in the eager order (exact)
    if is_lazy(result) and dim in result.dims:
        result = result.chunk({dim: -1})
    if is_lazy(expected_effect) and dim in expected_effect.dims:  # type: ignore[union-attr]
        expected_effect = expected_effect.chunk({dim: -1})  # type: ignore[union-attr]
    st = result["status"]
    labels = list(ACTION_STATUS)
    counts = xr.concat([(st == i).sum(dim) for i in range(len(labels))], "status") \
        .assign_coords(status=labels)
    inactive = [_A[k] for k in ("merged", "completed", "cancelled", "out of scope", "postponed")]
    active = ~st.isin(inactive)
    n_active = active.sum(dim)
    reported = active & (result["freshness"] != FRESHNESS.index("never reported"))
    n_all = st.sizes[dim] - (st == _A["merged"]).sum(dim)
    with np.errstate(divide="ignore", invalid="ignore"):
        out = xr.Dataset({
            "n": st.count(dim), "n_active": n_active, "n_by_status": counts,
            "share_completed": (st == _A["completed"]).sum(dim) / n_all.where(n_all > 0),
            "share_late": (st == _A["late"]).sum(dim) / n_active.where(n_active > 0),
            "share_reported": reported.sum(dim) / n_active.where(n_active > 0),
        })
    if expected_effect is not None:
        known = ~_missing(expected_effect)  # a missing effect counts as none (skipna)
        out["expected_effect_t"] = xr.concat(
            [_row_sum(expected_effect.where((st == i) & known, 0.0), dim)
             for i in range(len(labels))], "status"
        ).assign_coords(status=labels)
    return out


def _row_sum_np(a: Arr) -> Arr:
    out: Arr = np.ascontiguousarray(a, dtype=float).sum(-1)
    return out


def _row_sum(da: xr.DataArray, dim: str) -> xr.DataArray:
    """Sum over ``dim`` as contiguous rows: numpy adds each row in the same (pairwise) order
    whatever the other dims' sizes, so blocks of a dask-backed input sum exactly as the eager
    array (xarray's own sum may take another order on a block than on the whole)."""
    out: xr.DataArray = xr.apply_ufunc(  # type: ignore[no-untyped-call]
        _row_sum_np, da, input_core_dims=[[dim]], dask="parallelized",
        output_dtypes=[np.float64])
    return out
