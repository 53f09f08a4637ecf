"""Reference, development-track and monitoring-round models raise klimacore's errors only."""

from __future__ import annotations

import datetime as dt

import pydantic
import pytest

from klimacore.errors import KlimacoreError, ProblemGroup, ValidationError
from klimacore.examples import example_round
from klimacore.monitoring import ActionUpdate, RoundData
from klimacore.trajectory import Milestone, Reference


def test_reference_problems_are_located_items() -> None:
    with pytest.raises(ProblemGroup) as err:
        Reference(id="x", base_year=2019, method="budget",
                  milestones=[Milestone(year=2030, reduction_pct=50),
                              Milestone(year=2018, reduction_pct=10)])
    items = err.value.exceptions
    assert not any(isinstance(e, pydantic.ValidationError) for e in items)
    assert {e.code for e in items} == {"reference.milestones_order", "reference.milestone_year",
                                       "reference.budget"}
    assert all(isinstance(e, ValueError) and e.location for e in items)
    assert "reference 'x': milestones are not sorted by year" in str(err.value)


def test_reference_field_errors_translated() -> None:
    with pytest.raises(KlimacoreError) as err:
        Reference(id="bad id!", base_year=1800, milestones=[{"year": 2030, "reduction_pct": 1}])
    assert not isinstance(err.value, pydantic.ValidationError)
    assert {e.location for e in err.value.exceptions} == {"id", "base_year"}
    assert all(e.code.startswith("reference.") for e in err.value.exceptions)
    with pytest.raises(ValidationError) as one:
        Milestone(year=2030, reduction_pct=50, reduction_pct_high=40)
    assert one.value.code == "reference.milestone_range"
    assert one.value.location == "reduction_pct_high"


def test_round_data_items_and_json() -> None:
    rd = example_round()
    stray = ActionUpdate(action_id="ZZ", municipality=727, year=2025, phase="planning",
                         date=dt.date(2026, 2, 1), reporter="x")
    with pytest.raises(ValidationError) as err:
        RoundData(round=rd.round, actions=rd.actions, updates=[stray])
    assert (err.value.code, err.value.label, err.value.location) == (
        "monitoring.round.unknown_action", "ZZ", "updates[0].action_id")
    with pytest.raises(KlimacoreError) as bad:
        RoundData.model_validate_json("{")
    assert not isinstance(bad.value, pydantic.ValidationError)
    assert bad.value.code.startswith("monitoring.round.")
