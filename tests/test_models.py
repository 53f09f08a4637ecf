"""Typed plan models: validation, all problems reported together, exact JSON round trips."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from klimacore.errors import ProblemGroup, UnitError, ValidationError
from klimacore.models import (
    PLAN_SECTORS,
    Action,
    ClimateActionPlan,
    Indicator,
    InventoryMeta,
    Scenario,
    Target,
    json_schema,
    load_example_plan,
    plan_problems,
)
from klimacore.units import GWP_METRICS


def example_dict() -> dict[str, Any]:
    return json.loads(load_example_plan().model_dump_json())


def test_example_plan_is_valid_and_labelled_illustrative() -> None:
    plan = load_example_plan()
    assert plan.illustrative
    assert plan.municipality == 727
    assert plan.net_zero_year == 2050
    assert plan_problems(example_dict()) == []


def test_frozen_and_extra_fields_rejected() -> None:
    plan = load_example_plan()
    with pytest.raises(ValidationError):
        plan.version = "3"  # type: ignore[misc]
    doc = example_dict()
    doc["colour"] = "green"
    assert plan_problems(doc) == ["colour: Extra inputs are not permitted"]


def test_all_problems_reported_with_locations() -> None:
    doc = example_dict()
    doc["municipality"] = 411
    doc["baseline_year"] = 1850
    doc["targets"][0]["target_year"] = 1980
    doc["actions"][1]["end"] = 2000
    doc["indicators"][2]["unit"] = "bananas_per_parsec"
    doc["actions"][0]["sector"] = "spaceflight"
    problems = plan_problems(doc)
    locations = [p.split(":")[0] for p in problems]
    assert "municipality" in locations
    assert "baseline_year" in locations
    assert any(loc.startswith("targets[0]") for loc in locations)
    assert any(loc.startswith("actions[1]") for loc in locations)
    assert any(loc.startswith("indicators[2].unit") for loc in locations)
    assert any(loc.startswith("actions[0].sector") for loc in locations)
    assert any("bananas_per_parsec" in p for p in problems)


def test_cross_references() -> None:
    doc = example_dict()
    doc["actions"][0]["indicators"] = ["no-such-indicator"]
    doc["actions"][1]["id"] = doc["actions"][2]["id"]
    problems = " ".join(plan_problems(doc))
    assert "no-such-indicator" in problems
    assert f"id {doc['actions'][2]['id']!r} is already used by actions[1]" in problems


def test_inventory_and_plan_metric_must_agree() -> None:
    doc = example_dict()
    doc["inventory"]["gwp_metric"] = "AR6GWP100"
    assert any("gwp_metric" in p for p in plan_problems(doc))


def test_gwp_literal_matches_units() -> None:
    schema = json_schema("InventoryMeta")
    assert tuple(schema["properties"]["gwp_metric"]["enum"]) == GWP_METRICS


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "absolute", "target_year": 2030}, "needs base_year"),
        ({"kind": "sector", "base_year": 1990, "target_year": 2030, "reduction_pct": 5},
         "needs sector"),
        ({"kind": "absolute", "base_year": 1990, "target_year": 2300, "reduction_pct": 70},
         "2300"),
        ({"kind": "net_zero", "target_year": 2050, "gases": ["CO2", "co2"]}, "twice"),
        ({"kind": "net_zero", "target_year": 2050, "gases": ["CO2", "H2O"]}, "H2O"),
    ],
)
def test_target_rules(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises((ValidationError, ProblemGroup), match=message):
        Target(**kwargs)


def test_validation_errors_are_value_errors() -> None:
    with pytest.raises(ValueError, match="end 2020 is before start 2024"):
        Action(id="x", title="t", owner="o", start=2024, end=2020, sector="energy")


def test_indicator_unit_dimension_checked() -> None:
    Indicator(id="a", name="n", level="impact", unit="t", direction="decrease")
    with pytest.raises(UnitError, match="unknown unit"):
        Indicator(id="a", name="n", level="impact", unit="zorkmids", direction="decrease")


def test_inventory_dates() -> None:
    with pytest.raises(ValidationError, match="before the end of inventory year"):
        InventoryMeta(source="x", year=2022, release_date=dt.date(2021, 6, 1))


def test_scenario_total_names_missing_sectors() -> None:
    s = Scenario(name="bau", emissions={"energy": {2030: 1.0}, "transport": {2031: 2.0}})
    with pytest.raises(KeyError, match="transport"):
        s.total(2030)


def test_json_schema_export() -> None:
    schema = json_schema()
    assert schema["additionalProperties"] is False
    assert "targets" in schema["properties"]
    with pytest.raises(KeyError, match="Nope"):
        json_schema("Nope")


# --- hypothesis: generated plans round-trip exactly ---------------------------------------------

years = st.integers(min_value=1990, max_value=2100)
finite = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)
positive = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
ids = st.from_regex(r"[A-Za-z0-9_.\-]{1,8}", fullmatch=True)
text = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() == s and s.strip() != "")
sectors = st.sampled_from(PLAN_SECTORS)


@st.composite
def targets(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["absolute", "net_zero", "per_capita", "sector"]))
    target_year = draw(st.integers(min_value=1991, max_value=2100))
    out: dict[str, Any] = {"kind": kind, "target_year": target_year,
                           "includes_lulucf": draw(st.booleans())}
    if kind in ("absolute", "sector"):
        out["base_year"] = draw(st.integers(min_value=1990, max_value=target_year - 1))
        out["reduction_pct"] = draw(st.floats(min_value=-100, max_value=200))
    if kind == "sector":
        out["sector"] = draw(sectors)
    if kind == "per_capita":
        out["per_capita_t"] = draw(positive)
    return out


@st.composite
def scenarios(draw: st.DrawFn, start: int) -> dict[str, Any]:
    secs = draw(st.lists(sectors, min_size=1, max_size=4, unique=True))
    return {"name": draw(text), "emissions": {
        s: draw(st.dictionaries(st.integers(min_value=start, max_value=2100), finite,
                                min_size=1, max_size=5)) for s in secs}}


def _target_key(t: dict[str, Any]) -> tuple[Any, ...]:
    """What makes two targets the same target (a plan may state each once)."""
    measure = t["kind"] if t["kind"] in ("net_zero", "per_capita") else t.get("base_year")
    return (t["target_year"], t.get("sector"), t.get("boundary", "territorial"), measure)


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    baseline_year = draw(st.integers(min_value=2000, max_value=2030))
    metric = draw(st.sampled_from(GWP_METRICS))
    indicator_ids = draw(st.lists(ids, max_size=3, unique=True))
    indicators = [{"id": i, "name": draw(text), "level": draw(st.sampled_from(
        ["output", "outcome", "impact"])), "unit": draw(st.sampled_from(
        ["percent", "t", "GWh", "dimensionless", "km", "hectare"])), "direction": draw(
        st.sampled_from(["increase", "decrease"])), "observations": draw(
        st.dictionaries(years, finite, max_size=3))} for i in indicator_ids]
    actions = []
    for i in draw(st.lists(ids, max_size=3, unique=True)):
        start = draw(st.integers(min_value=2000, max_value=2060))
        actions.append({"id": i, "title": draw(text), "owner": draw(text), "start": start,
                        "end": draw(st.integers(min_value=start, max_value=2100)),
                        "sector": draw(sectors),
                        "indicators": draw(st.lists(st.sampled_from(indicator_ids), unique=True,
                                                    max_size=2)) if indicator_ids else []})
    return {
        "municipality": draw(st.sampled_from([101, 147, 727, 751, 851, 860, "0400"])),
        "title": draw(text), "version": draw(text),
        "adopted": draw(st.one_of(st.none(), st.dates(dt.date(2019, 1, 1), dt.date(2030, 1, 1)))),
        "gwp_metric": metric, "baseline_year": baseline_year,
        "baseline_emissions": draw(st.dictionaries(sectors, positive, min_size=1)),
        "inventory": {"source": draw(text), "year": baseline_year, "gwp_metric": metric},
        "population": draw(st.dictionaries(years, positive, max_size=3)),
        "targets": draw(st.lists(targets(), max_size=4, unique_by=_target_key)),
        "bau": draw(st.one_of(st.none(), scenarios(baseline_year))),
        "action_scenario": draw(st.one_of(st.none(), scenarios(baseline_year))),
        "actions": actions, "indicators": indicators,
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=plans())
def test_generated_plans_round_trip_exactly(doc: dict[str, Any]) -> None:
    plan = ClimateActionPlan.model_validate(doc)
    text = plan.model_dump_json()
    again = ClimateActionPlan.model_validate_json(text)
    assert again == plan
    assert again.model_dump_json() == text
    # and through a plain Python JSON round trip (what services do)
    assert ClimateActionPlan.model_validate(json.loads(text)) == plan


@settings(max_examples=50, deadline=None)
@given(target=targets())
def test_generated_targets_round_trip(target: dict[str, Any]) -> None:
    t = Target.model_validate(target)
    assert Target.model_validate_json(t.model_dump_json()) == t


def test_metric_literal_is_the_units_list() -> None:
    import typing

    from klimacore import units
    from klimacore.models import GwpMetric

    assert typing.get_args(GwpMetric) == units.GWP_METRICS
    assert ClimateActionPlan.model_fields["gwp_metric"].default == units.DEFAULT_GWP_METRIC
