"""Level 3 as mixed-integer programs on the optimal face: exact when small, merged when large.

On the face left by levels 1, 2 and stability (`stages.exact_levels`) the
fewest open (unit, item type) pairs is a fixed-charge flow problem: a flow
x on the free arcs and a 0/1 y per pair. x can stay continuous: once the
open pairs are chosen, what remains is a network flow, whose vertices are
integral. The linking rows are the strong ones, aggregated per
(requirement, pair) and per (pledge, pair):

    sum of x into r through pair P  <=  most r can still receive  * y_P
    sum of x out of p through P     <=  min(p's supply, what P's
                                         requirements reachable from p
                                         can receive)              * y_P

which together imply x_{p,r} <= min(q_p, q_r) y_P per arc. SCIP solves it,
seeded with the search's best flow; its dual bound is a proven lower bound
on the open pairs whether or not it proves optimality within the time
given.

Components with many free arcs (SCIP does not even finish presolving the
60,000 free arcs of a 10k x 5k component) get a relaxation instead: all
pledges of one item type merged into one node, whose arcs to a requirement
carry what those pledges' arcs carried together. Every flow on the face
maps onto the merged network with the same open pairs, so the merged MIP's
dual bound is a lower bound too. It keeps what the covering bound misses,
that an item type's supply is finite and every forced unit of it must land
in some open pair, and is small (a few thousand arcs): SCIP solves it in
about a second. Its open pairs do not always carry a flow on the real face,
but a solve steered onto them (`commonality.guided`) usually lands within a
few pairs of the bound.

SCIP's dual bound is a floating-point value within its tolerances; it is
rounded up only after subtracting BOUND_TOLERANCE.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from ortools.linear_solver import pywraplp

from materiel.donations.planning.exact import State
from materiel.donations.planning.flownet import MET, BoolArray, FlowNet, IntArray

# Above this many free arcs on the face a component gets the merged relaxation instead.
MIP_MAX_ARCS = 6_000
# Seconds the merged relaxation may take at most; share of the time left it may take;
# below RELAXED_MIN_SECONDS it is not started (SCIP rarely proves anything that fast on a
# 10k x 5k component, and the search makes better use of the time).
RELAXED_MAX_SECONDS = 3.0
RELAXED_SHARE = 0.6
RELAXED_MIN_SECONDS = 0.6
# Below this many seconds left the MIP is not started; share of them its solve may take
# (building the model, the transport solve after it and SCIP's own overrun take the rest).
MIP_MIN_SECONDS = 0.2
MIP_SHARE = 0.75
# The exact MIP stops here on one component even with more time left (runs stay short).
MIP_MAX_SECONDS = 10.0
# A dual bound within this of an integer counts as that integer (SCIP's tolerances).
BOUND_TOLERANCE = 1e-6
# An unproven merged solution this close to its bound still steers the search.
NEAR_OPTIMAL = 0.03


@dataclass
class MipResult:
    """The MIP's best open pairs, their number and the proven bound on it."""

    open_pairs: BoolArray
    value: float
    bound: int
    optimal: bool

    def near_optimal(self) -> bool:
        """Within NEAR_OPTIMAL of the bound (or proven): worth steering the search onto."""
        return self.optimal or self.value <= (1 + NEAR_OPTIMAL) * self.bound


@dataclass
class Arcs:
    """A network for the MIP: arcs with their pair (-1 for none) and node supplies.

    `source` maps each free arc of the face to the arc here that carries its flow.
    """

    tail: IntArray
    head: IntArray
    cap: IntArray
    pair: IntArray
    supply: IntArray
    source: IntArray


@dataclass
class Model:
    """The solver with its variables, for hints and for reading the answer back."""

    solver: pywraplp.Solver
    x: list[pywraplp.Variable]
    y: list[pywraplp.Variable]


def fits(state: State) -> bool:
    """Small enough for the exact MIP."""
    return int(state.free.sum()) <= MIP_MAX_ARCS


def receivable(net: FlowNet, state: State) -> IntArray:
    """Per node: the most a requirement can still receive through free arcs (0 elsewhere)."""
    met = np.flatnonzero(net.kind == MET)
    reqs = net.tail[met]
    most = np.where(state.free[met], net.cap[met], 0) - state.supply[reqs]
    room = np.zeros(net.num_nodes, np.int64)
    room[reqs] = np.maximum(most, 0)
    return room


def face_arcs(net: FlowNet, state: State) -> Arcs:
    """The free arcs of the face, as they are."""
    free = np.flatnonzero(state.free)
    same = np.arange(len(free), dtype=np.int64)
    return Arcs(net.tail[free], net.head[free], net.cap[free], net.pair[free], state.supply, same)


def merged_arcs(net: FlowNet, state: State) -> Arcs:
    """The face with the pledges of each item type merged into one node (a relaxation)."""
    n = net.num_nodes
    types = {key[1] for key in net.pair_keys}
    type_number = {t: i for i, t in enumerate(sorted(types))}
    pair_type = np.asarray([type_number[key[1]] for key in net.pair_keys], np.int64)
    node = np.arange(n, dtype=np.int64)
    has_pair = net.pair >= 0
    node[net.tail[has_pair]] = n + pair_type[net.pair[has_pair]]
    free = np.flatnonzero(state.free)
    tail, head, pair = node[net.tail[free]], node[net.head[free]], net.pair[free]
    width = n + len(types)
    key = (tail * width + head) * (len(net.pair_keys) + 1) + pair + 1
    distinct, merged = np.unique(key, return_inverse=True)
    cap = np.bincount(merged, weights=net.cap[free], minlength=len(distinct)).astype(np.int64)
    supply = np.zeros(width, np.int64)
    np.add.at(supply, node, state.supply)
    pair_of = distinct % (len(net.pair_keys) + 1) - 1
    ends = distinct // (len(net.pair_keys) + 1)
    return Arcs(ends // width, ends % width, cap, pair_of, supply, merged.astype(np.int64))


def balance_rows(solver: pywraplp.Solver, arcs: Arcs, x: list[pywraplp.Variable]) -> None:
    """Flow conservation with the face's residual supplies."""
    rows: dict[int, pywraplp.Constraint] = {}

    def row(v: int) -> pywraplp.Constraint:
        if v not in rows:
            rows[v] = solver.Constraint(int(arcs.supply[v]), int(arcs.supply[v]))
        return rows[v]

    for var, tail, head in zip(x, arcs.tail.tolist(), arcs.head.tolist(), strict=True):
        row(tail).SetCoefficient(var, 1)
        row(head).SetCoefficient(var, -1)
    for v in np.flatnonzero(arcs.supply).tolist():
        row(v)


def linking_rows(
    solver: pywraplp.Solver,
    arcs: Arcs,
    room: IntArray,
    x: list[pywraplp.Variable],
    y: list[pywraplp.Variable],
) -> None:
    """x <= capacity * y per (requirement, pair) and per (pledge, pair)."""
    into: dict[tuple[int, int], list[int]] = defaultdict(list)
    out_of: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i in np.flatnonzero(arcs.pair >= 0).tolist():
        pair = int(arcs.pair[i])
        into[(int(arcs.head[i]), pair)].append(i)
        out_of[(int(arcs.tail[i]), pair)].append(i)
    for (r, pair), found in into.items():
        at_most(solver, [x[i] for i in found], y[pair], int(room[r]))
    for (p, pair), found in out_of.items():
        reach = int(room[np.unique(arcs.head[found])].sum())
        at_most(solver, [x[i] for i in found], y[pair], min(int(arcs.supply[p]), reach))


def at_most(
    solver: pywraplp.Solver, xs: list[pywraplp.Variable], y: pywraplp.Variable, most: int
) -> None:
    """sum(xs) <= most * y."""
    row = solver.Constraint(-solver.infinity(), 0)
    for var in xs:
        row.SetCoefficient(var, 1)
    row.SetCoefficient(y, -most)


def build(net: FlowNet, state: State, arcs: Arcs, pinned: BoolArray) -> Model:
    """Fewest open pairs not pinned, pairs with a fixed flow held open."""
    solver = pywraplp.Solver.CreateSolver("SCIP")
    x = [solver.NumVar(0, int(c), "") for c in arcs.cap.tolist()]
    y = [solver.BoolVar("") for _ in net.pair_keys]
    carries = net.pair >= 0
    for pair in np.unique(net.pair[carries & ~state.free & (state.fixed > 0)]).tolist():
        y[pair].SetLb(1)
    balance_rows(solver, arcs, x)
    linking_rows(solver, arcs, receivable(net, state), x, y)
    objective = solver.Objective()
    for i in np.flatnonzero(~pinned).tolist():
        objective.SetCoefficient(y[i], 1)
    objective.SetMinimization()
    return Model(solver, x, y)


def run(model: Model, seconds: float) -> tuple[float, int, bool] | None:
    """Solve within `seconds`: (value, proven bound, optimal) or None if SCIP gave no answer."""
    model.solver.SetTimeLimit(max(100, int(seconds * 1000)))
    status = model.solver.Solve()
    if status not in (pywraplp.Solver.OPTIMAL, pywraplp.Solver.FEASIBLE):
        return None
    objective = model.solver.Objective()
    bound = math.ceil(objective.BestBound() - BOUND_TOLERANCE)
    return objective.Value(), max(bound, 0), status == pywraplp.Solver.OPTIMAL


def hint(model: Model, net: FlowNet, state: State, arcs: Arcs, seed: IntArray) -> None:
    """A flow on the face as SCIP's first solution (x carried over, y where x > 0)."""
    free = np.flatnonzero(state.free)
    flow = np.bincount(arcs.source, weights=seed[free], minlength=len(arcs.cap))
    used = np.zeros(len(net.pair_keys), bool)
    used[net.pair[(net.pair >= 0) & (seed > 0)]] = True
    values = flow.tolist() + [float(u) for u in used.tolist()]
    model.solver.SetHint([*model.x, *model.y], values)


def solve_mip(
    net: FlowNet, state: State, pinned: BoolArray, *, seed: IntArray, seconds: float
) -> MipResult | None:
    """Fewest open pairs on the face within `seconds`, seeded with a flow on the face."""
    return answer(net, state, face_arcs(net, state), pinned, seed=seed, seconds=seconds)


def answer(
    net: FlowNet, state: State, arcs: Arcs, pinned: BoolArray, *, seed: IntArray, seconds: float
) -> MipResult | None:
    """Build, seed and solve one of the two MIPs within `seconds` in all; None if no answer."""
    began = time.monotonic()
    model = build(net, state, arcs, pinned)
    hint(model, net, state, arcs, seed)
    solved = run(model, seconds - (time.monotonic() - began))
    if solved is None:
        return None
    chosen = np.array([v.solution_value() > 0.5 for v in model.y], dtype=bool)
    return MipResult(chosen, *solved)


def solve_relaxed(
    net: FlowNet, state: State, pinned: BoolArray, *, seed: IntArray, seconds: float
) -> MipResult | None:
    """The merged relaxation: its open pairs (not always feasible on the face) and bound."""
    return answer(net, state, merged_arcs(net, state), pinned, seed=seed, seconds=seconds)
