"""Hazard areas, clearance assets, field progress and land release: records and their rules.

Words follow the International Mine Action Standards: a suspected hazardous
area (SHA) is one where evidence suggests explosive ordnance, a confirmed
hazardous area (CHA) one where direct evidence confirms it (IMAS 04.10).
Land is released in three ways that IMAS 07.11 keeps apart: *cancelled*
through non-technical survey, *reduced* through technical survey and
*cleared* through clearance. Geometry is WGS84 GeoJSON text; its measures
are taken by `demining.geo` and stored on the record.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from materiel.core.dates import utc_now
from materiel.core.errors import Conflict, InvalidInput
from materiel.core.markings import DEFAULT_RELEASABILITY, Classification, Marking


class AreaKind(StrEnum):
    SHA = "sha"  # suspected hazardous area
    CHA = "cha"  # confirmed hazardous area


class AreaStatus(StrEnum):
    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"
    IN_CLEARANCE = "in-clearance"
    RELEASED = "released"


class ReleaseMethod(StrEnum):
    """How land was released (IMAS 07.11)."""

    CANCELLED = "cancelled"  # by non-technical survey
    REDUCED = "reduced"  # by technical survey
    CLEARED = "cleared"  # by clearance

    @property
    def activity(self) -> str:
        return RELEASE_ACTIVITY[self]


RELEASE_ACTIVITY = {
    ReleaseMethod.CANCELLED: "non-technical survey",
    ReleaseMethod.REDUCED: "technical survey",
    ReleaseMethod.CLEARED: "clearance",
}


class LandUse(StrEnum):
    FARMLAND = "farmland"
    INFRASTRUCTURE = "infrastructure"
    RESIDENTIAL = "residential"
    FOREST = "forest"


class EvidenceKind(StrEnum):
    ACCIDENT = "accident"
    DEVICE = "device"  # a device found or seen
    INDICATOR = "indicator"  # craters, signs, fighting positions, dead livestock
    SOURCE = "source"  # a report: informant, military record, imagery


AREA_TRANSITIONS: dict[AreaStatus, frozenset[AreaStatus]] = {
    AreaStatus.SUSPECTED: frozenset({AreaStatus.CONFIRMED, AreaStatus.RELEASED}),
    AreaStatus.CONFIRMED: frozenset({AreaStatus.IN_CLEARANCE, AreaStatus.RELEASED}),
    AreaStatus.IN_CLEARANCE: frozenset({AreaStatus.CONFIRMED, AreaStatus.RELEASED}),
    AreaStatus.RELEASED: frozenset(),
}

# Which release each status allows: a suspected area can only be cancelled by
# non-technical survey; land already in clearance is reduced or cleared.
RELEASES_FROM: dict[AreaStatus, frozenset[ReleaseMethod]] = {
    AreaStatus.SUSPECTED: frozenset({ReleaseMethod.CANCELLED}),
    AreaStatus.CONFIRMED: frozenset({ReleaseMethod.CANCELLED, ReleaseMethod.REDUCED}),
    AreaStatus.IN_CLEARANCE: frozenset({ReleaseMethod.REDUCED, ReleaseMethod.CLEARED}),
    AreaStatus.RELEASED: frozenset(),
}


@dataclass(frozen=True)
class Evidence:
    """Why an area is suspected: one accident, device, indicator or source."""

    kind: EvidenceKind
    description: str
    on: date | None = None
    lon: float | None = None
    lat: float | None = None
    source: str = ""


@dataclass(frozen=True)
class AdminUnits:
    """Where an area lies in the partner's administrative division."""

    oblast: str
    raion: str = ""
    hromada: str = ""
    settlement: str = ""


@dataclass
class HazardArea:
    """A polygon (with holes) suspected or confirmed to hold explosive ordnance.

    Holes and the separate `nogo` polygons are ground no machine may enter
    (buildings, water, a road kept open, a known hazard left for manual teams).
    """

    id: str
    name: str
    geometry: str
    land_use: LandUse
    oblast: str
    raion: str = ""
    hromada: str = ""
    settlement: str = ""
    nogo: str = ""
    area_m2: float = 0.0
    nogo_m2: float = 0.0
    kind: AreaKind = AreaKind.SHA
    status: AreaStatus = AreaStatus.SUSPECTED
    people_affected: int = 0
    confidence: float = 0.5
    evidence: tuple[Evidence, ...] = ()
    organisation: str = ""
    release_method: ReleaseMethod | None = None
    released_on: date | None = None
    handed_over_to: str = ""
    certificate: str = ""
    classification: Classification = Classification.NATO_UNCLASSIFIED
    releasable_to: tuple[str, ...] = DEFAULT_RELEASABILITY
    version: int = 1

    def __post_init__(self) -> None:
        check_facts(self.id, self.people_affected, self.confidence)

    @property
    def marking(self) -> Marking:
        return Marking(self.classification, self.releasable_to)

    @property
    def admin(self) -> AdminUnits:
        return AdminUnits(self.oblast, self.raion, self.hromada, self.settlement)

    def change_status(self, new: AreaStatus) -> None:
        """Move along suspected -> confirmed -> in clearance; release goes through `release`."""
        if new is AreaStatus.RELEASED:
            raise Conflict(
                f"hazard area {self.id}: say how it was released (cancelled, reduced or cleared)"
            )
        self._check_transition(new)
        self.status = new
        if new is not AreaStatus.SUSPECTED:
            self.kind = AreaKind.CHA

    def release(self, method: ReleaseMethod, on: date, handed_over_to: str = "") -> None:
        """Release the land by the method IMAS 07.11 names, from a status that allows it."""
        self._check_transition(AreaStatus.RELEASED)
        if method not in RELEASES_FROM[self.status]:
            allowed = ", ".join(sorted(m.value for m in RELEASES_FROM[self.status]))
            raise Conflict(
                f"hazard area {self.id} is {self.status.value}: it can be released as "
                f"{allowed}, not {method.value} ({method.activity} does not apply)"
            )
        self.status, self.release_method, self.released_on = AreaStatus.RELEASED, method, on
        self.handed_over_to = handed_over_to or self.handed_over_to

    def _check_transition(self, new: AreaStatus) -> None:
        if new not in AREA_TRANSITIONS[self.status]:
            allowed = ", ".join(sorted(s.value for s in AREA_TRANSITIONS[self.status]))
            raise Conflict(
                f"hazard area {self.id} is {self.status.value} and cannot become {new.value}; "
                f"allowed next: {allowed or 'none, it is final'}"
            )


def check_facts(area_id: str, people_affected: int, confidence: float) -> None:
    check_record_id(area_id, "a hazard area")
    if not 0 <= people_affected <= MAX_PEOPLE:
        raise InvalidInput(
            f"hazard area {area_id}: people affected {people_affected} must be 0 to {MAX_PEOPLE:,}"
        )
    if not (math.isfinite(confidence) and 0 <= confidence <= 1):
        raise InvalidInput(f"hazard area {area_id}: confidence {confidence} must be 0 to 1")


MAX_PEOPLE = 10_000_000


class AssetKind(StrEnum):
    MACHINE = "machine"  # remote-controlled mine clearance machine
    DRONE = "drone"  # survey drone
    TEAM = "team"  # manual or mechanical team


@dataclass
class ClearanceAsset:
    """A machine, drone or team that clears or surveys, and when it is available.

    `work_rates` gives square metres per hour by ground, keyed
    `terrain/vegetation` (e.g. `soft/grass`); `default` is used otherwise.
    """

    id: str
    kind: AssetKind
    name: str
    item_type: str | None = None
    serial: str | None = None
    pledge: str | None = None
    tool_width_m: float | None = None
    turn_radius_m: float | None = None
    speed_kmh: float | None = None
    clearance_depth_cm: float | None = None
    work_rates: dict[str, float] = field(default_factory=dict)
    line_spacing_m: float | None = None
    endurance_min: float | None = None
    available_from: date | None = None
    available_to: date | None = None
    hours_per_week: float = 40.0
    base: str = ""
    version: int = 1

    def __post_init__(self) -> None:
        check_asset(self)

    def rate_for(self, ground: str = "default") -> float:
        """Square metres per hour on this ground (falls back to `default`, then 0)."""
        return float(self.work_rates.get(ground, self.work_rates.get("default", 0.0)))

    def available_in(self, start: date, end: date) -> bool:
        """True when the asset can work some day in [start, end)."""
        begins = self.available_from or start
        ends = self.available_to or end
        return begins < end and ends >= start


# What a real clearance machine, drone or team can do, generously bounded: a
# figure outside is a typo or a unit mix-up (mm for m, m2 per day for per hour).
ASSET_BOUNDS: dict[str, tuple[float, float, str]] = {
    "tool_width_m": (0.0, 20.0, "m"),
    "turn_radius_m": (0.0, 100.0, "m"),
    "speed_kmh": (0.0, 150.0, "km/h"),
    "clearance_depth_cm": (0.0, 500.0, "cm"),
    "line_spacing_m": (0.0, 200.0, "m"),
    "endurance_min": (0.0, 1440.0, "minutes"),
}
NEEDED: dict[AssetKind, tuple[str, ...]] = {
    AssetKind.MACHINE: ("tool_width_m", "turn_radius_m", "speed_kmh"),
    AssetKind.DRONE: ("line_spacing_m", "speed_kmh", "endurance_min"),
}
MAX_WORK_RATE = 200_000.0  # m2 per hour: a survey drone over open ground, at most


def check_asset(asset: ClearanceAsset) -> None:
    check_record_id(asset.id, "a clearance asset")
    for name, (low, high, unit) in ASSET_BOUNDS.items():
        value = getattr(asset, name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidInput(f"asset {asset.id}: {name} '{value}' is not a number")
        if not math.isfinite(value) or not low <= value <= high:
            raise InvalidInput(
                f"asset {asset.id}: {name} {value} is outside {low:g} to {high:g} {unit}; "
                "give the figure from the machine's data sheet"
            )
    for name in NEEDED.get(asset.kind, ()):
        value = getattr(asset, name)
        if value is None or value <= 0:
            raise InvalidInput(f"{asset.kind.value} {asset.id}: {name} must be a positive number")
    _check_rates(asset)
    hours = asset.hours_per_week
    if not math.isfinite(hours) or hours < 0 or hours > 168:
        raise InvalidInput(f"asset {asset.id}: hours per week must be 0 to 168")
    if asset.available_from and asset.available_to and asset.available_to < asset.available_from:
        raise InvalidInput(f"asset {asset.id}: available to is before available from")
    if asset.base:
        parse_base(asset.base, f"asset {asset.id}")


def _check_rates(asset: ClearanceAsset) -> None:
    for ground, rate in asset.work_rates.items():
        if not str(ground).strip() or len(str(ground)) > 40:
            raise InvalidInput(
                f"asset {asset.id}: a work rate is keyed by land use (e.g. farmland or default), "
                f"not '{str(ground)[:40]}'"
            )
        if isinstance(rate, bool) or not isinstance(rate, int | float) or not math.isfinite(rate):
            raise InvalidInput(
                f"asset {asset.id}: work rate for {ground} '{rate}' is not a finite number "
                "of m2 per hour"
            )
        if not 0 <= rate <= MAX_WORK_RATE:
            raise InvalidInput(
                f"asset {asset.id}: work rate for {ground} {rate:g} m2/h is outside 0 to "
                f"{MAX_WORK_RATE:,.0f} m2/h; give square metres per working hour"
            )


def parse_base(text: str, what: str) -> tuple[float, float]:
    """'lon,lat' in WGS84 degrees, or InvalidInput saying what is wrong."""
    parts = text.split(",")
    try:
        lon, lat = (float(p) for p in parts)
    except ValueError:
        raise InvalidInput(
            f"{what}: base '{text[:60]}' is not lon,lat; write e.g. 37.25,49.20"
        ) from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise InvalidInput(
            f"{what}: base '{text[:60]}' is not WGS84 longitude,latitude degrees "
            "(-180..180, -90..90); write e.g. 37.25,49.20"
        )
    return lon, lat


# Ids appear in URLs and links: the rule pledge refs follow (`donations.io.checked_ref`).
MAX_ID = 80


def check_record_id(value: str, what: str) -> None:
    """An id that can be opened by its address: no '/', nothing invisible, at most 80."""
    if not value or not value.strip():
        raise InvalidInput(f"{what} needs an id")
    if len(value) > MAX_ID:
        raise InvalidInput(
            f"{what} id '{value[:20]}…' is {len(value)} characters; at most {MAX_ID}"
        )
    if "/" in value or not value.isprintable() or value in (".", "..") or value != value.strip():
        raise InvalidInput(
            f"{what} id {value!r} holds a '/', an invisible character or surrounding spaces, "
            "which a record's address cannot; write it with '-' instead (e.g. HA-KH-001)"
        )


@dataclass
class ProgressReport:
    """Ground reported done from the field: cleared strips or polygons on a day."""

    area_id: str
    on: date
    method: ReleaseMethod
    cleared: str  # GeoJSON (Multi)Polygon, clipped to the area
    cleared_m2: float
    recorded_by: str
    asset_id: str | None = None
    note: str = ""
    at: datetime = field(default_factory=utc_now)
    id: int | None = None


class DeviceKind(StrEnum):
    AP_MINE = "ap-mine"
    AT_MINE = "at-mine"
    UXO = "uxo"
    SUBMUNITION = "submunition"
    IED = "ied"
    OTHER = "other"


MAX_DEPTH_CM = 1000  # 10 m: deep-buried aircraft bombs; clearance machines reach 0.5 m


@dataclass
class ItemFound:
    """One explosive item found: what, where, how deep."""

    area_id: str
    kind: DeviceKind
    lon: float
    lat: float
    depth_cm: float
    on: date
    description: str = ""
    report_id: int | None = None
    id: int | None = None

    def __post_init__(self) -> None:
        if not (
            math.isfinite(self.lon)
            and math.isfinite(self.lat)
            and -180 <= self.lon <= 180
            and -90 <= self.lat <= 90
        ):
            raise InvalidInput(
                f"item found at {self.lon}, {self.lat}: not WGS84 longitude, latitude degrees"
            )
        if not math.isfinite(self.depth_cm) or self.depth_cm < 0:
            raise InvalidInput("depth of an item found is measured downwards: not negative")
        if self.depth_cm > MAX_DEPTH_CM:
            raise InvalidInput(
                f"item found {self.depth_cm:g} cm deep: deeper than {MAX_DEPTH_CM} cm is beyond "
                "what clearance reaches; give the depth in centimetres"
            )


class SampleKind(StrEnum):
    QC = "qc"  # quality control by the operator
    QA = "qa"  # quality assurance by the national authority


@dataclass
class QualitySample:
    """A quality control or assurance sample of released ground and its result."""

    area_id: str
    kind: SampleKind
    on: date
    sampled_m2: float
    passed: bool
    inspector: str
    note: str = ""
    id: int | None = None

    def __post_init__(self) -> None:
        if not math.isfinite(self.sampled_m2) or self.sampled_m2 <= 0:
            raise InvalidInput("a quality sample covers some ground: sampled m2 must be positive")
        if not self.inspector.strip():
            raise InvalidInput("name who inspected the quality sample")


class TaskingStatus(StrEnum):
    DRAFT = "draft"
    ACCEPTED = "accepted"


@dataclass
class TaskingRun:
    """One tasking planner run: which asset works which area in which week."""

    start: date
    weeks: int
    created_by: str
    weights: dict[str, float]
    objective: dict[str, Any]
    solver: dict[str, Any]
    what_if: list[dict[str, Any]] = field(default_factory=list)
    status: TaskingStatus = TaskingStatus.DRAFT
    created_at: datetime = field(default_factory=utc_now)
    id: int | None = None
    version: int = 1


@dataclass
class ClearanceTask:
    """One asset on one area over a stretch of working days of a tasking run.

    `week` is the week of the run (from 1) in which the stretch begins.
    """

    run_id: int
    area_id: str
    asset_id: str
    first_day: date
    last_day: date
    week: int
    working_days: int
    travel_hours: float
    m2: float
    id: int | None = None

    def weeks(self, start: date) -> range:
        """The weeks of the run (from 1) that this stretch touches."""
        first = (self.first_day - start).days // 7 + 1
        last = (self.last_day - start).days // 7 + 1
        return range(first, last + 1)


@dataclass
class CoveragePlanRecord:
    """A coverage path of one asset over one area, stored as planned."""

    area_id: str
    asset_id: str
    geojson: dict[str, Any]
    summary: dict[str, Any]
    created_by: str
    task_id: int | None = None
    created_at: datetime = field(default_factory=utc_now)
    id: int | None = None


@dataclass(frozen=True)
class ReleasedByMethod:
    method: ReleaseMethod
    area_m2: float


@dataclass(frozen=True)
class LandRelease:
    """The land release report of one area, with the minimum data the GICHD asks for.

    Fields follow the GICHD Minimum Data Requirements for mine action (land
    release and clearance sections) and IMAS 07.11 / 08.10: which area, where,
    how it was released and how much by each method, when, by whom, what was
    found, the quality checks and the handover.
    """

    area_id: str
    area_name: str
    hazard_kind: AreaKind
    status: AreaStatus
    admin: AdminUnits
    centroid: tuple[float, float]
    polygon: dict[str, Any]
    land_use: LandUse
    people_affected: int
    organisation: str
    area_m2: float
    released_by_method: tuple[ReleasedByMethod, ...]
    remaining_m2: float
    release_method: ReleaseMethod | None
    start_date: date | None
    end_date: date | None
    assets_used: tuple[str, ...]
    items_found: dict[str, int]
    deepest_item_cm: float | None
    qc_samples: int
    qc_passed: int
    qa_samples: int
    qa_passed: int
    handed_over_to: str
    certificate: str
    marking: Marking
    source: str = "GICHD Minimum Data Requirements; IMAS 07.11, 08.10"
