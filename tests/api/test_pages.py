"""Server-rendered pages through the real app (no browser): content, forms, banners."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.donations import plan_service
from materiel.donations.service import import_pledges, import_requirements
from tests.auth import signed_in_client
from tests.donations.test_plans import PLEDGES, REQUIREMENTS
from tests.factories import load_reference_data, write_csv


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    load_reference_data(runtime)
    import_requirements(("requirements", REQUIREMENTS), runtime.uow("t"))
    import_pledges(("pledges", PLEDGES), runtime.uow("t"))
    return signed_in_client(runtime)


def test_every_main_page_renders(client: TestClient, runtime: Runtime) -> None:
    plan = plan_service.run_allocation(runtime.uow("t"), time_limit_s=5)
    for path in ("/", "/requirements", "/pledges", "/catalogue", "/catalogue/pzh-2000",
                 "/plans", f"/plans/{plan.id}", "/map", "/imports", "/requirements/R-1",
                 "/pledges/P-1", "/requirements/new", "/pledges/new"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200, path
        assert "NATO UNCLASSIFIED // REL TO UKR, NATO" in response.text, path


def test_lists_filter_sort_and_page(client: TestClient) -> None:
    text = client.get("/requirements", params={"priority": 1}).text
    assert "R-1" in text and "R-2" not in text
    page = client.get("/requirements", params={"sort": "quantity", "dir": "desc", "size": 25}).text
    assert page.index("R-1") < page.index("R-2") < page.index("R-3")  # 4, 3, 2 units
    assert "1–3 of 3" in page


def test_form_errors_are_shown_beside_their_field(client: TestClient) -> None:
    response = client.post(
        "/requirements/R-1", data={"quantity": "0", "version": "1", "priority": "1"}
    )
    assert response.status_code == 422
    assert 'id="e-quantity"' in response.text and "at least 1 unit" in response.text
    saved = client.post("/requirements/R-1", data={"quantity": "5", "version": "1"})
    assert saved.status_code == 200 and "Saved." in saved.text
    stale = client.post("/requirements/R-1", data={"quantity": "6", "version": "1"})
    assert stale.status_code == 422 and "reload it" in stale.text


def test_a_restricted_record_raises_the_banner(client: TestClient, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "p.csv",
        [
            ["ref", "donor", "item", "qty", "classification"],
            ["P-9", "DEU", "caesar", 1, "restricted"],
        ],
    )
    import_pledges(path, client.app.state.runtime.uow("t"))  # type: ignore[attr-defined]
    text = client.get("/pledges/P-9").text
    assert text.count("NATO RESTRICTED // REL TO UKR, NATO") == 2


def test_upload_preview_then_confirm(client: TestClient, tmp_path: Path) -> None:
    bad = write_csv(
        tmp_path / "offers.csv",
        [["donor", "item", "qty"], ["DEU", "caesar", 2], ["Atlantis", "caesar", 1]],
    )
    with bad.open("rb") as handle:
        preview = client.post(
            "/imports/preview", data={"kind": "pledges"}, files={"file": ("offers.csv", handle)}
        )
    assert preview.status_code == 200, preview.text[preview.text.find("alert") :][:300]
    assert "Atlantis" in preview.text and "Import the 1 good rows, skip 1" in preview.text
    token = preview.text.split('name="token" value="')[1].split('"')[0]
    assert (
        client.get("/pledges", params={"q": "PLG-"}).text.count("caesar") == 0
    )  # nothing saved yet
    done = client.post(
        "/imports/confirm", data={"kind": "pledges", "token": token, "partial": "yes"}
    )
    assert "1 new" in done.text
    again = client.post("/imports/confirm", data={"kind": "pledges", "token": token})
    assert again.status_code == 422 and "upload it again" in again.text


def test_plan_page_pin_forbid_and_accept(client: TestClient, runtime: Runtime) -> None:
    plan = plan_service.run_allocation(runtime.uow("t"), time_limit_s=5)
    forbid = client.post(
        f"/plans/{plan.id}/rules",
        data={"kind": "forbid", "pledge": "P-1", "requirement": "R-1", "quantity": "0"},
    )
    assert "forbidden" in forbid.text
    accepted = client.post(f"/plans/{plan.id}/accept", data={"version": "1"})
    assert "Plan accepted." in accepted.text
    data = client.get("/api/map").json()
    assert any(link["units"] > 0 for link in data["links"])
    assert {node["kind"] for node in data["nodes"]} >= {"depot", "hub"}


def test_catalogue_create_and_edit_with_field_errors(client: TestClient) -> None:
    bad = client.post(
        "/catalogue/new",
        data={"id": "gepard", "name": "Gepard", "category": "Air defence > SPAAG",
              "family": "spaag", "capability_area": "iamd", "nsn": "12345"},
    )  # fmt: skip
    assert bad.status_code == 422 and 'id="e-nsn"' in bad.text
    made = client.post(
        "/catalogue/new",
        data={"id": "gepard", "name": "Gepard", "category": "Air defence > SPAAG",
              "family": "spaag", "capability_area": "iamd", "calibre": "35mm"},
    )  # fmt: skip
    assert made.status_code == 200 and "Saved." in made.text
    edited = client.post(
        "/catalogue/gepard",
        data={"crew_size": "3", "version": "1", "category": "air-defence/spaag"},
    )
    assert "Saved." in edited.text
    assert "crew_size: None → 3" in client.get("/catalogue/gepard").text
    assert "Gepard" in client.get("/catalogue", params={"sort": "name", "dir": "desc"}).text


def test_errors_met_while_browsing_are_pages(runtime: Runtime, client: TestClient) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    missing = client.get("/pledges/P-404", headers=browser)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "P-404" in missing.text and "Back to the overview" in missing.text
    assert "NATO UNCLASSIFIED" in missing.text  # in the layout, banner and all
    nowhere = client.get("/nowhere", headers=browser)
    assert nowhere.status_code == 404 and nowhere.headers["content-type"].startswith("text/html")
    # An action on a record the user may not see: the refusal says why, as a page.
    plan = plan_service.run_allocation(runtime.uow("t"), time_limit_s=5)
    liaison = signed_in_client(runtime, Role.DONOR_LIAISON, "DEU")
    refused = liaison.post(f"/plans/{plan.id}/accept", headers=browser)
    assert refused.status_code == 404
    assert refused.headers["content-type"].startswith("text/html")
    assert f"plan {plan.id} does not exist" in refused.text
    # The API, and clients that do not ask for HTML, still get problem details.
    api = client.get("/api/pledges/P-404", headers=browser)
    assert api.headers["content-type"] == "application/problem+json"
    assert client.get("/pledges/P-404").headers["content-type"] == "application/problem+json"
