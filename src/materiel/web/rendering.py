"""Rendering pages: one template environment, the marking banner, htmx partials.

Every page shows the classification and releasability of the most
restrictive record on it, at the top and the bottom, as systems in this
field do.
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
from markupsafe import Markup

from materiel.core.dates import format_dtg
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
