"""The demining API and pages as a mine action planner uses them (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import LineString, mapping

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from tests.auth import signed_in_client
from tests.demining.support import IZIUM, M_LAT, M_LON, area_feature, collection, nogo_feature
from tests.factories import load_reference_data

AREAS = collection(
    area_feature("HA-1"),
    nogo_feature("HA-1"),
    area_feature("HA-2", at=(37.30, 49.25), people_affected=3000),
)
MACHINE = {
    "id": "MV4-1",
    "kind": "machine",
    "name": "DOK-ING MV-4",
    "item_type": "mv-4",
    "tool_width_m": 1.7,
    "turn_radius_m": 3,
    "speed_kmh": 2,
    "work_rates": {"default": 900},
    "base": "37.25,49.20",
}


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    load_reference_data(runtime)
    return signed_in_client(runtime, Role.MINE_ACTION_PLANNER)


def imported(client: TestClient) -> None:
    answer = client.post(
        "/api/demining/areas/import", params={"format": "geojson"}, content=json.dumps(AREAS)
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["created"] == ["HA-1", "HA-2"]


def test_import_list_and_export_areas(client: TestClient) -> None:
    imported(client)
    page = client.get("/api/demining/areas", params={"limit": 1}).json()
    assert (page["total"], len(page["items"])) == (2, 1)
    assert page["items"][0]["geometry"]["type"] == "Polygon"
    assert page["items"][0]["nogo"]["type"] == "Polygon"
    kml = client.get("/api/demining/areas/export", params={"format": "kml"})
    assert kml.headers["content-type"].startswith("application/vnd.google-earth.kml+xml")
    assert kml.text.count("<Placemark>") == 3  # two areas, one no-go strip
    geojson = client.get("/api/demining/areas/export").json()
    assert geojson["marking"].startswith("NATO UNCLASSIFIED")


def test_a_bad_import_is_a_problem_list_by_feature_and_field(client: TestClient) -> None:
    bad = collection(area_feature("HA-1", land_use="moon"))
    answer = client.post(
        "/api/demining/areas/import", params={"format": "geojson"}, content=json.dumps(bad)
    )
    assert answer.status_code == 422
    (problem,) = answer.json()["problems"]
    assert (problem["row"], problem["field"]) == (0, "land_use")
    assert client.get("/api/demining/areas").json()["total"] == 0


def test_life_cycle_with_versions(client: TestClient) -> None:
    created = client.post("/api/demining/areas", json=area_feature("HA-1"))
    assert created.status_code == 201 and created.headers["ETag"] == '"1"'
    confirmed = client.post(
        "/api/demining/areas/HA-1/status", json={"status": "confirmed"}, headers={"If-Match": '"1"'}
    )
    assert confirmed.json()["kind"] == "cha" and confirmed.headers["ETag"] == '"2"'
    stale = client.patch(
        "/api/demining/areas/HA-1", json={"properties": {"people_affected": 5}, "version": 1}
    )
    assert stale.status_code == 412
    changed = client.patch(
        "/api/demining/areas/HA-1", json={"properties": {"people_affected": 5}, "version": 2}
    )
    assert changed.json()["people_affected"] == 5 and changed.json()["status"] == "confirmed"
    cleared = client.post(
        "/api/demining/areas/HA-1/release", json={"method": "cleared", "on": "2027-05-01"}
    )
    assert cleared.status_code == 409 and "reduced" in cleared.json()["detail"]
    reduced = client.post(
        "/api/demining/areas/HA-1/release", json={"method": "reduced", "on": "2027-05-01"}
    )
    assert reduced.json()["status"] == "released"


def test_rank_task_cover_progress_and_report(client: TestClient) -> None:
    imported(client)
    assert client.post("/api/demining/assets", json=MACHINE).status_code == 201
    ranked = client.post("/api/demining/rank", json={"weights": {"people": 10}}).json()
    assert ranked[0]["area_id"] == "HA-2" and set(ranked[0]["parts"]) >= {"people", "casualty_risk"}

    run = client.post(
        "/api/demining/tasking", json={"start": "2027-05-03", "weeks": 2, "time_limit_s": 3}
    )
    assert run.status_code == 201, run.text
    tasks = run.json()["tasks"]
    assert tasks and set(run.json()["by_asset_and_week"]["MV4-1"]) == {"1", "2"}
    assert client.get("/api/demining/tasking/latest").json()["id"] == run.json()["id"]
    body = {"start": "2027-05-03", "weeks": 2, "time_limit_s": 1, "repeatable": True}
    twice = [client.post("/api/demining/tasking", json=body).json()["tasks"] for _ in range(2)]
    fields = ("area_id", "asset_id", "first_day", "last_day")
    keys = [[tuple(t[f] for f in fields) for t in r] for r in twice]
    assert keys[0] and keys[0] == keys[1]

    plan = client.post(f"/api/demining/tasks/{tasks[0]['id']}/coverage")
    assert plan.status_code == 201, plan.text
    assert plan.json()["geojson"]["type"] == "FeatureCollection"
    layer = client.get("/api/map/demining").json()
    assert [c["id"] for c in layer["coverage"]] == [plan.json()["id"]]
    assert {f["properties"].get("status") for f in layer["areas"]["features"]} >= {"suspected"}

    lon, lat = IZIUM
    track = LineString([(lon - 90 / M_LON, lat + 80 / M_LAT), (lon + 90 / M_LON, lat + 80 / M_LAT)])
    progress = client.post(
        "/api/demining/areas/HA-1/progress",
        json={
            "on": "2027-05-04",
            "cleared": mapping(track),
            "asset_id": "MV4-1",
            "items": [{"kind": "ap-mine", "lon": lon, "lat": lat, "depth_cm": 5}],
            "samples": [{"sampled_m2": 100, "passed": True, "inspector": "QC lead"}],
        },
    )
    assert progress.status_code == 201, progress.text
    assert progress.json()["cleared_m2"] == pytest.approx(180 * 1.7, rel=0.03)
    report = client.get("/api/demining/areas/HA-1/release-report").json()
    assert report["items_found"] == {"ap-mine": 1} and report["qc_samples"] == 1
    assert report["status"] == "in-clearance" and report["start_date"] == "2027-05-04"
    detail = client.get("/api/demining/areas/HA-1").json()
    assert detail["release_report"]["area_id"] == "HA-1" and detail["progress"]


def test_pages_show_ranking_area_and_tasking(client: TestClient) -> None:
    imported(client)
    client.post("/api/demining/assets", json=MACHINE)
    client.post("/api/demining/tasking", json={"start": date(2027, 5, 3).isoformat(), "weeks": 1})
    ranking = client.get("/demining", params={"people": "10"})
    assert ranking.status_code == 200 and 'id="ranked"' in ranking.text
    assert ranking.text.index("HA-2") < ranking.text.index("HA-1")
    assert "x weight" in ranking.text  # the reasons show the parts
    area = client.get("/demining/areas/HA-1")
    assert area.status_code == 200 and "Land release report" in area.text
    tasking = client.get("/demining/tasking")
    assert "Week 1" in tasking.text and "MV4-1" in tasking.text


def test_the_api_needs_a_signed_in_user(runtime: Runtime) -> None:
    anonymous = TestClient(create_app(runtime))
    assert anonymous.get("/api/demining/areas").status_code == 401
