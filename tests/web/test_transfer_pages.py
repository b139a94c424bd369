"""The transfer pages through the real app, as signed-in users, on SQLite and PostgreSQL.

What exploratory testing found on the demo, each pinned here on a small world
(two donors' pledges for one requirement, plans accepted): half-filled or
mistyped forms refused by field and nothing recorded, what was typed kept,
messages that arrive whole and cannot be forged by a link, serials with '/'
and '#', forms only for roles that may use them, the transport run's link to
its plan, and a paged shipments list that names the statuses it knows.
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.logistics import service, transport_service
from materiel.logistics.model import Shipment, ShipmentStatus
from materiel.platform.jobs.model import Job, JobStatus
from tests.auth import signed_in_client
from tests.logistics.test_transfers import SOON, TODAY, allocated_world

REQUIREMENTS = [
    {"ref": "R-1", "item_type": "pzh-2000", "quantity": "5", "priority": "1", "needed_by": SOON,
     "unit": "47th Brigade", "destination": "lviv"},
]  # fmt: skip
PLEDGES = [
    {"ref": f"P-{donor}", "donor": donor, "item_type": "pzh-2000", "quantity": units,
     "origin": "unterluss", "available_from": TODAY.isoformat()}
    for donor, units in (("DEU", "3"), ("POL", "2"))
]  # fmt: skip
STEPS = "dispatch, arrive, hand-over, receive"


@pytest.fixture
def world(runtime: Runtime) -> Runtime:
    """Both pledges allocated to R-1 and planned for transport: shipments to Lviv."""
    allocated_world(runtime, REQUIREMENTS, PLEDGES)
    moved = transport_service.run_transport(runtime.uow("planner"), time_limit_s=10)
    transport_service.accept_transport_plan(moved.id or 0, None, runtime.uow("chief"))
    return runtime


@pytest.fixture
def client(world: Runtime) -> TestClient:
    return signed_in_client(world)


def planned(runtime: Runtime, donor: str = "DEU") -> Shipment:
    shipments = service.list_shipments(runtime.uow(), ShipmentStatus.PLANNED)
    return next(s for s in shipments if s.pledge == f"P-{donor}")


def dispatched(runtime: Runtime, donor: str = "DEU") -> Shipment:
    shipment = planned(runtime, donor)
    service.dispatch(shipment.id, None, None, runtime.uow("depot"))
    return shipment


def handed_over(runtime: Runtime, serials: list[str], donor: str = "DEU") -> Shipment:
    shipment = dispatched(runtime, donor)
    handover = service.HandOver("lviv", donor, "47th Brigade", serials, acknowledged_by="Capt. K")
    service.hand_over(shipment.id, handover, None, runtime.uow("liaison"))
    return shipment


def step(client: TestClient, shipment: Shipment, **values: str) -> Response:
    data = {"version": "", **values}
    return client.post(f"/shipments/{shipment.id}/step", data=data, follow_redirects=False)


def status_of(runtime: Runtime, shipment: Shipment) -> ShipmentStatus:
    return service.shipment_view(shipment.id, runtime.uow()).shipment.status


def alert(response: Response) -> str:
    found = re.search(
        r'<div class="alert (?:error|ok)" role="(?:alert|status)"[^>]*>(.*?)</div>', response.text
    )
    return html.unescape(found.group(1)) if found else ""


# --- 1, 5: the Receive form ----------------------------------------------------------


def test_a_half_filled_discrepancy_is_refused_and_what_was_typed_kept(
    world: Runtime, client: TestClient
) -> None:
    shipment = handed_over(world, ["R-1"])
    units = str(shipment.units)
    receipt = {"action": "receive", "units_received": units, "acknowledged_by": "Lt. Bondar"}

    no_kind = step(client, shipment, **receipt, finding_quantity="2", finding_reason="2 scratched")
    assert no_kind.status_code == 422
    assert "discrepancy: choose its kind" in alert(no_kind)
    assert 'value="2 scratched"' in no_kind.text and 'value="Lt. Bondar"' in no_kind.text
    assert 'id="rc-kind" name="finding_kind" aria-invalid="true"' in no_kind.text

    no_units = step(client, shipment, **receipt, finding_kind="short", finding_reason="lost")
    assert no_units.status_code == 422
    assert "units concerned: say how many units the 'short' discrepancy" in alert(no_units)
    assert '<option value="short" selected>' in no_units.text

    assert status_of(world, shipment) is ShipmentStatus.HANDED_OVER  # nothing recorded
    assert service.shipment_view(shipment.id, world.uow()).discrepancies == []


def test_a_failed_hand_over_keeps_what_was_typed(world: Runtime, client: TestClient) -> None:
    shipment = dispatched(world)
    serials = "\n".join(f"SN-{n}" for n in range(shipment.units + 7))
    typed = {"node": "lviv", "from_holder": "DEU", "to_holder": "47th Brigade",
             "serials": serials, "acknowledged_by": "Capt. K"}  # fmt: skip
    refused = step(client, shipment, action="hand-over", **typed)
    assert refused.status_code == 422
    assert f"{shipment.units + 7} serials named" in alert(refused)
    assert 'id="ho-from" name="from_holder" value="DEU"' in refused.text
    assert 'id="ho-to" name="to_holder" value="47th Brigade"' in refused.text
    assert f">{serials}</textarea>" in refused.text
    assert status_of(world, shipment) is ShipmentStatus.DISPATCHED


# --- 2, 3: numbers and actions -------------------------------------------------------


def test_words_where_numbers_belong_are_refused_by_field(
    world: Runtime, client: TestClient
) -> None:
    shipment = handed_over(world, ["N-1"])
    units = step(client, shipment, action="receive", units_received="abc", acknowledged_by="K")
    assert units.status_code == 422
    assert "units received must be a whole number, not 'abc'" in alert(units)
    version = step(client, shipment, action="receive", units_received="1", version="abc")
    assert version.status_code == 422 and "version must be a whole number" in alert(version)

    draft = transport_service.run_transport(world.uow("planner"), time_limit_s=10)
    accepted = client.post(f"/transport-plans/{draft.id}/accept", data={"version": "abc"})
    assert accepted.status_code == 200 and "version must be a whole number" in alert(accepted)
    assert status_of(world, shipment) is ShipmentStatus.HANDED_OVER


@pytest.mark.parametrize("action", ["bogus", ""])
def test_an_unknown_step_is_refused_with_the_steps_there_are(
    world: Runtime, client: TestClient, action: str
) -> None:
    shipment = planned(world)
    refused = step(client, shipment, action=action, node="")
    assert refused.status_code == 422
    assert f"action must be one of {STEPS}, not '{action}'" in alert(refused)
    assert "Recorded." not in refused.text
    assert status_of(world, shipment) is ShipmentStatus.PLANNED


# --- 4: messages arrive whole and cannot be forged -------------------------------------


def test_a_message_with_ampersand_and_hash_arrives_whole(
    world: Runtime, client: TestClient
) -> None:
    handed_over(world, ["A&B", "C#D"])
    second = dispatched(world, "POL")
    typed = {"node": "lviv", "from_holder": "POL", "to_holder": "48th Brigade",
             "serials": "A&B", "acknowledged_by": "Capt. K"}  # fmt: skip
    refused = step(client, second, action="hand-over", **typed)
    assert refused.status_code == 409
    assert "serial A&B is held by 47th Brigade at lviv, not by POL" in alert(refused)


def test_a_redirect_carries_its_message_signed_for_the_user(
    world: Runtime, client: TestClient
) -> None:
    plan = transport_service.list_transport_plans(world.uow())[0]
    again = client.post(f"/transport-plans/{plan.id}/accept", follow_redirects=False)
    location = again.headers["location"]
    query = parse_qs(urlsplit(location).query)
    assert again.status_code == 303 and list(query) == ["notice"]
    said = f"transport plan {plan.id} is accepted already"
    assert query["notice"][0].startswith(f"error:{said}")
    assert said in alert(client.get(location))

    forged = location.replace("accepted+already", "locked%3A+call+us")
    assert forged != location and alert(client.get(forged)) == ""
    other_user = signed_in_client(world, Role.NODE_OPERATOR, "POL").get(location)
    assert other_user.status_code == 200 and alert(other_user) == ""


def test_a_crafted_link_puts_no_text_in_an_alert(world: Runtime, client: TestClient) -> None:
    shipment = planned(world)
    lure = "Your account is locked: call +1 555 0100"
    for path in ("/shipments", f"/shipments/{shipment.id}", "/requirements/R-1"):
        for name in ("error", "message", "notice"):
            response = client.get(path, params={name: lure})
            assert response.status_code == 200, (path, name)
            assert "call +1 555" not in response.text, (path, name)


def test_a_status_change_refused_stays_on_the_record_page(client: TestClient) -> None:
    for status, version in (("bogus", "1"), ("cancelled", "abc")):
        refused = client.post(
            "/requirements/R-1/status", data={"status": status, "version": version}
        )
        assert refused.status_code == 422, refused.text
    assert (
        "not &#39;bogus&#39;"
        in client.post("/requirements/R-1/status", data={"status": "bogus", "version": "1"}).text
    )


# --- 6: serials with '/' and '#' ---------------------------------------------------


def test_serials_with_slash_and_hash_link_to_their_asset(
    world: Runtime, client: TestClient
) -> None:
    shipment = handed_over(world, ["KH/2024/001", "C#D"])
    page = client.get(f"/shipments/{shipment.id}").text
    assert 'href="/assets/KH/2024/001"' in page and 'href="/assets/C%23D"' in page
    for path in ("/assets/KH/2024/001", "/assets/KH%2F2024%2F001", "/assets/C%23D"):
        asset = client.get(path)
        assert asset.status_code == 200, path
        assert "Held by <strong>47th Brigade</strong>" in asset.text, path


# --- 7: forms only for roles that may act -----------------------------------------


def test_forms_are_offered_only_to_roles_that_may_use_them(
    world: Runtime, client: TestClient
) -> None:
    handed_over(world, ["F-1"], "POL")
    shipment = planned(world)
    draft = transport_service.run_transport(world.uow("planner"), time_limit_s=10)
    step_form = f'action="/shipments/{quote(shipment.id)}/step"'
    readers = {
        "auditor": signed_in_client(world, Role.AUDITOR),
        "DEU liaison": signed_in_client(world, Role.DONOR_LIAISON, "DEU"),
    }
    for who, reader in readers.items():
        page = reader.get(f"/shipments/{shipment.id}")
        assert page.status_code == 200, who
        assert step_form not in page.text and 'id="read-only"' in page.text, who
        listing = reader.get("/shipments").text
        assert 'hx-post="/shipments/plan"' not in listing, who
        assert f'action="/transport-plans/{draft.id}/accept"' not in listing, who
        assert "Run the allocation planner" not in reader.get("/plans").text, who
    operator = signed_in_client(world, Role.NODE_OPERATOR, "POL")
    assert step_form in operator.get(f"/shipments/{shipment.id}").text
    assert "/resolve" not in client.get(f"/shipments/{shipment.id}").text  # nothing open
    listing = client.get("/shipments").text
    assert 'hx-post="/shipments/plan"' in listing
    assert f'action="/transport-plans/{draft.id}/accept"' in listing
    assert "Run the allocation planner" in client.get("/plans").text


def test_a_refused_planner_run_says_why_to_htmx(world: Runtime) -> None:
    auditor = signed_in_client(world, Role.AUDITOR)
    refused = auditor.post("/shipments/plan", headers={"HX-Request": "true"})
    assert refused.status_code == 200  # htmx swaps in nothing else
    assert 'id="run-status" class="alert error" role="alert"' in refused.text
    assert "The planner was not started:" in refused.text and "may not" in refused.text
    plain = auditor.post("/shipments/plan", headers={"Accept": "text/html"})
    assert plain.status_code == 403


# --- 8: a finished run links to what it made ----------------------------------------


def finished_job(runtime: Runtime, kind: str, result: dict[str, int]) -> int:
    with runtime.uow("t") as uow:
        job = Job(kind=kind, status=JobStatus.SUCCEEDED, progress=1.0, message="done",
                  result=result)  # fmt: skip
        uow.session.add(job)
        uow.flush()
        uow.commit()
        assert job.id is not None
        return job.id


def test_a_finished_run_links_to_the_plan_it_made(world: Runtime, client: TestClient) -> None:
    plan = transport_service.list_transport_plans(world.uow())[0]
    transport = finished_job(world, "transport", {"transport_plan_id": plan.id or 0})
    status = client.get(f"/jobs/{transport}/status").text
    assert f'<a href="/transport-plans/{plan.id}">Open transport plan {plan.id}</a>' in status
    allocation = finished_job(world, "allocation", {"plan_id": 7})
    shown = client.get(f"/jobs/{allocation}/status")
    assert '<a href="/plans/7">Open plan 7</a>' in shown.text
    assert shown.headers["HX-Redirect"] == "/plans/7"


# --- 9: the shipments list ----------------------------------------------------------


def test_the_shipments_list_names_its_statuses_and_pages(
    world: Runtime, client: TestClient
) -> None:
    bogus = client.get("/shipments", params={"status": "bogus"})
    assert bogus.status_code == 422
    statuses = ", ".join(s.value for s in ShipmentStatus)
    assert f"there is no shipment status &#39;bogus&#39;; choose one of {statuses}" in bogus.text

    shipments = service.list_shipments(world.uow())
    assert len(shipments) >= 2
    first = client.get("/shipments").text
    assert f"1–{len(shipments)} of {len(shipments)}" in first and "next →" not in first
    last = client.get("/shipments", params={"offset": len(shipments) - 1, "size": 25}).text
    rows = [unquote(i) for i in re.findall(r'<tr><td><a href="/shipments/([^"]+)">', last)]
    assert rows == [shipments[-1].id]
    assert f"{len(shipments)}–{len(shipments)} of {len(shipments)}" in last
    assert 'href="/shipments?size=25&amp;offset=0">← previous' in last
    assert "In transit" in last and "Transport plans" in last  # the board and plans stay
