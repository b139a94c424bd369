"""Demining use cases on a real database: assets from pledges, rank, tasking, coverage, release."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from shapely.geometry import LineString, mapping, shape

from materiel.bootstrap import Runtime
from materiel.core.dates import utc_now
from materiel.core.errors import Conflict, InvalidInput
from materiel.demining import geo, service
from materiel.demining import planning_service as planning
from materiel.demining.model import (
    AreaStatus,
    AssetKind,
    ClearanceAsset,
    DeviceKind,
    ItemFound,
    QualitySample,
    ReleaseMethod,
    SampleKind,
)
from materiel.donations import plan_service
from materiel.donations.service import import_pledges, import_requirements
from materiel.logistics import service as logistics
from materiel.logistics import transport_service
from materiel.logistics.model import ShipmentStatus
from materiel.platform.audit import history
from tests.demining.support import IZIUM, M_LAT, M_LON, area_feature, collection, nogo_feature
from tests.factories import load_reference_data

START = date(2027, 5, 3)  # a Monday


def mv4(asset_id: str = "MV4-1") -> ClearanceAsset:
    return ClearanceAsset(
        asset_id,
        AssetKind.MACHINE,
        "DOK-ING MV-4",
        item_type="mv-4",
        tool_width_m=1.7,
        turn_radius_m=3.0,
        speed_kmh=2.0,
        work_rates={"default": 900.0, "forest": 300.0},
    )


@pytest.fixture
def areas(runtime: Runtime) -> Runtime:
    load_reference_data(runtime)
    document = collection(
        area_feature("HA-1", people_affected=40),
        nogo_feature("HA-1"),
        area_feature("HA-2", at=(37.30, 49.25), people_affected=2000, evidence=[]),
    )
    service.import_areas(json.dumps(document), "areas.geojson", "geojson", runtime.uow())
    return runtime


def test_pledged_machines_become_assets_linked_to_their_serials(runtime: Runtime) -> None:
    load_reference_data(runtime)
    soon = (utc_now().date() + timedelta(days=40)).isoformat()
    today = utc_now().date().isoformat()
    import_requirements(
        ("requirements", [{"ref": "R-1", "item_type": "mv-4", "quantity": "2", "priority": "1",
                           "needed_by": soon, "unit": "SES", "destination": "lviv"}]),
        runtime.uow(),
    )  # fmt: skip
    import_pledges(
        ("pledges", [{"ref": "P-1", "donor": "DEU", "item_type": "mv-4", "quantity": "2",
                      "origin": "unterluss", "available_from": today}]),
        runtime.uow(),
    )  # fmt: skip
    assert service.register_pledged_assets(runtime.uow()) == []  # only offered so far
    plan = plan_service.run_allocation(runtime.uow(), time_limit_s=5)
    plan_service.accept_plan(plan.id or 0, None, runtime.uow())
    moved = transport_service.run_transport(runtime.uow(), time_limit_s=5)
    transport_service.accept_transport_plan(moved.id or 0, None, runtime.uow())
    (shipment,) = logistics.list_shipments(runtime.uow(), ShipmentStatus.PLANNED)
    logistics.dispatch(shipment.id, None, None, runtime.uow())
    handover = logistics.HandOver(
        "lviv", "DEU", "SES", ["MV4-0007", "MV4-0008"], acknowledged_by="Capt. K"
    )
    logistics.hand_over(shipment.id, handover, None, runtime.uow())

    made = service.register_pledged_assets(runtime.uow("planner"))

    assert [(a.id, a.serial, a.item_type, a.pledge) for a in made] == [
        ("P-1-1", "MV4-0007", "mv-4", "P-1"),
        ("P-1-2", "MV4-0008", "mv-4", "P-1"),
    ]
    assert made[0].tool_width_m == 1.7 and made[0].available_from == utc_now().date()
    assert service.register_pledged_assets(runtime.uow()) == []  # once per unit


def test_ranking_shows_its_parts_and_follows_the_weights(areas: Runtime) -> None:
    default = planning.rank_areas({}, areas.uow())
    assert [r.area.id for r in default] == ["HA-1", "HA-2"]  # an accident outweighs people
    for ranked in default:
        total = sum(part.contribution for part in ranked.score.parts.values())
        assert ranked.score.score == pytest.approx(total)
        assert ranked.score.reasons
    people_first = planning.rank_areas({"people": 10, "casualty_risk": 0}, areas.uow())
    assert [r.area.id for r in people_first] == ["HA-2", "HA-1"]
    with pytest.raises(InvalidInput, match="unknown criteria"):
        planning.rank_areas({"luck": 1}, areas.uow())


def test_tasking_is_stored_with_tasks_and_a_what_if(areas: Runtime) -> None:
    service.register_asset(mv4(), areas.uow())
    request = planning.TaskingRequest(START, weeks=2, what_if_add="bozena-5", time_limit_s=3)
    run = planning.run_tasking(request, areas.uow("planner"))
    assert run.id is not None
    stored, tasks = planning.tasking_view(run.id, areas.uow())
    assert tasks and {t.area_id for t in tasks} <= {"HA-1", "HA-2"}
    assert all(t.asset_id == "MV4-1" and START <= t.first_day <= t.last_day for t in tasks)
    assert all(1 <= t.week <= 2 for t in tasks)
    (compare,) = stored.what_if
    assert compare["released_m2_delta"] >= 0
    table = planning.week_table(stored, tasks)
    assert set(table) == {"MV4-1"} and set(table["MV4-1"]) == {1, 2}
    with areas.uow() as uow:
        assert [e.action for e in history(uow.session, "tasking_run", str(run.id))] == ["plan"]


def _driven_in_forbidden_ground(runtime: Runtime, kinds: set[str]) -> float:
    """Metres of the plan's lines of these kinds inside holes or no-go ground of HA-1."""
    service.register_asset(mv4(), runtime.uow())
    run = planning.run_tasking(planning.TaskingRequest(START, weeks=1), runtime.uow())
    _, tasks = planning.tasking_view(run.id or 0, runtime.uow())
    task = next(t for t in tasks if t.area_id == "HA-1")
    record = planning.plan_task_coverage(task.id or 0, runtime.uow())
    assert record.task_id == task.id and record.summary
    area = service.get_area("HA-1", runtime.uow())
    forbidden = geo.union([geo.loads(area.nogo), *map(geo.loads, _holes(area.geometry))])
    driven = [
        shape(f["geometry"])
        for f in record.geojson["features"]
        if f["properties"].get("kind") in kinds
    ]
    assert driven
    inside, _ = geo.to_metres(geo.union(driven).intersection(forbidden))
    return float(inside.length)


def test_coverage_of_a_task_never_drives_into_holes_or_no_go(areas: Runtime) -> None:
    driven = _driven_in_forbidden_ground(areas, {"work", "turn", "transit"})
    assert driven < 0.05  # metres: touching an edge at most


def _holes(geometry: str) -> list[str]:
    polygon = geo.loads(geometry)
    return [json.dumps(mapping(type(polygon)(ring))) for ring in polygon.interiors]  # type: ignore[attr-defined]


def test_progress_release_and_the_land_release_report(areas: Runtime) -> None:
    service.register_asset(mv4(), areas.uow())
    lon, lat = IZIUM
    track = LineString(
        [(lon - 300 / M_LON, lat + 80 / M_LAT), (lon + 300 / M_LON, lat + 80 / M_LAT)]
    )
    report = service.ProgressIn(
        "HA-1",
        START,
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "properties": {}, "geometry": mapping(track)}],
        },
        asset_id="MV4-1",
        items=[ItemFound("HA-1", DeviceKind.AT_MINE, lon, lat + 80 / M_LAT, 15.0, START)],
        samples=[QualitySample("HA-1", SampleKind.QC, START, 500.0, True, "QC lead")],
    )
    stored = service.record_progress(report, areas.uow("field"))
    # The track runs 600 m; only the 200 m inside the area count, 1.7 m wide.
    assert stored.cleared_m2 == pytest.approx(200 * 1.7, rel=0.02)
    assert (
        geo.loads(stored.cleared)
        .difference(geo.loads(service.get_area("HA-1", areas.uow()).geometry))
        .area
        < 1e-12
    )
    assert service.get_area("HA-1", areas.uow()).status is AreaStatus.IN_CLEARANCE

    release = service.Release(
        ReleaseMethod.CLEARED, START + timedelta(days=5), "Izium hromada", "LR-1"
    )
    with pytest.raises(Conflict):  # most of the area is not reported cleared yet
        service.release_area("HA-1", release, None, areas.uow("chief"))
    whole = geo.loads(service.get_area("HA-1", areas.uow()).geometry)
    rest = service.ProgressIn(
        "HA-1",
        START + timedelta(days=4),
        {"type": "Feature", "properties": {}, "geometry": mapping(whole)},
        asset_id="MV4-1",
    )
    service.record_progress(rest, areas.uow("field"))
    service.release_area("HA-1", release, None, areas.uow("chief"))
    r = service.land_release_report("HA-1", areas.uow())
    assert (r.status, r.release_method, r.certificate) == (
        AreaStatus.RELEASED,
        ReleaseMethod.CLEARED,
        "LR-1",
    )
    ((method, cleared),) = [(m.method, m.area_m2) for m in r.released_by_method]
    assert method is ReleaseMethod.CLEARED and cleared == pytest.approx(r.area_m2, abs=1)
    assert r.remaining_m2 <= 100
    assert (r.items_found, r.deepest_item_cm, r.qc_samples, r.qc_passed) == (
        {"at-mine": 1},
        15.0,
        1,
        1,
    )
    assert (r.start_date, r.end_date, r.assets_used) == (
        START,
        START + timedelta(days=5),
        ("MV4-1",),
    )
    assert r.admin.raion == "Izium" and r.handed_over_to == "Izium hromada"
    with pytest.raises(Conflict, match="released"):
        service.record_progress(report, areas.uow())


def test_cancelled_land_counts_the_whole_area_by_non_technical_survey(areas: Runtime) -> None:
    service.release_area("HA-2", service.Release(ReleaseMethod.CANCELLED, START), None, areas.uow())
    r = service.land_release_report("HA-2", areas.uow())
    assert [(m.method, m.area_m2) for m in r.released_by_method] == [
        (ReleaseMethod.CANCELLED, r.area_m2)
    ]
    assert r.remaining_m2 == 0


def test_tracks_need_the_asset_that_drove_them(areas: Runtime) -> None:
    lon, lat = IZIUM
    track = mapping(LineString([(lon, lat), (lon + 50 / M_LON, lat)]))
    with pytest.raises(InvalidInput, match="tool width"):
        service.record_progress(service.ProgressIn("HA-1", START, track), areas.uow())
    far = mapping(LineString([(lon + 1, lat), (lon + 1.001, lat)]))
    service.register_asset(mv4(), areas.uow())
    with pytest.raises(InvalidInput, match="does not overlap"):
        service.record_progress(
            service.ProgressIn("HA-1", START, far, asset_id="MV4-1"), areas.uow()
        )
