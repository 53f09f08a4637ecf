"""Computed statuses against the plain per-object rules; the data model and the migration."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from klimacore.errors import MissingLabelError, ProblemGroup, ValidationError
from klimacore.models import Adaptation, load_example_plan
from klimacore.monitoring import (
    ACTION_REASONS,
    ACTION_STATUS,
    DATA_AGE_STATUS,
    HAZARDS,
    INDICATOR_STATUS,
    PHASES,
    STATES,
    ActionUpdate,
    IndicatorLink,
    IndicatorObservation,
    MonitoredAction,
    ReportingRound,
    action_status,
    data_age,
    indicator_status,
    migrate_plan_actions,
)
from klimacore.monitoring._status_ref import action_status_one, indicator_status_one


def _random_actions(rng: np.random.Generator, n_mun: int, n_act: int, n_ms: int,
                    n_ind: int) -> tuple[xr.Dataset, xr.DataArray, xr.DataArray]:
    shape = (n_mun, n_act)
    phase = rng.choice(np.array([*PHASES, None], dtype=object), size=shape)
    state = rng.choice(np.array(STATES, dtype=object), size=shape, p=[.8, .05, .05, .05, .05])
    start = rng.integers(2020, 2028, size=shape)
    end = start + rng.integers(0, 8, size=shape)
    due = (np.datetime64("2023-01-01") + rng.integers(0, 1800, size=(*shape, n_ms))
           ).astype("datetime64[D]")
    due[rng.random(due.shape) < 0.2] = np.datetime64("NaT")
    done = due + rng.integers(-30, 30, size=due.shape)
    done[rng.random(done.shape) < 0.5] = np.datetime64("NaT")
    last = (np.datetime64("2025-06-01") + rng.integers(0, 400, size=shape)).astype("datetime64[D]")
    last[rng.random(shape) < 0.1] = np.datetime64("NaT")
    override = np.where(rng.random(shape) < 0.05, "on time", "").astype(object)
    d = ("municipality", "action")
    panel = xr.Dataset({"status_override": (d, override),
                        "phase": (d, phase), "state": (d, state), "start": (d, start),
                        "end": (d, end), "milestone_due": ((*d, "milestone"), due),
                        "milestone_done": ((*d, "milestone"), done), "last_update": (d, last)})
    ind = xr.DataArray(rng.integers(0, 5, size=(n_mun, n_ind)), dims=("municipality", "indicator"))
    links = xr.DataArray(rng.random((n_act, n_ind)) < 0.05, dims=("action", "indicator"))
    return panel, ind, links


def test_action_status_matches_plain_rules() -> None:
    rng = np.random.default_rng(7)
    panel, ind, links = _random_actions(rng, 4, 60, 3, 8)
    as_of = dt.date(2026, 3, 1)
    out = action_status(panel, as_of=np.datetime64(as_of), indicator_status=ind, links=links)
    seen = set()
    for m in range(4):
        for a in range(60):
            ms = [(None if np.isnat(x) else pd.Timestamp(x).date(), None if np.isnat(y) else
                   pd.Timestamp(y).date()) for x, y in zip(panel["milestone_due"].to_numpy()[m, a],
                                                      panel["milestone_done"].to_numpy()[m, a],
                                                      strict=True)]
            off = [bool(links.to_numpy()[a, i] and ind.to_numpy()[m, i] == 3) for i in range(8)]
            ph = panel["phase"].to_numpy()[m, a]
            want = action_status_one(phase=ph if isinstance(ph, str) else None,
                                     state=panel["state"].to_numpy()[m, a],
                                     start=int(panel["start"].to_numpy()[m, a]),
                                     end=int(panel["end"].to_numpy()[m, a]), milestones=ms,
                                     off_track=off, as_of=as_of,
                                     override=panel["status_override"].to_numpy()[m, a] or None)
            got = (ACTION_STATUS[int(out["status"].to_numpy()[m, a])],
                   ACTION_REASONS[int(out["reason"].to_numpy()[m, a])],
                   int(out["reason_index"].to_numpy()[m, a]))
            assert got == want, (m, a)
            seen.add(want[:2])
    assert len(seen) >= 9  # the random panel exercised most branches


def test_action_status_freshness_and_unknown_phase() -> None:
    p = xr.Dataset({"phase": ("action", ["planning"] * 4), "state": ("action", ["active"] * 4),
                    "start": ("action", [2025] * 4), "end": ("action", [2030] * 4),
                    "last_update": ("action", np.array(["2026-02-20", "2025-12-20", "2025-08-01",
                                                        "NaT"], dtype="datetime64[D]"))})
    out = action_status(p, as_of=np.datetime64("2026-03-01"))
    assert out["freshness"].to_numpy().tolist() == [0, 2, 3, 4]
    with pytest.raises(MissingLabelError, match="delayed"):
        action_status(p.assign(phase=("action", ["delayed"] * 4)), as_of=np.datetime64("2026-01-01"))


def test_indicator_vector_and_against_plain_rules() -> None:
    rng = np.random.default_rng(3)
    n = 200
    years = np.arange(2015, 2027)
    obs = rng.normal(50, 20, (n, years.size))
    obs[rng.random(obs.shape) < 0.4] = np.nan
    by = rng.integers(2010, 2020, n)
    bv = rng.normal(50, 10, n)
    ty = np.stack([by + rng.integers(3, 8, n), by + rng.integers(10, 25, n)], axis=1).astype(float)
    tv = rng.normal(50, 30, (n, 2))
    ty[rng.random(n) < 0.3, 1] = np.nan
    direction = rng.choice([-1, 1], n)
    out = indicator_status(
        baseline_year=xr.DataArray(by, dims="indicator"),
        baseline_value=xr.DataArray(bv, dims="indicator"),
        target_year=xr.DataArray(ty, dims=("indicator", "target")),
        target_value=xr.DataArray(tv, dims=("indicator", "target")),
        direction=xr.DataArray(direction, dims="indicator"),
        observations=xr.DataArray(obs, dims=("indicator", "year"), coords={"year": years}),
        as_of_year=2026)
    for i in range(n):
        targets = {int(y): float(v) for y, v in zip(ty[i], tv[i], strict=True) if not np.isnan(y)}
        ob = {int(y): float(v) for y, v in zip(years, obs[i], strict=True) if not np.isnan(v)}
        status, expected, _ = indicator_status_one(
            baseline=(int(by[i]), float(bv[i])), targets=targets, direction=int(direction[i]),
            observations=ob, as_of_year=2026)
        assert INDICATOR_STATUS[int(out["status"].to_numpy()[i])] == status, i
        if expected is not None:
            assert float(out["expected"].to_numpy()[i]) == pytest.approx(expected, rel=1e-12)


def test_indicator_spec_vector_and_step() -> None:
    one = xr.DataArray
    kw = dict(baseline_year=one(2020), baseline_value=one(4.0),
              target_year=one([2025, 2030], dims="target"),
              target_value=one([30.0, 60.0], dims="target"), direction=one(1),
              observations=one([19.5], dims="year", coords={"year": [2023]}))
    lin = indicator_status(**kw, as_of_year=2024)
    assert float(lin["expected"]) == pytest.approx(4 + 26 * 3 / 5)
    step = indicator_status(**kw, as_of_year=2024, interpolation="step")
    assert float(step["expected"]) == 4.0 and INDICATOR_STATUS[int(step["status"])] == "on track"
    old = indicator_status(**kw, as_of_year=2027)
    assert INDICATOR_STATUS[int(old["status"])] == "no data"


def test_data_age_spec_vectors() -> None:
    out = data_age(as_of=np.datetime64("2026-11-22"),
                   inventory_year=xr.DataArray([2023.0, 2024.0]),
                   risk_assessment_date=xr.DataArray(np.array(["2020-03-01", "2022-01-01"],
                                                              dtype="datetime64[D]")),
                   risk_data_year=xr.DataArray([2015, 2010]))
    assert [DATA_AGE_STATUS[c] for c in out["inventory_status"].to_numpy()] == ["due", "fresh"]
    assert float(out["risk_age"][0]) == pytest.approx(6.73, abs=0.01)
    assert [DATA_AGE_STATUS[c] for c in out["risk_status"].to_numpy()] == ["stale", "stale"]


def test_round_lifecycle_and_revision_rules() -> None:
    r = ReportingRound(municipality="Aarhus", year=2025, opened=dt.date(2026, 1, 10))
    assert r.municipality == 751
    closed = r.close(on=dt.date(2026, 3, 1), content_hash="x")
    with pytest.raises(ValidationError, match="frozen"):
        closed.state = "open"  # type: ignore[misc]
    with pytest.raises(ValueError, match="already closed"):
        closed.close(on=dt.date(2026, 4, 1), content_hash="y")
    with pytest.raises(ValueError, match="open"):
        r.revise(reason="x", on=dt.date(2026, 2, 1))
    with pytest.raises(ValidationError, match="revision_reason"):
        ReportingRound(municipality=751, year=2025, revision=1, opened=dt.date(2026, 1, 1))


def test_models_reject_bad_input_with_locations() -> None:
    with pytest.raises(ValidationError) as exc:  # a field fails: the cross-field rules wait
        MonitoredAction(id="A 1", title="t", owner="o", sector="energy", start=2025, end=2024,
                        state="merged")
    assert (exc.value.code, exc.value.label, exc.value.location) == (
        "monitoring.string_pattern_mismatch", "A 1", "id")
    with pytest.raises(ProblemGroup) as group:
        MonitoredAction(id="A1", title="t", owner="o", sector="energy", start=2025, end=2024,
                        state="merged")
    assert [(e.code, e.location) for e in group.value.exceptions] == [
        ("monitoring.action_timeline", "end"), ("monitoring.action_merged", "merged_into")]
    with pytest.raises(ValidationError, match="realised_effect"):
        ActionUpdate(action_id="A1", municipality=101, year=2025, phase="planning",
                     date=dt.date(2026, 1, 1), reporter="x", realised_effect_t=3.0)
    with pytest.raises(ValidationError, match="before the observed year"):
        IndicatorObservation(indicator_id="i", municipality=101, year=2025, value=1.0,
                             release_date=dt.date(2024, 5, 1))
    with pytest.raises(ValidationError, match="itself"):
        IndicatorLink(cause_id="a", effect_id="a", effect_type="increases", confidence="low")
    with pytest.raises(ValidationError, match="unknown municipality"):
        ActionUpdate(action_id="A1", municipality=999, year=2025, phase="planning",
                     date=dt.date(2026, 1, 1), reporter="x")


def test_hazards_match_the_plan_model() -> None:
    field = Adaptation.model_fields["hazards"].annotation
    assert set(HAZARDS) == set(field.__args__[0].__args__)  # type: ignore[union-attr]


def test_migration_reads_old_plans() -> None:
    plan = load_example_plan()
    new = migrate_plan_actions(plan)
    for old, a in zip(plan.actions, new, strict=True):
        assert a.id == old.id and a.sector == old.sector and a.indicators == old.indicators
        if old.expected_effect_t is not None:
            assert a.expected_effect == {old.effect_year: old.expected_effect_t}
        assert (a.state == "cancelled") == (old.status == "cancelled")
        assert (a.phase == "completed") == (old.status == "completed")


def test_monitoring_import_stays_light() -> None:
    import subprocess
    import sys

    code = ("import sys, klimacore.monitoring as m; "
            "print('sqlalchemy' in sys.modules, 'openpyxl' in sys.modules, "
            "m.MonitoringStore.__name__, 'sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False", "False", "MonitoringStore", "True"]


def test_indicator_projection_against_polyfit() -> None:
    years = np.arange(2018, 2025)
    obs = np.array([[4.0, 5.5, np.nan, 9.0, 12.5, 15.0, 19.5],
                    [np.nan] * 5 + [3.0, 4.0]])
    out = indicator_status(
        baseline_year=xr.DataArray([2018, 2018], dims="i"),
        baseline_value=xr.DataArray([4.0, 2.0], dims="i"),
        target_year=xr.DataArray([[2030], [2030]], dims=("i", "target")),
        target_value=xr.DataArray([[60.0], [10.0]], dims=("i", "target")),
        direction=xr.DataArray([1, 1], dims="i"),
        observations=xr.DataArray(obs, dims=("i", "year"), coords={"year": years}),
        as_of_year=2024, projection=True)
    ok = ~np.isnan(obs[0])
    a, b = np.polyfit(years[ok], obs[0][ok], 1)
    assert float(out["projected_value"][0]) == pytest.approx(a * 2030 + b, rel=1e-12)
    assert not bool(out["projected_meets"][0])  # the trend reaches ≈ 37 %, not 60 %
    assert np.isnan(float(out["projected_value"][1]))  # two points are not a trend


def test_monitoring_imports_only_lower_layers() -> None:
    """One-way imports (DESIGN.md): monitoring may use errors … trajectory, never io/cli/…"""
    import ast
    from pathlib import Path

    import klimacore.monitoring as pkg

    allowed = {"klimacore.errors", "klimacore.units", "klimacore.reference", "klimacore.models",
               "klimacore.forms", "klimacore.territorial", "klimacore.mrio",
               "klimacore.consumption", "klimacore.trajectory", "klimacore.monitoring",
               "klimacore._lazy", "klimacore._progress",  # bottom layer: imports only errors
               "klimacore._model_base",  # models layer (tests/test_layers.py checks every module)
               "klimacore._deprecation"}  # helpers layer: the deprecated alias below warns
    alias = "_example.py: klimacore.examples"  # monitoring.example_round, deprecated until 0.3
    bad = []
    for path in Path(pkg.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{a.name}" for a in node.names] \
                    if node.module == "klimacore" else [node.module or ""]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                names = []
            for name in names:
                if name.startswith("klimacore") and not any(
                        name == a or name.startswith(a + ".") for a in allowed):
                    bad.append(f"{path.name}: {name}")
    assert alias in bad  # the check sees the alias's deferred import …
    bad.remove(alias)  # … which is the one allowed exception
    assert bad == []
