"""Turn stretches into the plan the user reads: tasks with dates, area results, totals."""

from __future__ import annotations

from materiel.demining.tasking.instance import Instance
from materiel.demining.tasking.model import AreaResult, SolverInfo, Task, TaskingPlan
from materiel.demining.tasking.reasons import area_reason, skipped_reason
from materiel.demining.tasking.stretches import Stretch, work_by_area


def to_plan(inst: Instance, stretches: list[Stretch], solver: SolverInfo) -> TaskingPlan:
    """The plan of `stretches`; tasks by asset then date, areas by priority then id."""
    ordered = sorted(stretches, key=lambda s: (inst.assets[s.a].id, s.first))
    tasks = tuple(_task(inst, s) for s in ordered)
    work = work_by_area(inst, stretches)
    results = [_result(inst, r, work[r], stretches) for r in range(len(inst.areas))]
    results += [
        AreaResult(x.id, x.priority, 0, 0, False, (), skipped_reason(x)) for x in inst.skipped
    ]
    results.sort(key=lambda x: (-x.priority, x.area))
    released = [inst.areas[r] for r in range(len(inst.areas)) if work[r] >= inst.need[r]]
    return TaskingPlan(
        tasks=tasks,
        areas=tuple(results),
        released_m2=sum(inst.need[r] for r in range(len(inst.areas)) if work[r] >= inst.need[r]),
        weighted_released=round(sum(x.priority * x.area_m2 for x in released), 6),
        solver=solver,
        working_days=inst.days,
    )


def _task(inst: Instance, s: Stretch) -> Task:
    return Task(
        asset=inst.assets[s.a].id,
        area=inst.areas[s.r].id,
        first_day=inst.days[s.first],
        last_day=inst.days[s.last],
        working_days=s.days,
        travel_hours=round(s.travel / 60, 4),
        m2=s.work,
    )


def _result(inst: Instance, r: int, done: int, stretches: list[Stretch]) -> AreaResult:
    area = inst.areas[r]
    assets = tuple(sorted({inst.assets[s.a].id for s in stretches if s.r == r}))
    return AreaResult(
        area=area.id,
        priority=area.priority,
        m2_needed=inst.need[r],
        m2_planned=done,
        released=done >= inst.need[r],
        assets=assets,
        reason=area_reason(inst, r, stretches),
    )
