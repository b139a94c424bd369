"""Solve the tasking model with CP-SAT, hinted with the better of greedy and a given plan."""

from __future__ import annotations

import time

from ortools.sat.python import cp_model

from materiel.demining.tasking.constraints import build_model
from materiel.demining.tasking.greedy import plan_greedy, starts
from materiel.demining.tasking.instance import Instance, build_instance, objective, shortlist
from materiel.demining.tasking.limits import SEED, limit
from materiel.demining.tasking.model import SolverInfo, TaskingPlan, TaskingProblem
from materiel.demining.tasking.neighbourhoods import improve
from materiel.demining.tasking.plan import to_plan
from materiel.demining.tasking.solution import add_hint, read_stretches
from materiel.demining.tasking.stretches import Stretch, fit, sequence, work_by_area

SHORTLIST = 12  # areas each asset considers (plus those the hint gives it)
WHOLE_SHARE = 0.4  # of the time limit for the whole model; the rest re-plans a few assets at a time


def plan_tasking(
    problem: TaskingProblem,
    time_limit_s: float = 20.0,
    hint: TaskingPlan | None = None,
    shortlist_size: int | None = SHORTLIST,
    repeatable: bool = False,
) -> TaskingPlan:
    """Assign assets to areas over the horizon to maximise priority-weighted area released.

    `hint`, a plan of a similar problem (what-if), seeds the search where it
    is better than the greedy baseline. Each asset considers the areas of
    its shortlist (see `instance.shortlist`; None considers every area, and
    small problems are never cut). If the solver finds nothing in time, the
    greedy plan is returned with status GREEDY. `repeatable` spends the
    time limit as solver work on one core (see `limits`): the same problem
    then gives the same plan on any machine, however busy.
    """
    started = time.perf_counter()
    inst = build_instance(problem)
    seed = best_start(inst, hint)
    keep = [{s.r for s in seed if s.a == a} for a in range(len(inst.assets))]
    small = shortlist(inst, keep, shortlist_size)
    tm = build_model(small)
    add_hint(tm, small, seed)
    solver = cp_model.CpSolver()
    limit(solver, max(0.1, time_limit_s * WHOLE_SHARE), repeatable)
    status = solver.solve(tm.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        value = objective(inst, work_by_area(inst, seed))
        seconds = time.perf_counter() - started
        return to_plan(inst, seed, SolverInfo("GREEDY", value, value, seconds, "greedy"))
    stretches = read_stretches(tm, small, solver)
    method = "cp-sat"
    if status != cp_model.OPTIMAL:
        spent = time_limit_s * WHOLE_SHARE if repeatable else time.perf_counter() - started
        stretches = improve(small, stretches, time_limit_s - spent, SEED, repeatable)
        method = "cp-sat + neighbourhoods"
    info = SolverInfo(
        status=solver.status_name(status),
        objective=objective(inst, work_by_area(inst, stretches)),
        bound=round(solver.best_objective_bound),
        seconds=time.perf_counter() - started,
        method=method,
    )
    return to_plan(inst, stretches, info)


def plan_baseline(problem: TaskingProblem) -> TaskingPlan:
    """The greedy baseline's plan (highest priority first, nearest free asset)."""
    started = time.perf_counter()
    inst = build_instance(problem)
    stretches = plan_greedy(inst)
    value = objective(inst, work_by_area(inst, stretches))
    info = SolverInfo("GREEDY", value, value, time.perf_counter() - started, "greedy")
    return to_plan(inst, stretches, info)


def best_start(inst: Instance, hint: TaskingPlan | None) -> list[Stretch]:
    """The best of several greedy plans and the plan given as hint."""
    candidates = starts(inst)
    if hint is not None:
        candidates.insert(0, from_plan(inst, hint))
    return max(candidates, key=lambda s: objective(inst, work_by_area(inst, s)))


def from_plan(inst: Instance, plan: TaskingPlan) -> list[Stretch]:
    """A plan's tasks restated on this instance: unknown assets and areas dropped, travel redone."""
    assets = {x.id: a for a, x in enumerate(inst.assets)}
    areas = {x.id: r for r, x in enumerate(inst.areas)}
    index = {d: k for k, d in enumerate(inst.days)}
    left = [inst.need[r] for r in range(len(inst.areas))]
    stretches: list[Stretch] = []
    for task in sorted(plan.tasks, key=lambda t: (t.asset, t.first_day)):
        a, r = assets.get(task.asset), areas.get(task.area)
        if a is None or r is None or task.first_day not in index:
            continue
        previous = sequence(stretches, a)
        start = previous[-1].last + 1 if previous else 0
        travel = inst.travel[a][previous[-1].r][r] if previous else inst.base_travel[a][r]
        taken = fit(
            inst,
            a,
            r,
            start=max(start, index[task.first_day]),
            travel=travel,
            work=min(task.m2, left[r]),
        )
        if taken is not None and taken.work > 0:
            stretches.append(taken)
            left[r] -= taken.work
    return stretches
