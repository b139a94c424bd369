"""Large-neighbourhood search: re-plan a few assets at a time, the others held fixed.

On a busy machine the whole model gets few solver steps; a sub-problem of
two assets (the areas keep only the m2 the fixed assets leave them) is
small enough to solve well in a second or two. Every improvement of the
whole plan's objective is kept.
"""

from __future__ import annotations

import random
import time
from dataclasses import replace

from ortools.sat.python import cp_model

from materiel.demining.tasking.constraints import build_model
from materiel.demining.tasking.instance import Instance, objective
from materiel.demining.tasking.limits import limit
from materiel.demining.tasking.solution import add_hint, read_stretches
from materiel.demining.tasking.stretches import Stretch, work_by_area

FREE_ASSETS = 2  # assets re-planned together
STEP_SECONDS = 2.0  # solver time per sub-problem at most


def improve(
    inst: Instance, stretches: list[Stretch], seconds: float, seed: int, repeatable: bool = False
) -> list[Stretch]:
    """The best plan found by re-planning random groups of assets for `seconds`.

    `repeatable`: a fixed number of sub-problems, each given a fixed amount
    of solver work (`limits.limit`), instead of a wall-clock deadline.
    """
    rng = random.Random(seed)
    deadline = time.perf_counter() + seconds
    steps = max(1, round(seconds / STEP_SECONDS)) if repeatable else None
    movable = [a for a in range(len(inst.assets)) if inst.candidates(a)]
    best, value = stretches, objective(inst, work_by_area(inst, stretches))
    while movable and (steps if steps is not None else time.perf_counter() < deadline - 0.3):
        if steps is not None:
            steps -= 1
        free = sorted(rng.sample(movable, min(FREE_ASSETS, len(movable))))
        fixed = [s for s in best if s.a not in free]
        sub = restrict(inst, free, fixed)
        tm = build_model(sub)
        add_hint(tm, sub, [replace(s, a=free.index(s.a)) for s in best if s.a in free])
        solver = cp_model.CpSolver()
        step = STEP_SECONDS if repeatable else min(STEP_SECONDS, deadline - time.perf_counter())
        limit(solver, step, repeatable, seed)
        if solver.solve(tm.model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            continue
        moved = [replace(s, a=free[s.a]) for s in read_stretches(tm, sub, solver)]
        found = objective(inst, work_by_area(inst, fixed + moved))
        if found > value:
            best, value = fixed + moved, found
        if len(free) == len(movable):
            break  # the whole problem was the neighbourhood
    return best


def restrict(inst: Instance, free: list[int], fixed: list[Stretch]) -> Instance:
    """The instance of assets `free` only, each area needing what `fixed` leaves of it."""
    done = work_by_area(inst, fixed)
    return replace(
        inst,
        assets=tuple(inst.assets[a] for a in free),
        need=tuple(max(0, n - d) for n, d in zip(inst.need, done, strict=True)),
        released_size=tuple(inst.release_worth(r) for r in range(len(inst.areas))),
        rate=tuple(inst.rate[a] for a in free),
        open=tuple(inst.open[a] for a in free),
        cum=tuple(inst.cum[a] for a in free),
        base_travel=tuple(inst.base_travel[a] for a in free),
        travel=tuple(inst.travel[a] for a in free),
        allowed=None if inst.allowed is None else tuple(inst.allowed[a] for a in free),
    )
