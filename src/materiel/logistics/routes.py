"""HTTP routes of transfers: transport plans, shipments, custody, discrepancies, disruptions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from fastapi import Path as PathParam
from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError

from materiel.core.paging import Window
from materiel.logistics import listing, service, transport_service
from materiel.logistics.model import (
    MAX_UNITS,
    DiscrepancyKind,
    DisruptionKind,
    Finding,
    Receipt,
    ShipmentStatus,
)
from materiel.platform.http import (
    IfMatch,
    PagingDep,
    UowDep,
    expected_version,
    page_json,
    record_json,
    required_version,
    with_etag,
)
from materiel.platform.jobs.service import submit_job

router = APIRouter(prefix="/api", tags=["transfers"])

# Bounds of the API's bodies, so that no number reaches the database outside what it stores:
MAX_VERSION = 2**31 - 1  # versions and record numbers are 32-bit integer columns
MAX_SERIALS = 10_000  # serial numbers named in one hand-over or one finding
MAX_FINDINGS = 100  # differences reported in one receipt


def _stripped(text: str) -> str:
    """The text without surrounding spaces; blank text is refused."""
    if not text.strip():
        raise PydanticCustomError("blank", "must not be blank; spaces alone do not count")
    return text.strip()


def _text(max_length: int, example: str) -> Any:
    return Field(max_length=max_length, examples=[example], json_schema_extra={"minLength": 1})


Stripped = AfterValidator(_stripped)


def _each_once(serials: list[str]) -> list[str]:
    """The serials, if none is named twice (after stripping spaces)."""
    seen: set[str] = set()
    for serial in serials:
        if serial in seen:
            raise PydanticCustomError(
                "duplicate_serial",
                "serial '{serial}' is named twice; name each serial once",
                {"serial": serial},
            )
        seen.add(serial)
    return serials


Units = Annotated[int, Field(ge=0, le=MAX_UNITS, strict=True)]  # strict: `true` is not 1 unit
Quantity = Annotated[int, Field(ge=1, le=MAX_UNITS, strict=True)]
NodeId = Annotated[str, _text(80, "lviv"), Stripped]
Holder = Annotated[str, _text(200, "DEU"), Stripped]
Person = Annotated[str, _text(120, "Lt. Bondar"), Stripped]
Serial = Annotated[str, _text(80, "KH/2024/001"), Stripped]
Serials = Annotated[list[Serial], Field(max_length=MAX_SERIALS), AfterValidator(_each_once)]
Condition = Annotated[str, _text(40, "serviceable"), Stripped]
RecordNumber = Annotated[int, PathParam(ge=1, le=MAX_VERSION)]  # an Integer primary key
LinkOrNode = Annotated[str, _text(200, "rzeszow>lviv:road"), Stripped]
Reason = Annotated[str, _text(2000, "lost in transit"), Stripped]


class TransportRun(BaseModel):
    time_limit_s: float = Field(default=60, ge=1, le=3600, strict=True)  # `true` is not 1 s


class Versioned(BaseModel):
    version: int | None = Field(default=None, ge=1, le=MAX_VERSION)


class Movement(Versioned):
    node: NodeId | None = None


class HandOverIn(Versioned):
    node: NodeId
    from_holder: Holder
    to_holder: Annotated[Holder, Field(examples=["47th Mechanized Brigade"])]
    serials: Serials = Field(min_length=1)
    condition: Condition = "serviceable"
    acknowledged_by: Person | None = None


class FindingIn(BaseModel):
    kind: DiscrepancyKind
    quantity: Quantity
    reason: Reason
    serials: Serials = []


class ReceiptIn(Versioned):
    units_received: Units
    acknowledged_by: Person
    findings: list[FindingIn] = Field(default=[], max_length=MAX_FINDINGS)


class ResolutionIn(Versioned):
    resolution: Reason


class DisruptionIn(BaseModel):
    kind: DisruptionKind
    target: LinkOrNode
    from_date: date
    capacity: Units | None = None
    note: Annotated[str, Field(max_length=2000)] = ""


@router.post("/transport-plans", status_code=202, summary="Plan transport (background job)")
def run_transport(body: TransportRun, uow: UowDep, request: Request) -> dict[str, Any]:
    runner = request.app.state.runtime.runner
    return record_json(submit_job(transport_service.TRANSPORT_JOB, body.model_dump(), uow, runner))


# A transport plan's lists: a page of each in one plan, none in a version list.
PLAN_LISTS = ("unplanned", "changes")


@router.get("/transport-plans", summary="Transport plan versions, newest first (summaries)")
def list_transport_plans(uow: UowDep) -> list[dict[str, Any]]:
    """Each version's figures and `counts` of its lists; the lists are in one plan's GET."""
    return [summary_json(s) for s in listing.transport_plan_summaries(uow)]


def summary_json(summary: listing.TransportPlanSummary) -> dict[str, Any]:
    plan = {k: v for k, v in record_json(summary.plan).items() if k not in PLAN_LISTS}
    return {**plan, "counts": summary.counts}


@router.get("/transport-plans/{plan_id}", summary="One transport plan, a page of each list")
def get_transport_plan(
    plan_id: RecordNumber, uow: UowDep, response: Response, paging: PagingDep
) -> dict[str, Any]:
    """Figures whole; `limit`/`offset` page each list (`shipments`, `changes`, `unplanned`)
    alike, and `counts` gives each list's total."""
    window = Window(paging.limit, paging.offset)
    view = listing.transport_plan_view(plan_id, uow, listing.Windows.same(window))
    shown = replace(
        view.plan, changes=list(view.changes.items), unplanned=list(view.unplanned.items)
    )
    return {
        **with_etag(response, shown),
        "shipments": [record_json(s) for s in view.shipments.items],
        "counts": view.counts,
        "limit": paging.limit,
        "offset": paging.offset,
    }


@router.post("/transport-plans/{plan_id}/accept", summary="Accept a draft transport plan")
def accept_transport_plan(
    plan_id: RecordNumber,
    uow: UowDep,
    response: Response,
    body: Versioned | None = None,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Name the version you reviewed: `{"version": N}` in the body, or `If-Match` with the ETag."""
    version = required_version(
        body.version if body else None,
        if_match,
        f"accepting transport plan {plan_id}",
        f"/api/transport-plans/{plan_id}",
    )
    return with_etag(response, transport_service.accept_transport_plan(plan_id, version, uow))


@router.get("/shipments", summary="Shipments, optionally by status, a page at a time")
def list_shipments(
    uow: UowDep, paging: PagingDep, status: ShipmentStatus | None = None
) -> dict[str, Any]:
    window = Window(paging.limit, paging.offset)
    return page_json(listing.shipments_page(uow, status, window))


@router.get("/shipments/{shipment_id}", summary="A shipment with legs, events, custody")
def get_shipment(shipment_id: str, uow: UowDep, response: Response) -> dict[str, Any]:
    view = service.shipment_view(shipment_id, uow)
    return {
        **with_etag(response, view.shipment),
        "legs": [record_json(leg) for leg in view.legs],
        "events": [record_json(e) for e in view.events],
        "custody": [record_json(c) for c in view.custody],
        "discrepancies": [record_json(d) for d in view.discrepancies],
    }


@router.post("/shipments/{shipment_id}/dispatch", summary="The shipment leaves")
def dispatch(
    shipment_id: str, body: Movement, uow: UowDep, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    version = expected_version(body.version, if_match)
    return with_etag(response, service.dispatch(shipment_id, body.node, version, uow))


@router.post("/shipments/{shipment_id}/arrive", summary="The shipment reached a hub")
def arrive(
    shipment_id: str, body: Movement, uow: UowDep, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    version = expected_version(body.version, if_match)
    return with_etag(response, service.arrive(shipment_id, body.node or "", version, uow))


@router.post("/shipments/{shipment_id}/hand-over", summary="Custody passes, with serials")
def hand_over(
    shipment_id: str, body: HandOverIn, uow: UowDep, if_match: IfMatch = None
) -> dict[str, Any]:
    version = expected_version(body.version, if_match)
    handover = service.HandOver(
        body.node,
        body.from_holder,
        body.to_holder,
        body.serials,
        body.condition,
        body.acknowledged_by,
    )
    return record_json(service.hand_over(shipment_id, handover, version, uow))


@router.post("/shipments/{shipment_id}/receive", summary="The receiving unit confirms")
def receive(
    shipment_id: str, body: ReceiptIn, uow: UowDep, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    version = expected_version(body.version, if_match)
    findings = tuple(Finding(f.kind, f.quantity, f.reason, tuple(f.serials)) for f in body.findings)
    receipt = Receipt(body.units_received, body.acknowledged_by, findings)
    return with_etag(response, service.receive(shipment_id, receipt, version, uow))


@router.post("/discrepancies/{discrepancy_id}/resolve", summary="Close a discrepancy")
def resolve(discrepancy_id: RecordNumber, body: ResolutionIn, uow: UowDep) -> dict[str, Any]:
    return record_json(
        service.resolve_discrepancy(discrepancy_id, body.resolution, body.version, uow)
    )


@router.get("/assets/{serial:path}", summary="Where a serial is, who holds it, its custody history")
def where_is(serial: str, uow: UowDep) -> dict[str, Any]:
    view = service.where_is(serial, uow)
    return {**record_json(view.asset), "custody": [record_json(e) for e in view.history]}


@router.get("/board", summary="In transit, late, waiting at hubs, open discrepancies")
def board(uow: UowDep) -> dict[str, Any]:
    view = service.board(uow)
    return {
        "in_transit": [s.id for s in view.in_transit],
        "late": [s.id for s in view.late],
        "waiting": {node: [s.id for s in items] for node, items in view.waiting.items()},
        "open_discrepancies": [record_json(d) for d in view.open_discrepancies],
    }


@router.get("/throughput", summary="Each node's busiest planned day against its capacity")
def throughput(uow: UowDep) -> list[dict[str, Any]]:
    return [t.__dict__ for t in service.node_throughput(uow)]


@router.get("/disruptions", summary="Closed nodes and cut links")
def list_disruptions(uow: UowDep) -> list[dict[str, Any]]:
    return [record_json(d) for d in service.list_disruptions(uow)]


@router.post("/disruptions", status_code=201, summary="Close a node or cut a link from a date")
def add_disruption(body: DisruptionIn, uow: UowDep) -> dict[str, Any]:
    disruption = service.add_disruption(
        body.kind,
        body.target,
        from_date=body.from_date,
        capacity=body.capacity,
        note=body.note,
        uow=uow,
    )
    return record_json(disruption)


@router.delete("/disruptions/{disruption_id}", status_code=204, summary="Lift a disruption")
def remove_disruption(disruption_id: str, uow: UowDep) -> Response:
    service.remove_disruption(disruption_id, uow)
    return Response(status_code=204)
