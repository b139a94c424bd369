"""Use cases of hazard areas, clearance assets, field progress and land release.

The planners' use cases (rank, tasking, coverage) are in `planning_service`.
Every change is audited in the same transaction as the change itself.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any, Literal

from shapely.geometry import LineString, MultiLineString, MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from materiel.catalog.model import ItemType
from materiel.core.dates import utc_now
from materiel.core.errors import Conflict, ImportRejected, InvalidInput, NotFound, Problem
from materiel.core.nations import PARTNER
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
from materiel.platform.access.sessions import principal_of
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
        problems = [p for area in areas for p in _marking_problems(uow, area, file)]
        if problems:
            raise ImportRejected(
                f"{file}: {len(problems)} area(s) marked above what you may read; "
                "nothing was imported",
                problems,
            )
        for area in areas:
            current = uow.session.get(HazardArea, area.id)
            if current is None:
                uow.session.add(area)
                uow.audit("create", AREA, area.id, None, area)
                created.append(area.id)
            elif _status_moved(current, area):
                raise ImportRejected(
                    f"{file}: area {area.id} is {current.status.value} here but "
                    f"{area.status.value} in the file; nothing was imported",
                    [Problem(_STATUS_HOW, file, None, "status")],
                )
            elif _refresh(uow, current, area):
                updated.append(area.id)
            else:
                unchanged.append(area.id)
        uow.commit()
    return AreaImport(created, updated, unchanged)


_STATUS_HOW = (
    "an import does not move an area through its life cycle: use "
    "POST /api/demining/areas/{id}/status (confirm, start or stop clearance) or "
    "/release (materiel demining status / release), then import again"
)


LIFE_CYCLE = (
    AreaStatus.SUSPECTED,
    AreaStatus.CONFIRMED,
    AreaStatus.IN_CLEARANCE,
    AreaStatus.RELEASED,
)


def _status_moved(current: HazardArea, new: HazardArea) -> bool:
    """The file asks for a life-cycle step the record has not taken.

    A status behind the record's is an older copy of it (the area moved on
    since the file was written, or the file states none and reads as
    suspected): it is not a change, and is left as it is.
    """
    ahead = LIFE_CYCLE.index(new.status) > LIFE_CYCLE.index(current.status)
    both_released = new.status is current.status is AreaStatus.RELEASED
    return ahead or (
        both_released
        and (new.release_method, new.released_on or current.released_on)
        != (current.release_method, current.released_on)
    )


def _marking_problems(uow: UnitOfWork, area: HazardArea, file: str | None) -> list[Problem]:
    """A user may mark an area only at or below their clearance, releasable to their nation."""
    principal = principal_of(uow.session)
    if principal.may_read(area.marking, PARTNER):
        return []
    who = f"{principal.username} ({principal.nation}, cleared to {principal.clearance.label})"
    if area.classification > principal.clearance:
        why = (
            f"{who} may not mark hazard area {area.id} {area.classification.label}, "
            f"above their clearance: mark it {principal.clearance.label} or lower, "
            "or ask someone cleared for it"
        )
    else:
        why = (
            f"{who} may not mark hazard area {area.id} releasable to "
            f"{', '.join(area.releasable_to)} only: that leaves out their own nation; "
            f"add {principal.nation} (or NATO) to releasable_to"
        )
    return [Problem(why, file, None, "classification")]


def _check_marking(uow: UnitOfWork, area: HazardArea) -> None:
    problems = _marking_problems(uow, area, None)
    if problems:
        raise InvalidInput(problems[0].message, problems)


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
        _check_marking(uow, area)
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
    given = dict(feature.get("properties") or {})
    with uow:
        current = get_record(uow, HazardArea, AREA, area_id)
        check_version(current, expected_version, AREA)
        _check_fixed(current, given)
        props = {**io.area_properties(current), **given}
        props["id"], props["status"] = area_id, current.status.value
        merged = {
            "properties": props,
            "geometry": feature.get("geometry") or json.loads(current.geometry),
            "nogo": feature.get("nogo") or (json.loads(current.nogo) if current.nogo else None),
        }
        changed = _area_from_feature(merged)
        _check_marking(uow, changed)
        if not _refresh(uow, current, changed):
            return current
        uow.commit()
        return current


# Properties an update cannot change, and how they are changed instead.
FIXED = {
    "id": "an area's id never changes: create a new area and release this one as cancelled",
    "status": "use POST /api/demining/areas/{id}/status or /release",
    "kind": "confirming an area (POST .../status {'status': 'confirmed'}) makes it a CHA",
    "release_method": "use POST /api/demining/areas/{id}/release",
    "released_on": "use POST /api/demining/areas/{id}/release",
    "area_m2": "it is measured from the geometry: send a new geometry",
    "nogo_m2": "it is measured from the no-go geometry: send a new `nogo`",
}


def _check_fixed(current: HazardArea, given: Mapping[str, Any]) -> None:
    """Refuse, saying how, a property an update would ignore (its value as stored is fine)."""
    now = io.area_properties(current)
    problems = [
        Problem(f"'{name}' cannot be changed by an update: {how}", column=name)
        for name, how in FIXED.items()
        if name in given and given[name] not in (None, "") and given[name] != now.get(name)
    ]
    if problems:
        raise InvalidInput(
            f"hazard area {current.id}: " + "; ".join(p.message for p in problems), problems
        )


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
    """Release the land (cancelled, reduced or cleared) and record its handover.

    The date lies in the sane window and not before the last progress report;
    a clearance releases only ground reported cleared, so it is refused while
    more than the tolerance remains.
    """
    check_day(release.on, "release date")
    with uow:
        area = get_record(uow, HazardArea, AREA, area_id)
        check_version(area, expected_version, AREA)
        progress = DeminingStore(uow.session).progress(area_id)
        _check_release_after_progress(area, release, progress)
        if release.method is ReleaseMethod.CLEARED and area.status is AreaStatus.IN_CLEARANCE:
            _check_cleared_whole(area, progress)
        before = snapshot(area)
        area.release(release.method, release.on, release.handed_over_to)
        area.certificate = release.certificate or area.certificate
        uow.audit("release", AREA, area_id, before, area)
        uow.commit()
        return area


# Dates of field work and release: the war's mine action began in 2014; a date more
# than a year ahead is a typo, not a plan.
EARLIEST_DAY = date(2014, 1, 1)
DAYS_AHEAD = 365
# A clearance release leaves at most this share of the area unreported (slivers at
# the edges a machine's swath does not quite reach), and never more than 100 m2.
CLEARED_TOLERANCE_SHARE = 0.005
CLEARED_TOLERANCE_M2 = 100.0


def check_day(day: date, what: str) -> None:
    latest = utc_now().date() + timedelta(days=DAYS_AHEAD)
    if not EARLIEST_DAY <= day <= latest:
        raise InvalidInput(
            f"{what} {day.isoformat()} is outside {EARLIEST_DAY.isoformat()} to "
            f"{latest.isoformat()} (a year from today); check the date",
            [Problem(f"{day.isoformat()} is not a plausible date", column="on")],
        )


def _check_release_after_progress(
    area: HazardArea, release: Release, progress: list[ProgressReport]
) -> None:
    last = max((p.on for p in progress), default=None)
    if last is not None and release.on < last:
        raise InvalidInput(
            f"hazard area {area.id}: release date {release.on.isoformat()} is before the last "
            f"progress report ({last.isoformat()}); release on {last.isoformat()} or later",
            [Problem("before the last progress report", column="on")],
        )


def cleared_tolerance_m2(area_m2: float) -> float:
    return min(CLEARED_TOLERANCE_M2, area_m2 * CLEARED_TOLERANCE_SHARE)


def _check_cleared_whole(area: HazardArea, progress: list[ProgressReport]) -> None:
    """Refuse a clearance release while ground not reported cleared remains."""
    done = [geo.loads(p.cleared) for p in progress]
    cleared = geo.area_m2(geo.as_polygonal(geo.union(done))) if done else 0.0
    remaining = max(0.0, area.area_m2 - cleared)
    tolerance = cleared_tolerance_m2(area.area_m2)
    if remaining > tolerance:
        raise Conflict(
            f"hazard area {area.id}: {remaining:,.0f} of {area.area_m2:,.0f} m2 is not reported "
            f"cleared (at most {tolerance:,.0f} m2, {CLEARED_TOLERANCE_SHARE:.1%} of the area "
            "up to 100 m2, may remain); report the rest as progress, or release it as reduced "
            "by technical survey"
        )


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
    check_day(report.on, "progress date")
    with uow:
        area = get_record(uow, HazardArea, AREA, report.area_id)
        if area.status is AreaStatus.RELEASED:
            raise Conflict(f"hazard area {area.id} is released; no further progress is recorded")
        asset = _asset(uow, report.asset_id)
        cleared = _cleared_ground(report.cleared, asset, area)
        _check_findings(area, report.items, report.samples)
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
        _touch(uow, area)
        uow.commit()
        return stored


def _touch(uow: UnitOfWork, area: HazardArea) -> None:
    """A progress report moves its area's version, like any change to what the area holds.

    A release checks the progress it read; a report stored meanwhile makes the
    release's version stale, so one of the two is refused (412) instead of the
    land being released before its last report, or reported after its release.
    """
    if uow.session.is_modified(area):
        return  # its status changed: the version moves already
    before = snapshot(area)
    flag_modified(area, "status")
    uow.audit("progress", AREA, area.id, before, area)


# An item found is recorded in or next to its area (a GPS fix, a track's end).
ITEM_REACH_M = 200.0


def _check_findings(area: HazardArea, items: list[ItemFound], samples: list[QualitySample]) -> None:
    """Items found lie in or near the area; a quality sample is no larger than the area."""
    polygon = geo.loads(area.geometry)
    for number, item in enumerate(items):
        check_day(item.on, f"item {number} found on")
        away = geo.distance_m(polygon, item.lon, item.lat)
        if away > ITEM_REACH_M:
            raise InvalidInput(
                f"item {number} found at {item.lon}, {item.lat} is {away:,.0f} m from hazard "
                f"area {area.id} (at most {ITEM_REACH_M:.0f} m); check the coordinates "
                "(longitude first, WGS84 degrees)",
                [Problem("too far from the area", row=number, column="lon")],
            )
    for number, sample in enumerate(samples):
        check_day(sample.on, f"quality sample {number} taken on")
        if sample.sampled_m2 > area.area_m2:
            raise InvalidInput(
                f"quality sample {number} covers {sample.sampled_m2:,.0f} m2, more than hazard "
                f"area {area.id} itself ({area.area_m2:,.0f} m2); give the m2 sampled",
                [Problem("larger than the area", row=number, column="sampled_m2")],
            )


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
        what = f"cleared feature {index}"
        try:
            geo.check_wgs84(geom, what)
            if isinstance(geom, Polygon | MultiPolygon):
                geo.check_polygon(geom, what)
        except geo.GeometryError as exc:
            raise InvalidInput(str(exc), [Problem(str(exc), row=index, column="cleared")]) from exc
        if isinstance(geom, Polygon | MultiPolygon):
            polygons.append(geom)
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
        area = get_record(uow, HazardArea, AREA, sample.area_id)
        _check_findings(area, [], [sample])
        uow.session.add(sample)
        uow.flush()
        uow.audit("sample", "quality_sample", str(sample.id), None, sample)
        uow.commit()
        return sample


def add_item_found(item: ItemFound, uow: UnitOfWork) -> ItemFound:
    with uow:
        area = get_record(uow, HazardArea, AREA, item.area_id)
        _check_findings(area, [item], [])
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
