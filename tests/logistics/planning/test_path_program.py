"""The integer program over priced paths: levels in order, goals as stopping points only."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from materiel.logistics.planning.days import sweep
from materiel.logistics.planning.greedy import greedy_routes
from materiel.logistics.planning.master import Master
from materiel.logistics.planning.network import build_grid
from materiel.logistics.planning.path_program import OPTIMALITY_GAP, solve_levels, targets
from materiel.logistics.planning.pricing import Column
from materiel.logistics.planning.screen import screen
from tests.logistics.planning.test_rules import d, network


def master_with_greedy_paths(due_day: int) -> Master:
    """The master of the small network, its columns the greedy plan's paths and their kin."""
    s = network()
    s = replace(s, movements=(replace(s.movements[0], due=d(due_day)),))
    grid = build_grid(s)
    demand, _ = screen(grid, sweep(grid), list(s.movements))
    master = Master(grid, demand)
    for g, routed in enumerate(greedy_routes(grid, demand)):
        for legs, _ in routed.paths:
            master.add(Column(g, legs, legs[-1][1] + int(grid.days[legs[-1][0]]), 0.0))
    rail, last = grid.link_at["rail"], grid.link_at["last"]
    for depart in range(3):  # the cheap route too: rail on days 0-2, on to the border on arrival
        legs = ((rail, depart), (last, depart + 4))
        master.add(Column(0, legs, depart + 5, 0.0))
    return master


def levels(master: Master, units: np.ndarray) -> tuple[int, float, float]:
    unplanned = int(master.demand.units.sum() - units.sum())
    return (
        unplanned,
        float(np.asarray(master.paths.late) @ units),
        float(np.asarray(master.paths.cost) @ units),
    )


def test_targets_round_whole_levels_up_and_give_cost_the_gap() -> None:
    unplanned, late, cost = targets([0.0, 226.3, 1000.0])
    assert (unplanned, late) == (0.0, 227.0)
    assert cost is not None
    assert cost == 1000.0 / (1 - OPTIMALITY_GAP)
    assert targets([None, None, None]) == [None, None, None]


def test_lateness_before_cost_over_the_known_paths() -> None:
    master = master_with_greedy_paths(due_day=10)
    solved = solve_levels(master, [None, None, None], 10.0)
    assert solved is not None and solved.proven
    # Rail is on time and cheapest: 6 units of 2 slots, on rail (1.0 a slot) and the last leg (2.0).
    assert levels(master, solved.units) == (0, 0.0, 6 * 2 * (1.0 + 2.0))
    rail = master.grid.link_at["rail"]
    assert all(master.paths.legs[j][0][0] == rail for j in np.flatnonzero(solved.units))


def test_goals_out_of_reach_still_give_the_best_plan() -> None:
    """A goal no whole plan reaches stops nothing: the level is solved to its optimum."""
    master = master_with_greedy_paths(due_day=10)
    best = solve_levels(master, [None, None, None], 10.0)
    hopeful = solve_levels(master, [0.0, 0.0, 1.0], 10.0)
    assert best is not None and hopeful is not None
    assert levels(master, hopeful.units) == levels(master, best.units)
    assert hopeful.proven


def test_a_start_at_its_goals_holds_those_levels() -> None:
    master = master_with_greedy_paths(due_day=10)
    best = solve_levels(master, [None, None, None], 10.0)
    assert best is not None
    _, late, cost = levels(master, best.units)
    # A plan at the goals of units and lateness: only cost is solved, the rest held there.
    again = solve_levels(master, [0.0, late, None], 10.0, start=best.units)
    assert again is not None
    assert levels(master, again.units) == (0, late, cost)


def test_a_goal_out_of_reach_ends_no_worse_than_the_start() -> None:
    master = master_with_greedy_paths(due_day=3)
    start = solve_levels(master, [None, None, None], 10.0)
    assert start is not None
    again = solve_levels(master, [0.0, 0.0, 1.0], 10.0, start=start.units)
    assert again is not None
    assert levels(master, again.units) <= levels(master, start.units)


def test_kept_units_stay() -> None:
    master = master_with_greedy_paths(due_day=10)
    keep = np.zeros(len(master.paths), np.int64)
    keep[0] = 1  # one unit on the greedy plan's first path, whatever it costs
    solved = solve_levels(master, [None, None, None], 10.0, keep=keep)
    assert solved is not None
    assert solved.units[0] >= 1
