"""The planner's time limit at every size, tested without timing anything.

Whether a run ends within its limit on a large scenario is a timing, and
this project's tests do not time (shared, noisy machines). What makes it
hold is tested instead, deterministically: work past its deadline does not
start (a deadline in the past stays in the past), what it would have done
stays undone in a plan that is still feasible, and the pieces that make
large runs fast and small (the sweep in chunks of groups, reachability by
destination) answer exactly what the one-piece versions answered.
"""

from __future__ import annotations

import time
from datetime import date, timedelta

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from materiel.logistics.planning import fill as fill_module
from materiel.logistics.planning.days import Day, reachable, sweep
from materiel.logistics.planning.demand import Demand
from materiel.logistics.planning.fill import Filler, fill
from materiel.logistics.planning.greedy import fastest_route, greedy_routes
from materiel.logistics.planning.master import Master
from materiel.logistics.planning.network import (
    Grid,
    LegAt,
    build_grid,
    leg_usage,
    units_that_fit,
)
from materiel.logistics.planning.output import CAPACITY_REASON, Routed, assemble
from materiel.logistics.planning.plan import TransportSolver
from materiel.logistics.planning.pricing import Column, Pricer, Prices
from materiel.logistics.planning.rounding import complete, incumbent_units
from materiel.logistics.planning.scenario import Link, Movement, Node, TransportScenario
from materiel.logistics.planning.screen import screen
from tests.logistics.planning.reference import violations
from tests.logistics.planning.test_properties import scenarios

D0 = date(2027, 3, 1)
PASSED = -1.0  # seconds from now: a deadline already behind us


def d(n: int) -> date:
    return D0 + timedelta(days=n)


def crowded() -> TransportScenario:
    """Three movements of two slot sizes through a thin rail link: filling takes rounds."""
    return TransportScenario(
        start=D0,
        horizon_days=12,
        nodes=(Node("depot"), Node("hub", handling_per_day=6), Node("border")),
        links=(
            Link("rail", "depot", "hub", "rail", 2, 1.0, capacity_per_day=4),
            Link("road", "hub", "border", "road", 1, 2.0, capacity_per_day=6),
        ),
        movements=(
            Movement("M1", "depot", "border", 5, 1, d(0), d(4), "155SP"),
            Movement("M2", "depot", "border", 4, 2, d(1), d(5), "155SP"),
            Movement("M3", "depot", "hub", 3, 1, d(0), d(3), "GEN"),
        ),
    )


def counting_rounds(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count `Filler.round` calls: one sweep of the pricing each."""
    calls: list[int] = []
    real = Filler.round

    def counted(self: Filler, slots: int, groups: list[int]) -> tuple[list[int], bool]:
        calls.append(slots)
        return real(self, slots, groups)

    monkeypatch.setattr(fill_module.Filler, "round", counted)
    return calls


def test_fill_past_its_deadline_stops_and_leaves_the_units_unplanned_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = crowded()
    grid = build_grid(s)
    days = sweep(grid)
    demand, _ = screen(grid, days, s.movements)
    rounds = counting_rounds(monkeypatch)

    # Without a deadline every unit finds room, over several rounds.
    short, left = demand.units.copy(), grid.cap.copy()
    fill(grid, days, demand, short, left)
    assert short.sum() == 0
    assert len(rounds) >= 2

    # Past its deadline: at most one round, and nothing placed.
    rounds.clear()
    short, left = demand.units.copy(), grid.cap.copy()
    found = fill(grid, days, demand, short, left, deadline=time.monotonic() + PASSED)
    assert len(rounds) <= 1
    assert not found
    assert short.tolist() == demand.units.tolist()
    assert np.array_equal(left, grid.cap)

    # Through `complete`, the rounding's last step: every unit is unplanned, with the
    # reason units get when no room is left, and the plan written from it is feasible.
    master = Master(grid, demand)
    routed = complete(master, days, np.zeros(0, np.int64), time.monotonic() + PASSED)
    assert [r.unplanned for r in routed] == demand.units.tolist()
    plan = assemble(grid, demand, routed, solver=TransportSolver("time_limit", 0.0, "test", 0))
    assert {u.reason for u in plan.unplanned} == {CAPACITY_REASON}
    assert sum(u.units for u in plan.unplanned) == sum(m.units for m in s.movements)
    assert violations(s, plan) == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_a_plan_completed_past_its_deadline_is_feasible_and_accounts_for_every_unit(
    s: TransportScenario, seed: int
) -> None:
    """A rounding cut short keeps some whole units; the rest are unplanned, and no row breaks."""
    grid = build_grid(s)
    days = sweep(grid)
    demand, answers = screen(grid, days, s.movements)
    master = Master(grid, demand)
    greedy = greedy_routes(grid, demand)
    for g, result in enumerate(greedy):
        for legs, _ in result.paths:
            master.add(Column(g, legs, legs[-1][1] + int(grid.days[legs[-1][0]]), 0.0))
    units = incumbent_units(master, greedy)
    kept = np.random.default_rng(seed).integers(0, units + 1)  # some of the units of each path
    routed = complete(master, days, kept, time.monotonic() + PASSED)
    for g, result in enumerate(routed):
        assert result.paths == tuple(
            sorted(
                (legs, int(kept[j]))
                for j, legs in enumerate(master.paths.legs)
                if master.paths.group[j] == g and kept[j]
            )
        )
        assert result.unplanned == demand.units[g] - sum(n for _, n in result.paths)
    solver = TransportSolver("time_limit", 0.0, "test", 0)
    plan = assemble(grid, demand, routed, extra=answers, solver=solver)
    assert violations(s, plan) == []
    planned = {m.id for group in demand.movements for m in group}
    assert all(u.reason == CAPACITY_REASON for u in plan.unplanned if u.movement in planned)
    total = plan.objective.units_planned + plan.objective.units_unplanned
    assert total == sum(m.units for m in s.movements)


def random_prices(grid: Grid, groups: int, seed: int) -> Prices:
    rng = np.random.default_rng(seed)
    penalty = np.where(rng.random(grid.num_rows) < 0.3, rng.uniform(0, 20, grid.num_rows), 0.0)
    return Prices(rng.uniform(0, 60, groups), penalty, float(rng.integers(0, 2)), 1.0)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(0, 2**32 - 1))
def test_pricing_in_chunks_of_groups_finds_what_one_sweep_finds(
    s: TransportScenario, seed: int
) -> None:
    grid = build_grid(s)
    days = sweep(grid)
    demand, _ = screen(grid, days, s.movements)
    prices = random_prices(grid, len(demand), seed)
    whole = Pricer(grid, days, demand)
    one_by_one = Pricer(grid, days, demand, chunk_bytes=1)
    assert one_by_one.chunk == 1
    assert one_by_one.price(prices) == whole.price(prices)


def test_pricing_past_its_deadline_sweeps_nothing() -> None:
    s = crowded()
    grid = build_grid(s)
    days = sweep(grid)
    demand, _ = screen(grid, days, s.movements)
    prices = Prices(np.full(len(demand), 1e6), np.zeros(grid.num_rows), 0.0, 1.0)
    pricer = Pricer(grid, days, demand, chunk_bytes=1)
    assert len(pricer.price(prices)) == len(demand)
    assert pricer.price(prices, deadline=time.monotonic() + PASSED) == []


def reachable_one_by_one(
    grid: Grid, days: tuple[Day, ...], origin: int, release: int, dest: int
) -> bool:
    """Search the (node, day) states of one unit: wait a night, or take a link open that day."""
    seen, todo = {(origin, release)}, [(origin, release)]
    while todo:
        node, t = todo.pop()
        if node == dest:
            return True
        steps = [(node, t + 1)] if t + 1 < grid.horizon else []
        steps += [
            (int(grid.tgt[k]), t + int(grid.days[k])) for k in days[t].links if grid.src[k] == node
        ]
        for step in steps:
            if step not in seen:
                seen.add(step)
                todo.append(step)
    return False


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_reachability_by_destination_agrees_with_a_search_per_unit(s: TransportScenario) -> None:
    grid = build_grid(s)
    for opened in (grid.open, grid.open_before_fixed):
        days = sweep(grid, opened)
        n = len(grid.nodes)
        pairs = [
            (o, r, t) for o in range(n) for t in range(n) if o != t for r in range(grid.horizon)
        ]
        origin = np.array([p[0] for p in pairs], np.int64)
        release = np.array([p[1] for p in pairs], np.int64)
        dest = np.array([p[2] for p in pairs], np.int64)
        got = reachable(grid, days, origin, release, dest).tolist()
        assert got == [reachable_one_by_one(grid, days, *p) for p in pairs]


def greedy_day_by_day(grid: Grid, demand: Demand) -> list[Routed]:
    """The greedy baseline as it reads: one departure day after another, each leg checked."""
    left = grid.cap.copy()
    routed: list[Routed] = [Routed(())] * len(demand)
    for g in sorted(range(len(demand)), key=lambda g: (demand.due[g], demand.release[g], g)):
        route = fastest_route(grid, int(demand.origin[g]), int(demand.dest[g]))
        need = int(demand.units[g])
        paths: list[tuple[tuple[LegAt, ...], int]] = []
        for first in range(int(demand.release[g]), grid.horizon):
            if need == 0 or route is None:
                break
            legs: list[LegAt] = []
            day = first
            for link in route:
                if day >= grid.horizon or not grid.open[link, day]:
                    break
                legs.append((link, day))
                day += int(grid.days[link])
            else:
                usage = leg_usage(grid, legs, int(demand.slots[g]))
                take = units_that_fit(left, usage, need)
                if take > 0:
                    for row, amount in usage.items():
                        left[row] -= amount * take
                    paths.append((tuple(legs), take))
                    need -= take
        routed[g] = Routed(tuple(paths), need)
    return routed


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_greedy_takes_all_departure_days_at_once_as_it_would_one_by_one(
    s: TransportScenario,
) -> None:
    grid = build_grid(s)
    demand, _ = screen(grid, sweep(grid), s.movements)
    assert greedy_routes(grid, demand) == greedy_day_by_day(grid, demand)
