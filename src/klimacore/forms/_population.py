"""The population form: inhabitants keyed by named dimensions, never broadcast.

A population is an :class:`xarray.DataArray` whose dimensions are among :data:`POPULATION_DIMS`
(``municipality``, ``region``, ``year``; integer coordinates), with positive finite values and
``attrs["units"] == "persons"``. :func:`as_population` builds it from any accepted input, once,
where data enter; :func:`population_for` lines it up with the data an engine divides, refusing a
population that lacks an entity dimension the data have (one population per municipality, never
one number spread over all of them).

A plain mapping or an unnamed Series carries no dimension name: the caller says which dimension
its keys are (``dim=``). Labelled inputs (a DataArray, a Series with a named index, a DataFrame
with dimension columns) say it themselves.

Examples
--------
>>> pop = as_population({2019: 22_700, 2024: 23_300}, dim="year")
>>> pop.dims, pop["year"].values.tolist(), pop.attrs["units"]
(('year',), [2019, 2024], 'persons')
>>> import pandas as pd
>>> s = pd.Series([23_300, 660_000], index=pd.Index([727, 101], name="municipality"))
>>> as_population(s).sel(municipality=727).item()
23300.0
>>> as_population({727: 23_300})
Traceback (most recent call last):
...
klimacore.errors.ValidationError: population given as a plain mapping: say which dimension its keys are (dim='municipality', 'region' or 'year'), or give a Series with a named index or a DataArray
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import DataError, MissingLabelError, Problems, ValidationError

if TYPE_CHECKING:
    import xarray as xr

__all__ = ["ENTITY_DIMS", "POPULATION_DIMS", "as_population", "population_for",
           "require_entity_dims"]

POPULATION_DIMS: tuple[str, ...] = ("municipality", "region", "year")
"""The dimensions a population may be keyed by (integer codes and years)."""

ENTITY_DIMS: tuple[str, ...] = ("municipality", "region")
"""The dimensions naming an entity: data with one need a population with it (never broadcast)."""

_VALUE_COLUMNS = ("population", "value")
_IGNORED_COLUMNS = ("source", "note", "unit", "units", "name")


def as_population(obj: Any, *, dim: str | None = None, source: str | None = None) -> xr.DataArray:
    """The population form of ``obj``: a DataArray keyed by named dims, persons, values > 0.

    Parameters
    ----------
    obj
        A DataArray (dims among :data:`POPULATION_DIMS`), a Series (index named after the dims,
        or unnamed with ``dim=``), a DataFrame (dimension columns and a ``population`` or
        ``value`` column; ``source``/``note``/``unit``/``name`` columns are ignored), a mapping
        ``{key: persons}`` with ``dim=``, or a number (a population with no dimension).
    dim
        The dimension a plain mapping's (or an unnamed Series') keys are. Refused for labelled
        input whose own dimension names differ.
    source
        Recorded in ``attrs["source"]`` (default the input's own ``attrs["source"]`` if any).

    Returns
    -------
    xarray.DataArray
        Float persons, dims in the order ``municipality``, ``region``, ``year``; integer
        coordinates; ``attrs`` ``units="persons"`` and ``source`` where known.

    Raises
    ------
    ValidationError
        A dimension outside :data:`POPULATION_DIMS`, a plain mapping without ``dim=``, a value
        that is not a positive finite number (every offending cell is named).
    DataError
        Duplicate keys or labels that are not whole numbers.

    Examples
    --------
    >>> import xarray as xr
    >>> da = xr.DataArray([[1.0, 2.0]], dims=("year", "municipality"),
    ...                   coords={"year": [2019], "municipality": [101, 727]})
    >>> as_population(da).dims
    ('municipality', 'year')
    >>> as_population(0.0)
    Traceback (most recent call last):
    ...
    klimacore.errors.ValidationError: population must be a positive finite number of persons: 0.0 at ()
    """
    import pandas as pd
    import xarray as xr

    if dim is not None and dim not in POPULATION_DIMS:
        raise ValidationError(f"population dim={dim!r} is not one of {list(POPULATION_DIMS)}",
                              code="population.dim", label=dim, location="dim")
    attrs: dict[str, Any] = {}
    if isinstance(obj, xr.DataArray):
        da = obj.copy()
        attrs = {str(k): v for k, v in obj.attrs.items()}
        if dim is not None and da.ndim == 1 and str(da.dims[0]) != dim:
            raise ValidationError(f"population has dimension {da.dims[0]!r} but dim={dim!r} was "
                                  "given", code="population.dim", label=da.dims[0],
                                  location="dim")
    elif isinstance(obj, pd.DataFrame):
        da = _from_frame(obj)
        attrs = {str(k): v for k, v in obj.attrs.items()}
    elif isinstance(obj, pd.Series):
        named = [n for n in obj.index.names if n is not None]
        if named and len(named) == obj.index.nlevels:
            if dim is not None and named != [dim]:
                raise ValidationError(f"population is indexed by {named} but dim={dim!r} was "
                                      "given", code="population.dim", label=named,
                                      location="dim")
            series = obj
        else:
            series = obj.copy()
            series.index = series.index.set_names([_need_dim(dim)])
        da = _from_series(series.astype(float))
        attrs = {str(k): v for k, v in obj.attrs.items()}
    elif isinstance(obj, Mapping):
        key_dim = _need_dim(dim)
        series = pd.Series({k: _number(v, k) for k, v in obj.items()}, dtype=float)
        series.index = pd.Index(list(obj.keys()), name=key_dim)
        da = _from_series(series)
    elif isinstance(obj, int | float | np.integer | np.floating) and not isinstance(obj, bool):
        if dim is not None:
            raise ValidationError(f"population is one number, so it has no {dim!r} dimension: "
                                  "give one value per label", code="population.dim",
                                  label=obj, location="dim")
        da = xr.DataArray(float(obj))
    else:
        raise ValidationError(
            "population must be a DataArray, a Series, a DataFrame, a mapping with dim=, or a "
            f"number; got {type(obj).__name__}", code="population.type",
            label=type(obj).__name__, location="population")
    return _validated(da, attrs, source)


def population_for(population: xr.DataArray, data: xr.DataArray | xr.Dataset, *,
                   what: str = "data") -> xr.DataArray:
    """The population form lined up with ``data``: exact labels, no broadcast over entities.

    Every entity dimension (:data:`ENTITY_DIMS`) of ``data`` must be a dimension of the
    population (one value per entity); every population dimension must be a dimension of
    ``data`` or one of its scalar coordinates (then selected). A ``year`` dimension of ``data``
    that the population lacks is allowed: the count is taken as valid for every year. Missing
    labels are named together.

    >>> import xarray as xr
    >>> e = xr.DataArray([1.0, 2.0], dims="municipality", coords={"municipality": [101, 727]})
    >>> population_for(as_population({2019: 5.0}, dim="year"), e)
    Traceback (most recent call last):
    ...
    klimacore.errors.ValidationError: population has no 'municipality' dimension but the data have municipality [101, 727]: give one population per municipality (a population is never spread over every municipality)
    """
    require_entity_dims(population, data, what=what)
    problems = Problems("population")
    pop = population
    for d in [str(d) for d in population.dims if d not in data.dims]:
        if d in data.coords and data[d].ndim == 0:
            label = _py(data[d].item())
            if label not in pop[d].to_numpy().tolist():
                raise MissingLabelError(f"population for the {what}", [label], dim=d,
                                        code="population.label")
            pop = pop.sel({d: label})
        else:
            problems.add(f"population has dimension {d!r} that the {what} do not have "
                         f"(dims {list(map(str, data.dims))})", code="population.extra_dim",
                         label=d, location=d)
    problems.raise_if_any()
    for dim in pop.dims:
        have = set(pop[dim].to_numpy().tolist())
        absent = [_py(v) for v in data[dim].to_numpy().tolist() if _py(v) not in have]
        if absent:
            problems.add(MissingLabelError(f"population for the {what}", absent, dim=str(dim),
                                           code="population.label"))
    problems.raise_if_any()
    out = pop.sel({d: data[d].to_numpy() for d in pop.dims})
    out.attrs = dict(population.attrs)
    return out


def require_entity_dims(population: xr.DataArray, data: xr.DataArray | xr.Dataset, *,
                        what: str = "data") -> None:
    """Refuse a population lacking an entity dimension (:data:`ENTITY_DIMS`) that ``data`` has.

    The error names the dimension and the entities; several missing dimensions are raised
    together.

    >>> import xarray as xr
    >>> e = xr.DataArray([1.0], dims="region", coords={"region": [1082]})
    >>> require_entity_dims(as_population(5.0), e, what="emissions")
    Traceback (most recent call last):
    ...
    klimacore.errors.ValidationError: population has no 'region' dimension but the emissions have region [1082]: give one population per region (a population is never spread over every region)
    """
    problems = Problems("population")
    for d in ENTITY_DIMS:
        if d in data.dims and d not in population.dims:
            labels = [_py(v) for v in data[d].to_numpy().tolist()]
            shown = labels if len(labels) <= 10 else [*labels[:10], "…"]
            problems.add(
                f"population has no {d!r} dimension but the {what} have {d} {shown}: give one "
                f"population per {d} (a population is never spread over every {d})",
                code="population.entity_dim", label=d, location=d)
    problems.raise_if_any()


def _need_dim(dim: str | None) -> str:
    if dim is None:
        raise ValidationError(
            "population given as a plain mapping: say which dimension its keys are "
            "(dim='municipality', 'region' or 'year'), or give a Series with a named index or "
            "a DataArray", code="population.dim", location="dim")
    return dim


def _number(value: object, key: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError(f"population of {key!r} is not a number: {value!r}",
                              code="population.value", label=value, location=str(key)) from None


def _from_frame(frame: Any) -> xr.DataArray:
    import pandas as pd

    table = frame.copy()
    named = [n for n in table.index.names if n is not None]
    if named:
        table = table.reset_index(level=named)
    col = next((c for c in _VALUE_COLUMNS if c in table.columns), None)
    if col is None:
        raise DataError("population frame needs a 'population' (or 'value') column, has "
                        f"{list(table.columns)}", code="population.column",
                        location="columns")
    dims = [str(c) for c in table.columns if c != col and c not in _IGNORED_COLUMNS]
    if not dims:
        raise ValidationError("population frame has no dimension column (municipality, region "
                              "or year)", code="population.dim", location="columns")
    series = table.set_index(dims)[col]
    return _from_series(pd.to_numeric(series, errors="coerce").astype(float))


def _from_series(series: Any) -> xr.DataArray:
    import pandas as pd
    import xarray as xr

    names = [str(n) for n in series.index.names]
    _check_dims(names)
    if len(names) == 1:  # one dimension: straight to numpy (no frame, no reindexing)
        labels = _whole_labels(list(series.index), names[0])
        return xr.DataArray(np.asarray(series.to_numpy(), dtype=float), dims=names[0],
                            coords={names[0]: labels})
    frame = series.reset_index()
    for name in names:
        numbers = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float,
                                                                      na_value=np.nan)
        bad = ~np.isfinite(numbers) | (numbers != np.round(numbers))
        if bad.any():
            shown = [frame[name].iloc[i] for i in np.flatnonzero(bad)[:10]]
            raise DataError(f"population {name} labels must be whole numbers: {shown}",
                            code="population.label", label=shown, location=name)
        frame[name] = numbers.astype("int64")
    dup = frame.duplicated(subset=names, keep=False)
    if dup.any():
        keys = sorted({tuple(r) for r in frame.loc[dup, names].itertuples(index=False)})
        raise DataError(f"population has duplicate keys for {names}: {keys[:10]}",
                        code="population.duplicate", label=keys[:10], location=", ".join(names))
    value = series.name if series.name is not None else 0
    if value not in frame.columns:
        value = frame.columns[-1]
    return xr.DataArray.from_series(frame.set_index(names)[value].astype(float))


def _whole_labels(raw: list[Any], dim: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Labels as int64, refusing any that is not a whole number (named) or is repeated."""
    try:
        numbers = np.asarray(raw, dtype=float)
    except (TypeError, ValueError):
        numbers = np.array([_as_float(v) for v in raw], dtype=float)
    bad = ~np.isfinite(numbers) | (numbers != np.round(numbers))
    if bad.any():
        shown = [raw[i] for i in np.flatnonzero(bad)[:10]]
        raise DataError(f"population {dim} labels must be whole numbers: {shown}",
                        code="population.label", label=shown, location=dim)
    labels: np.ndarray[Any, np.dtype[np.int64]] = numbers.astype("int64")
    uniq, counts = np.unique(labels, return_counts=True)
    if (counts > 1).any():
        dups = uniq[counts > 1].tolist()
        raise DataError(f"population has duplicate {dim} labels: {dups}",
                        code="population.duplicate", label=dups, location=dim)
    return labels


def _as_float(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return float("nan")


def _check_dims(dims: Sequence[Hashable]) -> None:
    extra = [str(d) for d in dims if d not in POPULATION_DIMS]
    if extra:
        raise ValidationError(f"population has dimension(s) {extra}; a population is keyed by "
                              f"{list(POPULATION_DIMS)}", code="population.dim", label=extra,
                              location="dims")


def _validated(da: xr.DataArray, attrs: dict[str, Any], source: str | None) -> xr.DataArray:
    _check_dims(da.dims)
    for d in map(str, da.dims):
        labels = da[d].to_numpy()
        if labels.dtype.kind in "iu":
            _whole_labels(labels.tolist(), d)  # duplicates
            if labels.dtype != np.int64:
                da = da.assign_coords({d: labels.astype("int64")})
        else:
            da = da.assign_coords({d: _whole_labels(labels.tolist(), d)})
    order = [d for d in POPULATION_DIMS if d in da.dims]
    if list(da.dims) != order:
        da = da.transpose(*order)
    if da.dtype != np.float64:
        da = da.astype(float)
    vals = np.asarray(da.to_numpy(), dtype=float)
    bad = ~(np.isfinite(vals) & (vals > 0))
    if bad.any():
        cells = [tuple(_py(da[d].to_numpy()[i]) for d, i in zip(da.dims, idx, strict=True))
                 for idx in np.argwhere(bad)[:10]]
        shown = ", ".join(f"{vals[tuple(idx)]} at {cell}" for idx, cell in
                          zip(np.argwhere(bad)[:10], cells, strict=True))
        raise ValidationError(f"population must be a positive finite number of persons: {shown}",
                              code="population.value", label=cells,
                              location=", ".join(map(str, da.dims)) or "population")
    da.attrs = {k: v for k, v in attrs.items() if k not in ("units", "unit")}
    da.attrs["units"] = "persons"
    if source is not None:
        da.attrs["source"] = source
    da.name = "population"
    return da


def _py(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value
