"""Which pledge may fill which requirement, and when it would arrive.

One function per hard rule, each returning `None` when the rule allows
the pairing or a sentence saying why not. The flow model, the greedy
baseline, pins and the reasons all ask these same functions.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

from materiel.donations.planning.network import Route
from materiel.donations.planning.scenario import Caveats, Pledge, Requirement


def incompatible(pledge: Pledge, req: Requirement) -> str | None:
    """Rule 2: only the requirement's item type or a substitute it accepts."""
    if pledge.item_type in req.accepted_types:
        return None
    accepted = ", ".join(req.accepted_types)
    return f"pledge {pledge.id} offers {pledge.item_type}; requirement accepts {accepted}"


def area_blocked(caveats: Caveats, req: Requirement) -> bool:
    """Caveat `areas`: only for these capability areas."""
    return caveats.areas is not None and req.capability_area not in caveats.areas


def unit_blocked(caveats: Caveats, req: Requirement) -> bool:
    """Caveat `units`: only for these receiving units."""
    return caveats.units is not None and req.unit not in caveats.units


def caveat_blocks(pledge: Pledge, req: Requirement) -> str | None:
    """Rule 3: the donor's caveats (areas, units) are honoured."""
    caveats = pledge.caveats
    if area_blocked(caveats, req):
        areas = ", ".join(sorted(caveats.areas or ()))
        return f"caveat of pledge {pledge.id}: only for capability areas {areas}"
    if unit_blocked(caveats, req):
        units = ", ".join(sorted(caveats.units or ()))
        return f"caveat of pledge {pledge.id}: only for units {units}"
    return None


def unreachable(pledge: Pledge, req: Requirement, routes: dict[str, Route]) -> str | None:
    """A pledge that cannot reach the destination over the network is no candidate."""
    if req.destination in routes:
        return None
    return f"no route from {pledge.origin} to {req.destination}"


def forbidden_by_staff(
    pledge: Pledge, req: Requirement, forbidden: Collection[tuple[str, str]]
) -> str | None:
    """Staff forbade this pairing."""
    if (pledge.id, req.id) in forbidden:
        return f"pairing {pledge.id} -> {req.id} forbidden by staff"
    return None


def blocked(
    pledge: Pledge,
    req: Requirement,
    routes: dict[str, Route],
    forbidden: Collection[tuple[str, str]],
) -> str | None:
    """The first hard rule that refuses this pairing, or None if it is a candidate."""
    return (
        incompatible(pledge, req)
        or caveat_blocks(pledge, req)
        or forbidden_by_staff(pledge, req, forbidden)
        or unreachable(pledge, req, routes)
    )


def ready_date(pledge: Pledge) -> date:
    """The later of available-from and any not-before caveat."""
    not_before = pledge.caveats.not_before
    if not_before is not None and not_before > pledge.available_from:
        return not_before
    return pledge.available_from


def arrival(pledge: Pledge, route: Route) -> date:
    """Estimated arrival: ready date plus the fastest transit time."""
    return ready_date(pledge) + timedelta(days=route.days)


def days_late(arrival_date: date, req: Requirement) -> int:
    """Days by which the arrival passes the needed-by date (0 if on time)."""
    return max(0, (arrival_date - req.needed_by).days)
