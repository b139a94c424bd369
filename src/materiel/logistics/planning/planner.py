"""The transport planner: shipments and legs that respect every daily capacity.

Reads as data -> variables -> constraints -> objective -> solve -> result.
The scenario becomes a time-expanded network (`network`: one time-node per
place and day, capacities per day net of dispatched legs); movements that
need no planning are answered at once (`screen`) and the rest are grouped
into interchangeable units (`demand`). The model is the path form of the
time-expanded multi-commodity flow, solved by column generation: a
restricted master LP over the paths found so far (`master`, CLP) and a
pricing sweep that finds, for every group at once, the cheapest path under
the master's duals (`pricing`), smoothed between rounds. Only capacity rows
that the solution would break are ever added, and only time-nodes a group
can reach are ever touched, so the 0.6-million-arc model is never built.
Once a level's LP converges, the rounding cuts its solution breaks are
added (`cuts`: whole units on a link-day) and the generation goes on, so
each level's bound holds for whole plans and lies close to them. The
lexicographic objective is solved level by level, each level held at its
bound rounded up while the next is minimised. The LP's flows are then
made whole (`rounding`: the integer program over the priced paths,
HiGHS, each level stopping at its bound) and turned back into shipments per movement
(`output`). A previous plan's shipments seed the master (warm start of a
re-plan).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

from materiel.core.errors import PlanningFailed
from materiel.logistics.planning.days import sweep
from materiel.logistics.planning.demand import Demand
from materiel.logistics.planning.explain import plan_usage
from materiel.logistics.planning.greedy import greedy_routes
from materiel.logistics.planning.master import COST, LATENESS, UNPLANNED, Master
from materiel.logistics.planning.network import (
    FloatArray,
    Grid,
    IntArray,
    LegAt,
    build_grid,
)
from materiel.logistics.planning.output import Routed, assemble
from materiel.logistics.planning.path_program import OPTIMALITY_GAP, targets
from materiel.logistics.planning.plan import (
    PlannedShipment,
    TransportPlan,
    TransportSolver,
    Unplanned,
)
from materiel.logistics.planning.pricing import EPS, Column, Pricer, Prices
from materiel.logistics.planning.rounding import round_flows, score
from materiel.logistics.planning.scenario import TransportScenario
from materiel.logistics.planning.screen import screen

Progress = Callable[[float, str], None]
SMOOTHING = 0.5  # weight of the stability centre in the smoothed duals
LP_SHARE = 0.7  # of the time limit; the rest is for making the flows whole
SETTLE_SHARE = 0.8  # a level cut short may fit its last solution up to here
SETTLE_ROUNDS = 10
# Kept for checking and writing the plan after the rounding: at ten times
# the demo (9,216 groups, 55,000 units) that takes about 1.5 s.
OUTPUT_RESERVE_S = 2.0
OUTPUT_S_PER_GROUP = 3e-4
METHOD = (
    "column generation over the time-expanded network (CLP) with rounding cuts"
    " + integer program over the priced paths (HiGHS)"
)
LEVELS = {UNPLANNED: "units unplanned", LATENESS: "unit-days late", COST: "cost"}
NAMES = {UNPLANNED: "units_unplanned", LATENESS: "unit_days_late", COST: "cost"}


@dataclass
class Run:
    """Book-keeping of one planner run."""

    began: float
    time_limit_s: float
    progress: Progress
    should_stop: Callable[[], bool]
    stopped: bool = False
    timed_out: bool = False
    iterations: int = 0
    bounds: dict[int, float] = field(default_factory=dict)

    def left(self, share: float = 1.0) -> float:
        return self.time_limit_s * share - (time.monotonic() - self.began)

    def deadline(self, share: float = 1.0) -> float:
        """When `share` of the time limit is up, on the `time.monotonic()` clock."""
        return self.began + self.time_limit_s * share

    def must_end(self) -> bool:
        if self.should_stop():
            self.stopped = True
        elif self.left(LP_SHARE) <= 0:
            self.timed_out = True
        return self.stopped or self.timed_out


def plan_transport(
    scenario: TransportScenario,
    *,
    time_limit_s: float = 60,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
    previous: TransportPlan | None = None,
) -> TransportPlan:
    """Plan shipments for every movement; the best plan found within the time limit."""
    run = Run(time.monotonic(), time_limit_s, progress or quiet, should_stop or never)
    grid = build_grid(scenario)
    days = sweep(grid)
    demand, answers = screen(grid, days, scenario.movements)
    run.progress(0.02, f"{len(demand)} groups of units to route")
    master = Master(grid, demand)
    pricer = Pricer(grid, days, demand)
    # The greedy plan (and the previous plan's paths) seed the master, and
    # the greedy plan is the incumbent the rounding must beat.
    incumbent = greedy_routes(grid, demand)
    for g, result in enumerate(incumbent):
        for legs, _ in result.paths:
            master.add(Column(g, legs, legs[-1][1] + int(grid.days[legs[-1][0]]), 0.0))
    if previous is not None:
        for column in warm_columns(grid, demand, previous):
            master.add(column)
    # With nothing left to route there is no LP (and CLP crashes on an empty one).
    if len(demand):
        x = column_generation(master, pricer, run)
    else:
        x, run.bounds = np.zeros(0), {UNPLANNED: 0.0, LATENESS: 0.0, COST: 0.0}
    run.progress(0.85, "whole units: deciding the LP's fractions")
    reserve = max(OUTPUT_RESERVE_S, OUTPUT_S_PER_GROUP * len(demand))
    goals = targets([run.bounds.get(level) for level in (UNPLANNED, LATENESS, COST)])
    budget = max(1.0, run.left() - reserve)
    routed, proven = round_flows(
        master, x, days, budget, incumbent, goals=goals, progress=run.progress
    )
    check(grid, demand, routed)
    solver = solver_info(master, run, routed, proven, answers)
    warnings = (*scenario.warnings, *grid.notes)
    plan = assemble(grid, demand, routed, extra=answers, solver=solver, warnings=warnings)
    run.progress(1.0, "done")
    return plan


def column_generation(master: Master, pricer: Pricer, run: Run) -> FloatArray:
    """Solve the three levels in turn; path flows of the last LP solution that broke no row.

    Each round solves the master, adds the capacity rows its solution
    breaks and the paths its duals price below zero; a level is optimal
    when a round adds neither.
    """
    feasible = np.zeros(0)
    master.start_with_lateness(unplanned_weight=float(2 * master.grid.horizon + 1))
    while master.phase <= COST:
        phase = master.phase
        converged = False
        center: Prices | None = None
        focus = np.zeros(0, np.int64)
        while not run.must_end():
            run.iterations += 1
            optimal, x, _, prices = master.solve(max(1.0, run.left(LP_SHARE)))
            if not optimal:
                run.timed_out = True
                break
            rows = master.add_violated(x)
            if not rows:
                feasible = x
            columns, center = new_columns(
                master, pricer, prices, center, focus, deadline=run.deadline(LP_SHARE)
            )
            focus = np.unique(np.array([c.group for c in columns], np.int64))
            added = sum(master.add(c) for c in columns)
            run.progress(
                min(0.8, 0.05 + 0.01 * run.iterations),
                f"{LEVELS[phase]}: {len(master.paths)} paths, {len(master.active)} capacity rows",
            )
            if not rows and not added:
                if run.must_end():  # the pricing may have stopped at the deadline: no proof
                    break
                if master.add_cuts(x):
                    continue
                converged = True
                break
        if not converged:
            settled = None if run.stopped else settle(master, run)
            feasible = feasible if settled is None else settled
            break
        if master.unplanned_weight and master.units_unplanned() > 1e-6:
            master.restart()  # units are left out: settle the first level on its own
            continue
        if master.unplanned_weight:
            run.bounds[UNPLANNED] = master.units_unplanned()
        run.bounds[phase] = (
            master.objective_value() - master.unplanned_weight * master.units_unplanned()
        )
        if phase != COST:
            master.next_phase(master.objective_value())
        else:
            break
    return np.concatenate([feasible, np.zeros(len(master.paths) - len(feasible))])


def settle(master: Master, run: Run) -> FloatArray | None:
    """Out of time mid-level: add the rows the last solution breaks until one breaks none.

    Without new paths these solves are short, and the level's progress so
    far is kept instead of falling back to the last solution that fitted.
    """
    for _ in range(SETTLE_ROUNDS):
        if run.left(SETTLE_SHARE) < 0.5:
            break
        optimal, x, _, _ = master.solve(run.left(SETTLE_SHARE))
        if not optimal:
            break
        if not master.add_violated(x):
            return x
    return None


def new_columns(
    master: Master,
    pricer: Pricer,
    prices: Prices,
    center: Prices | None,
    focus: IntArray,
    *,
    deadline: float | None = None,
) -> tuple[list[Column], Prices]:
    """Paths that improve the master; and the new stability centre.

    The groups that improved last round (`focus`) are priced first, alone,
    while they are fewer than half: late rounds improve few groups, and a
    sweep costs in proportion to the groups it carries. Only when they
    yield nothing are all groups priced, so a level still ends exactly
    optimal. No sweep goes on past `deadline` (`Pricer.price`).
    """
    if 0 < len(focus) < len(master.demand) // 2:
        found = smoothed(master, lambda p: pricer.price_some(p, focus, deadline), prices, center)
        if found[0]:
            return found
    return smoothed(master, lambda p: pricer.price(p, deadline), prices, center)


def smoothed(
    master: Master, price: Callable[[Prices], list[Column]], prices: Prices, center: Prices | None
) -> tuple[list[Column], Prices]:
    """Paths priced at smoothed duals first, kept if they improve under the true ones.

    Duals of a degenerate master jump from round to round, so pricing at a
    point between them and the previous centre finds steadier paths
    (Wentges smoothing: a fifth less LP time on the large benchmark). When
    none is found the true duals are priced too, so convergence stays exact.
    """
    if center is not None:
        center = blend(center, prices, SMOOTHING)
        columns = [c for c in price(center) if master.reduced_cost(c, prices) < -EPS]
        if columns:
            return columns, center
    return price(prices), prices


def blend(center: Prices, current: Prices, alpha: float) -> Prices:
    """Duals between the stability centre and the current ones (Wentges smoothing)."""
    cut_penalty = current.cut_penalty
    if cut_penalty is not None and center.cut_penalty is not None:
        cut_penalty = alpha * center.cut_penalty + (1 - alpha) * cut_penalty
    return replace(
        current,
        supply=alpha * center.supply + (1 - alpha) * current.supply,
        penalty=alpha * center.penalty + (1 - alpha) * current.penalty,
        cut_penalty=cut_penalty,
    )


def warm_columns(grid: Grid, demand: Demand, previous: TransportPlan) -> list[Column]:
    """The previous plan's paths that are still possible, as starting columns."""
    group_of = {m.id: g for g in range(len(demand)) for m in demand.movements[g]}
    columns = []
    for shipment in previous.shipments:
        g = group_of.get(shipment.movement)
        if g is None or not shipment.legs:
            continue
        legs: list[LegAt] = []
        for leg in shipment.legs:
            link = grid.link_at.get(leg.link)
            day = grid.day(leg.depart)
            if link is None or not 0 <= day < grid.horizon or not grid.open[link, day]:
                break
            legs.append((link, day))
        else:
            if (
                legs[0][1] >= demand.release[g]
                and grid.links[legs[0][0]].source == grid.nodes[int(demand.origin[g])].id
            ):
                arrive = legs[-1][1] + int(grid.days[legs[-1][0]])
                columns.append(Column(g, tuple(legs), arrive, 0.0))
    return columns


def check(grid: Grid, demand: Demand, routed: list[Routed]) -> None:
    """Every capacity row holds and every group's units are accounted for."""
    for g, result in enumerate(routed):
        placed = sum(n for _, n in result.paths)
        if placed + result.unplanned != demand.units[g]:
            raise PlanningFailed(f"group {g}: {placed} + {result.unplanned} != {demand.units[g]}")
    used = plan_usage(grid, demand, [r.paths for r in routed])
    over = np.flatnonzero(used > grid.cap + 1e-6)
    if len(over):
        raise PlanningFailed(
            f"the plan would exceed the capacity of {grid.describe_row(int(over[0]))}"
        )


def solver_info(
    master: Master,
    run: Run,
    routed: list[Routed],
    proven: bool,
    answers: list[PlannedShipment | Unplanned],
) -> TransportSolver:
    """Status against the bounds of each level, and the size of the model.

    Bounds are proven for the routed groups; the movements answered before
    planning (`answers`: no route, no move needed) add the same to every
    plan, so the stated bounds include them. `optimal`: every level at its
    bound, the cost within `OPTIMALITY_GAP` of it (0.01 %: where MIP
    solvers report a plan optimal by default); the notes say how close.
    """
    grid, demand, paths = master.grid, master.demand, master.paths
    unplanned, late, cost = score(master, routed)
    bounds = proven_bounds(run.bounds, unplanned, late)
    offset = {
        UNPLANNED: sum(a.units for a in answers if isinstance(a, Unplanned)),
        LATENESS: sum(a.units * a.days_late for a in answers if isinstance(a, PlannedShipment)),
        COST: 0,
    }
    stated = {level: value + offset[level] for level, value in bounds.items()}
    notes = [f"bound {LEVELS[level]}: {value:,.2f}" for level, value in stated.items()]
    groups = len({m.item_group for ms in demand.movements for m in ms})
    notes += [
        f"time-expanded model: {len(grid.links) * grid.horizon * max(groups, 1):,} arc variables"
        f" (links x days x item groups); {len(paths):,} paths priced",
        f"{len(master.active):,} of {int(np.isfinite(grid.cap).sum()):,} capacity rows"
        f" and {len(master.cuts):,} rounding cuts entered the master; {run.iterations} LP solves",
    ]
    exact_late = LATENESS in bounds and late <= bounds[LATENESS]
    exact_cost = COST in bounds and cost - bounds[COST] <= OPTIMALITY_GAP * abs(cost) + 1e-4
    if exact_late and COST in bounds and cost >= bounds[COST] + 0.005:  # a cent or more
        above = cost - bounds[COST]
        share = 100 * above / max(abs(cost), 1e-9)
        notes.append(f"cost {above:,.2f} ({share:.2g} %) above its bound")
    elif not exact_late and LATENESS in bounds and unplanned == 0:
        notes.append(f"whole plan {late - bounds[LATENESS]:,.0f} unit-days late above the bound")
    if not proven:
        notes.append("the integer program stopped before reaching its targets")
    if run.stopped:
        status = "stopped"
    elif run.timed_out:
        status = "time_limit"
    else:
        status = "optimal" if exact_cost else "feasible"
    seconds = time.monotonic() - run.began
    named = tuple((NAMES[level], value) for level, value in stated.items())
    return TransportSolver(
        status, seconds, METHOD, len(paths) + len(demand), tuple(notes), bounds=named
    )


def proven_bounds(lp: dict[int, float], unplanned: int, late: int) -> dict[int, float]:
    """The levels' bounds that hold for every whole plan, given the plan's own levels.

    Each level is bounded with the levels above it held at their bounds
    rounded up (they are whole numbers): so its bound holds only when the
    plan reached those, i.e. proved them optimal.
    """
    bounds: dict[int, float] = {}
    for level, reached in ((UNPLANNED, unplanned), (LATENESS, late), (COST, None)):
        if level not in lp:
            break
        bounds[level] = lp[level] if reached is None else float(math.ceil(lp[level] - 1e-6))
        if reached is not None and reached > bounds[level]:
            break
    return bounds


def quiet(fraction: float, message: str) -> None:
    """Default progress callback: say nothing."""


def never() -> bool:
    """Default stop callback: never stop early."""
    return False
