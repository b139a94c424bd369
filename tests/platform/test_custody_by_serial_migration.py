"""Migration 0017 on a database with custody already recorded (SQLite and PostgreSQL).

Hand-overs are recorded, one serial passing from a NATO SECRET shipment
(released to DEU only) to an unclassified one. The downgrade drops
`custody_serials`; the upgrade fills it again from the events' serials, and
where each serial is and its history read as the events say, for the system
and for a Polish node operator who sees only the unclassified shipments (the
hand-over through the SECRET one is not in their history). A hand-over after
the upgrade is found by its serials too. On PostgreSQL the same holds
through a role granted before the upgrade (`materiel db grant-app-role`),
under row-level security alone: the migration grants it the new table, and
its policy shows a row only with its shipment.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import Engine, inspect, select
from sqlalchemy.engine import make_url

from materiel.bootstrap import Runtime
from materiel.core.errors import NotFound
from materiel.core.markings import Classification
from materiel.core.principal import Principal, Role
from materiel.logistics import service
from materiel.logistics.model import Shipment
from materiel.logistics.store import custody_events, custody_serials
from materiel.platform import migrate
from materiel.platform.access import row_security
from materiel.platform.settings import Settings
from tests.access.test_donor_transfers import planned_world
from tests.platform.test_audit_tamper import empty_database  # noqa: F401 - the shared fixture
from tests.platform.test_one_accepted_plan_migration import downgrade

BEFORE = "0016"
SYSTEM = None
OPERATOR = Principal(
    "pol-operator", "POL", "hub", frozenset({Role.NODE_OPERATOR}), Classification.NATO_UNCLASSIFIED
)


def shipment_of(runtime: Runtime, pledge: str) -> Shipment:
    return next(s for s in service.list_shipments(runtime.uow()) if s.pledge == pledge)


def hand_over(
    runtime: Runtime,
    shipment: Shipment,
    serials: list[str],
    holders: tuple[str, str],
    principal: Principal | None = None,
) -> None:
    service.dispatch(shipment.id, None, None, runtime.uow("depot", principal))
    handover = service.HandOver("lviv", *holders, serials, acknowledged_by="Capt. K")
    service.hand_over(shipment.id, handover, None, runtime.uow("liaison", principal))


def custody_recorded(runtime: Runtime) -> None:
    """GUN-1 goes to the 47th through the SECRET shipment, then on to the 48th with GUN-2
    and GUN-3 through the unclassified one."""
    planned_world(runtime)
    hand_over(runtime, shipment_of(runtime, "P-DEU-S"), ["GUN-1"], ("DEU", "47th Brigade"))
    onward = ["GUN-1", "GUN-2", "GUN-3"]
    hand_over(runtime, shipment_of(runtime, "P-DEU"), onward, ("47th Brigade", "48th Brigade"))


def histories_as_recorded(engine: Engine) -> dict[str, list[tuple[int, str | None]]]:
    """Each serial's custody events (id, shipment), oldest first, read from their serials."""
    with engine.connect() as connection:
        query = select(custody_events.c.id, custody_events.c.shipment_id, custody_events.c.serials)
        events = connection.execute(query.order_by(custody_events.c.id)).all()
    found: dict[str, list[tuple[int, str | None]]] = {}
    for event_id, shipment_id, serials in events:
        for serial in serials:
            found.setdefault(serial, []).append((event_id, shipment_id))
    return found


def check_custody_reads(runtime: Runtime, engine: Engine) -> None:
    """Every serial's place and history, for the system and for the operator."""
    recorded = histories_as_recorded(engine)
    assert len(recorded["GUN-1"]) >= 2, "GUN-1 passed twice"
    for principal in (SYSTEM, OPERATOR):
        uow = runtime.uow("reader", principal)
        seen = {s.id for s in service.list_shipments(uow)}
        for serial, events in recorded.items():
            shown = [(e, s) for e, s in events if principal is SYSTEM or s in seen]
            try:
                view = service.where_is(serial, runtime.uow("reader", principal))
            except NotFound:
                assert principal is OPERATOR and events[-1][1] not in seen, serial
                continue
            assert [(e.id, e.shipment_id) for e in view.history] == shown, (serial, principal)
            assert view.asset.holder == next(
                e.to_holder for e in view.history if e.id == events[-1][0]
            )
    operator_history = service.where_is("GUN-1", runtime.uow("reader", OPERATOR)).history
    assert [e.to_holder for e in operator_history] == ["48th Brigade"], "not the SECRET one"


def test_the_upgrade_finds_every_recorded_serial_and_the_downgrade_drops_the_table(
    empty_database: Engine,  # noqa: F811
) -> None:
    migrate.upgrade(empty_database)
    url = empty_database.url.render_as_string(hide_password=False)
    runtime = Runtime.start(Settings(database_url=url))
    try:
        custody_recorded(runtime)
        check_custody_reads(runtime, empty_database)
        downgrade(empty_database, BEFORE)
        assert "custody_serials" not in inspect(empty_database).get_table_names()
        migrate.upgrade(empty_database)
        assert "custody_serials" in inspect(empty_database).get_table_names()
        check_custody_reads(runtime, empty_database)
        later = shipment_of(runtime, "P-POL")
        hand_over(runtime, later, ["GUN-2", "GUN-4"], ("48th Brigade", "49th Brigade"))
        check_custody_reads(runtime, empty_database)
        assert service.where_is("GUN-4", runtime.uow()).asset.holder == "49th Brigade"
    finally:
        runtime.close()


@contextmanager
def app_role(owner_url: str) -> Iterator[str]:
    """A login role that owns nothing, dropped at the end."""
    role = f"materiel_app_{uuid.uuid4().hex[:10]}"
    dsn = make_url(owner_url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"CREATE ROLE {role} LOGIN")
    try:
        yield role
    finally:
        with psycopg.connect(dsn, autocommit=True) as connection:
            connection.execute(f"DROP OWNED BY {role}")
            connection.execute(f"DROP ROLE {role}")


def check_rows_seen_with_their_shipment(app: Runtime) -> None:
    """The table itself, read by a bare statement (which the application does not filter)."""
    seen = {s.id for s in service.list_shipments(app.uow("reader", OPERATOR))}
    secret = shipment_of(app, "P-DEU-S").id
    with app.uow("reader", OPERATOR) as uow:
        rows = uow.session.execute(select(custody_serials.c.serial, custody_serials.c.shipment_id))
        shown = {shipment for _, shipment in rows}
    assert shown and shown <= seen and secret not in seen
    with app.uow() as uow:
        everything = uow.session.execute(select(custody_serials.c.shipment_id)).scalars()
        assert secret in set(everything)


@pytest.mark.parametrize("empty_database", ["postgresql"], indirect=True)
def test_a_role_granted_before_the_upgrade_works_custody_by_serial_under_row_security(
    empty_database: Engine,  # noqa: F811
) -> None:
    migrate.upgrade(empty_database)
    owner_url = empty_database.url.render_as_string(hide_password=False)
    owner = Runtime.start(Settings(database_url=owner_url))
    try:
        custody_recorded(owner)
        downgrade(empty_database, BEFORE)
        with app_role(owner_url) as role:
            row_security.grant_app_role(empty_database, role)  # before the upgrade
            migrate.upgrade(empty_database)
            app = Runtime.start(
                Settings(
                    database_url=make_url(owner_url)
                    .set(username=role, password=None)
                    .render_as_string(hide_password=False),
                    owner_database_url=owner_url,
                    access_app_filter=False,
                )
            )
            try:
                check_custody_reads(app, empty_database)
                check_rows_seen_with_their_shipment(app)
                later = shipment_of(owner, "P-POL")
                holders = ("48th Brigade", "49th Brigade")
                hand_over(app, later, ["GUN-2", "GUN-4"], holders, OPERATOR)
                check_custody_reads(app, empty_database)
            finally:
                app.close()
    finally:
        owner.close()
