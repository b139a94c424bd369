"""Helpers of the identity tests: users with passwords, and clients on https://testserver."""

from __future__ import annotations

from dataclasses import replace

from fastapi.testclient import TestClient

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.platform.identity.settings import IdentitySettings
from tests.auth import TEST_PASSWORD, ensure_user

# https: the session cookie is Secure, and httpx (like a browser) sends it only over https.
BASE_URL = "https://testserver"
ORIGIN = {"Origin": BASE_URL}


def with_identity(runtime: Runtime, **changes: object) -> Runtime:
    """The same database, with some identity settings changed."""
    identity: IdentitySettings = replace(runtime.settings.identity, **changes)  # type: ignore[arg-type]
    return Runtime(
        replace(runtime.settings, identity=identity), runtime.engine, runtime.session_factory
    )


def browser(runtime: Runtime) -> TestClient:
    """A client without credentials, as a browser that has not signed in."""
    return TestClient(create_app(runtime), base_url=BASE_URL, follow_redirects=False)


def sign_in(client: TestClient, username: str, password: str = TEST_PASSWORD) -> None:
    response = client.post(
        "/login", data={"username": username, "password": password, "next": "/pledges"}
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"] == "/pledges"


def user(runtime: Runtime, role: Role = Role.COORDINATOR, nation: str = "NATO") -> str:
    return ensure_user(runtime, role, nation)
