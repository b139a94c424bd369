"""Errors as RFC 9457 problem details: our error kinds mapped once to HTTP status."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from materiel.core.errors import (
    Busy,
    Conflict,
    Forbidden,
    InvalidInput,
    MaterielError,
    NotFound,
    PlanningFailed,
    StaleVersion,
    TooManyRequests,
    Unauthenticated,
    UploadTooLarge,
)
from materiel.web.error_pages import error_page, wants_page

STATUS_BY_ERROR: tuple[tuple[type[MaterielError], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (TooManyRequests, 429),
    (StaleVersion, 412),
    (Busy, 503),
    (NotFound, 404),
    (UploadTooLarge, 413),
    (Conflict, 409),
    (InvalidInput, 422),
    (PlanningFailed, 422),
    (MaterielError, 400),
)

PROBLEM_JSON = "application/problem+json"

# The body of every error answer, documented once in OpenAPI (RFC 9457 with our `problems`).
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "problems": {"type": "array", "items": {"type": "object"}},
    },
}
ERROR_STATUSES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    412: "Stale version",
    413: "Upload too large",
    422: "Invalid input",
    429: "Too many requests",
    503: "Busy, try again later",
}
# Declared on every API router (create_app) rather than route by route.
RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {PROBLEM_JSON: {"schema": PROBLEM_SCHEMA}}}
    for status, text in ERROR_STATUSES.items()
}


def status_for(error: MaterielError) -> int:
    return next(status for kind, status in STATUS_BY_ERROR if isinstance(error, kind))


def problem(
    status: int, title: str, detail: str, request: Request, problems: list[dict[str, Any]]
) -> Response:
    """The problem document; for a browser asking for a page, the same as a page."""
    if wants_page(request):
        return error_page(request, status, title, detail, problems)
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body |= {"instance": request.url.path, "problems": problems}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


async def _materiel_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MaterielError)
    problems = [
        {"message": p.message, "file": p.file, "row": p.row, "field": p.column}
        for p in exc.problems
    ]
    response = problem(status_for(exc), exc.title, exc.message, request, problems)
    retry_after = getattr(exc, "retry_after", None)  # Busy, TooManyRequests: when to try again
    if retry_after is not None:
        response.headers["Retry-After"] = str(retry_after)
    if isinstance(exc, Unauthenticated):
        response.headers["WWW-Authenticate"] = 'Bearer realm="materiel"'
    return response


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"message": e["msg"], "field": ".".join(str(p) for p in e["loc"][1:]) or None}
        for e in exc.errors()
    ]
    return problem(422, "Invalid input", "the request is malformed", request, problems)


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own refusals (a body that is not JSON, an unknown path) as problems too."""
    assert isinstance(exc, StarletteHTTPException)
    title = HTTPStatus(exc.status_code).phrase
    response = problem(exc.status_code, title, str(exc.detail), request, [])
    response.headers.update(exc.headers or {})
    return response


async def _data_error(request: Request, exc: Exception) -> Response:
    """A value the database refuses (an id past its integer range, a NUL in text): a 422.

    SQLite's driver refuses an integer past 64 bits with a plain OverflowError
    before the database sees it; PostgreSQL's with a DataError.
    """
    assert isinstance(exc, DataError | OverflowError)
    detail = "a value is out of the range the database stores, or holds a NUL character"
    return problem(422, "Invalid input", detail, request, [])


def install(app: FastAPI) -> None:
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DataError, _data_error)
    app.add_exception_handler(OverflowError, _data_error)
    app.add_exception_handler(MaterielError, _materiel_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
