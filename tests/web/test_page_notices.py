"""Plan and demining pages through the real app, as signed-in users, on SQLite and PostgreSQL.

The transfer pages' fixes (tests/web/test_transfer_pages.py), carried to the
allocation plan, transport plan and demining pages: a notice travels signed
for the user, so a crafted link puts no text in an alert and a message with
'&' or '#' arrives whole; a form's `back` leads only to a path of this site;
forms are offered only to roles that may use them; a refused planner run says
why to htmx; a finished transport run sends htmx on to its plan.
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.donations import plan_service
from materiel.donations.plan_model import StoredPlan
from materiel.logistics import transport_service
from materiel.logistics.model import TransportPlanRecord
from materiel.platform.jobs.model import Job
from tests.auth import signed_in_client
from tests.demining.test_api import AREAS, MACHINE
from tests.factories import load_reference_data
from tests.logistics.test_transfers import allocated_world
from tests.web.test_transfer_pages import PLEDGES, REQUIREMENTS, alert, finished_job

LURE = "Your account is locked: call +1 555 0100"


class Plans:
    """An accepted allocation plan, a draft after it, and a draft transport plan."""

    def __init__(self, runtime: Runtime) -> None:
        uow = runtime.uow
        allocated_world(runtime, REQUIREMENTS, PLEDGES)
        self.runtime = runtime
        self.transport: TransportPlanRecord = transport_service.run_transport(
            uow("planner"), time_limit_s=10
        )
        self.draft: StoredPlan = plan_service.run_allocation(uow("planner"), time_limit_s=5)


@pytest.fixture
def plans(runtime: Runtime) -> Plans:
    return Plans(runtime)


@pytest.fixture
def client(plans: Plans) -> TestClient:
    return signed_in_client(plans.runtime)


def jobs(runtime: Runtime) -> int:
    with runtime.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Job)) or 0


# --- notices: signed, whole, not forgeable -------------------------------------------


def test_a_crafted_link_puts_no_text_in_a_plan_or_demining_alert(
    plans: Plans, client: TestClient
) -> None:
    paths = ("/plans", f"/plans/{plans.draft.id}", f"/transport-plans/{plans.transport.id}",
             "/demining", "/demining/tasking")  # fmt: skip
    for path in paths:
        for name in ("error", "message", "notice"):
            response = client.get(path, params={name: LURE})
            assert response.status_code == 200, (path, name)
            assert "call +1 555" not in response.text, (path, name)


def test_a_plan_refusal_with_ampersand_and_hash_arrives_whole(
    plans: Plans, client: TestClient
) -> None:
    pledge = "P-1&kind=pin#top"
    refused = client.post(
        f"/plans/{plans.draft.id}/rules",
        data={"kind": "forbid", "pledge": pledge, "requirement": "R-1", "quantity": "0"},
        follow_redirects=False,
    )
    location = refused.headers["location"]
    assert refused.status_code == 303 and list(parse_qs(urlsplit(location).query)) == ["notice"]
    shown = client.get(location)
    assert alert(shown) == f"pledge '{pledge}' does not exist"
    assert alert(signed_in_client(plans.runtime, Role.AUDITOR).get(location)) == ""  # not theirs

    forbidden = client.post(
        f"/plans/{plans.draft.id}/rules",
        data={"kind": "forbid", "pledge": "P-DEU", "requirement": "R-1", "quantity": "0"},
    )
    assert alert(forbidden) == "P-DEU → R-1 forbidden; run the planner to see the effect."
    rule = next(iter(plan_service.list_rules(plans.runtime.uow())))
    removed = client.post(f"/plans/{plans.draft.id}/rules/remove", data={"rule": rule.id})
    assert alert(removed) == "Rule removed."


def test_mistyped_plan_forms_are_refused_by_name(plans: Plans, client: TestClient) -> None:
    path = f"/plans/{plans.draft.id}"
    version = client.post(f"{path}/accept", data={"version": "abc"})
    assert version.status_code == 200 and "version must be a whole number" in alert(version)
    pairing = {"pledge": "P-DEU", "requirement": "R-1"}
    kind = client.post(f"{path}/rules", data={**pairing, "kind": "bogus"})
    assert alert(kind) == "a rule is one of pin, forbid, not 'bogus'"
    units = client.post(f"{path}/rules", data={**pairing, "kind": "pin", "quantity": "two"})
    assert alert(units) == "the units to pin must be a whole number, not 'two'"
    assert "rule" in alert(client.post(f"{path}/rules/remove", data={}))
    assert plan_service.list_rules(plans.runtime.uow()) == []

    accepted = client.post(f"{path}/accept", data={"version": str(plans.draft.version)})
    assert alert(accepted) == "Plan accepted."


# --- forms only for roles that may use them ------------------------------------------


def test_only_coordinators_are_offered_accept_pin_and_forbid(
    plans: Plans, client: TestClient
) -> None:
    accept = f'action="/plans/{plans.draft.id}/accept"'
    steer = f'action="/plans/{plans.draft.id}/rules"'
    accept_transport = f'action="/transport-plans/{plans.transport.id}/accept"'
    for role in (Role.AUDITOR, Role.PARTNER_LOGISTICS):
        reader = signed_in_client(plans.runtime, role, "UKR")
        plan = reader.get(f"/plans/{plans.draft.id}")
        assert plan.status_code == 200, role
        assert accept not in plan.text and steer not in plan.text, role
        assert 'id="accept-read-only"' in plan.text, role
        transport = reader.get(f"/transport-plans/{plans.transport.id}")
        assert transport.status_code == 200, role
        assert accept_transport not in transport.text, role
        assert 'id="accept-read-only"' in transport.text, role
    plan = client.get(f"/plans/{plans.draft.id}").text
    assert accept in plan and steer in plan and 'id="accept-read-only"' not in plan
    transport = client.get(f"/transport-plans/{plans.transport.id}").text
    assert accept_transport in transport and 'id="accept-read-only"' not in transport


# --- planner runs under htmx ----------------------------------------------------------


def test_a_refused_allocation_run_says_why_to_htmx(plans: Plans, client: TestClient) -> None:
    before = jobs(plans.runtime)
    htmx = {"HX-Request": "true"}
    auditor = signed_in_client(plans.runtime, Role.AUDITOR)
    refused = auditor.post("/plans/run", data={"time_limit_s": "5"}, headers=htmx)
    assert refused.status_code == 200  # htmx swaps in nothing else
    assert 'id="run-status" class="alert error" role="alert"' in refused.text
    assert "The planner was not started:" in refused.text and "may not" in refused.text
    plain = auditor.post("/plans/run", data={"time_limit_s": "5"}, headers={"Accept": "text/html"})
    assert plain.status_code == 403
    for typed in ("abc", "0", "nan", "1e9"):
        mistyped = client.post("/plans/run", data={"time_limit_s": typed}, headers=htmx)
        assert mistyped.status_code == 200, typed
        assert "search time must be a number of seconds" in mistyped.text, typed
        assert f"not &#39;{typed}&#39;" in mistyped.text, typed
    assert jobs(plans.runtime) == before


def test_a_finished_transport_run_sends_htmx_to_its_plan(plans: Plans, client: TestClient) -> None:
    made = plans.transport.id or 0
    job = finished_job(plans.runtime, "transport", {"transport_plan_id": made})
    status = client.get(f"/jobs/{job}/status")
    assert status.headers["HX-Redirect"] == f"/transport-plans/{made}"
    assert f'<a href="/transport-plans/{made}">Open transport plan {made}</a>' in status.text


# --- demining: coverage from the tasking and area pages -------------------------------


@pytest.fixture
def tasked(runtime: Runtime) -> tuple[Runtime, int]:
    """Two hazard areas, a machine and a week's tasking; the first task's id."""
    load_reference_data(runtime)
    planner = signed_in_client(runtime, Role.MINE_ACTION_PLANNER)
    imported = planner.post(
        "/api/demining/areas/import", params={"format": "geojson"}, content=json.dumps(AREAS)
    )
    assert imported.status_code == 200, imported.text
    assert planner.post("/api/demining/assets", json=MACHINE).status_code == 201
    run = planner.post(
        "/api/demining/tasking",
        json={"start": date(2027, 5, 3).isoformat(), "weeks": 1, "time_limit_s": 3},
    )
    assert run.status_code == 201, run.text
    return runtime, run.json()["tasks"][0]["id"]


def test_coverage_goes_back_only_to_a_path_of_this_site(tasked: tuple[Runtime, int]) -> None:
    runtime, task = tasked
    planner = signed_in_client(runtime, Role.MINE_ACTION_PLANNER)
    away = ("https://evil.example/login", "//evil.example/login", "/\\evil.example",
            "javascript:alert(1)", "evil.example")  # fmt: skip
    for back in away:
        refused = planner.post(
            "/demining/tasks/999999/coverage", data={"back": back}, follow_redirects=False
        )
        location = refused.headers["location"]
        assert refused.status_code == 303, back
        assert location.startswith("/demining/tasking?notice="), (back, location)
        assert alert(planner.get(location)) == "task 999999 does not exist", back

    area = AREAS["features"][0]["properties"]["id"]
    back = f"/demining/areas/{area}"
    made = planner.post(
        f"/demining/tasks/{task}/coverage", data={"back": back}, follow_redirects=False
    )
    assert made.headers["location"].startswith(f"{back}?notice="), made.headers["location"]
    said = alert(planner.get(made.headers["location"]))
    assert said.startswith("Coverage plan ") and said.endswith(f" made for task {task}.")


def test_only_mine_action_planners_are_offered_coverage(tasked: tuple[Runtime, int]) -> None:
    runtime, task = tasked
    form = f'action="/demining/tasks/{task}/coverage"'
    auditor = signed_in_client(runtime, Role.AUDITOR)
    planner = signed_in_client(runtime, Role.MINE_ACTION_PLANNER)
    tasking = auditor.get("/demining/tasking")
    assert tasking.status_code == 200 and f">{task}</td>" in tasking.text
    assert form not in tasking.text
    assert form in planner.get("/demining/tasking").text
    refused = auditor.post(f"/demining/tasks/{task}/coverage", follow_redirects=False)
    assert refused.status_code == 303
    assert "may not" in alert(auditor.get(refused.headers["location"]))


def test_a_mistyped_weight_is_refused_by_name(tasked: tuple[Runtime, int]) -> None:
    runtime, _ = tasked
    planner = signed_in_client(runtime, Role.MINE_ACTION_PLANNER)
    ranked = planner.get("/demining", params={"people": "many"})
    assert ranked.status_code == 200
    assert alert(ranked) == "weights must be numbers: people is 'many'"
