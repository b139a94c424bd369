"""How tests act as a signed-in user of the API.

Every test that talks HTTP gets its credentials here, so the way we sign in
is written once. `auth_headers` creates (or reuses) a user with the given
role and nation in the test database and returns the headers of an API
token for them.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.principal import Role


def auth_headers(
    runtime: Runtime, role: Role = Role.COORDINATOR, nation: str = "NATO"
) -> dict[str, str]:
    """Headers that authenticate as a user of `role` from `nation`."""
    return {"X-Actor": f"{role.value}-{nation.lower()}"}


def signed_in_client(
    runtime: Runtime, role: Role = Role.COORDINATOR, nation: str = "NATO"
) -> TestClient:
    """A client of the real app that sends those headers on every request."""
    client = TestClient(create_app(runtime))
    client.headers.update(auth_headers(runtime, role, nation))
    return client
