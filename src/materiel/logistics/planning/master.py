"""The restricted master problem: an LP over the paths priced so far (COIN-OR CLP).

Variables: units of each supply group on each known path, and the units
of each group left unplanned. Rows: every group's units are planned or
unplanned (equality); capacity rows, added only when the current solution
breaks them (most capacity never binds, so most rows never enter); and
the rows that hold earlier lexicographic levels at their optimum.

Phases, in the order of the objective: (1) fewest units unplanned,
(2) fewest unit-days late, (3) least cost. Each phase keeps the columns
and rows of the phase before, so it starts warm.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver import pywraplp

from materiel.logistics.planning import cuts
from materiel.logistics.planning.demand import Demand
from materiel.logistics.planning.network import FloatArray, Grid, LegAt, leg_usage
from materiel.logistics.planning.pricing import Column, Prices

UNPLANNED, LATENESS, COST = 1, 2, 3
FEASIBILITY = 1e-7


@dataclass
class Paths:
    """Every column added so far, with its usage of the resource rows."""

    group: list[int] = field(default_factory=list)
    legs: list[tuple[LegAt, ...]] = field(default_factory=list)
    late: list[float] = field(default_factory=list)  # unit-days late per unit
    cost: list[float] = field(default_factory=list)  # money per unit
    rows: list[int] = field(default_factory=list)  # COO usage: row, column, amount
    cols: list[int] = field(default_factory=list)
    amounts: list[float] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.group)


class Master:
    """The LP and its book-keeping; `solve` returns primal values and prices."""

    def __init__(self, grid: Grid, demand: Demand) -> None:
        self.grid, self.demand = grid, demand
        # CLP re-solves from its last basis when rows and columns are added;
        # on the large benchmark its 40 solves take 17 s where GLOP's took 38 s.
        self.lp = pywraplp.Solver.CreateSolver("CLP")
        self.paths = Paths()
        self.known: set[tuple[int, tuple[LegAt, ...]]] = set()
        self.vars: list[pywraplp.Variable] = []
        self.supply = [self.lp.Constraint(float(u), float(u)) for u in demand.units]
        self.unplanned = [
            self.lp.NumVar(0.0, self.lp.infinity(), f"u{g}") for g in range(len(demand))
        ]
        for g, var in enumerate(self.unplanned):
            self.supply[g].SetCoefficient(var, 1.0)
        self.active: dict[int, pywraplp.Constraint] = {}
        self.members: dict[int, list[tuple[int, float]]] = {}
        self.n_link_rows = len(grid.links) * grid.horizon
        self.max_slots = int(demand.slots.max()) if len(demand) else 1
        self.cuts: dict[tuple[int, int], pywraplp.Constraint] = {}
        self.cut_divisors: dict[int, list[int]] = {}  # link row -> k of its cuts
        self.phase = UNPLANNED
        self.unplanned_weight = 0.0
        self.level_rows: dict[int, pywraplp.Constraint] = {}
        self.set_objective()

    # -- columns -------------------------------------------------------------

    def add(self, column: Column) -> bool:
        """Add a priced path; `False` if it is already there."""
        key = (column.group, column.legs)
        if key in self.known:
            return False
        self.known.add(key)
        g, j, grid = column.group, len(self.paths), self.grid
        slots = int(self.demand.slots[g])
        p = self.paths
        p.group.append(g)
        p.legs.append(column.legs)
        p.late.append(float(max(0, column.arrive - int(self.demand.due[g]))))
        p.cost.append(slots * float(sum(grid.cost[link] for link, _ in column.legs)))
        var = self.lp.NumVar(0.0, self.lp.infinity(), f"x{j}")
        self.vars.append(var)
        self.supply[g].SetCoefficient(var, 1.0)
        for row, amount in leg_usage(grid, column.legs, slots).items():
            if np.isinf(grid.cap[row]):
                continue
            p.rows.append(row)
            p.cols.append(j)
            p.amounts.append(amount)
            self.members.setdefault(row, []).append((j, amount))
            if row in self.active:
                self.active[row].SetCoefficient(var, amount)
            for k in self.cut_divisors.get(row, ()):
                self.cuts[row, k].SetCoefficient(var, amount / slots * cuts.uses(slots, k))
        if LATENESS in self.level_rows:
            self.level_rows[LATENESS].SetCoefficient(var, p.late[j])
        self.lp.Objective().SetCoefficient(var, self.coefficient(j))
        return True

    def coefficient(self, j: int) -> float:
        if self.phase == LATENESS:
            return self.paths.late[j]
        if self.phase == COST:
            return self.paths.cost[j]
        return 0.0

    # -- rows ----------------------------------------------------------------

    def usage(self, x: FloatArray) -> FloatArray:
        p = self.paths
        cols = np.array(p.cols, np.int64)
        weights: FloatArray = np.array(p.amounts) * x[cols] if len(cols) else np.zeros(0)
        rows = np.array(p.rows, np.int64)
        used = np.bincount(rows, weights=weights, minlength=self.grid.num_rows)
        return np.asarray(used, np.float64)

    def add_violated(self, x: FloatArray) -> int:
        """Add every capacity row the solution `x` breaks; how many were added."""
        over = np.flatnonzero(self.usage(x) > self.grid.cap + FEASIBILITY)
        added = 0
        for row in over.tolist():
            if row in self.active:
                continue
            con = self.lp.Constraint(-self.lp.infinity(), float(self.grid.cap[row]))
            for j, amount in self.members.get(row, []):
                con.SetCoefficient(self.vars[j], amount)
            self.active[row] = con
            added += 1
        return added

    def add_cuts(self, x: FloatArray) -> int:
        """Add every rounding cut (`cuts`) the solution `x` breaks; how many were added."""
        p = self.paths
        rows = np.array(p.rows, np.int64)
        on_link = rows < self.n_link_rows
        cols = np.array(p.cols, np.int64)[on_link]
        slots = self.demand.slots[np.array(p.group, np.int64)[cols]] if len(cols) else cols
        amounts = np.array(p.amounts)[on_link]
        found = cuts.violated(
            self.grid, x, rows=rows[on_link], cols=cols, amounts=amounts, slots=slots
        )
        found = [cut for cut in found if cut not in self.cuts]
        for row, k in found:
            con = self.lp.Constraint(-self.lp.infinity(), float(np.floor(self.grid.cap[row] / k)))
            for j, amount in self.members.get(row, []):
                size = int(self.demand.slots[p.group[j]])
                if cuts.uses(size, k):
                    con.SetCoefficient(self.vars[j], amount / size * cuts.uses(size, k))
            self.cuts[row, k] = con
            self.cut_divisors.setdefault(row, []).append(k)
        return len(found)

    # -- phases --------------------------------------------------------------

    def start_with_lateness(self, unplanned_weight: float) -> None:
        """Skip the first level: minimise lateness with unplanned units at a heavy price.

        If the optimum leaves no unit unplanned it is also the optimum of the
        first two levels; otherwise the caller goes back to `UNPLANNED`.
        """
        self.phase = LATENESS
        self.unplanned_weight = unplanned_weight
        self.set_objective()

    def restart(self) -> None:
        """Back to the first level (the heavy price did not bring every unit in)."""
        self.phase = UNPLANNED
        self.unplanned_weight = 0.0
        self.set_objective()

    def hold(self, level: int, value: float) -> None:
        """Keep `level` at its bound `value` rounded up (and a hair of slack) from now on.

        Units and unit-days are whole, so no whole plan does better than the
        bound rounded up; holding there, rather than at the LP's fraction,
        keeps the next level's bound true for whole plans.
        """
        value = math.ceil(value - 1e-6)
        slack = 1e-6 * max(1.0, abs(value))
        con = self.lp.Constraint(-self.lp.infinity(), value + slack)
        if level == UNPLANNED:
            for var in self.unplanned:
                con.SetCoefficient(var, 1.0)
        else:
            for j, var in enumerate(self.vars):
                con.SetCoefficient(var, self.paths.late[j])
        self.level_rows[level] = con

    def next_phase(self, value: float) -> None:
        """Hold the current level at `value` and minimise the next one."""
        if self.phase == LATENESS and UNPLANNED not in self.level_rows:
            unplanned = self.units_unplanned()
            value -= self.unplanned_weight * unplanned
            self.hold(UNPLANNED, unplanned)
            self.unplanned_weight = 0.0
        self.hold(self.phase, value)
        self.phase += 1
        self.set_objective()

    def set_objective(self) -> None:
        objective = self.lp.Objective()
        objective.SetMinimization()
        weight = 1.0 if self.phase == UNPLANNED else self.unplanned_weight
        for var in self.unplanned:
            objective.SetCoefficient(var, weight)
        for j, var in enumerate(self.vars):
            objective.SetCoefficient(var, self.coefficient(j))

    def units_unplanned(self) -> float:
        return float(sum(v.solution_value() for v in self.unplanned))

    def reduced_cost(self, column: Column, prices: Prices) -> float:
        """Reduced cost of a path under `prices`, priced as the pricing prices it."""
        g, grid = column.group, self.grid
        slots = int(self.demand.slots[g])
        value = -float(prices.supply[g])
        value += prices.late_weight * max(0, column.arrive - int(self.demand.due[g]))
        value += prices.cost_weight * slots * float(sum(grid.cost[k] for k, _ in column.legs))
        usage = leg_usage(grid, column.legs, slots)
        value += sum(float(prices.penalty[row]) * amount for row, amount in usage.items())
        if prices.cut_penalty is not None:
            uses = cuts.weights(np.array([slots]), prices.cut_penalty.shape[1])[:, 0]
            for row, amount in usage.items():
                if row < self.n_link_rows:
                    value += amount / slots * float(prices.cut_penalty[row] @ uses)
        return value

    # -- solving -------------------------------------------------------------

    def solve(self, time_limit_s: float) -> tuple[bool, FloatArray, FloatArray, Prices]:
        """Solve; (optimal?, path units, unplanned units, prices for the pricing)."""
        self.lp.SetTimeLimit(max(1, int(time_limit_s * 1000)))
        status = self.lp.Solve()
        optimal = status == pywraplp.Solver.OPTIMAL
        x = np.array([v.solution_value() for v in self.vars])
        u = np.array([v.solution_value() for v in self.unplanned])
        penalty = np.zeros(self.grid.num_rows)
        for row, con in self.active.items():
            penalty[row] = max(0.0, -con.dual_value())
        supply = np.array([c.dual_value() for c in self.supply])
        cut_penalty = None
        if self.cuts:
            cut_penalty = np.zeros((self.n_link_rows, self.max_slots + 1))
            for (row, k), con in self.cuts.items():
                cut_penalty[row, k] = max(0.0, -con.dual_value())
        late_weight = 0.0
        if self.phase == LATENESS:
            late_weight = 1.0
        elif self.phase == COST:
            late_weight = max(0.0, -self.level_rows[LATENESS].dual_value())
        cost_weight = 1.0 if self.phase == COST else 0.0
        prices = Prices(supply, penalty, cost_weight, late_weight, cut_penalty=cut_penalty)
        return optimal, x, u, prices

    def objective_value(self) -> float:
        return float(self.lp.Objective().Value())
