"""Web pages of requirements and pledges: tables, details, forms, status changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from materiel.catalog.model import CAPABILITY_AREAS
from materiel.catalog.service import list_item_types
from materiel.core.errors import MaterielError
from materiel.core.markings import Classification
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
from materiel.donations.store import PledgeFilter, RequirementFilter, Sort
from materiel.network.service import list_nodes
from materiel.platform.audit import history_lines
from materiel.platform.http import UowDep
from materiel.platform.unit_of_work import UnitOfWork
from materiel.web.forms import FormField, display_text, filled, form_values, with_errors
from materiel.web.rendering import page
from materiel.web.tables import Column, Filter, ListQuery, table_view

router = APIRouter(include_in_schema=False)

PRIORITY_OPTIONS = [(str(p), f"P{p}") for p in range(1, 6)]
CLASSIFICATIONS = [(c.label, c.label) for c in Classification]

REQUIREMENT_COLUMNS: list[Column[Requirement]] = [
    Column("id", "Ref", lambda r: r.id, lambda r: f"/requirements/{r.id}"),
    Column("priority", "Priority", lambda r: f"P{r.priority}", css=lambda r: f"pill p{r.priority}"),
    Column("item_type", "Item type", lambda r: r.item_type),
    Column("quantity", "Qty", lambda r: r.quantity, numeric=True),
    Column("needed_by", "Needed by", lambda r: r.needed_by),
    Column("unit", "Receiving unit", lambda r: r.unit),
    Column("destination", "Destination", lambda r: r.destination),
    Column("status", "Status", lambda r: r.status.value),
]

PLEDGE_COLUMNS: list[Column[Pledge]] = [
    Column("id", "Ref", lambda p: p.id, lambda p: f"/pledges/{p.id}"),
    Column("donor", "Donor", lambda p: p.donor),
    Column("item_type", "Item type", lambda p: p.item_type),
    Column("quantity", "Qty", lambda p: p.quantity, numeric=True),
    Column("condition", "Condition", lambda p: p.condition.value),
    Column("origin", "Origin", lambda p: p.origin),
    Column("available_from", "Available", lambda p: p.available_from),
    Column("status", "Status", lambda p: p.status.value),
]


def _choices(uow: UnitOfWork) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    items = list_item_types(uow, limit=10_000).items
    nodes = list_nodes(uow)
    return (
        [(i.id, f"{i.name} ({i.id})") for i in items],
        [(n.id, f"{n.name} ({n.country})") for n in nodes],
    )


def requirement_form(uow: UnitOfWork, *, new: bool) -> list[FormField]:
    items, nodes = _choices(uow)
    ref = [FormField("ref", "Ref", help="left empty: derived from the content")] if new else []
    return [
        *ref,
        FormField("item_type", "Item type", "select", items, required=True),
        FormField("accepts", "Accepted substitutes", help="item type ids, separated by |"),
        FormField("quantity", "Quantity", "number", required=True),
        FormField("priority", "Priority", "select", PRIORITY_OPTIONS, required=True),
        FormField("needed_by", "Needed by", "date", required=True),
        FormField("unit", "Receiving unit", required=True),
        FormField("destination", "Destination", "select", nodes, required=True),
        FormField(
            "capability_area", "Capability area", "select", [(a, a) for a in CAPABILITY_AREAS]
        ),
        FormField("justification", "Justification", "textarea"),
        FormField("classification", "Classification", "select", CLASSIFICATIONS, required=True),
        FormField("releasable_to", "Releasable to", help="e.g. UKR|NATO"),
    ]


def pledge_form(uow: UnitOfWork, *, new: bool) -> list[FormField]:
    items, nodes = _choices(uow)
    ref = [FormField("ref", "Ref", help="left empty: derived from the content")] if new else []
    return [
        *ref,
        FormField("donor", "Donor nation", required=True, help="ISO code, name or abbreviation"),
        FormField("item_type", "Item type", "select", items, required=True),
        FormField("quantity", "Quantity", "number", required=True),
        FormField("condition", "Condition", "select", [(c.value, c.value) for c in Condition]),
        FormField("origin", "Origin node", "select", nodes),
        FormField("available_from", "Available from", "date"),
        FormField("caveat_areas", "Only for capability areas", help="separated by |"),
        FormField("caveat_units", "Only for units", help="separated by |"),
        FormField("caveat_not_before", "Not before", "date"),
        FormField("classification", "Classification", "select", CLASSIFICATIONS, required=True),
        FormField("releasable_to", "Releasable to", help="e.g. UKR|NATO"),
    ]


@router.get("/requirements", response_class=HTMLResponse)
def requirements_page(request: Request, uow: UowDep) -> Response:
    q = request.query_params
    query = ListQuery.of(request)
    where = RequirementFilter(
        priority=int(q["priority"]) if q.get("priority", "").isdigit() else None,
        status=RequirementStatus(q["status"])
        if q.get("status") in set(RequirementStatus)
        else None,
        capability_area=q.get("capability_area") or None,
        search=q.get("q") or None,
    )
    found = service.list_requirements(
        where, uow, limit=query.limit, offset=query.offset, sort=Sort(query.sort, query.descending)
    )
    filters = [
        Filter("q", "Search ref, unit, item", q.get("q")),
        Filter("priority", "Priority", q.get("priority"), PRIORITY_OPTIONS),
        Filter(
            "status", "Status", q.get("status"), [(s.value, s.value) for s in RequirementStatus]
        ),
        Filter(
            "capability_area",
            "Capability area",
            q.get("capability_area"),
            [(a, a) for a in CAPABILITY_AREAS],
        ),
    ]
    table = table_view(
        "Requirements",
        found,
        REQUIREMENT_COLUMNS,
        query,
        filters=filters,
        actions=[("/requirements/new", "New requirement")],
    )
    return page(request, "list.html", {"table": table}, markings=[r.marking for r in found.items])


@router.get("/pledges", response_class=HTMLResponse)
def pledges_page(request: Request, uow: UowDep) -> Response:
    q = request.query_params
    query = ListQuery.of(request)
    where = PledgeFilter(
        donor=(q.get("donor") or "").upper() or None,
        status=PledgeStatus(q["status"]) if q.get("status") in set(PledgeStatus) else None,
        search=q.get("q") or None,
    )
    found = service.list_pledges(
        where, uow, limit=query.limit, offset=query.offset, sort=Sort(query.sort, query.descending)
    )
    filters = [
        Filter("q", "Search ref, donor, item", q.get("q")),
        Filter("donor", "Donor (ISO)", q.get("donor")),
        Filter("status", "Status", q.get("status"), [(s.value, s.value) for s in PledgeStatus]),
    ]
    table = table_view(
        "Pledges",
        found,
        PLEDGE_COLUMNS,
        query,
        filters=filters,
        actions=[("/pledges/new", "New pledge")],
    )
    return page(request, "list.html", {"table": table}, markings=[p.marking for p in found.items])


@router.get("/requirements/new", response_class=HTMLResponse)
def new_requirement(request: Request, uow: UowDep) -> Response:
    return _form_page(
        request, "New requirement", requirement_form(uow, new=True), values={}, back="/requirements"
    )


@router.post("/requirements/new", response_class=HTMLResponse)
async def create_requirement(request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    fields = requirement_form(uow, new=True)
    try:
        record = service.create_requirement(values, uow)
    except MaterielError as error:
        return _form_page(
            request, "New requirement", fields, values=values, back="/requirements", error=error
        )
    return RedirectResponse(f"/requirements/{record.id}?saved=1", status_code=303)


@router.get("/pledges/new", response_class=HTMLResponse)
def new_pledge(request: Request, uow: UowDep) -> Response:
    return _form_page(request, "New pledge", pledge_form(uow, new=True), values={}, back="/pledges")


@router.post("/pledges/new", response_class=HTMLResponse)
async def create_pledge(request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    fields = pledge_form(uow, new=True)
    try:
        record = service.create_pledge(values, uow)
    except MaterielError as error:
        return _form_page(
            request, "New pledge", fields, values=values, back="/pledges", error=error
        )
    return RedirectResponse(f"/pledges/{record.id}?saved=1", status_code=303)


def _form_page(
    request: Request,
    title: str,
    fields: list[FormField],
    *,
    values: dict[str, Any],
    back: str,
    error: MaterielError | None = None,
) -> Response:
    shown, general = (
        with_errors(filled(fields, values), error) if error else (filled(fields, values), "")
    )
    context = {
        "title": title,
        "back_href": back,
        "back_label": back.strip("/").capitalize(),
        "fields": shown,
        "error": general,
        "form_title": "Details",
        "form_action": request.url.path,
        "submit_label": "Save",
    }
    return page(request, "record.html", context, status_code=422 if error else 200)


@router.get("/requirements/{requirement_id}", response_class=HTMLResponse)
def requirement_page(requirement_id: str, request: Request, uow: UowDep) -> Response:
    record = service.get_requirement(requirement_id, uow)
    return _record_page(
        request, uow, record, entity="requirement", fields=requirement_form(uow, new=False)
    )


@router.get("/pledges/{pledge_id}", response_class=HTMLResponse)
def pledge_page(pledge_id: str, request: Request, uow: UowDep) -> Response:
    record = service.get_pledge(pledge_id, uow)
    return _record_page(request, uow, record, entity="pledge", fields=pledge_form(uow, new=False))


@router.post("/requirements/{requirement_id}", response_class=HTMLResponse)
async def update_requirement(requirement_id: str, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    version = int(values.pop("version", "0") or 0) or None
    try:
        service.update_requirement(requirement_id, values, version, uow)
    except MaterielError as error:
        record = service.get_requirement(requirement_id, uow)
        return _record_page(
            request,
            uow,
            record,
            entity="requirement",
            fields=requirement_form(uow, new=False),
            typed=values,
            error=error,
        )
    return RedirectResponse(f"/requirements/{requirement_id}?saved=1", status_code=303)


@router.post("/pledges/{pledge_id}", response_class=HTMLResponse)
async def update_pledge(pledge_id: str, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    version = int(values.pop("version", "0") or 0) or None
    try:
        service.update_pledge(pledge_id, values, version, uow)
    except MaterielError as error:
        record = service.get_pledge(pledge_id, uow)
        return _record_page(
            request,
            uow,
            record,
            entity="pledge",
            fields=pledge_form(uow, new=False),
            typed=values,
            error=error,
        )
    return RedirectResponse(f"/pledges/{pledge_id}?saved=1", status_code=303)


@router.post("/requirements/{requirement_id}/status")
async def requirement_status(requirement_id: str, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    return await _status(
        request,
        uow,
        f"/requirements/{requirement_id}",
        values,
        lambda v: service.change_requirement_status(
            requirement_id, RequirementStatus(values["status"]), v, uow
        ),
    )


@router.post("/pledges/{pledge_id}/status")
async def pledge_status(pledge_id: str, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    return await _status(
        request,
        uow,
        f"/pledges/{pledge_id}",
        values,
        lambda v: service.change_pledge_status(pledge_id, PledgeStatus(values["status"]), v, uow),
    )


async def _status(
    request: Request,
    uow: UnitOfWork,
    href: str,
    values: dict[str, str],
    change: Callable[[int | None], Any],
) -> Response:
    version = int(values.get("version", "0") or 0) or None
    try:
        change(version)
    except MaterielError as error:
        return RedirectResponse(f"{href}?error={error.message}", status_code=303)
    return RedirectResponse(f"{href}?saved=1", status_code=303)


def _record_page(
    request: Request,
    uow: UnitOfWork,
    record: Requirement | Pledge,
    *,
    entity: str,
    fields: list[FormField],
    typed: dict[str, Any] | None = None,
    error: MaterielError | None = None,
) -> Response:
    current = (
        requirement_fields(record) if isinstance(record, Requirement) else pledge_fields(record)
    )
    values = {**current, **(typed or {})}
    shown, general = (
        with_errors(filled(fields, values), error) if error else (filled(fields, values), "")
    )
    transitions: Sequence[Any] = (
        sorted(REQUIREMENT_TRANSITIONS[record.status])
        if isinstance(record, Requirement)
        else sorted(PLEDGE_TRANSITIONS[record.status])
    )
    with uow:
        history = history_lines(uow.session, entity, record.id)
    plural = f"{entity}s"
    context = {
        "title": f"{entity.capitalize()} {record.id}",
        "back_href": f"/{plural}",
        "back_label": plural.capitalize(),
        "summary": [(k.replace("_", " "), v) for k, v in _readable(current).items()],
        "status": record.status.value,
        "statuses": [s.value for s in transitions],
        "status_action": f"/{plural}/{record.id}/status",
        "version": record.version,
        "fields": shown,
        "error": general or request.query_params.get("error", ""),
        "message": "Saved." if request.query_params.get("saved") else "",
        "form_title": "Edit",
        "form_action": f"/{plural}/{record.id}",
        "submit_label": "Save changes",
        "history": history,
    }
    return page(
        request,
        "record.html",
        context,
        markings=[record.marking],
        status_code=422 if error else 200,
    )


def _readable(fields: dict[str, Any]) -> dict[str, str]:
    return {key: display_text(value, ", ") for key, value in fields.items()}
