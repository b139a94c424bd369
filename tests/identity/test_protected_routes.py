"""Every route but the public few needs a sign-in: the API answers 401, pages go to /login."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from tests.auth import auth_headers
from tests.identity.support import browser

PUBLIC = {
    "/api/health",
    "/login",
    "/logout",
    "/auth/oidc/login",
    "/auth/oidc/callback",
    "/docs",
    "/openapi.json",
}


def concrete(path: str) -> str:
    """A request path for a route template: every parameter becomes `x1`."""
    return re.sub(r"\{[^}]+\}", "x1", path)


def protected_routes(runtime: Runtime) -> list[RouteContext]:
    """Every HTTP route of the app as served (with its router's prefix), but the public."""
    contexts = iter_route_contexts(create_app(runtime).routes)
    routes = [c for c in contexts if isinstance(c.original_route, APIRoute)]
    return [r for r in routes if r.path not in PUBLIC]


def test_without_credentials_the_api_answers_401_and_pages_redirect(runtime: Runtime) -> None:
    client = browser(runtime)
    routes = protected_routes(runtime)
    assert len(routes) > 60  # the whole app, not a handful
    wrong = []
    for route in routes:
        assert route.path is not None and route.methods is not None
        for method in sorted(route.methods - {"HEAD"}):
            path = concrete(route.path)
            response = client.request(method, path)
            if route.include_in_schema:  # an API route
                ok = response.status_code == 401 and response.json()["title"] == "Not signed in"
            else:  # a page: back to it after signing in
                expected = f"/login?next={quote(path, safe='')}"
                ok = response.status_code == 303 and response.headers["location"] == expected
            if not ok:
                wrong.append((method, route.path, response.status_code))
    assert not wrong, wrong


def test_the_public_routes_answer_without_credentials(runtime: Runtime) -> None:
    client = browser(runtime)
    assert client.get("/api/health").json() == {"status": "ok"}
    assert client.get("/login").status_code == 200
    assert client.get("/openapi.json").status_code == 200
    assert client.post("/logout").status_code == 303
    assert client.get("/auth/oidc/login").status_code == 404  # no provider set up here


def test_the_openapi_schema_declares_bearer_tokens(runtime: Runtime) -> None:
    schema = browser(runtime).get("/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["HTTPBearer"] == {
        "type": "http",
        "scheme": "bearer",
        "description": schemes["HTTPBearer"]["description"],
    }
    secured = schema["paths"]["/api/pledges"]["get"]["security"]
    assert secured == [{"HTTPBearer": []}]
    assert "security" not in schema["paths"]["/api/health"]["get"]


def test_the_same_routes_answer_with_a_token(runtime: Runtime) -> None:
    client = browser(runtime)
    headers = auth_headers(runtime)
    assert client.get("/api/pledges", headers=headers).status_code == 200
    assert client.get("/pledges", headers=headers).status_code == 200
