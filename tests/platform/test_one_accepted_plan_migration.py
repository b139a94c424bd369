"""Migration 0016 on a database the accept race had already hit (SQLite and PostgreSQL).

Two accepted plans of each kind, both transport plans' shipments live: the
upgrade keeps the newest accepted plan (the one the application read as
accepted), supersedes the older ones and cancels their shipments not yet
under way, each with its event, then adds the indexes that refuse a second
accepted plan. The downgrade removes the indexes again.
"""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from materiel.bootstrap import Runtime
from materiel.donations import plan_service
from materiel.donations.plan_store import plans
from materiel.logistics import transport_service
from materiel.logistics.store import shipment_events, shipments, transport_plans
from materiel.platform import migrate
from materiel.platform.settings import Settings
from tests.logistics.test_transfers import PLEDGES, REQUIREMENTS, allocated_world
from tests.platform.test_audit_tamper import empty_database  # noqa: F401 - the shared fixture


def raced_world(runtime: Runtime) -> tuple[int, int]:
    """Two accepted allocation plans and two accepted transport plans with live shipments;
    the ids of the newer transport plan and of the older one."""
    allocated_world(runtime, REQUIREMENTS, PLEDGES)
    older = transport_service.run_transport(runtime.uow("p"), time_limit_s=10)
    transport_service.accept_transport_plan(older.id or 0, None, runtime.uow("chief"))
    newer = transport_service.run_transport(runtime.uow("p"), time_limit_s=10)
    again = plan_service.run_allocation(runtime.uow("p"), time_limit_s=5)
    with runtime.engine.begin() as connection:  # what two accepts at once used to store
        connection.execute(update(plans).where(plans.c.id == again.id).values(status="accepted"))
        newer_plan = update(transport_plans).where(transport_plans.c.id == newer.id)
        connection.execute(newer_plan.values(status="accepted"))
        its_shipments = update(shipments).where(shipments.c.transport_plan_id == newer.id)
        connection.execute(its_shipments.values(status="planned"))
    assert newer.id is not None and older.id is not None
    return newer.id, older.id


def downgrade(engine: Engine, revision: str) -> None:
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_the_upgrade_keeps_the_newest_accepted_plan_and_the_downgrade_drops_the_index(
    empty_database: Engine,  # noqa: F811
) -> None:
    migrate.upgrade(empty_database, "0015")
    url = empty_database.url.render_as_string(hide_password=False)
    runtime = Runtime.start(Settings(database_url=url))
    try:
        newer, older = raced_world(runtime)
        migrate.upgrade(empty_database)
        with empty_database.connect() as connection:
            allocation = dict(connection.execute(select(plans.c.id, plans.c.status)).all())
            transport = dict(
                connection.execute(select(transport_plans.c.id, transport_plans.c.status)).all()
            )
            of_older = select(shipments.c.status).where(shipments.c.transport_plan_id == older)
            left = set(connection.scalars(of_older))
            by_migration = shipment_events.c.actor == "migration 0016"
            events = connection.scalars(select(shipment_events.c.status).where(by_migration))
            cancelled = list(events)
        assert sorted(allocation.values()) == ["accepted", "superseded"]
        assert allocation[max(allocation)] == "accepted"
        assert (transport[newer], transport[older]) == ("accepted", "superseded")
        assert left == {"cancelled"} and cancelled and set(cancelled) == {"cancelled"}

        second = update(plans).where(plans.c.status == "superseded").values(status="accepted")
        with pytest.raises(IntegrityError), empty_database.begin() as connection:
            connection.execute(second)
        downgrade(empty_database, "0015")
        with empty_database.begin() as connection:
            assert connection.execute(second).rowcount == 1
    finally:
        runtime.close()
