"""Who sent an HTTP request: a bearer token, else the session cookie, else nobody.

Cookie-authenticated requests that change something must come from our own
pages: SameSite=Strict already keeps the cookie off cross-site requests, and
we also require the browser to say so: `Sec-Fetch-Site: same-origin` (every
current browser sends it), or else an Origin (or Referer) header naming this
host. Origin alone is not enough: under our `Referrer-Policy: no-referrer`
browsers send `Origin: null` with form posts. Bearer-token requests
need no such check: a browser never attaches the token on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi import Request, Response

from materiel.core.errors import Forbidden, Unauthenticated
from materiel.core.principal import Principal
from materiel.platform.identity import service
from materiel.platform.identity.model import SAFE_METHODS
from materiel.platform.identity.settings import IdentitySettings
from materiel.platform.unit_of_work import UnitOfWork

SESSION_COOKIE = "materiel_session"
CROSS_SITE = (
    "this change did not come from a materiel page (Sec-Fetch-Site/Origin/Referer is missing "
    "or names another site); submit it from the application, or use an API token"
)
ISSUED_ONLY_BY_PEOPLE = (
    "an API token cannot issue API tokens (a leaked one could otherwise mint tokens that "
    "outlive it, its revocation and its scope); sign in at /login and issue it from that "
    "session (POST /api/auth/tokens), or run `materiel token issue USERNAME`"
)
# How the request proved who sent it; kept on request.state.credential.
SESSION_CREDENTIAL = "session"
TOKEN_CREDENTIAL = "api-token"  # noqa: S105 (a label, not a secret)
NOT_SIGNED_IN = (
    "you are not signed in: send 'Authorization: Bearer <token>' (issue one with "
    "`materiel token issue`), or sign in at /login"
)


class SignInRequired(Unauthenticated):
    """A page was asked for without a sign-in: the browser goes to /login and back."""

    def __init__(self, message: str, next_url: str) -> None:
        super().__init__(message)
        self.next_url = next_url


def principal_for_request(
    request: Request, uow: Callable[[], UnitOfWork], settings: IdentitySettings
) -> Principal:
    authorization = request.headers.get("authorization")
    if authorization:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("send the API token as 'Authorization: Bearer <token>'")
        principal = service.principal_for_token(token, request.method, uow())
        request.state.credential = TOKEN_CREDENTIAL
        return principal
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        principal = service.principal_for_session(cookie, settings, uow())
        check_same_origin(request)
        request.state.credential = SESSION_CREDENTIAL
        return principal
    raise Unauthenticated(NOT_SIGNED_IN)


def check_signed_in_session(request: Request) -> None:
    """Refuse unless a person signed in (a browser session): API tokens may not issue tokens.

    A token that could issue tokens would let a leaked one outlive itself: a
    1-day token could mint a 365-day one, and revoking the leaked token would
    not end the attacker's access. Tokens come only from a signed-in session
    or the command line, which both need more than a token.
    """
    if getattr(request.state, "credential", None) != SESSION_CREDENTIAL:
        raise Forbidden(ISSUED_ONLY_BY_PEOPLE)


def check_same_origin(request: Request) -> None:
    """Refuse a state-changing cookie request that did not come from this site."""
    if request.method.upper() in SAFE_METHODS:
        return
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site != "same-origin":
        raise Forbidden(CROSS_SITE)
    if fetch_site == "same-origin":
        return
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    if urlsplit(source).netloc != request.headers.get("host"):
        raise Forbidden(CROSS_SITE)


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


def set_session_cookie(response: Response, cookie: str, settings: IdentitySettings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        cookie,
        max_age=settings.session_hours * 3600,
        path="/",
        secure=True,
        httponly=True,
        samesite="strict",
    )


def clear_session_cookie(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict")


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect to another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target
