"""An independent reading of the tasking rules: a plan checker and a brute-force optimum.

Both restate the rules from `docs/demining-planning.md` in their own code,
day by day, without the planner's modules (only its input and output types):

- working days are the horizon's dates on a working weekday; an asset works
  only on those of them it is available;
- an asset works at most one area a day, and each area in one stretch;
- moving from its base or its previous area takes ceil(60 x km / speed)
  minutes (or the fixed matrix's hours) of working time at the start of the stretch;
- a stretch of n days after t minutes of travel clears at most
  floor(rate x (n x day minutes - t) / 60) m2 (rate rounded to whole m2/h),
  and at least 1 m2: a stretch that clears nothing is not planned (else it
  would be a waypoint whose travel beyond its days vanished);
- an area gets no more than ceil(area_m2); it is released when it gets all;
- objective = sum of round(100 p) x (100 x need x released + m2 done).
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from datetime import date, timedelta

from materiel.demining.tasking import AreaSpec, AssetSpec, TaskingPlan, TaskingProblem

WORKABLE = {"suspected", "confirmed", "in-clearance"}


def working_days(problem: TaskingProblem) -> list[date]:
    days = (problem.start + timedelta(days=i) for i in range(7 * problem.horizon_weeks))
    return [d for d in days if d.weekday() in problem.working_weekdays]


def asset_days(problem: TaskingProblem, asset: AssetSpec) -> list[date]:
    return [
        d
        for d in working_days(problem)
        if asset.available is None or any(r.first <= d <= r.last for r in asset.available)
    ]


def rate(asset: AssetSpec, area: AreaSpec) -> int:
    value = asset.rates.get(area.terrain, asset.rates.get("default"))
    if not value or area.status not in WORKABLE:
        return 0
    if asset.statuses is not None and area.status not in asset.statuses:
        return 0
    return max(1, round(value))


def travel_minutes(
    problem: TaskingProblem, asset: AssetSpec, source: AreaSpec | None, to: AreaSpec
) -> int:
    """From the fixed matrix where it has the move, else straight-line km / speed."""
    here = asset.base if source is None else source.location
    matrix = (problem.travel_hours or {}).get(asset.id if source is None else source.id, {})
    if to.id in matrix:
        return math.ceil(matrix[to.id] * 60 - 1e-9)
    km = math.hypot(here.x - to.location.x, here.y - to.location.y)
    return math.ceil(km / asset.speed_kmh * 60 - 1e-9)


def capacity(problem: TaskingProblem, rate_m2h: int, days: int, travel: int) -> int:
    minutes = days * round(problem.hours_per_day * 60) - travel
    return max(0, rate_m2h * minutes // 60)


def need(area: AreaSpec) -> int:
    return math.ceil(area.area_m2) if area.status in WORKABLE else 0


def objective(problem: TaskingProblem, done: dict[str, int]) -> int:
    total = 0
    for area in problem.areas:
        n = need(area)
        if n == 0:
            continue
        got = min(done.get(area.id, 0), n)
        total += round(area.priority * 100) * (100 * n * (got == n) + got)
    return total


def check_plan(problem: TaskingProblem, plan: TaskingPlan) -> None:
    """Assert that `plan` keeps every rule; its totals and objective are recomputed."""
    areas = {x.id: x for x in problem.areas}
    assets = {x.id: x for x in problem.assets}
    by_asset = defaultdict(list)
    for task in plan.tasks:
        by_asset[task.asset].append(task)
    done: dict[str, int] = defaultdict(int)
    for asset_id, tasks in by_asset.items():
        asset = assets[asset_id]
        open_days = asset_days(problem, asset)
        tasks.sort(key=lambda t: t.first_day)
        assert len({t.area for t in tasks}) == len(tasks), "one stretch per asset and area"
        previous = None
        for task in tasks:
            area = areas[task.area]
            assert task.first_day in open_days and task.last_day in open_days
            days = [d for d in open_days if task.first_day <= d <= task.last_day]
            assert task.working_days == len(days)
            if previous is not None:
                assert previous.last_day < task.first_day, "two areas on one day"
            travel = travel_minutes(
                problem, asset, areas[previous.area] if previous else None, area
            )
            assert math.isclose(task.travel_hours, travel / 60, abs_tol=1e-3)
            assert 1 <= task.m2 <= capacity(problem, rate(asset, area), len(days), travel)
            done[task.area] += task.m2
            previous = task
    results = {x.area: x for x in plan.areas}
    assert set(results) == set(areas)
    for area in problem.areas:
        got, result = done.get(area.id, 0), results[area.id]
        assert got <= need(area), f"{area.id} gets more than it needs"
        assert result.m2_planned == got
        assert result.released == (need(area) > 0 and got == need(area))
    assert plan.released_m2 == sum(need(x) for x in problem.areas if results[x.id].released)
    assert plan.solver.objective == objective(problem, done)


def brute_force(problem: TaskingProblem) -> int:
    """The best objective over every day-by-day schedule of every asset (tiny problems only)."""
    options = [sorted(_asset_options(problem, asset)) for asset in problem.assets]
    best = 0
    for combo in itertools.product(*options):
        done: dict[str, int] = defaultdict(int)
        for vector in combo:
            for area_id, m2 in vector:
                done[area_id] += m2
        best = max(best, objective(problem, done))
    return best


def _asset_options(problem: TaskingProblem, asset: AssetSpec) -> set[tuple[tuple[str, int], ...]]:
    """Every m2-per-area vector one asset can reach, one schedule of its days at a time."""
    choices: list[AreaSpec | None] = [None, *(x for x in problem.areas if rate(asset, x) > 0)]
    n_days = len(asset_days(problem, asset))
    found = set()
    for schedule in itertools.product(choices, repeat=n_days):
        vector = _simulate(problem, asset, schedule)
        if vector is not None:
            found.add(tuple(sorted(vector.items())))
    return found


def _simulate(
    problem: TaskingProblem, asset: AssetSpec, schedule: tuple[AreaSpec | None, ...]
) -> dict[str, int] | None:
    """m2 per area of one schedule; None if it comes back to an area it left."""
    runs: list[list[AreaSpec | int]] = []  # [area, days]
    for area in schedule:
        if area is None:
            continue
        if runs and runs[-1][0] == area:
            runs[-1][1] += 1  # type: ignore[operator]
        else:
            runs.append([area, 1])
    seen = [run[0].id for run in runs]  # type: ignore[union-attr]
    if len(seen) != len(set(seen)):
        return None
    work: dict[str, int] = {}
    previous = None
    for area, days in runs:
        assert isinstance(area, AreaSpec) and isinstance(days, int)
        travel = travel_minutes(problem, asset, previous, area)
        work[area.id] = capacity(problem, rate(asset, area), days, travel)
        if work[area.id] == 0:
            return None  # a stretch that clears nothing is no stretch: not a free waypoint
        previous = area
    return work
