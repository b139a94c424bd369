"""A draft transport plan the record has moved past is not accepted; stale shipments stay put.

QA lifecycle report, defects 1, 4 and 5: a draft is planned from the accepted
allocation plan, the units not yet under way and the disruptions as they
stood. Accepting it after any of those changed is refused with what changed
and "plan transport again". A planned shipment for a cancelled requirement or
from a withdrawn pledge does not leave; one already under way carries on. A
shipment waiting at a closed hub is warned about for the leg it has still to
travel. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest

from materiel.bootstrap import Runtime
from materiel.core.errors import Conflict
from materiel.donations import plan_service
from materiel.donations.model import PledgeStatus, RequirementStatus
from materiel.donations.service import change_pledge_status, change_requirement_status
from materiel.logistics import service, transport_service
from materiel.logistics.model import DisruptionKind, Shipment, ShipmentStatus
from materiel.logistics.model import TransportPlanRecord as Record
from tests.auth import signed_in_client
from tests.logistics.test_transfers import (
    PLEDGES,
    REQUIREMENTS,
    TODAY,
    allocated,
    allocated_world,
    planned,
)

__all__ = ["allocated"]  # the fixture, imported for pytest

TWO_PLEDGES = [PLEDGES[0], {**PLEDGES[0], "ref": "P-2", "quantity": "2"}]
FIVE_NEEDED = [{**REQUIREMENTS[0], "quantity": "5"}]
FIRST_LEG = "unterluss>rzeszow:rail"


def draft(runtime: Runtime) -> Record:
    return transport_service.run_transport(runtime.uow("planner"), time_limit_s=10)


def accept(runtime: Runtime, record: Record) -> Record:
    return transport_service.accept_transport_plan(record.id or 0, None, runtime.uow("chief"))


def live(runtime: Runtime, pledge: str) -> list[Shipment]:
    return [s for s in service.list_shipments(runtime.uow()) if s.pledge == pledge]


def hub_of(runtime: Runtime, shipment_id: str) -> str:
    return service.shipment_view(shipment_id, runtime.uow()).legs[0].target


def passing(runtime: Runtime, record: Record, target: str) -> int:
    """How many of the plan's shipments have a leg from, to or along `target`."""
    _, shipments = transport_service.transport_plan_view(record.id or 0, runtime.uow())
    return sum(
        any(target in (leg.source, leg.target, leg.link) for leg in view.legs)
        for view in (service.shipment_view(s.id, runtime.uow()) for s in shipments)
    )


def disrupt(
    runtime: Runtime, kind: DisruptionKind, target: str, days: int = 0, capacity: int | None = None
) -> None:
    from_date = TODAY + timedelta(days=days)
    note = "runway repairs"
    service.add_disruption(
        kind, target, from_date=from_date, capacity=capacity, note=note, uow=runtime.uow("chief")
    )


def test_a_draft_made_for_a_replaced_allocation_plan_is_refused(allocated: Runtime) -> None:
    stale = draft(allocated)
    newer = plan_service.run_allocation(allocated.uow("planner"), time_limit_s=5)
    plan_service.accept_plan(newer.id or 0, None, allocated.uow("chief"))
    expected = (
        f"made for allocation plan {stale.allocation_plan_id}, but plan {newer.id} is accepted "
        "now; plan transport again"
    )
    with pytest.raises(Conflict, match=expected):
        accept(allocated, stale)
    assert accept(allocated, draft(allocated)).status.value == "accepted"


def test_units_that_left_since_the_draft_refuse_it(runtime: Runtime) -> None:
    """QA defect 1 through the API: the old plan's shipment leaves, the draft ships it again."""
    allocated_world(runtime, FIVE_NEEDED, TWO_PLEDGES)
    planned(runtime)
    stale = draft(runtime)
    client = signed_in_client(runtime)
    for shipment in live(runtime, "P-2"):
        sent = client.post(f"/api/shipments/{quote(shipment.id, safe='')}/dispatch", json={})
        assert sent.status_code == 200, sent.text
    refused = client.post(f"/api/transport-plans/{stale.id}/accept", json={"version": 1})
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert "shipments left since it was made" in detail
    assert "P-2>R-1 (2 units in this plan + 2 already sent, 2 allocated)" in detail
    assert "P-1>R-1" not in detail and detail.endswith("plan transport again")
    assert {s.status for s in live(runtime, "P-2")} == {ShipmentStatus.DISPATCHED}


def test_shipments_moving_on_after_the_draft_do_not_refuse_it(runtime: Runtime) -> None:
    """Units already counted as under way when the draft was made may reach a hub and go on."""
    allocated_world(runtime, FIVE_NEEDED, TWO_PLEDGES)
    planned(runtime)
    for shipment in live(runtime, "P-1"):
        service.dispatch(shipment.id, None, None, runtime.uow("depot"))
    after = draft(runtime)
    for shipment in live(runtime, "P-1"):
        hub = hub_of(runtime, shipment.id)
        service.arrive(shipment.id, hub, None, runtime.uow("hub"))
        service.dispatch(shipment.id, hub, None, runtime.uow("hub"))
    assert accept(runtime, after).status.value == "accepted"
    planned_now = service.list_shipments(runtime.uow(), ShipmentStatus.PLANNED)
    assert {s.pledge for s in planned_now} == {"P-2"}


@pytest.mark.parametrize(
    ("kind", "target", "capacity", "reason"),
    [
        (DisruptionKind.NODE_CLOSED, "rzeszow", None, "node rzeszow is closed"),
        (DisruptionKind.LINK_REDUCED, FIRST_LEG, 0, f"link {FIRST_LEG} is cut to nothing"),
    ],
)
def test_a_disruption_since_the_draft_refuses_it(
    allocated: Runtime, kind: DisruptionKind, target: str, capacity: int | None, reason: str
) -> None:
    """QA defect 5: the draft routes through what is now closed."""
    stale = draft(allocated)
    blocked = passing(allocated, stale, target)
    assert blocked
    disrupt(allocated, kind, target, capacity=capacity)
    expected = (
        f"{reason} from {TODAY.isoformat()}, which blocks {blocked} of its shipments; "
        "plan transport again"
    )
    with pytest.raises(Conflict, match=expected):
        accept(allocated, stale)
    assert service.list_shipments(allocated.uow()) == []


def test_a_disruption_the_draft_does_not_meet_leaves_it_acceptable(allocated: Runtime) -> None:
    stale = draft(allocated)
    disrupt(allocated, DisruptionKind.NODE_CLOSED, "rzeszow", days=60)  # after its legs
    disrupt(allocated, DisruptionKind.LINK_REDUCED, FIRST_LEG, capacity=1)  # reduced, not cut
    assert accept(allocated, stale).status.value == "accepted"


@pytest.mark.parametrize("withdrawn", [False, True], ids=["requirement", "pledge"])
def test_a_shipment_for_a_cancelled_line_does_not_leave(
    allocated: Runtime, withdrawn: bool
) -> None:
    """QA defect 4's gap: a planned shipment of a cancelled or withdrawn record stays put."""
    (first, *_) = planned(allocated)
    if withdrawn:
        change_pledge_status("P-1", PledgeStatus.WITHDRAWN, None, allocated.uow("liaison"))
        what = "pledge P-1 is withdrawn"
    else:
        change_requirement_status("R-1", RequirementStatus.CANCELLED, None, allocated.uow("ukr"))
        what = "requirement R-1 is cancelled"
    client = signed_in_client(allocated)
    refused = client.post(f"/api/shipments/{quote(first, safe='')}/dispatch", json={})
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert detail.startswith(f"shipment {first} does not leave: {what}")
    assert "Plan allocation and transport again" in detail
    stays = service.shipment_view(first, allocated.uow()).shipment
    assert stays.status is ShipmentStatus.PLANNED


def test_a_shipment_under_way_carries_on_after_its_requirement_is_cancelled(
    allocated: Runtime,
) -> None:
    (first, *_) = planned(allocated)
    hub = hub_of(allocated, first)
    service.dispatch(first, None, None, allocated.uow("depot"))
    service.arrive(first, hub, None, allocated.uow("hub"))
    change_requirement_status("R-1", RequirementStatus.CANCELLED, None, allocated.uow("ukr"))
    moved = service.dispatch(first, hub, None, allocated.uow("hub"))
    assert moved.status is ShipmentStatus.DISPATCHED


def test_a_shipment_waiting_at_a_closed_hub_is_warned_of_the_leg_that_leaves_it(
    allocated: Runtime,
) -> None:
    """QA's misleading warning: the leg into the hub is done; the one out of it is blocked."""
    (first, *_) = planned(allocated)
    service.dispatch(first, None, None, allocated.uow("depot"))
    service.arrive(first, "rzeszow", None, allocated.uow("hub"))
    disrupt(allocated, DisruptionKind.NODE_CLOSED, "rzeszow")
    record = draft(allocated)
    (warning,) = [w for w in record.solver["warnings"] if w.startswith(f"shipment {first} ")]
    assert "keeps its leg rzeszow>lviv:road" in warning
    assert f"node rzeszow is closed from {TODAY.isoformat()}" in warning
