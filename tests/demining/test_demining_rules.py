"""Demining rules found missing in QA, each through the API as a user meets it.

Need-to-know on the records about an area (SQLite, PostgreSQL and row-level
security alone), markings above the user's clearance, land released as
cleared with ground left, invalid cleared polygons, implausible figures, ids
that cannot be opened, fields an update or import would ignore, and the
coverage command's bounds.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from dataclasses import replace as with_fields
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.demining.model import AssetKind, ClearanceAsset
from materiel.demining.planning_service import PLANNED_WEEK_HOURS, asset_spec
from materiel.demining.store import clearance_assets
from tests.access import reference
from tests.access.test_need_to_know import app_role_runtime, make_user
from tests.demining.support import IZIUM, area_feature, collection, square
from tests.demining.test_service import mv4

SECRET = 3
COORDINATOR = reference.User("co-secret", "NATO", frozenset({Role.COORDINATOR}), SECRET)
MINE_ACTION = reference.User("ma-ukr", "UKR", frozenset({Role.MINE_ACTION_PLANNER}), 1)
POLISH = reference.User("ma-pol", "POL", frozenset({Role.MINE_ACTION_PLANNER}), SECRET)
ELSEWHERE = (37.40, 49.30)
MACHINE = {
    "id": "MV4-1",
    "kind": "machine",
    "name": "DOK-ING MV-4",
    "tool_width_m": 1.7,
    "turn_radius_m": 3,
    "speed_kmh": 2,
    "work_rates": {"default": 900},
    "base": "37.25,49.20",
}
BOW_TIE = [[37.11, 49.6], [37.113, 49.602], [37.113, 49.6], [37.11, 49.602], [37.11, 49.6]]


def client_as(app: Runtime, user: reference.User, owner: Runtime | None = None) -> TestClient:
    """A client of `app` signed in as `user` (created through `owner`, the tables' owner)."""
    client = TestClient(create_app(app))
    client.headers["Authorization"] = f"Bearer {make_user(owner or app, user)}"
    return client


def ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


# --- 1. records about a hidden area ------------------------------------------------------


def secret_world(app: Runtime, owner: Runtime) -> tuple[TestClient, TestClient, int]:
    """A coordinator's SECRET area with a coverage plan, progress and a tasking run."""
    co, ma = client_as(app, COORDINATOR, owner), client_as(app, MINE_ACTION, owner)
    ok(co.post("/api/demining/areas", json=area_feature("HA-OPEN")), 201)
    secret = area_feature("QA-SECRET", at=ELSEWHERE, classification="NATO SECRET")
    ok(co.post("/api/demining/areas", json=secret), 201)
    ok(co.post("/api/demining/assets", json=MACHINE), 201)
    plan = ok(co.post("/api/demining/areas/QA-SECRET/coverage", json={"asset_id": "MV4-1"}), 201)
    lon, lat = ELSEWHERE
    ring = square(lon, lat, 30)
    strip = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    progress = {
        "on": "2027-05-04",
        "cleared": strip,
        "items": [{"kind": "at-mine", "lon": lon, "lat": lat, "depth_cm": 12}],
        "samples": [{"sampled_m2": 100, "passed": True, "inspector": "QC"}],
    }
    ok(co.post("/api/demining/areas/QA-SECRET/progress", json=progress), 201)
    body = {"start": "2027-05-03", "weeks": 2, "time_limit_s": 1, "repeatable": True}
    ok(co.post("/api/demining/tasking", json=body), 201)
    return co, ma, plan["id"]


def check_hidden_area(app: Runtime, owner: Runtime) -> None:
    co, ma, plan_id = secret_world(app, owner)
    assert ma.get("/api/demining/areas/QA-SECRET").status_code == 404
    assert ma.get(f"/api/demining/coverage/{plan_id}").status_code == 404
    layer = ok(ma.get("/api/map/demining"))
    assert "QA-SECRET" not in json.dumps(layer)
    latest = ok(ma.get("/api/demining/tasking/latest"))
    assert "QA-SECRET" not in json.dumps(latest)
    assert [a["area"] for a in latest["objective"]["areas"]] == ["HA-OPEN"]
    assert latest["objective"]["weighted_released"] is None
    assert "bound" not in latest["solver"]
    page = ma.get("/demining/tasking", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "QA-SECRET" not in page.text
    # the coordinator, cleared for it, sees all of it
    full = ok(co.get("/api/demining/tasking/latest"))
    assert "QA-SECRET" in {a["area"] for a in full["objective"]["areas"]}
    assert full["objective"]["weighted_released"] is not None
    assert ok(co.get(f"/api/demining/coverage/{plan_id}"))["area_id"] == "QA-SECRET"
    detail = ok(co.get("/api/demining/areas/QA-SECRET"))
    assert detail["progress"] and detail["items_found"] and detail["quality_samples"]
    report_id = detail["progress"][0]["id"]
    assert ma.get(f"/api/audit/progress_report/{report_id}").status_code == 404


def test_records_about_a_hidden_area_are_hidden_with_it(runtime: Runtime) -> None:
    check_hidden_area(runtime, runtime)


@pytest.mark.postgres
def test_records_about_a_hidden_area_under_row_level_security_alone(postgres_url: str) -> None:
    with app_role_runtime(postgres_url) as (app, owner):
        check_hidden_area(app, owner)


# --- 2. markings above the user's clearance ----------------------------------------------


def test_a_user_cannot_mark_an_area_above_their_clearance(runtime: Runtime) -> None:
    ma = client_as(runtime, MINE_ACTION)
    refused = ma.post("/api/demining/areas", json=area_feature("HA-S", classification="SECRET"))
    assert refused.status_code == 422 and "above their clearance" in refused.text
    polish = client_as(runtime, POLISH)
    partner_only = area_feature("HA-D", releasable_to=["UKR"])
    refused = polish.post("/api/demining/areas", json=partner_only)
    assert refused.status_code == 422 and "leaves out their own nation" in refused.text
    ok(ma.post("/api/demining/areas", json=area_feature("HA-1")), 201)
    patch = {"properties": {"classification": "NATO SECRET"}, "version": 1}
    refused = ma.patch("/api/demining/areas/HA-1", json=patch)
    assert refused.status_code == 422 and "above their clearance" in refused.text
    doc = collection(area_feature("HA-2", classification="NATO SECRET"))
    refused = ma.post("/api/demining/areas/import?format=geojson", content=json.dumps(doc))
    assert refused.status_code == 422 and "above their clearance" in refused.text
    assert ok(ma.get("/api/demining/areas/HA-1"))["classification"] == "NATO UNCLASSIFIED"


# --- 3. land release -------------------------------------------------------------------


def cleared_ground(half_m: float) -> dict[str, Any]:
    ring = square(*IZIUM, half_m)
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


def test_clearance_release_needs_the_ground_cleared_and_sane_dates(runtime: Runtime) -> None:
    ma = client_as(runtime, MINE_ACTION)
    ok(ma.post("/api/demining/areas", json=area_feature("HA-1")), 201)
    early = {"on": "1900-01-01", "cleared": cleared_ground(50)}
    assert ma.post("/api/demining/areas/HA-1/progress", json=early).status_code == 422
    part = {"on": "2027-05-01", "cleared": cleared_ground(50)}
    ok(ma.post("/api/demining/areas/HA-1/progress", json=part), 201)
    release = {"method": "cleared", "on": "2027-05-02"}
    refused = ma.post("/api/demining/areas/HA-1/release", json=release)
    assert refused.status_code == 409 and "not reported cleared" in refused.text
    assert "at most" in refused.text  # the tolerance is stated
    rest = {"on": "2027-05-03", "cleared": cleared_ground(120)}
    ok(ma.post("/api/demining/areas/HA-1/progress", json=rest), 201)
    before = ma.post("/api/demining/areas/HA-1/release", json=release)
    assert before.status_code == 422 and "before the last progress report" in before.text
    far = ma.post(
        "/api/demining/areas/HA-1/release", json={"method": "cleared", "on": "2099-01-01"}
    )
    assert far.status_code == 422 and "outside" in far.text
    done = ok(ma.post("/api/demining/areas/HA-1/release", json={**release, "on": "2027-05-03"}))
    assert done["status"] == "released"
    report = ok(ma.get("/api/demining/areas/HA-1/release-report"))
    assert report["remaining_m2"] <= 100 and report["start_date"] == "2027-05-01"


# --- 4. invalid cleared polygons ---------------------------------------------------------


def test_an_invalid_cleared_polygon_is_refused_not_cut(runtime: Runtime) -> None:
    ma = client_as(runtime, MINE_ACTION)
    feature = area_feature("HA-BT", at=(37.1115, 49.601))
    ok(ma.post("/api/demining/areas", json=feature), 201)
    bow = {"on": "2027-05-01", "cleared": {"type": "Polygon", "coordinates": [BOW_TIE]}}
    refused = ma.post("/api/demining/areas/HA-BT/progress", json=bow)
    assert refused.status_code == 422 and "outer ring crosses itself" in refused.text
    flat = [[37.11, 49.6], [37.112, 49.6], [37.113, 49.6], [37.11, 49.6]]
    zero = {"on": "2027-05-01", "cleared": {"type": "Polygon", "coordinates": [flat]}}
    refused = ma.post("/api/demining/areas/HA-BT/progress", json=zero)
    assert refused.status_code == 422 and "has no area" in refused.text
    shaped = {**area_feature("HA-Z"), "geometry": {"type": "Polygon", "coordinates": [flat]}}
    refused = ma.post("/api/demining/areas", json=shaped)
    assert refused.status_code == 422 and "has no area" in refused.text
    assert ok(ma.get("/api/demining/areas/HA-BT"))["status"] == "suspected"


# --- 5. assets and a tasking run that cannot crash on them -------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"work_rates": {"default": math.nan}},
        {"work_rates": {"default": math.inf}},
        {"work_rates": {"default": -5}},
        {"work_rates": {"default": 1e12}},
        {"tool_width_m": 1e9},
        {"speed_kmh": math.inf},
        {"id": ""},
        {"id": "  "},
        {"base": "500,500"},
        {"base": "abc"},
    ],
)
def test_implausible_asset_figures_are_refused(runtime: Runtime, change: dict[str, Any]) -> None:
    ma = client_as(runtime, MINE_ACTION)
    body = json.dumps({**MACHINE, **change}, allow_nan=True)
    answer = ma.post(
        "/api/demining/assets", content=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422, answer.text
    assert ma.get("/api/demining/assets").json() == []


def test_tasking_leaves_out_an_asset_it_cannot_use(runtime: Runtime) -> None:
    ma = client_as(runtime, MINE_ACTION)
    ok(ma.post("/api/demining/areas", json=area_feature("HA-1")), 201)
    ok(ma.post("/api/demining/assets", json=MACHINE), 201)
    broken = ClearanceAsset("OLD-1", AssetKind.MACHINE, "old", None, None, None, 1.7, 3, 2)
    with runtime.engine.begin() as connection:  # stored before figures were checked
        row = {c.name: getattr(broken, c.name, None) for c in clearance_assets.columns}
        connection.execute(
            clearance_assets.insert(), {**row, "work_rates": {"default": None}, "version": 1}
        )
    body = {"start": "2027-05-03", "weeks": 1, "time_limit_s": 1, "repeatable": True}
    run = ok(ma.post("/api/demining/tasking", json=body), 201)
    (skipped,) = run["objective"]["assets_skipped"]
    assert skipped["asset"] == "OLD-1" and "work rate" in skipped["reason"]


# --- 6. ids --------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["QA/../x y", "a\u200bb", "x" * 81, "tab\there"])
def test_an_area_id_that_cannot_be_opened_is_refused(runtime: Runtime, bad: str) -> None:
    ma = client_as(runtime, MINE_ACTION)
    refused = ma.post("/api/demining/areas", json=area_feature(bad))
    assert refused.status_code == 422, refused.text
    assert ok(ma.get("/api/demining/areas"))["total"] == 0


def test_area_links_are_url_encoded(runtime: Runtime) -> None:
    ma = client_as(runtime, MINE_ACTION)
    ok(ma.post("/api/demining/areas", json=area_feature("HA 1#x")), 201)
    page = ma.get("/demining", headers={"Accept": "text/html"}).text
    assert 'href="/demining/areas/HA%201%23x"' in page
    assert ma.get("/demining/areas/HA%201%23x", headers={"Accept": "text/html"}).status_code == 200


# --- 7. implausible values ------------------------------------------------------------


def test_implausible_values_are_refused(runtime: Runtime) -> None:
    ma = client_as(runtime, MINE_ACTION)
    wild = area_feature("HA-E", evidence=[{"kind": "device", "description": "x", "lon": 500}])
    answer = ma.post("/api/demining/areas", json=wild)
    assert answer.status_code == 422 and "WGS84" in answer.text
    long_name = ma.post("/api/demining/areas", json=area_feature("HA-N", name="n" * 100_000))
    assert long_name.status_code == 422 and "at most 200" in long_name.text
    ok(ma.post("/api/demining/areas", json=area_feature("HA-1")), 201)
    lon, lat = IZIUM
    cleared = cleared_ground(20)
    cases = [
        ({"kind": "at-mine", "lon": 10, "lat": 10, "depth_cm": 5}, "from hazard area"),
        ({"kind": "at-mine", "lon": lon, "lat": lat, "depth_cm": 5000}, "deeper than"),
    ]
    for item, words in cases:
        body = {"on": "2027-05-01", "cleared": cleared, "items": [item]}
        answer = ma.post("/api/demining/areas/HA-1/progress", json=body)
        assert answer.status_code == 422 and words in answer.text, answer.text
    sample = {"sampled_m2": 1e9, "passed": True, "inspector": "QC"}
    body = {"on": "2027-05-01", "cleared": cleared, "samples": [sample]}
    answer = ma.post("/api/demining/areas/HA-1/progress", json=body)
    assert answer.status_code == 422 and "more than hazard area" in answer.text
    assert ok(ma.get("/api/demining/areas/HA-1"))["progress"] == []


# --- 8. the coverage command ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("width", "radius"), [("inf", "3"), ("2.5", "inf"), ("1e9", "3"), ("2.5", "1e6")]
)
def test_cover_refuses_unbounded_options(tmp_path: Path, width: str, radius: str) -> None:
    lon, lat = IZIUM
    ring = square(lon, lat, 50)
    area = {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}
    path = tmp_path / "ok.geojson"
    path.write_text(json.dumps({"type": "Feature", "properties": {}, "geometry": area}))
    args = ["demining", "cover", "--area", str(path), "--width", width]
    args += ["--turn-radius", radius, "--out", str(tmp_path / "x.geojson")]
    run = [sys.executable, "-c", "from materiel.cli import main; main()", *args]
    result = subprocess.run(run, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 65, result.stderr
    assert "at most" in result.stderr and "Traceback" not in result.stderr


# --- 9. fields an update or an import would ignore -----------------------------------------


def test_update_and_import_refuse_what_they_cannot_change(runtime: Runtime) -> None:
    ma = client_as(runtime, MINE_ACTION)
    ok(ma.post("/api/demining/areas", json=area_feature("HA-1")), 201)
    for props, words in (({"status": "released"}, "/release"), ({"id": "HA-9"}, "never changes")):
        answer = ma.patch("/api/demining/areas/HA-1", json={"properties": props, "version": 1})
        assert answer.status_code == 422 and words in answer.text, answer.text
    renamed = {"properties": {"name": "north field", "status": "suspected"}, "version": 1}
    assert ok(ma.patch("/api/demining/areas/HA-1", json=renamed))["name"] == "north field"
    doc = collection(area_feature("HA-1", status="confirmed"))
    answer = ma.post("/api/demining/areas/import?format=geojson", content=json.dumps(doc))
    assert answer.status_code == 422 and "/status" in answer.text
    assert ok(ma.get("/api/demining/areas/HA-1"))["status"] == "suspected"


@pytest.mark.parametrize(
    ("hours", "share"), [(60.0, 1.0), (40.0, 40 / 60), (30.0, 0.5), (80.0, 1.0)]
)
def test_an_asset_clears_in_a_planned_week_what_its_hours_allow(hours: float, share: float) -> None:
    """The planner's week is Monday to Saturday, 10 h a day: 60 h. A machine rated for 40 h a
    week clears two thirds of its hourly rate in each planned hour; one rated above, no more."""
    assert PLANNED_WEEK_HOURS == 60
    spec = asset_spec(with_fields(mv4(), hours_per_week=hours), date(2027, 3, 1), 4)
    assert spec.rates == pytest.approx({"default": 900.0 * share, "forest": 300.0 * share})
