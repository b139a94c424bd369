"""A plan's figures as each reader sees them.

The figures on a plan (units met, lateness, pairs, cost, the solver's
bounds) sum over every line. A reader who may not read some lines (here a
NATO coordinator and the partner's officer, both cleared to NATO
RESTRICTED, and the NATO SECRET pledge P-DEU-S released to DEU only) gets
the figures summed over what they see and none of the others; a reader who
sees every line gets the stored figures. Checked through the API and the
pages, on SQLite and PostgreSQL, and under row-level security alone.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.donations import plan_service
from materiel.logistics import service, transport_service
from tests.access import reference
from tests.access.test_donor_transfers import SECRET, planned_world
from tests.access.test_need_to_know import app_role_runtime, make_user

FULL = reference.User("deu-coordinator", "DEU", frozenset({Role.COORDINATOR}), SECRET)
PARTIAL = (
    reference.User("coordinator-r", "NATO", frozenset({Role.COORDINATOR}), 1),
    reference.User("ukr-logistics", "UKR", frozenset({Role.PARTNER_LOGISTICS}), 1),
)
WITHHELD = ("types_per_unit", "transport_cost", "units_moved")


def as_user(client: TestClient, owner: Runtime, user: reference.User) -> TestClient:
    client.headers["Authorization"] = f"Bearer {make_user(owner, user)}"
    return client


def check_allocation_plan(client: TestClient, plan_id: int, stored: dict[str, Any]) -> None:
    shown = client.get(f"/api/plans/{plan_id}").json()
    lines = shown["allocations"]
    assert {line["pledge"] for line in lines} == {"P-DEU", "P-POL"}
    objective = shown["objective"]
    assert objective["unit_days_late"] == sum(a["quantity"] * a["days_late"] for a in lines)
    assert sum(objective["met_by_priority"].values()) == sum(a["quantity"] for a in lines)
    assert sum(stored["objective"]["met_by_priority"].values()) > sum(a["quantity"] for a in lines)
    assert all(objective[name] is None for name in WITHHELD)
    assert set(shown["solver"]) <= {"status", "seconds", "method"}
    listed = next(p for p in client.get("/api/plans").json() if p["id"] == plan_id)
    assert listed["objective"] == objective
    page = client.get(f"/plans/{plan_id}", headers={"Accept": "text/html"}).text
    assert "lower bound" not in page and "not shown: it sums over lines" in page


def check_transport_plan(client: TestClient, plan_id: int, stored: dict[str, Any]) -> None:
    shown = client.get(f"/api/transport-plans/{plan_id}").json()
    seen = shown["shipments"]
    assert seen and {s["pledge"] for s in seen} == {"P-DEU", "P-POL"}
    objective = shown["objective"]
    assert objective["units_planned"] == sum(s["units"] for s in seen)
    assert objective["units_planned"] < stored["objective"]["units_planned"]
    assert objective["unit_days_late"] == sum(s["units"] * s["days_late"] for s in seen)
    assert objective["cost"] is None
    assert set(shown["solver"]) <= {"status", "seconds", "method", "warnings"}
    assert shown["solver"]["warnings"] == []  # none here; those shown name seen shipments
    listed = next(p for p in client.get("/api/transport-plans").json() if p["id"] == plan_id)
    assert listed["objective"] == objective
    for path in (f"/transport-plans/{plan_id}", "/shipments"):
        page = client.get(path, headers={"Accept": "text/html"}).text
        assert "not shown: it sums over lines" in page
        assert f"{stored['objective']['cost']:,.0f}" not in page


def check_every_reader(client: TestClient, owner: Runtime) -> None:
    plan_id = planned_world(owner)
    moved = service.list_shipments(owner.uow())[0].transport_plan_id
    stored_plan = plan_service.get_plan(plan_id, owner.uow()).plan
    stored = {"objective": stored_plan.objective, "solver": stored_plan.solver}
    (transport,) = [p for p in transport_service.list_transport_plans(owner.uow()) if p.id == moved]
    stored_transport = {"objective": transport.objective, "solver": transport.solver}
    full = as_user(client, owner, FULL).get(f"/api/plans/{plan_id}").json()
    assert (full["objective"], full["solver"]) == (stored["objective"], stored["solver"])
    full_transport = client.get(f"/api/transport-plans/{moved}").json()
    assert full_transport["objective"] == stored_transport["objective"]
    assert full_transport["solver"]["bounds"] == stored_transport["solver"]["bounds"]
    for user in PARTIAL:
        as_user(client, owner, user)
        check_allocation_plan(client, plan_id, stored)
        check_transport_plan(client, moved, stored_transport)


def accepted_as_partial_reader(client: TestClient, owner: Runtime) -> None:
    """The plan a restricted coordinator accepts comes back with the figures they may see."""
    planned_world(owner)
    draft = plan_service.run_allocation(owner.uow("planner"), time_limit_s=5)
    as_user(client, owner, PARTIAL[0])
    accepted = client.post(f"/api/plans/{draft.id}/accept", json={"version": draft.version})
    assert accepted.status_code == 200, accepted.text
    assert all(accepted.json()["objective"][name] is None for name in WITHHELD)
    moved = transport_service.run_transport(owner.uow("planner"), time_limit_s=10)
    taken = client.post(f"/api/transport-plans/{moved.id}/accept", json={"version": moved.version})
    assert taken.status_code == 200, taken.text
    assert taken.json()["objective"]["cost"] is None


def test_each_reader_gets_the_figures_of_the_lines_they_see(runtime: Runtime) -> None:
    check_every_reader(TestClient(create_app(runtime)), runtime)


def test_accepting_returns_the_figures_the_reader_sees(runtime: Runtime) -> None:
    accepted_as_partial_reader(TestClient(create_app(runtime)), runtime)


@pytest.mark.postgres
def test_figures_under_row_level_security_alone(postgres_url: str) -> None:
    with app_role_runtime(postgres_url) as (app, owner):
        check_every_reader(TestClient(create_app(app)), owner)


@pytest.mark.postgres
def test_accepting_under_row_level_security_alone(postgres_url: str) -> None:
    with app_role_runtime(postgres_url) as (app, owner):
        accepted_as_partial_reader(TestClient(create_app(app)), owner)


def test_a_role_that_may_not_read_plans_is_told_so_with_true_unmet_figures(
    runtime: Runtime,
) -> None:
    """A donor liaison may not read allocation plans: the overview says so, and its unmet
    units are the accepted plan's for the requirements the liaison sees, not a guess."""
    planned_world(runtime)
    client = TestClient(create_app(runtime))
    liaison = reference.User("deu-liaison", "DEU", frozenset({Role.DONOR_LIAISON}), SECRET)
    summaries = {}
    for user in (FULL, liaison):
        client.headers["Authorization"] = f"Bearer {make_user(runtime, user)}"
        summaries[user.username] = client.get("/api/summary").json()
        page = client.get("/", headers={"Accept": "text/html"}).text
        assert ('id="plan-hidden"' in page) is (user is liaison)
    seen, hidden = summaries["deu-coordinator"], summaries["deu-liaison"]
    assert (seen["plan_hidden"], hidden["plan_hidden"]) == (False, True)
    assert hidden["accepted_plan"] is None and seen["accepted_plan"] is not None
    assert hidden["units_unmet_by_priority"] == seen["units_unmet_by_priority"]
