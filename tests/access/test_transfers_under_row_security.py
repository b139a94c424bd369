"""The transfers story, each step by the user whose job it is, under row-level security alone.

PostgreSQL through a role that owns no tables, with the application's filter
off: every write a user makes (and the consequences it has on records they
may not see) must pass the policies by itself. A node operator moves the
shipment and hands it over, the partner receives it with one unit damaged, a
coordinator resolves the discrepancy, the pledge and requirement follow, and
the operator closes the hub.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.donations import plan_service
from materiel.donations.service import get_pledge, import_pledges, import_requirements
from materiel.logistics import transport_service
from materiel.network.service import import_links, import_nodes
from tests.access import reference
from tests.access.test_donor_transfers import PLEDGES, REQUIREMENTS
from tests.access.test_need_to_know import app_role_runtime, make_user
from tests.factories import load_reference_data
from tests.logistics.test_transfers import SECOND_ROUTE_LINKS, SECOND_ROUTE_NODES

pytestmark = pytest.mark.postgres

OPERATOR = reference.User("rzeszow-operator", "POL", frozenset({Role.NODE_OPERATOR}), 1)
PARTNER = reference.User("ukr-logistics", "UKR", frozenset({Role.PARTNER_LOGISTICS}), 1)
COORDINATOR = reference.User("coordinator", "NATO", frozenset({Role.COORDINATOR}), 1)


def accepted_transport(owner: Runtime) -> None:
    uow = owner.uow
    load_reference_data(owner)
    import_nodes(("nodes", SECOND_ROUTE_NODES), uow("t"))
    import_links(("links", SECOND_ROUTE_LINKS), uow("t"))
    import_requirements(("requirements", [{**REQUIREMENTS[0], "quantity": "3"}]), uow("t"))
    import_pledges(("pledges", PLEDGES[:1]), uow("t"))
    plan = plan_service.run_allocation(uow("planner"), time_limit_s=5)
    plan_service.accept_plan(plan.id or 0, None, uow("chief"))
    moved = transport_service.run_transport(uow("planner"), time_limit_s=10)
    transport_service.accept_transport_plan(moved.id or 0, None, uow("chief"))


def test_each_step_by_its_user(postgres_url: str) -> None:
    with app_role_runtime(postgres_url) as (app, owner):
        accepted_transport(owner)
        client = TestClient(create_app(app))
        as_user = {
            u.username: {"Authorization": f"Bearer {make_user(owner, u)}"}
            for u in (OPERATOR, PARTNER, COORDINATOR)
        }
        operator, partner = as_user[OPERATOR.username], as_user[PARTNER.username]
        shipments = client.get("/api/shipments", headers=operator).json()["items"]
        assert shipments, "the operator sees the shipment of an unclassified pledge"
        shipment = shipments[0]
        sid, units = shipment["id"], shipment["units"]
        legs = client.get(f"/api/shipments/{sid}", headers=operator).json()["legs"]
        hub = legs[0]["target"]
        serials = [f"S-{n}" for n in range(units)]
        steps = (
            (operator, "dispatch", {}),
            (operator, "arrive", {"node": hub}),
            (operator, "dispatch", {"node": hub}),
            (operator, "hand-over", {"node": legs[-1]["target"], "from_holder": "DEU",
             "to_holder": "47th Brigade", "serials": serials, "acknowledged_by": "Lt. Bondar"}),
            (partner, "receive", {"units_received": units, "acknowledged_by": "Lt. Bondar",
             "findings": [{"kind": "damaged", "quantity": 1, "reason": "track hit"}]}),
        )  # fmt: skip
        for headers, path, body in steps:
            response = client.post(f"/api/shipments/{sid}/{path}", json=body, headers=headers)
            assert response.status_code == 200, (path, response.text)
        assert client.get("/api/assets/S-0", headers=partner).json()["holder"] == "47th Brigade"
        assert units == 3, "one shipment carries the whole pledge"
        assert client.get("/api/requirements/R-1", headers=partner).json()["status"] == "met"
        # The partner may not see the donor's pledge, yet its receipt delivered it.
        assert client.get(f"/api/pledges/{PLEDGES[0]['ref']}", headers=partner).status_code == 404
        assert get_pledge(PLEDGES[0]["ref"], owner.uow()).status == "delivered"
        board = client.get("/api/board", headers=as_user[COORDINATOR.username]).json()
        (discrepancy,) = board["open_discrepancies"]
        resolved = client.post(
            f"/api/discrepancies/{discrepancy['id']}/resolve",
            json={"resolution": "sent with the next train", "version": discrepancy["version"]},
            headers=as_user[COORDINATOR.username],
        )
        assert resolved.status_code == 200, resolved.text
        assert not client.get("/api/board", headers=operator).json()["open_discrepancies"]
        closed = {"kind": "node-closed", "target": hub, "from_date": "2027-01-01", "note": "strike"}
        added = client.post("/api/disruptions", json=closed, headers=operator)
        assert added.status_code == 201, added.text
        listed = client.get("/api/disruptions", headers=partner).json()
        assert [d["target"] for d in listed] == [hub]
