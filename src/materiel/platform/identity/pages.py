"""Sign-in and sign-out pages, and the redirect of signed-out browsers to /login."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from materiel.core.errors import Forbidden, TooManyRequests, Unauthenticated
from materiel.platform.identity import service
from materiel.platform.identity.request_auth import (
    CROSS_SITE,
    SESSION_COOKIE,
    SignInRequired,
    check_same_origin,
    clear_session_cookie,
    client_address,
    safe_next,
    set_session_cookie,
)
from materiel.web.rendering import page

router = APIRouter(include_in_schema=False)


def login_page(
    request: Request,
    *,
    next_url: str = "/",
    username: str = "",
    error: str | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {
        "next": safe_next(next_url),
        "username": username,
        "error": error,
        "message": message,
        "oidc": request.app.state.runtime.settings.identity.oidc_enabled,
    }
    return page(request, "login.html", context, status_code=status_code)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> HTMLResponse:
    return login_page(request, next_url=next)


@router.post("/login", response_class=HTMLResponse)
def login_submit(
    request: Request,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    runtime = request.app.state.runtime
    settings = runtime.settings.identity
    if request.headers.get("sec-fetch-site", "same-origin") != "same-origin":
        # Login CSRF: another site must not sign a browser in to an account of its choosing.
        raise Forbidden(CROSS_SITE)
    try:
        signed_in = service.authenticate_password(
            username,
            password,
            client_address(request),
            settings,
            runtime.uow(username or "anonymous"),
        )
    except TooManyRequests as exc:
        response = login_page(
            request, next_url=next, username=username, error=exc.message, status_code=429
        )
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except Unauthenticated as exc:
        return login_page(
            request, next_url=next, username=username, error=exc.message, status_code=401
        )
    redirect = RedirectResponse(safe_next(next), status_code=303)
    set_session_cookie(redirect, signed_in.cookie, settings)
    return redirect


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session on the server, so that a copied cookie is worthless too."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        check_same_origin(request)
        service.end_session(cookie, request.app.state.runtime.uow())
    response = RedirectResponse("/login", status_code=303)
    clear_session_cookie(response)
    return response


async def _to_login(request: Request, exc: Exception) -> Response:
    """To /login, then back; a fragment htmx asked for sends the whole page there.

    Otherwise htmx would swap the sign-in page into the part of the page it
    was refreshing (a job's progress, say) when the session has ended.
    """
    assert isinstance(exc, SignInRequired)
    if request.headers.get("HX-Request") == "true":
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        back = safe_next(current.path + (f"?{current.query}" if current.query else ""))
        response = Response(status_code=204)
        response.headers["HX-Redirect"] = f"/login?next={quote(back, safe='')}"
        return response
    return RedirectResponse(f"/login?next={quote(exc.next_url, safe='')}", status_code=303)


def install(app: FastAPI) -> None:
    """Signed-out browsers asking for a page go to /login and come back after."""
    app.add_exception_handler(SignInRequired, _to_login)
    app.include_router(router)
