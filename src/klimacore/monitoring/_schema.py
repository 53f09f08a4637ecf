"""Database schema of the monitoring store and its versioned migrations (Alembic operations).

Each migration is a function of an :class:`alembic.operations.Operations`; the store applies the
ones newer than the version recorded in ``klimacore_schema_version`` inside one transaction, so a
database is always at a known version. Add a migration by appending to :data:`MIGRATIONS`;
never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

__all__ = ["KINDS", "MIGRATIONS", "SCHEMA_VERSION", "metadata", "tables"]


def _data_columns(kind: str) -> list[sa.Column[Any]]:
    cols: dict[str, list[sa.Column[Any]]] = {
        "action_updates": [
            sa.Column("action_id", sa.String(100), nullable=False),
            sa.Column("phase", sa.String(20), nullable=False),
            sa.Column("state", sa.String(20), nullable=False),
            sa.Column("progress_pct", sa.Double, nullable=True),
            sa.Column("milestones_met", sa.Text, nullable=False),
            sa.Column("realised_effect_t", sa.Double, nullable=True),
            sa.Column("realised_effect_year", sa.Integer, nullable=True),
            sa.Column("spent_dkk", sa.Double, nullable=True),
            sa.Column("note", sa.Text, nullable=False),
            sa.Column("date", sa.Date, nullable=False),
            sa.Column("reporter", sa.String(200), nullable=False),
        ],
        "observations": [
            sa.Column("indicator_id", sa.String(100), nullable=False),
            sa.Column("year", sa.Integer, nullable=False),
            sa.Column("value", sa.Double, nullable=False),
            sa.Column("release_date", sa.Date, nullable=False),
            sa.Column("source", sa.Text, nullable=False),
            sa.Column("quality", sa.String(20), nullable=False),
        ],
        "account": [
            sa.Column("year", sa.Integer, nullable=False),
            sa.Column("sector", sa.String(100), nullable=False),
            sa.Column("variable", sa.String(100), nullable=False),
            sa.Column("value", sa.Double, nullable=True),
            sa.Column("unit", sa.String(50), nullable=False),
        ],
        "actions": [
            sa.Column("action_id", sa.String(100), nullable=False),
            sa.Column("document", sa.Text, nullable=False),
        ],
    }
    return [
        sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), nullable=False),
        *cols[kind],
        sa.Column("change_id", sa.Integer, sa.ForeignKey("changes.id"), nullable=False),
        sa.Column("superseded_by", sa.Integer, sa.ForeignKey("changes.id"), nullable=True),
    ]


DATA_KINDS: tuple[str, ...] = ("action_updates", "observations", "account", "actions")
KINDS: tuple[str, ...] = (*DATA_KINDS, "climate_events")
"""Every kind of reported data (climate events arrived in schema version 2)."""
KEYS: dict[str, tuple[str, ...]] = {
    "climate_events": ("hazard", "date", "area"),
    "action_updates": ("action_id",),
    "observations": ("indicator_id", "year"),
    "account": ("year", "sector", "variable"),
    "actions": ("action_id",),
}


def _v1(op: Any) -> None:
    """Rounds, the change log (audit trail) and the four kinds of reported data."""
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("what", sa.String(50), nullable=False),
        sa.Column("round_id", sa.Integer, nullable=True),
        sa.Column("n_rows", sa.Integer, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "rounds",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("municipality", sa.Integer, nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("opened", sa.Date, nullable=False),
        sa.Column("closed_at", sa.Date, nullable=True),
        sa.Column("revision_reason", sa.Text, nullable=False),
        sa.Column("revises_id", sa.Integer, sa.ForeignKey("rounds.id"), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.UniqueConstraint("municipality", "year", "revision", name="uq_round"),
    )
    for kind in DATA_KINDS:
        op.create_table(kind, *_data_columns(kind))


def _v2(op: Any) -> None:
    """Indexes for reading a round's current rows; experienced climate events."""
    for kind in DATA_KINDS:
        op.create_index(f"ix_{kind}_current", kind, ["round_id", "superseded_by"])
    op.create_table(
        "climate_events",
        sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("round_id", sa.Integer, sa.ForeignKey("rounds.id"), nullable=False),
        sa.Column("hazard", sa.String(30), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("area", sa.Text, nullable=False),
        sa.Column("damage_dkk", sa.Double, nullable=True),
        sa.Column("insured_claims", sa.Integer, nullable=True),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("change_id", sa.Integer, sa.ForeignKey("changes.id"), nullable=False),
        sa.Column("superseded_by", sa.Integer, sa.ForeignKey("changes.id"), nullable=True),
    )


def _v3(op: Any) -> None:
    """The database itself refuses rows written into, or changed in, a closed round."""
    dialect = op.get_context().dialect.name
    kinds = (*DATA_KINDS, "climate_events")
    if dialect == "sqlite":
        for kind in kinds:
            for event, ref in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
                op.execute(
                    f"CREATE TRIGGER frozen_{kind}_{event.lower()} BEFORE {event} ON {kind} "
                    f"WHEN (SELECT state FROM rounds WHERE id = {ref}.round_id) = 'closed' "
                    "BEGIN SELECT RAISE(ABORT, 'reporting round is closed'); END")
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION klimacore_frozen_round() RETURNS trigger AS $$ "
            "DECLARE rid integer; BEGIN "
            "IF TG_OP = 'INSERT' THEN rid := NEW.round_id; ELSE rid := OLD.round_id; END IF; "
            "IF (SELECT state FROM rounds WHERE id = rid) = 'closed' THEN "
            "RAISE EXCEPTION 'reporting round is closed'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END; "
            "$$ LANGUAGE plpgsql")
        for kind in kinds:
            op.execute(f"CREATE TRIGGER frozen_{kind} BEFORE INSERT OR UPDATE OR DELETE ON "
                       f"{kind} FOR EACH ROW EXECUTE FUNCTION klimacore_frozen_round()")
    # other databases: the store's own check (in the same transaction) still applies


MIGRATIONS: tuple[tuple[int, str, Callable[[Any], None]], ...] = (
    (1, "rounds, change log, action updates, observations, accounts, actions", _v1),
    (2, "indexes on current rows; climate events", _v2),
    (3, "triggers: rows of closed rounds cannot be inserted, changed or deleted", _v3),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]

metadata = sa.MetaData()
VERSION_TABLE = sa.Table(
    "klimacore_schema_version", metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)


def tables(engine_or_conn: Any) -> dict[str, sa.Table]:
    """The store's tables reflected from the database (after migration)."""
    md = sa.MetaData()
    wanted = {"changes", "rounds", *DATA_KINDS, "climate_events"}
    md.reflect(engine_or_conn, only=lambda name, _: name in wanted)
    return dict(md.tables)
