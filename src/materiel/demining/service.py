"""Use cases of hazard areas, clearance assets, field progress and land release.

The planners' use cases (rank, tasking, coverage) are in `planning_service`.
Every change is audited in the same transaction as the change itself.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select

from materiel.catalog.model import ItemType
from materiel.core.errors import Conflict, InvalidInput, NotFound, Problem
from materiel.demining import geo, io
from materiel.demining.model import (
    AreaStatus,
    AssetKind,
    ClearanceAsset,
    ClearanceTask,
    CoveragePlanRecord,
    HazardArea,
    ItemFound,
    LandRelease,
    ProgressReport,
    QualitySample,
    ReleasedByMethod,
    ReleaseMethod,
    SampleKind,
)
from materiel.demining.specs import SPECS, MachineSpec
from materiel.demining.store import DeminingStore
from materiel.donations.model import PledgeStatus
from materiel.donations.store import DonationsStore
from materiel.logistics.model import Asset
from materiel.logistics.store import LogisticsStore, assets
from materiel.platform.audit import snapshot
from materiel.platform.records import check_version, get_record
from materiel.platform.unit_of_work import UnitOfWork

AREA, ASSET = "hazard_area", "clearance_asset"
Format = Literal["geojson", "kml"]
# Facts an update may change; the life cycle and measures change only through use cases.
EDITABLE = (
    "name",
    "land_use",
    "oblast",
    "raion",
    "hromada",
    "settlement",
    "people_affected",
    "confidence",
    "evidence",
    "organisation",
    "classification",
    "releasable_to",
)


@dataclass(frozen=True)
class AreaImport:
    created: list[str]
    updated: list[str]
    unchanged: list[str]


def read_areas(data: str | bytes, file: str, fmt: Format) -> list[HazardArea]:
    """Parse a file's areas (no database): ImportRejected lists every problem."""
    if fmt == "geojson":
        return io.read_geojson(data, file)
    if fmt == "kml":
        return io.read_kml(data, file)
    raise InvalidInput(f"unknown format '{fmt}'; use geojson or kml")


def import_areas(data: str | bytes, file: str, fmt: Format, uow: UnitOfWork) -> AreaImport:
    """All or nothing: new areas are created, known ones get the file's facts and shape.

    An area's status is changed only through its life cycle, never by an
    import; importing the same file twice changes nothing.
    """
    areas = read_areas(data, file, fmt)
    created, updated, unchanged = [], [], []
    with uow:
        for area in areas:
            current = uow.session.get(HazardArea, area.id)
            if current is None:
                uow.session.add(area)
                uow.audit("create", AREA, area.id, None, area)
                created.append(area.id)
            elif _refresh(uow, current, area):
                updated.append(area.id)
            else:
                unchanged.append(area.id)
        uow.commit()
    return AreaImport(created, updated, unchanged)


def _refresh(uow: UnitOfWork, current: HazardArea, new: HazardArea) -> bool:
    names = (*EDITABLE, "geometry", "nogo", "area_m2", "nogo_m2")
    if all(getattr(current, n) == getattr(new, n) for n in names):
        return False
    before = snapshot(current)
    for name in names:
        setattr(current, name, getattr(new, name))
    uow.audit("update", AREA, current.id, before, current)
    return True


def export_areas(fmt: Format, uow: UnitOfWork, status: AreaStatus | None = None) -> str:
    """Every area (or those of one status) as GeoJSON or KML text, marked."""
    with uow:
        areas = DeminingStore(uow.session).areas(status)
    if fmt == "kml":
        return io.write_kml(areas)
    if fmt == "geojson":
        return json.dumps(io.write_geojson(areas), ensure_ascii=False, indent=1)
    raise InvalidInput(f"unknown format '{fmt}'; use geojson or kml")


def create_area(feature: Mapping[str, Any], uow: UnitOfWork) -> HazardArea:
    """One area from a GeoJSON Feature (properties as documented, no-go under `nogo`)."""
    area = _area_from_feature(feature)
    with uow:
        if uow.session.get(HazardArea, area.id) is not None:
            raise Conflict(f"hazard area '{area.id}' already exists; update it instead")
        uow.session.add(area)
        uow.audit("create", AREA, area.id, None, area)
        uow.commit()
        return area


def _area_from_feature(feature: Mapping[str, Any]) -> HazardArea:
    props = dict(feature.get("properties") or {})
    try:
        area = io.area_from(props, feature.get("geometry"))
        nogo = feature.get("nogo")
        if nogo:
            io.attach_nogo(area, [geo.polygonal(nogo, "no-go geometry")])
    except io.FeatureError as exc:
        raise InvalidInput(exc.message, [Problem(exc.message, column=exc.column)]) from exc
    except geo.GeometryError as exc:
        raise InvalidInput(str(exc), [Problem(str(exc), column="nogo")]) from exc
    return area


def update_area(
    area_id: str, feature: Mapping[str, Any], expected_version: int | None, uow: UnitOfWork
) -> HazardArea:
    """Change an area's facts and/or shape; status goes through `change_status`/`release`."""
    with uow:
        current = get_record(uow, HazardArea, AREA, area_id)
        check_version(current, expected_version, AREA)
        props = {**io.area_properties(current), **dict(feature.get("properties") or {})}
        props["id"], props["status"] = area_id, current.status.value
        merged = {
            "properties": props,
            "geometry": feature.get("geometry") or json.loads(current.geometry),
            "nogo": feature.get("nogo") or (json.loads(current.nogo) if current.nogo else None),
        }
        if not _refresh(uow, current, _area_from_feature(merged)):
            return current
        uow.commit()
        return current


def change_status(
    area_id: str, status: AreaStatus, expected_version: int | None, uow: UnitOfWork
) -> HazardArea:
    """Suspected -> confirmed -> in clearance (and back to confirmed when work stops)."""
    with uow:
        area = get_record(uow, HazardArea, AREA, area_id)
        check_version(area, expected_version, AREA)
        before = snapshot(area)
        area.change_status(status)
        uow.audit("status", AREA, area_id, before, area)
        uow.commit()
        return area


@dataclass(frozen=True)
class Release:
    method: ReleaseMethod
    on: date
    handed_over_to: str = ""
    certificate: str = ""


def release_area(
    area_id: str, release: Release, expected_version: int | None, uow: UnitOfWork
) -> HazardArea:
    """Release the land (cancelled, reduced or cleared) and record its handover."""
    with uow:
        area = get_record(uow, HazardArea, AREA, area_id)
        check_version(area, expected_version, AREA)
        before = snapshot(area)
        area.release(release.method, release.on, release.handed_over_to)
        area.certificate = release.certificate or area.certificate
        uow.audit("release", AREA, area_id, before, area)
        uow.commit()
        return area


def list_areas(uow: UnitOfWork, status: AreaStatus | None = None) -> list[HazardArea]:
    with uow:
        return DeminingStore(uow.session).areas(status)


def get_area(area_id: str, uow: UnitOfWork) -> HazardArea:
    with uow:
        return get_record(uow, HazardArea, AREA, area_id)


# --- assets ------------------------------------------------------------------------------


def register_asset(asset: ClearanceAsset, uow: UnitOfWork) -> ClearanceAsset:
    with uow:
        if uow.session.get(ClearanceAsset, asset.id) is not None:
            raise Conflict(f"clearance asset '{asset.id}' already exists")
        _check_links(uow, asset)
        uow.session.add(asset)
        uow.audit("create", ASSET, asset.id, None, asset)
        uow.commit()
        return asset


def _check_links(uow: UnitOfWork, asset: ClearanceAsset) -> None:
    if asset.item_type and uow.session.get(ItemType, asset.item_type) is None:
        raise NotFound(f"item type '{asset.item_type}' is not in the catalogue")


def list_assets(uow: UnitOfWork, kind: AssetKind | None = None) -> list[ClearanceAsset]:
    with uow:
        return DeminingStore(uow.session).assets(kind)


PLEDGED = frozenset({PledgeStatus.ACCEPTED, PledgeStatus.ALLOCATED, PledgeStatus.DELIVERED})


def register_pledged_assets(
    uow: UnitOfWork,
    specs: Mapping[str, MachineSpec] = SPECS,
    statuses: frozenset[PledgeStatus] = PLEDGED,
) -> list[ClearanceAsset]:
    """One clearance asset per pledged unit of a known machine type, linked to its serial.

    Pledges accepted, allocated or delivered count; a unit handed over in
    logistics with a serial number is linked to that asset. Units already
    registered are left as they are, so this can run after every delivery.
    """
    with uow:
        known = {a.id: a for a in DeminingStore(uow.session).assets()}
        serials = _serials_by_pledge(uow)
        made = []
        for pledge in DonationsStore(uow.session).all_pledges():
            spec = specs.get(pledge.item_type)
            if spec is None or pledge.status not in statuses:
                continue
            for unit in range(1, pledge.quantity + 1):
                asset_id = f"{pledge.id}-{unit}"
                serial = _nth(serials.get(pledge.id, []), unit - 1)
                if asset_id in known:
                    _link_serial(uow, known[asset_id], serial)
                    continue
                asset = asset_from_spec(asset_id, spec, pledge.item_type, pledge.id, serial)
                asset.available_from = pledge.available_from
                uow.session.add(asset)
                uow.audit("create", ASSET, asset.id, None, asset)
                made.append(asset)
        uow.commit()
        return made


def asset_from_spec(
    asset_id: str, spec: MachineSpec, item_type: str, pledge: str | None, serial: str | None
) -> ClearanceAsset:
    return ClearanceAsset(
        id=asset_id,
        kind=spec.kind,
        name=f"{spec.name} {asset_id}",
        item_type=item_type,
        serial=serial,
        pledge=pledge,
        tool_width_m=spec.tool_width_m,
        turn_radius_m=spec.turn_radius_m,
        speed_kmh=spec.speed_kmh,
        clearance_depth_cm=spec.clearance_depth_cm,
        work_rates=dict(spec.work_rates),
        line_spacing_m=spec.line_spacing_m,
        endurance_min=spec.endurance_min,
    )


def _serials_by_pledge(uow: UnitOfWork) -> dict[str, list[str]]:
    logistics = LogisticsStore(uow.session)
    pledge_of = {s.id: s.pledge for s in logistics.shipments()}
    found: dict[str, list[str]] = {}
    for asset in uow.session.scalars(select(Asset).order_by(assets.c.serial)):
        pledge = pledge_of.get(asset.shipment_id or "")
        if pledge:
            found.setdefault(pledge, []).append(asset.serial)
    return found


def _nth(values: list[str], index: int) -> str | None:
    return values[index] if index < len(values) else None


def _link_serial(uow: UnitOfWork, asset: ClearanceAsset, serial: str | None) -> None:
    if serial and asset.serial != serial:
        before = snapshot(asset)
        asset.serial = serial
        uow.audit("link", ASSET, asset.id, before, asset)


# --- progress ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressIn:
    """A field report: cleared polygons and/or tracks (GeoJSON), what was found, QC."""

    area_id: str
    on: date
    cleared: Mapping[str, Any]
    method: ReleaseMethod = ReleaseMethod.CLEARED
    asset_id: str | None = None
    note: str = ""
    items: list[ItemFound] = field(default_factory=list)
    samples: list[QualitySample] = field(default_factory=list)


def record_progress(report: ProgressIn, uow: UnitOfWork) -> ProgressReport:
    """Store cleared ground clipped to the area; tracks count at the asset's tool width.

    The first clearance report moves a confirmed area into clearance.
    """
    with uow:
        area = get_record(uow, HazardArea, AREA, report.area_id)
        if area.status is AreaStatus.RELEASED:
            raise Conflict(f"hazard area {area.id} is released; no further progress is recorded")
        asset = _asset(uow, report.asset_id)
        cleared = _cleared_ground(report.cleared, asset, area)
        stored = ProgressReport(
            area.id,
            report.on,
            report.method,
            geo.dumps(cleared),
            geo.area_m2(cleared),
            uow.actor,
            asset.id if asset else None,
            report.note,
        )
        uow.session.add(stored)
        uow.flush()
        uow.audit("progress", "progress_report", str(stored.id), None, stored)
        _add_findings(uow, area, stored, report)
        _start_clearance(uow, area, report.method)
        uow.commit()
        return stored


def _asset(uow: UnitOfWork, asset_id: str | None) -> ClearanceAsset | None:
    return get_record(uow, ClearanceAsset, ASSET, asset_id) if asset_id else None


def _cleared_ground(
    doc: Mapping[str, Any], asset: ClearanceAsset | None, area: HazardArea
) -> geo.Polygonal:
    polygons, lines = _shapes(doc)
    if lines:
        width = asset.tool_width_m if asset and asset.tool_width_m else None
        if width is None:
            raise InvalidInput(
                "tracks need the asset that drove them (its tool width gives the cleared strip); "
                "name the asset or send cleared polygons"
            )
        polygons.append(geo.swath(lines, width))
    ground = geo.as_polygonal(geo.union(polygons).intersection(geo.loads(area.geometry)))
    if ground.is_empty:
        raise InvalidInput(f"the cleared ground reported does not overlap area {area.id}")
    return ground


def _shapes(doc: Mapping[str, Any]) -> tuple[list[BaseGeometry], list[Any]]:
    geometries = _geometries(doc)
    polygons: list[BaseGeometry] = []
    lines: list[Any] = []
    for index, data in enumerate(geometries):
        try:
            geom = shape(data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise InvalidInput(
                f"cleared feature {index}: malformed geometry", [Problem(str(exc), row=index)]
            ) from exc
        geo.check_wgs84(geom, f"cleared feature {index}")
        if isinstance(geom, Polygon | MultiPolygon):
            polygons.append(geom.buffer(0))
        elif isinstance(geom, LineString | MultiLineString):
            lines.append(geom)
        else:
            raise InvalidInput(
                f"cleared feature {index} is a {geom.geom_type}: send tracks or areas"
            )
    if not polygons and not lines:
        raise InvalidInput("the report holds no cleared polygon or track")
    return polygons, lines


def _geometries(doc: Mapping[str, Any]) -> list[Any]:
    kind = doc.get("type")
    if kind == "FeatureCollection":
        return [f.get("geometry") for f in doc.get("features") or []]
    if kind == "Feature":
        return [doc.get("geometry")]
    return [doc]


def _add_findings(
    uow: UnitOfWork, area: HazardArea, stored: ProgressReport, report: ProgressIn
) -> None:
    for item in report.items:
        found = replace(item, area_id=area.id, report_id=stored.id)
        uow.session.add(found)
        uow.flush()
        uow.audit("found", "item_found", str(found.id), None, found)
    for sample in report.samples:
        taken = replace(sample, area_id=area.id)
        uow.session.add(taken)
        uow.flush()
        uow.audit("sample", "quality_sample", str(taken.id), None, taken)


def _start_clearance(uow: UnitOfWork, area: HazardArea, method: ReleaseMethod) -> None:
    if method is ReleaseMethod.CLEARED and area.status is not AreaStatus.IN_CLEARANCE:
        before = snapshot(area)
        if area.status is AreaStatus.SUSPECTED:
            area.change_status(AreaStatus.CONFIRMED)
        area.change_status(AreaStatus.IN_CLEARANCE)
        uow.audit("status", AREA, area.id, before, area)


def add_quality_sample(sample: QualitySample, uow: UnitOfWork) -> QualitySample:
    with uow:
        get_record(uow, HazardArea, AREA, sample.area_id)
        uow.session.add(sample)
        uow.flush()
        uow.audit("sample", "quality_sample", str(sample.id), None, sample)
        uow.commit()
        return sample


def add_item_found(item: ItemFound, uow: UnitOfWork) -> ItemFound:
    with uow:
        get_record(uow, HazardArea, AREA, item.area_id)
        uow.session.add(item)
        uow.flush()
        uow.audit("found", "item_found", str(item.id), None, item)
        uow.commit()
        return item


# --- the area's page and its land release report -----------------------------------------


@dataclass(frozen=True)
class AreaView:
    area: HazardArea
    tasks: list[ClearanceTask]
    coverage: list[CoveragePlanRecord]
    progress: list[ProgressReport]
    items: list[ItemFound]
    samples: list[QualitySample]
    report: LandRelease


def area_view(area_id: str, uow: UnitOfWork) -> AreaView:
    with uow:
        area = get_record(uow, HazardArea, AREA, area_id)
        store = DeminingStore(uow.session)
        progress, items, samples = (
            store.progress(area_id),
            store.items(area_id),
            store.samples(area_id),
        )
        return AreaView(
            area,
            store.tasks_of_area(area_id),
            store.coverage_plans(area_id),
            progress,
            items,
            samples,
            build_release(area, progress, items, samples),
        )


def land_release_report(area_id: str, uow: UnitOfWork) -> LandRelease:
    return area_view(area_id, uow).report


def build_release(
    area: HazardArea,
    progress: list[ProgressReport],
    items: list[ItemFound],
    samples: list[QualitySample],
) -> LandRelease:
    """The minimum data of a land release from the area's records (no I/O)."""
    polygon = geo.loads(area.geometry)
    by_method = _released_by_method(area, progress)
    released = sum(r.area_m2 for r in by_method)
    days = sorted(p.on for p in progress)
    end = area.released_on or (days[-1] if days else None)
    centre = polygon.centroid
    return LandRelease(
        area_id=area.id,
        area_name=area.name,
        hazard_kind=area.kind,
        status=area.status,
        admin=area.admin,
        centroid=(round(centre.x, 6), round(centre.y, 6)),
        polygon=json.loads(area.geometry),
        land_use=area.land_use,
        people_affected=area.people_affected,
        organisation=area.organisation,
        area_m2=area.area_m2,
        released_by_method=by_method,
        remaining_m2=round(max(0.0, area.area_m2 - released), 1),
        release_method=area.release_method,
        start_date=days[0] if days else None,
        end_date=end,
        assets_used=tuple(sorted({p.asset_id for p in progress if p.asset_id})),
        items_found=dict(Counter(i.kind.value for i in items)),
        deepest_item_cm=max((i.depth_cm for i in items), default=None),
        qc_samples=sum(1 for s in samples if s.kind is SampleKind.QC),
        qc_passed=sum(1 for s in samples if s.kind is SampleKind.QC and s.passed),
        qa_samples=sum(1 for s in samples if s.kind is SampleKind.QA),
        qa_passed=sum(1 for s in samples if s.kind is SampleKind.QA and s.passed),
        handed_over_to=area.handed_over_to,
        certificate=area.certificate,
        marking=area.marking,
    )


def _released_by_method(
    area: HazardArea, progress: list[ProgressReport]
) -> tuple[ReleasedByMethod, ...]:
    """Square metres per method: reported ground (no double counting), the rest by the release."""
    counted: list[BaseGeometry] = []
    result: dict[ReleaseMethod, float] = {}
    for method in (ReleaseMethod.CLEARED, ReleaseMethod.REDUCED, ReleaseMethod.CANCELLED):
        ground = [geo.loads(p.cleared) for p in progress if p.method is method]
        if not ground:
            continue
        merged = geo.union(ground)
        new = merged.difference(geo.union(counted)) if counted else merged
        counted.append(merged)
        result[method] = geo.area_m2(geo.as_polygonal(new))
    # Cancellation and reduction release the rest of the area by survey; clearance
    # releases only the ground reported cleared, the rest stays as remaining.
    if area.release_method in (ReleaseMethod.CANCELLED, ReleaseMethod.REDUCED):
        rest = max(0.0, area.area_m2 - sum(result.values()))
        method = area.release_method
        result[method] = round(result.get(method, 0.0) + rest, 1)
    return tuple(ReleasedByMethod(m, a) for m, a in result.items() if a > 0)
