"""The allocation planner: which pledge fills which requirement.

Reads as data -> variables -> constraints -> objective -> solve -> result:
the scenario is indexed (`instance`), split into independent components,
each component becomes a min-cost-flow network (`flownet`), solved exactly
in lexicographic stages by reduced-cost fixing (`stages`, `exact`:
priority, lateness, stability), then
improved on fleet commonality with a lower bound (`level3`), and the
flow is turned back into allocations with reasons (`planner_output`).
Large scenarios solve their components in two forked worker processes.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.synchronize import Event

import numpy as np

from materiel.donations.planning.decompose import decompose
from materiel.donations.planning.flownet import build_net
from materiel.donations.planning.instance import Instance, build_instance, components
from materiel.donations.planning.level3 import Outcome, improve
from materiel.donations.planning.plan import Plan, SolverInfo
from materiel.donations.planning.planner_output import assemble
from materiel.donations.planning.scenario import Scenario
from materiel.donations.planning.stages import exact_levels

Progress = Callable[[float, str], None]

# Seconds a run may be given, wherever it is asked for: the web form, the API, the CLI, the docs.
MIN_TIME_LIMIT_S = 1
MAX_TIME_LIMIT_S = 3600

# Components are solved in this many forked processes when the scenario is
# at least PARALLEL_MIN pledges + requirements and has several components.
WORKERS = min(2, os.cpu_count() or 1)
PARALLEL_MIN = 3_000
# Seconds kept back from the search for writing the plan and its reasons, per requirement.
REASONS_SECONDS_PER_REQUIREMENT = 3e-4
POLL_SECONDS = 0.05
# Network, priority, lateness (and stability) take about this many times one transport solve.
POLISH_SHARE_OF_LEVELS = 3


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

    @property
    def limit(self) -> float:
        return self.began + self.time_limit_s

    def out_of_time(self, deadline: float) -> bool:
        if self.should_stop():
            self.stopped = True
            return True
        return time.monotonic() > deadline

    def past_limit(self) -> bool:
        """Skip the last transport solve only on a stop request (see `improve`)."""
        return self.stopped


@dataclass
class Solved:
    """One component's result as it crosses a process boundary."""

    pledge: list[int]
    req: list[int]
    units: list[int]
    bound: float | None
    complete: bool
    first_seconds: float

    def pairs(self) -> dict[tuple[int, int], int]:
        return dict(zip(zip(self.pledge, self.req, strict=True), self.units, strict=True))


Part = tuple[list[int], list[int]]


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
    reserve = REASONS_SECONDS_PER_REQUIREMENT * len(inst.requirements)
    search_end = run.limit - min(reserve, 0.25 * time_limit_s)
    run.progress(0.0, f"{len(parts)} independent components")
    if use_workers(parts):
        solved = solve_parallel(inst, parts, previous=previous, run=run, search_end=search_end)
    else:
        solved = solve_sequential(inst, parts, previous=previous, run=run, search_end=search_end)
    pairs: dict[tuple[int, int], int] = {}
    for one in solved:
        pairs.update(one.pairs())
        run.bound = None if run.bound is None or one.bound is None else run.bound + one.bound
        run.complete &= one.complete
    return assemble(inst, pairs, solver_info(inst, run), run.began)


def size(part: Part) -> int:
    return len(part[0]) + len(part[1])


def use_workers(parts: list[Part]) -> bool:
    """Fork workers only when it pays and the platform allows it."""
    return (
        WORKERS > 1
        and len(parts) > 1
        and sum(size(p) for p in parts) >= PARALLEL_MIN
        and "fork" in multiprocessing.get_all_start_methods()
        and not multiprocessing.current_process().daemon
    )


def solve_sequential(
    inst: Instance,
    parts: list[Part],
    *,
    previous: dict[tuple[int, int], int],
    run: Run,
    search_end: float,
) -> list[Solved]:
    """One component after another, each within its share of the time left."""
    total = sum(size(p) for p in parts) or 1
    done = 0
    solved = []
    for ps, rs in parts:
        share = size((ps, rs)) / max(total - done, 1)
        one = solve_component(
            inst,
            pledges=ps,
            reqs=rs,
            previous=previous,
            out_of_time=run.out_of_time,
            past_limit=run.past_limit,
            search_end=search_end,
            share=share,
        )
        solved.append(one)
        run.first_seconds += one.first_seconds
        done += size((ps, rs))
        run.progress(done / total, f"component of {len(rs)} requirements planned")
    return solved


# Set in the parent just before forking; the workers inherit it.
_SHARED: dict[str, object] = {}


def _work(index: int, search_end: float, share: float) -> Solved:
    """In a worker: solve component `index` of the scenario the parent shared."""
    inst = _SHARED["inst"]
    parts = _SHARED["parts"]
    previous = _SHARED["previous"]
    stop = _SHARED["stop"]
    assert isinstance(inst, Instance) and isinstance(parts, list) and isinstance(previous, dict)
    assert isinstance(stop, Event)
    ps, rs = parts[index]

    def out_of_time(deadline: float) -> bool:
        return stop.is_set() or time.monotonic() > deadline

    def past_limit() -> bool:
        return stop.is_set()

    return solve_component(
        inst,
        pledges=ps,
        reqs=rs,
        previous=previous,
        out_of_time=out_of_time,
        past_limit=past_limit,
        search_end=search_end,
        share=share,
    )


def solve_parallel(
    inst: Instance,
    parts: list[Part],
    *,
    previous: dict[tuple[int, int], int],
    run: Run,
    search_end: float,
) -> list[Solved]:
    """Components in forked worker processes, largest first, each given its share on dispatch.

    The workers inherit the instance (copy on write); a stop request is
    passed on through an event they poll. Levels 1 and 2 are solved in
    full by every worker whatever the time, as in one process.
    """
    ctx = multiprocessing.get_context("fork")
    stop = ctx.Event()
    _SHARED.update(inst=inst, parts=parts, previous=previous, stop=stop)
    total = sum(size(p) for p in parts) or 1
    waiting = list(range(len(parts)))
    solved: list[Solved] = []
    busy_seconds = [0.0] * WORKERS
    try:
        with ctx.Pool(WORKERS) as pool:
            running: list[tuple[int, multiprocessing.pool.AsyncResult[Solved]]] = []
            done = 0
            while waiting or running:
                while waiting and len(running) < WORKERS:
                    index = waiting.pop(0)
                    left = sum(size(parts[i]) for i in waiting) + size(parts[index])
                    share = min(1.0, WORKERS * size(parts[index]) / left)
                    running.append((index, pool.apply_async(_work, (index, search_end, share))))
                if not stop.is_set() and run.should_stop():
                    run.stopped = True
                    stop.set()
                finished = [(i, r) for i, r in running if r.ready()]
                if not finished:
                    time.sleep(POLL_SECONDS)
                    continue
                for i, r in finished:
                    running.remove((i, r))
                    one = r.get()
                    solved.append(one)
                    slot = busy_seconds.index(min(busy_seconds))
                    busy_seconds[slot] += one.first_seconds
                    done += size(parts[i])
                    run.progress(
                        done / total, f"component of {len(parts[i][1])} requirements planned"
                    )
    finally:
        _SHARED.clear()
    # Levels 1 and 2 ran side by side: count the busier worker's share, not the sum.
    run.first_seconds = max(busy_seconds)
    return solved


def solve_component(
    inst: Instance,
    *,
    pledges: list[int],
    reqs: list[int],
    previous: dict[tuple[int, int], int],
    out_of_time: Callable[[float], bool],
    past_limit: Callable[[], bool],
    search_end: float,
    share: float,
) -> Solved:
    """Stages and commonality for one component, within its share of the search time left."""
    began = time.monotonic()
    net = build_net(inst, pledges, reqs, previous)
    locked = exact_levels(net)
    first = time.monotonic() - began
    # Keep back about one exact solve for the last transport solve (`commonality.polish`).
    left = search_end - time.monotonic()
    deadline = time.monotonic() + max(0.0, left * share - first / POLISH_SHARE_OF_LEVELS)
    outcome: Outcome = improve(
        inst,
        net=net,
        locked=locked,
        out_of_time=lambda: out_of_time(deadline),
        past_limit=past_limit,
        seconds_left=lambda: deadline - time.monotonic(),
    )
    pairs = decompose(net, outcome.best.flows)
    keys = np.asarray(list(pairs), np.int64).reshape(-1, 2)
    return Solved(
        keys[:, 0].tolist(),
        keys[:, 1].tolist(),
        list(pairs.values()),
        outcome.bound,
        outcome.complete,
        first,
    )


def solver_info(inst: Instance, run: Run) -> SolverInfo:
    """Status and bound: bound counts pinned pairs plus the components' bounds."""
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
