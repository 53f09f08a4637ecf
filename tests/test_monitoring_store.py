"""The monitoring store on SQLite and on a real PostgreSQL server started by the tests."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pandas as pd
import pytest
import sqlalchemy as sa

import _postgres  # type: ignore[import-not-found]
from klimacore.errors import ProblemGroup, ValidationError
from klimacore.monitoring import (
    ActionUpdate,
    ConflictError,
    FrozenRoundError,
    IndicatorObservation,
    MonitoringStore,
)
from klimacore.monitoring._schema import SCHEMA_VERSION

D = dt.date(2026, 1, 10)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    reason = _postgres.unavailable()
    if reason and os.environ.get("KLIMACORE_REQUIRE_POSTGRES"):
        pytest.fail(f"KLIMACORE_REQUIRE_POSTGRES is set but: {reason}")
    if reason:
        pytest.skip(reason)
    with _postgres.server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[MonitoringStore]:
    if request.param == "sqlite":
        yield MonitoringStore(f"sqlite:///{tmp_path}/m.db")  # type: ignore[str-bytes-safe]
        return
    url = request.getfixturevalue("postgres_url")
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"t_{abs(hash(request.node.nodeid)) % 10**9}"
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    s = MonitoringStore(url.rsplit("/", 1)[0] + "/" + name)
    yield s
    s.engine.dispose()
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
    admin.dispose()


def _update(action: str, **kw: object) -> ActionUpdate:
    base = dict(action_id=action, municipality=751, year=2025, phase="implementation",
                progress_pct=40.0, milestones_met=("tender",), date=D, reporter="anna",
                realised_effect_t=120.5, realised_effect_year=2025, spent_dkk=1.25e6,
                note="æøå ok")
    base.update(kw)
    return ActionUpdate(**base)  # type: ignore[arg-type]


def test_schema_is_at_newest_version(store: MonitoringStore) -> None:
    assert store.schema_version == SCHEMA_VERSION
    assert store.migrate() == SCHEMA_VERSION  # idempotent


def test_round_trip_updates_and_observations(store: MonitoringStore) -> None:
    r = store.open_round("Aarhus", 2025, who="anna", on=D)
    r = store.write_updates(r, [_update("A1"), _update("A2", progress_pct=None,
                                                       realised_effect_t=None,
                                                       realised_effect_year=None)], who="anna")
    obs = IndicatorObservation(indicator_id="ev-share", municipality=751, year=2024,
                               value=19.5, release_date=dt.date(2025, 4, 1), source="DST BIL54")
    r = store.write_observations(r, [obs], who="bo")
    back = store.read("action_updates", [r]).set_index("action_id")
    assert back.loc["A1", "realised_effect_t"] == 120.5
    assert back.loc["A1", "note"] == "æøå ok"
    assert pd.isna(back.loc["A2", "progress_pct"])
    assert pd.Timestamp(back.loc["A1", "date"]).date() == D
    o = store.read("observations", [r]).iloc[0]
    assert (o["indicator_id"], o["year"], o["value"]) == ("ev-share", 2024, 19.5)
    assert pd.Timestamp(o["release_date"]).date() == dt.date(2025, 4, 1)
    assert r.version == 2


def test_every_change_is_kept(store: MonitoringStore) -> None:
    r = store.open_round(751, 2025, who="anna", on=D)
    r = store.write_updates(r, [_update("A1", progress_pct=10.0)], who="anna")
    r = store.write_updates(r, [_update("A1", progress_pct=50.0)], who="bo")
    assert store.read("action_updates", [r])["progress_pct"].tolist() == [50.0]
    full = store.read("action_updates", [r], history=True)
    assert full["progress_pct"].tolist() == [10.0, 50.0]
    assert full["superseded_by"].notna().tolist() == [True, False]
    log = store.history(r)
    assert log["who"].tolist() == ["anna", "anna", "bo"]
    assert log["what"].tolist() == ["open_round", "write_action_updates", "write_action_updates"]


def test_two_writers_conflict_and_lose_nothing(store: MonitoringStore) -> None:
    r = store.open_round(751, 2025, who="anna", on=D)
    first, second = r, r  # both read version 0
    store.write_updates(first, [_update("A1", progress_pct=30.0)], who="anna")
    with pytest.raises(ConflictError, match="another writer") as exc:
        store.write_updates(second, [_update("A1", progress_pct=90.0)], who="bo")
    assert exc.value.pending is not None and exc.value.pending["progress_pct"].tolist() == [90.0]
    current = store.get_round(751, 2025)
    assert store.read("action_updates", [current])["progress_pct"].tolist() == [30.0]
    current = store.write_updates(current, [_update("A1", progress_pct=90.0)], who="bo")
    assert store.read("action_updates", [current])["progress_pct"].tolist() == [90.0]


def test_closed_round_is_frozen_and_revised_with_reason(store: MonitoringStore) -> None:
    r = store.open_round(751, 2025, who="anna", on=D)
    r = store.write_updates(r, [_update("A1")], who="anna")
    closed = store.close_round(r, who="anna", on=dt.date(2026, 3, 1))
    assert closed.round.is_frozen and closed.round.content_hash
    with pytest.raises(FrozenRoundError, match="closed"):
        store.write_updates(closed, [_update("A1", progress_pct=99.0)], who="eve")
    with pytest.raises(FrozenRoundError):
        store.write_updates(r, [_update("A1", progress_pct=99.0)], who="eve")  # stale handle
    rev = store.revise_round(closed, reason="phase reported wrong", who="anna",
                             on=dt.date(2026, 4, 1))
    assert rev.round.revision == 1 and store.get_round(751, 2025).id == rev.id
    assert store.read("action_updates", [rev])["progress_pct"].tolist() == [40.0]
    rev = store.write_updates(rev, [_update("A1", phase="completed", progress_pct=100.0)],
                              who="anna")
    assert store.read("action_updates", [closed])["progress_pct"].tolist() == [40.0]
    assert store.read("action_updates", [rev])["phase"].tolist() == ["completed"]
    assert store.get_round(751, 2025, revision=0).round.content_hash == \
        closed.round.content_hash


def test_bad_writes_are_reported(store: MonitoringStore) -> None:
    r = store.open_round(751, 2025, who="anna", on=D)
    with pytest.raises(ValidationError, match="exists already"):
        store.open_round(751, 2025, who="anna", on=D)
    with pytest.raises(ValidationError, match="who"):
        store.write_updates(r, [_update("A1")], who="")
    with pytest.raises(ValidationError, match="not round"):
        store.write_updates(r, [_update("A1", municipality=101)], who="anna")
    with pytest.raises(ValidationError, match="repeat a key") as exc:
        store.write_account(r, [{"year": 2023, "sector": "total", "variable": "emissions",
                                 "value": 1.0, "unit": "t"}] * 2, who="anna")
    assert (exc.value.code, exc.value.location) == ("monitoring.key_twice",
                                                    "account rows 0, 1")
    with pytest.raises(ProblemGroup) as group:  # every wrong update, not only the first
        store.write_updates(r, [_update("A1", municipality=101), _update("A2", municipality=147)],
                            who="anna")
    assert [(e.code, e.label, e.location) for e in group.value.exceptions] == [
        ("monitoring.wrong_round", "A1", "updates[0]"),
        ("monitoring.wrong_round", "A2", "updates[1]")]
    assert store.get_round(751, 2025).version == 0  # nothing half-written


def test_migration_from_version_1_keeps_data(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/old.db"  # type: ignore[str-bytes-safe]
    old = MonitoringStore(url, migrate=False)
    assert old.migrate(to=1) == 1 and old.schema_version == 1
    r = old.open_round(751, 2025, who="anna", on=D)
    old.write_account(r, [{"year": 2023, "sector": "total", "variable": "emissions",
                           "value": 5.0, "unit": "t CO2e"}], who="anna")
    new = MonitoringStore(url)
    assert new.schema_version == SCHEMA_VERSION
    assert new.read_account([new.get_round(751, 2025)])["value"].tolist() == [5.0]
    assert "climate_events" in sa.inspect(new.engine).get_table_names()


def test_actions_and_climate_events(store: MonitoringStore) -> None:
    from klimacore.monitoring import ClimateEvent, Milestone, MonitoredAction

    r = store.open_round(751, 2025, who="anna", on=D)
    a = MonitoredAction(id="A1", title="Varmepumper", owner="Teknik og Miljø", sector="energy",
                        start=2024, end=2030, phase="planning", prioritized=True,
                        milestones=(Milestone(name="udbud", due=dt.date(2025, 6, 1)),),
                        expected_effect={2026: 300.0, 2030: 1200.0})
    r = store.write_actions(r, [a], who="anna")
    assert store.read_actions(r) == [a]
    ev = ClimateEvent(municipality=751, hazard="cloudburst", date=dt.date(2025, 8, 14),
                      area="Aarhus C", damage_dkk=2.5e6, source="kommunens beredskab")
    r = store.write_events(r, [ev], who="bo")
    back = store.read("climate_events", [r]).iloc[0]
    assert (back["hazard"], back["damage_dkk"], back["date"]) == ("cloudburst", 2.5e6,
                                                                  dt.date(2025, 8, 14))
    with pytest.raises(ValidationError, match="not 751"):
        store.write_events(r, [ev.model_copy(update={"municipality": 101})], who="bo")


def test_database_refuses_edits_of_closed_rounds(store: MonitoringStore) -> None:
    r = store.open_round(751, 2025, who="anna", on=D)
    r = store.write_updates(r, [_update("A1")], who="anna")
    closed = store.close_round(r, who="anna", on=dt.date(2026, 3, 1))
    for sql in ("UPDATE action_updates SET progress_pct = 99",
                "DELETE FROM action_updates",
                f"INSERT INTO account (round_id, year, sector, variable, value, unit, change_id) "
                f"VALUES ({closed.id}, 2023, 'total', 'emissions', 1.0, 't', 1)"):
        with pytest.raises(sa.exc.DBAPIError, match="closed"), store.engine.begin() as conn:
            conn.execute(sa.text(sql))
    assert store.read("action_updates", [closed])["progress_pct"].tolist() == [40.0]


def test_write_many_is_all_or_nothing(store: MonitoringStore) -> None:
    rows = {m: pd.DataFrame([{"year": 2023, "sector": "total", "variable": "emissions",
                              "value": float(m), "unit": "t"}]) for m in (101, 147, 151)}
    rounds = {m: store.open_round(m, 2025, who="a", on=D) for m in rows}
    stale = dict(rounds)
    store.write_account(rounds[147], [{"year": 2022, "sector": "total", "variable": "emissions",
                                       "value": 1.0, "unit": "t"}], who="b")
    with pytest.raises(ConflictError, match="147/2025"):
        store.write_many("account", rows, stale, who="a")
    assert store.get_round(101, 2025).version == 0  # nothing of the batch was written
    assert store.read("account", [store.get_round(101, 2025)]).empty
    store.close_round(store.get_round(151, 2025), who="a", on=D)
    fresh = {m: store.get_round(m, 2025) for m in rows}
    with pytest.raises(FrozenRoundError, match="151/2025"):
        store.write_many("account", rows, fresh, who="a")
