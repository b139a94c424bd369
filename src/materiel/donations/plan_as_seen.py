"""Allocation plans as one reader may see them.

A plan's figures (units met by priority, lateness, pairs, cost, units
moved) and its solver's bound sum over every line. A reader who may not read
some lines gets the figures that can be summed over the lines they see, no
figure for the rest, and no bound: sums over hidden lines would carry what
those lines' markings withhold. Unmet requirements are listed only when the
reader sees them. The copies are detached, so nothing is ever written back.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import replace
from typing import Any

from sqlalchemy import select

from materiel.donations.plan_model import PlannedAllocation, StoredPlan
from materiel.donations.plan_store import PlanStore, plan_allocations
from materiel.donations.planning.scenario import PRIORITIES
from materiel.donations.store import DonationsStore, requirements
from materiel.platform.access.sessions import as_system
from materiel.platform.access.unseen import unseen_rows
from materiel.platform.unit_of_work import UnitOfWork

WITHHELD = ("types_per_unit", "transport_cost", "units_moved")
SOLVER_KEPT = ("status", "seconds", "method")


def plans_as_seen(uow: UnitOfWork, records: list[StoredPlan]) -> list[StoredPlan]:
    """Each plan with its unmet list and, if seen in part, its figures, as the reader sees them."""
    visible = {r.id for r in DonationsStore(uow.session).all_requirements()}
    partial = unseen_rows(uow.session, PlannedAllocation, plan_allocations.c.plan_id, _ids(records))
    return [
        replace(
            plan,
            unmet=[u for u in plan.unmet if u.get("requirement") in visible],
            **(_figures_seen(uow, plan) if plan.id in partial else {}),
        )
        for plan in records
    ]


def _figures_seen(uow: UnitOfWork, plan: StoredPlan) -> dict[str, Any]:
    """Figures summed over the lines the reader sees; no figure, and no bound, for the rest."""
    lines = PlanStore(uow.session).allocations(plan.id or 0)
    named = {line.requirement for line in lines}
    query = select(requirements.c.id, requirements.c.priority).where(requirements.c.id.in_(named))
    with as_system(uow.session):  # a seen line's requirement may be read: the line names it
        priority = dict(uow.session.execute(query).all())
    met = dict.fromkeys(PRIORITIES, 0)
    for line in lines:
        met[priority[line.requirement]] += line.quantity
    objective = {
        **plan.objective,
        "met_by_priority": {str(k): v for k, v in met.items()},
        "unit_days_late": sum(line.quantity * line.days_late for line in lines),
        **dict.fromkeys(WITHHELD),
    }
    solver = {k: v for k, v in plan.solver.items() if k in SOLVER_KEPT}
    return {"objective": objective, "solver": solver}


def _ids(records: list[StoredPlan]) -> list[Hashable]:
    return [plan.id for plan in records if plan.id is not None]
