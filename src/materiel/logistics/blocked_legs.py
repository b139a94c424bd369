"""Legs still to travel that a disruption blocks.

A re-plan moves only what has not left: a shipment under way keeps its legs
and their capacity. If one of the legs it has still to travel crosses a node
closed or a link cut to nothing from a date on or before it, the plan cannot
fix that, so it says so, naming the shipment, the leg and the disruption, for
staff to decide. Accepting a draft transport plan asks the same of the
draft's shipments (`transport_service.accept_transport_plan`): a disruption
recorded since the draft was made may block them.

Which legs are still to travel follows from where the shipment is, not from
the dates alone: a shipment early at a hub has finished the leg into it even
while that leg's planned arrival is still to come, and a late one still has
to travel a leg whose dates have passed (from today at the earliest).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from materiel.logistics.model import (
    Disruption,
    DisruptionKind,
    Shipment,
    ShipmentLeg,
    ShipmentStatus,
)

DONE = frozenset({ShipmentStatus.HANDED_OVER, ShipmentStatus.RECEIVED, ShipmentStatus.CANCELLED})


@dataclass(frozen=True)
class Block:
    """A leg a shipment has still to travel, and the disruption that blocks it."""

    leg: ShipmentLeg
    reason: str  # e.g. "node rzeszow is closed from 2026-12-01"


def blocked_legs(
    legs: list[ShipmentLeg],
    disruptions: list[Disruption],
    today: date,
    *,
    under_way: list[Shipment],
) -> list[str]:
    """One warning per shipment under way, for the first of its legs to go a disruption blocks."""
    return [
        f"shipment {shipment_id} is under way and keeps its leg {block.leg.link} "
        f"({block.leg.depart.isoformat()} to {block.leg.arrive.isoformat()}), "
        f"but {block.reason}; decide with its operator where it goes"
        for shipment_id, block in first_blocks(under_way, legs, disruptions, today).items()
    ]


def first_blocks(
    shipments: Iterable[Shipment],
    legs: list[ShipmentLeg],
    disruptions: list[Disruption],
    today: date,
) -> dict[str, Block]:
    """Each shipment's first leg still to travel that a disruption blocks, by shipment id.

    Shipments none of whose legs to go is blocked are left out.
    """
    closed, cut = _by_target(disruptions)
    legs_of: dict[str, list[ShipmentLeg]] = defaultdict(list)
    for leg in legs:
        legs_of[leg.shipment_id].append(leg)
    blocks: dict[str, Block] = {}
    for shipment in shipments:
        for leg, left in legs_to_go(shipment, legs_of[shipment.id]):
            reason = _blocking(leg, left, closed, cut, today)
            if reason:
                blocks[shipment.id] = Block(leg, reason)
                break
    return blocks


def legs_to_go(shipment: Shipment, legs: list[ShipmentLeg]) -> list[tuple[ShipmentLeg, bool]]:
    """The legs `shipment` has still to travel, each with whether it has left on it already.

    Dispatched from a node, it travels the leg leaving that node; waiting at a
    hub, it has finished the leg into it; not started, every leg is ahead;
    handed over, received or cancelled, none is.
    """
    route = sorted(legs, key=lambda leg: leg.seq)
    if shipment.status in DONE:
        return []
    if shipment.status is ShipmentStatus.DISPATCHED:
        on = _first(route, lambda leg: leg.source == shipment.location)
        if on is not None:
            return [(leg, seq == on) for seq, leg in enumerate(route) if seq >= on]
    if shipment.status is ShipmentStatus.AT_HUB:
        into = _first(route, lambda leg: leg.target == shipment.location)
        if into is not None:
            return [(leg, False) for leg in route[into + 1 :]]
    return [(leg, False) for leg in route]


def _first(route: list[ShipmentLeg], matches: Callable[[ShipmentLeg], bool]) -> int | None:
    return next((seq for seq, leg in enumerate(route) if matches(leg)), None)


def _by_target(
    disruptions: list[Disruption],
) -> tuple[dict[str, Disruption], dict[str, Disruption]]:
    """Closed nodes and links cut to nothing, by node or link id."""
    closed = {d.target: d for d in disruptions if d.kind is DisruptionKind.NODE_CLOSED}
    cut = {
        d.target: d for d in disruptions if d.kind is DisruptionKind.LINK_REDUCED and not d.capacity
    }
    return closed, cut


def _blocking(
    leg: ShipmentLeg,
    left: bool,
    closed: dict[str, Disruption],
    cut: dict[str, Disruption],
    today: date,
) -> str | None:
    """Why `leg` cannot be travelled, if a disruption from a date on or before it blocks it.

    A leg not yet begun starts today at the earliest; once the shipment has
    left on it, only the node it arrives at still matters.
    """
    depart, arrive = max(leg.depart, today), max(leg.arrive, today)
    checks = [(closed.get(leg.target), arrive, f"node {leg.target} is closed")]
    if not left:
        checks[:0] = [
            (cut.get(leg.link), depart, f"link {leg.link} is cut to nothing"),
            (closed.get(leg.source), depart, f"node {leg.source} is closed"),
        ]
    for disruption, day, what in checks:
        if disruption is not None and disruption.from_date <= day:
            return f"{what} from {disruption.from_date.isoformat()}"
    return None
