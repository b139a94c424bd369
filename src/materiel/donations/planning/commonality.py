"""Level 3, fleet commonality: fewest distinct item types per receiving unit.

Everything here works on the face of flows that are optimal on levels 1,
2 and stability (`stages.exact_levels`), so no solve can lose those levels
and the costs stay small.

Opening a (unit, item type) pair has a fixed cost, which a flow cannot
express. Slope scaling turns the fixed cost into a per-unit cost F / x,
where x is the flow the pair carried in the previous solution, and solves
again until the set of open pairs repeats. A final solve closes the unused
pairs and minimises transport exactly (level 4 given level 3).

Lower bound, the largest of these (all over the same face):
- covering: a requirement whose units are all forced (its priority class
  is met in full, say) must receive some item type it can take; per
  receiving unit, the fewest types hitting every such requirement's
  accepted set (exact for small type sets, a disjoint packing otherwise);
- relaxation: each pair costs x / cap, cap the most that pair could carry;
- the dual bounds of the MIPs in `commonality_mip` (see `level3`).

These are the search's parts; `level3.improve` puts them together.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from materiel.donations.planning.exact import CostOverflow, Infeasible, State, solve_exact
from materiel.donations.planning.flownet import DIRECT, MET, PAIR, BoolArray, FlowNet, IntArray
from materiel.donations.planning.instance import Instance

RELAXATION_SCALE = 10**6
SEARCH_SCALE = 10**4
EXACT_COVER_TYPES = 12  # exact hitting set up to this many types per group


@dataclass
class Solution:
    """A flow optimal on levels 1, 2 and stability, with its level-3 and level-4 values."""

    flows: IntArray
    open_pairs: int
    transport: int

    def key(self) -> tuple[int, int]:
        return (self.open_pairs, self.transport)


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


def pair_capacity(net: FlowNet, state: State) -> IntArray:
    """The most each pair could carry: the demand of the requirements it can reach."""
    usable = ((net.kind == PAIR) | (net.kind == DIRECT)) & (state.free | (state.fixed > 0))
    arcs = np.flatnonzero(usable)
    met = np.flatnonzero(net.kind == MET)
    demand = np.zeros(net.num_nodes, np.int64)
    demand[net.tail[met]] = net.cap[met]
    key = net.pair[arcs] * np.int64(net.num_nodes) + net.head[arcs]
    distinct = np.unique(key)
    caps = np.bincount(
        distinct // net.num_nodes,
        weights=demand[distinct % net.num_nodes],
        minlength=len(net.pair_keys),
    )
    return np.maximum(caps.astype(np.int64), 1)


def forced_sets(net: FlowNet, state: State, pinned: IntArray) -> list[frozenset[int]]:
    """Per requirement that must receive units: the pairs it could receive them through."""
    met = np.flatnonzero(net.kind == MET)
    forced = met[~state.free[met] & (state.fixed[met] > 0)]
    is_forced = np.zeros(net.num_nodes, bool)
    is_forced[net.tail[forced]] = True
    carries = (net.kind == PAIR) | (net.kind == DIRECT)
    arcs = np.flatnonzero(carries & (state.free | (state.fixed > 0)) & is_forced[net.head])
    sets: dict[int, set[int]] = defaultdict(set)
    for node, pair in zip(net.head[arcs].tolist(), net.pair[arcs].tolist(), strict=True):
        sets[node].add(pair)
    sure = np.flatnonzero(carries & ~state.free & (state.fixed > 0))
    found = [frozenset(s) for s in sets.values()]
    found += [frozenset((p,)) for p in set(net.pair[sure].tolist())]
    return [s for s in found if not any(pinned[p] for p in s)]


def cover_size(sets: list[frozenset[int]]) -> int:
    """Fewest elements hitting every set (exact when small, else a disjoint packing)."""
    universe = sorted(set().union(*sets))
    if len(universe) <= EXACT_COVER_TYPES:
        for size in range(1, len(universe) + 1):
            for chosen in itertools.combinations(universe, size):
                picked = set(chosen)
                if all(picked & s for s in sets):
                    return size
    disjoint: list[frozenset[int]] = []
    for s in sorted(sets, key=len):
        if all(not (s & d) for d in disjoint):
            disjoint.append(s)
    return len(disjoint)


def covering_bound(net: FlowNet, state: State, pinned: IntArray) -> int:
    """Sum over groups of overlapping forced sets of their least hitting set."""
    sets = list(set(forced_sets(net, state, pinned)))
    parent = list(range(len(net.pair_keys)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for s in sets:
        first, *rest = s
        for other in rest:
            parent[find(other)] = find(first)
    groups: dict[int, list[frozenset[int]]] = defaultdict(list)
    for s in sets:
        groups[find(next(iter(s)))].append(s)
    return sum(cover_size(g) for g in groups.values())


def slope_costs(net: FlowNet, slopes: IntArray, with_trans: bool) -> IntArray:
    """Per-unit cost: the pair's slope (above transport when with_trans) plus transport."""
    if with_trans:
        step = int(net.trans.max(initial=0)) + 1
        cost = net.trans.copy()
    else:
        step = 1
        cost = np.zeros(len(net.tail), np.int64)
    has_pair = net.pair >= 0
    cost[has_pair] += step * slopes[net.pair[has_pair]]
    return cost


def next_slopes(carried: IntArray, previous: IntArray, pinned: IntArray, scale: int) -> IntArray:
    """F / x for pairs that carried flow; unused pairs keep their slope."""
    slopes = np.where(carried > 0, np.round(scale / np.maximum(carried, 1)), previous)
    return np.where(pinned, 0, slopes).astype(np.int64)


def polish(net: FlowNet, state: State, best: Solution, pinned: IntArray) -> Solution:
    """Close the pairs the best solution does not use; then least transport exactly."""
    carried = pair_flow(net, best.flows)
    has_pair = net.pair >= 0
    closed = np.zeros(len(net.tail), dtype=bool)
    closed[has_pair] = ((carried == 0) & ~pinned)[net.pair[has_pair]]
    flows, _ = solve_exact(net, state.without(closed), net.trans, seed=best.flows, certify=False)
    return evaluate(net, flows, pinned)


def arcs_of(net: FlowNet, pairs: IntArray) -> BoolArray:
    """Mask of the arcs that belong to the given pairs."""
    chosen = np.zeros(len(net.pair_keys) + 1, dtype=bool)
    chosen[pairs] = True
    mask: BoolArray = chosen[net.pair]  # net.pair is -1 for arcs without a pair: the spare slot
    return mask


def close_pairs(
    net: FlowNet,
    state: State,
    best: Solution,
    *,
    pinned: IntArray,
    cap: IntArray,
    out_of_time: Callable[[], bool],
) -> tuple[Solution, int]:
    """Local search: close batches of lightly used pairs, re-route onto pairs already open.

    Each try closes some open pairs and solves with no slope on the pairs
    that stay open and F / cap on every other pair; it is kept when it opens
    fewer pairs. A batch that fails is halved; a single pair that fails is
    not tried again.
    """
    tried = np.zeros(len(net.pair_keys), dtype=bool)
    batch, solves = 0, 0
    while not out_of_time():
        carried = pair_flow(net, best.flows)
        open_now = (carried > 0) & ~pinned
        queue = np.flatnonzero(open_now & ~tried)
        if not len(queue):
            break
        queue = queue[np.argsort(carried[queue], kind="stable")]
        batch = min(batch or max(1, len(queue) // 8), len(queue))
        trial = queue[:batch]
        slopes = np.where(open_now | pinned, 0, SEARCH_SCALE // cap).astype(np.int64)
        slopes[trial] = 0
        solves += 1
        try:
            flows, _ = solve_exact(
                net,
                state.without(arcs_of(net, trial)),
                slope_costs(net, slopes, True),
                certify=False,
            )
            found: Solution | None = evaluate(net, flows, pinned)
        except (Infeasible, CostOverflow):
            found = None
        if found is not None and found.open_pairs < best.open_pairs:
            best = found
        elif batch > 1:
            batch //= 2
        else:
            tried[trial] = True
    return best, solves


def slope_scaling(
    net: FlowNet,
    state: State,
    flows: IntArray,
    *,
    best: Solution,
    pinned: IntArray,
    cap: IntArray,
    bound: float,
    out_of_time: Callable[[], bool],
    max_iterations: int,
) -> tuple[Solution, int, bool]:
    """F / x slopes from the last flow until the set of open pairs repeats.

    Returns the best solution, the solves made and whether it ran to its end.
    """
    slopes = np.where(pinned, 0, SEARCH_SCALE // cap).astype(np.int64)
    seen = {frozenset(np.flatnonzero(pair_flow(net, flows)).tolist())}
    iterations = 0
    while iterations < max_iterations and best.open_pairs > bound:
        if out_of_time():
            return best, iterations, False
        slopes = next_slopes(pair_flow(net, flows), slopes, pinned, SEARCH_SCALE)
        try:
            flows, _ = solve_exact(
                net, state, slope_costs(net, slopes, True), seed=flows, certify=False
            )
        except CostOverflow:
            break
        iterations += 1
        best = min(best, evaluate(net, flows, pinned), key=Solution.key)
        open_set = frozenset(np.flatnonzero(pair_flow(net, flows)).tolist())
        if open_set in seen:
            break
        seen.add(open_set)
    return best, iterations, True


def guided(
    net: FlowNet, state: State, chosen: BoolArray, *, pinned: IntArray, cap: IntArray
) -> Solution | None:
    """One solve with no slope on the chosen pairs and F / cap on the others."""
    slopes = np.where(chosen | pinned.astype(bool), 0, SEARCH_SCALE // cap).astype(np.int64)
    try:
        flows, _ = solve_exact(net, state, slope_costs(net, slopes, True), certify=False)
    except CostOverflow:
        return None
    return evaluate(net, flows, pinned)


def with_open(net: FlowNet, state: State, chosen: BoolArray, pinned: IntArray) -> Solution | None:
    """A flow on the face using only the chosen (and pinned) pairs; None if there is none."""
    has_pair = net.pair >= 0
    closed = np.zeros(len(net.tail), dtype=bool)
    closed[has_pair] = (~chosen & ~pinned.astype(bool))[net.pair[has_pair]]
    try:
        flows, _ = solve_exact(net, state.without(closed), net.trans, certify=False)
    except (Infeasible, CostOverflow):
        return None
    return evaluate(net, flows, pinned)
