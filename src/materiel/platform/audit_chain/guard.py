"""Append-only at the database level: triggers that refuse to change or remove entries.

This is a second wall, not the proof: the database owner can drop a trigger,
and `audit verify` still detects what was done after that. Migration 0005
installs them with `install` below.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

GUARDED_TABLES = ("audit_log", "audit_checkpoint")

_POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION materiel_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$
"""


def _postgres_create(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION materiel_refuse_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION materiel_refuse_change()",
    ]


def _sqlite_create(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
        for op in ("UPDATE", "DELETE")
    ]


def _trigger_names(dialect: str, table: str) -> list[str]:
    if dialect == "postgresql":
        return [f"{table}_append_only", f"{table}_no_truncate"]
    return [f"{table}_no_update", f"{table}_no_delete"]


def install(connection: Connection) -> None:
    """Create the triggers on every guarded table."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text(_POSTGRES_FUNCTION))
    for table in GUARDED_TABLES:
        creates = _postgres_create(table) if dialect == "postgresql" else _sqlite_create(table)
        for statement in creates:
            connection.execute(text(statement))


def remove(connection: Connection) -> None:
    """Drop the triggers (the function stays on PostgreSQL)."""
    dialect = connection.dialect.name
    for table in GUARDED_TABLES:
        for name in _trigger_names(dialect, table):
            on_table = f" ON {table}" if dialect == "postgresql" else ""
            connection.execute(text(f"DROP TRIGGER IF EXISTS {name}{on_table}"))


@contextmanager
def lifted(connection: Connection) -> Iterator[None]:
    """Drop the guard for the duration, inside the caller's transaction.

    For wiping a test database between tests only: an emptied log starts over
    at seq 0, which verify accepts only without checkpoints that say otherwise.
    """
    remove(connection)
    yield
    install(connection)
