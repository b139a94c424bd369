"""The lexicographic stages of one component that are solved exactly.

Level 1 (strict priority), level 2 (lateness) and stability each get one
min-cost flow with their own small costs, solved on the face of optimal
flows left by the stages before (`exact.fix`): after a stage, every flow
that is still feasible is optimal on that stage's level and on all earlier
ones. Commonality and transport are then searched on that face.

Why rewards 6 - k give strict priority: the units a set of requirements
can receive form a polymatroid, so the greedy fill by priority meets the
most units for every prefix of priorities at once. A reward decreasing
with priority is (5 - 4) x prefix 1 + (4 - 3) x prefix 2 + ... + 1 x
prefix 5; every term is at its largest only when every prefix is, so the
flows of largest reward are exactly those greedy-optimal on every prefix:
the units met per priority are the same in all of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from materiel.donations.planning.exact import State, fix, solve_exact
from materiel.donations.planning.flow import met_by_class, stage_one_caps
from materiel.donations.planning.flownet import CLASS, DIRECT, FlowNet, IntArray


@dataclass
class Locked:
    """Levels 1, 2 and stability solved: their face, one optimal flow, units met per class."""

    state: State
    flows: IntArray
    met: dict[int, int]


def priority_cost(net: FlowNet) -> IntArray:
    """Reward 6 - k per unit reaching the sink of priority k (as a negative cost)."""
    cost = np.zeros(len(net.tail), np.int64)
    classes = net.kind == CLASS
    cost[classes] = -(6 - net.a[classes])
    return cost


def exact_levels(net: FlowNet) -> Locked:
    """Priority, then lateness, then stability (only with a previous plan), each fixed."""
    supply, _ = stage_one_caps(net)
    state = State.start(net, supply)
    costs = [priority_cost(net), net.late]
    if (net.kind == DIRECT).any():
        costs.append(net.stab)
    flows: IntArray | None = None
    for cost in costs:
        flows, d = solve_exact(net, state, cost, seed=flows)
        state = fix(net, state, cost, flows, d)
    assert flows is not None
    return Locked(state, flows, met_by_class(net, flows))


__all__ = ["Locked", "exact_levels"]
