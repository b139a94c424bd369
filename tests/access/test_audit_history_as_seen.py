"""A record's audit history is read as the record is.

An entry holds whole snapshots of the record, so the history of a record a
reader may not see would show it: P-DEU-S is NATO SECRET, released to DEU
only. On SQLite and PostgreSQL, and under row-level security alone.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.logistics import service
from tests.access import reference
from tests.access.test_donor_transfers import planned_world
from tests.access.test_need_to_know import app_role_runtime, make_user
from tests.access.test_plan_figures_as_seen import FULL, PARTIAL

ADMIN = reference.User("admin-s", "NATO", frozenset({Role.ADMINISTRATOR}), 3)


def check_histories(client: TestClient, owner: Runtime) -> None:
    planned_world(owner)
    secret = next(s.id for s in service.list_shipments(owner.uow()) if s.pledge == "P-DEU-S")
    paths = ("/api/audit/pledge/P-DEU-S", f"/api/audit/shipment/{secret}")
    for user, sees_secret in ((FULL, True), (PARTIAL[0], False), (ADMIN, False)):
        headers = {"Authorization": f"Bearer {make_user(owner, user)}"}
        for path in paths:
            answer = client.get(path, headers=headers)
            assert answer.status_code == (200 if sees_secret else 404), (user, path)
            assert (answer.status_code == 200) == bool(sees_secret and answer.json())
        if user is not ADMIN:
            shown = client.get("/api/audit/pledge/P-DEU", headers=headers)
            assert shown.status_code == 200 and shown.json(), user


def test_a_history_is_read_as_its_record(runtime: Runtime) -> None:
    check_histories(TestClient(create_app(runtime)), runtime)


@pytest.mark.postgres
def test_a_history_under_row_level_security_alone(postgres_url: str) -> None:
    with app_role_runtime(postgres_url) as (app, owner):
        check_histories(TestClient(create_app(app)), owner)
