"""From units per path and group back to shipments per movement, and the plan's value."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from materiel.logistics.planning.demand import Demand
from materiel.logistics.planning.explain import Lateness, explain
from materiel.logistics.planning.network import Grid, LegAt
from materiel.logistics.planning.plan import (
    Leg,
    PlannedShipment,
    TransportObjective,
    TransportPlan,
    TransportSolver,
    Unplanned,
)
from materiel.logistics.planning.scenario import Movement

CAPACITY_REASON = "no capacity left within the horizon"


@dataclass(frozen=True)
class Routed:
    """Integral result for one supply group: units per path, units left over and why."""

    paths: tuple[tuple[tuple[LegAt, ...], int], ...]
    unplanned: int = 0
    reason: str = CAPACITY_REASON


def legs_of(grid: Grid, path: Sequence[LegAt]) -> tuple[Leg, ...]:
    result = []
    for link_at, depart in path:
        link = grid.links[link_at]
        result.append(
            Leg(
                link.id,
                link.source,
                link.target,
                link.mode,
                grid.date_of(depart),
                grid.date_of(depart + link.days),
            )
        )
    return tuple(result)


def shipments_of(
    grid: Grid, movements: Sequence[Movement], routed: Routed, lateness: Lateness | None = None
) -> tuple[list[PlannedShipment], list[Unplanned]]:
    """Fill the group's movements in order from its paths, earliest arrival first."""
    pieces = sorted(
        ((path, units) for path, units in routed.paths if units > 0),
        key=lambda p: (p[0][-1][1] + int(grid.days[p[0][-1][0]]), p[0]),
    )
    shipments: list[PlannedShipment] = []
    unplanned: list[Unplanned] = []
    queue_paths = [path for path, _ in pieces]
    queue_units = [units for _, units in pieces]
    at = 0
    for m in movements:
        need, n = m.units, 0
        while need and at < len(queue_paths):
            take = min(need, queue_units[at])
            legs = legs_of(grid, queue_paths[at])
            n += 1
            late = max(0, (legs[-1].arrive - m.due).days)
            why = lateness.reason(grid, late) if lateness else ""
            shipments.append(
                PlannedShipment(f"{m.id}-{n}", m.id, take, legs, legs[-1].arrive, late, why)
            )
            need -= take
            queue_units[at] -= take
            if queue_units[at] == 0:
                at += 1
        if need:
            unplanned.append(Unplanned(m.id, need, routed.reason))
    return shipments, unplanned


def assemble(
    grid: Grid,
    demand: Demand,
    routed: Sequence[Routed],
    *,
    extra: Iterable[PlannedShipment | Unplanned] = (),
    solver: TransportSolver,
    warnings: Sequence[str] = (),
) -> TransportPlan:
    """The plan: shipments by movement order, unplanned units, the objective."""
    shipments: list[PlannedShipment] = []
    unplanned: list[Unplanned] = []
    lateness = explain(grid, demand, [r.paths for r in routed])
    for g, result in enumerate(routed):
        s, u = shipments_of(grid, demand.movements[g], result, lateness[g])
        shipments += s
        unplanned += u
    for item in extra:
        if isinstance(item, PlannedShipment):
            shipments.append(item)
        else:
            unplanned.append(item)
    order = {m.id: i for i, m in enumerate(grid.scenario.movements)}
    shipments.sort(key=lambda s: (order[s.movement], s.id))
    unplanned.sort(key=lambda u: order[u.movement])
    return TransportPlan(
        tuple(shipments),
        tuple(unplanned),
        objective(grid, shipments, unplanned),
        solver,
        tuple(warnings),
    )


def objective(
    grid: Grid, shipments: Sequence[PlannedShipment], unplanned: Sequence[Unplanned]
) -> TransportObjective:
    slots = {m.id: m.slots_per_unit for m in grid.scenario.movements}
    costs = {k.id: k.cost for k in grid.scenario.links}
    cost = sum(
        s.units * slots[s.movement] * sum(costs[leg.link] for leg in s.legs) for s in shipments
    )
    return TransportObjective(
        unit_days_late=sum(s.units * s.days_late for s in shipments),
        cost=round(cost, 6),
        units_planned=sum(s.units for s in shipments),
        units_unplanned=sum(u.units for u in unplanned),
    )
