"""The map reads sums, and the demining layer the newest coverage plans' summaries.

Through the real API (SQLite and PostgreSQL), for readers who see all, part
or none of the accepted plan: `/api/map` and the `/map` page give the link
loads, shipments under way and banner that the rule as first written gives
(every line of the accepted plan whose pledge and requirement the reader
sees, read whole), without loading a single plan line, pledge or
requirement; the demining layer lists each area's newest coverage plan the
reader sees, without its path, which `/api/demining/coverage/{id}` gives
unchanged. Checked by what each request hydrates and sends, never by timing.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from fastapi.testclient import TestClient

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.markings import most_restrictive
from materiel.core.principal import Role
from materiel.demining.model import CoveragePlanRecord
from materiel.donations.model import Pledge, Requirement
from materiel.donations.plan_model import PlannedAllocation
from materiel.donations.plan_store import PlanStore
from materiel.donations.store import DonationsStore
from materiel.logistics import service
from materiel.logistics.model import MOVING, Shipment
from materiel.network.service import Flow, link_loads
from materiel.platform.unit_of_work import UnitOfWork
from tests.access import reference
from tests.access.test_donor_transfers import planned_world
from tests.api.test_plans_and_shipments_paged import SECRET, as_reader, ok
from tests.counting import hydrated, statements
from tests.demining.support import area_feature

LISTED = ("id", "area_id", "asset_id", "task_id", "created_at", "summary")
READERS = (
    reference.User("deu-coordinator", "DEU", frozenset({Role.COORDINATOR}), SECRET),
    reference.User("coordinator-r", "NATO", frozenset({Role.COORDINATOR}), 1),
    reference.User("ukr-logistics", "UKR", frozenset({Role.PARTNER_LOGISTICS}), 1),
    reference.User("deu-liaison", "DEU", frozenset({Role.DONOR_LIAISON}), SECRET),
    reference.User("hub-operator", "POL", frozenset({Role.NODE_OPERATOR}), 0),
    reference.User("ma-ukr", "UKR", frozenset({Role.MINE_ACTION_PLANNER}), 1),
)


def map_as_first_written(uow: UnitOfWork) -> dict[str, Any]:
    """Link loads, shipments under way and banner from every record the reader sees."""
    with uow:
        plans, store = PlanStore(uow.session), DonationsStore(uow.session)
        accepted = plans.accepted()
        lines = plans.allocations(accepted.id or 0) if accepted else []
        pledges = {p.id: p for p in store.all_pledges()}
        needs = {r.id: r for r in store.all_requirements()}
    flows = [
        Flow(origin, needs[a.requirement].destination, a.quantity, a.marking)
        for a in lines
        if a.pledge in pledges
        and (origin := pledges[a.pledge].origin) is not None
        and a.requirement in needs
    ]
    moving = [s for s in service.list_shipments(uow) if s.status in MOVING]
    _, loads = link_loads(flows, uow)
    marking = most_restrictive([*(f.marking for f in flows), *(s.marking for s in moving)])
    return {
        "links": {load.link.id: load.units for load in loads},
        "shipments": [s.id for s in moving],
        "marking": marking.banner,
    }


def test_the_map_sums_in_the_database_what_each_reader_sees(runtime: Runtime) -> None:
    planned_world(runtime)
    for shipment in service.list_shipments(runtime.uow())[:2]:
        service.dispatch(shipment.id, None, None, runtime.uow("depot"))
    client = TestClient(create_app(runtime))
    seen_lines = 0
    for user in READERS:
        uow = as_reader(client, runtime, user)
        expected = map_as_first_written(uow)
        models = (PlannedAllocation, Pledge, Requirement, Shipment)
        with hydrated(*models) as loaded:
            data = ok(client.get("/api/map"))
            page = client.get("/map", headers={"Accept": "text/html"})
        assert {link["id"]: link["units"] for link in data["links"]} == expected["links"], user
        assert [s["id"] for s in data["shipments"]] == expected["shipments"], user
        assert data["marking"] == expected["marking"], user
        assert page.status_code == 200 and page.text.count(expected["marking"]) == 2, user
        moving = len(expected["shipments"])
        # Only the shipments under way are built, for the data and for the page.
        assert loaded == Counter({"Shipment": 2 * moving}), user
        seen_lines += sum(expected["links"].values())
    assert seen_lines  # some reader sees planned flows: the comparison is not of nothing


def test_the_demining_layer_lists_the_newest_plan_of_each_area_it_reads(
    runtime: Runtime,
) -> None:
    client = TestClient(create_app(runtime))
    coordinator = reference.User("co-secret", "NATO", frozenset({Role.COORDINATOR}), SECRET)
    as_reader(client, runtime, coordinator)
    for area in (
        area_feature("HA-A"),
        area_feature("HA-B", at=(37.30, 49.25)),
        area_feature("HA-S", at=(37.40, 49.30), classification="NATO SECRET"),
    ):
        assert client.post("/api/demining/areas", json=area).status_code == 201
    machine = {"id": "MV4-1", "kind": "machine", "name": "DOK-ING MV-4", "tool_width_m": 1.7,
               "turn_radius_m": 3, "speed_kmh": 2, "work_rates": {"default": 900},
               "base": "37.25,49.20"}  # fmt: skip
    assert client.post("/api/demining/assets", json=machine).status_code == 201
    made: dict[str, list[dict[str, Any]]] = {}
    for area_id in ("HA-A", "HA-B", "HA-A", "HA-S"):  # HA-A planned twice: two versions
        plan = client.post(f"/api/demining/areas/{area_id}/coverage", json={"asset_id": "MV4-1"})
        assert plan.status_code == 201, plan.text
        made.setdefault(area_id, []).append(plan.json())
    reader = TestClient(create_app(runtime))
    as_reader(reader, runtime, READERS[-1])  # a mine action planner cleared to RESTRICTED
    for user, areas in ((client, ("HA-A", "HA-B", "HA-S")), (reader, ("HA-A", "HA-B"))):
        with hydrated(CoveragePlanRecord) as loaded, statements(runtime) as sent:
            layer = ok(user.get("/api/map/demining"))
        assert not loaded, areas  # no coverage plan record built
        assert not any(re.search(r"\bcoverage_plans\.geojson\b", sql) for sql in sent), areas
        newest = sorted((made[area][-1] for area in areas), key=lambda p: p["id"])
        assert [c["id"] for c in layer["coverage"]] == [p["id"] for p in newest], areas
        for listed, plan in zip(layer["coverage"], newest, strict=True):
            # the path the map fetches when it shows the area: the plan as it was made
            full = ok(user.get(f"/api/demining/coverage/{plan['id']}"))
            assert full["geojson"] == plan["geojson"] and full["summary"] == plan["summary"]
            assert listed == {k: full[k] for k in LISTED}, areas
        shown = {f["properties"]["id"] for f in layer["areas"]["features"]}
        assert shown >= set(areas) and ("HA-S" in shown) == ("HA-S" in areas), areas
