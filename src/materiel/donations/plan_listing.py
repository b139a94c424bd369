"""Allocation plan versions summed up, and one plan's lines a page at a time.

At the size of a real cell a plan has ten thousand lines and its unmet list
is a JSON document of hundreds of kilobytes. A version list carries each
version's figures and counts, not its lists (of the unmet list only each
entry's requirement is read, to count what the reader sees); one plan's
lines and unmet entries come a page at a time, with their totals, and its
figures stay whole.

Every read selects from the mapped classes, so the access filter applies as
to any other read; a plan's unmet list and figures go through
`plans_as_seen` as everywhere else.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from typing import cast as cast_type

from sqlalchemy import Row, Select, Text, cast, func, select

from materiel.core.errors import NotFound
from materiel.core.markings import Marking, most_restrictive
from materiel.core.paging import Page, Window
from materiel.donations.model import Pledge, Requirement
from materiel.donations.plan_as_seen import plans_as_seen
from materiel.donations.plan_model import (
    PairingChange,
    PairingRule,
    PlanDiff,
    PlannedAllocation,
    StoredPlan,
    compare,
)
from materiel.donations.plan_store import PlanStore, plan_allocations, plans
from materiel.donations.store import pledges, requirements
from materiel.platform.json_entries import TEXT, json_entries
from materiel.platform.listing import page_of
from materiel.platform.unit_of_work import UnitOfWork

Entry = dict[str, Any]


# --- versions ------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanSummary:
    """A version as the reader sees it: its figures, no lists (`counts` says how long)."""

    plan: StoredPlan  # `unmet` and `notes` left out
    counts: dict[str, int]  # allocations, unmet


# Without `unmet` (hundreds of kilobytes at scale) and `notes`.
SUMMARY_COLUMNS = (
    "id",
    "created_by",
    "objective",
    "solver",
    "basis_id",
    "status",
    "created_at",
    "accepted_at",
    "accepted_by",
    "version",
)


def plan_summaries(uow: UnitOfWork) -> list[PlanSummary]:
    """Every plan version, newest first, as the user may see it."""
    columns = [plans.c[name] for name in SUMMARY_COLUMNS]
    query = select(*columns).select_from(StoredPlan).order_by(plans.c.id.desc())
    with uow:
        return _summaries(uow, query)


def _summaries(uow: UnitOfWork, query: Select[Any]) -> list[PlanSummary]:
    """Versions from their small columns; of the unmet list only each entry's requirement,
    which is what the reader's view of it is decided by."""
    session = uow.session
    rows = session.execute(query).all()
    ids: list[Hashable] = [row.id for row in rows]
    unmet = json_entries(
        session, StoredPlan, plans.c.id, plans.c.unmet, ids, fields={"requirement": TEXT}
    )
    keys = [
        StoredPlan(
            **{name: getattr(row, name) for name in SUMMARY_COLUMNS},
            unmet=unmet.get(row.id, []),
        )
        for row in rows
    ]
    lines = _line_counts(uow, ids)
    return [
        PlanSummary(
            replace(plan, unmet=[], notes=[]),
            {"allocations": lines.get(plan.id, 0), "unmet": len(plan.unmet)},
        )
        for plan in plans_as_seen(uow, keys)
    ]


def _line_counts(uow: UnitOfWork, ids: Sequence[Hashable]) -> dict[Hashable, int]:
    """Lines the reader sees, per plan."""
    key = plan_allocations.c.plan_id
    query = select(key, func.count()).select_from(PlannedAllocation).where(key.in_(ids))
    return {i: int(n) for i, n in uow.session.execute(query.group_by(key))} if ids else {}


# --- one plan, a page of each list at a time --------------------------------------------


@dataclass(frozen=True)
class PlanView:
    """A plan as the reader sees it: its figures whole, its lines and unmet entries a page each."""

    plan: StoredPlan  # its unmet list whole, as seen; the page below is cut from it
    counts: dict[str, int]  # as in a summary
    allocations: Page[PlannedAllocation]
    unmet: Page[Entry]


def plan_view(plan_id: int, uow: UnitOfWork, allocations: Window, unmet: Window) -> PlanView:
    with uow:
        return _view(uow, plan_id, allocations, unmet)


def _view(uow: UnitOfWork, plan_id: int, allocations: Window, unmet: Window) -> PlanView:
    record = PlanStore(uow.session).plan(plan_id)
    if record is None:
        raise NotFound(f"plan {plan_id} does not exist")
    (plan,) = plans_as_seen(uow, [record])
    query = select(PlannedAllocation).where(plan_allocations.c.plan_id == plan_id)
    lines, total = page_of(
        uow.session, query, (plan_allocations.c.id,), allocations.limit, allocations.offset
    )
    return PlanView(
        plan,
        {"allocations": total, "unmet": len(plan.unmet)},
        Page(lines, total, allocations.limit, allocations.offset),
        unmet.of(plan.unmet),
    )


@dataclass(frozen=True)
class PlanReview:
    """A plan as staff review it on its page: a page of lines with who and what, a page of
    unmet lines, a page of what changed, the standing rules, and its banner's markings."""

    view: PlanView
    units_missing: int  # over every unmet line the reader sees
    pledges: dict[str, Pledge]  # of the lines on the page
    requirements: dict[str, Requirement]  # of the lines and unmet entries on the page
    against: int | None
    diff: PlanDiff  # whole: its counts are figures
    changes: Page[PairingChange]  # removed, resized, then added
    rules: list[PairingRule]
    markings: tuple[Marking, ...]  # of every line seen and of its requirement


@dataclass(frozen=True)
class ReviewWindows:
    allocations: Window
    unmet: Window
    changes: Window


def review_plan(plan_id: int, uow: UnitOfWork, windows: ReviewWindows) -> PlanReview:
    with uow:
        session = uow.session
        view = _view(uow, plan_id, windows.allocations, windows.unmet)
        plan = view.plan
        lines = view.allocations.items
        named = {line.requirement for line in lines} | {
            str(u.get("requirement")) for u in view.unmet.items
        }
        found_pledges = session.scalars(
            select(Pledge).where(pledges.c.id.in_({line.pledge for line in lines}))
        )
        found_requirements = session.scalars(
            select(Requirement).where(requirements.c.id.in_(named))
        )
        old = _pairs(uow, plan.basis_id) if plan.basis_id is not None else []
        diff = compare(cast_lines(old), cast_lines(_pairs(uow, plan_id)))
        return PlanReview(
            view=view,
            units_missing=sum(int(u.get("quantity", 0)) for u in plan.unmet),
            pledges={p.id: p for p in found_pledges},
            requirements={r.id: r for r in found_requirements},
            against=plan.basis_id,
            diff=diff,
            changes=windows.changes.of([*diff.removed, *diff.resized, *diff.added]),
            rules=PlanStore(session).rules(),
            markings=_markings(uow, plan_id),
        )


def _pairs(uow: UnitOfWork, plan_id: int) -> Sequence[Row[str, str, int]]:
    """The plan's lines the reader sees with only what `compare` reads (pledge, requirement,
    units), as rows: ten thousand whole lines take a second to build."""
    a = plan_allocations.c
    query = (
        select(a.pledge, a.requirement, a.quantity)
        .select_from(PlannedAllocation)
        .where(a.plan_id == plan_id)
        .order_by(a.id)
    )
    return uow.session.execute(query).all()


def cast_lines(rows: Sequence[Row[str, str, int]]) -> list[PlannedAllocation]:
    """Rows of (pledge, requirement, quantity) where `compare` takes lines: it reads those."""
    return cast_type("list[PlannedAllocation]", list(rows))


def _markings(uow: UnitOfWork, plan_id: int) -> tuple[Marking, ...]:
    """Each marking of the plan's lines the reader sees, then of their requirements, once
    and in the order of the lines: what the page's banner covers."""
    a, r = plan_allocations.c, requirements.c
    line = (
        a.classification,
        cast(a.releasable_to, Text),
        a.requirement_classification,
        cast(a.requirement_releasable_to, Text),
    )
    of_lines = (
        select(*line)
        .select_from(PlannedAllocation)
        .where(a.plan_id == plan_id)
        .group_by(*line)
        .order_by(func.min(a.id))
    )
    need = (r.classification, cast(r.releasable_to, Text))
    of_requirements = (
        select(*need)
        .select_from(PlannedAllocation)
        .join(Requirement, r.id == a.requirement)
        .where(a.plan_id == plan_id)
        .group_by(*need)
        .order_by(func.min(a.id))
    )
    session = uow.session
    return (
        *(
            most_restrictive((Marking(level, _codes(codes)), Marking(r_level, _codes(r_codes))))
            for level, codes, r_level, r_codes in session.execute(of_lines)
        ),
        *(Marking(level, _codes(codes)) for level, codes in session.execute(of_requirements)),
    )


def _codes(text: str) -> tuple[str, ...]:
    return tuple(json.loads(text))
