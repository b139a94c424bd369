"""Wiring: settings -> engine -> sessions -> units of work.

Entry points (CLI, API, tests, benchmarks) build one `Runtime` and ask it
for a unit of work per use case.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from materiel import tables
from materiel.access_policy import POLICY
from materiel.core.principal import Principal
from materiel.donations import commitments, markings
from materiel.donations.plan_store import plan_allocations
from materiel.logistics.commitments import started_units
from materiel.logistics.store import shipments
from materiel.platform import migrate
from materiel.platform.access import sessions as access
from materiel.platform.database import make_engine, make_session_factory
from materiel.platform.jobs.runners import Runner, runner_for
from materiel.platform.settings import DEFAULT_DATA_DIR, Settings
from materiel.platform.unit_of_work import UnitOfWork

assert tables.metadata is not None  # every mapper is registered before first use


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Any]

    @classmethod
    def start(cls, settings: Settings | None = None) -> Runtime:
        settings = settings or Settings.from_env()
        engine = make_engine(settings.database_url)
        sessions = make_session_factory(engine)
        access.install(sessions, POLICY, app_filter=settings.access_app_filter)
        markings.install(sessions, (plan_allocations, shipments))
        commitments.install(started_units)
        return cls(settings, engine, sessions)

    @cached_property
    def data_dir(self) -> Path:
        """Where files that belong beside the data go: beside the SQLite file, or ./var."""
        database = self.engine.url.database
        if self.engine.url.get_backend_name() == "sqlite" and database and database != ":memory:":
            return Path(database).parent
        return DEFAULT_DATA_DIR

    @cached_property
    def runner(self) -> Runner:
        """Where background jobs run: a local process (SQLite) or the PostgreSQL queue."""
        return runner_for(self.settings.database_url, self.data_dir / "job-logs")

    def uow(self, actor: str = "system", principal: Principal | None = None) -> UnitOfWork:
        """A unit of work acting as `principal` (default: the system, named `actor`)."""
        return UnitOfWork(self.session_factory, actor, principal)

    def upgrade_schema(self) -> None:
        """Migrate as the tables' owner (a separate URL when the app's role owns nothing)."""
        owner_url = self.settings.owner_database_url
        if owner_url is None:
            migrate.upgrade(self.engine)
            return
        owner = make_engine(owner_url)
        try:
            migrate.upgrade(owner)
        finally:
            owner.dispose()

    def close(self) -> None:
        self.engine.dispose()
