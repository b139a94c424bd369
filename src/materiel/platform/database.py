"""Engine, metadata and the imperative mapper registry shared by all stores.

Each capability's `store.py` declares its tables on `metadata` and maps its
model dataclasses with `mapper_registry`; the model modules import nothing
from here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import registry, sessionmaker

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
mapper_registry = registry(metadata=metadata)


# How long a SQLite writer waits for another's lock before giving up (then: Busy, 503).
SQLITE_BUSY_TIMEOUT_S = 30


def make_engine(url: str, lock_timeout_s: float | None = None) -> Engine:
    """An engine for SQLite (WAL, durable commits, foreign keys on) or PostgreSQL.

    On SQLite the driver opens a transaction at a unit of work's first write
    statement, as `BEGIN IMMEDIATE`: the write lock is taken (or waited for)
    before the transaction holds a read snapshot, so two writers never
    deadlock upgrading stale snapshots. Reads before it take no lock (WAL);
    versioned records are still guarded by the version check in the UPDATE.
    A write that waits longer than `lock_timeout_s` for a lock fails (the unit
    of work raises Busy); PostgreSQL waits without limit unless it is given.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        timeout = SQLITE_BUSY_TIMEOUT_S if lock_timeout_s is None else lock_timeout_s
        connect_args = {"timeout": timeout, "isolation_level": "IMMEDIATE"}
        engine = create_engine(url, connect_args=connect_args)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkout", _sqlite_begin_immediate)
        return engine
    if parsed.drivername == "postgresql":
        url = str(parsed.set(drivername="postgresql+psycopg").render_as_string(False))
    if lock_timeout_s is None:
        return create_engine(url, pool_pre_ping=True)
    options = f"-c lock_timeout={round(lock_timeout_s * 1000)}"  # milliseconds
    return create_engine(url, pool_pre_ping=True, connect_args={"options": options})


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    # FULL: a commit is on disk (WAL fsynced) before it is acknowledged.
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _sqlite_begin_immediate(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    # SQLAlchemy resets the driver's mode after an AUTOCOMMIT use; set it at each checkout.
    if dbapi_connection.isolation_level is not None:
        dbapi_connection.isolation_level = "IMMEDIATE"


def make_session_factory(engine: Engine) -> sessionmaker[Any]:
    return sessionmaker(bind=engine, expire_on_commit=False)
