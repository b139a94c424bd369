"""Solve one component's network with OR-Tools' min-cost flow.

Lexicographic objectives become one integer cost per arc: each level's
weight exceeds the largest possible total of all levels below it, so no
trade between levels can pay. The weights are computed with Python
integers and checked against what the solver accepts; a stage that would
overflow drops its lowest levels (the caller solves them in a later stage).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from materiel.core.errors import PlanningFailed
from materiel.donations.planning.flownet import (
    CLASS,
    DIRECT,
    MET,
    PAIR,
    FlowNet,
    IntArray,
)

# OR-Tools scales costs by about (nodes + 1) internally and refuses
# ranges that could overflow; stay well inside int64.
COST_LIMIT = 2**53


class CostOverflow(Exception):
    """The weighted costs of a stage do not fit the solver's integer range."""


@dataclass(frozen=True)
class Weights:
    """Per-unit weight of each cost component; `met` is the reward per priority."""

    late: int = 0
    stab: int = 0
    trans: int = 0
    slope: int = 0
    met: tuple[int, ...] = (0, 0, 0, 0, 0)


@dataclass(frozen=True)
class Ranges:
    """Largest per-unit value of each component and the units that can flow."""

    units: int
    late: int
    trans: int
    stab_units: int


def ranges(net: FlowNet) -> Ranges:
    """Bounds used to make the weights dominate."""
    supply = int(net.supply[: len(net.pledges)].sum())
    demand = int(net.cap[net.kind == MET].sum())
    direct = net.kind == DIRECT
    return Ranges(
        units=min(supply, demand),
        late=int(net.late.max(initial=0)),
        trans=int(net.trans.max()) if len(net.trans) else 0,
        stab_units=int(net.cap[direct].sum()),
    )


def dominate(levels: list[tuple[str, int]]) -> dict[str, int]:
    """Weights for levels given best-first as (name, total range of that level)."""
    weights: dict[str, int] = {}
    below = 0  # largest total of all levels below the current one
    for name, total in reversed(levels):
        weights[name] = below + 1
        below += weights[name] * total
    return weights


def arc_costs(net: FlowNet, w: Weights, slopes: IntArray | None = None) -> IntArray:
    """Weighted integer cost per arc; raises CostOverflow if it would not fit."""
    largest = (
        w.late * int(net.late.max(initial=0))
        + w.stab
        + w.trans * int(net.trans.max(initial=0))
        + w.slope * (int(slopes.max(initial=0)) if slopes is not None else 0)
        + max(w.met)
    )
    if largest * (net.num_nodes + 1) >= COST_LIMIT:
        raise CostOverflow(f"largest arc cost {largest} with {net.num_nodes} nodes")
    cost = w.late * net.late + w.stab * net.stab + w.trans * net.trans
    if slopes is not None and w.slope:
        has_pair = net.pair >= 0
        cost[has_pair] += w.slope * slopes[net.pair[has_pair]]
    classes = net.kind == CLASS
    cost[classes] = -np.asarray(w.met, np.int64)[net.a[classes] - 1]
    return cost


def solve(net: FlowNet, cost: IntArray, supply: IntArray, cap: IntArray) -> IntArray:
    """Optimal flow per arc for the given costs, supplies and capacities."""
    smcf = SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(net.tail, net.head, cap, cost)
    nodes = np.flatnonzero(supply)
    smcf.set_nodes_supplies(nodes, supply[nodes])
    status = smcf.solve()
    if status == SimpleMinCostFlow.BAD_COST_RANGE:
        raise CostOverflow("solver refused the cost range")
    if status != SimpleMinCostFlow.OPTIMAL:
        raise PlanningFailed(f"min-cost flow ended with status {status}")
    flows: IntArray = smcf.flows(np.arange(len(cost)))
    return flows


def met_by_class(net: FlowNet, flows: IntArray) -> dict[int, int]:
    """Units delivered per priority class in a solution."""
    met = net.kind == MET
    return {k: int(flows[met & (net.b == k)].sum()) for k in net.class_node}


def stage_one_caps(net: FlowNet) -> tuple[IntArray, IntArray]:
    """Free class sinks: the rewards decide how much each priority gets."""
    supply = net.supply.copy()
    supply[net.spare_node] = -int(supply[: len(net.pledges)].sum())
    return supply, net.cap


def locked_caps(net: FlowNet, met: dict[int, int]) -> tuple[IntArray, IntArray]:
    """Each class sink must receive exactly what the priority stage gave it."""
    supply = net.supply.copy()
    total = int(supply[: len(net.pledges)].sum())
    for k, node in net.class_node.items():
        supply[node] = -met[k]
    supply[net.spare_node] = -(total - sum(met.values()))
    cap = net.cap.copy()
    cap[net.kind == CLASS] = 0
    return supply, cap


def late_total(net: FlowNet, flows: IntArray) -> int:
    """Unit-days late carried by a flow (chain backward arcs and direct arcs)."""
    late_arcs = (net.kind == PAIR) | (net.kind == DIRECT)
    return int((flows[late_arcs] * net.late[late_arcs]).sum())
