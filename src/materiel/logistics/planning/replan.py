"""Re-planning after a disruption: keep what is dispatched, move the rest, say what changed.

`freeze_dispatched` turns the shipments of the previous plan that have
left by `today` into fixed legs (they keep their days and use capacity)
and takes their units off the movements; the planner then re-plans only
what has not left, warm-started from the previous plan
(`plan_transport(..., previous=old)`). `changes` lists, per movement, the
shipments that moved and the lateness before and after.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date

from materiel.logistics.planning.plan import PlannedShipment, TransportPlan
from materiel.logistics.planning.scenario import FixedLeg, TransportScenario


@dataclass(frozen=True)
class Change:
    """One movement whose shipments differ between two plans."""

    movement: str
    before: tuple[str, ...]  # shipment summaries `units x route depart->arrive`
    after: tuple[str, ...]
    unit_days_late_before: int
    unit_days_late_after: int


def dispatched(shipment: PlannedShipment, today: date) -> bool:
    return bool(shipment.legs) and shipment.legs[0].depart < today


def freeze_dispatched(
    scenario: TransportScenario, previous: TransportPlan, today: date
) -> TransportScenario:
    """The scenario to re-plan: dispatched shipments fixed, their units off the movements."""
    slots = {m.id: m.slots_per_unit for m in scenario.movements}
    gone: dict[str, int] = defaultdict(int)
    fixed = list(scenario.fixed)
    for s in previous.shipments:
        if s.movement in slots and dispatched(s, today):
            gone[s.movement] += s.units
            fixed += [
                FixedLeg(s.id, leg.link, leg.depart, s.units, slots[s.movement]) for leg in s.legs
            ]
    # What has not left by today leaves today at the earliest.
    movements = tuple(
        replace(m, units=m.units - gone[m.id], release=max(m.release, today))
        for m in scenario.movements
        if m.units - gone[m.id] > 0
    )
    return replace(scenario, movements=movements, fixed=tuple(fixed))


def describe(s: PlannedShipment) -> str:
    route = " > ".join([s.legs[0].source, *(leg.target for leg in s.legs)]) if s.legs else "-"
    return f"{s.units} x {route} {s.legs[0].depart if s.legs else ''}->{s.arrival}"


def changes(before: TransportPlan, after: TransportPlan, today: date) -> tuple[Change, ...]:
    """Movements whose not-yet-dispatched shipments changed, with lateness before and after."""
    old: dict[str, list[PlannedShipment]] = defaultdict(list)
    new: dict[str, list[PlannedShipment]] = defaultdict(list)
    for s in before.shipments:
        if not dispatched(s, today):
            old[s.movement].append(s)
    for s in after.shipments:
        new[s.movement].append(s)
    result = []
    for movement in sorted(set(old) | set(new)):
        a = tuple(sorted(describe(s) for s in old[movement]))
        b = tuple(sorted(describe(s) for s in new[movement]))
        if a != b:
            late_a = sum(s.units * s.days_late for s in old[movement])
            late_b = sum(s.units * s.days_late for s in new[movement])
            result.append(Change(movement, a, b, late_a, late_b))
    return tuple(result)
