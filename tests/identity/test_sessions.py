"""Browser sign-in: cookies, wrong passwords, rate limits, sign-out, CSRF, expiry."""

from __future__ import annotations

from datetime import timedelta

from argon2 import PasswordHasher
from sqlalchemy import update

from materiel.bootstrap import Runtime
from materiel.core.dates import utc_now
from materiel.core.principal import Role
from materiel.platform.identity import service
from materiel.platform.identity.store import login_sessions, users
from tests.auth import TEST_PASSWORD
from tests.identity.support import ORIGIN, browser, sign_in, user, with_identity


def test_signing_in_sets_a_secure_httponly_strict_cookie(runtime: Runtime) -> None:
    username = user(runtime, Role.DONOR_LIAISON, "DEU")
    client = browser(runtime)
    response = client.post(
        "/login", data={"username": username, "password": TEST_PASSWORD, "next": "/pledges"}
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("materiel_session=")
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")}
    assert {"secure", "httponly", "max-age", "path"} <= attributes
    assert "samesite=strict" in cookie.lower()
    me = client.get("/api/auth/me").json()
    assert (me["username"], me["nation"], me["roles"]) == (username, "DEU", ["donor_liaison"])
    page = client.get("/pledges")
    assert page.status_code == 200
    assert username in page.text and "Sign out" in page.text


def test_a_wrong_password_and_an_unknown_user_get_the_same_answer(runtime: Runtime) -> None:
    username = user(runtime)
    client = browser(runtime)
    wrong = client.post("/login", data={"username": username, "password": "not the password"})
    unknown = client.post("/login", data={"username": "nobody", "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert "username or password is wrong" in wrong.text
    assert "username or password is wrong" in unknown.text
    assert "set-cookie" not in wrong.headers
    assert client.get("/api/auth/me").status_code == 401


def test_too_many_failed_logins_are_refused_with_retry_after(runtime: Runtime) -> None:
    limited = with_identity(runtime, login_failures_per_user=3, login_window_seconds=600)
    username = user(limited)
    client = browser(limited)
    for _ in range(3):
        response = client.post("/login", data={"username": username, "password": "wrong guess"})
        assert response.status_code == 401
    refused = client.post("/login", data={"username": username, "password": TEST_PASSWORD})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 600
    assert "set-cookie" not in refused.headers


def test_failed_logins_from_one_address_are_limited_across_usernames(runtime: Runtime) -> None:
    limited = with_identity(runtime, login_failures_per_address=4)
    client = browser(limited)
    for n in range(4):
        client.post("/login", data={"username": f"guess{n}", "password": "wrong guess"})
    refused = client.post("/login", data={"username": user(limited), "password": TEST_PASSWORD})
    assert refused.status_code == 429 and "Retry-After" in refused.headers


def test_signing_out_ends_the_session_on_the_server(runtime: Runtime) -> None:
    client = browser(runtime)
    sign_in(client, user(runtime))
    cookie = client.cookies["materiel_session"]
    out = client.post("/logout", headers=ORIGIN)
    assert (out.status_code, out.headers["location"]) == (303, "/login")
    # A copy of the cookie kept by an attacker is worthless now.
    replay = browser(runtime)
    replay.cookies.set("materiel_session", cookie, domain="testserver")
    assert replay.get("/api/auth/me").status_code == 401
    assert replay.get("/pledges").status_code == 303


def test_a_cookie_request_that_changes_something_must_come_from_our_pages(
    runtime: Runtime,
) -> None:
    client = browser(runtime)
    sign_in(client, user(runtime))
    body = {"name": "script", "scopes": ["read"], "days": 1}
    assert client.post("/api/auth/tokens", json=body).status_code == 403
    other_site = {"Origin": "https://evil.example"}
    assert client.post("/api/auth/tokens", json=body, headers=other_site).status_code == 403
    assert client.post("/api/auth/tokens", json=body, headers=ORIGIN).status_code == 201
    # Under Referrer-Policy no-referrer a browser's form post says Origin: null, and
    # Sec-Fetch-Site tells where it came from.
    same = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/auth/tokens", json=body, headers=same).status_code == 201
    cross = {"Origin": "https://testserver", "Sec-Fetch-Site": "cross-site"}
    assert client.post("/api/auth/tokens", json=body, headers=cross).status_code == 403
    assert client.post("/logout").status_code == 403  # no Origin: not from our page
    assert client.get("/api/auth/me").status_code == 200  # still signed in


def test_an_idle_or_expired_session_ends(runtime: Runtime) -> None:
    client = browser(runtime)
    sign_in(client, user(runtime))
    assert client.get("/api/auth/me").status_code == 200
    with runtime.engine.begin() as connection:
        connection.execute(
            update(login_sessions).values(last_seen_at=utc_now() - timedelta(minutes=61))
        )
    assert client.get("/api/auth/me").status_code == 401
    assert client.get("/requirements").headers["location"] == "/login?next=%2Frequirements"
    # A fragment htmx refreshes sends the whole page to sign in, and back to it after.
    htmx = {"HX-Request": "true", "HX-Current-URL": "http://testserver/plans?status=draft"}
    fragment = client.get("/requirements", headers=htmx)
    assert fragment.status_code == 204
    assert fragment.headers["HX-Redirect"] == "/login?next=%2Fplans%3Fstatus%3Ddraft"
    elsewhere = {"HX-Request": "true", "HX-Current-URL": "https://evil.example//x"}
    away = client.get("/requirements", headers=elsewhere)
    assert away.headers["HX-Redirect"] == "/login?next=%2F"


def test_disabling_a_user_ends_their_sessions(runtime: Runtime) -> None:
    username = user(runtime)
    client = browser(runtime)
    sign_in(client, username)
    service.set_active(username, False, runtime.uow())
    assert client.get("/api/auth/me").status_code == 401
    again = client.post("/login", data={"username": username, "password": TEST_PASSWORD})
    assert again.status_code == 401


def test_an_old_hash_is_replaced_at_the_next_sign_in(runtime: Runtime) -> None:
    username = user(runtime)
    weak = PasswordHasher(time_cost=1, memory_cost=8192).hash(TEST_PASSWORD)
    with runtime.engine.begin() as connection:
        connection.execute(update(users).values(password_hash=weak))
    sign_in(browser(runtime), username)
    stored = service.get_user(username, runtime.uow()).password_hash
    assert stored is not None and stored != weak and stored.startswith("$argon2id$")


def test_the_login_page_goes_back_only_to_our_own_pages(runtime: Runtime) -> None:
    client = browser(runtime)
    username = user(runtime)
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        response = client.post(
            "/login", data={"username": username, "password": TEST_PASSWORD, "next": target}
        )
        assert response.headers["location"] == "/"
    assert 'name="next" value="/plans"' in client.get("/login?next=/plans").text


def test_another_site_cannot_sign_a_browser_in(runtime: Runtime) -> None:
    client = browser(runtime)
    form = {"username": user(runtime), "password": TEST_PASSWORD}
    refused = client.post("/login", data=form, headers={"Sec-Fetch-Site": "cross-site"})
    assert refused.status_code == 403 and "set-cookie" not in refused.headers
