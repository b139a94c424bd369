"""A small OpenID Connect provider for tests: discovery, JWKS, authorize, token.

It approves every authorization request at once for one configured user and
answers the code with an RS256-signed ID token. Tests can make it misbehave:
sign with a key it does not publish, or put another nonce in the token.
It runs under uvicorn on 127.0.0.1 and a free port, in a background thread.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "materiel"
CLIENT_SECRET = "fake-client-secret"  # noqa: S105 (test provider only)
KEY_ID = "fake-key-1"


@dataclass
class Grant:
    redirect_uri: str
    nonce: str | None
    challenge: str | None


@dataclass
class FakeProvider:
    """The provider's state; tests change `claims`, `tamper` and `wrong_nonce`."""

    url: str = ""
    claims: dict[str, Any] = field(default_factory=dict)
    tamper: bool = False  # sign with a key that is not in the JWKS
    wrong_nonce: bool = False
    key: RSAKey = field(default_factory=lambda: _key(KEY_ID))
    grants: dict[str, Grant] = field(default_factory=dict)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks", self.jwks),
                Route("/authorize", self.authorize),
                Route("/token", self.token, methods=["POST"]),
            ]
        )

    async def discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.url,
                "authorization_endpoint": f"{self.url}/authorize",
                "token_endpoint": f"{self.url}/token",
                "jwks_uri": f"{self.url}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            }
        )

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        """Approve at once: back to the client with a one-time code and its state."""
        query = request.query_params
        if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
            return JSONResponse({"error": "unauthorized_client"}, status_code=400)
        code = secrets.token_urlsafe(16)
        self.grants[code] = Grant(
            query["redirect_uri"], query.get("nonce"), query.get("code_challenge")
        )
        back = urlencode({"code": code, "state": query.get("state", "")})
        return RedirectResponse(f"{query['redirect_uri']}?{back}", status_code=302)

    async def token(self, request: Request) -> Response:
        form = await request.form()
        if not _client_authenticated(request):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.grants.pop(str(form.get("code")), None)
        if grant is None or grant.redirect_uri != form.get("redirect_uri"):
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        if grant.challenge != _s256(str(form.get("code_verifier", ""))):
            return JSONResponse({"error": "invalid_grant", "why": "PKCE"}, status_code=400)
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(16),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self.id_token(grant.nonce),
            }
        )

    def id_token(self, nonce: str | None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": CLIENT_ID,
            "sub": str(self.claims.get("preferred_username", "someone")),
            "iat": now,
            "exp": now + 300,
            "nonce": "not-the-nonce-you-sent" if self.wrong_nonce else nonce,
            **self.claims,
        }
        key = _key(KEY_ID) if self.tamper else self.key
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, key)


def _key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"})


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _client_authenticated(request: Request) -> bool:
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("basic "):
        return False
    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    return (user, password) == (CLIENT_ID, CLIENT_SECRET)


@contextmanager
def running_provider() -> Iterator[FakeProvider]:
    """The provider served on 127.0.0.1 and a free port until the block ends."""
    provider = FakeProvider()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    provider.url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = uvicorn.Config(provider.app(), log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "fake provider did not start"
        time.sleep(0.05)
    try:
        yield provider
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
