"""The map's data and page carry the banner of what they show, and closed nodes say so."""

from __future__ import annotations

from fastapi.testclient import TestClient

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.markings import Classification, Marking
from materiel.logistics import service
from materiel.logistics.model import DisruptionKind
from tests.access.test_donor_transfers import planned_world
from tests.access.test_need_to_know import make_user
from tests.access.test_plan_figures_as_seen import FULL, PARTIAL
from tests.logistics.test_transfers import TODAY

SECRET_DEU = Marking(Classification.NATO_SECRET, ("DEU",)).banner


def test_the_map_is_marked_as_what_it_shows_and_shows_closed_nodes(runtime: Runtime) -> None:
    planned_world(runtime)
    service.add_disruption(
        DisruptionKind.NODE_CLOSED,
        "rzeszow",
        from_date=TODAY,
        capacity=None,
        note="runway repairs",
        uow=runtime.uow("chief"),
    )
    client = TestClient(create_app(runtime))
    for user, banner_is_secret in ((FULL, True), (PARTIAL[0], False)):
        client.headers["Authorization"] = f"Bearer {make_user(runtime, user)}"
        data = client.get("/api/map").json()
        assert (data["marking"] == SECRET_DEU) is banner_is_secret, user
        page = client.get("/map", headers={"Accept": "text/html"}).text
        assert page.count(data["marking"]) == 2, user  # the banners, top and bottom
        closed = {n["id"]: n["closed_from"] for n in data["nodes"] if n["closed_from"]}
        assert closed == {"rzeszow": TODAY.isoformat()}
