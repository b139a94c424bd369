"""Transfers read a page at a time, and transport plan versions summed up.

At the size of a real cell a transport plan has ten thousand shipments and
its lists of movements changed and left unplanned are megabytes of JSON. So
lists are paged in the database (LIMIT/OFFSET and one count); a version list
carries each version's figures and counts, not its lists (only the entries'
keys are read, to count what the reader sees); one plan's lists come a page
at a time, with their totals.

Every read selects from the mapped classes, so the access filter applies as
to any other read; a plan's lists and figures go through
`transport_plans_as_seen` as everywhere else.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Select, func, select

from materiel.core.errors import NotFound
from materiel.core.markings import Marking
from materiel.core.paging import Page, Window
from materiel.logistics.model import (
    MOVING,
    Shipment,
    ShipmentStatus,
    TransportPlanRecord,
)
from materiel.logistics.store import LogisticsStore, shipments, transport_plans
from materiel.logistics.transport_plan_as_seen import transport_plans_as_seen
from materiel.platform.json_entries import (
    NUMBER,
    TEXT,
    json_distinct,
    json_entries,
    json_lengths,
)
from materiel.platform.listing import page_of
from materiel.platform.unit_of_work import UnitOfWork

Entry = dict[str, Any]


def shipments_page(
    uow: UnitOfWork, status: ShipmentStatus | None, window: Window
) -> Page[Shipment]:
    """One page of the shipments with `status` (by default all but those only proposed)."""
    query = select(Shipment)
    if status is not None:
        query = query.where(shipments.c.status == status.value)
    else:
        query = query.where(shipments.c.status != ShipmentStatus.PROPOSED.value)
    with uow:
        items, total = page_of(uow.session, query, (shipments.c.id,), window.limit, window.offset)
    return Page(items, total, window.limit, window.offset)


def moving_shipments(uow: UnitOfWork) -> list[Shipment]:
    """The shipments under way (dispatched, at a hub, handed over), by id."""
    query = select(Shipment).where(shipments.c.status.in_([s.value for s in MOVING]))
    with uow:
        return list(uow.session.scalars(query.order_by(shipments.c.id)))


# --- transport plan versions ------------------------------------------------------------


@dataclass(frozen=True)
class TransportPlanSummary:
    """A version as the reader sees it: its figures, no lists (`counts` says how long)."""

    plan: TransportPlanRecord  # `unplanned`, `changes` and the solver's warnings left out
    counts: dict[str, int]  # shipments, changes, unplanned, warnings


# Without `unplanned` and `changes`, the megabytes of a plan.
SUMMARY_COLUMNS = (
    "id",
    "allocation_plan_id",
    "created_by",
    "objective",
    "solver",
    "basis_id",
    "status",
    "created_at",
    "version",
)


def transport_plan_summaries(
    uow: UnitOfWork, *, limit: int | None = None
) -> list[TransportPlanSummary]:
    """Transport plan versions, newest first (the `limit` newest), as the user may see them."""
    query = _summary_query().order_by(transport_plans.c.id.desc()).limit(limit)
    with uow:
        return _summaries(uow, query)


def _summary_query() -> Select[Any]:
    columns = [transport_plans.c[name] for name in SUMMARY_COLUMNS]
    return select(*columns).select_from(TransportPlanRecord)


def _summaries(uow: UnitOfWork, query: Select[Any]) -> list[TransportPlanSummary]:
    """Versions from their small columns; of their lists only each entry's movement (and,
    unplanned, its units), which is what the reader's view of the lists is decided by.

    Successive versions name mostly the same movements changed, ten thousand each at
    scale: each movement is judged once, by `transport_plans_as_seen` itself, as an
    entry of one more record (`probe`, no plan, so no figures) that names each movement
    once. A reader who sees them all has each version's changes counted by the database;
    another, the movements each version names that the reader sees.
    """
    session, t = uow.session, transport_plans.c
    rows = session.execute(query).all()
    ids: list[Hashable] = [row.id for row in rows]
    unplanned = json_entries(
        session,
        TransportPlanRecord,
        t.id,
        t.unplanned,
        ids,
        fields={"movement": TEXT, "units": NUMBER},
    )
    keys = [
        TransportPlanRecord(
            **{name: getattr(row, name) for name in SUMMARY_COLUMNS},
            unplanned=unplanned.get(row.id, []),
        )
        for row in rows
    ]
    movements = json_distinct(session, TransportPlanRecord, t.id, t.changes, ids, field="movement")
    probe = TransportPlanRecord(0, "", {}, {}, changes=[{"movement": m} for m in movements])
    *views, probed = transport_plans_as_seen(uow, [*keys, probe])
    seen = {e["movement"] for e in probed.changes}
    changed = _changes_seen(uow, ids, seen, all_seen=len(seen) == len(movements))
    shipped = _shipment_counts(uow, ids)
    summaries = []
    for plan in views:
        warnings = plan.solver.get("warnings", [])
        counts = {
            "shipments": shipped.get(plan.id, 0),
            "changes": changed.get(plan.id, 0),
            "unplanned": len(plan.unplanned),
            "warnings": len(warnings),
        }
        solver = {k: v for k, v in plan.solver.items() if k != "warnings"}
        summaries.append(TransportPlanSummary(replace(plan, unplanned=[], solver=solver), counts))
    return summaries


def _changes_seen(
    uow: UnitOfWork, ids: Sequence[Hashable], seen: set[str], *, all_seen: bool
) -> dict[Hashable, int]:
    """Movements changed the reader sees, per plan."""
    session, t = uow.session, transport_plans.c
    if all_seen:
        return json_lengths(session, TransportPlanRecord, t.id, t.changes, ids)
    named = json_entries(
        session, TransportPlanRecord, t.id, t.changes, ids, fields={"movement": TEXT}
    )
    return {i: sum(1 for e in entries if e["movement"] in seen) for i, entries in named.items()}


def _shipment_counts(uow: UnitOfWork, ids: Sequence[Hashable]) -> dict[Hashable, int]:
    """Shipments the reader sees, per plan."""
    key = shipments.c.transport_plan_id
    query = select(key, func.count()).select_from(Shipment).where(key.in_(ids)).group_by(key)
    return {plan_id: int(n) for plan_id, n in uow.session.execute(query)} if ids else {}


# --- one transport plan, a page of each list at a time ----------------------------------


@dataclass(frozen=True)
class TransportPlanView:
    """A plan as the reader sees it: its figures whole, its lists a page each."""

    plan: TransportPlanRecord  # its lists whole, as seen; the pages below are cut from them
    counts: dict[str, int]  # as in a summary
    shipments: Page[Shipment]
    changes: Page[Entry]
    unplanned: Page[Entry]
    basis: TransportPlanSummary | None = None  # the plan it replaces, when asked for
    markings: tuple[Marking, ...] = ()  # of every shipment seen, when asked for (the banner)


@dataclass(frozen=True)
class Windows:
    """The page of each of a transport plan's lists to show."""

    shipments: Window
    changes: Window
    unplanned: Window

    @classmethod
    def same(cls, window: Window) -> Windows:
        return cls(window, window, window)


def transport_plan_view(
    plan_id: int, uow: UnitOfWork, windows: Windows, *, for_page: bool = False
) -> TransportPlanView:
    """One transport plan; `for_page` adds the plan it replaces and its shipments' markings."""
    with uow:
        record = uow.session.get(TransportPlanRecord, plan_id)
        if record is None:
            raise NotFound(f"transport plan {plan_id} does not exist")
        (plan,) = transport_plans_as_seen(uow, [record])
        query = select(Shipment).where(shipments.c.transport_plan_id == plan_id)
        window = windows.shipments
        items, total = page_of(uow.session, query, (shipments.c.id,), window.limit, window.offset)
        counts = {
            "shipments": total,
            "changes": len(plan.changes),
            "unplanned": len(plan.unplanned),
            "warnings": len(plan.solver.get("warnings", [])),
        }
        basis: TransportPlanSummary | None = None
        markings: tuple[Marking, ...] = ()
        if for_page:
            markings = _shipment_markings(uow, plan_id)
            if plan.basis_id is not None:
                found = _summaries(
                    uow, _summary_query().where(transport_plans.c.id == plan.basis_id)
                )
                basis = found[0] if found else None
        return TransportPlanView(
            plan,
            counts,
            Page(items, total, window.limit, window.offset),
            windows.changes.of(plan.changes),
            windows.unplanned.of(plan.unplanned),
            basis,
            markings,
        )


def _shipment_markings(uow: UnitOfWork, plan_id: int) -> tuple[Marking, ...]:
    """Each marking of the plan's shipments the reader sees, once, in the order of the
    shipments (ids): what `Shipment.marking` gives for each of them, to put in a banner."""
    where = shipments.c.transport_plan_id == plan_id
    return tuple(LogisticsStore(uow.session).shipment_markings(where))
