"""Demining tables and their mapping onto the model; geometry is GeoJSON text."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from materiel.demining.model import (
    AreaKind,
    AreaStatus,
    AssetKind,
    ClearanceAsset,
    ClearanceTask,
    CoveragePlanRecord,
    DeviceKind,
    Evidence,
    EvidenceKind,
    HazardArea,
    ItemFound,
    LandUse,
    ProgressReport,
    QualitySample,
    ReleaseMethod,
    SampleKind,
    TaskingRun,
    TaskingStatus,
)
from materiel.platform.column_types import ClassificationType, StringList, enum_column_type
from materiel.platform.database import mapper_registry, metadata


class EvidenceList(TypeDecorator[tuple[Evidence, ...]]):
    """An area's evidence as a JSON list (read together with the area, always)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return [evidence_json(e) for e in value or ()]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Evidence, ...]:
        return tuple(evidence_from(item) for item in value or ())


def evidence_json(e: Evidence) -> dict[str, Any]:
    return {
        "kind": e.kind.value,
        "description": e.description,
        "on": e.on.isoformat() if e.on else None,
        "lon": e.lon,
        "lat": e.lat,
        "source": e.source,
    }


def evidence_from(item: dict[str, Any]) -> Evidence:
    on = item.get("on")
    return Evidence(
        EvidenceKind(item["kind"]),
        item.get("description", ""),
        date.fromisoformat(on) if on else None,
        item.get("lon"),
        item.get("lat"),
        item.get("source", ""),
    )


hazard_areas = Table(
    "hazard_areas",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("geometry", Text, nullable=False),
    Column("nogo", Text, nullable=False),
    Column("area_m2", Float, nullable=False),
    Column("nogo_m2", Float, nullable=False),
    Column("land_use", enum_column_type(LandUse), nullable=False),
    Column("oblast", String(80), nullable=False, index=True),
    Column("raion", String(80), nullable=False),
    Column("hromada", String(80), nullable=False),
    Column("settlement", String(120), nullable=False),
    Column("kind", enum_column_type(AreaKind), nullable=False),
    Column("status", enum_column_type(AreaStatus), nullable=False, index=True),
    Column("people_affected", Integer, nullable=False),
    Column("confidence", Float, nullable=False),
    Column("evidence", EvidenceList, nullable=False),
    Column("organisation", String(200), nullable=False),
    Column("release_method", enum_column_type(ReleaseMethod)),
    Column("released_on", Date),
    Column("handed_over_to", String(200), nullable=False),
    Column("certificate", String(120), nullable=False),
    Column("classification", ClassificationType, nullable=False),
    Column("releasable_to", StringList, nullable=False),
    Column("version", Integer, nullable=False),
)

clearance_assets = Table(
    "clearance_assets",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("kind", enum_column_type(AssetKind), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("item_type", String(80), ForeignKey("item_types.id")),
    Column("serial", String(80), ForeignKey("assets.serial")),
    Column("pledge", String(80), ForeignKey("pledges.id"), index=True),
    Column("tool_width_m", Float),
    Column("turn_radius_m", Float),
    Column("speed_kmh", Float),
    Column("clearance_depth_cm", Float),
    Column("work_rates", JSON, nullable=False),
    Column("line_spacing_m", Float),
    Column("endurance_min", Float),
    Column("available_from", Date),
    Column("available_to", Date),
    Column("hours_per_week", Float, nullable=False),
    Column("base", String(120), nullable=False),
    Column("version", Integer, nullable=False),
)

progress_reports = Table(
    "progress_reports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("area_id", String(80), ForeignKey("hazard_areas.id"), nullable=False, index=True),
    Column("asset_id", String(80), ForeignKey("clearance_assets.id")),
    Column("on", Date, nullable=False),
    Column("method", enum_column_type(ReleaseMethod), nullable=False),
    Column("cleared", Text, nullable=False),
    Column("cleared_m2", Float, nullable=False),
    Column("recorded_by", String(120), nullable=False),
    Column("note", Text, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
)

items_found = Table(
    "items_found",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("area_id", String(80), ForeignKey("hazard_areas.id"), nullable=False, index=True),
    Column("report_id", Integer, ForeignKey("progress_reports.id")),
    Column("kind", enum_column_type(DeviceKind), nullable=False),
    Column("description", Text, nullable=False),
    Column("lon", Float, nullable=False),
    Column("lat", Float, nullable=False),
    Column("depth_cm", Float, nullable=False),
    Column("on", Date, nullable=False),
)

quality_samples = Table(
    "quality_samples",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("area_id", String(80), ForeignKey("hazard_areas.id"), nullable=False, index=True),
    Column("kind", enum_column_type(SampleKind), nullable=False),
    Column("on", Date, nullable=False),
    Column("sampled_m2", Float, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("inspector", String(120), nullable=False),
    Column("note", Text, nullable=False),
)

tasking_runs = Table(
    "tasking_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("start", Date, nullable=False),
    Column("weeks", Integer, nullable=False),
    Column("status", enum_column_type(TaskingStatus), nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("weights", JSON, nullable=False),
    Column("objective", JSON, nullable=False),
    Column("solver", JSON, nullable=False),
    Column("what_if", JSON, nullable=False),
    Column("version", Integer, nullable=False),
)

clearance_tasks = Table(
    "clearance_tasks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("tasking_runs.id"), nullable=False, index=True),
    Column("area_id", String(80), ForeignKey("hazard_areas.id"), nullable=False, index=True),
    Column("asset_id", String(80), ForeignKey("clearance_assets.id"), nullable=False),
    Column("first_day", Date, nullable=False),
    Column("last_day", Date, nullable=False),
    Column("week", Integer, nullable=False),
    Column("working_days", Integer, nullable=False),
    Column("travel_hours", Float, nullable=False),
    Column("m2", Float, nullable=False),
)

coverage_plans = Table(
    "coverage_plans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("task_id", Integer, ForeignKey("clearance_tasks.id"), index=True),
    Column("area_id", String(80), ForeignKey("hazard_areas.id"), nullable=False, index=True),
    Column("asset_id", String(80), ForeignKey("clearance_assets.id"), nullable=False),
    Column("geojson", JSON, nullable=False),
    Column("summary", JSON, nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

mapper_registry.map_imperatively(HazardArea, hazard_areas, version_id_col=hazard_areas.c.version)
mapper_registry.map_imperatively(
    ClearanceAsset, clearance_assets, version_id_col=clearance_assets.c.version
)
mapper_registry.map_imperatively(ProgressReport, progress_reports)
mapper_registry.map_imperatively(ItemFound, items_found)
mapper_registry.map_imperatively(QualitySample, quality_samples)
mapper_registry.map_imperatively(TaskingRun, tasking_runs, version_id_col=tasking_runs.c.version)
mapper_registry.map_imperatively(ClearanceTask, clearance_tasks)
mapper_registry.map_imperatively(CoveragePlanRecord, coverage_plans)


class DeminingStore:
    """Reads demining records within a unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def areas(self, status: AreaStatus | None = None) -> list[HazardArea]:
        query = select(HazardArea)
        if status is not None:
            query = query.where(hazard_areas.c.status == status.value)
        return list(self.session.scalars(query.order_by(hazard_areas.c.id)))

    def area_ids(self) -> set[str]:
        """Ids of the areas the session's user sees (through the mapped class: filtered)."""
        return {area.id for area in self.areas()}

    def assets(self, kind: AssetKind | None = None) -> list[ClearanceAsset]:
        query = select(ClearanceAsset)
        if kind is not None:
            query = query.where(clearance_assets.c.kind == kind.value)
        return list(self.session.scalars(query.order_by(clearance_assets.c.id)))

    def progress(self, area_id: str) -> list[ProgressReport]:
        query = select(ProgressReport).where(progress_reports.c.area_id == area_id)
        return list(self.session.scalars(query.order_by(progress_reports.c.id)))

    def items(self, area_id: str) -> list[ItemFound]:
        query = select(ItemFound).where(items_found.c.area_id == area_id)
        return list(self.session.scalars(query.order_by(items_found.c.id)))

    def samples(self, area_id: str) -> list[QualitySample]:
        query = select(QualitySample).where(quality_samples.c.area_id == area_id)
        return list(self.session.scalars(query.order_by(quality_samples.c.id)))

    def runs(self) -> list[TaskingRun]:
        return list(self.session.scalars(select(TaskingRun).order_by(tasking_runs.c.id.desc())))

    def latest_run(self) -> TaskingRun | None:
        query = select(TaskingRun).order_by(tasking_runs.c.id.desc()).limit(1)
        return self.session.scalars(query).first()

    def tasks(self, run_id: int) -> list[ClearanceTask]:
        query = select(ClearanceTask).where(clearance_tasks.c.run_id == run_id)
        order = (clearance_tasks.c.asset_id, clearance_tasks.c.first_day, clearance_tasks.c.id)
        return list(self.session.scalars(query.order_by(*order)))

    def tasks_of_area(self, area_id: str) -> list[ClearanceTask]:
        query = select(ClearanceTask).where(clearance_tasks.c.area_id == area_id)
        return list(self.session.scalars(query.order_by(clearance_tasks.c.id)))

    def coverage_plans(self, area_id: str | None = None) -> list[CoveragePlanRecord]:
        query = select(CoveragePlanRecord)
        if area_id is not None:
            query = query.where(coverage_plans.c.area_id == area_id)
        return list(self.session.scalars(query.order_by(coverage_plans.c.id)))

    def coverage_for_task(self, task_id: int) -> CoveragePlanRecord | None:
        query = select(CoveragePlanRecord).where(coverage_plans.c.task_id == task_id)
        return self.session.scalars(query.order_by(coverage_plans.c.id.desc()).limit(1)).first()
