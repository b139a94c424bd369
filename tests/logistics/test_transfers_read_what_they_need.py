"""Transfers read only what they need, and answer as before (SQLite and PostgreSQL).

A receipt moves its requirement and its pledge by their own sums; a
hand-over reads the assets it names at once; the board, the throughput and
the board's marking are counted by the database; legs are read for any
number of shipments. Each figure is checked against the rule as first
written, computed here from every shipment and leg the reader sees, for
readers who see everything and readers who see part; what a use case loads
is checked by the records it hydrates or the statements it sends, never by
timing (`benchmarks/transfers_at_scale.py` has the figures at scale).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from materiel.bootstrap import Runtime
from materiel.console import console
from materiel.core.dates import utc_now
from materiel.core.errors import Conflict, NotFound
from materiel.core.markings import Classification, Marking, most_restrictive
from materiel.core.principal import Principal, Role
from materiel.donations import plan_service
from materiel.donations.model import PledgeStatus, RequirementStatus
from materiel.donations.plan_model import PlannedAllocation, StoredPlan
from materiel.donations.service import get_pledge, get_requirement
from materiel.logistics import cli, service, transport_service
from materiel.logistics import store as logistics_store
from materiel.logistics.model import (
    MOVING,
    DiscrepancyKind,
    Finding,
    Receipt,
    Shipment,
    ShipmentLeg,
    ShipmentStatus,
)
from materiel.logistics.store import LogisticsStore
from materiel.platform.unit_of_work import UnitOfWork
from tests.access.test_donor_transfers import planned_world
from tests.counting import hydrated, statements
from tests.logistics.test_transfer_rules import audited
from tests.logistics.test_transfers import TODAY, allocated_world, planned

NEEDED = {"item_type": "pzh-2000", "priority": "1", "unit": "47th Brigade", "destination": "lviv"}
OFFERED = {"item_type": "pzh-2000", "origin": "unterluss", "available_from": TODAY.isoformat()}
SOON = (TODAY + timedelta(days=40)).isoformat()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()  # too soon for any route: late
OPEN = {"classification": "NATO UNCLASSIFIED", "releasable_to": "UKR|NATO"}

# The board's world: shipments in every state, two markings above the open one,
# one requirement they reach late.
BOARD_REQUIREMENTS = [
    {**NEEDED, "ref": "R-1", "quantity": "3", "needed_by": TOMORROW},
    {**NEEDED, "ref": "R-2", "quantity": "3", "needed_by": SOON},
]
BOARD_PLEDGES = [
    {**OFFERED, **OPEN, "ref": "P-1", "donor": "DEU", "quantity": "2"},
    {**OFFERED, "ref": "P-2", "donor": "POL", "quantity": "1",
     "classification": "NATO RESTRICTED", "releasable_to": "UKR|NATO"},
    {**OFFERED, **OPEN, "ref": "P-3", "donor": "USA", "quantity": "1"},
    {**OFFERED, "ref": "P-4", "donor": "DEU", "quantity": "1",
     "classification": "NATO SECRET", "releasable_to": "DEU"},
    {**OFFERED, **OPEN, "ref": "P-5", "donor": "FRA", "quantity": "1"},
]  # fmt: skip
# The receipts' world: a pledge split over two requirements whichever way it is planned.
RECEIPT_REQUIREMENTS = [
    {**NEEDED, "ref": "R-1", "quantity": "3", "needed_by": SOON},
    {**NEEDED, "ref": "R-2", "quantity": "1", "needed_by": SOON},
]
RECEIPT_PLEDGES = [
    {**OFFERED, **OPEN, "ref": "P-1", "donor": "DEU", "quantity": "3"},
    {**OFFERED, **OPEN, "ref": "P-2", "donor": "POL", "quantity": "1"},
]

SECRET = Classification.NATO_SECRET
READERS = {
    "system": None,
    "coordinator": Principal("coord", "NATO", "cell", frozenset({Role.COORDINATOR}), SECRET),
    "pol-operator": Principal(
        "pol-op", "POL", "hub", frozenset({Role.NODE_OPERATOR}), Classification.NATO_UNCLASSIFIED
    ),
    "deu-liaison": Principal("deu-l", "DEU", "deu", frozenset({Role.DONOR_LIAISON}), SECRET),
}


def reader(runtime: Runtime, name: str) -> Callable[[], UnitOfWork]:
    return lambda: runtime.uow(name, READERS[name])


def hand_over_all(runtime: Runtime, shipment: Shipment, tag: str) -> list[str]:
    service.dispatch(shipment.id, None, None, runtime.uow("depot"))
    serials = [f"{tag}-{n}" for n in range(shipment.units)]
    handover = service.HandOver(
        shipment.destination, "donor", "47th Brigade", serials, acknowledged_by="Capt. K"
    )
    service.hand_over(shipment.id, handover, None, runtime.uow("liaison"))
    return serials


def moved_world(runtime: Runtime) -> None:
    """One shipment received one short, one handed over, one at a hub, one dispatched, the
    rest re-planned (cancelled, planned anew), then a draft that only proposes shipments."""
    allocated_world(runtime, BOARD_REQUIREMENTS, BOARD_PLEDGES)
    first = [service.shipment_view(sid, runtime.uow()) for sid in planned(runtime)]
    assert len(first) >= 5, "one shipment for each pledge at least"
    via_hub = next(v for v in first if len(v.legs) > 1)
    received, handed, dispatched = [v for v in first if v is not via_hub][:3]
    hand_over_all(runtime, received.shipment, "R")
    short = Finding(DiscrepancyKind.SHORT, 1, "held back at the border")
    units = received.shipment.units
    receipt = Receipt(units - 1, "Capt. K", (short,)) if units > 1 else Receipt(units, "Capt. K")
    service.receive(received.shipment.id, receipt, None, runtime.uow("unit"))
    hand_over_all(runtime, handed.shipment, "H")
    service.dispatch(via_hub.shipment.id, None, None, runtime.uow("depot"))
    service.arrive(via_hub.shipment.id, via_hub.legs[0].target, None, runtime.uow("hub"))
    service.dispatch(dispatched.shipment.id, None, None, runtime.uow("depot"))
    planned(runtime)  # the rest: cancelled, and planned again
    transport_service.run_transport(runtime.uow("planner"), time_limit_s=10)  # proposed only
    statuses = {s.status for s in service.list_shipments(runtime.uow())}
    assert statuses >= {ShipmentStatus.CANCELLED, ShipmentStatus.PLANNED, *MOVING}


def reference_board(uow: Callable[[], UnitOfWork], today: date) -> dict[str, Any]:
    """The board as first written: every shipment read, then filtered."""
    live = [
        s
        for s in service.list_shipments(uow())
        if s.status not in (ShipmentStatus.CANCELLED, ShipmentStatus.RECEIVED)
    ]
    waiting: dict[str, list[str]] = {}
    for s in live:
        if s.status is ShipmentStatus.AT_HUB and s.location:
            waiting.setdefault(s.location, []).append(s.id)
    return {
        "in_transit": [s.id for s in live if s.status in MOVING],
        "late": [s.id for s in live if s.planned_arrival < today or s.days_late > 0],
        "waiting": waiting,
    }


def reference_throughput(uow: Callable[[], UnitOfWork]) -> dict[str, tuple[date | None, int]]:
    """Each node's busiest day from every leg of every shipment not cancelled (the earlier
    of two equally busy days)."""
    per_day: dict[str, Counter[date]] = {}
    for s in service.list_shipments(uow()):
        if s.status is ShipmentStatus.CANCELLED:
            continue
        for leg in service.shipment_view(s.id, uow()).legs:
            per_day.setdefault(leg.source, Counter())[leg.depart] += s.units
            per_day.setdefault(leg.target, Counter())[leg.arrive] += s.units
    busiest: dict[str, tuple[date | None, int]] = {}
    for node, days in per_day.items():
        most = max(days.values())
        busiest[node] = (min(day for day, units in days.items() if units == most), most)
    return busiest


def reference_marking(uow: Callable[[], UnitOfWork]) -> Marking:
    return most_restrictive(
        s.marking for s in service.list_shipments(uow()) if s.status is not ShipmentStatus.CANCELLED
    )


def test_board_throughput_and_marking_are_those_of_every_shipment_a_reader_sees(
    runtime: Runtime,
) -> None:
    moved_world(runtime)
    markings = set()
    for name in READERS:
        uow = reader(runtime, name)
        with hydrated(Shipment, ShipmentLeg) as loaded:
            board = service.board(uow(), TODAY)
        listed = {s.id for s in (*board.in_transit, *board.late)}
        listed |= {s.id for items in board.waiting.values() for s in items}
        assert loaded == Counter({"Shipment": len(listed)}), (name, "only the board's own")
        expected = reference_board(uow, TODAY)
        assert [s.id for s in board.in_transit] == expected["in_transit"], name
        assert [s.id for s in board.late] == expected["late"], name
        waiting = {node: [s.id for s in items] for node, items in board.waiting.items()}
        assert waiting == expected["waiting"], name

        with hydrated(Shipment, ShipmentLeg) as loaded:
            throughput = service.node_throughput(uow())
        assert not loaded, (name, "throughput is summed by the database")
        busiest = reference_throughput(uow)
        for t in throughput:
            assert (t.busiest_day, t.busiest_units) == busiest.get(t.node, (None, 0)), (name, t)

        marking = service.board_marking(uow())
        assert marking == reference_marking(uow), name
        markings.add(marking)
    assert len(markings) > 1, "readers who see different shipments get different markings"
    assert {s.status for s in service.list_shipments(reader(runtime, "system")())} >= {
        ShipmentStatus.RECEIVED,
        ShipmentStatus.HANDED_OVER,
    }


def test_the_board_command_prints_the_same_figures_between_its_banners(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    moved_world(runtime)
    monkeypatch.setenv("MATERIEL_DATABASE_URL", runtime.settings.database_url)
    with hydrated(Shipment, ShipmentLeg) as loaded, console.capture() as captured:
        cli.board_command()
    lines = captured.get().splitlines()
    system = reader(runtime, "system")
    on_board = service.board(system())
    listed = {s.id for s in (*on_board.in_transit, *on_board.late)}
    listed |= {s.id for items in on_board.waiting.values() for s in items}
    assert loaded == Counter({"Shipment": len(listed)}), "the board's shipments, once; no leg"
    banner = reference_marking(system).banner
    assert lines[0] == banner == lines[-1]
    expected = reference_board(system, utc_now().date())
    assert lines[1] == f"in transit: {len(expected['in_transit'])}  late: {len(expected['late'])}"
    busiest = reference_throughput(system)
    shown = [line for line in lines if "busiest day" in line]
    assert shown and all(
        f"busiest day {busiest[line.split(':')[0]][0]} with {busiest[line.split(':')[0]][1]} "
        in line
        for line in shown
    )


def test_receipts_move_statuses_by_their_own_sums(runtime: Runtime) -> None:
    plan = allocated_world(runtime, RECEIPT_REQUIREMENTS, RECEIPT_PLEDGES)
    lines = plan_service.get_plan(plan.id or 0, runtime.uow()).allocations
    allocated = Counter[str]()
    for line in lines:
        allocated[line.pledge] += line.quantity
    quantity = {r["ref"]: int(r["quantity"]) for r in RECEIPT_REQUIREMENTS}
    shipments = [service.shipment_view(sid, runtime.uow()).shipment for sid in planned(runtime)]
    assert {s.pledge for s in shipments} == {"P-1", "P-2"}
    short_one = next(s for s in shipments if s.units > 1)
    for n, shipment in enumerate(sorted(shipments, key=lambda s: s.id != short_one.id)):
        hand_over_all(runtime, shipment, f"S{n}")
        units = shipment.units - 1 if shipment is short_one else shipment.units
        findings = (Finding(DiscrepancyKind.SHORT, 1, "lost"),) if shipment is short_one else ()
        with hydrated(Shipment, PlannedAllocation, StoredPlan) as loaded:
            service.receive(shipment.id, Receipt(units, "Capt. K", findings), None, runtime.uow())
        assert loaded == Counter({"Shipment": 1}), "its own shipment, no other, no plan line"

        received = [
            s for s in service.list_shipments(runtime.uow()) if s.status is ShipmentStatus.RECEIVED
        ]
        by_requirement, by_pledge = Counter[str](), Counter[str]()
        for s in received:
            by_requirement[s.requirement] += s.units_received
            by_pledge[s.pledge] += s.units_received
        for ref, got in by_requirement.items():
            wanted = RequirementStatus.MET if got >= quantity[ref] else RequirementStatus.PARTLY_MET
            assert get_requirement(ref, runtime.uow()).status is wanted, (ref, got)
        for ref, units_allocated in allocated.items():
            delivered = by_pledge[ref] >= units_allocated > 0
            pledged = PledgeStatus.DELIVERED if delivered else PledgeStatus.ALLOCATED
            assert get_pledge(ref, runtime.uow()).status is pledged, (ref, by_pledge[ref])
    assert get_pledge(short_one.pledge, runtime.uow()).status is PledgeStatus.ALLOCATED
    assert get_requirement(short_one.requirement, runtime.uow()).status is (
        RequirementStatus.PARTLY_MET
    )


def test_a_hand_over_sends_as_many_statements_for_many_serials_as_for_one(
    runtime: Runtime,
) -> None:
    allocated_world(runtime, RECEIPT_REQUIREMENTS, RECEIPT_PLEDGES)
    shipments = [service.shipment_view(sid, runtime.uow()).shipment for sid in planned(runtime)]
    many = next(s for s in shipments if s.units > 1)
    one = next(s for s in shipments if s is not many)
    sent = {}
    for shipment, count in ((many, many.units), (one, 1)):
        service.dispatch(shipment.id, None, None, runtime.uow("depot"))
        serials = [f"{shipment.id}-{n}" for n in range(count)]
        handover = service.HandOver(
            shipment.destination, "DEU", "47th Brigade", serials, acknowledged_by="Capt. K"
        )
        with statements(runtime) as sql:
            service.hand_over(shipment.id, handover, None, runtime.uow("operator"))
        sent[count] = len(sql)
        for serial in serials:  # each asset keeps its own audit entry
            assert [e.action for e in audited(runtime, "asset", serial)] == ["create"]
            assert service.where_is(serial, runtime.uow()).asset.holder == "47th Brigade"
    assert sent[many.units] == sent[1], sent


def test_legs_of_more_shipments_than_one_statement_takes(runtime: Runtime) -> None:
    allocated_world(runtime, RECEIPT_REQUIREMENTS, RECEIPT_PLEDGES)
    ids = planned(runtime)
    unknown = [f"no-such-shipment-{n}" for n in range(70_000)]  # PostgreSQL takes 65,535
    with runtime.uow() as uow:
        logistics = LogisticsStore(uow.session)
        few = [(leg.shipment_id, leg.seq, leg.link) for leg in logistics.legs(ids)]
        lots = [(leg.shipment_id, leg.seq, leg.link) for leg in logistics.legs(unknown + ids)]
    assert few and lots == few


def test_transport_reads_legs_alike_in_one_statement_or_many(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A re-plan's scenario (legs of the shipments under way) and the acceptance of its
    draft (legs of its shipments) read the same with one id per statement."""
    allocated_world(runtime, RECEIPT_REQUIREMENTS, RECEIPT_PLEDGES)
    ids = planned(runtime)
    assert len(ids) > 1
    service.dispatch(ids[0], None, None, runtime.uow("depot"))
    today = utc_now().date()
    with runtime.uow() as uow:
        _, whole = transport_service.transport_scenario(uow, today)
    monkeypatch.setattr(logistics_store, "IDS_PER_STATEMENT", 1)
    with runtime.uow() as uow:
        _, chunked = transport_service.transport_scenario(uow, today)
    assert chunked == whole and whole.fixed
    draft = transport_service.run_transport(runtime.uow("planner"), time_limit_s=10)
    transport_service.accept_transport_plan(draft.id or 0, None, runtime.uow("chief"))
    assert {s.status for s in service.list_shipments(runtime.uow())} >= {
        ShipmentStatus.DISPATCHED,
        ShipmentStatus.PLANNED,
    }


def test_a_hand_over_refuses_as_before_in_the_order_the_serials_are_named(
    runtime: Runtime,
) -> None:
    """A serial recorded under a shipment the user may not see is refused without more; a
    serial held by another is refused with its holder; the first named refusal is the one
    given, and nothing of a refused hand-over is recorded."""
    planned_world(runtime)
    by_pledge = {s.pledge: s for s in service.list_shipments(runtime.uow())}
    secret, open_one = by_pledge["P-DEU-S"], by_pledge["P-DEU"]
    for shipment, serial, holder in ((secret, "GUN-S", "DEU"), (open_one, "GUN-O", "DEU")):
        service.dispatch(shipment.id, None, None, runtime.uow("depot"))
        handover = service.HandOver("lviv", holder, "47th Brigade", [serial], acknowledged_by="K")
        service.hand_over(shipment.id, handover, None, runtime.uow("liaison"))
    operator = READERS["pol-operator"]
    later = by_pledge["P-POL"]
    service.dispatch(later.id, None, None, runtime.uow("op", operator))
    hidden = "is already recorded, under a shipment you may not see"
    refusals = (
        (["GUN-S", "GUN-O"], f"serial GUN-S {hidden}"),
        (["GUN-O", "GUN-S"], "serial GUN-O is held by 47th Brigade at lviv, not by POL"),
        (["NEW-1", "GUN-S"], f"serial GUN-S {hidden}"),
    )
    for serials, refusal in refusals:
        handover = service.HandOver("lviv", "POL", "48th Brigade", serials, acknowledged_by="K")
        with pytest.raises(Conflict, match=refusal) as refused:
            service.hand_over(later.id, handover, None, runtime.uow("op", operator))
        assert hidden not in str(refused.value) or "47th" not in str(refused.value)
    with pytest.raises(NotFound):
        service.where_is("NEW-1", runtime.uow())
    assert service.shipment_view(later.id, runtime.uow()).shipment.status is (
        ShipmentStatus.DISPATCHED
    )
    assert service.where_is("GUN-S", runtime.uow()).asset.holder == "47th Brigade"
