"""Writes that race on the real database (SQLite and PostgreSQL): never two winners, never a 500.

Each race runs the real use cases on real threads, paused (tests/races.py)
so that both read before either writes: the interleaving in which a check
made on what was read no longer holds when the write lands. The loser gets
the refusal a stale write gets (StaleVersion: 412) or a clash that says what
happened (Conflict: 409), or its request is applied as the documented
repeat; it never gets a database error (a 500).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from materiel.bootstrap import Runtime
from materiel.core.dates import utc_now
from materiel.core.errors import Conflict, StaleVersion
from materiel.donations import plan_service
from materiel.donations.model import Requirement
from materiel.donations.plan_model import PlanStatus
from materiel.donations.plan_store import PlanStore
from materiel.donations.service import create_requirement, update_requirement
from materiel.logistics import service, transport_service
from materiel.logistics.model import DisruptionKind, Receipt, ShipmentStatus, TransportPlanStatus
from materiel.logistics.store import LogisticsStore
from materiel.platform.access.sessions import elevated
from materiel.platform.unit_of_work import UnitOfWork
from tests.donations.test_plans import scenario  # noqa: F401 - the shared fixture
from tests.factories import load_reference_data
from tests.logistics.test_transfers import allocated, planned  # noqa: F401 - the shared fixture
from tests.races import errors, race

TODAY = utc_now().date()
ANOTHER_ACCEPTED = "another plan was accepted at the same time"


# --- one accepted plan at a time (the database's partial unique index) ----------------------


def test_two_allocation_drafts_accepted_at_once_one_is_refused(
    scenario: Runtime,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drafts = [plan_service.run_allocation(scenario.uow("planner"), time_limit_s=5) for _ in "ab"]

    results = race(
        monkeypatch,
        [(PlanStore, "accepted")],  # both find no plan accepted yet
        *(
            lambda d=d: plan_service.accept_plan(d.id or 0, None, scenario.uow("chief"))
            for d in drafts
        ),
    )

    (refused,) = errors(results)
    assert type(refused) is Conflict and ANOTHER_ACCEPTED in refused.message
    statuses = [p.status for p in plan_service.list_plans(scenario.uow())]
    assert statuses.count(PlanStatus.ACCEPTED) == 1


def test_two_transport_drafts_accepted_at_once_one_is_refused_and_nothing_ships_twice(
    allocated: Runtime,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drafts = [transport_service.run_transport(allocated.uow("p"), time_limit_s=10) for _ in "ab"]

    results = race(
        monkeypatch,
        [(LogisticsStore, "accepted_plan")],  # both find no transport plan accepted yet
        *(
            lambda d=d: transport_service.accept_transport_plan(d.id or 0, None, allocated.uow())
            for d in drafts
        ),
    )

    (refused,) = errors(results)
    assert type(refused) is Conflict and ANOTHER_ACCEPTED in refused.message
    plans = transport_service.list_transport_plans(allocated.uow())
    assert [p.status for p in plans].count(TransportPlanStatus.ACCEPTED) == 1
    live = service.list_shipments(allocated.uow(), ShipmentStatus.PLANNED)
    assert sum(s.units for s in live) == 3  # the allocation, once


# --- a write that lost the race is refused as stale, wherever it surfaced ------------------


REQUIREMENT = {
    "ref": "R-1", "item_type": "pzh-2000", "quantity": "3", "priority": "1",
    "needed_by": (TODAY + timedelta(days=60)).isoformat(), "unit": "47th Brigade",
    "destination": "lviv",
}  # fmt: skip


@pytest.fixture
def requirement(runtime: Runtime) -> Runtime:
    load_reference_data(runtime)
    create_requirement(REQUIREMENT, runtime.uow())
    return runtime


def test_a_stale_write_found_by_an_autoflush_is_a_stale_version(requirement: Runtime) -> None:
    loser = requirement.uow("b")
    with pytest.raises(StaleVersion, match="changed by someone else"), loser:
        mine = loser.session.get(Requirement, "R-1")
        assert mine is not None
        update_requirement("R-1", {"quantity": 5}, None, requirement.uow("a"))
        mine.quantity = 9
        loser.session.scalars(select(Requirement)).all()  # flushes first: 0 rows at version 1
    assert service_quantity(requirement) == 5


def test_a_stale_write_inside_elevated_is_a_stale_version(requirement: Runtime) -> None:
    """On PostgreSQL restoring the user after the failed flush raises PendingRollbackError."""
    loser = requirement.uow("b")
    with pytest.raises(StaleVersion, match="changed by someone else"), loser:
        mine = loser.session.get(Requirement, "R-1")
        assert mine is not None
        update_requirement("R-1", {"quantity": 5}, None, requirement.uow("a"))
        with elevated(loser.session):
            mine.quantity = 9
    assert service_quantity(requirement) == 5


def service_quantity(runtime: Runtime) -> int:
    with runtime.uow() as uow:
        found = uow.session.get(Requirement, "R-1")
        assert found is not None
        return found.quantity


@pytest.fixture
def dispatched(allocated: Runtime) -> str:  # noqa: F811
    shipment = planned(allocated)[0]
    service.dispatch(shipment, None, None, allocated.uow("depot"))
    return shipment


def test_two_hand_overs_of_a_shipment_at_once_one_is_refused_as_stale(
    allocated: Runtime,  # noqa: F811
    dispatched: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def hand_over(serial: str) -> object:
        handover = service.HandOver("lviv", "DEU", "47th Brigade", [serial], acknowledged_by="Lt")
        return service.hand_over(dispatched, handover, None, allocated.uow("liaison"))

    results = race(monkeypatch, [(service, "_shipment")], *(lambda s=s: hand_over(s) for s in "AB"))

    (refused,) = errors(results)  # found by the autoflush of reading the serial's asset
    assert type(refused) is StaleVersion, refused
    events = [e.status for e in service.shipment_view(dispatched, allocated.uow()).events]
    assert events.count(ShipmentStatus.HANDED_OVER) == 1


def test_two_receipts_of_a_shipment_at_once_one_is_refused_as_stale(
    allocated: Runtime,  # noqa: F811
    dispatched: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    units = service.shipment_view(dispatched, allocated.uow()).shipment.units
    handover = service.HandOver("lviv", "DEU", "47th Brigade", ["S-1"], acknowledged_by="Lt")
    service.hand_over(dispatched, handover, None, allocated.uow("liaison"))
    receipt = Receipt(units, "Capt. K")

    results = race(
        monkeypatch,
        [(service, "_shipment")],
        *(lambda: service.receive(dispatched, receipt, None, allocated.uow("unit")) for _ in "ab"),
    )

    (refused,) = errors(results)  # found by the use case's own flush
    assert type(refused) is StaleVersion, refused
    events = [e.status for e in service.shipment_view(dispatched, allocated.uow()).events]
    assert events.count(ShipmentStatus.RECEIVED) == 1


# --- the same new record given twice at once -------------------------------------------------


def test_the_same_disruption_given_twice_at_once_is_recorded_then_changed(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_reference_data(runtime)

    def close(note: str) -> object:
        kind = DisruptionKind.NODE_CLOSED
        return service.add_disruption(
            kind, "rzeszow", from_date=TODAY, capacity=None, note=note, uow=runtime.uow("op")
        )

    results = race(monkeypatch, [(UnitOfWork, "audit")], *(lambda: close("runway") for _ in "ab"))

    assert errors(results) == []
    (stored,) = service.list_disruptions(runtime.uow())
    assert stored.id == f"node-closed:rzeszow:{TODAY.isoformat()}" and stored.note == "runway"


def test_two_requirements_without_a_ref_made_at_once_are_both_kept(
    requirement: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    fields = {**REQUIREMENT, "ref": "", "unit": "93rd Brigade"}

    results = race(
        monkeypatch,
        [(UnitOfWork, "audit")],  # both found the same id free
        *(lambda: create_requirement(fields, requirement.uow()) for _ in "ab"),
    )

    assert errors(results) == []
    first, second = sorted(r.id for r in results)
    assert second == f"{first}-2"
