"""Level 3 (fleet commonality): the bound never passes an independent CP-SAT optimum,
the gap reported is the one the plan and bound give, and a proof is a proof."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from materiel.donations.planning import commonality_mip
from materiel.donations.planning.plan import Plan
from materiel.donations.planning.planner import allocate
from materiel.donations.planning.scenario import Scenario

from .factories import pledge, req, scenario
from .reference import fewest_pairs
from .test_properties import FAST, scenarios

sys.path.insert(0, str(Path(__file__).parents[3] / "benchmarks"))

from allocation_instances import generate


@contextmanager
def merged_relaxation_only() -> Iterator[None]:
    """Every component counts as too big for the exact MIP: the merged relaxation bounds it."""
    saved = commonality_mip.MIP_MAX_ARCS
    commonality_mip.MIP_MAX_ARCS = -1
    try:
        yield
    finally:
        commonality_mip.MIP_MAX_ARCS = saved


def check_bound_and_gap(plan: Plan, optimum: int) -> None:
    bound, types = plan.solver.bound, plan.objective.types_per_unit
    assert bound is not None
    assert bound <= optimum <= types
    assert plan.solver.gap == round((types - bound) / max(bound, 1), 6)
    if plan.solver.status == "optimal":
        assert types == optimum == bound


@FAST
@given(scenarios())
def test_bound_never_passes_the_optimum(s: Scenario) -> None:
    check_bound_and_gap(allocate(s), fewest_pairs(s))


@settings(FAST, max_examples=40)
@given(scenarios())
def test_merged_relaxation_never_passes_the_optimum(s: Scenario) -> None:
    with merged_relaxation_only():
        plan = allocate(s)
    check_bound_and_gap(plan, fewest_pairs(s))


@st.composite
def crowded(draw: st.DrawFn) -> Scenario:
    """Several units, one family, every line priority 1: supply decides how types split."""
    reqs = [
        req(
            f"R{i}",
            item_type="A",
            accepts=("B",) if draw(st.booleans()) else (),
            quantity=draw(st.integers(1, 6)),
            unit=draw(st.sampled_from(("1 Bde", "2 Bde", "3 Bde"))),
        )
        for i in range(draw(st.integers(2, 6)))
    ]
    pledges = [
        pledge(
            f"P{i}", item_type=draw(st.sampled_from(("A", "B"))), quantity=draw(st.integers(1, 7))
        )
        for i in range(draw(st.integers(1, 5)))
    ]
    return scenario(reqs, pledges)


@settings(FAST, max_examples=40)
@given(crowded(), st.booleans())
def test_bound_holds_when_supply_splits_units(s: Scenario, merged_only: bool) -> None:
    if merged_only:
        with merged_relaxation_only():
            plan = allocate(s)
    else:
        plan = allocate(s)
    check_bound_and_gap(plan, fewest_pairs(s))


def two_units_short_of_one_type() -> Scenario:
    """Both units take A or B; A has 6 units for two lines of 5: one unit must take both."""
    reqs = [req("R1", accepts=("B",)), req("R2", accepts=("B",), unit="2 Bde")]
    return scenario(reqs, [pledge("P1", quantity=6), pledge("P2", item_type="B", quantity=4)])


@pytest.mark.parametrize("merged_only", [False, True])
def test_scarce_type_is_proven_optimal(merged_only: bool) -> None:
    """The covering bound says 2 pairs; supply forces 3, and the bound proves it."""
    if merged_only:
        with merged_relaxation_only():
            plan = allocate(two_units_short_of_one_type())
    else:
        plan = allocate(two_units_short_of_one_type())
    assert plan.objective.met_by_priority[1] == 10
    assert plan.objective.types_per_unit == 3
    assert plan.solver.bound == 3
    assert plan.solver.gap == 0
    assert plan.solver.status == "optimal"


def test_time_limit_returns_the_best_plan_with_its_gap() -> None:
    """Out of time before the search: the levels-1-2 plan, an honest bound and gap."""
    s = generate(300, 200, seed=5)
    plan = allocate(s, time_limit_s=0.001)
    full = allocate(s)
    assert plan.solver.status == "time_limit"
    assert plan.objective.met_by_priority == full.objective.met_by_priority
    assert plan.objective.unit_days_late == full.objective.unit_days_late
    bound, types = plan.solver.bound, plan.objective.types_per_unit
    assert bound is not None
    assert bound <= (full.solver.bound or 0) <= full.objective.types_per_unit <= types
    assert plan.solver.gap == round((types - bound) / max(bound, 1), 6)
