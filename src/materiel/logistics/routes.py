"""HTTP routes of transfers: transport plans, shipments, custody, discrepancies, disruptions."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, Field

from materiel.logistics import service, transport_service
from materiel.logistics.model import (
    DiscrepancyKind,
    DisruptionKind,
    Finding,
    Receipt,
    ShipmentStatus,
)
from materiel.platform.http import IfMatch, UowDep, expected_version, record_json, with_etag
from materiel.platform.jobs.service import submit_job

router = APIRouter(prefix="/api", tags=["transfers"])


class TransportRun(BaseModel):
    time_limit_s: float = Field(default=60, gt=0, le=3600, strict=True)  # `true` is not 1 s


class Versioned(BaseModel):
    version: int | None = None


class Movement(Versioned):
    node: str | None = None


class HandOverIn(Versioned):
    node: str
    from_holder: str = Field(examples=["DEU"])
    to_holder: str = Field(examples=["47th Mechanized Brigade"])
    serials: list[str] = Field(min_length=1)
    condition: str = "serviceable"
    acknowledged_by: str | None = None


class FindingIn(BaseModel):
    kind: DiscrepancyKind
    quantity: int = Field(ge=1)
    reason: str
    serials: list[str] = []


class ReceiptIn(Versioned):
    units_received: int = Field(ge=0)
    acknowledged_by: str
    findings: list[FindingIn] = []


class ResolutionIn(Versioned):
    resolution: str


class DisruptionIn(BaseModel):
    kind: DisruptionKind
    target: str
    from_date: date
    capacity: int | None = None
    note: str = ""


@router.post("/transport-plans", status_code=202, summary="Plan transport (background job)")
def run_transport(body: TransportRun, uow: UowDep, request: Request) -> dict[str, Any]:
    runner = request.app.state.runtime.runner
    return record_json(submit_job(transport_service.TRANSPORT_JOB, body.model_dump(), uow, runner))


@router.get("/transport-plans", summary="Transport plan versions, newest first")
def list_transport_plans(uow: UowDep) -> list[dict[str, Any]]:
    return [record_json(p) for p in transport_service.list_transport_plans(uow)]


@router.get("/transport-plans/{plan_id}", summary="One transport plan with its shipments")
def get_transport_plan(plan_id: int, uow: UowDep, response: Response) -> dict[str, Any]:
    plan, shipments = transport_service.transport_plan_view(plan_id, uow)
    return {**with_etag(response, plan), "shipments": [record_json(s) for s in shipments]}


@router.post("/transport-plans/{plan_id}/accept", summary="Accept a draft transport plan")
def accept_transport_plan(
    plan_id: int, body: Versioned, uow: UowDep, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    version = expected_version(body.version, if_match)
    return with_etag(response, transport_service.accept_transport_plan(plan_id, version, uow))


@router.get("/shipments", summary="Shipments, optionally by status")
def list_shipments(uow: UowDep, status: ShipmentStatus | None = None) -> list[dict[str, Any]]:
    return [record_json(s) for s in service.list_shipments(uow, status)]


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
def resolve(discrepancy_id: int, body: ResolutionIn, uow: UowDep) -> dict[str, Any]:
    return record_json(
        service.resolve_discrepancy(discrepancy_id, body.resolution, body.version, uow)
    )


@router.get("/assets/{serial}", summary="Where a serial is, who holds it, its custody history")
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
