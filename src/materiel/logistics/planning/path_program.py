"""Whole units per priced path: the integer program over the master's paths (HiGHS).

Variables: whole units on each path the master knows (at least `keep`)
and units of each group left unplanned. Rows: every group's units are
planned or unplanned; every capacity row the paths touch; the rounding
cuts the master found (they hold for whole units, so they only tighten
the program); and each level of the objective, once solved, held at its
value while the next is minimised (fewest units unplanned, then fewest
unit-days late, then least cost).

Each level stops at a target when it has one: its LP bound rounded up
for units and unit-days (whole numbers: a plan there is optimal), and
for cost the bound within `OPTIMALITY_GAP`, the relative gap at which
MIP solvers (HiGHS, Gurobi, CPLEX) report a plan optimal by default.
HiGHS's own bound covers only the known paths; the LP's covers every
path, so it is the one the targets and the planner's status use.

HiGHS is OR-Tools' own (through MathOpt): the highspy package ships a
libhighs of another version under the same name, and the two cannot be
loaded in one process.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
from ortools.math_opt.python import mathopt
from ortools.math_opt.solvers import highs_pb2

from materiel.logistics.planning.master import Master
from materiel.logistics.planning.network import FloatArray, IntArray

OPTIMALITY_GAP = 1e-4
# More of HiGHS's effort on heuristics than its default 0.05: the bound
# comes from the LP, so what this program must find is good plans fast.
# With it (and the cut-off below) the large benchmark's cost level reaches
# its target in 18 s; with HiGHS's defaults that took from 35 s to over 60 s.
HEURISTIC_EFFORT = 0.5
SEED = 1
LEVELS = 3
# Of a level's time, with a plan to start from: the rest goes to improving
# that plan (no cut-off) should nothing beat the goal by then.
CUTOFF_SHARE = 0.7


@dataclass(frozen=True)
class Solved:
    """Whole units per path, and whether every level was proven or reached its target."""

    units: IntArray
    proven: bool


@dataclass
class Program:
    """The model, its variables (paths, then unplanned per group) and each level's weights."""

    model: mathopt.Model
    variables: list[mathopt.Variable]
    paths: int
    weights: list[FloatArray]


def targets(bounds: Sequence[float | None]) -> list[float | None]:
    """Each level's stopping point, from the LP bounds of unplanned, late and cost.

    A level's bound only holds while the levels before it are at theirs;
    `solve_levels` drops the targets after a level that misses its own.
    """
    found: list[float | None] = []
    for level, bound in enumerate(bounds):
        if bound is None:
            found.append(None)
        elif level < LEVELS - 1:
            found.append(float(math.ceil(bound - 1e-6)))
        else:
            found.append(bound / (1 - OPTIMALITY_GAP) if bound > 0 else bound + 1e-6)
    return found


def solve_levels(
    master: Master,
    goals: Sequence[float | None],
    time_limit_s: float,
    *,
    keep: IntArray | None = None,
    start: IntArray | None = None,
) -> Solved | None:
    """The levels in turn over every known path; `None` if no whole plan was found in time.

    `start` is a whole plan (units per path) to begin from: a level it
    already brings to its goal is held there without being solved again,
    and a level that finds nothing better than its goal in most of its
    time improves on it for the rest. A level that finds no plan in its
    share of the time keeps the plan of the level before it (which still
    fits every row), and the levels after it are not tried.
    """
    deadline = time.monotonic() + time_limit_s
    if len(master.paths) == 0:
        return None
    program = build(master, keep)
    plan = None if start is None else whole_plan(program, master, start)
    known = () if plan is None else [float(w @ plan) for w in program.weights]
    units: IntArray | None = None
    proven = True
    goals = list(goals) + [None] * (LEVELS - len(goals))
    for level, weights in enumerate(program.weights):
        goal = goals[level]
        if goal is not None and reached_by(known, goals, level):
            hold(program, weights, goal)
            continue
        share = (deadline - time.monotonic()) / (LEVELS - level)
        found = solve_level(program, weights, goal, share, plan) if share > 0 else None
        if found is None:
            return None if units is None else Solved(units, False)
        plan, reached, value = found
        units = plan[: program.paths].astype(np.int64)
        proven &= reached
        hold(program, weights, value)
        if goal is not None and value > goal + 1e-6:
            goals = [None] * LEVELS  # the next levels' bounds assumed this one's
    return None if units is None else Solved(units, proven)


def whole_plan(program: Program, master: Master, units: IntArray) -> FloatArray:
    """Units per path, then units unplanned per group: a value for every variable."""
    short = master.demand.units.astype(np.float64)
    np.subtract.at(short, np.asarray(master.paths.group[: len(units)], np.int64), units)
    paths = np.zeros(program.paths)
    paths[: len(units)] = units
    return np.concatenate([paths, short])


def reached_by(known: Sequence[float], goals: Sequence[float | None], level: int) -> bool:
    """The known plan is at the goals of `level` and every level before it."""
    return min(len(known), len(goals)) > level and all(
        goal is not None and value <= goal + 1e-6
        for value, goal in zip(known[: level + 1], goals[: level + 1], strict=True)
    )


def build(master: Master, keep: IntArray | None) -> Program:
    """Variables and rows; no objective yet."""
    paths, demand = master.paths, master.demand
    n = len(paths)
    group = np.asarray(paths.group, np.int64)
    model = mathopt.Model(name="whole units per path")
    low = np.zeros(n, np.int64) if keep is None else keep
    variables = [
        model.add_integer_variable(lb=float(low[j]), ub=float(demand.units[group[j]]))
        for j in range(n)
    ] + [model.add_integer_variable(lb=0.0, ub=float(u)) for u in demand.units]
    supply = [model.add_linear_constraint(lb=float(u), ub=float(u)) for u in demand.units]
    for g, row in enumerate(supply):
        row.set_coefficient(variables[n + g], 1.0)
    for j, g in enumerate(group.tolist()):
        supply[g].set_coefficient(variables[j], 1.0)
    capacity_rows(model, master, variables)
    cut_rows(model, master, variables)
    zeros = np.zeros(len(demand))
    weights = [
        np.concatenate([np.zeros(n), np.ones(len(demand))]),
        np.concatenate([np.asarray(paths.late), zeros]),
        np.concatenate([np.asarray(paths.cost), zeros]),
    ]
    return Program(model, variables, n, weights)


def capacity_rows(model: mathopt.Model, master: Master, variables: list[mathopt.Variable]) -> None:
    """Every finite capacity row a known path uses (`Paths` keeps only those)."""
    cap = master.grid.cap
    rows: dict[int, mathopt.LinearConstraint] = {}
    for row, j, amount in zip(
        master.paths.rows, master.paths.cols, master.paths.amounts, strict=True
    ):
        if row not in rows:
            rows[row] = model.add_linear_constraint(ub=float(np.floor(cap[row] + 1e-6)))
        rows[row].set_coefficient(variables[j], amount)


def cut_rows(model: mathopt.Model, master: Master, variables: list[mathopt.Variable]) -> None:
    """The master's rounding cuts over the known paths (`cuts`)."""
    slots, group = master.demand.slots, master.paths.group
    for row, k in master.cuts:
        cut = model.add_linear_constraint(ub=float(np.floor(master.grid.cap[row] / k)))
        for j, amount in master.members.get(row, []):
            size = int(slots[group[j]])
            if size // k:
                cut.set_coefficient(variables[j], amount / size * (size // k))


def solve_level(
    program: Program,
    weights: FloatArray,
    goal: float | None,
    time_limit_s: float,
    plan: FloatArray | None,
) -> tuple[FloatArray, bool, float] | None:
    """Minimise `weights`: (every variable's value, reached or proven?, value), or `None`.

    With a goal, plans worse than it are cut off first: HiGHS prunes far
    more, and starts from no plan, which on the large benchmark finds the
    goal sooner than starting from one. Should nothing reach the goal, the
    level is solved again without, from `plan` (a whole plan that fits
    every row so far), so a plan no worse than it comes out.
    """
    deadline = time.monotonic() + time_limit_s
    objective = program.model.objective
    objective.clear()
    objective.is_maximize = False
    for i in np.flatnonzero(weights).tolist():
        objective.set_linear_coefficient(program.variables[i], float(weights[i]))
    if goal is not None:
        first = time_limit_s * (CUTOFF_SHARE if plan is not None else 1.0)
        found = read(program, run(program, goal, goal, first), weights, goal)
        # HiGHS may hand back a plan above the cut-off (as optimal): it is only a start then.
        if found is not None and found[2] <= goal + 1e-6:
            return found
        if found is not None and (plan is None or found[2] < float(weights @ plan)):
            plan = found[0]
    left = deadline - time.monotonic()
    return read(program, run(program, goal, None, left, hint=plan), weights, goal)


def read(
    program: Program, result: mathopt.SolveResult, weights: FloatArray, goal: float | None
) -> tuple[FloatArray, bool, float] | None:
    """The plan of a solve, whether it is proven or at its goal, and its value."""
    if not result.has_primal_feasible_solution():
        return None
    values = np.rint(np.asarray(result.variable_values(program.variables)))
    value = float(weights @ values)
    reached = result.termination.reason == mathopt.TerminationReason.OPTIMAL or (
        goal is not None and value <= goal + 1e-6
    )
    return values, reached, value


def run(
    program: Program,
    goal: float | None,
    cutoff: float | None,
    time_limit_s: float,
    hint: FloatArray | None = None,
) -> mathopt.SolveResult:
    """One HiGHS solve: stop at `goal`, keep no plan above `cutoff`, start from `hint`."""
    options = highs_pb2.HighsOptionsProto()
    options.double_options["mip_heuristic_effort"] = HEURISTIC_EFFORT
    options.int_options["random_seed"] = SEED
    if goal is not None:
        options.double_options["objective_target"] = goal
    if cutoff is not None:
        # Whole levels may sit exactly on their goal: leave them room.
        options.double_options["objective_bound"] = (
            cutoff + 0.5 if cutoff == round(cutoff) else cutoff
        )
    params = mathopt.SolveParameters(
        time_limit=timedelta(seconds=max(0.1, time_limit_s)),
        relative_gap_tolerance=0.0 if goal is not None else None,
        highs=options,
    )
    model_params = None
    if hint is not None:
        values = dict(zip(program.variables, hint.tolist(), strict=True))
        model_params = mathopt.ModelSolveParameters(
            solution_hints=[mathopt.SolutionHint(variable_values=values)]
        )
    return mathopt.solve(
        program.model, mathopt.SolverType.HIGHS, params=params, model_params=model_params
    )


def hold(program: Program, weights: FloatArray, value: float) -> None:
    """Keep this level at `value` (and a hair of slack) while the next is minimised."""
    slack = 1e-6 * max(1.0, abs(value))
    row = program.model.add_linear_constraint(ub=value + slack)
    for i in np.flatnonzero(weights).tolist():
        row.set_coefficient(program.variables[i], float(weights[i]))
