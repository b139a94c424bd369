"""Rendering pages: one template environment, the marking banner, htmx partials.

Every page shows the classification and releasability of the most
restrictive record on it, at the top and the bottom, as systems in this
field do. This module also holds what every page with forms needs: whether
the user may use a form at all (`may_change`, also a template global), and
the signed notice a redirect carries to the next page (`notice_url`,
`notices`) instead of raw text in the URL.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, TimestampSigner
from markupsafe import Markup

from materiel.access_policy import POLICY
from materiel.core.dates import format_dtg
from materiel.core.errors import Forbidden
from materiel.core.markings import Marking, most_restrictive
from materiel.web.forms import display_text

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES)


def _dtg(value: datetime | None) -> str:
    return f"{format_dtg(value)} ({value:%Y-%m-%d %H:%M}Z)" if value else ""


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _figure(value: float | None, spec: str = "") -> str | Markup:
    """A plan's figure, or a dash where it would sum over lines the reader may not read."""
    if value is None:
        return Markup('<span title="not shown: it sums over lines you may not read">—</span>')
    return format(value, spec)


templates.env.filters["dtg"] = _dtg
templates.env.filters["figure"] = _figure
templates.env.filters["day"] = _day
templates.env.filters["display"] = lambda value: display_text(value, ", ")


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def page(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    markings: Iterable[Marking] = (),
    status_code: int = 200,
) -> HTMLResponse:
    """Render a full page (or, for htmx, the same template's fragment) with its banner."""
    marking = most_restrictive(list(markings))
    full = {
        "request": request,
        "banner": marking.banner,
        "banner_class": marking.classification.name.lower().replace("_", "-"),
        "htmx": is_htmx(request),
        **context,
    }
    return templates.TemplateResponse(request, template, full, status_code=status_code)


def query_with(request: Request, **changes: Any) -> str:
    """The current query string with some parameters changed (for sort and page links)."""
    params = {k: v for k, v in request.query_params.items() if v != ""}
    params.update({k: str(v) for k, v in changes.items() if v is not None})
    return "?" + urlencode(params)


templates.env.globals["query_with"] = query_with


def may_change(request: Request, entity: str, state: dict[str, Any] | None = None) -> bool:
    """Whether the signed-in user may change records of `entity` at all, or this one.

    Pages offer a form only to those who may use it, rather than a 403 after
    it was filled in. The answer is the access policy's own, asked about the
    record as it is (`state`, a snapshot) or, without one, about an empty
    record: exact for the rules that go by role (shipments, plans, jobs,
    demining records); rules that read the record then answer "no" unless
    the role alone allows.
    """
    principal = getattr(request.state, "principal", None)
    if principal is None:
        return False
    try:
        POLICY.check_change(principal, entity, state, state if state is not None else {})
    except Forbidden:
        return False
    return True


templates.env.globals["may_change"] = may_change  # for templates and partials of every page

NOTICE_SECONDS = 300  # long enough to follow a redirect, short enough not to be replayed
_NOTICE_SALT = "materiel.page-notice"


def notice_url(request: Request, path: str, *, message: str = "", error: str = "") -> str:
    """`path` carrying a message (or an error) for the page a redirect leads to.

    The text travels readable but signed, for this user and a few minutes: a
    crafted link cannot put words in the page's alert box, and any text (`&`,
    `#`, ...) arrives whole because it is URL-encoded.
    """
    kind, text = ("error", error) if error else ("message", message)
    token = _notice_signer(request).sign(f"{kind}:{text}").decode()
    path, _, fragment = path.partition("#")
    separator = "&" if "?" in path else "?"
    return f"{path}{separator}{urlencode({'notice': token})}" + (f"#{fragment}" if fragment else "")


def notices(request: Request) -> tuple[str, str]:
    """The message and error of the request's notice; nothing when it is forged, stale or
    was signed for another user."""
    token = request.query_params.get("notice")
    if not token:
        return "", ""
    try:
        value = _notice_signer(request).unsign(token, max_age=NOTICE_SECONDS).decode()
    except BadSignature:  # also SignatureExpired
        return "", ""
    kind, _, text = value.partition(":")
    return (text, "") if kind == "message" else ("", text if kind == "error" else "")


def _notice_signer(request: Request) -> TimestampSigner:
    """Signs for one user: the salt names them, so a notice shows only to whom it was for."""
    secret = request.app.state.runtime.settings.identity.secret_key
    return TimestampSigner(secret, salt=f"{_NOTICE_SALT}:{_username(request)}")


def _username(request: Request) -> str:
    principal = getattr(request.state, "principal", None)
    return str(getattr(principal, "username", ""))
