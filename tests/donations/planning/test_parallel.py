"""Components solved in forked workers give the same exact levels as in one process."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from materiel.donations.planning import planner
from materiel.donations.planning.greedy import allocate_greedy

sys.path.insert(0, str(Path(__file__).parents[3] / "benchmarks"))

from allocation_instances import generate


@pytest.mark.skipif(planner.WORKERS < 2, reason="one core: no workers to fork")
def test_workers_keep_levels_one_and_two(monkeypatch: pytest.MonkeyPatch) -> None:
    s = generate(400, 300, seed=3)
    monkeypatch.setattr(planner, "PARALLEL_MIN", 10**9)
    alone = planner.allocate(s, time_limit_s=5)
    monkeypatch.setattr(planner, "PARALLEL_MIN", 0)
    seen: list[float] = []
    forked = planner.allocate(s, time_limit_s=5, progress=lambda f, _: seen.append(f))
    assert forked.objective.met_by_priority == alone.objective.met_by_priority
    assert forked.objective.unit_days_late == alone.objective.unit_days_late
    # The MIPs get what time is left, so bounds may differ; each bounds both plans.
    bounds = [forked.solver.bound or 0, alone.solver.bound or 0]
    types = [forked.objective.types_per_unit, alone.objective.types_per_unit]
    assert max(bounds) <= min(types)
    assert seen[-1] == 1.0
    greedy = allocate_greedy(s)
    assert forked.objective.met_by_priority[1] >= greedy.objective.met_by_priority[1]


@pytest.mark.skipif(planner.WORKERS < 2, reason="one core: no workers to fork")
def test_stop_request_reaches_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    s = generate(400, 300, seed=3)
    monkeypatch.setattr(planner, "PARALLEL_MIN", 0)
    plan = planner.allocate(s, time_limit_s=60, should_stop=lambda: True)
    assert plan.solver.status == "stopped"
    monkeypatch.setattr(planner, "PARALLEL_MIN", 10**9)
    alone = planner.allocate(s, time_limit_s=60, should_stop=lambda: True)
    assert plan.objective.met_by_priority == alone.objective.met_by_priority
