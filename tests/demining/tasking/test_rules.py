"""One test per tasking rule, through `plan_tasking` and `what_if`."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest

from materiel.core.errors import InvalidInput
from materiel.demining.tasking import (
    AreaSpec,
    AssetSpec,
    DateRange,
    Location,
    TaskingPlan,
    TaskingProblem,
    plan_tasking,
    problem_from_json,
    what_if,
)
from tests.demining.tasking.reference import check_plan

MONDAY = date(2027, 1, 4)
HERE = Location.km(0, 0)


def area(id: str, m2: float, priority: float = 5.0, x: float = 0, **kw: object) -> AreaSpec:
    return AreaSpec(id, Location.km(x, 0), m2, priority, **kw)  # type: ignore[arg-type]


def machine(id: str, rate: float = 100, **kw: object) -> AssetSpec:
    rates = kw.pop("rates", {"default": rate})
    return AssetSpec(id, "machine", HERE, rates, **kw)  # type: ignore[arg-type]


def plan(areas: list[AreaSpec], assets: list[AssetSpec], **kw: object) -> TaskingPlan:
    problem = TaskingProblem(MONDAY, tuple(areas), tuple(assets), **kw)  # type: ignore[arg-type]
    result = plan_tasking(problem, time_limit_s=5)
    check_plan(problem, result)
    return result


def result(p: TaskingPlan, area_id: str):  # type: ignore[no-untyped-def]
    return next(a for a in p.areas if a.area == area_id)


def test_no_work_on_days_off_or_outside_availability() -> None:
    wednesday, thursday = date(2027, 1, 6), date(2027, 1, 7)
    p = plan(
        [area("A", 3000)],
        [machine("M", available=(DateRange(wednesday, date(2027, 1, 10)),))],
        horizon_weeks=1,
        working_weekdays=frozenset({0, 1, 2, 3}),
    )
    days = {(t.first_day, t.last_day) for t in p.tasks}
    assert days == {(wednesday, thursday)}
    assert result(p, "A").released is False  # 2 days x 10 h x 100 m2/h < 3000
    assert result(p, "A").m2_planned == 2000


def test_travel_takes_working_time_at_the_start() -> None:
    # 50 km at 10 km/h: 5 h of a 10 h day, then 10 h of work for 1000 m2 at 100 m2/h.
    p = plan([area("A", 1000, x=50)], [machine("M", speed_kmh=10)], horizon_weeks=1)
    (task,) = p.tasks
    assert (task.travel_hours, task.working_days, task.m2) == (5.0, 2, 1000)
    assert task.last_day == date(2027, 1, 5)


def test_an_asset_works_one_area_a_day_and_moves_between_them() -> None:
    p = plan([area("A", 1000), area("B", 1000, x=10)], [machine("M", speed_kmh=20)])
    first, second = sorted(p.tasks, key=lambda t: t.first_day)
    assert first.last_day < second.first_day
    assert second.travel_hours == 0.5
    assert p.released_ids() == {"A", "B"}


def test_the_higher_priority_area_is_released_when_only_one_fits() -> None:
    p = plan(
        [area("LOW", 5000, priority=2), area("HIGH", 5000, priority=8)],
        [machine("M")],
        horizon_weeks=1,
        working_weekdays=frozenset({0, 1, 2, 3, 4}),
    )
    assert p.released_ids() == {"HIGH"}
    assert result(p, "LOW").reason.startswith("outranked")
    assert "HIGH" in result(p, "LOW").reason


def test_several_assets_share_an_area_no_area_gets_more_than_it_needs() -> None:
    p = plan(
        [area("A", 9000)],
        [machine("M1"), machine("M2")],
        horizon_weeks=1,
        working_weekdays=frozenset({0, 1, 2, 3, 4}),
    )
    assert result(p, "A").released and result(p, "A").assets == ("M1", "M2")
    assert sum(t.m2 for t in p.tasks) == 9000


def test_released_area_counts_only_when_fully_cleared() -> None:
    p = plan([area("A", 5001)], [machine("M")], horizon_weeks=1, working_weekdays=frozenset({0}))
    assert not result(p, "A").released
    assert p.released_m2 == 0
    assert "partly cleared, 1,000 of 5,001 m2" in result(p, "A").reason


def test_released_areas_and_unworkable_terrain_are_not_tasked() -> None:
    p = plan(
        [area("DONE", 100, status="released"), area("WOOD", 100, terrain="forest")],
        [machine("M", rates={"open": 100, "forest": None})],
    )
    assert p.tasks == ()
    assert result(p, "DONE").reason == "released: nothing to clear"
    assert result(p, "WOOD").reason == "no asset can work in forest"


def test_a_survey_drone_only_works_suspected_areas() -> None:
    drone = AssetSpec("D", "drone", HERE, {"default": 5000}, statuses=frozenset({"suspected"}))
    p = plan([area("SHA", 1000, status="suspected"), area("CHA", 1000)], [drone])
    assert p.released_ids() == {"SHA"}
    assert result(p, "CHA").reason == "no asset that can work in default works on confirmed areas"


def test_an_area_too_large_for_the_horizon_says_so() -> None:
    p = plan([area("BIG", 10**7)], [machine("M")], horizon_weeks=1)
    assert result(p, "BIG").reason.startswith("partly cleared")
    assert "too large for the horizon" in result(p, "BIG").reason


def test_a_fixed_travel_matrix_replaces_distance() -> None:
    p = plan(
        [area("A", 1000)],
        [machine("M")],
        horizon_weeks=1,
        travel_hours={"M": {"A": 12.0}},
    )
    (task,) = p.tasks
    assert (task.travel_hours, task.working_days) == (12.0, 3)


def test_what_if_one_more_or_one_fewer_machine() -> None:
    problem = TaskingProblem(
        MONDAY,
        (area("A", 5000, priority=9), area("B", 5000, priority=5), area("C", 5000, priority=1)),
        (machine("M1"), machine("M2")),
        horizon_weeks=1,
        working_weekdays=frozenset({0, 1, 2, 3, 4}),
    )
    more = what_if(problem, add=machine("M3"), time_limit_s=5)
    assert more.before.released_ids() == {"A", "B"}
    assert more.newly_released() == ("C",) and more.released_m2_delta == 5000
    fewer = what_if(problem, remove="M2", time_limit_s=5)
    assert fewer.no_longer_released() == ("B",) and fewer.weighted_delta == -25000
    json.dumps(more.to_json())
    with pytest.raises(InvalidInput):
        what_if(problem, remove="M9")
    with pytest.raises(InvalidInput):
        what_if(problem, add=machine("M1"))


def test_plans_are_json_documents() -> None:
    p = plan([area("A", 1000)], [machine("M")])
    doc = json.loads(json.dumps(p.to_json()))
    assert doc["tasks"][0]["first_day"] == "2027-01-04"
    assert doc["areas"][0]["released"] is True
    assert doc["solver"]["status"] == "OPTIMAL"


@pytest.mark.parametrize(
    "change",
    [
        {"areas": (area("A", 1), area("A", 2))},
        {"hours_per_day": 0},
        {"working_weekdays": frozenset({7})},
        {"assets": (replace(machine("M"), speed_kmh=0),)},
        {"areas": (area("A", -5),)},
        {"areas": (AreaSpec("A", Location.lonlat(36.2, 49.9), 100, 1),)},
    ],
)
def test_unreadable_problems_are_refused(change: dict[str, object]) -> None:
    problem = TaskingProblem(MONDAY, (area("A", 1000),), (machine("M"),))
    with pytest.raises(InvalidInput):
        plan_tasking(replace(problem, **change), time_limit_s=1)  # type: ignore[arg-type]


def test_a_malformed_problem_document_is_refused() -> None:
    with pytest.raises(InvalidInput, match="areas"):
        problem_from_json({"start": "2027-01-04", "assets": []})
    with pytest.raises(InvalidInput):
        problem_from_json({"start": "4 Jan", "areas": [], "assets": []})
