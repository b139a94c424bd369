"""Allocation re-plans after units have left: nothing is given twice (SQLite and PostgreSQL).

DESIGN.md hard rule 1: a pledge gives no more than it offers, a requirement
receives no more than it asks for. Units received or on their way count as
given; units reported lost become a gap again; a requirement's status follows
its deliveries once a unit has arrived, whatever the next plan says.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from materiel.bootstrap import Runtime
from materiel.core.dates import utc_now
from materiel.core.errors import Conflict
from materiel.donations import plan_service
from materiel.donations.model import RequirementStatus
from materiel.donations.plan_store import PlanStore
from materiel.donations.service import (
    change_requirement_status,
    get_requirement,
    import_pledges,
    import_requirements,
)
from materiel.logistics import service
from materiel.logistics.model import DiscrepancyKind, Finding, Receipt, ShipmentStatus
from tests.logistics.test_transfers import allocated_world, planned

TODAY = utc_now().date()
SOON = (TODAY + timedelta(days=40)).isoformat()


def need(ref: str, quantity: int, priority: int = 1) -> dict[str, str]:
    return {"ref": ref, "item_type": "pzh-2000", "quantity": str(quantity),
            "priority": str(priority), "needed_by": SOON, "unit": "47th Brigade",
            "destination": "lviv"}  # fmt: skip


def offer(ref: str, quantity: int) -> dict[str, str]:
    return {"ref": ref, "donor": "DEU", "item_type": "pzh-2000", "quantity": str(quantity),
            "origin": "unterluss", "available_from": TODAY.isoformat()}  # fmt: skip


def deliver(runtime: Runtime, shipment_id: str, received: int, lost: int = 0) -> None:
    """Dispatch, hand over at the destination and receive `received` units (`lost` short)."""
    uow = runtime.uow
    shipment = service.shipment_view(shipment_id, uow()).shipment
    service.dispatch(shipment_id, None, None, uow("depot"))
    for leg in service.shipment_view(shipment_id, uow()).legs[:-1]:
        service.arrive(shipment_id, leg.target, None, uow("hub"))
        service.dispatch(shipment_id, leg.target, None, uow("hub"))
    serials = [f"{shipment_id}-{n}" for n in range(shipment.units)]
    handover = service.HandOver("lviv", "DEU", "47th Brigade", serials, acknowledged_by="Capt. K")
    service.hand_over(shipment_id, handover, None, uow("liaison"))
    findings = (Finding(DiscrepancyKind.SHORT, lost, "lost in transit"),) if lost else ()
    service.receive(shipment_id, Receipt(received, "Capt. K", findings), None, uow("unit"))


def replan(runtime: Runtime) -> int:
    """Run the allocation planner again and accept its plan; the plan's id."""
    plan = plan_service.run_allocation(runtime.uow("planner"), time_limit_s=5)
    plan_service.accept_plan(plan.id or 0, None, runtime.uow("chief"))
    return plan.id or 0


def lines(runtime: Runtime, plan_id: int) -> dict[tuple[str, str], int]:
    with runtime.uow() as uow:
        return {
            (a.pledge, a.requirement): a.quantity
            for a in PlanStore(uow.session).allocations(plan_id)
        }


def live_units(runtime: Runtime, requirement: str) -> int:
    shipments = service.list_shipments(runtime.uow())
    return sum(
        s.units
        for s in shipments
        if s.requirement == requirement and s.status is not ShipmentStatus.CANCELLED
    )


def test_a_delivered_requirement_is_not_given_again(runtime: Runtime) -> None:
    allocated_world(runtime, [need("R-1", 2)], [offer("P-1", 2), offer("P-2", 2)])
    (first,) = planned(runtime)
    deliver(runtime, first, received=2)

    plan_id = replan(runtime)
    planned(runtime)

    assert sum(lines(runtime, plan_id).values()) == 2
    assert live_units(runtime, "R-1") == 2
    assert get_requirement("R-1", runtime.uow()).status is RequirementStatus.MET


def test_units_lost_on_the_way_become_a_gap_and_the_status_follows_deliveries(
    runtime: Runtime,
) -> None:
    allocated_world(runtime, [need("R-1", 3)], [offer("P-1", 3)])
    (first,) = planned(runtime)
    deliver(runtime, first, received=2, lost=1)
    assert get_requirement("R-1", runtime.uow()).status is RequirementStatus.PARTLY_MET
    import_pledges(("pledges", [offer("P-2", 5)]), runtime.uow("t"))

    plan_id = replan(runtime)

    # P-1's three units left (one was lost); P-2 fills the gap with one, no more.
    assert lines(runtime, plan_id) == {("P-1", "R-1"): 3, ("P-2", "R-1"): 1}
    assert get_requirement("R-1", runtime.uow()).status is RequirementStatus.PARTLY_MET
    planned(runtime)
    assert live_units(runtime, "R-1") == 3 + 1


def test_units_on_their_way_to_a_cancelled_line_are_named_and_not_planned_again(
    runtime: Runtime,
) -> None:
    allocated_world(runtime, [need("R-1", 3), need("R-2", 3, priority=2)], [offer("P-1", 3)])
    (first,) = planned(runtime)
    service.dispatch(first, None, None, runtime.uow("depot"))
    version = get_requirement("R-1", runtime.uow()).version
    change_requirement_status("R-1", RequirementStatus.CANCELLED, version, runtime.uow("t"))

    plan = plan_service.run_allocation(runtime.uow("planner"), time_limit_s=5)

    assert any("on their way to requirement R-1" in note for note in plan.notes)
    assert lines(runtime, plan.id or 0) == {}  # P-1's units have all left, for R-1


def test_a_plan_made_before_units_left_elsewhere_is_refused(runtime: Runtime) -> None:
    allocated_world(runtime, [need("R-1", 3, priority=2)], [offer("P-1", 3)])
    (first,) = planned(runtime)
    import_requirements(("requirements", [need("R-2", 3, priority=1)]), runtime.uow("t"))
    draft = plan_service.run_allocation(runtime.uow("planner"), time_limit_s=5)
    assert lines(runtime, draft.id or 0) == {("P-1", "R-2"): 3}
    service.dispatch(first, None, None, runtime.uow("depot"))  # P-1's units leave for R-1

    with pytest.raises(Conflict, match="units have left since plan"):
        plan_service.accept_plan(draft.id or 0, None, runtime.uow("chief"))

    again = replan(runtime)
    assert lines(runtime, again) == {("P-1", "R-1"): 3}
