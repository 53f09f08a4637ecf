"""The models' error contract: klimacore errors (never pydantic's), one item per problem.

Every problem is a KlimacoreError and a ValueError with a stable ``code``, the ``label`` at fault
and the field path as ``location``; several are raised together as a ProblemGroup.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klimacore.errors import KlimacoreError, ProblemGroup, UnitError, ValidationError
from klimacore.models import (
    Action,
    ClimateActionPlan,
    Indicator,
    InventoryMeta,
    Scenario,
    Target,
    load_example_plan,
    plan_errors,
    plan_problems,
    read_plan,
)


def example_dict() -> dict[str, Any]:
    return json.loads(load_example_plan().model_dump_json())


def test_one_problem_is_raised_as_itself_with_code_label_location() -> None:
    with pytest.raises(ValidationError) as info:
        Target(kind="net_zero", target_year=3050)
    err = info.value
    assert not isinstance(err, pydantic.ValidationError)
    assert (err.code, err.label, err.location) == ("plan.year_range", 3050, "target_year")
    assert str(err) == "target_year: year 3050 is outside 1990–2100"


def test_several_problems_of_one_model_are_a_group() -> None:
    with pytest.raises(ProblemGroup) as info:
        Action(id="x", title="t", owner="o", start=2024, end=2020, sector="energy",
               effect_year=2020)
    items = info.value.exceptions
    assert [(e.code, e.location) for e in items] == [
        ("plan.action_timeline", "end"),
        ("plan.action_effect", None),
        ("plan.action_timeline", "effect_year"),
    ]
    assert isinstance(info.value, ValueError) and isinstance(info.value, KlimacoreError)


@pytest.mark.parametrize(("build", "kind", "code", "location"), [
    (lambda: Target(kind="absolute", target_year="soon"), ValidationError, "plan.int_parsing",
     "target_year"),
    (lambda: Indicator(id="a", name="n", level="impact", unit="zorkmids",
                       direction="decrease"), UnitError, "plan.unit", "unit"),
    (lambda: Scenario(name="bau", emissions={"spaceflight": {2030: 1.0}}), ValidationError,
     "plan.sector", "emissions.spaceflight"),
    (lambda: InventoryMeta(source="x", year=2019, colour="red"), ValidationError,
     "plan.extra_forbidden", "colour"),
    (lambda: ClimateActionPlan.model_validate_json("[1]"), ValidationError,
     "plan.model_type", "(document)"),
])
def test_pydantic_types_become_codes(build: Any, kind: type[Exception], code: str,
                                     location: str) -> None:
    with pytest.raises(kind) as info:
        build()
    assert (info.value.code, info.value.location) == (code, location)  # type: ignore[attr-defined]


def test_frozen_assignment_is_a_klimacore_error() -> None:
    plan = load_example_plan()
    with pytest.raises(ValidationError, match="frozen") as info:
        plan.version = "3"  # type: ignore[misc]
    assert info.value.code == "plan.frozen_instance"


def test_cross_field_problems_are_separate_items() -> None:
    doc = example_dict()
    doc["actions"][1]["id"] = doc["actions"][0]["id"]
    doc["actions"][0]["indicators"] = ["no-such-indicator"]
    doc["targets"].append(doc["targets"][1])
    with pytest.raises(ProblemGroup) as info:
        ClimateActionPlan.model_validate(doc)
    got = {(e.code, e.location) for e in info.value.exceptions}
    assert got == {("plan.duplicate_id", "actions[1].id"),
                   ("plan.unknown_indicator", "actions[0].indicators"),
                   ("plan.duplicate_target", f"targets[{len(doc['targets']) - 1}]")}
    labels = {e.code: e.label for e in info.value.exceptions}
    assert labels["plan.unknown_indicator"] == "no-such-indicator"
    assert labels["plan.duplicate_id"] == doc["actions"][0]["id"]


def test_read_plan_names_the_source_and_matches_plan_problems() -> None:
    doc = example_dict()
    doc["municipality"] = 999
    doc["baseline_year"] = 1850
    text = json.dumps(doc)
    with pytest.raises(ProblemGroup, match=r"plan\.json: 2 problems") as info:
        read_plan(text, source="plan.json")
    assert [str(e) for e in info.value.exceptions] == plan_problems(text)
    assert read_plan(json.dumps(example_dict())) == load_example_plan()


def test_duplicate_json_key_is_an_item() -> None:
    text = json.dumps(example_dict()).replace('"municipality": 727',
                                              '"municipality": 727, "municipality": 751')
    (err,) = plan_errors(text)
    assert (err.code, err.label, err.location) == ("json.duplicate_key", "municipality",
                                                   "municipality")


_BREAKS = {
    "municipality": lambda d: d.update(municipality=999),
    "baseline_year": lambda d: d.update(baseline_year=1850),
    "title": lambda d: d.update(title=""),
    "target": lambda d: d["targets"][0].update(target_year=1980),
    "action_sector": lambda d: d["actions"][0].update(sector="spaceflight"),
    "unit": lambda d: d["indicators"][0].update(unit="bananas_per_parsec"),
    "extra": lambda d: d.update(colour="green"),
}


@settings(max_examples=25, deadline=None)
@given(st.sets(st.sampled_from(sorted(_BREAKS)), min_size=1))
def test_one_item_per_broken_field(broken: set[str]) -> None:
    """Breaking n independent fields gives exactly n items, each a located ValueError."""
    doc = example_dict()
    for name in broken:
        _BREAKS[name](doc)
    errors = plan_errors(doc)
    assert len(errors) == len(broken)
    assert all(isinstance(e, KlimacoreError) and isinstance(e, ValueError) for e in errors)
    assert all(e.code and e.location for e in errors)
    kind = ProblemGroup if len(broken) > 1 else KlimacoreError
    with pytest.raises(kind):
        ClimateActionPlan.model_validate(doc)


def test_io_read_plan_json_same_contract(tmp_path: Any) -> None:
    from klimacore import io
    from klimacore.errors import InputFileError

    good = tmp_path / "plan.json"
    good.write_text(load_example_plan().model_dump_json(), encoding="utf-8")
    assert io.read_plan_json(good) == load_example_plan()
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        io.read_plan_json(bad)
    assert info.value.location == f"{bad}, line 1, column 2"
    assert info.value.code == "file.unreadable"
