"""From the LP's path flows to whole units, never breaking a capacity.

1. The integer program over every path the LP knows (price-and-branch,
   `path_program`, HiGHS), level by level: fewest units unplanned, then
   fewest unit-days late, then least cost, each level stopping at its
   target (its LP bound rounded up; for cost, within the optimality gap).
   First the whole units of the LP flows are kept (they always fit) and
   only the fractions are decided: a whole plan in about a second on the
   large benchmark. Unless that plan already reaches every target, every
   unit is then decided afresh in the time left, and the better plan is
   kept (the greedy plan too, should it be better still).
2. Units still unplanned get fresh paths on the capacity left, if any
   (`fill`: the pricing sweep with full rows closed, all groups at once),
   until the time limit: units it has not reached by then stay unplanned.

The planner checks the result against every capacity row before returning it.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Sequence

import numpy as np

from materiel.logistics.planning.days import Day
from materiel.logistics.planning.fill import fill
from materiel.logistics.planning.master import Master
from materiel.logistics.planning.network import FloatArray, IntArray, LegAt
from materiel.logistics.planning.output import Routed
from materiel.logistics.planning.path_program import LEVELS, reached_by, solve_levels
from materiel.logistics.planning.pricing import Column

FIRST_PASS_SHARE = 0.25  # of the time limit, at most, for deciding the LP's fractions


def round_flows(
    master: Master,
    x: FloatArray,
    days: tuple[Day, ...],
    time_limit_s: float,
    incumbent: list[Routed],
    *,
    goals: Sequence[float | None] = (),
    progress: Callable[[float, str], None] | None = None,
) -> tuple[list[Routed], bool]:
    """Whole units per path for every group; `True` if every level was proven or reached its goal.

    `goals` are the levels' targets (`path_program.targets`). First the
    LP's whole units are kept and only its fractions decided (an LP cut
    short before any of its solutions fitted gives none: then
    `incumbent`'s units are that first plan). Unless that plan reaches
    every goal, every unit is decided again in the time left; the best
    of these plans is returned, `incumbent` (a known whole plan whose
    paths are all columns of the master) included. Everything, fresh
    paths for the units left over too (`complete`), ends within
    `time_limit_s`.
    """
    deadline = time.monotonic() + time_limit_s
    whole = np.floor(x + 1e-6).astype(np.int64)
    first = solve_levels(master, goals, time_limit_s * FIRST_PASS_SHARE, keep=whole)
    units = incumbent_units(master, incumbent) if first is None else first.units
    best = complete(master, days, units, deadline)
    adopt(master, best)
    best_score = score(master, best)
    if score(master, incumbent) < best_score:
        best, best_score = incumbent, score(master, incumbent)
    if reached_by(best_score, goals, LEVELS - 1):
        return best, True
    if progress is not None:
        progress(0.9, f"whole units: deciding every unit again ({describe(best_score, goals)})")
    start = incumbent_units(master, best)
    every = solve_levels(master, goals, deadline - time.monotonic(), start=start)
    if every is None:
        return best, False
    other = complete(master, days, every.units, deadline)
    if score(master, other) <= best_score:
        best, best_score = other, score(master, other)
    return best, every.proven or reached_by(best_score, goals, LEVELS - 1)


def describe(levels: tuple[int, int, float], goals: Sequence[float | None]) -> str:
    """A plan's levels against the cost goal, for progress reports."""
    unplanned_units, late, cost = levels
    goal = goals[2] if len(goals) > 2 else None
    target = "" if goal is None else f", goal {goal:,.0f}"
    return f"{unplanned_units} unplanned, {late:,} unit-days late, cost {cost:,.0f}{target}"


def adopt(master: Master, routed: list[Routed]) -> None:
    """Make every path of a whole plan a column, so the next pass can start from all of it."""
    grid = master.grid
    for g, result in enumerate(routed):
        for legs, _ in result.paths:
            master.add(Column(g, legs, legs[-1][1] + int(grid.days[legs[-1][0]]), 0.0))


def score(master: Master, routed: list[Routed]) -> tuple[int, int, float]:
    """Units unplanned, unit-days late and cost of a whole plan: the objective, in order."""
    grid, demand = master.grid, master.demand
    late = cost = 0.0
    for g, result in enumerate(routed):
        for legs, n in result.paths:
            arrive = legs[-1][1] + int(grid.days[legs[-1][0]])
            late += n * max(0, arrive - int(demand.due[g]))
            cost += n * int(demand.slots[g]) * float(sum(grid.cost[k] for k, _ in legs))
    return unplanned(routed), int(late), cost


def complete(
    master: Master, days: tuple[Day, ...], units: IntArray, deadline: float | None = None
) -> list[Routed]:
    """Whole units per path as routes per group; units left over get fresh paths if any fit.

    Fresh paths are sought until `deadline` (`fill`); units that get none stay unplanned.
    """
    grid, demand, paths = master.grid, master.demand, master.paths
    short = demand.units.copy()
    np.subtract.at(short, np.array(paths.group, np.int64), units)
    routed_units: dict[int, dict[tuple[LegAt, ...], int]] = defaultdict(dict)
    for j in np.flatnonzero(units).tolist():
        routed_units[paths.group[j]][paths.legs[j]] = int(units[j])
    left = grid.cap - master.usage(units.astype(np.float64))
    for g, placed in fill(grid, days, demand, short, left, deadline=deadline).items():
        for legs, n in placed:
            routed_units[g][legs] = routed_units[g].get(legs, 0) + n
    return [
        Routed(tuple(sorted(routed_units[g].items())), int(short[g])) for g in range(len(demand))
    ]


def unplanned(routed: list[Routed]) -> int:
    return sum(r.unplanned for r in routed)


def incumbent_units(master: Master, incumbent: list[Routed]) -> IntArray:
    """The known whole plan as units per column of the master."""
    paths = master.paths
    start = np.zeros(len(paths), np.int64)
    at = {(g, legs): j for j, (g, legs) in enumerate(zip(paths.group, paths.legs, strict=True))}
    for g, result in enumerate(incumbent):
        for legs, n in result.paths:
            start[at[(g, legs)]] += n
    return start
