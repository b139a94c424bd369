"""OpenID Connect sign-in end to end against a local fake provider."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from materiel.bootstrap import Runtime
from materiel.core.principal import Role
from materiel.platform.identity import service
from tests.auth import ensure_user
from tests.identity.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeProvider, running_provider
from tests.identity.support import browser, with_identity

KEYCLOAK_LIKE_CLAIMS = {
    "preferred_username": "o.kovalenko",
    "name": "Olena Kovalenko",
    "nation": "UKR",
    "organisation": "Ministry of Defence of Ukraine",
    "roles": ["partner-logistics", "offline_access", "uma_authorization"],
}


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeProvider]:
    with running_provider() as running:
        yield running


@pytest.fixture
def client(runtime: Runtime, provider: FakeProvider) -> TestClient:
    provider.claims = dict(KEYCLOAK_LIKE_CLAIMS)
    provider.tamper = provider.wrong_nonce = False
    configured = with_identity(
        runtime,
        oidc_issuer=provider.url,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
    )
    return browser(configured)


def round_trip(client: TestClient, next_path: str = "/pledges") -> httpx.Response:
    """Our login -> the provider (approves at once) -> our callback."""
    out = client.get(f"/auth/oidc/login?next={next_path}")
    assert out.status_code == 302, out.text
    authorize = urlsplit(out.headers["location"])
    query = parse_qs(authorize.query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["nonce"] and query["state"]
    at_provider = httpx.get(out.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302
    callback = at_provider.headers["location"]
    assert callback.startswith("https://testserver/auth/oidc/callback?")
    return client.get(callback)


def test_a_new_user_is_provisioned_from_the_claims_and_signed_in(client: TestClient) -> None:
    back = round_trip(client)
    assert back.status_code == 200, back.text
    assert 'url=/pledges"' in back.text  # continues to the page asked for
    assert "samesite=strict" in back.headers["set-cookie"].lower()
    me = client.get("/api/auth/me").json()
    assert me == {
        "username": "o.kovalenko",
        "nation": "UKR",
        "organisation": "ukr-ministry-of-defence-of-ukraine",
        "roles": ["partner_logistics"],
        "clearance": "NATO UNCLASSIFIED",
    }
    assert client.get("/pledges").status_code == 200


def test_an_existing_user_keeps_the_roles_we_gave_them(
    client: TestClient, runtime: Runtime, provider: FakeProvider
) -> None:
    username = ensure_user(runtime, Role.AUDITOR, "NATO")
    provider.claims = {"preferred_username": username, "roles": ["coordinator"]}
    assert round_trip(client).status_code == 200
    me = client.get("/api/auth/me").json()
    assert (me["username"], me["roles"]) == (username, ["auditor"])


def test_a_stranger_without_roles_is_refused(client: TestClient, provider: FakeProvider) -> None:
    provider.claims = {"preferred_username": "stranger", "nation": "DEU"}
    back = round_trip(client)
    assert back.status_code == 401
    assert "not a materiel user yet" in back.text
    assert client.get("/api/auth/me").status_code == 401


def test_an_id_token_signed_by_another_key_is_refused(
    client: TestClient, provider: FakeProvider, runtime: Runtime
) -> None:
    provider.tamper = True
    back = round_trip(client)
    assert back.status_code == 401
    assert "identity provider failed" in back.text
    assert client.get("/api/auth/me").status_code == 401
    assert service.list_users(runtime.uow()) == []


def test_an_id_token_with_another_nonce_is_refused(
    client: TestClient, provider: FakeProvider
) -> None:
    provider.wrong_nonce = True
    back = round_trip(client)
    assert back.status_code == 401
    assert "nonce" in back.text.lower()
    assert client.get("/api/auth/me").status_code == 401


def test_a_callback_with_a_forged_state_is_refused(client: TestClient) -> None:
    client.get("/auth/oidc/login")  # a real state is in the signed cookie, but not this one
    back = client.get("/auth/oidc/callback?code=whatever&state=forged")
    assert back.status_code == 401
    assert client.get("/api/auth/me").status_code == 401
