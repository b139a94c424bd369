"""Web pages of transfers: the shipments board, a shipment's legs and custody, forms."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from materiel.core.errors import MaterielError
from materiel.logistics import service, transport_service
from materiel.logistics.model import (
    DiscrepancyKind,
    Finding,
    Receipt,
    ShipmentStatus,
)
from materiel.platform.http import UowDep
from materiel.platform.jobs.service import submit_job
from materiel.web.forms import form_values
from materiel.web.rendering import page, templates

router = APIRouter(include_in_schema=False)


@router.get("/shipments", response_class=HTMLResponse)
def shipments_page(request: Request, uow: UowDep) -> Response:
    status = request.query_params.get("status")
    chosen = ShipmentStatus(status) if status in set(ShipmentStatus) else None
    shipments = service.list_shipments(uow, chosen)
    context = {
        "board": service.board(uow),
        "shipments": shipments,
        "status": status or "",
        "statuses": [s.value for s in ShipmentStatus],
        "plans": transport_service.list_transport_plans(uow)[:10],
        "message": request.query_params.get("message", ""),
        "error": request.query_params.get("error", ""),
    }
    return page(request, "shipments.html", context, markings=[s.marking for s in shipments])


@router.post("/shipments/plan", response_class=HTMLResponse)
def plan_transport(request: Request, uow: UowDep) -> Response:
    job = submit_job(
        transport_service.TRANSPORT_JOB, {"time_limit_s": 30}, uow, request.app.state.runtime.runner
    )
    return templates.TemplateResponse(request, "_job.html", {"job": job})


@router.get("/transport-plans/{plan_id}", response_class=HTMLResponse)
def transport_plan_page(plan_id: int, request: Request, uow: UowDep) -> Response:
    """A plan to review before accepting: its lateness and cost against the plan it
    replaces, what changed, what is left unplanned, and its shipments."""
    plan, basis, shipments = transport_service.transport_plan_review(plan_id, uow)
    context = {"plan": plan, "basis": basis, "shipments": shipments}
    return page(request, "transport_plan.html", context, markings=[s.marking for s in shipments])


@router.post("/transport-plans/{plan_id}/accept")
async def accept(plan_id: int, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    version = int(values.get("version") or 0) or None
    try:
        transport_service.accept_transport_plan(plan_id, version, uow)
    except MaterielError as error:
        return RedirectResponse(f"/shipments?error={error.message}", status_code=303)
    return RedirectResponse(
        f"/shipments?message=Transport plan {plan_id} accepted.", status_code=303
    )


@router.get("/shipments/{shipment_id}", response_class=HTMLResponse)
def shipment_page(shipment_id: str, request: Request, uow: UowDep) -> Response:
    view = service.shipment_view(shipment_id, uow)
    context = {
        "view": view,
        "kinds": [k.value for k in DiscrepancyKind],
        "message": request.query_params.get("message", ""),
        "error": request.query_params.get("error", ""),
    }
    return page(request, "shipment.html", context, markings=[view.shipment.marking])


@router.post("/shipments/{shipment_id}/step")
async def step(shipment_id: str, request: Request, uow: UowDep) -> Response:
    """Dispatch, arrive at a hub, hand over with serials, or receive with a discrepancy."""
    values = await form_values(request)
    version = int(values.get("version") or 0) or None
    action = values.get("action", "")
    try:
        if action == "dispatch":
            service.dispatch(shipment_id, values.get("node") or None, version, uow)
        elif action == "arrive":
            service.arrive(shipment_id, values.get("node", ""), version, uow)
        elif action == "hand-over":
            serials = [s.strip() for s in values.get("serials", "").replace("\n", ",").split(",")]
            handover = service.HandOver(
                values.get("node", ""),
                values.get("from_holder", ""),
                values.get("to_holder", ""),
                [s for s in serials if s],
                values.get("condition") or "serviceable",
                values.get("acknowledged_by") or None,
            )
            service.hand_over(shipment_id, handover, version, uow)
        elif action == "receive":
            service.receive(shipment_id, _receipt(values), version, uow)
    except (MaterielError, ValueError) as error:
        message = error.message if isinstance(error, MaterielError) else str(error)
        return RedirectResponse(f"/shipments/{shipment_id}?error={message}", status_code=303)
    return RedirectResponse(f"/shipments/{shipment_id}?message=Recorded.", status_code=303)


def _receipt(values: dict[str, str]) -> Receipt:
    findings: tuple[Finding, ...] = ()
    if values.get("finding_kind") and values.get("finding_quantity"):
        findings = (
            Finding(
                DiscrepancyKind(values["finding_kind"]),
                int(values["finding_quantity"]),
                values.get("finding_reason", ""),
            ),
        )
    return Receipt(
        int(values.get("units_received") or 0), values.get("acknowledged_by", ""), findings
    )


@router.post("/discrepancies/{discrepancy_id}/resolve")
async def resolve(discrepancy_id: int, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    back = values.get("back", "/shipments")
    try:
        service.resolve_discrepancy(discrepancy_id, values.get("resolution", ""), None, uow)
    except MaterielError as error:
        return RedirectResponse(f"{back}?error={error.message}", status_code=303)
    return RedirectResponse(f"{back}?message=Discrepancy resolved.", status_code=303)


@router.get("/assets/{serial}", response_class=HTMLResponse)
def asset_page(serial: str, request: Request, uow: UowDep) -> Response:
    return page(request, "asset.html", {"view": service.where_is(serial, uow)})
