"""The demining part of the demo: hazard areas in Kharkiv oblast, tasked to donated machines.

Place names and their approximate coordinates are public (`data/demining/
places.csv`); every polygon, hole, no-go strip, piece of evidence and count
of people is synthetic, drawn from `random.Random(seed)`. Areas go in
through the same GeoJSON importer staff use; machines come from the demo's
pledges of MV-4s, Bozena 5s and GCS-200s. Then: a ranking, a four-week
tasking, a coverage plan per task, progress on the top area and its land
release report.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from shapely.geometry import Polygon, mapping

from materiel.bootstrap import Runtime
from materiel.demining import geo, service
from materiel.demining import planning_service as planning
from materiel.demining.model import (
    AreaStatus,
    ClearanceAsset,
    DeviceKind,
    ItemFound,
    LandRelease,
    QualitySample,
    ReleaseMethod,
    SampleKind,
)
from materiel.demo.scenario import read_rows
from materiel.donations.model import PledgeStatus

DEMO_ACTOR = "demo-loader"
LAND_USES = ("farmland", "farmland", "farmland", "forest", "infrastructure", "residential")
EVIDENCE = (
    ("accident", "Tractor struck an anti-tank mine during ploughing"),
    ("accident", "Civilian injured by a PFM-1 while collecting firewood"),
    ("device", "TM-62 seen at the field edge by a farmer"),
    ("device", "POM-2 tripwires reported near the tree line"),
    ("indicator", "Abandoned fighting positions and trenches"),
    ("indicator", "Cluster munition remnants on the road verge"),
    ("indicator", "Dead livestock in the pasture"),
    ("source", "Police report from the hromada administration"),
    ("source", "Interview with returning residents"),
)
PLACES_IN_AREA = ("field", "tree line", "road verge", "orchard", "outskirts")
MACHINE_TYPES = ("mv-4", "bozena-5", "gcs-200")


@dataclass(frozen=True)
class DeminingDemo:
    areas: int
    assets: list[ClearanceAsset]
    ranked: list[planning.Ranked]
    run_id: int
    tasks: int
    coverage_plans: int
    progress_area: str
    report: LandRelease


def load_demining(
    runtime: Runtime, seed: int = 2026, say: Callable[[str], None] = lambda _: None
) -> DeminingDemo:
    """Load and plan the demining scenario; loading twice adds a new run, not new areas."""
    rng = random.Random(seed)
    document = hazard_areas(rng)
    imported = service.import_areas(
        json.dumps(document), "demo hazard areas", "geojson", runtime.uow(DEMO_ACTOR)
    )
    say(f"demo hazard areas: {len(imported.created)} new, {len(imported.unchanged)} unchanged")
    statuses = frozenset(PledgeStatus) - {PledgeStatus.WITHDRAWN}
    service.register_pledged_assets(runtime.uow(DEMO_ACTOR), statuses=statuses)
    assets = service.list_assets(runtime.uow(DEMO_ACTOR))
    say(f"{len(assets)} clearance machines from the pledges of {', '.join(MACHINE_TYPES)}")
    ranked = planning.rank_areas({}, runtime.uow(DEMO_ACTOR))
    start = tasking_start(assets)
    # Repeatable: the same seed gives the same tasks on any machine, however busy.
    request = planning.TaskingRequest(
        start, weeks=4, what_if_add="mv-4", time_limit_s=3, repeatable=True
    )
    run = planning.run_tasking(request, runtime.uow(DEMO_ACTOR))
    assert run.id is not None
    _, tasks = planning.tasking_view(run.id, runtime.uow(DEMO_ACTOR))
    say(f"tasking run {run.id} from {start}: {len(tasks)} tasks ({run.solver['status']})")
    plans = [planning.plan_task_coverage(t.id, runtime.uow(DEMO_ACTOR)) for t in tasks if t.id]
    say(f"{len(plans)} coverage plans, one per task of the four weeks")
    first_week = [t for t in tasks if t.week == 1]
    area_id = _top_tasked(ranked, first_week) or ranked[0].area.id
    report = clear_and_release(runtime, area_id, plans, start)
    say(f"progress recorded on {area_id}; land release report: {report.status.value}")
    return DeminingDemo(
        len(imported.created) + len(imported.unchanged) + len(imported.updated),
        assets,
        ranked,
        run.id,
        len(tasks),
        len(plans),
        area_id,
        report,
    )


def _top_tasked(ranked: list[planning.Ranked], tasks: list[Any]) -> str | None:
    """The best-ranked area that has a task (and so a coverage plan)."""
    tasked = {t.area_id for t in tasks}
    return next((r.area.id for r in ranked if r.area.id in tasked), None)


def tasking_start(assets: list[ClearanceAsset]) -> date:
    """The Monday by which half the machines are available (pledges arrive over months)."""
    days = sorted(a.available_from or date(2026, 12, 1) for a in assets) or [date(2026, 12, 1)]
    day = days[len(days) // 2]
    return day + timedelta(days=(7 - day.weekday()) % 7)


# --- synthetic hazard areas ------------------------------------------------------------


def hazard_areas(rng: random.Random) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of areas around the places, with holes and no-go strips."""
    features: list[dict[str, Any]] = []
    number = 0
    for place in read_rows("demining/places.csv"):
        for _ in range(int(place["areas"])):
            number += 1
            features.extend(_area_features(rng, place, f"HA-KH-{number:03d}"))
    return {"type": "FeatureCollection", "features": features}


def _area_features(rng: random.Random, place: dict[str, str], area_id: str) -> list[dict[str, Any]]:
    centre = _offset(float(place["lon"]), float(place["lat"]), rng.uniform(1.0, 5.0), rng)
    radius = rng.uniform(100, 260)
    shell = _blob(rng, centre, radius)
    holes = [_blob(rng, centre, radius * 0.12, points=6)] if rng.random() < 0.3 else []
    polygon = Polygon(shell, holes)
    if not polygon.is_valid:
        polygon = Polygon(shell)
    land_use = rng.choice(LAND_USES)
    feature = {
        "type": "Feature",
        "properties": {
            "id": area_id,
            "name": f"{place['settlement']} {rng.choice(PLACES_IN_AREA)}",
            "status": "confirmed" if rng.random() < 0.45 else "suspected",
            "land_use": land_use,
            "oblast": "Kharkiv",
            "raion": place["raion"],
            "hromada": place["hromada"],
            "settlement": place["settlement"],
            "people_affected": int(rng.paretovariate(1.4) * 60),
            "confidence": round(rng.uniform(0.3, 0.95), 2),
            "organisation": rng.choice(
                ("State Emergency Service", "Demining Company", "HALO Trust")
            ),
            "evidence": _evidence(rng, centre),
        },
        "geometry": mapping(polygon),
    }
    if rng.random() >= 0.35:
        return [feature]
    strip = _nogo_strip(rng, centre, radius)
    nogo = {"type": "Feature", "properties": {"nogo": True, "area": area_id}, "geometry": strip}
    return [feature, nogo]


def _offset(lon: float, lat: float, km: float, rng: random.Random) -> tuple[float, float]:
    bearing = rng.uniform(0, 2 * math.pi)
    dlat = km * math.cos(bearing) / 111.32
    dlon = km * math.sin(bearing) / (111.32 * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def _blob(
    rng: random.Random, centre: tuple[float, float], radius_m: float, points: int = 9
) -> list[tuple[float, float]]:
    """A star-shaped ring around `centre` (never self-intersecting), in degrees."""
    lon, lat = centre
    ring = []
    for k in range(points):
        angle = 2 * math.pi * k / points
        r = radius_m * rng.uniform(0.7, 1.15)
        ring.append(
            (
                lon + r * math.cos(angle) / (111_320 * math.cos(math.radians(lat))),
                lat + r * math.sin(angle) / 111_320,
            )
        )
    return ring


def _nogo_strip(rng: random.Random, centre: tuple[float, float], radius: float) -> dict[str, Any]:
    """A 20 m wide strip (a road kept open, a pipeline) across part of the area."""
    lon, lat = centre
    metres_lon = 111_320 * math.cos(math.radians(lat))
    x0, x1 = -radius * 0.5, radius * 0.5
    y = rng.uniform(-radius * 0.3, radius * 0.3)
    corners = [(x0, y - 10), (x1, y - 10), (x1, y + 10), (x0, y + 10)]
    ring = [(lon + x / metres_lon, lat + yy / 111_320) for x, yy in corners]
    return dict(mapping(Polygon(ring)))


def _evidence(rng: random.Random, centre: tuple[float, float]) -> list[dict[str, Any]]:
    chosen = rng.sample(EVIDENCE, rng.randint(1, 3))
    day = date(2026, 3, 1) + timedelta(days=rng.randint(0, 240))
    return [
        {
            "kind": kind,
            "description": text,
            "on": day.isoformat(),
            "lon": round(centre[0], 5),
            "lat": round(centre[1], 5),
            "source": "synthetic demo data",
        }
        for kind, text in chosen
    ]


# --- progress and release on one area ----------------------------------------------------


def clear_and_release(runtime: Runtime, area_id: str, plans: list[Any], start: date) -> LandRelease:
    """Record the machine's tracks on one area, items found and QC, then release it."""
    plan = next((p for p in plans if p.area_id == area_id), None)
    area = service.get_area(area_id, runtime.uow(DEMO_ACTOR))
    if area.status is AreaStatus.RELEASED:
        return service.land_release_report(area_id, runtime.uow(DEMO_ACTOR))
    tracks = _work_lines(plan.geojson) if plan else []
    centre = geo.loads(area.geometry).representative_point()
    on = start + timedelta(days=3)
    report = service.ProgressIn(
        area_id,
        on,
        {"type": "FeatureCollection", "features": tracks} if tracks else json.loads(area.geometry),
        ReleaseMethod.CLEARED,
        plan.asset_id if plan else None,
        "demo: machine tracks from the coverage plan",
        [
            ItemFound(area_id, DeviceKind.AT_MINE, centre.x, centre.y, 12.0, on, "TM-62M"),
            ItemFound(area_id, DeviceKind.AP_MINE, centre.x + 0.0004, centre.y, 4.0, on, "PFM-1"),
            ItemFound(area_id, DeviceKind.UXO, centre.x, centre.y + 0.0003, 25.0, on, "122 mm"),
        ],
        [
            QualitySample(area_id, SampleKind.QC, on, 1200.0, True, "QC team lead"),
            QualitySample(area_id, SampleKind.QA, on, 800.0, True, "national authority inspector"),
        ],
    )
    service.record_progress(report, runtime.uow(DEMO_ACTOR))
    release = service.Release(
        ReleaseMethod.CLEARED, on + timedelta(days=2), f"{area.hromada} hromada", f"LR-{area_id}"
    )
    service.release_area(area_id, release, None, runtime.uow(DEMO_ACTOR))
    return service.land_release_report(area_id, runtime.uow(DEMO_ACTOR))


def _work_lines(document: dict[str, Any]) -> list[dict[str, Any]]:
    features = document.get("features", [])
    work = [
        f
        for f in features
        if (f.get("properties") or {}).get("kind", (f.get("properties") or {}).get("role"))
        == "work"
    ]
    return work or [f for f in features if f["geometry"]["type"] == "LineString"]
