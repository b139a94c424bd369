"""The earliest-departure baseline, for comparison only.

Groups of units in order of due date; each goes along its fastest route
(fewest days, then least cost, closures ignored: the route a planner
would pick from the map) and leaves on the first days that still have
room on every leg, without waiting between legs, until all its units are
gone or the horizon ends. Capacities are honoured exactly as in the planner.
"""

from __future__ import annotations

import heapq
import time

from materiel.logistics.planning.days import sweep
from materiel.logistics.planning.demand import Demand
from materiel.logistics.planning.network import (
    Grid,
    LegAt,
    build_grid,
    leg_usage,
    units_that_fit,
)
from materiel.logistics.planning.output import Routed, assemble
from materiel.logistics.planning.plan import TransportPlan, TransportSolver
from materiel.logistics.planning.scenario import TransportScenario
from materiel.logistics.planning.screen import screen


def fastest_route(grid: Grid, origin: int, dest: int) -> list[int] | None:
    """Links of the fastest route (days, then cost), by Dijkstra on the static network."""
    best: dict[int, tuple[int, float]] = {origin: (0, 0.0)}
    via: dict[int, int] = {}
    heap: list[tuple[int, float, int]] = [(0, 0.0, origin)]
    while heap:
        days, cost, node = heapq.heappop(heap)
        if (days, cost) > best[node]:
            continue
        if node == dest:
            break
        for link in range(len(grid.links)):
            if grid.src[link] != node:
                continue
            target = int(grid.tgt[link])
            label = (days + int(grid.days[link]), cost + float(grid.cost[link]))
            if target not in best or label < best[target]:
                best[target], via[target] = label, link
                heapq.heappush(heap, (*label, target))
    if dest not in via:
        return None
    route = [via[dest]]
    while grid.src[route[-1]] != origin:
        route.append(via[int(grid.src[route[-1]])])
    return route[::-1]


def plan_transport_greedy(scenario: TransportScenario) -> TransportPlan:
    """A plan built the way a dispatcher with a spreadsheet would build it."""
    began = time.monotonic()
    grid = build_grid(scenario)
    demand, answers = screen(grid, sweep(grid), scenario.movements)
    routed = greedy_routes(grid, demand)
    solver = TransportSolver("greedy", time.monotonic() - began, "earliest-departure baseline", 0)
    warnings = (*scenario.warnings, *grid.notes)
    return assemble(grid, demand, routed, extra=answers, solver=solver, warnings=warnings)


def greedy_routes(grid: Grid, demand: Demand) -> list[Routed]:
    """Units per path for every group, earliest due first, fastest route, first free days."""
    left = grid.cap.copy()
    routed: list[Routed] = [Routed(())] * len(demand)
    order = sorted(range(len(demand)), key=lambda g: (demand.due[g], demand.release[g], g))
    for g in order:
        route = fastest_route(grid, int(demand.origin[g]), int(demand.dest[g]))
        need, slots = int(demand.units[g]), int(demand.slots[g])
        paths: list[tuple[tuple[LegAt, ...], int]] = []
        for day in range(int(demand.release[g]), grid.horizon):
            if need == 0 or route is None:
                break
            legs = chained(grid, route, day)
            if legs is None:
                continue
            usage = leg_usage(grid, legs, slots)
            take = units_that_fit(left, usage, need)
            if take > 0:
                for r, a in usage.items():
                    left[r] -= a * take
                paths.append((legs, take))
                need -= take
        routed[g] = Routed(tuple(paths), need)
    return routed


def chained(grid: Grid, route: list[int], day: int) -> tuple[LegAt, ...] | None:
    """The route's legs leaving on `day`, each leg on the arrival day of the one before."""
    legs = []
    for link in route:
        if day >= grid.horizon or not grid.open[link, day]:
            return None
        legs.append((link, day))
        day += int(grid.days[link])
    return tuple(legs)
