"""Rules of transfers that keep the record true, on a real database (SQLite and PostgreSQL).

A draft plan's shipments are not live; custody passes only from its holder;
a shipment moves along its route; a receipt adds up; a disruption given
twice is changed, not duplicated; a re-plan lists only what it changes.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from materiel.bootstrap import Runtime
from materiel.core.errors import Conflict, InvalidInput
from materiel.donations.model import RequirementStatus
from materiel.donations.service import get_requirement
from materiel.logistics import service, transport_service
from materiel.logistics.model import (
    DiscrepancyKind,
    DisruptionKind,
    Finding,
    Receipt,
    Shipment,
    ShipmentStatus,
)
from materiel.platform.audit import AuditEntry, history
from tests.access.test_donor_transfers import planned_world
from tests.auth import signed_in_client
from tests.logistics.test_transfers import TODAY, allocated, planned

__all__ = ["allocated"]  # the fixture, imported for pytest


def audited(runtime: Runtime, entity: str, entity_id: str) -> list[AuditEntry]:
    with runtime.session_factory() as session:
        return history(session, entity, entity_id)


def first_shipment(runtime: Runtime) -> Shipment:
    return service.shipment_view(planned(runtime)[0], runtime.uow()).shipment


def handed_over(runtime: Runtime, shipment: Shipment, serials: list[str]) -> None:
    service.dispatch(shipment.id, None, None, runtime.uow("depot"))
    handover = service.HandOver("lviv", "DEU", "47th Brigade", serials, acknowledged_by="Capt. K")
    service.hand_over(shipment.id, handover, None, runtime.uow("liaison"))


def test_a_draft_plans_shipments_are_proposed_until_it_is_accepted(allocated: Runtime) -> None:
    live = planned(allocated)
    draft = transport_service.run_transport(allocated.uow("planner"), time_limit_s=10)
    _, proposed = transport_service.transport_plan_view(draft.id or 0, allocated.uow())
    assert proposed and {s.status for s in proposed} == {ShipmentStatus.PROPOSED}
    assert [s.id for s in service.list_shipments(allocated.uow())] == live
    assert not service.board(allocated.uow()).late or all(
        s.transport_plan_id != draft.id for s in service.board(allocated.uow()).late
    )
    with pytest.raises(Conflict, match=r"only proposed: transport plan .* accept that plan first"):
        service.dispatch(proposed[0].id, None, None, allocated.uow("depot"))

    transport_service.accept_transport_plan(draft.id or 0, None, allocated.uow("chief"))
    statuses = {s.id: s.status for s in service.list_shipments(allocated.uow())}
    assert {statuses[s.id] for s in proposed} == {ShipmentStatus.PLANNED}
    assert {statuses[s] for s in live} == {ShipmentStatus.CANCELLED}
    entries = audited(allocated, "shipment", live[0])
    assert [e.action for e in entries][-1] == "cancelled"


def test_accepting_a_plan_that_is_no_draft_says_so(allocated: Runtime) -> None:
    planned(allocated)
    first = transport_service.list_transport_plans(allocated.uow())[0]
    with pytest.raises(Conflict, match=f"transport plan {first.id} is accepted already"):
        transport_service.accept_transport_plan(first.id or 0, None, allocated.uow("chief"))
    planned(allocated)
    with pytest.raises(Conflict, match=f"transport plan {first.id} is superseded already"):
        transport_service.accept_transport_plan(first.id or 0, None, allocated.uow("chief"))


def test_custody_passes_only_from_the_holder(runtime: Runtime) -> None:
    planned_world(runtime)
    shipments = service.list_shipments(runtime.uow())
    deu, pol = (next(s for s in shipments if s.pledge == p) for p in ("P-DEU", "P-POL"))
    handed_over(runtime, deu, ["PZH-1"])
    service.dispatch(pol.id, None, None, runtime.uow("depot"))
    taken = service.HandOver("lviv", "POL", "65th Brigade", ["PZH-1"], acknowledged_by="Maj. L")
    with pytest.raises(Conflict, match="PZH-1 is held by 47th Brigade at lviv, not by POL"):
        service.hand_over(pol.id, taken, None, runtime.uow("liaison"))
    assert service.where_is("PZH-1", runtime.uow()).asset.holder == "47th Brigade"
    assert service.shipment_view(pol.id, runtime.uow()).shipment.status == "dispatched"
    back = service.HandOver("lviv", "47th Brigade", "POL", ["PZH-1"], acknowledged_by="Maj. L")
    service.hand_over(pol.id, back, None, runtime.uow("liaison"))
    assert service.where_is("PZH-1", runtime.uow()).asset.holder == "POL"


@pytest.mark.parametrize(
    ("serials", "from_holder", "signed", "message"),
    [
        (["PZH-1", " "], "DEU", "Capt. K", "serial number 2 of this hand-over is blank"),
        (["PZH-1"], " ", "Capt. K", "'from' holder is empty"),
        (["PZH-1"], "DEU", None, "acknowledged by a named person"),
        (["PZH-1"], "DEU", "  ", "acknowledged by a named person"),
    ],
)
def test_a_hand_over_says_who_what_and_who_signed(
    allocated: Runtime, serials: list[str], from_holder: str, signed: str | None, message: str
) -> None:
    shipment = first_shipment(allocated)
    service.dispatch(shipment.id, None, None, allocated.uow("depot"))
    handover = service.HandOver(
        "lviv", from_holder, "47th Brigade", serials, acknowledged_by=signed
    )
    with pytest.raises(InvalidInput, match=message):
        service.hand_over(shipment.id, handover, None, allocated.uow("liaison"))
    assert service.shipment_view(shipment.id, allocated.uow()).custody == []


def test_a_shipment_moves_along_its_route(allocated: Runtime) -> None:
    shipment = first_shipment(allocated)
    with pytest.raises(InvalidInput, match="is at unterluss, so it leaves from there, not from"):
        service.dispatch(shipment.id, "rzeszow", None, allocated.uow("depot"))
    service.dispatch(shipment.id, "unterluss", None, allocated.uow("depot"))
    with pytest.raises(InvalidInput, match=r"travels unterluss > .* it does not pass kosice"):
        service.arrive(shipment.id, "kosice", None, allocated.uow("hub"))
    hub = service.shipment_view(shipment.id, allocated.uow()).legs[0].target
    service.arrive(shipment.id, hub, None, allocated.uow("hub"))
    with pytest.raises(InvalidInput, match=f"is at {hub}, so it leaves from there"):
        service.dispatch(shipment.id, "unterluss", None, allocated.uow("hub"))


def test_receipts_add_up_and_open_audited_discrepancies(allocated: Runtime) -> None:
    shipment = first_shipment(allocated)
    handed_over(allocated, shipment, ["PZH-1"])
    sent = shipment.units
    wrong = [
        Receipt(sent, "Capt. K", (Finding(DiscrepancyKind.OVER, 2**62, "counted twice"),)),
        Receipt(0, "Capt. K", (Finding(DiscrepancyKind.SHORT, sent + 5, "lost"),)),
    ]
    for receipt in wrong:
        with pytest.raises(InvalidInput):
            service.receive(shipment.id, receipt, None, allocated.uow("unit"))
    assert get_requirement("R-1", allocated.uow()).status is RequirementStatus.MET  # allocated
    lost = Finding(DiscrepancyKind.SHORT, sent, "lost at the border")
    service.receive(shipment.id, Receipt(0, "Capt. K", (lost,)), None, allocated.uow("unit"))
    # Nothing arrived: the requirement stays as the allocation left it.
    assert get_requirement("R-1", allocated.uow()).status is RequirementStatus.MET
    (opened,) = service.board(allocated.uow()).open_discrepancies
    assert [e.action for e in audited(allocated, "discrepancy", str(opened.id))] == ["open"]


def test_a_disruption_given_twice_is_changed(allocated: Runtime) -> None:
    def cut(capacity: int | None, note: str, kind: DisruptionKind = DisruptionKind.LINK_REDUCED):
        return service.add_disruption(
            kind,
            "unterluss>rzeszow:rail" if kind is DisruptionKind.LINK_REDUCED else "rzeszow",
            from_date=TODAY,
            capacity=capacity,
            note=note,
            uow=allocated.uow("chief"),
        )

    first = cut(5, "first")
    for capacity in (50, 7):
        changed = cut(capacity, f"now {capacity}")
    assert [(d.id, d.capacity, d.note) for d in service.list_disruptions(allocated.uow())] == [
        (first.id, 7, "now 7")
    ]
    assert changed.id == first.id
    entries = audited(allocated, "disruption", first.id)
    assert [e.action for e in entries] == ["disrupt", "change", "change"]
    assert entries[1].before is not None and entries[1].before["capacity"] == 5
    with pytest.raises(InvalidInput, match="0 \\(closed\\) to 1,000,000"):
        cut(10**20, "too much")
    with pytest.raises(InvalidInput, match="takes no capacity"):
        cut(7, "closed", DisruptionKind.NODE_CLOSED)


def test_a_replan_lists_only_the_movements_it_changes(allocated: Runtime) -> None:
    shipments = planned(allocated)
    started = service.shipment_view(shipments[0], allocated.uow()).shipment
    service.dispatch(started.id, None, None, allocated.uow("depot"))
    service.add_disruption(
        DisruptionKind.NODE_CLOSED,
        "rzeszow",
        from_date=TODAY + timedelta(days=1),
        capacity=None,
        note="runway repairs",
        uow=allocated.uow("chief"),
    )
    record = transport_service.run_transport(allocated.uow("planner"), time_limit_s=10)
    # One movement of 3 units: the started shipment's units are not the re-plan's.
    assert all(c["units_before"] == 3 - started.units for c in record.changes)
    if started.units == 3:
        assert record.changes == []


def test_an_audit_entry_shows_the_version_it_wrote(allocated: Runtime) -> None:
    shipment = first_shipment(allocated)
    service.dispatch(shipment.id, None, None, allocated.uow("depot"))
    stored = service.shipment_view(shipment.id, allocated.uow()).shipment
    last = audited(allocated, "shipment", shipment.id)[-1]
    assert last.before is not None and last.after is not None
    assert (last.before["version"], last.after["version"]) == (stored.version - 1, stored.version)


def test_a_replan_warns_of_a_shipment_under_way_into_a_closed_node(allocated: Runtime) -> None:
    shipment = first_shipment(allocated)
    service.dispatch(shipment.id, None, None, allocated.uow("depot"))
    hub = service.shipment_view(shipment.id, allocated.uow()).legs[0].target
    service.add_disruption(
        DisruptionKind.NODE_CLOSED,
        hub,
        from_date=TODAY,
        capacity=None,
        note="runway repairs",
        uow=allocated.uow("chief"),
    )
    record = transport_service.run_transport(allocated.uow("planner"), time_limit_s=10)
    (warning,) = [w for w in record.solver["warnings"] if w.startswith("shipment ")]
    assert warning.startswith(f"shipment {shipment.id} is under way and keeps its leg")
    assert f"node {hub} is closed from {TODAY.isoformat()}" in warning
    client = signed_in_client(allocated)
    page = client.get(f"/transport-plans/{record.id}", headers={"Accept": "text/html"}).text
    assert "Needs attention" in page and shipment.id.replace(">", "&gt;") in page


def test_a_receipt_keeps_who_signed_it_and_who_recorded_it(allocated: Runtime) -> None:
    shipment = first_shipment(allocated)
    handed_over(allocated, shipment, ["PZH-1"])
    short = Finding(DiscrepancyKind.SHORT, 1, "held at the border")
    receipt = Receipt(shipment.units - 1, " Capt. Kovalenko ", (short,))
    service.receive(shipment.id, receipt, None, allocated.uow("ukr-logistics"))
    view = service.shipment_view(shipment.id, allocated.uow())
    received = view.events[-1]
    assert (received.status, received.actor, received.acknowledged_by) == (
        ShipmentStatus.RECEIVED,
        "ukr-logistics",
        "Capt. Kovalenko",
    )
    assert [d.recorded_by for d in view.discrepancies] == ["ukr-logistics"]
    page = signed_in_client(allocated).get(f"/shipments/{shipment.id}").text
    assert "— ukr-logistics, signed by Capt. Kovalenko" in page


def test_a_first_plan_is_not_said_to_change_anything(allocated: Runtime) -> None:
    planned(allocated)
    page = signed_in_client(allocated).get("/shipments").text
    assert "first plan: 1 movements" in page and "movements changed" not in page


def test_accepting_a_transport_plan_names_the_version_reviewed(allocated: Runtime) -> None:
    draft = transport_service.run_transport(allocated.uow("planner"), time_limit_s=10)
    client = signed_in_client(allocated)
    for body in (None, {}):
        refused = client.post(f"/api/transport-plans/{draft.id}/accept", json=body)
        assert refused.status_code == 422, refused.text
        assert [p["field"] for p in refused.json()["problems"]] == ["version"]
    etag = client.get(f"/api/transport-plans/{draft.id}").headers["ETag"]
    taken = client.post(f"/api/transport-plans/{draft.id}/accept", headers={"If-Match": etag})
    assert taken.status_code == 200, taken.text
