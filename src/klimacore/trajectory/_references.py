"""Reference pathways: typed, versioned definitions with their source, base year, basket and boundary.

A :class:`Reference` says how much an entity may emit, relative to its own base-year emissions
(``milestones``, ``linear_rate``, ``sector_range``), per inhabitant (``per_capita``) or within a
share of a global carbon budget (``budget``). The bundled references live in
``data/trajectory_references.csv`` (one row per milestone, each with publisher, report, table and
year, and a ``verification`` column); users define their own the same way.

Examples
--------
>>> from klimacore.trajectory import get_reference
>>> act = get_reference("dk-climate-act")
>>> act.base_year, [(m.year, m.reduction_pct) for m in act.milestones]
(1990, [(2025, 50.0), (2030, 70.0), (2050, 100.0)])
>>> act.basket, act.boundary, act.source.verification
('GHG', 'territorial', 'verified')
>>> sbti = get_reference("sbti-aca-1.5c").with_base_year(2020)
>>> [(m.year, round(m.reduction_pct, 1)) for m in sbti.milestones][:2]
[(2025, 21.0), (2030, 42.0)]
>>> own = Reference(id="my-plan", version="1", title="Our own path", base_year=2019,
...                 milestones=[Milestone(year=2030, reduction_pct=60)])
>>> own.method, own.basket
('milestones', 'GHG')
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Literal, cast

from pydantic import Field, model_validator

from klimacore._model_base import KlimacoreModel, ModelProblems
from klimacore.errors import DataError, MissingLabelError, ValidationError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

__all__ = [
    "DEFAULT_REFERENCES",
    "GHG_BASKET",
    "Milestone",
    "Reference",
    "Source",
    "allocate_budget",
    "get_reference",
    "global_total",
    "grandfathering_share",
    "list_references",
    "population_share",
    "reference_table",
    "resolve_references",
]

GHG_BASKET: tuple[str, ...] = ("CO2", "CH4", "N2O", "HFCs", "PFCs", "SF6", "NF3")
"""The Kyoto basket of seven gases (groups), as references state it."""

DEFAULT_REFERENCES: tuple[str, ...] = (
    "dk-climate-act",
    "ipcc-ar6-c1-ghg",
    "eu-climate-law",
    "sbti-aca-1.5c",
)
"""References checked when none are named: all net-GHG references that need no extra input."""

Method = Literal["milestones", "linear_rate", "per_capita", "budget", "sector_range"]
Verification = Literal["verified", "secondary", "check", "user"]


class _Frozen(KlimacoreModel):
    """Frozen model raising klimacore's errors (codes ``reference.*``), never pydantic's."""

    code_prefix: ClassVar[str] = "reference"


class Source(_Frozen):
    """Where a reference comes from.

    ``verification`` is ``verified`` (checked against the primary text), ``secondary`` (seen in a
    secondary source quoting it), ``check`` (not yet verified: provisional) or ``user``.
    """

    publisher: str = ""
    report: str = ""
    table: str = ""
    year: int | None = None
    url: str = ""
    verification: Verification = "user"
    note: str = ""

    def cite(self) -> str:
        """One-line citation, e.g. ``'IPCC (2023), Climate Change 2023 …, Table SPM.1'``."""
        parts = [f"{self.publisher} ({self.year})" if self.year else self.publisher, self.report]
        if self.table:
            parts.append(self.table)
        return ", ".join(p for p in parts if p)


class Milestone(_Frozen):
    """One milestone of a reference.

    ``reduction_pct`` is the reduction below base-year emissions (70 means −70 %; over 100 means
    net negative). A range gives ``reduction_pct`` (the lower end, the threshold) and
    ``reduction_pct_high``; reductions below ``justify_below_pct`` but within the range are
    flagged *at risk* ("must be justified"). ``per_capita_t`` is t CO2e per inhabitant.
    """

    year: int = Field(ge=1900, le=2200)
    reduction_pct: float | None = None
    reduction_pct_high: float | None = None
    justify_below_pct: float | None = None
    per_capita_t: float | None = Field(default=None, ge=0)
    sector: str | None = None
    verification: Verification | None = None

    @model_validator(mode="after")
    def _range(self) -> Milestone:
        lo, hi, mid = self.reduction_pct, self.reduction_pct_high, self.justify_below_pct
        for name, v in (("reduction_pct", lo), ("reduction_pct_high", hi),
                        ("justify_below_pct", mid), ("per_capita_t", self.per_capita_t)):
            if v is not None and not math.isfinite(v):
                raise ValidationError(f"milestone {self.year}: {name} {v} is not finite",
                                      code="reference.milestone_value", label=v, location=name)
        if hi is not None and (lo is None or hi < lo):
            raise ValidationError(f"milestone {self.year}: range {lo}–{hi} is not ordered",
                                  code="reference.milestone_range", label=[lo, hi],
                                  location="reduction_pct_high")
        if mid is not None and (lo is None or mid < lo):
            raise ValidationError(f"milestone {self.year}: justify_below_pct {mid} is below {lo}",
                                  code="reference.justify_below", label=mid,
                                  location="justify_below_pct")
        return self


class Reference(_Frozen):
    """A reference pathway with its version, source, base year, gas basket and boundary.

    Parameters
    ----------
    id, version, title
        Identity; ``id@version`` names one version.
    method
        ``milestones`` (linear between base year and milestones, held after the last),
        ``linear_rate`` (``annual_rate_pct`` of base-year emissions a year, to zero),
        ``per_capita`` (linear in t per inhabitant from the entity's own base-year value),
        ``budget`` (exponential path spending a share of ``budget_t`` from ``base_year``) or
        ``sector_range`` (a range per sector).
    base_year
        Year the reductions refer to (for ``budget``: the start of the budget).
    milestones
        Milestones, sorted by year (and sector).
    gases, boundary, includes_lulucf
        What the reference covers; checked against the data's attributes.
    net_zero_year
        Year of net zero / neutrality the reference requires, if any.
    """

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    version: str = "1"
    title: str = ""
    method: Method = "milestones"
    base_year: int = Field(ge=1900, le=2200)
    milestones: tuple[Milestone, ...] = ()
    annual_rate_pct: float | None = Field(default=None, gt=0)
    budget_t: float | None = Field(default=None, gt=0, description="global budget, t CO2")
    gases: tuple[str, ...] = GHG_BASKET
    boundary: Literal["territorial", "consumption", "any"] = "any"
    includes_lulucf: bool | None = None
    net_zero_year: int | None = None
    source: Source = Source()

    @model_validator(mode="before")
    @classmethod
    def _fill_rate(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or data.get("method") != "linear_rate":
            return data
        rate, base = data.get("annual_rate_pct"), data.get("base_year")
        if rate is None or base is None:
            return data
        out = dict(data)
        filled = []
        for m in data.get("milestones", ()):
            m = dict(m.model_dump() if isinstance(m, Milestone) else m)
            if m.get("reduction_pct") is None:
                m["reduction_pct"] = min(float(rate) * (int(m["year"]) - int(base)), 100.0)
            filled.append(m)
        out["milestones"] = filled
        return out

    @model_validator(mode="after")
    def _consistent(self) -> Reference:
        problems: list[ValidationError] = []

        def problem(text: str, code: str, label: object, location: str) -> None:
            problems.append(ValidationError(f"reference {self.id!r}: {text}",
                                            code=f"reference.{code}", label=label,
                                            location=location))

        years = [(m.year, m.sector or "") for m in self.milestones]
        if [y for y, _ in years] != sorted(y for y, _ in years):
            problem("milestones are not sorted by year", "milestones_order",
                    [y for y, _ in years], "milestones")
        dupes = sorted({y for y in years if years.count(y) > 1})
        if dupes:
            problem(f"milestones listed twice: {dupes}", "milestones_duplicate", dupes,
                    "milestones")
        early = [m.year for m in self.milestones if m.year <= self.base_year]
        if early:
            problem(f"milestone years {early} are not after base_year {self.base_year}",
                    "milestone_year", early, "milestones")
        need = {"milestones": "reduction_pct", "linear_rate": "reduction_pct",
                "sector_range": "reduction_pct", "per_capita": "per_capita_t"}.get(self.method)
        if need:
            lacking = [m.year for m in self.milestones if getattr(m, need) is None]
            if lacking:
                problem(f"{self.method} milestones {lacking} need {need}", "milestone_field",
                        lacking, "milestones")
        if self.method == "sector_range":
            lacking = [m.year for m in self.milestones if m.sector is None]
            if lacking:
                problem(f"sector_range milestones {lacking} need a sector", "sector", lacking,
                        "milestones")
        elif any(m.sector for m in self.milestones):
            problem(f"only sector_range references take sector milestones ({self.method})",
                    "sector", self.method, "milestones")
        if self.method == "linear_rate" and self.annual_rate_pct is None:
            problem("a linear_rate reference needs annual_rate_pct", "annual_rate", None,
                    "annual_rate_pct")
        if self.method == "budget" and self.budget_t is None:
            problem("a budget reference needs budget_t", "budget", None, "budget_t")
        if self.method != "linear_rate" and not self.milestones and self.method != "budget":
            problem(f"a {self.method} reference needs at least one milestone", "no_milestones",
                    self.method, "milestones")
        if problems:
            raise ModelProblems(problems)
        return self

    @property
    def key(self) -> str:
        """``id@version``."""
        return f"{self.id}@{self.version}"

    @property
    def basket(self) -> Literal["CO2", "GHG"]:
        """``'CO2'`` for a CO2-only reference, else ``'GHG'``."""
        return "CO2" if tuple(self.gases) == ("CO2",) else "GHG"

    @property
    def milestone_years(self) -> tuple[int, ...]:
        """Distinct milestone years, sorted."""
        return tuple(sorted({m.year for m in self.milestones}))

    @property
    def sectors(self) -> tuple[str, ...]:
        """Sectors of a ``sector_range`` reference (empty otherwise)."""
        return tuple(dict.fromkeys(m.sector for m in self.milestones if m.sector))

    def with_base_year(self, year: int) -> Reference:
        """The same reference from another base year (``linear_rate`` and ``per_capita`` only).

        Milestones at or before the new base year are dropped; rates are recomputed.

        >>> get_reference("sbti-aca-1.5c").with_base_year(2022).milestones[0].year
        2025
        """
        if self.method not in ("linear_rate", "per_capita"):
            raise ValidationError(
                f"reference {self.id!r} ({self.method}) has a fixed base year {self.base_year}; "
                "only linear_rate and per_capita references take another"
            )
        kept = [
            m.model_copy(update={"reduction_pct": None}) if self.method == "linear_rate" else m
            for m in self.milestones
            if m.year > year
        ]
        data = self.model_dump()
        data.update(base_year=year, milestones=[m.model_dump() for m in kept])
        return Reference.model_validate(data)

    def describe(self) -> str:
        """Short description: title, base year, milestones and source.

        >>> print(get_reference("eu-climate-law").describe())  # doctest: +ELLIPSIS
        eu-climate-law@2021 amended 2026: European Climate Law, ... base 1990; 2030 −55 %, 2040 −90 %, 2050 −100 % [European Union (2026), ...]
        """
        if self.method == "budget" and self.budget_t is not None:
            body = f"budget {self.budget_t / 1e9:g} Gt CO2 from {self.base_year}"
        elif self.method == "linear_rate":
            body = f"{self.annual_rate_pct:g} % of {self.base_year} emissions a year"
        else:
            parts = []
            for m in self.milestones:
                where = f"{m.sector} " if m.sector else ""
                if m.per_capita_t is not None:
                    parts.append(f"{where}{m.year} {m.per_capita_t:g} t/cap")
                elif m.reduction_pct_high is not None:
                    parts.append(f"{where}{m.year} −{m.reduction_pct:g}…{m.reduction_pct_high:g} %")
                else:
                    parts.append(f"{where}{m.year} −{m.reduction_pct:g} %")
            body = f"base {self.base_year}; " + ", ".join(parts)
        return f"{self.key}: {self.title} — {body} [{self.source.cite()}]"


# --- bundled references --------------------------------------------------------------------------


def _opt(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@cache
def _bundled() -> dict[str, Reference]:
    from klimacore.reference import read_table

    table = read_table("trajectory_references.csv")
    out: dict[str, Reference] = {}
    for ref_id, rows in table.groupby("reference", sort=False):
        first = rows.iloc[0]
        lulucf = _opt(first["includes_lulucf"])
        milestones = []
        for _, row in rows.iterrows():
            milestones.append(
                Milestone(
                    year=int(row["year"]),
                    reduction_pct=_opt(row["reduction_pct"]),
                    reduction_pct_high=_opt(row["reduction_pct_high"]),
                    justify_below_pct=_opt(row["justify_below_pct"]),
                    per_capita_t=_opt(row["per_capita_t"]),
                    sector=_opt(row["sector"]),
                    verification=row["verification"],
                )
            )
        verifications = set(rows["verification"])
        worst = next(v for v in ("check", "secondary", "verified", "user") if v in verifications
                     or v == "user")
        budget = _opt(first["budget_gt_co2"])
        nz = _opt(first["net_zero_year"])
        try:
            ref = Reference(
                id=str(ref_id),
                version=str(first["version"]),
                title=str(first["title"]),
                method=first["method"],
                base_year=int(first["base_year"]),
                milestones=tuple(milestones),
                annual_rate_pct=_opt(first["annual_rate_pct"]),
                budget_t=None if budget is None else float(budget) * 1e9,
                gases=tuple(str(first["gases"]).split(";")),
                boundary=first["boundary"],
                includes_lulucf=None if lulucf is None else lulucf == "yes",
                net_zero_year=None if nz is None else int(nz),
                source=Source(
                    publisher=str(first["publisher"]),
                    report=str(first["report"]),
                    table=str(_opt(first["table"]) or ""),
                    year=int(rows["source_year"].max()),
                    url=str(_opt(first["url"]) or ""),
                    verification=cast(Verification, worst),
                    note=str(_opt(first["note"]) or ""),
                ),
            )
        except ValueError as exc:
            raise DataError(f"bundled reference {ref_id!r} is malformed: {exc}") from None
        out[ref.id] = ref
    return out


def list_references() -> list[str]:
    """Ids of the bundled references.

    >>> "ipcc-ar6-c1-ghg" in list_references()
    True
    """
    return list(_bundled())


def get_reference(name: str) -> Reference:
    """A bundled reference by id, or by ``id@version``.

    Raises :class:`~klimacore.errors.MissingLabelError` naming the unknown id and the known ones.

    >>> get_reference("ipcc-ar6-c1-co2@AR6 SYR 2023").milestones[-1].reduction_pct
    99.0
    >>> get_reference("paris")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    klimacore.errors.MissingLabelError: missing reference (known: dk-climate-act, ...) for reference: 'paris'
    """
    refs = _bundled()
    ref_id, _, version = name.partition("@")
    ref = refs.get(ref_id)
    if ref is None or (version and ref.version != version):
        known = ", ".join(r.key if version else r.id for r in refs.values())
        raise MissingLabelError(f"reference (known: {known})", [name], dim="reference")
    return ref


def resolve_references(references: Iterable[Reference | str] | Reference | str) -> list[Reference]:
    """References from ids and/or :class:`Reference` objects; raises naming every unknown id."""
    if isinstance(references, Reference | str):
        references = [references]
    out: list[Reference] = []
    unknown: list[str] = []
    for item in references:
        if isinstance(item, Reference):
            out.append(item)
            continue
        try:
            out.append(get_reference(item))
        except MissingLabelError:
            unknown.append(item)
    if unknown:
        raise MissingLabelError(
            f"reference (known: {', '.join(list_references())})", unknown, dim="reference"
        )
    keys = [r.key for r in out]
    dupes = sorted({k for k in keys if keys.count(k) > 1})
    if dupes:
        raise ValidationError(f"references listed twice: {dupes}")
    ids = [r.id for r in out]
    clash = sorted({i for i in ids if ids.count(i) > 1})
    if clash:
        raise ValidationError(f"two versions of the same reference id in one check: {clash}")
    return out


def reference_table() -> pd.DataFrame:
    """The bundled reference milestones as a table (one row per milestone, with sources)."""
    from klimacore.reference import read_table

    return read_table("trajectory_references.csv")


# --- carbon budgets: allocation ------------------------------------------------------------------


def global_total(quantity: str = "co2_total", year: int = 2019) -> float:
    """A bundled global emission total in t (``co2_total``, ``co2_fossil``, ``ghg_net``).

    >>> global_total("co2_total", 2019) / 1e9
    43.0
    """
    from klimacore.reference import read_table
    from klimacore.units import conversion_factor

    table = read_table("trajectory_global_totals.csv")
    row = table[(table["quantity"] == quantity) & (table["year"] == year)]
    if row.empty:
        labels = [f"{q}@{y}" for q, y in zip(table["quantity"], table["year"], strict=True)]
        raise MissingLabelError(f"global total (known: {', '.join(labels)})",
                                [f"{quantity}@{year}"], dim="quantity")
    return float(row["value"].iloc[0]) * conversion_factor(str(row["unit"].iloc[0]), "t")


def population_share(population: Any, world_population: float) -> Any:
    """Equal-per-capita share of a global budget: ``population / world_population``.

    ``population`` may be a number, numpy array or xarray object (dims broadcast).
    ``world_population`` is a user input (klimacore bundles no world population figure).

    >>> population_share(5.9e6, 7.8e9)  # doctest: +ELLIPSIS
    0.000756...
    """
    if not world_population > 0:
        raise ValidationError(f"world_population must be positive, got {world_population}")
    return population / world_population


def grandfathering_share(emissions: Any, world_emissions: float | None = None) -> Any:
    """Grandfathering share of a global budget: ``emissions / world_emissions`` (same year, t).

    ``world_emissions`` defaults to total anthropogenic CO2 in 2019, 43 Gt (Global Carbon Budget
    2020): pass the entity's 2019 CO2 emissions in t, or give both for another year.

    >>> round(grandfathering_share(43e3), 12)
    1e-06
    """
    total = global_total("co2_total", 2019) if world_emissions is None else world_emissions
    if not total > 0:
        raise ValidationError(f"world_emissions must be positive, got {total}")
    return emissions / total


def allocate_budget(reference: Reference | str, share: Any) -> Any:
    """The entity budget in t CO2: the reference's global budget × ``share`` (broadcasts).

    >>> allocate_budget("ar6-budget-1.5c-67", 1e-3) / 1e6
    400.0
    """
    ref = resolve_references(reference)[0]
    if ref.budget_t is None:
        raise ValidationError(f"reference {ref.id!r} is not a budget reference")
    return _check_share(share, ref.id) * ref.budget_t


def _check_share(share: Any, ref_id: str) -> Any:
    import numpy as np

    values = np.asarray(getattr(share, "values", share), dtype=float)
    bad = ~np.isfinite(values) | (values < 0) | (values > 1)
    if bad.any():
        raise ValidationError(
            f"budget share for {ref_id!r} must be finite and within 0–1; "
            f"{int(bad.sum())} value(s) are not (e.g. {values[bad].ravel()[0]})"
        )
    return share


def _share_as_array(share: Any) -> xr.DataArray:
    import xarray as xr

    if isinstance(share, xr.DataArray):
        return share
    return xr.DataArray(float(share))
