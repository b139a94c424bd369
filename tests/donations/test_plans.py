"""Allocation plans on a real database: run, store, compare, accept, pin, forbid, re-plan."""

from __future__ import annotations

import pytest

from materiel.bootstrap import Runtime
from materiel.core.errors import Conflict
from materiel.donations import plan_service
from materiel.donations.model import PledgeStatus, RequirementStatus
from materiel.donations.plan_model import PlanStatus, RuleKind
from materiel.donations.service import (
    change_pledge_status,
    get_pledge,
    get_requirement,
    import_pledges,
    import_requirements,
    summarize,
)
from tests.factories import load_reference_data

REQUIREMENTS = [
    {"ref": "R-1", "item_type": "pzh-2000", "accepts": "caesar", "quantity": "4", "priority": "1",
     "needed_by": "2027-06-01", "unit": "47th Brigade", "destination": "lviv"},
    {"ref": "R-2", "item_type": "pzh-2000", "quantity": "3", "priority": "2",
     "needed_by": "2027-06-01", "unit": "93rd Brigade", "destination": "lviv"},
    {"ref": "R-3", "item_type": "mv-4", "quantity": "2", "priority": "3",
     "needed_by": "2027-06-01", "unit": "SES demining group", "destination": "lviv"},
]  # fmt: skip
PLEDGES = [
    {"ref": "P-1", "donor": "DEU", "item_type": "pzh-2000", "quantity": "3", "origin": "unterluss",
     "available_from": "2027-01-10"},
    {"ref": "P-2", "donor": "FRA", "item_type": "caesar", "quantity": "2", "origin": "unterluss",
     "available_from": "2027-01-10"},
    {"ref": "P-3", "donor": "NLD", "item_type": "pzh-2000", "quantity": "2", "origin": "unterluss",
     "available_from": "2027-02-01"},
    {"ref": "P-4", "donor": "HRV", "item_type": "mv-4", "quantity": "1", "origin": "unterluss",
     "available_from": "2027-01-10"},
]  # fmt: skip


@pytest.fixture
def scenario(runtime: Runtime) -> Runtime:
    load_reference_data(runtime)
    import_requirements(("requirements", REQUIREMENTS), runtime.uow("t"))
    import_pledges(("pledges", PLEDGES), runtime.uow("t"))
    return runtime


def pairs(runtime: Runtime, plan_id: int | None) -> dict[tuple[str, str], int]:
    assert plan_id is not None
    view = plan_service.get_plan(plan_id, runtime.uow())
    return {(a.pledge, a.requirement): a.quantity for a in view.allocations}


def test_a_run_is_stored_as_a_draft_with_reasons(scenario: Runtime) -> None:
    plan = plan_service.run_allocation(scenario.uow("planner"), time_limit_s=5)
    view = plan_service.get_plan(plan.id or 0, scenario.uow())
    assert view.plan.status is PlanStatus.DRAFT
    given = pairs(scenario, plan.id)
    assert sum(q for (_, r), q in given.items() if r == "R-1") == 4  # priority 1 fully met
    assert sum(given.values()) == 4 + 3 + 1  # every unit that can move is used
    assert all(a.reasons for a in view.allocations)
    assert {u["requirement"] for u in view.plan.unmet} == {"R-3"}


def test_accepting_sets_statuses_and_the_summary(scenario: Runtime) -> None:
    plan = plan_service.run_allocation(scenario.uow("planner"), time_limit_s=5)
    plan_service.accept_plan(plan.id or 0, 1, scenario.uow("chief"))
    assert get_requirement("R-1", scenario.uow()).status is RequirementStatus.MET
    assert get_requirement("R-3", scenario.uow()).status is RequirementStatus.PARTLY_MET
    assert get_pledge("P-4", scenario.uow()).status is PledgeStatus.ALLOCATED
    summary = summarize(scenario.uow())
    assert summary.accepted_plan == plan.id
    assert summary.units_unmet_by_priority[3] == 1
    with pytest.raises(Conflict, match="only a draft"):
        plan_service.accept_plan(plan.id or 0, None, scenario.uow("chief"))


def test_a_replan_after_a_withdrawal_moves_only_what_it_must(scenario: Runtime) -> None:
    first = plan_service.run_allocation(scenario.uow("planner"), time_limit_s=5)
    plan_service.accept_plan(first.id or 0, None, scenario.uow("chief"))
    change_pledge_status("P-4", PledgeStatus.WITHDRAWN, None, scenario.uow("liaison"))
    second = plan_service.run_allocation(scenario.uow("planner"), time_limit_s=5)
    before, after = pairs(scenario, first.id), pairs(scenario, second.id)
    assert {k: v for k, v in before.items() if k[0] != "P-4"} == after
    against, diff = plan_service.compare_plans(second.id or 0, None, scenario.uow())
    assert against == first.id
    assert [(c.pledge, c.requirement) for c in diff.removed] == [("P-4", "R-3")]
    assert diff.added == [] and diff.units_moved == 1


def test_forbid_and_pin_steer_the_next_run(scenario: Runtime) -> None:
    first = pairs(scenario, plan_service.run_allocation(scenario.uow("p"), time_limit_s=5).id)
    used = next(k for k in first if k[1] == "R-1")
    plan_service.set_rule(RuleKind.FORBID, used[0], "R-1", 0, scenario.uow("chief"))
    plan_service.set_rule(RuleKind.PIN, "P-3", "R-2", 2, scenario.uow("chief"))
    second = pairs(scenario, plan_service.run_allocation(scenario.uow("p"), time_limit_s=5).id)
    assert used not in second
    assert second[("P-3", "R-2")] == 2
    assert len(plan_service.list_rules(scenario.uow())) == 2


def test_a_plan_made_against_an_old_basis_cannot_be_accepted(scenario: Runtime) -> None:
    a = plan_service.run_allocation(scenario.uow("p"), time_limit_s=5)
    b = plan_service.run_allocation(scenario.uow("p"), time_limit_s=5)
    plan_service.accept_plan(a.id or 0, None, scenario.uow("chief"))
    with pytest.raises(Conflict, match="run the planner again"):
        plan_service.accept_plan(b.id or 0, None, scenario.uow("chief"))
