"""Every plan keeps the rules; on tiny problems the planner finds the brute-force optimum."""

from __future__ import annotations

import json
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from materiel.demining.tasking import (
    AreaSpec,
    AssetSpec,
    DateRange,
    Location,
    TaskingProblem,
    plan_baseline,
    plan_tasking,
    problem_from_json,
    problem_to_json,
)
from materiel.demining.tasking.greedy import plan_greedy
from materiel.demining.tasking.instance import build_instance
from materiel.demining.tasking.instance import objective as planner_objective
from materiel.demining.tasking.model import SolverInfo
from materiel.demining.tasking.neighbourhoods import improve
from materiel.demining.tasking.plan import to_plan
from materiel.demining.tasking.stretches import work_by_area
from tests.demining.tasking.reference import brute_force, check_plan

MONDAY = date(2027, 1, 4)
FEW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

places = st.builds(Location.km, st.integers(0, 30), st.integers(0, 30))
rates = st.one_of(st.none(), st.integers(40, 600), st.integers(40, 600))


@st.composite
def areas(draw: st.DrawFn, i: int) -> AreaSpec:
    return AreaSpec(
        id=f"A{i}",
        location=draw(places),
        area_m2=draw(st.integers(50, 6000)),
        priority=draw(st.integers(1, 18)) / 2,
        terrain=draw(st.sampled_from(["open", "forest"])),
        status=draw(
            st.sampled_from(
                ["suspected", "confirmed", "in-clearance", "released"] + 3 * ["confirmed"]
            )
        ),
    )


@st.composite
def assets(draw: st.DrawFn, i: int, horizon_days: int) -> AssetSpec:
    window = None
    if draw(st.integers(0, 3)) == 0:
        first = draw(st.integers(0, horizon_days - 1))
        last = draw(st.integers(first, horizon_days - 1))
        window = (DateRange(MONDAY + timedelta(days=first), MONDAY + timedelta(days=last)),)
    return AssetSpec(
        id=f"M{i}",
        kind=draw(st.sampled_from(["machine", "drone", "team"])),
        base=draw(places),
        rates={"open": draw(rates), "forest": draw(rates)},
        speed_kmh=draw(st.sampled_from([5.0, 10.0, 30.0])),
        available=window,
        statuses=draw(st.sampled_from([None, None, None, frozenset({"suspected"})])),
    )


@st.composite
def problems(draw: st.DrawFn, max_areas: int, max_assets: int, weeks: int) -> TaskingProblem:
    n_areas = draw(st.integers(1, max_areas))
    n_assets = draw(st.integers(1, max_assets))
    weekdays = draw(st.sets(st.integers(0, 6), min_size=2, max_size=4 if weeks == 1 else 6))
    return TaskingProblem(
        start=MONDAY,
        areas=tuple(draw(areas(i)) for i in range(n_areas)),
        assets=tuple(draw(assets(i, 7 * weeks)) for i in range(n_assets)),
        horizon_weeks=weeks,
        working_weekdays=frozenset(weekdays),
        hours_per_day=draw(st.sampled_from([4.0, 8.0, 10.0])),
    )


@FEW
@given(problems(max_areas=6, max_assets=3, weeks=2))
def test_every_plan_keeps_the_rules(problem: TaskingProblem) -> None:
    check_plan(problem, plan_tasking(problem, time_limit_s=5))
    check_plan(problem, plan_baseline(problem))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_areas=3, max_assets=2, weeks=1))
def test_tiny_plans_are_optimal(problem: TaskingProblem) -> None:
    plan = plan_tasking(problem, time_limit_s=10)
    assert plan.solver.status == "OPTIMAL"
    assert plan.solver.objective == brute_force(problem)


@FEW
@given(problems(max_areas=4, max_assets=2, weeks=1))
def test_the_planner_is_never_worse_than_greedy(problem: TaskingProblem) -> None:
    assert plan_tasking(problem, 5).solver.objective >= plan_baseline(problem).solver.objective


@FEW
@given(problems(max_areas=6, max_assets=3, weeks=2))
def test_problems_read_back_from_their_json(problem: TaskingProblem) -> None:
    assert problem_from_json(json.loads(json.dumps(problem_to_json(problem)))) == problem


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_areas=8, max_assets=5, weeks=2))
def test_replanning_a_few_assets_at_a_time_keeps_the_rules(problem: TaskingProblem) -> None:
    inst = build_instance(problem)
    start = plan_greedy(inst)
    better = improve(inst, start, seconds=2, seed=1)
    values = []
    for stretches in (start, better):
        value = planner_objective(inst, work_by_area(inst, stretches))
        check_plan(problem, to_plan(inst, stretches, SolverInfo("TEST", value, value, 0)))
        values.append(value)
    assert values[1] >= values[0]


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(max_areas=8, max_assets=5, weeks=2))
def test_repeatable_runs_give_the_same_plan(problem: TaskingProblem) -> None:
    first, second = (plan_tasking(problem, 1.0, repeatable=True) for _ in range(2))
    check_plan(problem, first)
    assert first.tasks == second.tasks
    assert first.solver.objective == second.solver.objective
