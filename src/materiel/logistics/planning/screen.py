"""Movements the flow model need not see: unknown places, no move needed, no route at all.

Each gets its answer here (a shipment without legs, or `Unplanned` with
the reason staff can act on); the rest go to the planner.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from materiel.logistics.planning.days import Day, reachable, sweep
from materiel.logistics.planning.demand import Demand, build_demand, subset
from materiel.logistics.planning.network import Grid
from materiel.logistics.planning.output import CAPACITY_REASON
from materiel.logistics.planning.plan import PlannedShipment, Unplanned
from materiel.logistics.planning.scenario import Movement


def screen(
    grid: Grid, days: tuple[Day, ...], movements: Sequence[Movement]
) -> tuple[Demand, list[PlannedShipment | Unplanned]]:
    """The demand left to plan, and the answers already known."""
    answers: list[PlannedShipment | Unplanned] = []
    kept: list[Movement] = []
    end = grid.date_of(grid.horizon - 1)
    for m in movements:
        if m.origin not in grid.node_at or m.destination not in grid.node_at:
            answers.append(Unplanned(m.id, m.units, "origin or destination is not in the network"))
        elif m.origin == m.destination:
            arrival = max(m.release, grid.scenario.start)
            late = max(0, (arrival - m.due).days)
            why = f"released on {arrival}, after it was due ({m.due})" if late else ""
            answers.append(PlannedShipment(f"{m.id}-1", m.id, m.units, (), arrival, late, why))
        elif grid.day(m.release) >= grid.horizon:
            answers.append(Unplanned(m.id, m.units, f"released after the horizon ends ({end})"))
        else:
            kept.append(m)
    demand = build_demand(grid, kept)
    ok = reachable(grid, days, demand.origin, demand.release, demand.dest)
    before = sweep(grid, grid.open_before_fixed)
    ok_before_fixed = reachable(grid, before, demand.origin, demand.release, demand.dest)
    for g in range(len(demand)):
        if not ok[g] and ok_before_fixed[g]:
            answers += [Unplanned(m.id, m.units, CAPACITY_REASON) for m in demand.movements[g]]
        elif not ok[g]:
            reason = why_unreachable(
                grid, int(demand.origin[g]), int(demand.dest[g]), int(demand.release[g])
            )
            answers += [Unplanned(m.id, m.units, reason) for m in demand.movements[g]]
    return subset(demand, [g for g in range(len(demand)) if ok[g]]), answers


def why_unreachable(grid: Grid, origin: int, dest: int, release: int) -> str:
    """The first cause that explains it: no route, a closure, or too short a horizon."""
    o, d = grid.nodes[origin], grid.nodes[dest]
    earliest = earliest_arrival(grid, origin, release).get(dest)
    if earliest is None:
        return f"no route from {o.id} to {d.id}"
    if d.closed_from is not None and grid.day(d.closed_from) <= earliest:
        return f"destination {d.id} closed from {d.closed_from}"
    if o.closed_from is not None and grid.day(o.closed_from) <= release:
        return f"origin {o.id} closed from {o.closed_from}"
    if earliest >= grid.horizon:
        ends = grid.date_of(grid.horizon - 1)
        return f"horizon too short: earliest arrival {grid.date_of(earliest)}, horizon ends {ends}"
    return "closed nodes and cut links leave no route within the horizon"


def earliest_arrival(grid: Grid, origin: int, release: int) -> dict[int, int]:
    """Earliest day at each node, ignoring capacity, closures and the horizon (Dijkstra)."""
    best = {origin: release}
    heap = [(release, origin)]
    out: dict[int, list[int]] = {}
    for link in range(len(grid.links)):
        out.setdefault(int(grid.src[link]), []).append(link)
    while heap:
        day, node = heapq.heappop(heap)
        if day > best.get(node, day):
            continue
        for link in out.get(node, []):
            target, arrive = int(grid.tgt[link]), day + int(grid.days[link])
            if arrive < best.get(target, arrive + 1):
                best[target] = arrive
                heapq.heappush(heap, (arrive, target))
    return best
