"""Shipments under way whose next legs a disruption blocks.

A re-plan moves only what has not left: a shipment under way keeps its legs
and their capacity. If one of those legs crosses a node closed or a link cut
to nothing from a date on or before it, the plan cannot fix that, so it says
so, naming the shipment, the leg and the disruption, for staff to decide.
"""

from __future__ import annotations

from datetime import date

from materiel.logistics.model import Disruption, DisruptionKind, ShipmentLeg


def blocked_legs(legs: list[ShipmentLeg], disruptions: list[Disruption], today: date) -> list[str]:
    """One warning per shipment under way, for its first leg a disruption blocks."""
    closed = {d.target: d for d in disruptions if d.kind is DisruptionKind.NODE_CLOSED}
    cut = {
        d.target: d
        for d in disruptions
        if d.kind is DisruptionKind.LINK_REDUCED and d.capacity == 0
    }
    warned: dict[str, str] = {}
    for leg in legs:
        if leg.shipment_id in warned or leg.arrive < today:
            continue
        reason = _blocking(leg, closed, cut, today)
        if reason:
            warned[leg.shipment_id] = (
                f"shipment {leg.shipment_id} is under way and keeps its leg {leg.link} "
                f"({leg.depart.isoformat()} to {leg.arrive.isoformat()}), but {reason}; "
                "decide with its operator where it goes"
            )
    return list(warned.values())


def _blocking(
    leg: ShipmentLeg, closed: dict[str, Disruption], cut: dict[str, Disruption], today: date
) -> str | None:
    leaves = leg.depart >= today
    checks = (
        (cut.get(leg.link), leg.depart, leaves, f"link {leg.link} is cut to nothing"),
        (closed.get(leg.source), leg.depart, leaves, f"node {leg.source} is closed"),
        (closed.get(leg.target), leg.arrive, True, f"node {leg.target} is closed"),
    )
    for disruption, day, applies, what in checks:
        if disruption is not None and applies and disruption.from_date <= day:
            return f"{what} from {disruption.from_date.isoformat()}"
    return None
