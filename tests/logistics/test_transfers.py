"""Transfers end to end on a real database (SQLite and PostgreSQL).

Allocation plan -> transport plan -> dispatch -> hub -> hand-over with serials
-> receipt with a discrepancy -> requirement status; and re-planning around
a disruption moves only what has not left.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from materiel.bootstrap import Runtime
from materiel.core.dates import utc_now
from materiel.core.errors import Conflict, InvalidInput
from materiel.donations import plan_service
from materiel.donations.model import RequirementStatus
from materiel.donations.plan_model import StoredPlan
from materiel.donations.service import get_requirement, import_pledges, import_requirements
from materiel.logistics import service, transport_service
from materiel.logistics.model import (
    DiscrepancyKind,
    DisruptionKind,
    Finding,
    Receipt,
    ShipmentStatus,
)
from materiel.network.service import import_links, import_nodes
from tests.auth import signed_in_client
from tests.factories import load_reference_data

TODAY = utc_now().date()
SOON = (TODAY + timedelta(days=40)).isoformat()

REQUIREMENTS = [
    {"ref": "R-1", "item_type": "pzh-2000", "quantity": "3", "priority": "1", "needed_by": SOON,
     "unit": "47th Brigade", "destination": "lviv"},
]  # fmt: skip
PLEDGES = [
    {"ref": "P-1", "donor": "DEU", "item_type": "pzh-2000", "quantity": "3", "origin": "unterluss",
     "available_from": TODAY.isoformat()},
]  # fmt: skip
SECOND_ROUTE_NODES = [
    {"id": "kosice", "name": "Košice hub", "kind": "hub", "country": "SVK", "lat": "48.72",
     "lon": "21.26", "handling_per_day": "20"},
]  # fmt: skip
SECOND_ROUTE_LINKS = [
    {"from": "unterluss", "to": "kosice", "mode": "rail", "days": "4", "cost": "12"},
    {"from": "kosice", "to": "lviv", "mode": "road", "days": "2", "cost": "5"},
]


def allocated_world(
    runtime: Runtime, requirements: list[dict[str, str]], pledges: list[dict[str, str]]
) -> StoredPlan:
    """The reference data with a second route, these requirements and pledges, and an
    accepted allocation plan (returned)."""
    uow = runtime.uow
    load_reference_data(runtime)
    import_nodes(("nodes", SECOND_ROUTE_NODES), uow("t"))
    import_links(("links", SECOND_ROUTE_LINKS), uow("t"))
    import_requirements(("requirements", requirements), uow("t"))
    import_pledges(("pledges", pledges), uow("t"))
    plan = plan_service.run_allocation(uow("planner"), time_limit_s=5)
    return plan_service.accept_plan(plan.id or 0, None, uow("chief"))


@pytest.fixture
def allocated(runtime: Runtime) -> Runtime:
    allocated_world(runtime, REQUIREMENTS, PLEDGES)
    return runtime


def planned(runtime: Runtime) -> list[str]:
    record = transport_service.run_transport(runtime.uow("planner"), time_limit_s=10)
    transport_service.accept_transport_plan(record.id or 0, None, runtime.uow("chief"))
    return [s.id for s in service.list_shipments(runtime.uow(), ShipmentStatus.PLANNED)]


def test_from_plan_to_receipt_with_a_discrepancy(allocated: Runtime) -> None:
    shipments = planned(allocated)
    assert shipments
    view = service.shipment_view(shipments[0], allocated.uow())
    assert view.legs[0].source == "unterluss" and view.legs[-1].target == "lviv"
    first = view.shipment
    uow = allocated.uow

    service.dispatch(first.id, None, first.version, uow("depot"))
    hub = view.legs[0].target
    service.arrive(first.id, hub, None, uow("hub operator"))
    service.dispatch(first.id, hub, None, uow("hub operator"))
    serials = [f"PZH-{n:04d}" for n in range(first.units)]
    service.hand_over(
        first.id,
        service.HandOver("lviv", "DEU", "47th Brigade", serials, acknowledged_by="Capt. Kovalenko"),
        None,
        uow("liaison"),
    )
    with pytest.raises(InvalidInput, match="fewer than sent"):
        service.receive(first.id, Receipt(first.units - 1, "Capt. Kovalenko"), None, uow("unit"))
    short = Finding(DiscrepancyKind.SHORT, 1, "one gun held back at the border for repair")
    received = service.receive(
        first.id, Receipt(first.units - 1, "Capt. Kovalenko", (short,)), None, uow("unit")
    )
    assert received.status is ShipmentStatus.RECEIVED
    assert get_requirement("R-1", allocated.uow()).status is RequirementStatus.PARTLY_MET

    board = service.board(allocated.uow())
    assert [d.reason for d in board.open_discrepancies] == [short.reason]
    resolved = service.resolve_discrepancy(
        board.open_discrepancies[0].id or 0, "gun repaired and sent on", None, uow("chief")
    )
    assert resolved.resolved_by == "chief"
    assert service.board(allocated.uow()).open_discrepancies == []

    where = service.where_is(serials[0], allocated.uow())
    assert (where.asset.holder, where.asset.location) == ("47th Brigade", "lviv")
    assert [(e.from_holder, e.to_holder) for e in where.history] == [("DEU", "47th Brigade")]
    events = [e.status for e in service.shipment_view(first.id, allocated.uow()).events]
    assert events == [
        ShipmentStatus.PLANNED,  # when its plan was accepted
        ShipmentStatus.DISPATCHED,
        ShipmentStatus.AT_HUB,
        ShipmentStatus.DISPATCHED,
        ShipmentStatus.HANDED_OVER,
        ShipmentStatus.RECEIVED,
    ]


def test_invalid_steps_are_refused(allocated: Runtime) -> None:
    shipment = planned(allocated)[0]
    with pytest.raises(Conflict, match="allowed next: cancelled, dispatched"):
        service.receive(shipment, Receipt(1, "someone"), None, allocated.uow("unit"))
    service.dispatch(shipment, None, None, allocated.uow("d"))
    with pytest.raises(InvalidInput, match="at which node"):
        service.arrive(shipment, "", None, allocated.uow("d"))


def test_replanning_around_a_closed_hub_moves_only_what_has_not_left(allocated: Runtime) -> None:
    shipments = planned(allocated)
    before = {s: service.shipment_view(s, allocated.uow()).legs for s in shipments}
    assert all(legs[0].target == "rzeszow" for legs in before.values())  # the faster route
    if len(shipments) > 1:
        service.dispatch(shipments[0], None, None, allocated.uow("depot"))
    service.add_disruption(
        DisruptionKind.NODE_CLOSED,
        "rzeszow",
        from_date=TODAY,
        capacity=None,
        note="runway repairs",
        uow=allocated.uow("chief"),
    )
    record = transport_service.run_transport(allocated.uow("planner"), time_limit_s=10)
    new = service.list_shipments(allocated.uow())
    assert not any(s.transport_plan_id == record.id for s in new), "a draft's are not live"
    _, replanned = transport_service.transport_plan_view(record.id or 0, allocated.uow())
    assert {s.status for s in replanned} == {ShipmentStatus.PROPOSED}
    for shipment in replanned:
        legs = service.shipment_view(shipment.id, allocated.uow()).legs
        assert "rzeszow" not in {leg.target for leg in legs}
    moved_units = sum(s.units for s in replanned)
    dispatched = sum(s.units for s in new if s.status is ShipmentStatus.DISPATCHED)
    assert moved_units + dispatched == 3
    assert record.changes, "the re-plan lists what changed"


def test_a_late_shipment_keeps_why_it_is_late(runtime: Runtime) -> None:
    load_reference_data(runtime)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    import_requirements(
        ("requirements", [{**REQUIREMENTS[0], "needed_by": tomorrow}]), runtime.uow("t")
    )
    import_pledges(("pledges", PLEDGES), runtime.uow("t"))
    plan = plan_service.run_allocation(runtime.uow("planner"), time_limit_s=5)
    plan_service.accept_plan(plan.id or 0, None, runtime.uow("chief"))
    planned(runtime)
    late = [s for s in service.list_shipments(runtime.uow()) if s.days_late]
    assert late
    # Unterlüß to Lviv takes days by any route: the network alone makes it late.
    assert all(s.late_reason and s.late_reason.startswith("transit: ") for s in late)
    client = signed_in_client(runtime)
    assert client.get(f"/api/shipments/{late[0].id}").json()["late_reason"] == late[0].late_reason
    page = client.get(f"/shipments/{late[0].id}").text
    assert "Why late:" in page and "on an empty network it arrives" in page
    assert "lateness proven optimal" in client.get("/shipments").text
