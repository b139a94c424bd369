"""Web pages of requirements and pledges: what is particular to each kind.

The table, form, detail and status handling are shared (`web/record_pages.py`).
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.datastructures import QueryParams

from materiel.catalog.model import CAPABILITY_AREAS
from materiel.catalog.service import list_item_types
from materiel.core.markings import Classification
from materiel.core.paging import Page
from materiel.donations import service
from materiel.donations.io import pledge_fields, requirement_fields
from materiel.donations.model import (
    PLEDGE_TRANSITIONS,
    REQUIREMENT_TRANSITIONS,
    Condition,
    Pledge,
    PledgeStatus,
    Requirement,
    RequirementStatus,
)
from materiel.donations.store import PledgeFilter, RequirementFilter
from materiel.network.service import list_nodes
from materiel.platform.listing import Sort
from materiel.platform.unit_of_work import UnitOfWork
from materiel.web.forms import FormField
from materiel.web.record_pages import LifeCycle, RecordPages, register
from materiel.web.tables import Column, Filter, ListQuery

router = APIRouter(include_in_schema=False)

PRIORITY_OPTIONS = [(str(p), f"P{p}") for p in range(1, 6)]
CLASSIFICATIONS = [(c.label, c.label) for c in Classification]
AREA_OPTIONS = [(a, a) for a in CAPABILITY_AREAS]


def _choices(uow: UnitOfWork) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    items = list_item_types(uow, limit=10_000).items
    nodes = list_nodes(uow)
    return (
        [(i.id, f"{i.name} ({i.id})") for i in items],
        [(n.id, f"{n.name} ({n.country})") for n in nodes],
    )


def _ref(new: bool) -> list[FormField]:
    return [FormField("ref", "Ref", help="left empty: derived from the content")] if new else []


def _marking_fields() -> list[FormField]:
    return [
        FormField("classification", "Classification", "select", CLASSIFICATIONS, required=True),
        FormField("releasable_to", "Releasable to", help="e.g. UKR|NATO"),
    ]


def requirement_form(uow: UnitOfWork, new: bool) -> list[FormField]:
    items, nodes = _choices(uow)
    return [
        *_ref(new),
        FormField("item_type", "Item type", "select", items, required=True),
        FormField("accepts", "Accepted substitutes", help="item type ids, separated by |"),
        FormField("quantity", "Quantity", "number", required=True),
        FormField("priority", "Priority", "select", PRIORITY_OPTIONS, required=True),
        FormField("needed_by", "Needed by", "date", required=True),
        FormField("unit", "Receiving unit", required=True),
        FormField("destination", "Destination", "select", nodes, required=True),
        FormField("capability_area", "Capability area", "select", AREA_OPTIONS),
        FormField("justification", "Justification", "textarea"),
        *_marking_fields(),
    ]


SHARING = [("False", "no: the donor and coordinators"), ("True", "yes: every participant")]


def pledge_form(uow: UnitOfWork, new: bool) -> list[FormField]:
    items, nodes = _choices(uow)
    return [
        *_ref(new),
        FormField("donor", "Donor nation", required=True, help="ISO code, name or abbreviation"),
        FormField("item_type", "Item type", "select", items, required=True),
        FormField("quantity", "Quantity", "number", required=True),
        FormField("condition", "Condition", "select", [(c.value, c.value) for c in Condition]),
        FormField("origin", "Origin node", "select", nodes),
        FormField("available_from", "Available from", "date"),
        FormField("caveat_areas", "Only for capability areas", help="separated by |"),
        FormField("caveat_units", "Only for units", help="separated by |"),
        FormField("caveat_not_before", "Not before", "date"),
        FormField("shared", "Shared", "select", SHARING, help="who besides the donor sees it"),
        *_marking_fields(),
    ]


def _options(values: type[RequirementStatus] | type[PledgeStatus]) -> list[tuple[str, str]]:
    return [(s.value, s.value) for s in values]


def requirement_filters(q: QueryParams) -> list[Filter]:
    return [
        Filter("q", "Search ref, unit, item", q.get("q")),
        Filter("priority", "Priority", q.get("priority"), PRIORITY_OPTIONS),
        Filter("status", "Status", q.get("status"), _options(RequirementStatus)),
        Filter("capability_area", "Capability area", q.get("capability_area"), AREA_OPTIONS),
    ]


def search_requirements(q: QueryParams, query: ListQuery, uow: UnitOfWork) -> Page[Requirement]:
    status = q.get("status")
    where = RequirementFilter(
        priority=int(q["priority"]) if q.get("priority", "").isdigit() else None,
        status=RequirementStatus(status) if status in set(RequirementStatus) else None,
        capability_area=q.get("capability_area") or None,
        search=q.get("q") or None,
    )
    sort = Sort(query.sort, query.descending)
    return service.list_requirements(where, uow, limit=query.limit, offset=query.offset, sort=sort)


def pledge_filters(q: QueryParams) -> list[Filter]:
    return [
        Filter("q", "Search ref, donor, item", q.get("q")),
        Filter("donor", "Donor (ISO)", q.get("donor")),
        Filter("status", "Status", q.get("status"), _options(PledgeStatus)),
    ]


def search_pledges(q: QueryParams, query: ListQuery, uow: UnitOfWork) -> Page[Pledge]:
    status = q.get("status")
    where = PledgeFilter(
        donor=(q.get("donor") or "").upper() or None,
        status=PledgeStatus(status) if status in set(PledgeStatus) else None,
        search=q.get("q") or None,
    )
    sort = Sort(query.sort, query.descending)
    return service.list_pledges(where, uow, limit=query.limit, offset=query.offset, sort=sort)


REQUIREMENTS = RecordPages[Requirement](
    entity="requirement",
    noun="requirement",
    path="/requirements",
    title="Requirements",
    columns=[
        Column("id", "Ref", lambda r: r.id, lambda r: f"/requirements/{r.id}"),
        Column(
            "priority", "Priority", lambda r: f"P{r.priority}", css=lambda r: f"pill p{r.priority}"
        ),
        Column("item_type", "Item type", lambda r: r.item_type),
        Column("quantity", "Qty", lambda r: r.quantity, numeric=True),
        Column("needed_by", "Needed by", lambda r: r.needed_by),
        Column("unit", "Receiving unit", lambda r: r.unit),
        Column("destination", "Destination", lambda r: r.destination),
        Column("status", "Status", lambda r: r.status.value),
    ],
    filters=requirement_filters,
    search=search_requirements,
    get=service.get_requirement,
    create=service.create_requirement,
    update=service.update_requirement,
    to_fields=requirement_fields,
    form=requirement_form,
    life_cycle=LifeCycle(
        status_of=lambda r: r.status.value,
        next_statuses=lambda r: sorted(s.value for s in REQUIREMENT_TRANSITIONS[r.status]),
        change=lambda i, s, v, uow: service.change_requirement_status(
            i, RequirementStatus(s), v, uow
        ),
    ),
)

PLEDGES = RecordPages[Pledge](
    entity="pledge",
    noun="pledge",
    path="/pledges",
    title="Pledges",
    columns=[
        Column("id", "Ref", lambda p: p.id, lambda p: f"/pledges/{p.id}"),
        Column("donor", "Donor", lambda p: p.donor),
        Column("item_type", "Item type", lambda p: p.item_type),
        Column("quantity", "Qty", lambda p: p.quantity, numeric=True),
        Column("condition", "Condition", lambda p: p.condition.value),
        Column("origin", "Origin", lambda p: p.origin),
        Column("available_from", "Available", lambda p: p.available_from),
        Column("status", "Status", lambda p: p.status.value),
    ],
    filters=pledge_filters,
    search=search_pledges,
    get=service.get_pledge,
    create=service.create_pledge,
    update=service.update_pledge,
    to_fields=pledge_fields,
    form=pledge_form,
    life_cycle=LifeCycle(
        status_of=lambda p: p.status.value,
        next_statuses=lambda p: sorted(s.value for s in PLEDGE_TRANSITIONS[p.status]),
        change=lambda i, s, v, uow: service.change_pledge_status(i, PledgeStatus(s), v, uow),
    ),
)

register(router, REQUIREMENTS)
register(router, PLEDGES)
