"""OpenID Connect sign-in (authorization code flow with PKCE) through Authlib.

The provider is found through its discovery document
(`{issuer}/.well-known/openid-configuration`). Authlib keeps state, nonce and
the PKCE verifier in a short-lived signed cookie (Starlette's
SessionMiddleware) between the redirect out and the callback, checks the
state on return, and verifies the ID token's signature (JWKS), issuer,
audience, expiry and nonce.
"""

from __future__ import annotations

import html
import warnings

from authlib.deprecate import AuthlibDeprecationWarning

with warnings.catch_warnings():
    # Authlib 1.9 prefers httpx2 and warns once on import when it finds httpx, which
    # the rest of our stack (Starlette's test client) still uses; httpx works.
    warnings.simplefilter("ignore", AuthlibDeprecationWarning)
    from authlib.integrations.base_client import OAuthError
    from authlib.integrations.starlette_client import OAuth, StarletteOAuth2App
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from joserfc.errors import JoseError
from starlette.middleware.sessions import SessionMiddleware

from materiel.core.errors import MaterielError, NotFound, Unauthenticated
from materiel.platform.identity import service
from materiel.platform.identity.claims import claimed_user
from materiel.platform.identity.pages import login_page
from materiel.platform.identity.request_auth import safe_next, set_session_cookie
from materiel.platform.identity.settings import IdentitySettings

router = APIRouter(prefix="/auth/oidc", include_in_schema=False)
STATE_COOKIE = "materiel_oidc"
STATE_SECONDS = 600
PROVIDER = "idp"


def _client(request: Request) -> StarletteOAuth2App:
    oauth: OAuth | None = request.app.state.oidc
    if oauth is None:
        raise NotFound("sign-in through an identity provider is not set up here; see /login")
    client: StarletteOAuth2App = oauth.create_client(PROVIDER)
    return client


@router.get("/login")
async def oidc_login(request: Request, next: str = "/") -> Response:
    """Send the browser to the identity provider."""
    client = _client(request)
    request.session["next"] = safe_next(next)
    redirect_uri = request.url_for("oidc_callback")
    response: Response = await client.authorize_redirect(request, str(redirect_uri))
    return response


@router.get("/callback", name="oidc_callback")
async def oidc_callback(request: Request) -> Response:
    """Back from the provider: check everything, find or provision the user, sign in."""
    client = _client(request)
    runtime = request.app.state.runtime
    settings: IdentitySettings = runtime.settings.identity
    target = safe_next(request.session.pop("next", "/"))
    try:
        token = await client.authorize_access_token(request)
        if "userinfo" not in token:
            raise Unauthenticated("the identity provider sent no ID token")
        user = service.user_for_claims(claimed_user(token["userinfo"], settings), runtime.uow())
        signed_in = service.open_session(user.username, settings, runtime.uow(user.username))
    except (OAuthError, JoseError, MaterielError) as exc:
        message = getattr(exc, "message", None) or str(exc)
        return login_page(
            request,
            error=f"sign-in through the identity provider failed: {message}",
            status_code=401,
        )
    # A page, not a redirect: the browser arrived here from the provider's site, and a
    # SameSite=Strict cookie set now is only sent on a navigation this site starts.
    response = HTMLResponse(_continue_page(target))
    set_session_cookie(response, signed_in.cookie, settings)
    return response


def _continue_page(target: str) -> str:
    target = html.escape(target, quote=True)
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0;url={target}"><title>Signed in</title></head>'
        f'<body><p>Signed in. <a href="{target}">Continue</a></p></body></html>'
    )


def install(app: FastAPI, settings: IdentitySettings) -> None:
    """Register the provider (when configured) and the routes."""
    app.state.oidc = None
    if settings.oidc_enabled:
        assert settings.oidc_issuer is not None
        oauth = OAuth()
        oauth.register(
            PROVIDER,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            server_metadata_url=settings.oidc_issuer.rstrip("/")
            + "/.well-known/openid-configuration",
            client_kwargs={"scope": settings.oidc_scopes, "code_challenge_method": "S256"},
        )
        app.state.oidc = oauth
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie=STATE_COOKIE,
        max_age=STATE_SECONDS,
        same_site="lax",  # must come back on the provider's top-level redirect
        https_only=True,
    )
    app.include_router(router)
