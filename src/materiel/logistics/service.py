"""Use cases of shipments and custody: dispatch, arrive, hand over, receive, account.

Delivered quantities flow back to donations: a received shipment moves its
requirement to partly met or met, and a pledge whose allocated units have
all been received becomes delivered.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import partial

from materiel.core.dates import utc_now
from materiel.core.errors import Conflict, InvalidInput, NotFound
from materiel.core.markings import Marking, most_restrictive
from materiel.donations.commitments import requirement_status
from materiel.donations.model import Pledge, PledgeStatus, Requirement, RequirementStatus
from materiel.logistics.model import (
    MAX_UNITS,
    MOVING,
    Asset,
    CustodyEvent,
    CustodySerial,
    Discrepancy,
    Disruption,
    DisruptionKind,
    Receipt,
    Shipment,
    ShipmentEvent,
    ShipmentLeg,
    ShipmentStatus,
)
from materiel.logistics.store import LogisticsStore
from materiel.network.store import NetworkStore
from materiel.platform.access.sessions import elevated
from materiel.platform.audit import snapshot
from materiel.platform.records import again_if_taken, apply_status, check_version, get_record
from materiel.platform.unit_of_work import UnitOfWork

SHIPMENT = "shipment"


def _shipment(uow: UnitOfWork, shipment_id: str, expected_version: int | None) -> Shipment:
    shipment = get_record(uow, Shipment, SHIPMENT, shipment_id)
    check_version(shipment, expected_version, SHIPMENT)
    return shipment


def _node(uow: UnitOfWork, node: str | None) -> str | None:
    if node and NetworkStore(uow.session).node(node) is None:
        raise NotFound(f"node '{node}' does not exist")
    return node


def _step(
    uow: UnitOfWork,
    shipment: Shipment,
    status: ShipmentStatus,
    node: str | None,
    signed: str | None = None,
) -> None:
    before = snapshot(shipment)
    shipment.move(status, node)
    uow.session.add(ShipmentEvent(shipment.id, status, node, uow.actor, signed))
    uow.audit(status.value, SHIPMENT, shipment.id, before, shipment)


def dispatch(
    shipment_id: str, node: str | None, expected_version: int | None, uow: UnitOfWork
) -> Shipment:
    """The shipment leaves where it is: its origin, or the hub it waited at."""
    with uow:
        shipment = _shipment(uow, shipment_id, expected_version)
        here = shipment.location or shipment.origin
        if node and node != here:
            raise InvalidInput(
                f"shipment {shipment_id} is at {here}, so it leaves from there, not from {node}"
            )
        if shipment.status is ShipmentStatus.PLANNED:
            _refuse_if_no_longer_wanted(uow, shipment)
        _step(uow, shipment, ShipmentStatus.DISPATCHED, here)
        uow.commit()
        return shipment


def _refuse_if_no_longer_wanted(uow: UnitOfWork, shipment: Shipment) -> None:
    """A shipment does not leave its origin for a cancelled requirement or from a withdrawn pledge.

    Its plan was made before the change, and its shipments stay planned until
    transport is planned again; sending one would move equipment nobody should
    get. Both statuses are final, so the way on is a new allocation plan and a
    new transport plan (accepting it cancels this shipment). Shipments under
    way are not stopped here: staff decide where they go.
    """
    with elevated(uow.session):  # the status binds whether or not the user may read the record
        requirement = uow.session.get(Requirement, shipment.requirement)
        pledge = uow.session.get(Pledge, shipment.pledge)
    if requirement is not None and requirement.status is RequirementStatus.CANCELLED:
        what = f"requirement {requirement.id} is cancelled"
    elif pledge is not None and pledge.status is PledgeStatus.WITHDRAWN:
        what = f"pledge {pledge.id} is withdrawn"
    else:
        return
    raise Conflict(
        f"shipment {shipment.id} does not leave: {what}, which is final. Plan allocation and "
        "transport again and accept them; that cancels this shipment (to send the equipment "
        "anyway, record the requirement or pledge anew before planning)"
    )


def arrive(shipment_id: str, node: str, expected_version: int | None, uow: UnitOfWork) -> Shipment:
    """The shipment arrived at a hub on its way."""
    with uow:
        shipment = _shipment(uow, shipment_id, expected_version)
        _step(uow, shipment, ShipmentStatus.AT_HUB, _on_route(uow, shipment, node))
        uow.commit()
        return shipment


def _on_route(uow: UnitOfWork, shipment: Shipment, node: str | None) -> str | None:
    """`node` if the shipment's legs pass it; an error naming the route if not."""
    if not node:
        return node
    _node(uow, node)
    legs = LogisticsStore(uow.session).legs([shipment.id])
    route = [shipment.origin, *(leg.target for leg in legs)]
    if node not in route and node != shipment.destination:
        raise InvalidInput(
            f"shipment {shipment.id} travels {' > '.join(route)}; it does not pass {node}. "
            "A shipment that must change its route is re-planned before it leaves"
        )
    return node


@dataclass(frozen=True)
class HandOver:
    """What a hand-over records: where, between whom, which serials, in what condition."""

    node: str
    from_holder: str
    to_holder: str
    serials: list[str]
    condition: str = "serviceable"
    acknowledged_by: str | None = None


def hand_over(
    shipment_id: str, handover: HandOver, expected_version: int | None, uow: UnitOfWork
) -> CustodyEvent:
    """Custody passes at a node: the serials change holder, signed by both sides."""
    with uow:
        shipment = _shipment(uow, shipment_id, expected_version)
        if len(handover.serials) > shipment.units:
            raise InvalidInput(
                f"{len(handover.serials)} serials named, but shipment {shipment_id} carries "
                f"{shipment.units} units; record the surplus as a discrepancy on receipt"
            )
        _step(uow, shipment, ShipmentStatus.HANDED_OVER, _on_route(uow, shipment, handover.node))
        event = CustodyEvent(
            shipment.id,
            handover.node,
            handover.from_holder,
            handover.to_holder,
            list(handover.serials),
            handover.condition,
            uow.actor,
            handover.acknowledged_by,
        )
        uow.session.add(event)
        _take_custody(uow, shipment, handover)
        uow.flush()
        assert event.id is not None  # each serial it names leads to it (custody_of)
        named = (CustodySerial(serial, event.id, event.shipment_id) for serial in event.serials)
        uow.session.add_all(named)
        uow.audit("custody", "custody_event", str(event.id), None, event)
        uow.commit()
        return event


def _take_custody(uow: UnitOfWork, shipment: Shipment, handover: HandOver) -> None:
    """Each serial passes to the receiving side, in the order named (the first refusal wins).

    The named assets are read at once (those the user sees), and the serials
    not among them once more as the system, to refuse one recorded under a
    shipment the user may not see. Each asset keeps its own audit entry.
    """
    logistics = LogisticsStore(uow.session)
    known = logistics.assets(handover.serials)
    unseen = [serial for serial in handover.serials if serial not in known]
    hidden: set[str] = set()
    if unseen:
        with elevated(uow.session):
            hidden = logistics.recorded_serials(unseen)
    for serial in handover.serials:
        if serial in hidden:
            _refuse_hidden_serial(serial)
        _pass_custody(uow, serial, known.get(serial), shipment, handover)


def _pass_custody(
    uow: UnitOfWork, serial: str, asset: Asset | None, shipment: Shipment, handover: HandOver
) -> None:
    if asset is None:
        asset = Asset(
            serial,
            shipment.item_type,
            handover.to_holder,
            handover.node,
            shipment.id,
            handover.condition,
        )
        uow.session.add(asset)
        uow.audit("create", "asset", serial, None, asset)
        return
    if asset.item_type != shipment.item_type:
        raise InvalidInput(f"serial {serial} is a {asset.item_type}, not a {shipment.item_type}")
    if asset.holder.casefold() != handover.from_holder.strip().casefold():
        raise Conflict(
            f"serial {serial} is held by {asset.holder}"
            f"{f' at {asset.location}' if asset.location else ''}, not by "
            f"{handover.from_holder}; a hand-over passes a serial from the one who holds it"
        )
    before = snapshot(asset)
    asset.holder, asset.location, asset.shipment_id = handover.to_holder, handover.node, shipment.id
    asset.condition = handover.condition
    uow.audit("custody", "asset", serial, before, asset)


def _refuse_hidden_serial(serial: str) -> None:
    """A serial is unique, so one recorded under a shipment the user may not see is refused.

    Saying that it exists cannot be avoided; saying no more than that, and
    what to do, can (the database's duplicate-key text names tables).
    """
    raise Conflict(
        f"serial {serial} is already recorded, under a shipment you may not see; "
        "check the serial, or ask a transfer coordinator cleared for it to hand it over"
    )


def receive(
    shipment_id: str, receipt: Receipt, expected_version: int | None, uow: UnitOfWork
) -> Shipment:
    """The receiving unit confirms what arrived; differences stay open as discrepancies."""
    with uow:
        shipment = _shipment(uow, shipment_id, expected_version)
        signed = receipt.acknowledged_by.strip()
        _step(uow, shipment, ShipmentStatus.RECEIVED, shipment.destination, signed)
        receipt.check(shipment.units)
        shipment.units_received = receipt.units_received
        opened = [f.discrepancy(shipment.id, uow.actor) for f in receipt.findings]
        uow.session.add_all(opened)
        uow.flush()
        for discrepancy in opened:
            uow.audit("open", "discrepancy", str(discrepancy.id), None, discrepancy)
        _deliveries_flow_back(uow, shipment)
        uow.commit()
        return shipment


def _deliveries_flow_back(uow: UnitOfWork, shipment: Shipment) -> None:
    """Receipts move requirement and pledge statuses, whoever signed for them.

    The partner who receives may not see the donor's pledge; the status change
    is a consequence of the receipt, so it runs elevated (audited under the user).
    """
    with elevated(uow.session):
        _statuses_from_receipts(uow, shipment)


def _statuses_from_receipts(uow: UnitOfWork, shipment: Shipment) -> None:
    """The requirement's and the pledge's statuses from their units received so far.

    Sums of their own received shipments and of the pledge's accepted plan
    lines, so a receipt costs the same on day 300 as on day 1.
    """
    logistics = LogisticsStore(uow.session)
    uow.flush()
    requirement = uow.session.get(Requirement, shipment.requirement)
    # Until a unit has arrived, the status is the allocation's (met: fully
    # allocated); from the first unit on, it is the deliveries'.
    if requirement is not None and requirement.status is not RequirementStatus.CANCELLED:
        received = logistics.units_received(requirement=requirement.id)
        if received > 0:
            target = requirement_status(requirement.quantity, 0, received)
            apply_status(uow, requirement, target, "requirement")
    pledge = uow.session.get(Pledge, shipment.pledge)
    if pledge is not None and pledge.status is PledgeStatus.ALLOCATED:
        allocated = logistics.allocated_in_accepted_plan(pledge.id)
        if logistics.units_received(pledge=pledge.id) >= allocated > 0:
            apply_status(uow, pledge, PledgeStatus.DELIVERED, "pledge")


def resolve_discrepancy(
    discrepancy_id: int, resolution: str, expected_version: int | None, uow: UnitOfWork
) -> Discrepancy:
    with uow:
        discrepancy = uow.session.get(Discrepancy, discrepancy_id)
        if discrepancy is None:
            raise NotFound(f"discrepancy {discrepancy_id} does not exist")
        check_version(discrepancy, expected_version, "discrepancy")
        before = snapshot(discrepancy)
        discrepancy.resolve(uow.actor, resolution)
        uow.audit("resolve", "discrepancy", str(discrepancy_id), before, discrepancy)
        uow.commit()
        return discrepancy


@dataclass(frozen=True)
class ShipmentView:
    shipment: Shipment
    legs: list[ShipmentLeg]
    events: list[ShipmentEvent]
    custody: list[CustodyEvent]
    discrepancies: list[Discrepancy]


def shipment_view(shipment_id: str, uow: UnitOfWork) -> ShipmentView:
    with uow:
        logistics = LogisticsStore(uow.session)
        shipment = get_record(uow, Shipment, SHIPMENT, shipment_id)
        return ShipmentView(
            shipment,
            logistics.legs([shipment_id]),
            logistics.events(shipment_id),
            logistics.custody_for_shipment(shipment_id),
            logistics.discrepancies(shipment_id),
        )


def list_shipments(uow: UnitOfWork, status: ShipmentStatus | None = None) -> list[Shipment]:
    with uow:
        return LogisticsStore(uow.session).shipments(status)


@dataclass(frozen=True)
class AssetView:
    asset: Asset
    history: list[CustodyEvent]


def where_is(serial: str, uow: UnitOfWork) -> AssetView:
    """Where a serial is, who holds it, and every hand-over it went through."""
    with uow:
        asset = uow.session.get(Asset, serial)
        if asset is None:
            raise NotFound(f"no asset with serial '{serial}' has been handed over yet")
        return AssetView(asset, LogisticsStore(uow.session).custody_of(serial))


@dataclass(frozen=True)
class Board:
    """What is in transit, late, or waiting at each hub, today."""

    in_transit: list[Shipment]
    late: list[Shipment]
    waiting: dict[str, list[Shipment]]
    open_discrepancies: list[Discrepancy]


def board(uow: UnitOfWork, today: date | None = None) -> Board:
    """Reads only the shipments it lists (under way or late), not every shipment."""
    today = today or utc_now().date()
    with uow:
        logistics = LogisticsStore(uow.session)
        live = logistics.on_the_board(today)
        waiting: dict[str, list[Shipment]] = {}
        for s in live:
            if s.status is ShipmentStatus.AT_HUB and s.location:
                waiting.setdefault(s.location, []).append(s)
        return Board(
            in_transit=[s for s in live if s.status in MOVING],
            late=[s for s in live if s.planned_arrival < today or s.days_late > 0],
            waiting=waiting,
            open_discrepancies=logistics.discrepancies(open_only=True),
        )


@dataclass(frozen=True)
class Throughput:
    node: str
    capacity_per_day: int | None
    busiest_day: date | None
    busiest_units: int


def node_throughput(uow: UnitOfWork) -> list[Throughput]:
    """Each node's busiest planned day (units in and out) against its handling capacity.

    The database sums the units per node and day; of two days equally busy,
    the earlier is named.
    """
    with uow:
        per_day = LogisticsStore(uow.session).units_per_node_day()
        result = []
        for node in NetworkStore(uow.session).all_nodes():
            days = per_day.get(node.id, Counter())
            busiest = min(days.items(), key=lambda day: (-day[1], day[0]), default=None)
            result.append(
                Throughput(
                    node.id,
                    node.handling_per_day,
                    busiest[0] if busiest else None,
                    busiest[1] if busiest else 0,
                )
            )
        return result


def board_marking(uow: UnitOfWork) -> Marking:
    """The marking of what the board counts: every shipment neither proposed nor cancelled.

    Folded over each different marking once, in the order of the shipments.
    """
    with uow:
        return most_restrictive(LogisticsStore(uow.session).counted_markings())


def add_disruption(
    kind: DisruptionKind,
    target: str,
    *,
    from_date: date,
    capacity: int | None,
    note: str,
    uow: UnitOfWork,
) -> Disruption:
    """Close a node or cut a link's capacity from a date; the next transport run honours it.

    The same disruption given again changes its capacity and note. Two requests
    giving it at the same moment both find it new; the one whose insert loses
    is applied again, now as that change, rather than refused as a taken id.
    """
    return again_if_taken(
        partial(
            _record_disruption,
            kind,
            target,
            from_date=from_date,
            capacity=capacity,
            note=note,
            uow=uow,
        )
    )


def _record_disruption(
    kind: DisruptionKind,
    target: str,
    *,
    from_date: date,
    capacity: int | None,
    note: str,
    uow: UnitOfWork,
) -> Disruption:
    with uow:
        network = NetworkStore(uow.session)
        known = (
            network.node_ids()
            if kind is DisruptionKind.NODE_CLOSED
            else {link.id for link in network.all_links()}
        )
        if target not in known:
            what = "node" if kind is DisruptionKind.NODE_CLOSED else "link"
            raise NotFound(f"{what} '{target}' does not exist")
        _check_capacity(kind, capacity)
        disruption_id = f"{kind.value}:{target}:{from_date.isoformat()}"
        disruption = uow.session.get(Disruption, disruption_id)
        if disruption is None:
            disruption = Disruption(disruption_id, kind, target, from_date, capacity, note)
            uow.session.add(disruption)
            uow.audit("disrupt", "disruption", disruption_id, None, disruption)
        else:  # the same disruption again: its capacity and note change, audited as such
            before = snapshot(disruption)
            disruption.capacity, disruption.note = capacity, note
            uow.audit("change", "disruption", disruption_id, before, disruption)
        uow.commit()
        return disruption


def _check_capacity(kind: DisruptionKind, capacity: int | None) -> None:
    if kind is DisruptionKind.NODE_CLOSED and capacity is not None:
        raise InvalidInput(
            "a closed node handles nothing, so it takes no capacity; "
            "to reduce a link instead, use 'link-reduced' with the capacity that remains"
        )
    if kind is DisruptionKind.LINK_REDUCED and (capacity is None or not 0 <= capacity <= MAX_UNITS):
        raise InvalidInput(
            f"a link cut needs the capacity per day that remains, 0 (closed) to {MAX_UNITS:,}"
        )


def list_disruptions(uow: UnitOfWork) -> list[Disruption]:
    with uow:
        return LogisticsStore(uow.session).disruptions()


def remove_disruption(disruption_id: str, uow: UnitOfWork) -> None:
    with uow:
        disruption = uow.session.get(Disruption, disruption_id)
        if disruption is None:
            raise NotFound(f"disruption '{disruption_id}' does not exist")
        uow.audit("remove", "disruption", disruption_id, disruption, None)
        uow.session.delete(disruption)
        uow.commit()
