"""Level 3 of one component: bounds and search put together, within the time given.

1. Covering bound, then one solve with slope F / cap per pair (a bound too).
2. A component with few free arcs: slope scaling and local search
   (`commonality`), then the exact MIP (`commonality_mip.solve_mip`) with
   the time left, seeded with the best found: gap 0 when it finishes.
3. A larger one: the merged relaxation (`commonality_mip.solve_relaxed`)
   gives a bound and a set of open pairs that is usually close to the
   optimum; one solve steered onto those pairs starts the local search.
   If SCIP does not prove that optimum in time, slope scaling starts it.
4. Least transport for the best set of open pairs (`commonality.polish`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from materiel.donations.planning.commonality import (
    RELAXATION_SCALE,
    Solution,
    close_pairs,
    covering_bound,
    evaluate,
    guided,
    pair_capacity,
    pair_flow,
    pinned_pairs,
    polish,
    slope_costs,
    slope_scaling,
    with_open,
)
from materiel.donations.planning.commonality_mip import (
    MIP_MAX_SECONDS,
    MIP_MIN_SECONDS,
    MIP_SHARE,
    RELAXED_MAX_SECONDS,
    RELAXED_MIN_SECONDS,
    RELAXED_SHARE,
    fits,
    solve_mip,
    solve_relaxed,
)
from materiel.donations.planning.exact import CostOverflow, State, solve_exact
from materiel.donations.planning.flownet import FlowNet, IntArray
from materiel.donations.planning.instance import Instance
from materiel.donations.planning.stages import Locked


@dataclass
class Outcome:
    """Best solution of a component and the lower bound on its open pairs."""

    best: Solution
    bound: float | None
    iterations: int
    complete: bool


def exact_pass(
    net: FlowNet, state: State, best: Solution, *, pinned: IntArray, seconds: float
) -> tuple[Solution, int]:
    """The MIP on a small component: a better solution if it finds one, and its bound."""
    result = solve_mip(net, state, pinned.astype(bool), seed=best.flows, seconds=seconds)
    if result is None:
        return best, 0
    found = with_open(net, state, result.open_pairs, pinned)
    if found is not None and found.open_pairs < best.open_pairs:
        best = found
    return best, result.bound


def merged_pass(
    net: FlowNet, state: State, flows: IntArray, *, pinned: IntArray, cap: IntArray, seconds: float
) -> tuple[Solution | None, int]:
    """The merged relaxation on a large component: its bound, and when SCIP's solution
    is (nearly) optimal, the solution steered onto its open pairs (a poor incumbent
    is usually no better than the seed, and slope scaling does better from there)."""
    seconds = min(RELAXED_MAX_SECONDS, RELAXED_SHARE * seconds)
    if seconds < RELAXED_MIN_SECONDS:
        return None, 0
    result = solve_relaxed(net, state, pinned.astype(bool), seed=flows, seconds=seconds)
    if result is None:
        return None, 0
    if not result.near_optimal():
        return None, result.bound
    return guided(net, state, result.open_pairs, pinned=pinned, cap=cap), result.bound


def search(
    net: FlowNet,
    state: State,
    flows: IntArray,
    *,
    best: Solution,
    pinned: IntArray,
    bound: float,
    out_of_time: Callable[[], bool],
    max_iterations: int,
) -> tuple[Solution, int, bool]:
    """Slope scaling from `flows`, then local search while the bound is not met."""
    cap = pair_capacity(net, state)
    best, iterations, complete = slope_scaling(
        net,
        state,
        flows,
        best=best,
        pinned=pinned,
        cap=cap,
        bound=bound,
        out_of_time=out_of_time,
        max_iterations=max_iterations,
    )
    if complete and best.open_pairs > bound:
        best, solves = close_pairs(
            net, state, best, pinned=pinned, cap=cap, out_of_time=out_of_time
        )
        iterations += solves
        complete = not out_of_time()
    return best, iterations, complete


def improve(
    inst: Instance,
    *,
    net: FlowNet,
    locked: Locked,
    out_of_time: Callable[[], bool],
    past_limit: Callable[[], bool] = lambda: False,
    seconds_left: Callable[[], float] = lambda: 0.0,
    max_iterations: int = 25,
) -> Outcome:
    """Bounds, search and MIPs for one component (steps in the module docstring).

    `out_of_time` ends the search; `past_limit` (the planner passes a stop
    request) also skips the last exact transport solve; `seconds_left` is
    the time the MIPs may share (none by default: no MIP).
    """
    state = locked.state
    pinned = pinned_pairs(net, inst)
    best = evaluate(net, locked.flows, pinned)
    bound = float(covering_bound(net, state, pinned))

    def finish(best: Solution, bound: float, iterations: int, complete: bool) -> Outcome:
        if past_limit():
            return Outcome(best, bound, iterations, False)
        return Outcome(polish(net, state, best, pinned), bound, iterations, complete)

    if out_of_time():
        return finish(best, bound, 0, False)
    cap = pair_capacity(net, state)
    slopes = np.where(pinned, 0, RELAXATION_SCALE // cap).astype(np.int64)
    try:
        flows, _ = solve_exact(
            net, state, slope_costs(net, slopes, False), seed=best.flows, certify=False
        )
    except CostOverflow:
        return finish(best, bound, 0, False)
    bound = max(bound, math.ceil(float((pair_flow(net, flows) * slopes).sum()) / RELAXATION_SCALE))
    best = min(best, evaluate(net, flows, pinned), key=Solution.key)
    if not fits(state) and best.open_pairs > bound:
        steered, proven = merged_pass(
            net, state, flows, pinned=pinned, cap=cap, seconds=seconds_left()
        )
        bound = max(bound, proven)
        if steered is not None:
            flows, best = steered.flows, min(best, steered, key=Solution.key)
            max_iterations = 1  # start the local search from the steered solution
    best, iterations, complete = search(
        net,
        state,
        flows,
        best=best,
        pinned=pinned,
        bound=bound,
        out_of_time=out_of_time,
        max_iterations=max_iterations - 1,
    )
    if complete and best.open_pairs > bound and fits(state) and seconds_left() > MIP_MIN_SECONDS:
        seconds = min(MIP_MAX_SECONDS, MIP_SHARE * seconds_left())
        best, proven = exact_pass(net, state, best, pinned=pinned, seconds=seconds)
        bound = max(bound, proven)
        iterations += 1
    return finish(best, bound, iterations + 1, complete)
