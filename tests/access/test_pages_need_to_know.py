"""The web pages answer through the same policy as the API: lists, details, forms, counts."""

from __future__ import annotations

import pytest

from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.demining import service as demining
from materiel.donations import service
from tests.auth import signed_in_client
from tests.demining.support import area_feature
from tests.factories import load_reference_data

PLEDGE = {"item_type": "pzh-2000", "quantity": 2, "condition": "new"}


@pytest.fixture
def pledges(runtime: Runtime) -> None:
    load_reference_data(runtime)
    service.create_pledge({**PLEDGE, "ref": "DEU-1", "donor": "DEU"}, runtime.uow("test"))
    service.create_pledge({**PLEDGE, "ref": "POL-1", "donor": "POL"}, runtime.uow("test"))
    service.create_pledge(
        {**PLEDGE, "ref": "POL-SHARED", "donor": "POL", "shared": "yes"}, runtime.uow("test")
    )


@pytest.mark.usefixtures("pledges")
def test_a_donor_liaison_sees_own_and_shared_pledges_only(runtime: Runtime) -> None:
    client = signed_in_client(runtime, Role.DONOR_LIAISON, "DEU")
    listing = client.get("/pledges").text
    assert "DEU-1" in listing and "POL-SHARED" in listing
    assert "POL-1" not in listing
    assert client.get("/pledges/POL-1").status_code == 404
    assert client.get("/pledges/DEU-1").status_code == 200
    summary = client.get("/api/summary").json()
    assert (summary["pledges"], summary["donors"]) == (2, 2)


@pytest.mark.usefixtures("pledges")
def test_seen_but_not_changeable_is_403_and_nothing_changes(runtime: Runtime) -> None:
    client = signed_in_client(runtime, Role.DONOR_LIAISON, "DEU")
    refused = client.patch("/api/pledges/POL-SHARED", json={"quantity": 9})
    assert refused.status_code == 403, refused.text
    assert "may not change" in refused.json()["detail"]
    assert client.get("/api/pledges/POL-SHARED").json()["quantity"] == 2
    moved = client.post("/api/pledges", json={**PLEDGE, "ref": "X-1", "donor": "POL"})
    assert moved.status_code == 403, "a liaison cannot pledge in another nation's name"


@pytest.mark.usefixtures("pledges")
def test_an_auditor_reads_everything_and_writes_nothing(runtime: Runtime) -> None:
    client = signed_in_client(runtime, Role.AUDITOR, "NATO")
    assert client.get("/api/pledges").json()["total"] == 3
    assert client.patch("/api/pledges/DEU-1", json={"quantity": 1}).status_code == 403
    assert client.get("/api/audit/pledge/DEU-1").status_code == 200


def test_hazard_areas_follow_their_releasability_and_roles(runtime: Runtime) -> None:
    features = (
        area_feature("HA-OPEN"),
        area_feature("HA-NATO", at=(37.3, 49.2), releasable_to="NATO"),
        area_feature("HA-UKR", at=(37.4, 49.3), releasable_to="UKR"),
    )
    for feature in features:
        demining.create_area(feature, runtime.uow("test"))
    everything = {"HA-OPEN", "HA-NATO", "HA-UKR"}
    expected = {
        (Role.MINE_ACTION_PLANNER, "UKR"): everything,
        (Role.MINE_ACTION_PLANNER, "POL"): {"HA-OPEN", "HA-NATO"},
        (Role.MINE_ACTION_PLANNER, "AUS"): set(),
        (Role.COORDINATOR, "NATO"): {"HA-OPEN", "HA-NATO"},
        (Role.DONOR_LIAISON, "UKR"): set(),
    }
    for (role, nation), seen in expected.items():
        client = signed_in_client(runtime, role, nation)
        listed = client.get("/api/demining/areas").json()
        assert {a["id"] for a in listed["items"]} == seen, (role, nation)
        assert listed["total"] == len(seen)
        for area_id in everything:
            status = client.get(f"/api/demining/areas/{area_id}").status_code
            assert status == (200 if area_id in seen else 404), (role, nation, area_id)


def test_forms_are_offered_only_where_the_user_may_change_the_record(runtime: Runtime) -> None:
    """A DEU liaison edits DEU's pledges; not another nation's shared one, nor requirements."""
    load_reference_data(runtime)
    base = {"item_type": "pzh-2000", "quantity": "2", "origin": "unterluss"}
    rows = [{**base, "ref": "DEU-9", "donor": "DEU"}, {**base, "ref": "POL-9", "donor": "POL",
             "shared": "yes"}]  # fmt: skip
    service.import_pledges(("pledges", rows), runtime.uow("t"))
    need = {"ref": "R-9", "item_type": "pzh-2000", "quantity": "1", "priority": "1",
            "needed_by": "2027-06-01", "unit": "47th Brigade", "destination": "lviv"}  # fmt: skip
    service.import_requirements(("requirements", [need]), runtime.uow("t"))
    client = signed_in_client(runtime, Role.DONOR_LIAISON, "DEU")
    for path, editable in (("/pledges/DEU-9", True), ("/pledges/POL-9", False),
                           ("/requirements/R-9", False)):  # fmt: skip
        page = client.get(path)
        assert page.status_code == 200, path
        assert ("Save changes" in page.text) is editable, path
        assert ('id="not-yours"' in page.text) is not editable, path
