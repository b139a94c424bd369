"""The allocation planner: which pledge fills which requirement.

Reads as data -> variables -> constraints -> objective -> solve -> result:
the scenario is indexed (`instance`), split into independent components,
each component becomes a min-cost-flow network (`flownet`), solved exactly
in lexicographic stages by reduced-cost fixing (`stages`, `exact`:
priority, lateness, stability), then
improved on fleet commonality with a lower bound (`commonality`), and the
flow is turned back into allocations with reasons (`planner_output`).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from materiel.donations.planning.commonality import Outcome, improve
from materiel.donations.planning.decompose import decompose
from materiel.donations.planning.flownet import build_net
from materiel.donations.planning.instance import Instance, build_instance, components
from materiel.donations.planning.plan import Plan, SolverInfo
from materiel.donations.planning.planner_output import assemble
from materiel.donations.planning.scenario import Scenario
from materiel.donations.planning.stages import exact_levels

Progress = Callable[[float, str], None]


@dataclass
class Run:
    """Book-keeping of one planner run across components."""

    began: float
    time_limit_s: float
    progress: Progress
    should_stop: Callable[[], bool]
    bound: float | None = 0.0
    complete: bool = True
    stopped: bool = False
    first_seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    def out_of_time(self, deadline: float) -> bool:
        if self.should_stop():
            self.stopped = True
            return True
        return time.monotonic() > deadline


def allocate(
    scenario: Scenario,
    *,
    time_limit_s: float = 60,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Plan:
    """Plan the allocation; the best plan found within the time limit, with its bound."""
    run = Run(time.monotonic(), time_limit_s, progress or quiet, should_stop or never)
    inst = build_instance(scenario)
    previous = previous_pairs(inst)
    parts = sorted(components(inst), key=lambda c: -(len(c[0]) + len(c[1])))
    total = sum(len(ps) + len(rs) for ps, rs in parts) or 1
    done = 0
    pairs: dict[tuple[int, int], int] = {}
    run.progress(0.0, f"{len(parts)} independent components")
    for ps, rs in parts:
        share = (len(ps) + len(rs)) / max(total - done, 1)
        pairs.update(
            solve_component(inst, pledges=ps, reqs=rs, previous=previous, run=run, share=share)
        )
        done += len(ps) + len(rs)
        run.progress(done / total, f"component of {len(rs)} requirements planned")
    return assemble(inst, pairs, solver_info(inst, run), run.began)


def solve_component(
    inst: Instance,
    *,
    pledges: list[int],
    reqs: list[int],
    previous: dict[tuple[int, int], int],
    run: Run,
    share: float,
) -> dict[tuple[int, int], int]:
    """Stages and commonality for one component, within its share of the time left."""
    began = time.monotonic()
    net = build_net(inst, pledges, reqs, previous)
    locked = exact_levels(net)
    run.first_seconds += time.monotonic() - began
    left = run.time_limit_s - (time.monotonic() - run.began)
    deadline = time.monotonic() + max(0.0, left * share)
    outcome: Outcome = improve(
        inst, net=net, locked=locked, out_of_time=lambda: run.out_of_time(deadline)
    )
    run.bound = None if run.bound is None or outcome.bound is None else run.bound + outcome.bound
    run.complete &= outcome.complete
    return decompose(net, outcome.best.flows)


def solver_info(inst: Instance, run: Run) -> SolverInfo:
    """Status and bound: bound counts pinned pairs plus the relaxation's value."""
    pinned = {(inst.requirements[r].unit_key, inst.pledges[p].item_type) for p, r, _ in inst.pinned}
    bound = None if run.bound is None else len(pinned) + math.ceil(run.bound - 1e-9)
    status = "stopped" if run.stopped else ("feasible" if run.complete else "time_limit")
    notes = tuple(dict.fromkeys(run.notes))
    return SolverInfo(status, 0.0, bound, notes=notes, levels_1_2_seconds=run.first_seconds)


def previous_pairs(inst: Instance) -> dict[tuple[int, int], int]:
    """Last plan's units per (pledge, requirement), for pairs that still exist."""
    units: dict[tuple[int, int], int] = defaultdict(int)
    for pairing in inst.scenario.previous_plan:
        p = inst.pledge_index.get(pairing.pledge)
        r = inst.req_index.get(pairing.requirement)
        if p is not None and r is not None:
            units[(p, r)] += pairing.quantity
    return dict(units)


def quiet(fraction: float, message: str) -> None:
    """Default progress callback: say nothing."""


def never() -> bool:
    """Default stop callback: never stop early."""
    return False
