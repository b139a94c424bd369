"""HTTP routes of demining: hazard areas, assets, ranking, tasking, coverage, progress."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from materiel.core.errors import InvalidInput
from materiel.core.paging import Page
from materiel.demining import planning_service as planning
from materiel.demining import service
from materiel.demining.model import (
    AreaStatus,
    AssetKind,
    ClearanceAsset,
    ClearanceTask,
    DeviceKind,
    ItemFound,
    QualitySample,
    ReleaseMethod,
    SampleKind,
    TaskingRun,
)
from materiel.platform.http import (
    IfMatch,
    PagingDep,
    UowDep,
    expected_version,
    page_json,
    record_json,
    with_etag,
)

router = APIRouter(tags=["demining"])
FormatQuery = Annotated[Literal["geojson", "kml"], Query(description="file format")]
MEDIA = {"geojson": "application/geo+json", "kml": "application/vnd.google-earth.kml+xml"}


class Versioned(BaseModel):
    version: int | None = None


class FeatureIn(Versioned):
    """A GeoJSON Feature: properties as in docs/demining.md; `nogo` a (Multi)Polygon."""

    type: Literal["Feature"] = "Feature"
    properties: dict[str, Any] = {}
    geometry: dict[str, Any] | None = None
    nogo: dict[str, Any] | None = None


class StatusIn(Versioned):
    status: AreaStatus


class ReleaseIn(Versioned):
    method: ReleaseMethod
    on: date
    handed_over_to: str = ""
    certificate: str = ""


class AssetIn(BaseModel):
    id: str
    kind: AssetKind
    name: str
    item_type: str | None = None
    serial: str | None = None
    tool_width_m: float | None = None
    turn_radius_m: float | None = None
    speed_kmh: float | None = None
    clearance_depth_cm: float | None = None
    work_rates: dict[str, float] = {}
    line_spacing_m: float | None = None
    endurance_min: float | None = None
    available_from: date | None = None
    available_to: date | None = None
    hours_per_week: float = 40.0
    base: str = Field(default="", description="lon,lat of where it is based")


class WeightsIn(BaseModel):
    weights: dict[str, float] = {}


class TaskingIn(WeightsIn):
    start: date
    weeks: int = Field(default=4, ge=1, le=26)
    what_if_add: str | None = Field(default=None, examples=["mv-4"])
    what_if_remove: str | None = None
    time_limit_s: float = Field(default=10, gt=0, le=300, strict=True)  # `true` is not 1 s
    # The limit as solver work on one core: the same request gives the same plan.
    repeatable: bool = Field(default=False, strict=True)


class CoverageIn(BaseModel):
    asset_id: str
    safe_lanes: dict[str, Any] | None = None


class ItemIn(BaseModel):
    kind: DeviceKind
    lon: float
    lat: float
    depth_cm: float = Field(ge=0)
    description: str = ""


class SampleIn(BaseModel):
    kind: SampleKind = SampleKind.QC
    sampled_m2: float = Field(gt=0)
    passed: bool
    inspector: str
    note: str = ""


class ProgressIn(BaseModel):
    on: date
    cleared: dict[str, Any] = Field(description="GeoJSON: cleared polygons and/or tracks")
    method: ReleaseMethod = ReleaseMethod.CLEARED
    asset_id: str | None = None
    note: str = ""
    items: list[ItemIn] = []
    samples: list[SampleIn] = []


@router.get("/api/demining/areas", summary="Hazard areas, optionally by status")
def list_areas(uow: UowDep, paging: PagingDep, status: AreaStatus | None = None) -> dict[str, Any]:
    areas = service.list_areas(uow, status)
    chosen = areas[paging.offset : paging.offset + paging.limit]
    return page_json(Page(chosen, len(areas), paging.limit, paging.offset), _area_json)


def _area_json(area: Any) -> dict[str, Any]:
    data = record_json(area)
    data["geometry"] = json.loads(area.geometry)
    data["nogo"] = json.loads(area.nogo) if area.nogo else None
    return data


@router.post(
    "/api/demining/areas", status_code=201, summary="Record a hazard area (a GeoJSON Feature)"
)
def create_area(body: FeatureIn, uow: UowDep, response: Response) -> dict[str, Any]:
    area = service.create_area(body.model_dump(), uow)
    response.headers["ETag"] = f'"{area.version}"'
    return _area_json(area)


@router.post(
    "/api/demining/areas/import", summary="Import hazard areas from GeoJSON or KML (all or nothing)"
)
async def import_areas(request: Request, uow: UowDep, format: FormatQuery) -> dict[str, Any]:
    body = await request.body()
    result = service.import_areas(body, f"request body ({format})", format, uow)
    return {"created": result.created, "updated": result.updated, "unchanged": result.unchanged}


@router.get(
    "/api/demining/areas/export",
    summary="Export hazard areas as GeoJSON or KML, marked",
    response_class=Response,  # documents the file's own media types, not JSON
    responses={200: {"description": "the file", "content": {m: {} for m in MEDIA.values()}}},
)
def export_areas(
    uow: UowDep, format: FormatQuery = "geojson", status: AreaStatus | None = None
) -> Response:
    text = service.export_areas(format, uow, status)
    return Response(text, media_type=MEDIA[format])


@router.get(
    "/api/demining/areas/{area_id}", summary="A hazard area with its tasks, progress and release"
)
def get_area(area_id: str, uow: UowDep, response: Response) -> dict[str, Any]:
    view = service.area_view(area_id, uow)
    response.headers["ETag"] = f'"{view.area.version}"'
    return {
        **_area_json(view.area),
        "tasks": [record_json(t) for t in view.tasks],
        "coverage_plans": [{"id": c.id, "asset_id": c.asset_id} for c in view.coverage],
        "progress": [_progress_json(p) for p in view.progress],
        "items_found": [record_json(i) for i in view.items],
        "quality_samples": [record_json(s) for s in view.samples],
        "release_report": record_json(view.report),
    }


def _progress_json(report: Any) -> dict[str, Any]:
    data = record_json(report)
    data["cleared"] = json.loads(report.cleared)
    return data


@router.patch("/api/demining/areas/{area_id}", summary="Change an area's facts or shape")
def update_area(
    area_id: str, body: FeatureIn, uow: UowDep, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    version = expected_version(body.version, if_match)
    area = service.update_area(area_id, body.model_dump(exclude_unset=True), version, uow)
    response.headers["ETag"] = f'"{area.version}"'
    return _area_json(area)


@router.post(
    "/api/demining/areas/{area_id}/status", summary="Confirm an area, start or stop clearance"
)
def change_status(
    area_id: str, body: StatusIn, uow: UowDep, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    version = expected_version(body.version, if_match)
    return with_etag(response, service.change_status(area_id, body.status, version, uow))


@router.post(
    "/api/demining/areas/{area_id}/release", summary="Release land: cancelled, reduced or cleared"
)
def release(
    area_id: str, body: ReleaseIn, uow: UowDep, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    version = expected_version(body.version, if_match)
    chosen = service.Release(body.method, body.on, body.handed_over_to, body.certificate)
    return with_etag(response, service.release_area(area_id, chosen, version, uow))


@router.post(
    "/api/demining/areas/{area_id}/progress", status_code=201, summary="Report cleared ground"
)
def record_progress(area_id: str, body: ProgressIn, uow: UowDep) -> dict[str, Any]:
    report = service.ProgressIn(
        area_id,
        body.on,
        body.cleared,
        body.method,
        body.asset_id,
        body.note,
        [
            ItemFound(area_id, i.kind, i.lon, i.lat, i.depth_cm, body.on, i.description)
            for i in body.items
        ],
        [
            QualitySample(area_id, s.kind, body.on, s.sampled_m2, s.passed, s.inspector, s.note)
            for s in body.samples
        ],
    )
    return _progress_json(service.record_progress(report, uow))


@router.get(
    "/api/demining/areas/{area_id}/release-report", summary="The land release report of an area"
)
def release_report(area_id: str, uow: UowDep) -> dict[str, Any]:
    return record_json(service.land_release_report(area_id, uow))


@router.post(
    "/api/demining/areas/{area_id}/coverage", status_code=201, summary="Plan a machine's passes"
)
def area_coverage(area_id: str, body: CoverageIn, uow: UowDep) -> dict[str, Any]:
    lanes = planning.read_lanes(body.safe_lanes) if body.safe_lanes else None
    record = planning.plan_area_coverage(area_id, body.asset_id, uow, safe_lanes=lanes)
    return record_json(record)


@router.get("/api/demining/assets", summary="Clearance machines, drones and teams")
def list_assets(uow: UowDep, kind: AssetKind | None = None) -> list[dict[str, Any]]:
    return [record_json(a) for a in service.list_assets(uow, kind)]


@router.post("/api/demining/assets", status_code=201, summary="Register a clearance asset")
def register_asset(body: AssetIn, uow: UowDep) -> dict[str, Any]:
    return record_json(service.register_asset(ClearanceAsset(**body.model_dump()), uow))


@router.post(
    "/api/demining/assets/from-pledges",
    summary="One asset per pledged MV-4, Bozena 5, GCS-200 unit",
)
def assets_from_pledges(uow: UowDep) -> list[dict[str, Any]]:
    return [record_json(a) for a in service.register_pledged_assets(uow)]


@router.post("/api/demining/rank", summary="Rank areas by a priority score whose parts are shown")
def rank(body: WeightsIn, uow: UowDep) -> list[dict[str, Any]]:
    return [_ranked_json(r) for r in planning.rank_areas(body.weights, uow)]


def _ranked_json(ranked: planning.Ranked) -> dict[str, Any]:
    return {
        **ranked.score.to_json(),
        "name": ranked.area.name,
        "status": ranked.area.status.value,
        "remaining_m2": ranked.remaining_m2,
    }


@router.post("/api/demining/tasking", status_code=201, summary="Task assets over weeks (CP-SAT)")
def run_tasking(body: TaskingIn, uow: UowDep) -> dict[str, Any]:
    request = planning.TaskingRequest(
        body.start,
        body.weeks,
        body.weights,
        body.what_if_add,
        body.what_if_remove,
        body.time_limit_s,
        body.repeatable,
    )
    run = planning.run_tasking(request, uow)
    assert run.id is not None
    return _run_json(*planning.tasking_view(run.id, uow))


@router.get("/api/demining/tasking/latest", summary="The newest tasking run and its tasks")
def latest_tasking(uow: UowDep) -> dict[str, Any]:
    found = planning.latest_tasking(uow)
    if found is None:
        raise InvalidInput("no tasking run yet: POST /api/demining/tasking first")
    return _run_json(*found)


@router.get("/api/demining/tasking/{run_id}", summary="A tasking run and its tasks")
def get_tasking(run_id: int, uow: UowDep) -> dict[str, Any]:
    return _run_json(*planning.tasking_view(run_id, uow))


def _run_json(run: TaskingRun, tasks: list[ClearanceTask]) -> dict[str, Any]:
    return {
        **record_json(run),
        "tasks": [record_json(t) for t in tasks],
        "by_asset_and_week": planning.week_table(run, tasks),
    }


@router.post(
    "/api/demining/tasks/{task_id}/coverage", status_code=201, summary="Plan a task's coverage"
)
def task_coverage(task_id: int, uow: UowDep) -> dict[str, Any]:
    return record_json(planning.plan_task_coverage(task_id, uow))


@router.get("/api/demining/coverage/{plan_id}", summary="A coverage plan as GeoJSON")
def get_coverage(plan_id: int, uow: UowDep) -> dict[str, Any]:
    return record_json(planning.coverage_plan(plan_id, uow))


@router.get("/api/map/demining", summary="Hazard areas by status and coverage plans, GeoJSON")
def map_layer(uow: UowDep) -> dict[str, Any]:
    return planning.map_layer(uow)
