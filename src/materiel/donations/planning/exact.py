"""Exact lexicographic min-cost flow by reduced-cost fixing, with column generation.

A min-cost flow is optimal exactly when node potentials exist under which
no residual arc has a negative reduced cost. For any such potentials, an
arc with a positive reduced cost carries no flow in *any* optimal flow and
an arc with a negative reduced cost is full in every optimal flow
(complementary slackness). So after solving one level, fixing those arcs
leaves a network whose feasible flows are exactly the optimal flows of that
level: the next level is solved on it with its own small costs, no big
weights, no integer overflow, and usually on far fewer arcs.

Large components are solved by column generation: the solver sees a sample
of the pairing arcs (the cheapest per requirement and per pledge, plus the
arcs the last solution used); potentials are computed on that restricted
network, and every left-out arc is priced. If none has a negative reduced
cost the restricted optimum is optimal for the whole network (the
potentials certify it); otherwise the most violated arcs are added and the
restricted network is solved again. Optimality is always certified, never
assumed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from ortools.graph.python.min_cost_flow import SimpleMinCostFlow

from materiel.core.errors import PlanningFailed
from materiel.donations.planning.flownet import PAIR, BoolArray, FlowNet, IntArray

# Below this many free pairing arcs a component is solved in one go.
DIRECT_SOLVE_ARCS = 150_000
# Pairing arcs sampled per requirement and per pledge when column generation starts.
SEED_PER_REQUIREMENT = 8
SEED_PER_PLEDGE = 24
# Violated arcs added per node and round.
ADD_PER_NODE = 8
# OR-Tools scales costs by about (nodes + 1) internally; stay well inside int64.
COST_LIMIT = 2**53


class CostOverflow(Exception):
    """The costs of a solve do not fit the solver's integer range."""


class Infeasible(Exception):
    """No flow meets the supplies with the arcs left open."""


@dataclass
class State:
    """The optimal face so far: free arcs, flows fixed on the others, residual supplies."""

    free: BoolArray
    fixed: IntArray
    supply: IntArray

    @classmethod
    def start(cls, net: FlowNet, supply: IntArray) -> State:
        return cls(np.ones(len(net.tail), bool), np.zeros(len(net.tail), np.int64), supply)

    def without(self, closed: BoolArray) -> State:
        """The same face with some free arcs closed (held at zero flow)."""
        return State(self.free & ~closed, self.fixed, self.supply)


def check_range(net: FlowNet, cost: IntArray) -> None:
    """Raise CostOverflow when the largest cost times the node count is too big."""
    largest = int(np.abs(cost).max(initial=0))
    if largest * (net.num_nodes + 1) >= COST_LIMIT:
        raise CostOverflow(f"largest arc cost {largest} with {net.num_nodes} nodes")


def min_cost_flow(
    tail: IntArray, head: IntArray, cap: IntArray, cost: IntArray, supply: IntArray
) -> IntArray:
    """Optimal flow per arc of one network (OR-Tools cost scaling)."""
    smcf = SimpleMinCostFlow()
    smcf.add_arcs_with_capacity_and_unit_cost(tail, head, cap, cost)
    nodes = np.flatnonzero(supply)
    smcf.set_nodes_supplies(nodes, supply[nodes])
    status = smcf.solve()
    if status == SimpleMinCostFlow.BAD_COST_RANGE:
        raise CostOverflow("solver refused the cost range")
    if status == SimpleMinCostFlow.INFEASIBLE:
        raise Infeasible("no feasible flow")
    if status != SimpleMinCostFlow.OPTIMAL:
        raise PlanningFailed(f"min-cost flow ended with status {status}")
    flows: IntArray = smcf.flows(np.arange(len(tail)))
    return flows


def potentials(
    num_nodes: int, tail: IntArray, head: IntArray, cost: IntArray, *, cap: IntArray, flow: IntArray
) -> IntArray:
    """Node potentials d with d[v] <= d[u] + c on every residual arc (Bellman-Ford).

    Starts from 0 everywhere (a virtual source joined to every node), relaxes
    only out of nodes whose label changed; terminates because an optimal
    flow leaves no negative cycle.
    """
    fwd, bwd = flow < cap, flow > 0
    u = np.concatenate([tail[fwd], head[bwd]])
    v = np.concatenate([head[fwd], tail[bwd]])
    w = np.concatenate([cost[fwd], -cost[bwd]])
    order = np.argsort(u, kind="stable")
    u, v, w = u[order], v[order], w[order]
    starts = np.searchsorted(u, np.arange(num_nodes + 1))
    d = np.zeros(num_nodes, np.int64)
    changed = np.ones(num_nodes, bool)
    for _ in range(num_nodes + 1):
        nodes = np.flatnonzero(changed)
        if not len(nodes):
            return d
        lo, hi = starts[nodes], starts[nodes + 1]
        sizes = hi - lo
        arcs = np.repeat(lo - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
        new = d.copy()
        np.minimum.at(new, v[arcs], d[u[arcs]] + w[arcs])
        changed = new < d
        d = new
    raise PlanningFailed("negative cycle: the flow was not optimal")  # pragma: no cover


def reduced(net: FlowNet, cost: IntArray, d: IntArray, arcs: IntArray) -> IntArray:
    """Reduced costs of some arcs under potentials d."""
    rc: IntArray = cost[arcs] + d[net.tail[arcs]] - d[net.head[arcs]]
    return rc


def sample_best(
    group: IntArray, key: IntArray, per_group: int, size: int, rng: np.random.Generator
) -> BoolArray:
    """Per group, about `per_group` of the items whose key is the group's least."""
    least = np.full(size, np.iinfo(np.int64).max, np.int64)
    np.minimum.at(least, group, key)
    best = key == least[group]
    count = np.bincount(group[best], minlength=size)
    chance = per_group / np.maximum(count[group], 1)
    chosen: BoolArray = best & (rng.random(len(group)) < chance)
    return chosen


def solve_exact(
    net: FlowNet,
    state: State,
    cost: IntArray,
    seed: IntArray | None = None,
    *,
    certify: bool = True,
) -> tuple[IntArray, IntArray]:
    """Optimal flow on the free arcs (fixed flows added back) and certifying potentials.

    With `certify=False` a network solved in one go skips the potentials
    (returned as zeros): for searches that only want the flow.
    """
    check_range(net, cost)
    free = np.flatnonzero(state.free)
    is_pair = net.kind[free] == PAIR
    pairs, others = free[is_pair], free[~is_pair]
    active = np.zeros(len(net.tail), bool)
    if len(pairs) <= DIRECT_SOLVE_ARCS:
        active[free] = True
    else:
        rng = np.random.default_rng(len(pairs))
        active[others] = True
        c = cost[pairs]
        n = net.num_nodes
        active[pairs[sample_best(net.head[pairs], c, SEED_PER_REQUIREMENT, n, rng)]] = True
        active[pairs[sample_best(net.tail[pairs], c, SEED_PER_PLEDGE, n, rng)]] = True
        if seed is not None:
            active[pairs[seed[pairs] > 0]] = True
    while True:
        idx = np.flatnonzero(active)
        tail, head, cap = net.tail[idx], net.head[idx], net.cap[idx]
        try:
            flow = min_cost_flow(tail, head, cap, cost[idx], state.supply)
        except Infeasible:
            if active[pairs].all():
                raise
            active[pairs] = True  # the sample was too thin: price everything
            continue
        if not certify and active[pairs].all():
            flows = state.fixed.copy()
            flows[idx] = flow
            return flows, np.zeros(net.num_nodes, np.int64)
        d = potentials(net.num_nodes, tail, head, cost[idx], cap=cap, flow=flow)
        left_out = pairs[~active[pairs]]
        rc = reduced(net, cost, d, left_out)
        violated = rc < 0
        if not violated.any():
            flows = state.fixed.copy()
            flows[idx] = flow
            return flows, d
        bad, bad_rc = left_out[violated], rc[violated]
        rng = np.random.default_rng(len(bad))
        n = net.num_nodes
        add = sample_best(net.head[bad], bad_rc, ADD_PER_NODE, n, rng)
        add |= sample_best(net.tail[bad], bad_rc, ADD_PER_NODE, n, rng)
        active[bad[add] if add.any() else bad] = True


def fix(net: FlowNet, state: State, cost: IntArray, flows: IntArray, d: IntArray) -> State:
    """The face of optimal flows: drop arcs with positive, fill arcs with negative reduced cost."""
    free = np.flatnonzero(state.free)
    rc = reduced(net, cost, d, free)
    keep = state.free.copy()
    keep[free[rc != 0]] = False
    full = free[rc < 0]
    fixed = state.fixed.copy()
    fixed[full] = net.cap[full]
    supply = state.supply.copy()
    np.add.at(supply, net.tail[full], -net.cap[full])
    np.add.at(supply, net.head[full], net.cap[full])
    assert np.array_equal(flows[free[rc > 0]], np.zeros(int((rc > 0).sum()), np.int64))
    return State(keep, fixed, supply)
