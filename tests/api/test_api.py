"""The HTTP API with its real app, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from materiel.bootstrap import Runtime
from tests.auth import signed_in_client
from tests.factories import load_reference_data, write_csv

REQUIREMENT = {
    "ref": "REQ-1",
    "item_type": "pzh-2000",
    "accepts": ["caesar"],
    "quantity": 6,
    "priority": 1,
    "needed_by": "2027-03-01",
    "unit": "47th Mechanized Brigade",
    "destination": "lviv",
}


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    load_reference_data(runtime)
    return signed_in_client(runtime)


def test_create_read_and_list_with_filters(client: TestClient) -> None:
    created = client.post("/api/requirements", json=REQUIREMENT)
    assert created.status_code == 201, created.text
    assert created.headers["ETag"] == '"1"'
    body = client.get("/api/requirements/REQ-1").json()
    assert body["accepts"] == ["caesar"]
    assert body["marking"] == "NATO UNCLASSIFIED // REL TO UKR, NATO"
    listed = client.get("/api/requirements", params={"priority": 1, "limit": 10}).json()
    assert (listed["total"], listed["items"][0]["id"]) == (1, "REQ-1")
    assert client.get("/api/requirements", params={"priority": 2}).json()["total"] == 0


def test_errors_are_problem_details_naming_the_field(client: TestClient) -> None:
    response = client.post("/api/requirements", json={**REQUIREMENT, "item_type": "gepard"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["title"] == "Invalid input"
    assert problem["problems"][0]["field"] == "item_type"
    missing = client.get("/api/pledges/nope")
    assert (missing.status_code, missing.json()["status"]) == (404, 404)


def test_a_stale_update_is_refused_and_nothing_is_lost(client: TestClient) -> None:
    client.post("/api/requirements", json=REQUIREMENT)
    first = client.patch(
        "/api/requirements/REQ-1", json={"quantity": 8}, headers={"If-Match": '"1"'}
    )
    assert first.status_code == 200, first.text
    assert first.headers["ETag"] == '"2"'
    stale = client.patch("/api/requirements/REQ-1", json={"quantity": 9, "version": 1})
    assert stale.status_code == 412
    assert client.get("/api/requirements/REQ-1").json()["quantity"] == 8


def test_invalid_status_transition_is_a_conflict(client: TestClient) -> None:
    client.post(
        "/api/pledges",
        json={"ref": "P-1", "donor": "Germany", "item_type": "PzH 2000", "quantity": 2},
    )
    refused = client.post("/api/pledges/P-1/status", json={"status": "delivered"})
    assert refused.status_code == 409
    assert "allowed next" in refused.json()["detail"]
    accepted = client.post("/api/pledges/P-1/status", json={"status": "accepted", "version": 1})
    assert accepted.json()["status"] == "accepted"
    audit = client.get("/api/audit/pledge/P-1").json()
    assert [entry["action"] for entry in audit] == ["create", "status"]


def test_upload_import_reports_rejected_rows_then_export(
    client: TestClient, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "offers.csv",
        [["donor", "item", "qty"], ["DEU", "PzH 2000", 3], ["Atlantis", "PzH 2000", 1]],
    )
    with path.open("rb") as handle:
        refused = client.post("/api/imports/pledges", files={"file": ("offers.csv", handle)})
    assert refused.status_code == 422
    assert refused.json()["problems"][0] == {
        "message": refused.json()["problems"][0]["message"],
        "file": "offers.csv",
        "row": 3,
        "field": "donor",
    }
    with path.open("rb") as handle:
        partial = client.post(
            "/api/imports/pledges", params={"partial": True}, files={"file": ("offers.csv", handle)}
        )
    assert partial.json()["created"] == 1
    exported = client.get("/api/exports/pledges", params={"format": "csv"})
    assert exported.status_code == 200
    assert exported.headers["X-Marking"] == "NATO UNCLASSIFIED // REL TO UKR, NATO"
    assert exported.text.splitlines()[0].strip('"') == "NATO UNCLASSIFIED // REL TO UKR, NATO"


def test_summary_and_openapi(client: TestClient) -> None:
    client.post("/api/requirements", json=REQUIREMENT)
    summary = client.get("/api/summary").json()
    assert summary["units_unmet_by_priority"]["1"] == 6
    assert "/api/requirements" in client.get("/openapi.json").json()["paths"]


def test_api_docs_load_nothing_from_the_internet(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200, page.text
    assert "http://" not in page.text.replace("http://127.0.0.1", "")
    assert "https://" not in page.text
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_an_explicit_null_clears_an_optional_field(client: TestClient) -> None:
    client.post("/api/requirements", json={**REQUIREMENT, "justification": "counter-battery"})
    cleared = client.patch("/api/requirements/REQ-1", json={"justification": None, "version": 1})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["justification"] is None
    refused = client.patch("/api/requirements/REQ-1", json={"unit": None, "version": 2})
    assert refused.status_code == 422
    assert refused.json()["problems"][0]["field"] == "unit"


@pytest.mark.parametrize(
    "path",
    [
        "/api/plans/99999999999999999999",
        "/api/jobs/99999999999999999999",
        "/pledges?offset=9223372036854775808",
        "/requirements?priority=99999999999999999999",
    ],
)
def test_a_number_past_any_integer_is_refused_not_a_crash(runtime: Runtime, path: str) -> None:
    client = signed_in_client(runtime)
    answer = client.get(path)
    assert answer.status_code in (404, 422), (path, answer.status_code, answer.text[:300])
