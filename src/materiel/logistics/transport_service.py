"""Use cases of transport planning: from the accepted allocation plan to shipments.

The planner (`planning/`) sees plain data; this module builds its scenario
from the database (allocations still to move, the network with capacities
and disruptions, legs already under way), stores the result as a draft
transport plan with its shipments, and accepts it.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date
from typing import Any

from materiel.catalog.store import CatalogStore
from materiel.core.dates import utc_now
from materiel.core.errors import Conflict, NotFound, PlanningFailed
from materiel.donations.commitments import sent_by_pair
from materiel.donations.model import Pledge, Requirement
from materiel.donations.plan_store import PlanStore
from materiel.donations.store import DonationsStore
from materiel.logistics.blocked_legs import blocked_legs, first_blocks
from materiel.logistics.commitments import started_units
from materiel.logistics.model import (
    MOVING,
    DisruptionKind,
    Shipment,
    ShipmentEvent,
    ShipmentLeg,
    ShipmentStatus,
    TransportPlanRecord,
    TransportPlanStatus,
)
from materiel.logistics.planning import scenario as ts
from materiel.logistics.planning.plan import PlannedShipment, TransportPlan, solver_to_json
from materiel.logistics.planning.planner import Progress, plan_transport
from materiel.logistics.store import LogisticsStore
from materiel.logistics.transport_plan_as_seen import transport_plans_as_seen
from materiel.network.store import NetworkStore
from materiel.platform.access.sessions import elevated
from materiel.platform.audit import snapshot
from materiel.platform.jobs.execution import Cancelled, JobContext
from materiel.platform.records import check_version
from materiel.platform.unit_of_work import UnitOfWork

TRANSPORT_JOB = "transport"
MIN_HORIZON_DAYS = 60
MAX_HORIZON_DAYS = 730
TRANSIT_SLACK_DAYS = 60  # room after the last release for the longest route and queues


def movement_id(pledge: str, requirement: str) -> str:
    return f"{pledge}>{requirement}"


def transport_scenario(uow: UnitOfWork, today: date) -> tuple[int, ts.TransportScenario]:
    """The accepted allocation plan's units not yet under way, on today's network."""
    plans, logistics = PlanStore(uow.session), LogisticsStore(uow.session)
    accepted = plans.accepted()
    if accepted is None or accepted.id is None:
        raise PlanningFailed("no allocation plan is accepted yet; accept one, then plan transport")
    store = DonationsStore(uow.session)
    pledges = {p.id: p for p in store.all_pledges()}
    requirements = {r.id: r for r in store.all_requirements()}
    slots = {i.id: i.transport_slots for i in CatalogStore(uow.session).all_item_types()}
    live = [s for s in logistics.shipments() if s.status is not ShipmentStatus.CANCELLED]
    left = sent_by_pair(started_units(uow.session))
    movements = []
    for a in plans.allocations(accepted.id):
        pledge, requirement = pledges[a.pledge], requirements[a.requirement]
        units = a.quantity - left.get((a.pledge, a.requirement), 0)
        if units > 0 and pledge.origin:
            movements.append(_movement(pledge, requirement, units, slots, today))
    moving = [s for s in live if s.status in MOVING]
    scenario = ts.TransportScenario(
        start=today,
        horizon_days=_horizon(movements, today),
        nodes=_nodes(uow),
        links=_links(uow),
        movements=tuple(movements),
        fixed=_fixed_legs(logistics, moving, slots, today),
        warnings=tuple(
            blocked_legs(
                logistics.legs([s.id for s in moving]),
                logistics.disruptions(),
                today,
                under_way=moving,
            )
        ),
    )
    return accepted.id, scenario


def _horizon(movements: list[ts.Movement], today: date) -> int:
    """Long enough for the last release to travel, within two years."""
    last = max((m.release for m in movements), default=today)
    days = (last - today).days + TRANSIT_SLACK_DAYS
    return min(max(days, MIN_HORIZON_DAYS), MAX_HORIZON_DAYS)


def _movement(
    pledge: Pledge, requirement: Requirement, units: int, slots: dict[str, int], today: date
) -> ts.Movement:
    release = max(
        d for d in (today, pledge.available_from, pledge.caveats.not_before) if d is not None
    )
    assert pledge.origin is not None
    return ts.Movement(
        id=movement_id(pledge.id, requirement.id),
        origin=pledge.origin,
        destination=requirement.destination,
        units=units,
        slots_per_unit=slots.get(pledge.item_type, 1),
        release=release,
        due=requirement.needed_by,
        item_group=pledge.item_type,
    )


def _nodes(uow: UnitOfWork) -> tuple[ts.Node, ...]:
    closed = {
        d.target: d.from_date
        for d in LogisticsStore(uow.session).disruptions()
        if d.kind is DisruptionKind.NODE_CLOSED
    }
    return tuple(
        ts.Node(n.id, n.handling_per_day, n.storage, closed.get(n.id))
        for n in NetworkStore(uow.session).all_nodes()
    )


def _links(uow: UnitOfWork) -> tuple[ts.Link, ...]:
    cuts = {
        d.target: d
        for d in LogisticsStore(uow.session).disruptions()
        if d.kind is DisruptionKind.LINK_REDUCED
    }
    links = []
    for link in NetworkStore(uow.session).all_links():
        cut = cuts.get(link.id)
        links.append(
            ts.Link(
                id=link.id,
                source=link.from_node,
                target=link.to_node,
                mode=link.mode.value,
                days=math.ceil(link.days),
                cost=link.cost,
                capacity_per_day=link.capacity_per_day,
                reduced_from=cut.from_date if cut else None,
                reduced_capacity=cut.capacity if cut else None,
            )
        )
    return tuple(links)


def _fixed_legs(
    logistics: LogisticsStore, moving: list[Shipment], slots: dict[str, int], today: date
) -> tuple[ts.FixedLeg, ...]:
    by_id = {s.id: s for s in moving}
    return tuple(
        ts.FixedLeg(
            leg.shipment_id,
            leg.link,
            leg.depart,
            by_id[leg.shipment_id].units,
            slots.get(by_id[leg.shipment_id].item_type, 1),
        )
        for leg in logistics.legs(list(by_id))
        if leg.arrive >= today
    )


def run_transport(
    uow: UnitOfWork,
    *,
    time_limit_s: float = 60,
    context: JobContext | None = None,
    progress: Progress | None = None,
) -> TransportPlanRecord:
    """Plan transport for the accepted allocation plan and store it as a draft.

    The planner reports how far it got to the job (`context`), or else to
    `progress` (the command line's progress bar).
    """
    today = utc_now().date()
    with uow:
        allocation_plan_id, scenario = transport_scenario(uow, today)
        basis = LogisticsStore(uow.session).accepted_plan()
        basis_id = basis.id if basis else None
    report = context.progress if context else progress
    if report:
        report(0.02, f"planning {len(scenario.movements)} movements")
    result = plan_transport(
        scenario,
        time_limit_s=time_limit_s,
        progress=report,
        should_stop=context.should_stop if context else None,
    )
    if context and context.should_stop():
        raise Cancelled
    return store_transport_plan(uow, result, allocation_plan_id, basis_id)


def store_transport_plan(
    uow: UnitOfWork, result: TransportPlan, allocation_plan_id: int, basis_id: int | None
) -> TransportPlanRecord:
    with uow:
        logistics = LogisticsStore(uow.session)
        old_arrivals = _arrivals(logistics.shipments_of(basis_id)) if basis_id else {}
        record = TransportPlanRecord(
            allocation_plan_id=allocation_plan_id,
            created_by=uow.actor,
            objective=_plain(result.objective),
            solver={**solver_to_json(result.solver), "warnings": list(result.warnings)},
            unplanned=[_plain(u) for u in result.unplanned],
            basis_id=basis_id,
        )
        uow.session.add(record)
        uow.flush()
        assert record.id is not None
        with elevated(uow.session):  # every shipment bears its pledge's and requirement's marking
            store = DonationsStore(uow.session)
            pledges = {p.id: p for p in store.all_pledges()}
            needs = {r.id: r for r in store.all_requirements()}
        shipments = [_shipment(record.id, s, pledges, needs) for s in result.shipments]
        for shipment, planned in zip(shipments, result.shipments, strict=True):
            uow.session.add(shipment)
            for seq, leg in enumerate(planned.legs):
                uow.session.add(
                    ShipmentLeg(
                        shipment.id,
                        seq,
                        leg.link,
                        leg.source,
                        leg.target,
                        leg.mode,
                        leg.depart,
                        leg.arrive,
                    )
                )
        record.changes = _changes(old_arrivals, _arrivals(shipments))
        uow.audit("plan", "transport_plan", str(record.id), None, record)
        uow.commit()
        return record


def _shipment(
    plan_id: int,
    planned: PlannedShipment,
    pledges: dict[str, Pledge],
    needs: dict[str, Requirement],
) -> Shipment:
    """The shipment to store; it bears its pledge's and its requirement's markings."""
    pledge_id, requirement = planned.movement.split(">", 1)
    pledge, need = pledges[pledge_id], needs[requirement]
    first, last = planned.legs[0], planned.legs[-1]
    return Shipment(
        id=f"T{plan_id}-{planned.id}",
        transport_plan_id=plan_id,
        pledge=pledge_id,
        requirement=requirement,
        item_type=pledge.item_type,
        units=planned.units,
        origin=first.source,
        destination=last.target,
        planned_arrival=planned.arrival,
        days_late=planned.days_late,
        late_reason=planned.late_reason or None,
        classification=pledge.classification,
        releasable_to=pledge.releasable_to,
        requirement_classification=need.classification,
        requirement_releasable_to=need.releasable_to,
    )


def _arrivals(shipments: list[Shipment]) -> dict[str, tuple[date, int]]:
    """Latest planned arrival and units per movement, of the shipments not yet started.

    Those are what a new plan re-plans; shipments under way keep their legs.
    """
    out: dict[str, tuple[date, int]] = {}
    for s in shipments:
        if s.status not in (ShipmentStatus.PROPOSED, ShipmentStatus.PLANNED):
            continue
        key = movement_id(s.pledge, s.requirement)
        arrival, units = out.get(key, (s.planned_arrival, 0))
        out[key] = (max(arrival, s.planned_arrival), units + s.units)
    return out


def _changes(
    before: dict[str, tuple[date, int]], after: dict[str, tuple[date, int]]
) -> list[dict[str, Any]]:
    changes = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old != new:
            changes.append(
                {
                    "movement": key,
                    "before": old[0].isoformat() if old else None,
                    "after": new[0].isoformat() if new else None,
                    "units_before": old[1] if old else 0,
                    "units_after": new[1] if new else 0,
                }
            )
    return changes


def _plain(value: Any) -> dict[str, Any]:
    out = {}
    for key, item in vars(value).items():
        out[key] = list(item) if isinstance(item, tuple) else item
    return out


def accept_transport_plan(
    plan_id: int, expected_version: int | None, uow: UnitOfWork
) -> TransportPlanRecord:
    """Accept a draft: its shipments become the live ones; the old plan's unstarted ones end."""
    with uow:
        logistics = LogisticsStore(uow.session)
        record = uow.session.get(TransportPlanRecord, plan_id)
        if record is None:
            raise NotFound(f"transport plan {plan_id} does not exist")
        check_version(record, expected_version, "transport plan")
        current = logistics.accepted_plan()
        record.ensure_draft()
        if current is not None and current.id != record.basis_id:
            raise Conflict(
                f"transport plan {plan_id} was made against "
                f"{f'plan {record.basis_id}' if record.basis_id else 'no accepted plan'}, "
                f"but plan {current.id} has been accepted since; plan again"
            )
        with elevated(uow.session):  # every shipment and line counts, seen by the user or not
            _refuse_if_stale(uow, record)
            if current is not None:  # stored before this one is: one accepted plan at a time
                current.status = TransportPlanStatus.SUPERSEDED
        record.accept()
        # Shipments follow for every pledge, also those marked above what the
        # accepting user may see: the old plan's unstarted ones end, and this
        # plan's proposed ones become the live plan.
        with elevated(uow.session):
            if current is not None and current.id is not None:
                _move_all(uow, logistics.shipments_of(current.id), ShipmentStatus.CANCELLED)
            _move_all(uow, logistics.shipments_of(plan_id), ShipmentStatus.PLANNED)
        uow.audit("accept", "transport_plan", str(plan_id), None, record)
        uow.commit()
        (seen,) = transport_plans_as_seen(uow, [record])
        return seen


STALE_PAIRS_NAMED = 3  # a refusal names this many over-shipped pairs, then counts the rest


def _refuse_if_stale(uow: UnitOfWork, record: TransportPlanRecord) -> None:
    """Refuse a draft the record has moved past since it was made.

    A draft is planned from the accepted allocation plan, the units not yet
    under way and the disruptions as they stood then. Accepted after one of
    them changed, it would ship for lines no longer allocated, ship units
    twice, or route through a closed node or a cut link; a new run plans from
    what holds now.
    """
    assert record.id is not None
    proposed = [
        s
        for s in LogisticsStore(uow.session).shipments_of(record.id)
        if s.status is ShipmentStatus.PROPOSED
    ]
    problem = (
        _allocation_replaced(uow, record)
        or _beyond_allocation(uow, record.allocation_plan_id, proposed)
        or _blocked_by_disruption(uow, proposed)
    )
    if problem:
        raise Conflict(
            f"transport plan {record.id} cannot be accepted: {problem}; plan transport again"
        )


def _allocation_replaced(uow: UnitOfWork, record: TransportPlanRecord) -> str | None:
    """What replaced the allocation plan the draft was made for, if anything did."""
    accepted = PlanStore(uow.session).accepted()
    if accepted is not None and accepted.id == record.allocation_plan_id:
        return None
    now = f"plan {accepted.id} is accepted now" if accepted else "no plan is accepted now"
    return f"it was made for allocation plan {record.allocation_plan_id}, but {now}"


def _beyond_allocation(
    uow: UnitOfWork, allocation_plan_id: int, proposed: list[Shipment]
) -> str | None:
    """Pairs the draft would ship beyond their allocation line, counting units that left since.

    By units, not by which shipment moved: a shipment reaching a hub changes
    nothing, a shipment leaving for a pair the draft also ships does.
    """
    allocated = Counter[tuple[str, str]]()
    for line in PlanStore(uow.session).allocations(allocation_plan_id):
        allocated[line.pledge, line.requirement] += line.quantity
    planned = Counter[tuple[str, str]]()
    for shipment in proposed:
        planned[shipment.pledge, shipment.requirement] += shipment.units
    left = sent_by_pair(started_units(uow.session))
    over = [
        f"{movement_id(*pair)} ({units} units in this plan + {left.get(pair, 0)} already sent, "
        f"{allocated[pair]} allocated)"
        for pair, units in sorted(planned.items())
        if units + left.get(pair, 0) > allocated[pair]
    ]
    if not over:
        return None
    more = len(over) - STALE_PAIRS_NAMED
    named = ", ".join(over[:STALE_PAIRS_NAMED]) + (f" and {more} more" if more > 0 else "")
    return f"shipments left since it was made, so it would ship beyond the allocation: {named}"


def _blocked_by_disruption(uow: UnitOfWork, proposed: list[Shipment]) -> str | None:
    """Disruptions that now block legs of the draft's shipments, each with how many it blocks."""
    logistics = LogisticsStore(uow.session)
    legs = logistics.legs([s.id for s in proposed])
    blocks = first_blocks(proposed, legs, logistics.disruptions(), utc_now().date())
    if not blocks:
        return None
    counts = Counter(block.reason for block in blocks.values())
    return "; ".join(f"{reason}, which blocks {n} of its shipments" for reason, n in counts.items())


def _move_all(uow: UnitOfWork, shipments: list[Shipment], status: ShipmentStatus) -> None:
    """Every shipment not yet started takes `status`, with its event and audit entry."""
    for shipment in shipments:
        if shipment.status in (ShipmentStatus.PROPOSED, ShipmentStatus.PLANNED):
            before = snapshot(shipment)
            shipment.move(status, None)
            uow.session.add(ShipmentEvent(shipment.id, status, None, uow.actor))
            uow.audit(status.value, "shipment", shipment.id, before, shipment)


def transport_job(context: JobContext) -> dict[str, Any]:
    uow = UnitOfWork(context.session_factory, context.actor)
    limit = float(context.params.get("time_limit_s", 60))
    record = run_transport(uow, time_limit_s=limit, context=context)
    return {"transport_plan_id": record.id}


def list_transport_plans(uow: UnitOfWork) -> list[TransportPlanRecord]:
    """Transport plan versions, newest first, as the user may see them."""
    with uow:
        return transport_plans_as_seen(uow, LogisticsStore(uow.session).plans())


def transport_plan_view(
    plan_id: int, uow: UnitOfWork
) -> tuple[TransportPlanRecord, list[Shipment]]:
    """One transport plan and its shipments."""
    plan, _, shipments = transport_plan_review(plan_id, uow)
    return plan, shipments


def transport_plan_review(
    plan_id: int, uow: UnitOfWork
) -> tuple[TransportPlanRecord, TransportPlanRecord | None, list[Shipment]]:
    """One transport plan, the plan it replaces (if any), and its shipments."""
    with uow:
        record = uow.session.get(TransportPlanRecord, plan_id)
        if record is None:
            raise NotFound(f"transport plan {plan_id} does not exist")
        basis = uow.session.get(TransportPlanRecord, record.basis_id) if record.basis_id else None
        plan, *before = transport_plans_as_seen(uow, [record] if basis is None else [record, basis])
        shipments = LogisticsStore(uow.session).shipments_of(plan_id)
        return plan, before[0] if before else None, shipments
