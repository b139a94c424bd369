"""Web pages of transfers: the shipments board, a shipment's legs and custody, forms.

A form is offered only to users whose role may use it. A step that is refused
(or mistyped) shows the shipment page again with the reason and everything the
user typed; nothing is recorded. After a redirect, a message travels as a
signed notice (`notice_url`), never as raw text in the URL.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from materiel.api.problems import status_for
from materiel.core.errors import InvalidInput, MaterielError, Problem
from materiel.core.markings import Marking
from materiel.core.paging import Page, Window
from materiel.logistics import listing, service, transport_service
from materiel.logistics.model import (
    DiscrepancyKind,
    Finding,
    Receipt,
    Shipment,
    ShipmentStatus,
)
from materiel.platform.http import UowDep
from materiel.platform.identity.request_auth import safe_next
from materiel.platform.jobs.service import submit_job
from materiel.platform.unit_of_work import UnitOfWork
from materiel.web.forms import form_values
from materiel.web.record_pages import parse_version
from materiel.web.rendering import is_htmx, may_change, notice_url, notices, page, templates
from materiel.web.tables import ListQuery, offset_of, pager

router = APIRouter(include_in_schema=False)

KINDS = [k.value for k in DiscrepancyKind]


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _shipment_path(shipment_id: str) -> str:
    return f"/shipments/{quote(shipment_id, safe='')}"


# --- the shipments board -------------------------------------------------


PLANS_LISTED = 10  # the newest transport plans on the shipments page


@router.get("/shipments", response_class=HTMLResponse)
def shipments_page(request: Request, uow: UowDep) -> Response:
    """Board, transport plans and one page of shipments, read a page at a time."""
    status, refused = _status_filter(request)
    query = ListQuery.of(request)
    listed = listing.shipments_page(uow, status, Window(query.limit, query.offset))
    board = service.board(uow)
    message, error = notices(request)
    context = {
        "board": board,
        "listed": listed,
        "pages": pager(request, listed),
        "status": status.value if status else "",
        "statuses": [s.value for s in ShipmentStatus],
        "plans": listing.transport_plan_summaries(uow, limit=PLANS_LISTED),
        "may_plan": may_change(request, "job") and may_change(request, "transport_plan"),
        "may_accept": may_change(request, "transport_plan"),
        "message": message,
        "error": refused or error,
    }
    markings = _board_markings(board, listed.items)
    return page(
        request, "shipments.html", context, markings=markings, status_code=422 if refused else 200
    )


def _status_filter(request: Request) -> tuple[ShipmentStatus | None, str]:
    """The status to list; an unknown one is refused by name rather than silently ignored."""
    text = request.query_params.get("status") or ""
    if not text:
        return None, ""
    try:
        return ShipmentStatus(text), ""
    except ValueError:
        known = ", ".join(s.value for s in ShipmentStatus)
        return None, f"there is no shipment status '{text}'; choose one of {known} (or any)"


def _board_markings(board: service.Board, listed: Sequence[Shipment]) -> list[Marking]:
    """The board counts every live shipment, so its markings count as well as the listed ones."""
    waiting = [s for items in board.waiting.values() for s in items]
    return [s.marking for s in (*board.in_transit, *board.late, *waiting, *listed)]


# --- transport plans -----------------------------------------------------


@router.post("/shipments/plan", response_class=HTMLResponse)
def plan_transport(request: Request, uow: UowDep) -> Response:
    """Start a transport planner run; its progress replaces the button's status line.

    htmx swaps in only successful answers, so a refusal (an auditor's 403, say)
    comes back to htmx as a fragment that says why, instead of vanishing.
    """
    runner = request.app.state.runtime.runner
    try:
        job = submit_job(transport_service.TRANSPORT_JOB, {"time_limit_s": 30}, uow, runner)
    except MaterielError as error:
        if not is_htmx(request):
            raise
        return templates.TemplateResponse(request, "_job.html", {"refused": error.message})
    return templates.TemplateResponse(request, "_job.html", {"job": job})


# Each list of a transport plan's page, paged by its own `NAME_offset`, and its table's id.
PLAN_PAGERS = {"shipments": "plan-shipments", "changes": "changes", "unplanned": "unplanned"}


@router.get("/transport-plans/{plan_id}", response_class=HTMLResponse)
def transport_plan_page(plan_id: int, request: Request, uow: UowDep) -> Response:
    """A plan to review before accepting: its lateness and cost against the plan it
    replaces, what changed, what is left unplanned, and its shipments, a page of each
    (`changes_offset`, `unplanned_offset`, `shipments_offset`; `size` rows)."""
    size = ListQuery.of(request).limit
    windows = listing.Windows(
        **{name: Window(size, offset_of(request, name)) for name in PLAN_PAGERS}
    )
    view = listing.transport_plan_view(plan_id, uow, windows, for_page=True)
    lists: dict[str, Page[Any]] = {
        "shipments": view.shipments,
        "changes": view.changes,
        "unplanned": view.unplanned,
    }
    context = {
        "view": view,
        "plan": view.plan,
        "basis": view.basis.plan if view.basis else None,
        "pagers": {
            name: pager(request, lists[name], f"{name}_offset", anchor=table)
            for name, table in PLAN_PAGERS.items()
        },
        "may_accept": may_change(request, "transport_plan"),
    }
    return page(request, "transport_plan.html", context, markings=view.markings)


@router.post("/transport-plans/{plan_id}/accept")
async def accept(plan_id: int, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    try:
        version = parse_version(values.get("version"))
        transport_service.accept_transport_plan(plan_id, version, uow)
    except MaterielError as error:
        return _see_other(notice_url(request, "/shipments", error=error.message))
    accepted = f"Transport plan {plan_id} accepted."
    return _see_other(notice_url(request, "/shipments", message=accepted))


# --- one shipment --------------------------------------------------------


@router.get("/shipments/{shipment_id}", response_class=HTMLResponse)
def shipment_page(shipment_id: str, request: Request, uow: UowDep) -> Response:
    message, error = notices(request)
    return _shipment_page(request, uow, shipment_id, message=message, error=error)


def _shipment_page(
    request: Request,
    uow: UnitOfWork,
    shipment_id: str,
    *,
    typed: dict[str, str] | None = None,
    message: str = "",
    error: str = "",
    invalid: Sequence[str] = (),
    status_code: int = 200,
) -> Response:
    """The shipment as it is now; after a refusal, `typed` refills the form the user sent
    and `invalid` names its fields at fault."""
    view = service.shipment_view(shipment_id, uow)
    context = {
        "view": view,
        "kinds": KINDS,
        "typed": typed or {},
        "invalid": list(invalid),
        "may_handle": may_change(request, "shipment"),
        "may_resolve": may_change(request, "discrepancy"),
        "message": message,
        "error": error,
    }
    markings = [view.shipment.marking]
    return page(request, "shipment.html", context, markings=markings, status_code=status_code)


@router.post("/shipments/{shipment_id}/step")
async def step(shipment_id: str, request: Request, uow: UowDep) -> Response:
    """Dispatch, arrive at a hub, hand over with serials, or receive with a discrepancy."""
    values = await form_values(request)
    try:
        _record_step(shipment_id, values, uow)
    except MaterielError as error:
        return _shipment_page(
            request,
            uow,
            shipment_id,
            typed=values,
            error=error.message,
            invalid=[p.column for p in error.problems if p.column],
            status_code=status_for(error),
        )
    return _see_other(notice_url(request, _shipment_path(shipment_id), message="Recorded."))


def _dispatch(
    shipment_id: str, values: dict[str, str], version: int | None, uow: UnitOfWork
) -> None:
    service.dispatch(shipment_id, values.get("node") or None, version, uow)


def _arrive(shipment_id: str, values: dict[str, str], version: int | None, uow: UnitOfWork) -> None:
    service.arrive(shipment_id, values.get("node", ""), version, uow)


def _hand_over(
    shipment_id: str, values: dict[str, str], version: int | None, uow: UnitOfWork
) -> None:
    service.hand_over(shipment_id, _handover(values), version, uow)


def _receive(
    shipment_id: str, values: dict[str, str], version: int | None, uow: UnitOfWork
) -> None:
    service.receive(shipment_id, _receipt(values), version, uow)


STEPS: dict[str, Callable[[str, dict[str, str], int | None, UnitOfWork], None]] = {
    "dispatch": _dispatch,
    "arrive": _arrive,
    "hand-over": _hand_over,
    "receive": _receive,
}


def _record_step(shipment_id: str, values: dict[str, str], uow: UnitOfWork) -> None:
    """The step one of the page's forms asks for; anything else is refused, so that
    "Recorded." always means something was."""
    action = values.get("action", "")
    if action not in STEPS:
        raise InvalidInput(
            f"say which step to record: action must be one of {', '.join(STEPS)}, "
            f"not '{action}'; use the buttons of the shipment page"
        )
    STEPS[action](shipment_id, values, parse_version(values.get("version")), uow)


def _handover(values: dict[str, str]) -> service.HandOver:
    serials = [s.strip() for s in values.get("serials", "").replace("\n", ",").split(",")]
    return service.HandOver(
        values.get("node", ""),
        values.get("from_holder", ""),
        values.get("to_holder", ""),
        [s for s in serials if s],
        values.get("condition") or "serviceable",
        values.get("acknowledged_by") or None,
    )


def _receipt(values: dict[str, str]) -> Receipt:
    """The receipt the Receive form describes; a half-filled discrepancy is refused, never
    dropped (units concerned and a reason without a kind, or a kind without units)."""
    units = _whole_number(values.get("units_received", ""), "units_received", "units received")
    if units is None:
        raise _field_error("units_received", "units received: say how many units arrived")
    return Receipt(units, values.get("acknowledged_by", ""), _findings(values))


def _findings(values: dict[str, str]) -> tuple[Finding, ...]:
    kind_text = values.get("finding_kind", "")
    reason = values.get("finding_reason", "")
    quantity = _whole_number(
        values.get("finding_quantity", ""), "finding_quantity", "units concerned"
    )
    if not kind_text:
        if quantity is not None or reason:
            raise _field_error(
                "finding_kind",
                f"discrepancy: choose its kind ({', '.join(KINDS)}) for the units concerned "
                "and reason you gave, or clear 'Units concerned' and 'Reason'",
            )
        return ()
    if kind_text not in KINDS:
        raise _field_error(
            "finding_kind",
            f"discrepancy: '{kind_text}' is not a kind; choose one of {', '.join(KINDS)}",
        )
    if quantity is None or quantity < 1:
        raise _field_error(
            "finding_quantity",
            f"units concerned: say how many units the '{kind_text}' discrepancy concerns "
            "(1 or more)",
        )
    if not reason:
        raise _field_error(
            "finding_reason", f"reason: say why there is a '{kind_text}' discrepancy"
        )
    return (Finding(DiscrepancyKind(kind_text), quantity, reason),)


def _whole_number(text: str, field: str, label: str) -> int | None:
    """A form's whole number, none when left empty; anything else is refused by name."""
    if not text:
        return None
    if not text.isdigit():
        raise _field_error(field, f"{label} must be a whole number, not '{text}'")
    return int(text)


def _field_error(field: str, message: str) -> InvalidInput:
    return InvalidInput(message, [Problem(message, column=field)])


@router.post("/discrepancies/{discrepancy_id}/resolve")
async def resolve(discrepancy_id: int, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    back = safe_next(values.get("back") or "/shipments")  # a path here, never another site
    try:
        service.resolve_discrepancy(discrepancy_id, values.get("resolution", ""), None, uow)
    except MaterielError as error:
        return _see_other(notice_url(request, back, error=error.message))
    return _see_other(notice_url(request, back, message="Discrepancy resolved."))


@router.get("/assets/{serial:path}", response_class=HTMLResponse)
def asset_page(serial: str, request: Request, uow: UowDep) -> Response:
    """One serial's holder and custody; `path` because serials may hold a '/'."""
    return page(request, "asset.html", {"view": service.where_is(serial, uow)})
