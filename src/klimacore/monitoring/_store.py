"""The monitoring store: rounds, actions, updates, observations and accounts in a SQL database.

SQLite is the embedded default (nothing to set up); PostgreSQL serves a shared deployment, both
through SQLAlchemy. Every write is one transaction that

1. bumps the round's ``version`` only if it is still the version the writer read and the round
   is open (optimistic concurrency: a second writer with a stale version gets
   :class:`ConflictError`, a write to a closed round :class:`FrozenRoundError`; nothing of theirs is
   half-written and nothing of the first writer's is lost);
2. records the change (who, when, what) in ``changes``, the audit trail;
3. marks the rows it replaces as superseded (never deletes them) and inserts the new rows.

Closed rounds are frozen; a correction is a new revision with a reason (:meth:`revise_round`).
This module and the template reader are the only parts of :mod:`klimacore.monitoring` that touch
files or databases.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd
import sqlalchemy as sa

from klimacore.errors import KlimacoreError, MissingLabelError, Problems, ValidationError
from klimacore.monitoring._model import (
    ActionUpdate,
    ClimateEvent,
    IndicatorObservation,
    MonitoredAction,
    ReportingRound,
)
from klimacore.monitoring._schema import KEYS, KINDS, MIGRATIONS, VERSION_TABLE, tables

__all__ = ["ConflictError", "FrozenRoundError", "MonitoringStore", "StoredRound"]


class ConflictError(KlimacoreError):
    """Another writer changed the round since it was read; re-read it and apply the edit again.

    ``pending`` holds the rows that were not written, so nothing typed in is lost.
    """

    def __init__(self, message: str, pending: pd.DataFrame | None = None) -> None:
        super().__init__(message)
        self.pending = pending


class FrozenRoundError(KlimacoreError, ValueError):
    """A write to a closed reporting round (closed rounds are frozen; revise instead)."""


@dataclasses.dataclass(frozen=True)
class StoredRound:
    """A round as read from the store: its id, the record and the version a writer must quote."""

    id: int
    round: ReportingRound
    version: int


_UPDATE_COLUMNS = ("action_id", "phase", "state", "progress_pct", "milestones_met",
                   "realised_effect_t", "realised_effect_year", "spent_dkk", "note", "date",
                   "reporter")
_OBS_COLUMNS = ("indicator_id", "year", "value", "release_date", "source", "quality")
_ACCOUNT_COLUMNS = ("year", "sector", "variable", "value", "unit")
COLUMNS: dict[str, tuple[str, ...]] = {
    "action_updates": _UPDATE_COLUMNS, "observations": _OBS_COLUMNS,
    "account": _ACCOUNT_COLUMNS, "actions": ("action_id", "document"),
    "climate_events": ("hazard", "date", "area", "damage_dkk", "insured_claims", "source"),
}


def _insert_many(conn: sa.Connection, table: sa.Table, names: Sequence[str],
                 rows: list[tuple[Any, ...]]) -> None:
    """``INSERT`` many rows through the driver's ``executemany``.

    Hand-written because it measurably pays (bench_monitoring "store": SQLAlchemy's per-row
    parameter processing of ``conn.execute(insert, dicts)`` cost ~40 % of a round's write). The
    statement is still compiled by SQLAlchemy for the dialect; the only per-value work left is
    SQLite's date storage (ISO text, the format SQLAlchemy's SQLite ``Date`` reads back). The
    store tests' round trips check it against reading through SQLAlchemy types.
    """
    compiled = table.insert().compile(dialect=conn.dialect, column_keys=list(names))
    if conn.dialect.name == "sqlite":
        dates = [i for i, n in enumerate(names) if isinstance(table.c[n].type, sa.Date)]
        if dates:
            rows = [tuple(v.isoformat() if i in dates and v is not None else v
                          for i, v in enumerate(row)) for row in rows]
    if compiled.positional:
        order = [names.index(k) for k in compiled.positiontup or ()]
        params: list[Any] = [tuple(row[i] for i in order) for row in rows]
    else:
        params = [dict(zip(names, row, strict=True)) for row in rows]
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(compiled.string, params)
    finally:
        cursor.close()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class MonitoringStore:
    """Reporting rounds and what was reported in them, with history, in one database.

    Parameters
    ----------
    url
        A SQLAlchemy URL (``sqlite:///path.db``, ``postgresql+psycopg://user@host/db``) or an
        :class:`sqlalchemy.engine.Engine`. Default: an in-memory SQLite database.
    migrate
        Bring the schema to the newest version on opening (default True).

    Examples
    --------
    >>> import datetime as dt
    >>> store = MonitoringStore()
    >>> r = store.open_round(751, 2025, who="anna", on=dt.date(2026, 1, 5))
    >>> r = store.write_account(r, [{"year": 2023, "sector": "total", "variable": "emissions",
    ...                              "value": 1.5e6, "unit": "t CO2e"}], who="anna")
    >>> store.read_account([r])[["municipality", "year", "value"]].to_dict("records")
    [{'municipality': 751, 'year': 2023, 'value': 1500000.0}]
    >>> closed = store.close_round(r, who="anna", on=dt.date(2026, 3, 1))
    >>> store.write_account(closed, [], who="bo")
    Traceback (most recent call last):
    ...
    klimacore.monitoring._store.FrozenRoundError: round 751/2025 r0 is closed ...
    """

    def __init__(self, url: str | sa.engine.Engine = "sqlite://", *, migrate: bool = True) -> None:
        self.engine = url if isinstance(url, sa.engine.Engine) else sa.create_engine(url)
        if migrate:
            self.migrate()
        self._tables: dict[str, sa.Table] | None = None

    # --- schema --------------------------------------------------------------------------
    @property
    def schema_version(self) -> int:
        """The schema version of the database (0 for an empty one)."""
        with self.engine.connect() as conn:
            if not sa.inspect(conn).has_table(VERSION_TABLE.name):
                return 0
            return int(conn.execute(sa.select(sa.func.max(VERSION_TABLE.c.version))).scalar()
                       or 0)

    def migrate(self, *, to: int | None = None) -> int:
        """Apply the migrations newer than the database's version (up to ``to``); returns it."""
        from alembic.migration import MigrationContext
        from alembic.operations import Operations

        with self.engine.begin() as conn:
            VERSION_TABLE.create(conn, checkfirst=True)
            current = int(conn.execute(sa.select(sa.func.max(VERSION_TABLE.c.version))).scalar()
                          or 0)
            op = Operations(MigrationContext.configure(conn))
            for version, description, step in MIGRATIONS:
                if version <= current or (to is not None and version > to):
                    continue
                step(op)
                conn.execute(VERSION_TABLE.insert().values(
                    version=version, description=description, applied_at=_now()))
                current = version
        self._tables = None
        return current

    @property
    def t(self) -> dict[str, sa.Table]:
        if self._tables is None:
            self._tables = tables(self.engine)
        return self._tables

    # --- rounds --------------------------------------------------------------------------
    def _stored(self, row: Any) -> StoredRound:
        record = ReportingRound(
            municipality=row.municipality, year=row.year, revision=row.revision,
            state=row.state, opened=row.opened, closed_at=row.closed_at,
            revision_reason=row.revision_reason, content_hash=row.content_hash)
        return StoredRound(id=int(row.id), round=record, version=int(row.version))

    def _log(self, conn: sa.Connection, who: str, what: str, round_id: int | None,
             n_rows: int, detail: Mapping[str, Any]) -> int:
        if not who:
            raise ValidationError("every change needs who made it (who='…')",
                                  code="monitoring.who", label=who, location="who")
        res = conn.execute(self.t["changes"].insert().values(
            at=_now(), who=who, what=what, round_id=round_id, n_rows=n_rows,
            detail=json.dumps(detail, default=str, sort_keys=True)))
        return int(res.inserted_primary_key[0])  # type: ignore[index]

    def open_round(self, municipality: Any, year: int, *, who: str, on: dt.date) -> StoredRound:
        """Open the first round (revision 0) of a municipality and year."""
        record = ReportingRound(municipality=municipality, year=year, opened=on)
        rounds = self.t["rounds"]
        with self.engine.begin() as conn:
            try:
                res = conn.execute(rounds.insert().values(
                    municipality=record.municipality, year=record.year, revision=0,
                    state="open", opened=on, revision_reason="", version=0))
            except sa.exc.IntegrityError:
                raise ValidationError(f"round {record.municipality}/{year} exists already; "
                                      "use get_round or revise_round",
                                      code="monitoring.round_exists",
                                      label=f"{record.municipality}/{year}",
                                      location="round") from None
            rid = int(res.inserted_primary_key[0])  # type: ignore[index]
            self._log(conn, who, "open_round", rid, 0,
                      {"municipality": record.municipality, "year": year})
        return StoredRound(id=rid, round=record, version=0)

    def get_round(self, municipality: Any, year: int,
                  revision: int | None = None) -> StoredRound:
        """The round of a municipality and year (the newest revision unless one is named)."""
        from klimacore.reference import municipality_code

        code = municipality_code(municipality)
        rounds = self.t["rounds"]
        q = sa.select(rounds).where(rounds.c.municipality == code, rounds.c.year == year)
        if revision is not None:
            q = q.where(rounds.c.revision == revision)
        q = q.order_by(rounds.c.revision.desc()).limit(1)
        with self.engine.connect() as conn:
            row = conn.execute(q).first()
        if row is None:
            raise MissingLabelError("reporting round", [f"{code}/{year}"], dim="round")
        return self._stored(row)

    def rounds(self) -> pd.DataFrame:
        """Every round (all revisions) as a table."""
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(sa.select(self.t["rounds"])).mappings().all())

    def _bump(self, conn: sa.Connection, r: StoredRound, pending: pd.DataFrame | None) -> None:
        rounds = self.t["rounds"]
        res = conn.execute(rounds.update().where(
            rounds.c.id == r.id, rounds.c.version == r.version, rounds.c.state == "open",
        ).values(version=r.version + 1))
        if res.rowcount == 1:
            return
        row = conn.execute(sa.select(rounds).where(rounds.c.id == r.id)).first()
        label = f"round {r.round.municipality}/{r.round.year} r{r.round.revision}"
        if row is None:
            raise MissingLabelError("reporting round", [label], dim="round")
        if row.state != "open":
            raise FrozenRoundError(f"{label} is closed (on {row.closed_at}); a correction is a "
                                   "new revision: revise_round(..., reason=...)")
        raise ConflictError(f"{label} was changed by another writer (version {row.version}, you "
                            f"read {r.version}); read it again and re-apply your edit",
                            pending)

    def _check_current(self, conn: sa.Connection, targets: Sequence[StoredRound],
                       pending: pd.DataFrame) -> None:
        """Raise for the first round that is closed or not at the version the writer read
        (rows locked on PostgreSQL; nothing has been written yet)."""
        rounds = self.t["rounds"]
        now = {row.id: row for row in conn.execute(
            sa.select(rounds).where(rounds.c.id.in_([r.id for r in targets])).with_for_update())}
        for r in targets:
            row = now.get(r.id)
            label = f"round {r.round.municipality}/{r.round.year} r{r.round.revision}"
            if row is None:
                raise MissingLabelError("reporting round", [label], dim="round")
            if row.state != "open":
                raise FrozenRoundError(f"{label} is closed (on {row.closed_at}); a correction is "
                                       "a new revision: revise_round(..., reason=...)")
            if row.version != r.version:
                raise ConflictError(f"{label} was changed by another writer (version "
                                    f"{row.version}, you read {r.version}); read it again and "
                                    "re-apply your edit", pending)

    # --- writing -------------------------------------------------------------------------
    def _write(self, kind: str, batches: Sequence[tuple[StoredRound, pd.DataFrame]],
               who: str) -> list[StoredRound]:
        frame = pd.concat([f for _, f in batches]) if len(batches) > 1 else batches[0][1]
        return self._write_rows(kind, [r for r, _ in batches], frame,
                                [len(f) for _, f in batches], who)

    def _write_rows(self, kind: str, targets: Sequence[StoredRound], frame: pd.DataFrame,
                    counts: Sequence[int], who: str) -> list[StoredRound]:
        """One transaction: version check, change log, supersede, insert, for every batch.

        Statements are batched over rounds (executemany), and the supersede step runs only for
        rounds that already hold current rows of this kind.
        """
        if not who:
            raise ValidationError("every change needs who made it (who='…')",
                                  code="monitoring.who", label=who, location="who")
        table, rounds, changes = self.t[kind], self.t["rounds"], self.t["changes"]
        keys = KEYS[kind]
        cols = list(COLUMNS[kind])
        names = [*cols, "round_id", "change_id"]
        ids = [r.id for r in targets]
        # plain lists, None for missing: one conversion per column, not per cell
        all_columns = [[None if v is None or (isinstance(v, float) and v != v) else v
                        for v in frame[c].tolist()] for c in cols]
        starts = np.concatenate([[0], np.cumsum(counts)]).tolist()
        with self.engine.begin() as conn:
            self._check_current(conn, targets, frame)
            res = conn.execute(
                rounds.update().where(rounds.c.id == sa.bindparam("rid"),
                                      rounds.c.version == sa.bindparam("v"),
                                      rounds.c.state == "open")
                .values(version=sa.bindparam("v") + 1),
                [{"rid": r.id, "v": r.version} for r in targets])
            if res.rowcount != len(targets):  # another writer slipped in after the check
                raise ConflictError("a round changed while writing; read it again and re-apply "
                                    "your edit", frame)
            now = _now()
            detail = json.dumps({"keys": list(keys)})
            logged = conn.execute(
                changes.insert().returning(changes.c.id, sort_by_parameter_order=True),
                [{"at": now, "who": who, "what": f"write_{kind}", "round_id": r.id,
                  "n_rows": n, "detail": detail} for r, n in zip(targets, counts, strict=True)])
            change_ids = [int(row[0]) for row in logged]
            held = {int(row[0]) for row in conn.execute(
                sa.select(table.c.round_id).where(table.c.round_id.in_(ids),
                                                  table.c.superseded_by.is_(None))
                .group_by(table.c.round_id))}
            rows: list[tuple[Any, ...]] = []
            for j, (r, change) in enumerate(zip(targets, change_ids, strict=True)):
                if not counts[j]:
                    continue
                columns = [c[starts[j]:starts[j + 1]] for c in all_columns]
                if r.id in held:
                    key_cols = [columns[cols.index(k)] for k in keys]
                    cond = (sa.tuple_(*[table.c[k] for k in keys]).in_(
                        list(zip(*key_cols, strict=True))) if len(keys) > 1
                        else table.c[keys[0]].in_(key_cols[0]))
                    conn.execute(table.update().where(
                        table.c.round_id == r.id, table.c.superseded_by.is_(None), cond,
                    ).values(superseded_by=change))
                n = counts[j]
                rows.extend(zip(*columns, repeat(r.id, n), repeat(change, n), strict=True))
            if rows:
                _insert_many(conn, table, names, rows)
        return [dataclasses.replace(r, version=r.version + 1) for r in targets]

    def _frame(self, kind: str, rows: Any, *, by: Sequence[str] = ()) -> pd.DataFrame:
        """Rows as a frame in the table's column order; wrong columns or repeated keys raise."""
        frame = pd.DataFrame(rows) if not isinstance(rows, pd.DataFrame) else rows
        cols = list(COLUMNS[kind])
        if frame.empty:
            return pd.DataFrame(columns=cols)
        missing = [c for c in cols if c not in frame.columns]
        extra = [c for c in frame.columns if c not in cols and c not in by]
        problems = Problems(f"{kind} rows have the wrong columns")
        for c in missing:
            problems.add(f"missing column {c!r}", code="monitoring.column_missing", label=c,
                         location=f"{kind} rows")
        for c in extra:
            problems.add(f"unknown column {c!r}", code="monitoring.column_unknown", label=c,
                         location=f"{kind} rows")
        problems.raise_if_any()
        keys = [*by, *KEYS[kind]]
        dupes = frame.duplicated(keys, keep=False)
        if dupes.any():  # one problem per repeated key, naming every row that repeats it
            problems = Problems(f"{kind} rows repeat a key {KEYS[kind]}")
            for key, group in frame[dupes].groupby(keys, sort=False).groups.items():
                rows = ", ".join(str(i) for i in group)
                problems.add(f"{kind} rows repeat a key {KEYS[kind]}: {key} in rows {rows}",
                             code="monitoring.key_twice", label=key,
                             location=f"{kind} rows {rows}")
            problems.raise_if_any()
        return frame[[*by, *cols]]

    def write_updates(self, r: StoredRound, updates: Iterable[ActionUpdate], *,
                      who: str) -> StoredRound:
        """Write action updates (validated models) into an open round; returns the new version."""
        rows = []
        problems = Problems("action updates for another round")
        for i, u in enumerate(updates):
            if (u.municipality, u.year) != (r.round.municipality, r.round.year):
                problems.add(f"update of {u.action_id} is for {u.municipality}/{u.year}, "
                             f"not round {r.round.municipality}/{r.round.year}",
                             code="monitoring.wrong_round", label=u.action_id,
                             location=f"updates[{i}]")
            d = u.model_dump(exclude={"municipality", "year"})
            d["milestones_met"] = json.dumps(list(u.milestones_met))
            rows.append(d)
        problems.raise_if_any()
        return self._write("action_updates", [(r, self._frame("action_updates", rows))], who)[0]

    def write_observations(self, r: StoredRound, observations: Iterable[IndicatorObservation],
                           *, who: str) -> StoredRound:
        """Write indicator observations (with their release dates) into an open round."""
        rows = []
        problems = Problems("observations for another municipality")
        for i, o in enumerate(observations):
            if o.municipality != r.round.municipality:
                problems.add(f"observation of {o.indicator_id} is for municipality "
                             f"{o.municipality}, not {r.round.municipality}",
                             code="monitoring.wrong_round", label=o.indicator_id,
                             location=f"observations[{i}]")
            rows.append(o.model_dump(exclude={"municipality"}))
        problems.raise_if_any()
        return self._write("observations", [(r, self._frame("observations", rows))], who)[0]

    def write_actions(self, r: StoredRound, actions: Iterable[MonitoredAction], *,
                      who: str) -> StoredRound:
        """Store the actions as they stand in this round (phase, state, milestones, profile)."""
        rows = [{"action_id": a.id, "document": a.model_dump_json()} for a in actions]
        return self._write("actions", [(r, self._frame("actions", rows))], who)[0]

    def read_actions(self, r: StoredRound) -> list[MonitoredAction]:
        """The round's current actions, validated again on the way out."""
        frame = self.read("actions", [r])
        return [MonitoredAction.model_validate_json(d) for d in frame["document"]]

    def write_events(self, r: StoredRound, events: Iterable[ClimateEvent], *,
                     who: str) -> StoredRound:
        """Store experienced climate events of the round's municipality."""
        rows = []
        problems = Problems("climate events for another municipality")
        for i, e in enumerate(events):
            if e.municipality != r.round.municipality:
                problems.add(f"event on {e.date} is for municipality {e.municipality}, "
                             f"not {r.round.municipality}", code="monitoring.wrong_round",
                             label=e.municipality, location=f"events[{i}]")
            rows.append(e.model_dump(exclude={"municipality"}))
        problems.raise_if_any()
        return self._write("climate_events", [(r, self._frame("climate_events", rows))], who)[0]

    def write_account(self, r: StoredRound, rows: Any, *, who: str) -> StoredRound:
        """Write account values (year, sector, variable, value, unit) into an open round."""
        return self._write("account", [(r, self._frame("account", rows))], who)[0]

    def write_many(self, kind: str, frames: Mapping[int, pd.DataFrame],
                   rounds: Mapping[int, StoredRound], *, who: str) -> dict[int, StoredRound]:
        """Write rows for many rounds (keyed by municipality) in one transaction.

        ``kind`` is ``action_updates``, ``observations`` or ``account``; rows in the table layout
        (``milestones_met`` as a JSON list). All rounds move to their next version, or none does.
        """
        if kind not in KINDS:
            raise MissingLabelError("kind of data", [kind], dim="kind")
        missing = sorted(set(frames) - set(rounds))
        if missing:
            raise MissingLabelError("round for municipality", missing, dim="municipality")
        if not frames:
            return {}
        big = pd.concat(frames.values(), keys=list(frames), names=["_municipality", "_row"])
        big = self._frame(kind, big.reset_index(level="_row", drop=True)
                          .reset_index(), by=["_municipality"])
        counts = big["_municipality"].value_counts().reindex(list(frames), fill_value=0)
        big = big.sort_values("_municipality", kind="stable", key=lambda c: c.map(
            {m: i for i, m in enumerate(frames)}))
        new = self._write_rows(kind, [rounds[m] for m in frames], big,
                               counts.tolist(), who)
        return {m: n for m, n in zip(frames, new, strict=True)}

    # --- reading -------------------------------------------------------------------------
    def read(self, kind: str, rounds: Sequence[StoredRound], *,
             history: bool = False) -> pd.DataFrame:
        """Current rows of ``kind`` for the rounds (with ``history=True`` also superseded ones)."""
        if kind not in KINDS:
            raise MissingLabelError("kind of data", [kind], dim="kind")
        table = self.t[kind]
        by_id = {r.id: r.round.municipality for r in rounds}
        # dates travel as ISO text and are parsed once per column (vectorized), not per value
        dates = [c.name for c in table.columns if isinstance(c.type, sa.Date)]
        q = sa.select(*[sa.cast(c, sa.String).label(c.name) if c.name in dates else c
                        for c in table.columns]).where(table.c.round_id.in_(list(by_id)))
        if not history:
            q = q.where(table.c.superseded_by.is_(None))
        q = q.order_by(table.c.row_id)
        cols = [c.name for c in q.selected_columns]
        with self.engine.connect() as conn:
            # the driver's own cursor returns plain tuples (SQLAlchemy Row objects cost ~10x
            # more per row to turn into a frame); the query has only integer literals
            sql = str(q.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(sql)
                frame = pd.DataFrame(cursor.fetchall(), columns=cols)
            finally:
                cursor.close()
        for c in dates:
            frame[c] = pd.to_datetime(frame[c], format="%Y-%m-%d").dt.date
        frame.insert(0, "municipality", frame["round_id"].map(by_id).astype("int64"))
        if not history:
            frame = frame.drop(columns=["row_id", "change_id", "superseded_by"])
        return frame.reset_index(drop=True)

    def read_account(self, rounds: Sequence[StoredRound]) -> pd.DataFrame:
        """Current account rows of the rounds, with ``municipality``."""
        return self.read("account", rounds)

    def history(self, r: StoredRound | None = None) -> pd.DataFrame:
        """The audit trail: every change (who, when, what, how many rows), oldest first."""
        changes = self.t["changes"]
        q = sa.select(changes).order_by(changes.c.id)
        if r is not None:
            q = q.where(changes.c.round_id == r.id)
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).mappings().all())

    # --- closing and revising ------------------------------------------------------------
    def _hash(self, conn: sa.Connection, round_id: int) -> str:
        h = hashlib.sha256()
        for kind in KINDS:
            table = self.t[kind]
            cols = [table.c[c] for c in COLUMNS[kind]]
            q = sa.select(*cols).where(table.c.round_id == round_id,
                                       table.c.superseded_by.is_(None))
            rows = sorted(json.dumps([str(v) for v in row]) for row in conn.execute(q))
            h.update(kind.encode())
            for row in rows:
                h.update(row.encode())
        return h.hexdigest()

    def close_round(self, r: StoredRound, *, who: str, on: dt.date) -> StoredRound:
        """Close (freeze) a round; its content hash is recorded."""
        rounds = self.t["rounds"]
        with self.engine.begin() as conn:
            self._bump(conn, r, None)
            digest = self._hash(conn, r.id)
            record = r.round.close(on=on, content_hash=digest)
            conn.execute(rounds.update().where(rounds.c.id == r.id).values(
                state="closed", closed_at=on, content_hash=digest))
            self._log(conn, who, "close_round", r.id, 0, {"content_hash": digest})
        return StoredRound(id=r.id, round=record, version=r.version + 1)

    def revise_round(self, r: StoredRound, *, reason: str, who: str,
                     on: dt.date) -> StoredRound:
        """Open a new revision of a closed round, starting from its content, with the reason."""
        record = r.round.revise(reason=reason, on=on)
        rounds = self.t["rounds"]
        with self.engine.begin() as conn:
            res = conn.execute(rounds.insert().values(
                municipality=record.municipality, year=record.year, revision=record.revision,
                state="open", opened=on, revision_reason=reason, revises_id=r.id, version=0))
            rid = int(res.inserted_primary_key[0])  # type: ignore[index]
            change = self._log(conn, who, "revise_round", rid, 0,
                               {"revises": r.id, "reason": reason})
            for kind in KINDS:
                table = self.t[kind]
                cols = list(COLUMNS[kind])
                src = sa.select(*[table.c[c] for c in cols], sa.literal(rid), sa.literal(change)
                                ).where(table.c.round_id == r.id, table.c.superseded_by.is_(None))
                conn.execute(table.insert().from_select([*cols, "round_id", "change_id"], src))
        return StoredRound(id=rid, round=record, version=0)
