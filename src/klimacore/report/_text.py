"""Text tables for a terminal: what ``klimacore demo`` and ``klimacore check`` print.

Presentation only. Each function takes what an engine computed (a plan, a GPC inventory, a
footprint, a check table) and returns plain text; none reads or writes files. The engines used to
print these themselves (``territorial.demo_section``, ``consumption.demo_section``,
``trajectory.format_checks``, ``trajectory.demo_section``, ``cli.plan_summary``); those names are
deprecated aliases until 0.3.

- :func:`plan_summary_text`: a plan in a dozen lines (baseline by sector, targets, actions);
- :func:`gpc_inventory_text`: one municipality-year of a GPC inventory by sector and scope, the
  BASIC / BASIC+ / territorial totals under each scope-2 method, memo items, notation keys;
- :func:`spend_footprint_text`: a spend-based consumption footprint by group, per inhabitant,
  with its Monte Carlo range;
- :func:`municipal_footprint_text`: the municipal (NIRAS-structure) footprint by category;
- :func:`plan_checks_text`: every check of a plan, worst first (``klimacore check``);
- :func:`milestone_text`: a plan's milestone against each reference side by side, and its manko.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from klimacore.errors import KlimacoreError, MissingLabelError

if TYPE_CHECKING:
    import pandas as pd
    import xarray as xr

    from klimacore.models import ClimateActionPlan

__all__ = [
    "gpc_inventory_text",
    "milestone_text",
    "municipal_footprint_text",
    "plan_checks_text",
    "plan_summary_text",
    "spend_footprint_text",
]

_SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}
_GPC_TOTALS = (("basic", "BASIC"), ("basic_plus", "BASIC+"),
               ("territorial", "territorial (scope 1)"))
_FOOTPRINT_GROUPS = ("housing", "food", "transport", "goods", "services")


def _municipality_names() -> dict[int, str]:
    from klimacore import reference

    table = reference.municipalities()
    return {int(c): str(n) for c, n in zip(table["code"], table["name"], strict=True)}


def _spaced(x: float) -> str:
    """Thousands separated by a space (the Danish and SI way), no decimals; "–" for missing.

    >>> _spaced(25951.4), _spaced(float("nan"))
    ('25 951', '–')
    """
    if x != x:  # unreported: missing, never shown as 0
        return "–"
    return f"{x:,.0f}".replace(",", " ")


def _reported_sum(values: np.ndarray[Any, Any]) -> float:
    """Sum of the reported (non-missing) cells; missing when none is reported."""
    finite = values[~np.isnan(values)]
    return float(finite.sum()) if finite.size else float("nan")


def _only(da: xr.DataArray | xr.Dataset, dim: str, given: int | None, what: str) -> int:
    """The label of ``dim`` to show: ``given`` (checked) or the only one there is."""
    labels = [int(v) for v in da[dim].to_numpy().tolist()]
    if given is None:
        if len(labels) != 1:
            raise MissingLabelError(f"{what}: pass {dim}= (several in the data)", labels, dim=dim)
        return labels[0]
    if given not in labels:
        raise MissingLabelError(what, [given], dim=dim)
    return given


def plan_summary_text(plan: ClimateActionPlan) -> str:
    """A plan in a dozen lines: who, baseline by sector with shares, targets, actions.

    The first section of ``klimacore demo``.

    Parameters
    ----------
    plan
        A validated :class:`~klimacore.models.ClimateActionPlan`.

    Returns
    -------
    str
        Lines without a trailing newline; an illustrative plan says so on its third line.

    Examples
    --------
    >>> from klimacore.models import load_example_plan
    >>> print(plan_summary_text(load_example_plan()))  # doctest: +ELLIPSIS
    Eksempelplan: klimahandleplan (illustrative example, not an adopted plan)
      municipality 727 Odder (Region Midtjylland), version 2.0, adopted 2025-06-16
      ILLUSTRATIVE: example figures, not an adopted plan
    ...
        2030: −70 % vs 1990
    ...
    """
    from klimacore.reference import municipalities

    row = municipalities().set_index("code").loc[plan.municipality]
    lines = [
        f"{plan.title}",
        f"  municipality {plan.municipality} {row['name']} ({row['region_name']}), "
        f"version {plan.version}, adopted {plan.adopted or 'not yet'}",
    ]
    if plan.illustrative:
        lines.append("  ILLUSTRATIVE: example figures, not an adopted plan")
    lines.append(
        f"  baseline {plan.baseline_year}: {plan.baseline_total:,.0f} t CO2e ({plan.gwp_metric}); "
        f"inventory: {plan.inventory.source} ({plan.inventory.reporting_level})"
    )
    width = max(len(s) for s in plan.baseline_emissions)
    for sector, value in sorted(plan.baseline_emissions.items(), key=lambda kv: -kv[1]):
        share = value / plan.baseline_total if plan.baseline_total else float("nan")
        lines.append(f"    {sector:<{width}} {value:>12,.0f} t  {share:6.1%}")
    lines.append("  targets:")
    for target in sorted(plan.targets, key=lambda t: t.target_year):
        if target.kind == "net_zero":
            text = "net zero"
        elif target.kind == "per_capita":
            text = f"≤ {target.per_capita_t} t CO2e per inhabitant"
        else:
            text = f"−{target.reduction_pct:g} % vs {target.base_year}"
        where = f" ({target.sector})" if target.sector else ""
        lines.append(f"    {target.target_year}: {text}{where}")
    effects = [a.expected_effect_t or 0.0 for a in plan.actions]
    lines.append(
        f"  {len(plan.actions)} actions (expected effect {sum(effects):,.0f} t CO2e/yr), "
        f"{len(plan.indicators)} indicators"
    )
    return "\n".join(lines)


def gpc_inventory_text(
    inventory: xr.Dataset,
    *,
    municipality: int | None = None,
    year: int | None = None,
    plan: ClimateActionPlan | None = None,
) -> str:
    """One municipality-year of a GPC inventory as a text table.

    Sectors I–VI by scope (under the first scope-2 method), the GPC totals BASIC, BASIC+ and
    territorial under every scope-2 method side by side, the biogenic CO2 memo item, the
    notation keys and, when ``plan`` gives the year's population, per capita figures. An
    inventory marked ``attrs["illustrative"]`` says so in its second line.

    Parameters
    ----------
    inventory
        A :func:`klimacore.territorial.inventory` Dataset (with or without ``scope2_method``).
    municipality
        Its code; may be left out when the inventory holds one municipality.
    year
        Default: the latest year of the inventory.
    plan
        The municipality's plan, for the population (used only when it is the same
        municipality and states the year's population).

    Returns
    -------
    str

    Raises
    ------
    MissingLabelError
        ``municipality`` or ``year`` not in the inventory (or several municipalities and none
        chosen).

    Examples
    --------
    >>> from klimacore import examples
    >>> text = gpc_inventory_text(examples.example_inventory(), plan=examples.example_plan())
    >>> print(text.splitlines()[0])
    Territorial GHG inventory (GPC 1.1) — Odder (727), 2024
    >>> "BASIC+" in text and "ILLUSTRATIVE" in text
    True
    >>> gpc_inventory_text(examples.example_inventory(), year=1990)
    Traceback (most recent call last):
    ...
    klimacore.errors.MissingLabelError: ...1990...
    """
    from klimacore.territorial import per_capita, totals

    code = _only(inventory, "municipality", municipality, "gpc_inventory_text: municipality")
    years = [int(y) for y in inventory["year"].to_numpy().tolist()]
    year = max(years) if year is None else year
    if year not in years:
        raise MissingLabelError("gpc_inventory_text: year", [year], dim="year")
    one = inventory.sel(municipality=code, year=year)
    co2e = one["co2e"]
    side_by_side = "scope2_method" in co2e.dims
    if not side_by_side:  # one column headed "total", and no method named
        co2e = co2e.expand_dims(scope2_method=["total"])
    methods = [str(m) for m in co2e["scope2_method"].to_numpy().tolist()]
    metric = inventory.attrs.get("gwp_metric", inventory["co2e"].attrs.get("gwp_metric", ""))
    table = totals(co2e.sel(scope2_method=methods[0]), ("sector", "scope"))
    sector_names = dict(zip(table["sector"].to_numpy().tolist(),
                            table["sector_name"].to_numpy().tolist(), strict=True))
    scopes = table["scope"].to_numpy().tolist()
    name = _municipality_names().get(code, str(code))
    flag = ("ILLUSTRATIVE example data, not official figures. "
            if inventory.attrs.get("illustrative") else "")
    width = 56
    lines = [
        f"Territorial GHG inventory (GPC 1.1) — {name} ({code}), {year}",
        f"{flag}t CO2e, {metric}"
        + (f"; scope 2 electricity: {methods[0]}." if side_by_side else "."),
        "",
        f"{'sector':<{width}}" + "".join(f"{'scope ' + str(s):>10}" for s in scopes)
        + f"{'total':>11}",
    ]
    for sec in table["sector"].to_numpy().tolist():
        row = table.sel(sector=sec).to_numpy()
        label = f"{sec:<4}{sector_names[sec]}"[: width - 1]
        lines.append(f"{label:<{width}}" + "".join(f"{_spaced(v):>10}" for v in row)
                     + f"{_spaced(_reported_sum(row)):>11}")
    col = np.array([_reported_sum(c) for c in table.transpose("scope", "sector").to_numpy()])
    lines.append(f"{'all categories':<{width}}" + "".join(f"{_spaced(v):>10}" for v in col)
                 + f"{_spaced(_reported_sum(col)):>11}")
    if np.isnan(table.to_numpy()).any():
        lines.append("– not reported (no activity data, direct entry or notation key); totals "
                     "add the reported cells")
    gpc = totals(co2e, "gpc")
    head = "GPC totals by scope-2 method" if side_by_side else "GPC totals"
    lines += ["", f"{head:<30}" + "".join(f"{m:>24}" for m in methods)]
    for key, label in _GPC_TOTALS:
        lines.append(f"  {label:<28}" + "".join(
            f"{_spaced(float(gpc.sel(total=key, scope2_method=m))):>24}" for m in methods))
    if "co2_biogenic" in one:
        lines.append("Biogenic CO2 (memo item, outside totals): "
                     f"{_spaced(float(one['co2_biogenic'].sum()))} t")
    if "notation_key" in one:
        keys = one["notation_key"].to_series()
        keys = keys[keys != ""]
        if len(keys):
            grouped = {k: ", ".join(keys[keys == k].index.astype(str)) for k in sorted(set(keys))}
            lines.append("Notation keys: " + "; ".join(f"{k}: {v}" for k, v in grouped.items()))
    if plan is not None and plan.municipality == code and year in plan.population:
        people = plan.population[year]
        per = per_capita(gpc, {year: people})
        terr = float(per.sel(total="territorial").isel(scope2_method=0))
        plus = " / ".join(f"{float(per.sel(total='basic_plus', scope2_method=m)):.1f}"
                          for m in methods)
        whose = "the example plan" if plan.illustrative else f"plan v{plan.version}"
        lines.append(f"Per capita (population {_spaced(people)}, from {whose}): "
                     f"territorial {terr:.1f}, BASIC+ {plus} t CO2e")
    return "\n".join(lines)


def spend_footprint_text(
    footprint: xr.Dataset,
    *,
    municipality: int | None = None,
    year: int | None = None,
    population_source: str | None = None,
    bridge_note: str | None = None,
) -> str:
    """A spend-based consumption footprint as a text table, by group and per inhabitant.

    Housing, food, transport, goods and services, the total, the Monte Carlo 5–95 % range of
    the total when the footprint has one (:func:`~klimacore.consumption.monte_carlo_footprint`),
    and the COICOP codes replaced by physical energy data. The title says "ILLUSTRATIVE" when
    the intensities or the spending are marked so.

    Parameters
    ----------
    footprint
        A :func:`~klimacore.consumption.spend_footprint` (or ``monte_carlo_footprint``) Dataset
        with a ``population``.
    municipality, year
        Which one to show; may be left out when the footprint holds only one.
    population_source
        Where the population comes from, said in the last line (default
        ``attrs["population_source"]``, if any).
    bridge_note
        How purchaser prices were bridged to basic prices (e.g. the VAT rates), said in the
        last line (default ``attrs["bridge_note"]``, if any).

    Returns
    -------
    str

    Examples
    --------
    >>> from klimacore import examples
    >>> text = spend_footprint_text(examples.example_footprint(n_draws=50))
    >>> print(text.splitlines()[0])  # doctest: +NORMALIZE_WHITESPACE
    Consumption-based footprint, Odder (727), 2019 (ILLUSTRATIVE intensities and spending;
    t CO2e, AR5GWP100)
    >>> "per inhabitant" in text and "Monte Carlo (50 draws" in text
    True
    """
    code = _only(footprint, "municipality", municipality, "spend_footprint_text: municipality")
    year = _only(footprint, "year", year, "spend_footprint_text: year")
    at = {"municipality": code, "year": year}
    by_group = footprint["by_group"].sel(at)
    total = float(footprint["total"].sel(at))
    pop = float(footprint["population"].sel(municipality=code))
    attrs = footprint.attrs
    illustrative = "ILLUSTRATIVE intensities and spending; " if (
        attrs.get("illustrative") or "ILLUSTRATIVE" in str(attrs.get("intensity_source", ""))
    ) else ""
    lines = [
        f"Consumption-based footprint, {_municipality_names().get(code, code)} ({code}), {year} "
        f"({illustrative}t CO2e, {attrs['gwp_metric']})",
        f"  {'group':<12}{'t CO2e':>12}{'t per inhabitant':>19}",
    ]
    groups = [g for g in _FOOTPRINT_GROUPS if g in by_group["group"]]
    groups += [str(g) for g in by_group["group"].to_numpy() if str(g) not in groups]
    for group in groups:
        value = float(by_group.sel(group=group))
        lines.append(f"  {group:<12}{value:>12,.0f}{value / pop:>19.2f}")
    lines.append(f"  {'total':<12}{total:>12,.0f}{total / pop:>19.2f}")
    if "total_percentiles" in footprint:
        lo, hi = (float(footprint["total_percentiles"].sel({**at, "percentile": p}))
                  for p in (5.0, 95.0))
        lines.append(
            f"  Monte Carlo ({attrs['n_draws']} draws, lognormal, {attrs['preserve']}-preserving): "
            f"total 5–95 % {lo:,.0f}–{hi:,.0f} t ({lo / pop:.2f}–{hi / pop:.2f} t per inhabitant)"
        )
    if attrs.get("overridden_coicop"):
        lines.append("  Replaced by physical energy/fuel use (no double counting): "
                     + ", ".join(attrs["overridden_coicop"]))
    population_source = population_source or attrs.get("population_source")
    bridge_note = bridge_note or attrs.get("bridge_note")
    source = f" ({population_source})" if population_source else ""
    bridge = f" ({bridge_note})" if bridge_note else ""
    bridged = (f", bridged to {attrs['price_basis']} prices{bridge}"
               if attrs["spending_price_basis"] != attrs["price_basis"] else "")
    lines.append(
        f"  Population {pop:,.0f}{source}; spending in {attrs['spending_unit']} "
        f"{attrs['spending_price_year']} {attrs['spending_price_basis']} prices{bridged}"
    )
    return "\n".join(lines)


def municipal_footprint_text(
    footprint: xr.Dataset, *, municipalities: Sequence[int] | None = None
) -> str:
    """The municipal consumption footprint (NIRAS structure) by category, per inhabitant.

    One block per municipality (category, group, t per inhabitant and the 90 % interval when
    the footprint has draws), then the whole country, what is modelled how, the caveats and the
    data vintages, all from the footprint's ``attrs``.

    Parameters
    ----------
    footprint
        A :func:`~klimacore.consumption.municipal_footprint` Dataset.
    municipalities
        Codes to show, in this order; default: every municipality of ``footprint``.

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> from klimacore.consumption import municipal_footprint
    >>> drivers = pd.DataFrame({"name": ["København", "Odder"],
    ...     "population": [50_000.0, 30_000.0],
    ...     "disposable_income": [300_000.0, 250_000.0],
    ...     "household_energy_co2_t": [30_000.0, 20_000.0], "cars_electric": [5_000.0, 2_000.0],
    ...     "cars_plugin": [1_000.0, 500.0], "cars_diesel": [4_000.0, 4_000.0],
    ...     "cars_petrol": [15_000.0, 10_000.0], "commuting_km": [15.0, 25.0]},
    ...     index=pd.Index([101, 727], name="municipality"))
    >>> ds = municipal_footprint(drivers, n_draws=100, seed=1,
    ...     national={"commuting_km": 20.0, "electricity_co2_g_per_kwh": 45.0})
    >>> text = municipal_footprint_text(ds, municipalities=[727])
    >>> print(text.splitlines()[1])
    Odder (727), population 30,000
    >>> municipal_footprint_text(ds, municipalities=[751])
    Traceback (most recent call last):
    ...
    klimacore.errors.MissingLabelError: ...751...
    """
    from klimacore.consumption import footprint_table

    codes = ([int(m) for m in footprint["municipality"].to_numpy()] if municipalities is None
             else [int(m) for m in municipalities])
    have = {int(m) for m in footprint["municipality"].to_numpy()}
    missing = [c for c in codes if c not in have]
    if missing:
        raise MissingLabelError("municipal_footprint_text: municipality", missing,
                                dim="municipality")
    footprint = footprint.sel(municipality=codes)
    frame = footprint_table(footprint)
    has = "t_p5" in frame.columns
    lines = [
        f"Consumption-based footprint (modelled estimate, t CO2e per inhabitant, "
        f"{footprint.attrs['gwp_metric']} fuel factors; 90 % interval from "
        f"{footprint.attrs['n_draws']} draws)"
    ]
    for code in codes:
        rows = frame[frame["municipality"] == code]
        name = str(rows["name"].iloc[0])
        lines.append(f"{name} ({code}), population {float(rows['population'].iloc[0]):,.0f}")
        for row in rows.to_dict("records"):
            interval = (f"  [{row['t_per_inhabitant_p5']:.2f}–{row['t_per_inhabitant_p95']:.2f}]"
                        if has else "")
            lines.append(f"  {row['category']:<22}{row['group']:<11}"
                         f"{row['t_per_inhabitant']:>7.2f}{interval}")
    national = float(footprint["national_per_capita"].squeeze())
    lines.append(f"Whole country: {national:.2f} t per inhabitant (central)")
    lines.append("What is modelled how:")
    methods = {str(c): str(m) for c, m in zip(footprint["category"].to_numpy(),
                                                footprint["method"].to_numpy(), strict=True)}
    for method in dict.fromkeys(methods.values()):
        cats = [c for c, m in methods.items() if m == method]
        lines.append(f"  {', '.join(cats)}: {method}")
    lines.append("Caveats:")
    lines.extend(f"  - {c}" for c in footprint.attrs["caveats"])
    lines.append("Vintages: " + "; ".join(f"{k} {v}"
                                          for k, v in footprint.attrs["vintages"].items()))
    return "\n".join(lines)


def plan_checks_text(checks: pd.DataFrame, *, show_info: bool = False, width: int = 100) -> str:
    """Every check of a plan for a terminal: a summary line, then findings by check, worst first.

    What ``klimacore check PLAN.json`` prints. Per-year trajectory rows are never shown; a
    reference whose figures are not yet verified against their primary source is named in a
    closing note.

    Parameters
    ----------
    checks
        The table of :func:`klimacore.trajectory.check_plan`.
    show_info
        Also list the checks that passed (severity ``info``).
    width
        Wrap findings at this many characters.

    Returns
    -------
    str
        ``"No checks."`` for an empty table.

    Examples
    --------
    >>> from klimacore.models import load_example_plan
    >>> from klimacore.trajectory import check_plan
    >>> text = plan_checks_text(check_plan(load_example_plan()))
    >>> print(text.splitlines()[0])  # doctest: +ELLIPSIS
    Plan 727 v2.0: ... error(s), ... warning(s), ... passed
    >>> plan_checks_text(check_plan(load_example_plan()).iloc[0:0])
    'No checks.'
    """
    from klimacore.trajectory import get_reference

    if checks.empty:
        return "No checks."
    counts = checks["severity"].value_counts()
    head = checks.iloc[0]
    passed = int((checks["severity"] == "info").sum())
    lines = [f"Plan {head['municipality']} v{head['plan_version']}: "
             f"{int(counts.get('error', 0))} error(s), {int(counts.get('warning', 0))} "
             f"warning(s), {passed} passed"]
    for check, group in checks.groupby("check", sort=False, observed=True):
        shown = group if show_info else group[group["severity"] != "info"]
        if shown.empty:
            lines.append(f"\n{check}: all {len(group)} passed")
            continue
        lines.append(f"\n{check}:")
        order = shown.assign(_o=shown["severity"].map(_SEVERITY_ORDER).astype(int))
        for _, row in order.sort_values("_o", kind="stable").iterrows():
            text = f"[{str(row['severity']).upper()}] {row['message']}"
            lines.extend(textwrap.wrap(text, width=width, initial_indent="  ",
                                       subsequent_indent="      "))
    unverified = []
    for ref_id in sorted({r for r in checks["reference"].dropna().unique()}):
        try:
            ref = get_reference(str(ref_id))
        except KlimacoreError:
            continue  # the plan's own targets: not a published reference
        if ref.source.verification == "check":
            unverified.append(ref_id)
    if unverified:
        lines.append(f"\nNote: figures of {', '.join(unverified)} are marked 'check' (not yet "
                     "verified against the primary source).")
    return "\n".join(lines)


def milestone_text(
    plan: ClimateActionPlan,
    *,
    checks: pd.DataFrame | None = None,
    year: int = 2030,
    manko_years: Sequence[int] = (2030, 2050),
) -> str:
    """A plan's milestone against each reference side by side, its manko and a check count.

    The trajectory section of ``klimacore demo``: allowed emissions, the plan's emissions
    (observed, then the action scenario), the gap and the verdict for every reference that has
    the milestone, then the manko per year and how many checks failed.

    Parameters
    ----------
    plan
        A validated plan.
    checks
        Its :func:`~klimacore.trajectory.check_plan` table (computed when not given).
    year
        The milestone year to show.
    manko_years
        Years whose total manko is shown.

    Returns
    -------
    str

    Examples
    --------
    >>> from klimacore.models import load_example_plan
    >>> print(milestone_text(load_example_plan()).splitlines()[0])
    Trajectory checks — plan 727 v2.0 (illustrative example)
    """
    from klimacore.trajectory import check_plan, manko

    df = check_plan(plan) if checks is None else checks
    tag = " (illustrative example)" if plan.illustrative else ""
    lines = [f"Trajectory checks — plan {plan.municipality} v{plan.version}{tag}",
             f"  {year} against each reference (emissions: observed, then action scenario):"]
    traj = df[(df["check"] == "trajectory") & (df["rule"] == "milestone")]
    for _, row in traj[traj["year"] == year].iterrows():
        gap = row["value"] - row["threshold"]
        lines.append(f"    {row['reference']:<22} allowed {row['threshold']:>10,.0f} t   "
                     f"plan {row['value']:>10,.0f} t   gap {gap:>+10,.0f} t   {row['status']}")
    m = manko(plan)
    total = m[(m["sector"] == "total") & m["year"].isin(list(manko_years))]
    for _, row in total.iterrows():
        lines.append(f"  Manko {int(row['year'])}: {row['manko_t']:,.0f} t ({row['target']})")
    counts = df["severity"].value_counts()
    lines.append(f"  Plan checks: {int(counts.get('error', 0))} error(s), "
                 f"{int(counts.get('warning', 0))} warning(s); run `klimacore check PLAN.json` "
                 "for the details")
    return "\n".join(lines)

