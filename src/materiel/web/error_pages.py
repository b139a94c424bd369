"""Errors met while a person browses: a page in the layout, not a JSON problem.

The API answers every error as RFC 9457 problem details (`api/problems.py`);
a browser that asked for a page (not an API path, `Accept: text/html`) gets
the same title, detail and problems as a page with a way back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from materiel.web.rendering import page


def wants_page(request: Request) -> bool:
    """A browser navigation or form post outside the API."""
    accept = request.headers.get("accept", "")
    return not request.url.path.startswith("/api") and "text/html" in accept


def error_page(
    request: Request,
    status: int,
    title: str,
    detail: str,
    problems: Sequence[dict[str, Any]] = (),
) -> HTMLResponse:
    context = {"status": status, "title": title, "detail": detail, "problems": problems}
    return page(request, "error.html", context, status_code=status)
