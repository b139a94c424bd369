"""From the LP's path flows to whole units, never breaking a capacity.

1. The integer program over every path the LP knows (price-and-branch):
   whole units per path, each group planned or unplanned, every capacity
   row the paths touch, and the lexicographic objective level by level
   (fewest units unplanned, then fewest unit-days late, then least cost),
   each level held at its best value while the next is minimised. First
   the whole units of the LP flows are kept (they always fit) and CP-SAT
   decides only the fractions left: on the large benchmark that takes
   seconds and lands near the bound, where deciding every unit from the
   greedy plan stayed far from it. Then every unit is decided from that
   plan in the time left, and the better of the two is kept.
2. Units still unplanned get fresh paths on the capacity left, if any
   (`fill`: the pricing sweep with full rows closed, all groups at once),
   until the time limit: units it has not reached by then stay unplanned.

The planner checks the result against every capacity row before returning it.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

import numpy as np
from ortools.sat.python import cp_model

from materiel.logistics.planning.days import Day
from materiel.logistics.planning.fill import fill
from materiel.logistics.planning.master import Master
from materiel.logistics.planning.network import FloatArray, IntArray, LegAt, leg_usage
from materiel.logistics.planning.output import Routed
from materiel.logistics.planning.pricing import Column

COST_SCALE = 100  # CP-SAT needs integers: cost in hundredths
SMALL_PROGRAM = 2000  # paths
SECOND_PASS_MIN_S = 2.0
SECOND_PASS_FACTOR = 3.0
SECOND_PASS_LEAST_S = 0.5  # with less time left than this, the first pass's plan stands


def round_flows(
    master: Master,
    x: FloatArray,
    days: tuple[Day, ...],
    time_limit_s: float,
    incumbent: list[Routed],
) -> tuple[list[Routed], bool]:
    """Whole units per path for every group; `True` if the integer program was solved exactly.

    First the LP's whole units are kept and only its fractions decided:
    small and fast, and close to the bound on large plans (an LP cut short
    before any of its solutions fitted gives none: then `incumbent`'s units
    are that first plan). Then, in the
    time left (at most three times the first pass), every unit is decided
    again starting from that whole plan (its fresh paths become columns),
    or from `incumbent`, a known whole plan whose paths are all columns of
    the master, should it leave fewer units unplanned; the best of these
    plans is returned, `incumbent` included. Everything, fresh paths for
    the units left over too (`complete`), ends within `time_limit_s`.
    """
    began = time.monotonic()
    deadline = began + time_limit_s
    whole = np.floor(x + 1e-6).astype(np.int64)
    first, _ = integer_program(master, x, whole, time_limit_s / 2, keep=whole)
    if not first.any():  # the LP was cut short before any solution fitted: start from greedy
        first = incumbent_units(master, incumbent)
    best = complete(master, days, first, deadline)
    adopt(master, best)
    x = np.concatenate([x, np.zeros(len(master.paths) - len(x))])
    start = incumbent_units(master, best if unplanned(best) <= unplanned(incumbent) else incumbent)
    if score(master, incumbent) < score(master, best):
        best = incumbent
    spent = time.monotonic() - began
    # The second pass rarely gains much once the first is done: it gets the
    # time left, but no more than a few times what the first pass took.
    budget = min(deadline - time.monotonic(), max(SECOND_PASS_MIN_S, SECOND_PASS_FACTOR * spent))
    if budget < SECOND_PASS_LEAST_S:
        return best, False
    every, proven = integer_program(master, x, start, budget)
    if not np.array_equal(every, start):
        other = complete(master, days, every, deadline)
        if score(master, other) <= score(master, best):
            best = other
    return best, proven


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


def integer_program(
    master: Master, x: FloatArray, base: IntArray, time_limit_s: float, keep: IntArray | None = None
) -> tuple[IntArray, bool]:
    """Whole units per known path, level by level, from the whole plan `base`.

    With `keep`, every path keeps at least those units (the LP's whole
    units) and only the rest is decided. `True` if every level was proven
    optimal (over the known paths, and `keep`). The time limit counts
    building the program too (seconds, with tens of thousands of paths).
    """
    deadline = time.monotonic() + time_limit_s
    paths = master.paths
    if len(paths) == 0:
        return base, True
    if np.all(np.abs(x - base) <= 1e-6):
        return base, True
    model = cp_model.CpModel()
    y, missing = restricted_master(model, master, base, keep)
    late, cost = level_weights(master)
    levels = [
        sum(missing),
        sum(int(late[j]) * y[j] for j in np.flatnonzero(late).tolist()),
        sum(int(cost[j]) * y[j] for j in range(len(paths))),
    ]
    solver = cp_model.CpSolver()
    # One worker is repeatable (same input, same plan, same shipment ids);
    # large programs get both cores and are repeatable only when proven.
    solver.parameters.num_workers = 1 if len(paths) < SMALL_PROGRAM else 2
    proven = True
    values = hint = base
    at_hint = level_values(master, hint, (late, cost))
    for k, level in enumerate(levels):
        budget = max(0.2, (deadline - time.monotonic()) / (len(levels) - k))
        solver.parameters.max_time_in_seconds = budget
        model.minimize(level)
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return values if k else base, False
        proven &= status == cp_model.OPTIMAL
        values = np.array([solver.value(v) for v in y], np.int64)
        best = round(solver.objective_value)
        model.add(level <= best)
        # Any optimum of this level will do for it, but the starting plan
        # may be far better on the next levels: keep it while it still fits.
        if at_hint[k] > best:
            hint, at_hint = values, level_values(master, values, (late, cost))
        model.clear_hints()  # type: ignore[no-untyped-call]
        for j, v in enumerate(hint.tolist()):
            model.add_hint(y[j], v)
    return values, proven


def level_weights(master: Master) -> tuple[IntArray, IntArray]:
    """Per path and unit: unit-days late, and cost in hundredths (CP-SAT needs integers)."""
    paths = master.paths
    late = np.asarray(paths.late).astype(np.int64)
    cost = np.round(np.asarray(paths.cost) * COST_SCALE).astype(np.int64)
    return late, cost


def level_values(master: Master, units: IntArray, weights: tuple[IntArray, IntArray]) -> list[int]:
    """The three levels of the integer program at whole units per path."""
    late, cost = weights
    missing = int(master.demand.units.sum() - units.sum())
    return [missing, int(late @ units), int(cost @ units)]


def restricted_master(
    model: cp_model.CpModel, master: Master, base: IntArray, keep: IntArray | None = None
) -> tuple[list[cp_model.IntVar], list[cp_model.IntVar]]:
    """Units per path (at least `keep`) and unplanned per group; supply and capacity rows."""
    paths, grid, demand = master.paths, master.grid, master.demand
    group = paths.group
    low = np.zeros(len(paths), np.int64) if keep is None else keep
    y = [
        model.new_int_var(int(low[j]), int(demand.units[group[j]]), f"y{j}")
        for j in range(len(paths))
    ]
    by_group: dict[int, list[int]] = defaultdict(list)
    for j in range(len(paths)):
        by_group[group[j]].append(j)
        model.add_hint(y[j], int(base[j]))
    missing = [model.new_int_var(0, int(u), f"w{g}") for g, u in enumerate(demand.units)]
    for g, js in by_group.items():
        model.add(sum(y[j] for j in js) + missing[g] == int(demand.units[g]))
    for g in range(len(demand)):
        if g not in by_group:
            model.add(missing[g] == int(demand.units[g]))
    rows: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for j in range(len(paths)):
        for row, amount in leg_usage(grid, paths.legs[j], int(demand.slots[group[j]])).items():
            if not np.isinf(grid.cap[row]):
                rows[row].append((j, int(amount)))
    for row, terms in rows.items():
        model.add(sum(a * y[j] for j, a in terms) <= math.floor(grid.cap[row] + 1e-6))
    return y, missing
