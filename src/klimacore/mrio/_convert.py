"""Conversions of :class:`IOSystem` to and from xarray and pymrio (pymrio imported lazily)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from klimacore.errors import ValidationError

if TYPE_CHECKING:
    import xarray as xr

    from klimacore.mrio._system import IOSystem

# dimension names of the xarray layout
DIMS = {
    "A": ("region", "sector", "region_to", "sector_to"),
    "Z": ("region", "sector", "region_to", "sector_to"),
    "Y": ("region", "sector", "region_to", "category"),
    "F": ("stressor", "region", "sector"),
    "F_Y": ("stressor", "region_to", "category"),
    "x": ("region", "sector"),
    "population": ("region",),
}


def _y_product(io: IOSystem) -> tuple[pd.MultiIndex, list[Any]]:
    cats = io.categories
    full = pd.MultiIndex.from_product([io.regions, cats], names=["region", "category"])
    if len(full) != len(io._ycols) or len(full.difference(io._ycols)):
        missing = full.difference(io._ycols, sort=False)
        raise ValidationError(
            "the xarray layout needs the same final-demand categories in every region; "
            f"missing (region, category): {', '.join(map(repr, list(missing)[:8]))}")
    return full, cats


def to_xarray(io: IOSystem) -> xr.Dataset:
    """The system as an :class:`xarray.Dataset` of copies.

    Variables ``A`` (region, sector, region_to, sector_to), ``x`` (region, sector), ``Y``
    (region, sector, region_to, category), ``F`` (stressor, region, sector), ``F_Y`` (stressor,
    region_to, category) when given, ``population`` (region) when given; stressor units in the
    ``unit`` coordinate; name and monetary unit in ``attrs``.

    Examples
    --------
    >>> import pymrio  # doctest: +SKIP
    >>> ds = from_pymrio(pymrio.load_test()).to_xarray()  # doctest: +SKIP
    >>> IOSystem.from_xarray(ds)  # doctest: +SKIP
    <IOSystem 'testmrio': 6 regions × 8 sectors (n=48), 5 stressors, 42 final-demand columns>
    """
    import xarray as xr

    R, N = io._R, io._N
    full, cats = _y_product(io)
    order = io._ycols.get_indexer(full)
    C = len(cats)
    k = len(io._stressors)
    data: dict[str, Any] = {
        "A": (DIMS["A"], np.ascontiguousarray(io._solver.dense()).reshape(R, N, R, N)),
        "x": (DIMS["x"], io._x.reshape(R, N).copy()),
        "Y": (DIMS["Y"], io._Y[:, order].reshape(R, N, R, C)),
        "F": (DIMS["F"], io._F.reshape(k, R, N).copy()),
    }
    if io._F_Y is not None:
        data["F_Y"] = (DIMS["F_Y"], io._F_Y[:, order].reshape(k, R, C))
    if io._population is not None:
        data["population"] = (DIMS["population"], io._population.copy())
    coords: dict[str, Any] = {
        "region": io.regions, "sector": io.sectors, "region_to": io.regions,
        "sector_to": io.sectors, "category": cats, "stressor": io.stressors,
    }
    if io._unit is not None:
        coords["unit"] = ("stressor", [io._unit[s] for s in io._stressors])
    attrs = {k2: v for k2, v in (("name", io.name), ("monetary_unit", io.monetary_unit)) if v}
    return xr.Dataset(data, coords=coords, attrs=attrs)


def from_xarray(ds: xr.Dataset, **kwargs: Any) -> IOSystem:
    """Build an :class:`IOSystem` from a Dataset in the layout of :func:`to_xarray`.

    ``Z`` may replace ``A``; extra keyword arguments go to :class:`IOSystem`.
    """
    from klimacore.mrio._system import IOSystem

    problems: list[str] = []
    base = "Z" if "Z" in ds.data_vars else "A"
    for var in (base, "Y", "F"):
        if var not in ds.data_vars:
            problems.append(f"variable {var!r} is missing (have {sorted(map(str, ds.data_vars))})")
    for var, dims in DIMS.items():
        if var in ds.data_vars and set(ds[var].dims) != set(dims):
            problems.append(f"variable {var!r} has dims {ds[var].dims}, expected {dims}")
    if problems:
        raise ValidationError("cannot read an IOSystem from this Dataset", problems)

    def frame(var: str, rows: tuple[str, ...], cols: tuple[str, ...]) -> pd.DataFrame:
        da = ds[var].transpose(*rows, *cols)
        ridx = _index(da, rows)
        cidx = _index(da, cols)
        # a view of the Dataset's values where the layout allows (no n × n copy)
        return pd.DataFrame(da.to_numpy().reshape(len(ridx), len(cidx)), index=ridx, columns=cidx,
                            copy=False)

    def _index(da: Any, dims: tuple[str, ...]) -> pd.Index:
        if len(dims) == 1:
            single: pd.Index = pd.Index(list(da[dims[0]].values), name=dims[0])
            return single
        names = ["region" if d == "region_to" else "sector" if d == "sector_to" else d
                 for d in dims]
        out: pd.Index = pd.MultiIndex.from_product([list(da[d].values) for d in dims],
                                                   names=names)
        return out

    mat = frame(base, DIMS[base][:2], DIMS[base][2:])
    args: dict[str, Any] = {
        "Y": frame("Y", DIMS["Y"][:2], DIMS["Y"][2:]),
        "F": frame("F", DIMS["F"][:1], DIMS["F"][1:]),
    }
    args["Z" if base == "Z" else "A"] = mat
    if "F_Y" in ds.data_vars:
        args["F_Y"] = frame("F_Y", DIMS["F_Y"][:1], DIMS["F_Y"][1:])
    if "x" in ds.data_vars:
        xs = ds["x"].transpose(*DIMS["x"])
        args["x"] = pd.Series(xs.to_numpy().ravel(), index=_index(xs, DIMS["x"]))
    if "population" in ds.data_vars:
        args["population"] = ds["population"].to_series()
    if "unit" in ds.coords:
        args["unit"] = dict(zip(ds["stressor"].values, ds["unit"].values, strict=True))
    args.setdefault("name", ds.attrs.get("name"))
    args.setdefault("monetary_unit", ds.attrs.get("monetary_unit"))
    args.update(kwargs)
    return IOSystem(**args)


def _pymrio() -> Any:
    try:
        import pymrio
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("pymrio is needed for this conversion: pip install pymrio") from None
    return pymrio


def to_pymrio(io: IOSystem) -> Any:
    """A ``pymrio.IOSystem`` holding Z, A, x, Y, unit, population and one extension
    ``stressors`` (F, F_Y, unit) — ready for ``calc_all()``."""
    pymrio = _pymrio()
    idx = io.index
    x = pd.DataFrame({"indout": io._x}, index=idx)
    unit = pd.DataFrame({"unit": [io.monetary_unit or ""] * len(idx)}, index=idx)
    pop = None
    if io._population is not None:
        pop = pd.DataFrame([io._population], index=["population"],
                           columns=pd.Index(io.regions, name="region"))
    ext: dict[str, Any] = {"name": "stressors", "F": io.F}
    if io._F_Y is not None:
        ext["F_Y"] = io.F_Y
    if io._unit is not None:
        ext["unit"] = pd.DataFrame({"unit": [io._unit[s] for s in io._stressors]},
                                   index=io._stressor_index)
    return pymrio.IOSystem(Z=io.Z, Y=io.Y, A=io.A, x=x, unit=unit, population=pop,
                           name=io.name or "klimacore", stressors=ext)


def from_pymrio(pio: Any, *, extensions: Any = None, **kwargs: Any) -> IOSystem:
    """Build an :class:`IOSystem` from a ``pymrio.IOSystem``.

    Parameters
    ----------
    pio
        The pymrio system (needs Z, or A with x or Y; and Y).
    extensions
        Name or list of names of the extensions whose stressors to take (attribute names such
        as ``"emissions"`` or display names; default: all, in pymrio's order). With several, their stressors are stacked; labels become strings
        (MultiIndex labels joined with ' - '), prefixed ``"<extension>: "`` where they clash.
    **kwargs
        Passed on to :class:`IOSystem` (e.g. ``allow_negative=True``).
    """
    from klimacore.mrio._checks import _flat
    from klimacore.mrio._system import IOSystem

    attr_names = list(pio.get_extensions())
    exts = [getattr(pio, a) for a in attr_names]
    if extensions is not None:
        wanted = [extensions] if isinstance(extensions, str) else list(extensions)
        have = {a: e for a, e in zip(attr_names, exts, strict=True)}
        have.update({e.name: e for e in exts})
        missing = [w for w in wanted if w not in have]
        if missing:
            from klimacore.errors import MissingLabelError

            raise MissingLabelError("pymrio extension", missing, dim="extension")
        exts = [have[w] for w in wanted]
    if not exts:
        raise ValidationError("the pymrio system has no extension with stressors")
    x = pio.x
    Fs, FYs, units = [], [], []
    for e in exts:
        F = e.F
        if F is None and getattr(e, "S", None) is not None and x is not None:
            F = e.S * x.iloc[:, 0].to_numpy()[None, :]
        if F is None:
            raise ValidationError(f"pymrio extension {e.name!r} has neither F nor S with x")
        Fs.append(F)
        FYs.append(getattr(e, "F_Y", None))
        u = getattr(e, "unit", None)
        units.append(None if u is None else u.iloc[:, 0])
    if len(Fs) == 1:
        F_all = Fs[0]
        unit_all: Any = units[0]
        FY_all = FYs[0]
    else:
        labels: list[Any] = []
        for F in Fs:
            labels.extend(_flat(s) for s in F.index)
        clash = {s for s in labels if labels.count(s) > 1}
        new_idx: list[Any] = []
        for e, F in zip(exts, Fs, strict=True):
            new_idx.append([f"{e.name}: {_flat(s)}" if _flat(s) in clash else _flat(s)
                            for s in F.index])
        Fs = [F.set_axis(pd.Index(i, name="stressor"), axis=0) for F, i in zip(Fs, new_idx,
                                                                               strict=True)]
        F_all = pd.concat(Fs, axis=0)
        unit_all = None
        if all(u is not None for u in units):
            unit_all = dict(zip(F_all.index, np.concatenate([u.to_numpy() for u in units if u is not None]),
                                strict=True))
        FY_all = None
        if any(fy is not None for fy in FYs):
            cols = pio.Y.columns
            parts = [pd.DataFrame(0.0, index=F.index, columns=cols) if fy is None
                     else fy.set_axis(F.index, axis=0) for F, fy in zip(Fs, FYs, strict=True)]
            FY_all = pd.concat(parts, axis=0)
    args: dict[str, Any] = {"Y": pio.Y, "F": F_all, "F_Y": FY_all, "unit": unit_all}
    if pio.Z is not None:
        args["Z"] = pio.Z
        if x is not None:
            args["x"] = x
    elif pio.A is not None:
        args["A"] = pio.A
        if x is not None:
            args["x"] = x
    else:
        raise ValidationError("the pymrio system has neither Z nor A")
    if getattr(pio, "population", None) is not None:
        args["population"] = pio.population
    mu = getattr(pio, "unit", None)
    if mu is not None and len(set(mu.iloc[:, 0])) == 1:
        args["monetary_unit"] = str(mu.iloc[0, 0])
    args["name"] = getattr(pio, "name", None)
    args.update(kwargs)
    return IOSystem(**args)
