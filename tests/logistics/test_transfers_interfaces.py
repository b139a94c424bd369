"""Transfers through the HTTP API and the command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date

import pytest

from materiel.bootstrap import Runtime
from materiel.logistics import service, transport_service
from materiel.logistics.model import DisruptionKind, ShipmentStatus
from tests.auth import signed_in_client
from tests.logistics.test_transfers import allocated  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.usefixtures("allocated")


def test_the_api_story(runtime: Runtime) -> None:
    record = transport_service.run_transport(runtime.uow("planner"), time_limit_s=10)
    client = signed_in_client(runtime)
    plan = client.get(f"/api/transport-plans/{record.id}").json()
    accepted = client.post(
        f"/api/transport-plans/{record.id}/accept", json={"version": plan["version"]}
    )
    assert accepted.status_code == 200, accepted.text
    shipment = plan["shipments"][0]
    sid, units = shipment["id"], shipment["units"]
    detail = client.get(f"/api/shipments/{sid}").json()
    hub = detail["legs"][0]["target"]
    for path, body in (
        ("dispatch", {}),
        ("arrive", {"node": hub}),
        ("dispatch", {"node": hub}),
        (
            "hand-over",
            {"node": "lviv", "from_holder": "DEU", "to_holder": "47th Brigade",
             "serials": [f"S-{n}" for n in range(units)], "acknowledged_by": "Lt. Bondar"},
        ),
        (
            "receive",
            {"units_received": units - 1, "acknowledged_by": "Lt. Bondar",
             "findings": [{"kind": "damaged", "quantity": 1, "reason": "track hit"}]},
        ),
    ):  # fmt: skip
        response = client.post(f"/api/shipments/{sid}/{path}", json=body)
        assert response.status_code == 200, (path, response.text)
    again = client.post(f"/api/shipments/{sid}/dispatch", json={})
    assert again.status_code == 409
    asset = client.get("/api/assets/S-0").json()
    assert asset["holder"] == "47th Brigade" and len(asset["custody"]) == 1
    board = client.get("/api/board").json()
    assert board["open_discrepancies"][0]["kind"] == "damaged"
    assert client.get("/api/requirements/R-1").json()["status"] in ("partly-met", "met")
    cut = client.post(
        "/api/disruptions",
        json={"kind": "link-reduced", "target": "rzeszow>lviv:road", "from_date": "2026-01-01",
              "capacity": 0},
    )  # fmt: skip
    assert cut.status_code == 201, cut.text
    assert [t["node"] for t in client.get("/api/throughput").json()][:1]


def test_the_cli_story(runtime: Runtime) -> None:
    env = {**os.environ, "MATERIEL_DATABASE_URL": runtime.settings.database_url}

    def materiel(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "materiel", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, (args, done.stderr)
        return done.stdout

    assert "accepted" in materiel("transport", "run", "--time-limit", "10", "--accept")
    listing = materiel("shipment", "list", "--status", "planned")
    sid = service.list_shipments(runtime.uow(), ShipmentStatus.PLANNED)[0].id
    assert sid in listing
    shown = materiel("shipment", "show", sid)
    banner = service.shipment_view(sid, runtime.uow()).shipment.marking.banner
    assert shown.splitlines()[0] == banner == shown.splitlines()[-1]  # marked, top and bottom
    assert listing.splitlines()[0] == listing.splitlines()[-1] and "REL TO" in listing
    hub = shown.split("leg 1: ")[1].split(" -> ")[1].split(" by ")[0]
    materiel("shipment", "dispatch", sid)
    materiel("shipment", "arrive", sid, "--node", hub)
    materiel("shipment", "dispatch", sid, "--node", hub)
    units = int(shown.split(": ")[1].split(" x ")[0])
    serials = ",".join(f"C-{n}" for n in range(units))
    materiel(
        "shipment", "hand-over", sid, "--node", "lviv", "--serials", serials,
        "--from", "DEU", "--to", "47th Brigade", "--ack", "Sgt. Melnyk",
    )  # fmt: skip
    received = materiel(
        "shipment", "receive", sid, "--units", str(units - 1), "--ack", "Sgt. Melnyk",
        "--short", "1:left at the border crossing",
    )  # fmt: skip
    assert "received" in received
    assert "47th Brigade" in materiel("asset", "C-0")
    assert "OPEN" in materiel("shipment", "show", sid)
    board = materiel("shipment", "board")
    assert "open discrepancy" in board and "busiest day" in board


def test_a_replan_is_reviewed_on_its_page_then_accepted(runtime: Runtime) -> None:
    """After a link is cut, the new plan's page shows its lateness against the plan it
    replaces and what changed, movement by movement, before anyone accepts it."""
    first = transport_service.run_transport(runtime.uow("planner"), time_limit_s=10)
    transport_service.accept_transport_plan(first.id or 0, None, runtime.uow("chief"))
    service.add_disruption(
        DisruptionKind.LINK_REDUCED, "rzeszow>lviv:road", from_date=date(2026, 1, 1),
        capacity=0, note="bridge closed", uow=runtime.uow("operator"),
    )  # fmt: skip
    second = transport_service.run_transport(runtime.uow("planner"), time_limit_s=10)
    assert second.basis_id == first.id and second.changes
    client = signed_in_client(runtime)
    listing = client.get("/shipments").text
    assert f'href="/transport-plans/{second.id}"' in listing
    page = client.get(f"/transport-plans/{second.id}")
    assert page.status_code == 200
    figures = page.text.split('id="figures"')[1].split("</table>")[0]
    assert f"Transport plan {first.id}" in figures
    assert f">{second.objective['unit_days_late']}<" in figures
    changed = page.text.split('id="changes"')[1].split("</table>")[0]
    assert changed.count("<tr>") == 1 + len(second.changes)  # the header, then one per movement
    for change in second.changes:
        pledge, requirement = change["movement"].split(">")
        assert f'href="/pledges/{pledge}"' in changed and f">{requirement}</a>" in changed
    accepted = client.post(
        f"/transport-plans/{second.id}/accept",
        data={"version": str(second.version)},
        headers={"Origin": "http://testserver"},
        follow_redirects=False,
    )
    assert accepted.status_code == 303, accepted.text
    assert "accepted" in accepted.headers["location"]
