"""Shared fixtures: a migrated database per backend, emptied before each test.

Every storage and API test runs on SQLite and on PostgreSQL. PostgreSQL is
found through MATERIEL_TEST_POSTGRES_URL or on 127.0.0.1:5432; each test run
creates its own database and drops it at the end. When no server answers the
PostgreSQL tests are skipped with a message, except under CI=true, where that
is a failure.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import delete, text
from sqlalchemy.engine import make_url

from materiel.bootstrap import Runtime
from materiel.platform.audit_chain import guard as audit_guard
from materiel.platform.database import metadata
from materiel.platform.settings import Settings

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "public"


def postgres_admin_url() -> str:
    return os.environ.get("MATERIEL_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL


def _plain_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def require_or_skip(available: bool, why: str) -> None:
    """Skip with a clear message on a user's machine; fail under CI."""
    if available:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{why} (CI=true: this must not be skipped)")
    pytest.skip(why)


def _postgres_answers(dsn: str) -> bool:
    try:
        with psycopg.connect(dsn, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    admin = _plain_dsn(postgres_admin_url())
    require_or_skip(
        _postgres_answers(admin),
        f"PostgreSQL does not answer at {make_url(admin).render_as_string()}; "
        "set MATERIEL_TEST_POSTGRES_URL or start a server to run these tests",
    )
    name = f"materiel_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    scope="session",
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def migrated(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Runtime]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'materiel.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    runtime = Runtime.start(Settings(database_url=url))
    runtime.upgrade_schema()
    yield runtime
    runtime.close()


LEFTOVER_TRANSACTIONS = text(
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
    " AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
)


def _end_leftover_transactions(runtime: Runtime) -> None:
    """A session an earlier test left open would block emptying the tables forever.

    It is garbage by now (each test starts from empty tables), so it is ended,
    and the warning names the test that starts after it, to help find the leak.
    """
    if runtime.engine.dialect.name != "postgresql":
        return
    with runtime.engine.begin() as connection:
        ended = len(connection.execute(LEFTOVER_TRANSACTIONS).all())
    if ended:
        warnings.warn(f"ended {ended} transaction(s) an earlier test left open", stacklevel=2)


@pytest.fixture
def runtime(migrated: Runtime) -> Runtime:
    """A migrated database of either backend, with every table emptied."""
    _end_leftover_transactions(migrated)
    with migrated.engine.begin() as connection, audit_guard.lifted(connection):
        for table in reversed(metadata.sorted_tables):
            connection.execute(delete(table))
    return migrated


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"public data sets not found at {SHARED_DATA} (see shared/data/public)")
    return SHARED_DATA
