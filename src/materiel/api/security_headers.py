"""Security headers on every response: pages, API, static files.

Our pages load scripts and styles only from our own origin (no inline code,
no CDN: see DESIGN.md section 7), so the Content-Security-Policy allows
'self' and nothing else. The one page we do not write, Swagger UI at
/docs, starts itself with an inline script; that script is allowed by its
hash, computed from the page as served, never by 'unsafe-inline'.
Responses that carry data are never stored by a browser or proxy.
"""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",  # map symbols are drawn as data: SVG images
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
NO_STORE = "no-store"
STATIC_PREFIX = "/static/"  # our own and vendored assets: safe to cache, carry no data
INLINE_SCRIPT_PAGES = frozenset({"/docs"})
_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.DOTALL)


def policy(script_hashes: list[str] | None = None) -> str:
    """The Content-Security-Policy, optionally allowing inline scripts by their hash."""
    directives = dict(DIRECTIVES)
    if script_hashes:
        directives["script-src"] += "".join(f" '{h}'" for h in script_hashes)
    return "; ".join(f"{name} {value}" for name, value in directives.items())


def script_hashes(html: bytes) -> list[str]:
    """CSP hashes of a page's inline scripts, as the browser computes them."""
    return [
        "sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode()
        for script in _INLINE_SCRIPT.findall(html)
    ]


Headers = list[tuple[bytes, bytes]]


def headers_for(path: str, existing: Headers, csp: str) -> Headers:
    """The response's headers with ours set (and our values winning over any others)."""
    ours = {**HEADERS, "content-security-policy": csp}
    kept = [(k, v) for k, v in existing if k.decode("latin-1").lower() not in ours]
    names = {k.decode("latin-1").lower() for k, _ in kept}
    if not path.startswith(STATIC_PREFIX) and "cache-control" not in names:
        ours["cache-control"] = NO_STORE
    return kept + [(k.encode(), v.encode()) for k, v in ours.items()]


class SecurityHeaders:
    """ASGI middleware adding the headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        if path in INLINE_SCRIPT_PAGES:
            await self._with_hashes(path, scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = headers_for(path, list(message.get("headers", [])), policy())
            await send(message)

        await self.app(scope, receive, send_with_headers)

    async def _with_hashes(self, path: str, scope: Scope, receive: Receive, send: Send) -> None:
        """Buffer a small page we do not write, to allow exactly its inline scripts."""
        start: Message = {}
        body = bytearray()

        async def buffer(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                body.extend(message.get("body", b""))

        await self.app(scope, receive, buffer)
        csp = policy(script_hashes(bytes(body)))
        start["headers"] = headers_for(path, list(start.get("headers", [])), csp)
        await send(start)
        await send({"type": "http.response.body", "body": bytes(body)})


def install(app: FastAPI) -> None:
    app.add_middleware(SecurityHeaders)
