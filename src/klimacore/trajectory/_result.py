"""The result of a trajectory check and its tidy tables.

:class:`TrajectoryCheck` holds three xarray Datasets (per year, per milestone, per entity and
reference) and turns them into tidy DataFrames with a status, a severity and a message per row.
Status codes: 0 on track, 1 at risk, 2 off track, 3 no data (−1, not applicable, never appears in
tables).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from klimacore.errors import ValidationError
from klimacore.trajectory._messages import Choice, Int, Num0, Num1, column

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from klimacore.trajectory._references import Reference

__all__ = [
    "AT_RISK",
    "NOT_APPLICABLE",
    "NO_DATA",
    "OFF_TRACK",
    "ON_TRACK",
    "SEVERITY",
    "STATUS_LABELS",
    "TrajectoryCheck",
]

ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA = 0, 1, 2, 3
NOT_APPLICABLE = -1
STATUS_LABELS: tuple[str, ...] = ("on track", "at risk", "off track", "no data")
"""Status labels by code 0–3 (−1, not applicable, never appears in tables)."""
SEVERITY: dict[str, str] = {
    "on track": "info",
    "at risk": "warning",
    "off track": "error",
    "no data": "warning",
}
"""Severity of each status."""
_WORST_RANK = {ON_TRACK: 0, NO_DATA: 1, AT_RISK: 2, OFF_TRACK: 3}

# --- result -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrajectoryCheck:
    """Result of :func:`check_trajectory`.

    Attributes
    ----------
    years
        Per year: ``emissions`` (entity…, year) and ``allowed``, ``gap_t``, ``gap_pct``,
        ``status`` (entity…, reference, year; status codes 0–3 as in :data:`STATUS_LABELS`, −1
        where the reference does not apply, e.g. before its base year).
    milestones
        The same at milestone years, plus ``is_milestone`` (reference, year),
        ``required_rate_pct`` and ``achieved_rate_pct`` (average annual reduction from the base
        year, linear, in % of base-year emissions a year) and ``data_year`` (the latest year with
        data up to the milestone, on which the achieved rate rests).
    summary
        Per entity and reference: ``base_t``, ``cumulative_t`` and ``cumulative_allowed_t`` over
        ``window_start``–``window_end`` (from ``budget_start`` or the base year to the last year
        of the data or the reference's last milestone / net-zero year, whichever is earlier),
        ``budget_t`` (a budget reference's allocated budget, else
        the cumulative allowed emissions to the reference's last milestone), ``budget_gap_pct``,
        ``budget_status``, ``budget_exhausted_year``, ``net_zero_year`` (first year with net
        emissions ≤ 0) and ``net_zero_status`` against the reference's net-zero year.
    references
        The references checked, in order.
    """

    years: xr.Dataset
    milestones: xr.Dataset
    summary: xr.Dataset
    references: tuple[Reference, ...]
    entity_dims: tuple[str, ...] = field(default=())

    def to_xarray(self) -> xr.Dataset:
        """Everything in one Dataset (milestone variables on a ``milestone`` dim, prefixed)."""
        import xarray as xr

        ms = self.milestones.rename({"year": "milestone"})
        ms = ms.rename({v: f"milestone_{v}" for v in ms.data_vars if v != "is_milestone"})
        out = xr.merge([self.years, ms, self.summary], compat="override", join="outer")
        out.attrs = dict(self.years.attrs)
        return out

    def to_frame(
        self, kind: Literal["all", "milestones", "years", "budget", "net_zero"] = "all"
    ) -> pd.DataFrame:
        """A tidy table: one row per entity × reference × criterion (× year).

        ``kind='all'`` gives milestone, budget and net-zero rows, in that order, each ordered by
        entity, reference and year (the per-year rows come with ``kind='years'``). Columns: the
        entity dims, ``reference``, ``criterion``, ``year``,
        ``value``, ``threshold``, ``gap_t``, ``gap_pct``, ``required_rate_pct``,
        ``achieved_rate_pct``, ``status``, ``severity``, ``message``.
        """

        if kind == "milestones":
            return _milestone_frame(self)
        if kind == "years":
            return _year_frame(self)
        if kind == "budget":
            return _budget_frame(self)
        if kind == "net_zero":
            return _net_zero_frame(self)
        if kind != "all":
            raise ValidationError(f"unknown kind {kind!r}: all, milestones, years, budget, net_zero")
        parts = [_milestone_frame(self), _budget_frame(self), _net_zero_frame(self)]
        return _concat([p for p in parts if len(p)])

    def _repr_html_(self) -> str:
        from klimacore._repr import trajectory_check_html

        return trajectory_check_html(self)

    def __repr__(self) -> str:  # the dataclass default prints every Dataset (10k characters)
        refs = ", ".join(r.id for r in self.references)
        dims = dict(self.years.sizes)
        return f"<TrajectoryCheck references=[{refs}] dims={dims}>"

    def worst(self, *, projected: bool = True, window: int = 5) -> pd.DataFrame:
        """The worst milestone status per entity × reference (off track > at risk > no data).

        Milestones after an entity's latest reported year are judged by their projected status
        (:meth:`latest`: the trend over the last ``window`` years), not reported as "no data";
        ``projected=False`` keeps the observed statuses only. A single series gives one row.
        """
        import pandas as pd
        import xarray as xr

        ms = self.milestones
        status = ms["status"].where(ms["is_milestone"], NOT_APPLICABLE).to_numpy()
        if projected:
            from klimacore.trajectory._latest import latest_from_check

            projected_status = latest_from_check(self, window=window).milestones["status"]
            future = projected_status.transpose(*ms["status"].dims).to_numpy()
            status = np.where(future >= 0, future, status)
        lookup = np.asarray([-1, *(_WORST_RANK[c] for c in range(len(STATUS_LABELS)))])
        rank = lookup[status.astype(np.int64) + 1]
        worst_idx = rank.argmax(axis=-1)
        worst = np.take_along_axis(status, worst_idx[..., None], axis=-1)[..., 0]
        labels = np.asarray(STATUS_LABELS, dtype=object)[np.maximum(worst, 0)]
        if not self.entity_dims:
            refs = [r.id for r in self.references]
            return pd.DataFrame([labels.tolist()], columns=pd.Index(refs, name="reference"),
                                index=pd.Index(["series"], name="entity"))
        da = xr.DataArray(
            labels,
            dims=ms["status"].dims[:-1],
            coords={k: v for k, v in ms["status"].coords.items() if "year" not in v.dims},
        )
        return da.to_series().unstack("reference")

    def latest(self, *, window: int = 5, projection: Any = None,
               as_of: int | None = None) -> pd.DataFrame:
        """Latest-year verdicts, one row per entity × reference (see
        :func:`~klimacore.trajectory.latest_verdicts`)."""
        from klimacore.trajectory._latest import latest_from_check

        return latest_from_check(self, window=window, projection=projection,
                                 as_of=as_of).latest()


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """``pd.concat(frames, ignore_index=True)``, column by column without pandas' casts: the
    criterion categoricals (one category each) become strings through Arrow, the messages are
    joined as Arrow chunks, missing float columns are NaN. Anything else goes to pandas."""
    import pandas as pd

    names = list(dict.fromkeys(c for f in frames for c in f.columns))
    sizes = [len(f) for f in frames]
    out = {}
    for name in names:
        col = _concat_column([f[name] if name in f.columns else None for f in frames], sizes)
        if col is None:
            return pd.concat(frames, ignore_index=True)
        out[name] = col
    return pd.DataFrame(out, copy=False)  # fresh arrays: no 2-D block copy


def _concat_column(cols: list[Any], sizes: list[int]) -> Any:
    import pandas as pd

    present = [c for c in cols if c is not None]
    dtypes = [c.dtype for c in present]
    if all(isinstance(d, pd.CategoricalDtype) for d in dtypes) and len(present) == len(cols):
        if all(d == dtypes[0] for d in dtypes):
            return pd.Categorical.from_codes(np.concatenate([c.cat.codes.to_numpy()
                                                             for c in present]),
                                             dtype=dtypes[0])
        return _strings(present)
    if all(isinstance(d, np.dtype) and d.kind in "fiub" for d in dtypes):
        if len(present) == len(cols):
            return np.concatenate([c.to_numpy() for c in present])
        if all(d.kind == "f" for d in dtypes):
            return np.concatenate([np.full(n, np.nan) if c is None else c.to_numpy()
                                   for c, n in zip(cols, sizes, strict=True)])
        return None
    if (len(present) == len(cols) and all(isinstance(d, pd.StringDtype) and d == dtypes[0]
                                          and d.storage == "pyarrow" for d in dtypes)):
        import pyarrow as pa  # type: ignore[import-untyped]

        chunks = [pa.array(c.array) for c in present]
        return pd.array(pa.chunked_array(chunks), dtype=dtypes[0])
    return None


def _strings(present: list[Any]) -> Any:
    """Categoricals of differing categories joined as pandas does (their labels as strings),
    through an Arrow dictionary rather than Python objects."""
    import pandas as pd

    dtype = pd.concat([c.iloc[:1] for c in present], ignore_index=True).dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return None  # without pyarrow (not a dependency of klimacore) pandas joins them itself
    import pyarrow as pa
    labels: list[str] = []
    codes = []
    for c in present:
        cats = [str(x) for x in c.cat.categories]
        codes.append(c.cat.codes.to_numpy().astype(np.int32) + len(labels))
        labels.extend(cats)
    joined = pa.DictionaryArray.from_arrays(pa.array(np.concatenate(codes)),
                                            pa.array(labels, type=pa.large_string()))
    return pd.array(joined.cast(pa.large_string()), dtype=dtype)


_COLUMNS = ("reference", "criterion", "year", "value", "threshold", "gap_t", "gap_pct",
            "required_rate_pct", "achieved_rate_pct", "data_year", "status", "severity",
            "message")
_SEVERITY_CODES = np.asarray([("info", "warning", "error", "warning").index(SEVERITY[s])
                              for s in STATUS_LABELS])


def _categorical(codes: Any, categories: list[str]) -> Any:
    import pandas as pd

    return pd.Categorical.from_codes(np.asarray(codes, dtype=np.int64),
                                     categories=pd.Index(categories))


class _Rows:
    """Column builder for the cells of ``like`` (dims: entity…, reference[, year]) in ``mask``."""

    def __init__(self, check: TrajectoryCheck, like: xr.DataArray, mask: Any,
                 criterion: str) -> None:

        self.like, self.shape = like, like.shape
        self.sel = np.flatnonzero(np.broadcast_to(mask, like.shape).reshape(-1))
        idx = np.unravel_index(self.sel, like.shape)
        self.idx = dict(zip(like.dims, idx, strict=True))
        self.cols: dict[str, Any] = {}
        self.ref_idx = np.zeros(self.sel.size, dtype=np.int64)
        self.year_idx: np.ndarray[Any, Any] | None = None
        for dim, i in zip(like.dims, idx, strict=True):
            if dim == "reference":
                self.ref_idx = i
                self.cols["reference"] = _categorical(i, [r.id for r in check.references])
            elif dim == "year":
                self.year_idx = i
                self.cols["year"] = np.asarray(like["year"].to_numpy())[i]
            else:
                self.cols[str(dim)] = np.asarray(like[dim].to_numpy())[i]
        self.cols["criterion"] = _categorical(np.zeros(self.sel.size, dtype=np.int8),
                                              [criterion])

    def take(self, da: xr.DataArray) -> np.ndarray[Any, Any]:
        """``da`` at the selected cells; a variable without some of the dims of ``like`` is
        indexed in its own (smaller) layout, never broadcast to the full shape first."""
        dims = [d for d in self.like.dims if d in da.dims]
        arr = da.transpose(*dims).to_numpy()
        if len(dims) == len(self.like.dims):
            return arr.reshape(-1)[self.sel]
        if not dims:
            return np.full(self.sel.size, arr[()], dtype=arr.dtype)
        flat = np.ravel_multi_index([self.idx[d] for d in dims], arr.shape)
        return arr.reshape(-1)[flat]

    def status(self, codes: np.ndarray[Any, Any]) -> None:

        c = np.maximum(codes, 0).astype(np.int8)
        self.cols["status"] = _categorical(c, list(STATUS_LABELS))
        self.cols["severity"] = _categorical(_SEVERITY_CODES[c], ["info", "warning", "error"])

    def frame(self, entity_dims: Sequence[str]) -> pd.DataFrame:
        import pandas as pd

        order = [*entity_dims, *_COLUMNS]
        return pd.DataFrame({c: self.cols[c] for c in order if c in self.cols}, copy=False)


def _n(x: float) -> str:
    return f"{x:,.0f}" if x == x else "nan"


def _level_messages(rows: _Rows, refs: Sequence[Reference], codes: np.ndarray[Any, Any],
                    value: np.ndarray[Any, Any], threshold: np.ndarray[Any, Any],
                    gap: np.ndarray[Any, Any], gap_pct: np.ndarray[Any, Any]) -> Any:
    """One message per row, assembled column-wise per status (:mod:`._messages`)."""
    heads = [f"{r.id} " for r in refs]
    base_years = np.asarray([r.base_year for r in refs])[rows.ref_idx]
    years = rows.cols["year"]
    out = column(codes.size)
    case = _picker(out)

    head, year = Choice(rows.ref_idx, heads), Int(years)
    case(codes == ON_TRACK, head, year, ": on track, ", Num0(value), " t ≤ allowed ",
         Num0(threshold), " t")
    case((codes == AT_RISK) & (gap <= 0), head, year, ": at risk, ", Num0(value),
         " t is within the range but in its lower half (must be justified)")
    for code, word in ((AT_RISK, "at risk"), (OFF_TRACK, "off track")):
        case((codes == code) & (gap > 0), head, year, f": {word}, ", Num0(gap), " t (",
             Num1(gap_pct), " % of ", Int(base_years), " emissions) above the allowed ",
             Num0(threshold), " t")
    known = threshold == threshold
    case((codes == NO_DATA) & known, head, year, ": no data for ", year, " (allowed ",
         Num0(threshold), " t)")
    case((codes == NO_DATA) & ~known, head, year,
         ": no data (allowed value unknown: population or base year missing)")
    return out.build()


def _picker(out: Any) -> Any:
    """``pick(mask, *parts)``: add the rows in ``mask`` as one case of ``out``, with the
    parts' arrays restricted to those rows."""

    def pick(mask: np.ndarray[Any, Any], *parts: Any) -> None:
        idx = np.flatnonzero(mask)
        out.add(idx, [p if isinstance(p, str) else
                      Choice(np.asarray(p.codes)[idx], p.choices) if isinstance(p, Choice) else
                      type(p)(np.asarray(p.values)[idx]) for p in parts])

    return pick


def _gap_frame(check: TrajectoryCheck, ds: Any, mask: Any, kind: str,
               extra: tuple[str, ...] = ()) -> pd.DataFrame:
    """Rows of emissions against allowed values (per milestone or per year), with messages."""
    status = ds["status"]
    rows = _Rows(check, status, mask, kind)
    codes = rows.take(status)
    value, threshold = rows.take(ds["emissions"]), rows.take(ds["allowed"])
    gap, gap_pct = rows.take(ds["gap_t"]), rows.take(ds["gap_pct"])
    rows.cols.update(value=value, threshold=threshold, gap_t=gap, gap_pct=gap_pct)
    rows.cols.update({name: rows.take(ds[name]) for name in extra})
    rows.status(codes)
    rows.cols["message"] = _level_messages(rows, check.references, codes, value, threshold,
                                           gap, gap_pct)
    return rows.frame(check.entity_dims)


def _milestone_frame(check: TrajectoryCheck) -> pd.DataFrame:
    ms = check.milestones
    mask = ms["is_milestone"].to_numpy() & (ms["status"].to_numpy() >= 0)
    return _gap_frame(check, ms, mask, "milestone",
                      ("required_rate_pct", "achieved_rate_pct", "data_year"))


def _year_frame(check: TrajectoryCheck) -> pd.DataFrame:
    """Per-year rows; years that are not a milestone of the reference (nor its base year) are
    compared with an interpolated path no law or plan sets: labelled ``indicative``, severity at
    most ``warning``, and the message says so."""
    ys = check.years
    frame = _gap_frame(check, ys, ys["status"].to_numpy() >= 0, "year")
    fixed = {r.id: {r.base_year, *r.milestone_years} for r in check.references}
    refs = frame["reference"].astype(str).to_numpy()
    years = frame["year"].to_numpy()
    indicative = np.asarray([int(y) not in fixed[r] for r, y in zip(refs, years, strict=True)],
                            dtype=bool)
    frame.insert(list(frame.columns).index("status"), "indicative", indicative)
    if indicative.any():
        severity = frame["severity"].astype(str).to_numpy().copy()
        severity[indicative & (severity == "error")] = "warning"
        frame["severity"] = _categorical(
            np.asarray([("info", "warning", "error").index(s) for s in severity]),
            ["info", "warning", "error"])
        start = check.years.attrs.get("indicative_from", "base_year")
        starts = {r.id: (r.base_year if start == "base_year" else start)
                  for r in check.references}
        msgs = frame["message"].to_numpy().copy()
        for i in np.flatnonzero(indicative):
            msgs[i] = (f"{msgs[i]} [indicative path: straight line from {starts[refs[i]]} "
                       "between milestones, not a target]")
        frame["message"] = msgs
    return frame


def _budget_frame(check: TrajectoryCheck) -> pd.DataFrame:
    sm = check.summary
    status = sm["budget_status"]
    rows = _Rows(check, status, status.to_numpy() >= 0, "budget")
    codes = rows.take(status)
    value, allowed = rows.take(sm["cumulative_t"]), rows.take(sm["cumulative_allowed_t"])
    budget, exhausted = rows.take(sm["budget_t"]), rows.take(sm["budget_exhausted_year"])
    rows.cols.update(year=rows.take(sm["window_end"]), value=value, threshold=allowed,
                     gap_t=value - allowed,
                     gap_pct=rows.take(sm["budget_gap_pct"]))
    rows.status(codes)
    refs = check.references
    spans, whats = [], []
    starts, ends = sm["window_start"].to_numpy(), sm["window_end"].to_numpy()
    for r, s0, e0 in zip(refs, starts, ends, strict=True):
        spans.append(f"{r.id} cumulative {int(s0)}–{int(e0)}" if s0 == s0 and e0 == e0
                     else f"{r.id} cumulative (no window)")
        whats.append("budget" if r.method == "budget" else "implied budget")
    out = column(codes.size)
    span, what = Choice(rows.ref_idx, spans), Choice(rows.ref_idx, whats)
    no_data, ran_out = codes == NO_DATA, exhausted == exhausted
    pick = _picker(out)
    pick(no_data, span, ": no data (annual data needed for every year of the window)")
    label = Choice(np.maximum(codes, 0), list(STATUS_LABELS))
    for mask, tail in ((~no_data & ran_out, (" t runs out in ", Int(exhausted))),
                       (~no_data & ~ran_out, (" t not exhausted within the data",))):
        pick(mask, span, ": ", label, ", ", Num0(value), " t vs ", Num0(allowed),
             " t allowed; ", what, " ", Num0(budget), *tail)
    msgs = out.build()
    rows.cols["message"] = msgs
    return rows.frame(check.entity_dims)


def _net_zero_frame(check: TrajectoryCheck) -> pd.DataFrame:
    sm = check.summary
    status = sm["net_zero_status"]
    rows = _Rows(check, status, status.to_numpy() >= 0, "net zero")
    codes = rows.take(status)
    required = rows.take(sm["net_zero_required"])
    crossed = rows.take(sm["net_zero_year"])
    rows.cols.update(year=required, value=crossed, threshold=required)
    rows.status(codes)
    ids = Choice(rows.ref_idx, [r.id for r in check.references])
    out = column(codes.size)
    pick = _picker(out)
    crossed_known = crossed == crossed
    pick(codes == ON_TRACK, ids, ": net zero crossed in ", Int(crossed), " (required by ",
         Int(required), ")")
    pick((codes == OFF_TRACK) & crossed_known, ids, ": net zero only in ", Int(crossed),
         " crossed, required by ", Int(required))
    pick((codes == OFF_TRACK) & ~crossed_known, ids, ": net zero not crossed, required by ",
         Int(required))
    pick((codes != ON_TRACK) & (codes != OFF_TRACK), ids, ": no data to ", Int(required),
         " to tell when net zero is crossed")
    msgs = out.build()
    rows.cols["message"] = msgs
    return rows.frame(check.entity_dims)
