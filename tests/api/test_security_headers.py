"""Every response carries the security headers: each route in the app's table, static files,
errors. Pages hold no inline script or style for the policy to refuse.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Route

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from tests.auth import signed_in_client

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "materiel" / "web" / "templates"
EXPECTED = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}
PAGE_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "frame-ancestors": "'none'",
}


def all_routes(routes: Sequence[BaseRoute], prefix: str = "") -> Iterator[tuple[str, Route]]:
    """(path, route) for every route, inside included routers too."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            inner_prefix = prefix + getattr(route, "include_context").prefix  # noqa: B009
            yield from all_routes(included.routes, inner_prefix)
        elif isinstance(route, Route):
            yield prefix + route.path, route


def concrete(path: str) -> str:
    """A path with every parameter filled in (the record need not exist)."""
    return re.sub(r"\{[^}]+\}", "x1", path)


def csp(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def assert_secured(response: httpx.Response, *, stored: bool) -> None:
    where = f"{response.request.method} {response.request.url.path} ({response.status_code})"
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, f"{where}: {name}"
    assert "camera=()" in response.headers["permissions-policy"], where
    policy = csp(response)
    for directive, value in PAGE_CSP.items():
        assert policy[directive].startswith(value), f"{where}: {directive}"
    assert "unsafe-inline" not in response.headers["content-security-policy"], where
    if not stored:
        assert response.headers.get("cache-control") == "no-store", where


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    return signed_in_client(runtime)


def test_every_route_answers_with_the_headers(client: TestClient, runtime: Runtime) -> None:
    anonymous = TestClient(create_app(runtime))
    routes = list(all_routes(client.app.routes))  # type: ignore[attr-defined]
    assert len(routes) > 40, "the route table was not walked"
    for path, route in routes:
        for method in sorted(route.methods or ()):
            if method == "HEAD":
                continue
            # GETs as a signed-in user reach the handlers; other methods are sent without
            # credentials, so that nothing runs, and must be refused with the headers too.
            caller = client if method == "GET" else anonymous
            response = caller.request(method, concrete(path), follow_redirects=False)
            assert_secured(response, stored=False)


def test_static_files_and_unknown_paths_carry_them(client: TestClient) -> None:
    static = client.get("/static/app/app.css")
    assert static.status_code == 200
    assert_secured(static, stored=True)
    assert static.headers.get("cache-control") != "no-store"  # assets may be cached
    assert_secured(client.get("/no/such/page"), stored=False)


def test_data_responses_are_not_stored(client: TestClient) -> None:
    for path in ("/api/health", "/requirements", "/api/exports/pledges?format=csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path


def test_api_docs_allow_exactly_their_inline_script(client: TestClient) -> None:
    docs = client.get("/docs")
    if docs.status_code == 503:
        pytest.skip("Swagger UI assets are not installed (npm ci)")
    scripts = re.findall(r"<script>(.*?)</script>", docs.text, re.DOTALL)
    assert scripts, "the docs page starts Swagger UI with an inline script"
    hashes = {
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in scripts
    }
    policy = csp(docs)
    assert set(policy["script-src"].split()) == {"'self'", *hashes}
    assert_secured(docs, stored=False)


def test_a_refused_upload_carries_them(client: TestClient) -> None:
    response = client.post("/api/imports/nodes", files={"file": ("x.xlsx", b"\x00" * 10)})
    assert response.status_code == 422
    assert_secured(response, stored=False)


INLINE = [
    (re.compile(r"\sstyle\s*="), "style attribute"),
    (re.compile(r"\son[a-z]+\s*="), "inline event handler"),
    (re.compile(r"<script(?![^>]*\b(?:src=|type=\"application/json\"))[^>]*>"), "inline script"),
    (re.compile(r"<style\b"), "style element"),
    (re.compile(r"javascript:"), "javascript: URL"),
]


@pytest.mark.parametrize("template", sorted(TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_templates_hold_no_inline_script_or_style(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    found: list[Any] = [what for pattern, what in INLINE if pattern.search(text)]
    assert not found, f"{template.name}: {found} (the Content-Security-Policy refuses them)"
