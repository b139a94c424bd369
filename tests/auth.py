"""How tests act as a signed-in user of the API.

Every test that talks HTTP gets its credentials here, so the way we sign in
is written once. `auth_headers` creates (or reuses) a user with the given
role and nation in the test database and returns the headers of a real API
token for them, issued through the identity service.
"""

from __future__ import annotations

from fastapi.testclient import TestClient

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.markings import Classification
from materiel.core.principal import Role
from materiel.platform.identity import service
from materiel.platform.identity.store import IdentityStore

TEST_PASSWORD = "correct horse battery staple"  # noqa: S105 (test users only)


def test_username(role: Role, nation: str) -> str:
    return f"{role.value.replace('_', '-')}-{nation.lower()}"


def ensure_user(runtime: Runtime, role: Role = Role.COORDINATOR, nation: str = "NATO") -> str:
    """A user with this role and nation (one per pair), created when missing."""
    username = test_username(role, nation)
    with runtime.uow() as uow:
        exists = IdentityStore(uow.session).user(username) is not None
    if not exists:
        organisation = f"{nation.lower()}-test"
        service.ensure_organisation(
            organisation, f"{nation} test organisation", nation, runtime.uow()
        )
        new = service.NewUser(
            username=username,
            display_name=f"Test {role.value} of {nation}",
            organisation=organisation,
            nation=nation,
            roles=(role,),
            clearance=Classification.NATO_SECRET,
            password=TEST_PASSWORD,
        )
        service.create_user(new, runtime.uow())
    return username


def auth_headers(
    runtime: Runtime, role: Role = Role.COORDINATOR, nation: str = "NATO"
) -> dict[str, str]:
    """Headers that authenticate as a user of `role` from `nation`."""
    username = ensure_user(runtime, role, nation)
    issued = service.issue_token(
        username,
        "tests",
        ["read", "write"],
        1,
        settings=runtime.settings.identity,
        uow=runtime.uow(),
    )
    return {"Authorization": f"Bearer {issued.secret}"}


def signed_in_client(
    runtime: Runtime, role: Role = Role.COORDINATOR, nation: str = "NATO"
) -> TestClient:
    """A client of the real app that sends those headers on every request."""
    client = TestClient(create_app(runtime))
    client.headers.update(auth_headers(runtime, role, nation))
    return client
