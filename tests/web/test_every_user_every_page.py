"""On the demo scenario, every demo user gets every page and every API read without a
server error: need-to-know hides records, and nothing that reads them may break.

(The partner's logistics officers once got a 500 from `/api/map`: they see the
plan's lines but not the donors' pledges.) Ids for the paths come from the
demo's own records; the routes come from the application's OpenAPI schema.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import text

from materiel.api.app import create_app
from materiel.platform.identity import service as identity
from materiel.platform.identity.demo_users import USERS
from tests.web.support import Site

PAGES = (
    "/", "/requirements", "/pledges", "/catalogue", "/plans", "/map", "/imports", "/shipments",
    "/plans/{plan_id}", "/shipments/{shipment_id}", "/pledges/{pledge_id}",
    "/requirements/{requirement_id}", "/demining", "/transport-plans/{transport_plan_id}",
)  # fmt: skip
IDS = {
    "plan_id": "SELECT id FROM plans",
    "transport_plan_id": "SELECT id FROM transport_plans",
    "shipment_id": "SELECT id FROM shipments",
    "serial": "SELECT serial FROM assets",
    "pledge_id": "SELECT id FROM pledges",
    "requirement_id": "SELECT id FROM requirements",
    "area_id": "SELECT id FROM hazard_areas",
    "job_id": "SELECT id FROM jobs",
    "node_id": "SELECT id FROM nodes",
    "item_type_id": "SELECT id FROM item_types",
    "run_id": "SELECT id FROM tasking_runs",
    "coverage_plan_id": "SELECT id FROM coverage_plans",
    "asset_id": "SELECT id FROM clearance_assets",
    "discrepancy_id": "SELECT id FROM discrepancies",
}


def demo_ids(site: Site) -> dict[str, str]:
    with site.runtime.engine.connect() as connection:
        found = {name: connection.execute(text(sql)).scalar() for name, sql in IDS.items()}
    return {name: str(value) for name, value in found.items() if value is not None}


def test_no_user_meets_a_server_error(site: Site) -> None:
    runtime = site.runtime
    app = create_app(runtime)
    client = TestClient(app, raise_server_exceptions=False)
    ids = demo_ids(site)

    def filled(path: str) -> str | None:
        names = re.findall(r"\{(\w+)\}", path)
        if any(name not in ids for name in names):
            return None
        return re.sub(r"\{(\w+)\}", lambda m: ids[m.group(1)], path)

    api = [p for p, operations in app.openapi()["paths"].items() if "get" in operations]
    visits = [(p, {}) for p in api] + [(p, {"Accept": "text/html"}) for p in PAGES]
    paths = [(path, accept) for p, accept in visits if (path := filled(p)) is not None]
    assert len(paths) >= 40, paths
    for username, *_ in USERS:
        token = identity.issue_token(
            username, "page check", ["read"], 1, settings=runtime.settings.identity,
            uow=runtime.uow("test"),
        ).secret  # fmt: skip
        headers = {"Authorization": f"Bearer {token}"}
        failed = [
            (path, status)
            for path, accept in paths
            if (status := client.get(path, headers={**headers, **accept}).status_code) >= 500
        ]
        assert failed == [], username
