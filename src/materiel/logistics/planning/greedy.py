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

import numpy as np

from materiel.logistics.planning.days import sweep
from materiel.logistics.planning.demand import Demand
from materiel.logistics.planning.network import FloatArray, Grid, LegAt, build_grid
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
    routes: dict[tuple[int, int], list[int] | None] = {}
    for g in order:
        ends = (int(demand.origin[g]), int(demand.dest[g]))
        if ends not in routes:
            routes[ends] = fastest_route(grid, *ends)
        route, need = routes[ends], int(demand.units[g])
        if route is None or need == 0:
            routed[g] = Routed((), need)
            continue
        paths = take_departures(grid, left, route, g, demand)
        routed[g] = Routed(paths, need - sum(n for _, n in paths))
    return routed


def take_departures(
    grid: Grid, left: FloatArray, route: list[int], g: int, demand: Demand
) -> tuple[tuple[tuple[LegAt, ...], int], ...]:
    """Group `g`'s units on `route`, day by day from its release while any are left.

    All departure days at once: the route is a simple path and every leg
    leaves on the arrival day of the one before, so two departure days use
    disjoint rows, and what fits on each is known before any is taken.
    `left` is updated in place.
    """
    h, need, slots = grid.horizon, int(demand.units[g]), int(demand.slots[g])
    at = np.concatenate([[0], np.cumsum(grid.days[route])])  # days after leaving
    leave = at[:-1].tolist()
    first = np.arange(int(demand.release[g]), h - int(at[-1]))
    for link, o in zip(route, leave, strict=True):
        first = first[grid.open[link, first + o]]
    # Per unit: `slots` on each leg's link-day, one handling at each end of
    # a leg (two at a node passed through: in and out on the same day).
    passed = [int(grid.src[route[0]]), *(int(grid.tgt[k]) for k in route)]
    base = [grid.link_row(link, o) for link, o in zip(route, leave, strict=True)]
    base += [grid.handling_row(node, int(o)) for node, o in zip(passed, at, strict=True)]
    amount = np.array([slots] * len(route) + [1] + [2] * (len(route) - 1) + [1], np.float64)
    rows = np.array(base, np.int64)[:, None] + first[None, :]
    fits = np.floor(left[rows] / amount[:, None] + 1e-9).min(axis=0, initial=need)
    fits = np.maximum(fits, 0).astype(np.int64)
    taken = np.minimum(fits, np.maximum(need - (np.cumsum(fits) - fits), 0))
    used = np.flatnonzero(taken)
    left[rows[:, used]] -= amount[:, None] * taken[used]
    return tuple(
        (tuple((link, day + o) for link, o in zip(route, leave, strict=True)), int(taken[i]))
        for i, day in zip(used.tolist(), first[used].tolist(), strict=True)
    )
