"""Level 3, fleet commonality: fewest distinct item types per receiving unit.

Opening a (unit, item type) pair has a fixed cost, which a flow cannot
express. Slope scaling turns the fixed cost into a per-unit cost F / x,
where x is the flow the pair carried in the previous solution, and solves
the flow again until the set of open pairs repeats. The first solve uses
F / cap (cap = the most the pair could ever carry): that is the linear
relaxation, whose optimum is a lower bound on the number of open pairs.
A final solve closes the unused pairs and minimises transport exactly.
Levels 1, 2 and stability stay locked in every solve.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from materiel.donations.planning.flow import CostOverflow, locked_caps
from materiel.donations.planning.flownet import PAIR, FlowNet, IntArray
from materiel.donations.planning.instance import Instance
from materiel.donations.planning.stages import largest_fitting_scale, locked_solve


@dataclass
class Solution:
    """A locked-optimal flow with its level-3 and level-4 values."""

    flows: IntArray
    open_pairs: int
    transport: int

    def key(self) -> tuple[int, int]:
        return (self.open_pairs, self.transport)


@dataclass
class Outcome:
    """Best solution of a component and the lower bound on its open pairs."""

    best: Solution
    bound: float | None
    iterations: int
    complete: bool


def pair_flow(net: FlowNet, flows: IntArray) -> IntArray:
    """Units carried per (unit, item type) pair."""
    has_pair = net.pair >= 0
    carried = np.bincount(net.pair[has_pair], weights=flows[has_pair], minlength=len(net.pair_keys))
    return carried.astype(np.int64)


def evaluate(net: FlowNet, flows: IntArray, pinned: IntArray) -> Solution:
    """Open pairs (not counting pairs already opened by pins) and transport."""
    opened = int(((pair_flow(net, flows) > 0) & ~pinned).sum())
    return Solution(flows, opened, int((flows * net.trans).sum()))


def pinned_pairs(net: FlowNet, inst: Instance) -> IntArray:
    """Pairs already open because a pin delivers that type to that unit."""
    open_keys = {
        (inst.requirements[r].unit_key, inst.pledges[p].item_type) for p, r, _ in inst.pinned
    }
    return np.array([key in open_keys for key in net.pair_keys], dtype=bool)


def pair_capacity(net: FlowNet, inst: Instance) -> IntArray:
    """The most each pair could carry: min(units' demand accepting it, supply of its type)."""
    demand: dict[int, dict[int, int]] = defaultdict(dict)
    arcs = np.flatnonzero(net.kind == PAIR)
    for pair, r in zip(net.pair[arcs].tolist(), net.b[arcs].tolist(), strict=True):
        demand[pair][r] = inst.demand[r]
    supply: dict[str, int] = defaultdict(int)
    for p in net.pledges:
        supply[inst.pledges[p].item_type] += inst.supply[p]
    caps = [
        min(sum(demand[i].values()), supply[item_type])
        for i, (_, item_type) in enumerate(net.pair_keys)
    ]
    return np.maximum(np.asarray(caps, np.int64), 1)


def bound_solve(
    net: FlowNet, met: dict[int, int], cap: IntArray, pinned: IntArray
) -> tuple[IntArray, float] | None:
    """Solve the linear relaxation; returns its flow and its value (a lower bound)."""
    scale = largest_fitting_scale(net, met, with_trans=False)
    if scale == 0:
        return None
    slopes = np.where(pinned, 0, scale // cap).astype(np.int64)
    flows = locked_solve(net, met, slopes, with_trans=False)
    return flows, float((pair_flow(net, flows) * slopes).sum()) / scale


def next_slopes(carried: IntArray, previous: IntArray, pinned: IntArray, scale: int) -> IntArray:
    """F / x for pairs that carried flow; unused pairs keep their slope."""
    slopes = np.where(carried > 0, np.round(scale / np.maximum(carried, 1)), previous)
    return np.where(pinned, 0, slopes).astype(np.int64)


def polish(net: FlowNet, met: dict[int, int], best: Solution, pinned: IntArray) -> Solution:
    """Close the pairs the best solution does not use; then least transport exactly."""
    carried = pair_flow(net, best.flows)
    closed_pair = (carried == 0) & ~pinned
    _, cap = locked_caps(net, met)
    has_pair = net.pair >= 0
    closed = np.zeros(len(cap), dtype=bool)
    closed[has_pair] = closed_pair[net.pair[has_pair]]
    cap = np.where(closed, 0, cap)
    flows = locked_solve(net, met, None, with_trans=True, cap=cap)
    return evaluate(net, flows, pinned)


def improve(
    inst: Instance,
    *,
    net: FlowNet,
    met: dict[int, int],
    start: Solution | None,
    out_of_time: Callable[[], bool],
    max_iterations: int = 25,
) -> Outcome:
    """Slope scaling from the relaxation; best solution, bound and completeness."""
    if start is not None and out_of_time():
        return Outcome(start, None, 0, False)  # already optimal on levels 1, 2 and 5
    pinned = pinned_pairs(net, inst)
    cap = pair_capacity(net, inst)
    relaxed = bound_solve(net, met, cap, pinned)
    if relaxed is None:
        assert start is not None
        return Outcome(start, None, 0, False)
    flows, bound = relaxed
    best = evaluate(net, flows, pinned)
    if start is not None and start.key() < best.key():
        best = start
    scale = largest_fitting_scale(net, met, with_trans=True)
    slopes = np.where(pinned, 0, scale // cap).astype(np.int64)
    seen = {frozenset(np.flatnonzero(pair_flow(net, flows)).tolist())}
    iterations, complete = 1, True
    while iterations < max_iterations and scale > 0 and best.open_pairs > math.ceil(bound - 1e-9):
        if out_of_time():
            complete = False
            break
        slopes = next_slopes(pair_flow(net, flows), slopes, pinned, scale)
        try:
            flows = locked_solve(net, met, slopes, with_trans=True)
        except CostOverflow:
            break
        iterations += 1
        current = evaluate(net, flows, pinned)
        best = min(best, current, key=Solution.key)
        open_set = frozenset(np.flatnonzero(pair_flow(net, flows)).tolist())
        if open_set in seen:
            break
        seen.add(open_set)
    if complete or start is None:
        best = polish(net, met, best, pinned)
    return Outcome(best, bound, iterations, complete)
