"""API tokens: issued once, listed without secrets, scoped, expiring, revocable, rate-limited."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import update

from materiel.bootstrap import Runtime
from materiel.core.dates import utc_now
from materiel.core.principal import Role
from materiel.platform.identity import service
from materiel.platform.identity.store import api_tokens
from tests.auth import auth_headers
from tests.identity.support import ORIGIN, browser, sign_in, user, with_identity

REQUIREMENT = {
    "ref": "REQ-T",
    "item_type": "no-such-type",
    "quantity": 1,
    "priority": 1,
    "needed_by": "2027-03-01",
    "unit": "Test brigade",
    "destination": "nowhere",
}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def session_client(
    runtime: Runtime, role: Role = Role.COORDINATOR, nation: str = "NATO"
) -> TestClient:
    """Signed in at /login: tokens are issued from a person's session, never by a token."""
    client = browser(runtime)
    sign_in(client, user(runtime, role, nation))
    client.headers.update(ORIGIN)
    return client


def issue(client: TestClient, scopes: list[str], days: int = 7) -> dict[str, str]:
    response = client.post("/api/auth/tokens", json={"name": "ci", "scopes": scopes, "days": days})
    assert response.status_code == 201, response.text
    body: dict[str, str] = response.json()
    return body


def test_issue_list_use_and_revoke_a_token(runtime: Runtime) -> None:
    client = session_client(runtime, Role.PARTNER_LOGISTICS, "UKR")
    issued = issue(client, ["read"])
    assert issued["token"].startswith("mtl_") and issued["scopes"] == ["read"]
    listed = client.get("/api/auth/tokens").json()["items"]
    assert issued["id"] in {token["id"] for token in listed}
    assert all("token" not in token and "token_hash" not in token for token in listed)
    anonymous = browser(runtime)
    me = anonymous.get("/api/auth/me", headers=bearer(issued["token"])).json()
    assert (me["username"], me["nation"]) == ("partner-logistics-ukr", "UKR")
    assert client.delete(f"/api/auth/tokens/{issued['id']}").status_code == 204
    refused = anonymous.get("/api/auth/me", headers=bearer(issued["token"]))
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


def test_only_the_owner_may_revoke_a_token(runtime: Runtime) -> None:
    owner = session_client(runtime, Role.DONOR_LIAISON, "POL")
    issued = issue(owner, ["read"])
    other = session_client(runtime, Role.DONOR_LIAISON, "DEU")
    assert other.delete(f"/api/auth/tokens/{issued['id']}").status_code == 404
    assert browser(runtime).get("/api/auth/me", headers=bearer(issued["token"])).is_success


def test_an_expired_token_is_refused_with_what_to_do(runtime: Runtime) -> None:
    secret = auth_headers(runtime)["Authorization"].removeprefix("Bearer ")
    client = browser(runtime)
    assert client.get("/api/auth/me", headers=bearer(secret)).status_code == 200
    with runtime.engine.begin() as connection:
        connection.execute(update(api_tokens).values(expires_at=utc_now() - timedelta(minutes=1)))
    refused = client.get("/api/auth/me", headers=bearer(secret))
    assert refused.status_code == 401
    assert "expired" in refused.json()["detail"] and "issue a new one" in refused.json()["detail"]


def test_an_unknown_or_malformed_credential_is_refused(runtime: Runtime) -> None:
    client = browser(runtime)
    assert client.get("/api/pledges", headers=bearer("mtl_made-up")).status_code == 401
    assert client.get("/api/pledges", headers={"Authorization": "Basic eDp5"}).status_code == 401


def test_a_read_token_may_read_but_not_write(runtime: Runtime) -> None:
    issued = service.issue_token(
        user(runtime), "reader", ["read"], 1, settings=runtime.settings.identity, uow=runtime.uow()
    )
    client = browser(runtime)
    assert client.get("/api/requirements", headers=bearer(issued.secret)).status_code == 200
    refused = client.post("/api/requirements", json=REQUIREMENT, headers=bearer(issued.secret))
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]
    # The same call with a write token gets past authentication to validation.
    writer = client.post("/api/requirements", json=REQUIREMENT, headers=auth_headers(runtime))
    assert writer.status_code == 422


def test_a_disabled_users_tokens_stop_working(runtime: Runtime) -> None:
    headers = auth_headers(runtime, Role.AUDITOR, "NATO")
    client = browser(runtime)
    assert client.get("/api/auth/me", headers=headers).status_code == 200
    service.set_active("auditor-nato", False, runtime.uow())
    assert client.get("/api/auth/me", headers=headers).status_code == 401


def test_the_token_endpoint_is_rate_limited(runtime: Runtime) -> None:
    limited = with_identity(runtime, token_calls_per_user=2)
    client = session_client(limited)
    issue(client, ["read"])
    issue(client, ["read"])
    refused = client.post("/api/auth/tokens", json={"name": "x", "scopes": ["read"], "days": 1})
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0


def test_token_lifetimes_and_scopes_are_checked(runtime: Runtime) -> None:
    client = session_client(runtime)
    too_long = client.post("/api/auth/tokens", json={"name": "x", "scopes": ["read"], "days": 9999})
    assert too_long.status_code == 422
    bad_scope = client.post("/api/auth/tokens", json={"name": "x", "scopes": ["admin"], "days": 1})
    assert bad_scope.status_code == 422
