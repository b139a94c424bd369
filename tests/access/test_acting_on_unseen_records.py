"""Consequences of a user's action on records the user may not see.

A coordinator cleared to NATO RESTRICTED accepts plans that involve a NATO
SECRET pledge, and the partner receives a shipment of a donor's pledge it may
not see: the statuses and shipments those actions end or move must follow
all the same, on SQLite and on PostgreSQL with row-level security alone
(where an UPDATE reaches only the rows its principal may see).
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.donations import plan_service
from materiel.donations.service import get_pledge, import_pledges, import_requirements
from materiel.logistics import service, transport_service
from tests.access import reference
from tests.access.test_donor_transfers import PLEDGES, REQUIREMENTS, build_world, planned_world
from tests.access.test_need_to_know import app_role_runtime, make_user
from tests.factories import load_reference_data

COORDINATOR_R = reference.User("coord-r", "NATO", frozenset({Role.COORDINATOR}), 1)
PARTNER = reference.User("ukr-logistics", "UKR", frozenset({Role.PARTNER_LOGISTICS}), 1)


def signed_in(owner: Runtime, user: reference.User) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_user(owner, user)}"}


def accept_as_restricted_coordinator(client: TestClient, owner: Runtime) -> None:
    """A new plan, accepted through the API by a coordinator not cleared for P-DEU-S."""
    old = {s.id: s.status for s in service.list_shipments(owner.uow())}
    moved = transport_service.run_transport(owner.uow("planner"), time_limit_s=10)
    headers = signed_in(owner, COORDINATOR_R)
    body = {"version": moved.version}
    accepted = client.post(f"/api/transport-plans/{moved.id}/accept", json=body, headers=headers)
    assert accepted.status_code == 200, accepted.text
    after = {s.id: s for s in service.list_shipments(owner.uow())}
    for shipment_id, status in old.items():
        if status == "planned":
            assert after[shipment_id].status == "cancelled", shipment_id
    live = [s for s in after.values() if s.transport_plan_id == moved.id]
    assert {s.pledge for s in live} >= {"P-DEU-S"}


def test_accepting_a_plan_ends_old_shipments_the_user_cannot_see(runtime: Runtime) -> None:
    build_world(runtime)
    accept_as_restricted_coordinator(TestClient(create_app(runtime)), runtime)


@pytest.mark.postgres
def test_accepting_under_row_level_security_alone(postgres_url: str) -> None:
    with app_role_runtime(postgres_url) as (app, owner):
        build_world(owner)
        accept_as_restricted_coordinator(TestClient(create_app(app)), owner)


@pytest.mark.postgres
def test_a_partner_receipt_under_row_level_security_alone(postgres_url: str) -> None:
    """The partner may not see the donor's pledge, yet its receipt marks it delivered."""
    with app_role_runtime(postgres_url) as (app, owner):
        world = build_world(owner)
        client = TestClient(create_app(app))
        headers = signed_in(owner, PARTNER)
        shipment = next(
            s
            for s in service.list_shipments(owner.uow())
            if s.pledge == "P-POL" and s.status == "handed-over"
        )
        body = {"units_received": shipment.units, "acknowledged_by": "Capt. K"}
        received = client.post(f"/api/shipments/{shipment.id}/receive", json=body, headers=headers)
        assert received.status_code == 200, received.text
        assert client.get("/api/pledges/P-POL", headers=headers).status_code == 404
        assert get_pledge("P-POL", owner.uow()).status == "delivered"
        assert world.pledge_of[shipment.id] == "P-POL"


def accept_allocation_as_restricted_coordinator(client: TestClient, owner: Runtime) -> None:
    """P-DEU-S is marked NATO SECRET; the coordinator is cleared to NATO RESTRICTED."""
    load_reference_data(owner)
    import_requirements(("requirements", REQUIREMENTS), owner.uow("t"))
    import_pledges(("pledges", PLEDGES), owner.uow("t"))
    plan = plan_service.run_allocation(owner.uow("planner"), time_limit_s=5)
    headers = signed_in(owner, COORDINATOR_R)
    body = {"version": plan.version}
    accepted = client.post(f"/api/plans/{plan.id}/accept", json=body, headers=headers)
    assert accepted.status_code == 200, accepted.text
    assert client.get("/api/pledges/P-DEU-S", headers=headers).status_code == 404
    assert {get_pledge(p["ref"], owner.uow()).status for p in PLEDGES} == {"allocated"}


def test_accepting_an_allocation_plan_moves_pledges_the_user_cannot_see(runtime: Runtime) -> None:
    accept_allocation_as_restricted_coordinator(TestClient(create_app(runtime)), runtime)


@pytest.mark.postgres
def test_accepting_an_allocation_plan_under_row_level_security_alone(postgres_url: str) -> None:
    with app_role_runtime(postgres_url) as (app, owner):
        accept_allocation_as_restricted_coordinator(TestClient(create_app(app)), owner)


OPERATOR = reference.User("hub-operator", "POL", frozenset({Role.NODE_OPERATOR}), 0)


def hand_over_a_serial_held_under_a_hidden_shipment(client: TestClient, owner: Runtime) -> None:
    """The serial is taken, and saying so is unavoidable; the database's own words are not."""
    planned_world(owner)
    shipments = service.list_shipments(owner.uow())
    secret = next(s for s in shipments if s.pledge == "P-DEU-S")
    service.dispatch(secret.id, None, None, owner.uow("depot"))
    held = service.HandOver("lviv", "DEU", "47th Brigade", ["S-1"], acknowledged_by="Capt. K")
    service.hand_over(secret.id, held, None, owner.uow("depot"))
    headers = signed_in(owner, OPERATOR)
    mine = next(s for s in shipments if s.pledge != "P-DEU-S" and s.status == "planned")
    moved = client.post(f"/api/shipments/{mine.id}/dispatch", json={}, headers=headers)
    assert moved.status_code == 200, moved.text
    body = {"node": "lviv", "from_holder": "POL", "to_holder": "47th Brigade", "serials": ["S-1"],
            "acknowledged_by": "Capt. K"}  # fmt: skip
    refused = client.post(f"/api/shipments/{mine.id}/hand-over", json=body, headers=headers)
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert "S-1" in detail and "you may not see" in detail
    assert not any(word in detail.lower() for word in ("unique", "duplicate", "assets", "key"))
    assert client.get(f"/api/shipments/{mine.id}", headers=headers).json()["status"] == "dispatched"
    assert service.where_is("S-1", owner.uow()).asset.shipment_id == secret.id


def test_a_serial_held_under_a_hidden_shipment_is_refused_plainly(runtime: Runtime) -> None:
    hand_over_a_serial_held_under_a_hidden_shipment(TestClient(create_app(runtime)), runtime)


@pytest.mark.postgres
def test_a_hidden_serial_under_row_level_security_alone(postgres_url: str) -> None:
    with app_role_runtime(postgres_url) as (app, owner):
        hand_over_a_serial_held_under_a_hidden_shipment(TestClient(create_app(app)), owner)
