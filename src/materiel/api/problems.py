"""Errors as RFC 9457 problem details: our error kinds mapped once to HTTP status."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from materiel.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    MaterielError,
    NotFound,
    PlanningFailed,
    StaleVersion,
    TooManyRequests,
    Unauthenticated,
)

STATUS_BY_ERROR: tuple[tuple[type[MaterielError], int], ...] = (
    (Unauthenticated, 401),
    (Forbidden, 403),
    (TooManyRequests, 429),
    (StaleVersion, 412),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidInput, 422),
    (PlanningFailed, 422),
    (MaterielError, 400),
)

PROBLEM_JSON = "application/problem+json"


def status_for(error: MaterielError) -> int:
    return next(status for kind, status in STATUS_BY_ERROR if isinstance(error, kind))


def problem(status: int, title: str, detail: str, instance: str, **extra: Any) -> JSONResponse:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body |= {"instance": instance, **extra}
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


async def _materiel_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, MaterielError)
    problems = [
        {"message": p.message, "file": p.file, "row": p.row, "field": p.column}
        for p in exc.problems
    ]
    return problem(status_for(exc), exc.title, exc.message, request.url.path, problems=problems)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"message": e["msg"], "field": ".".join(str(p) for p in e["loc"][1:]) or None}
        for e in exc.errors()
    ]
    return problem(
        422, "Invalid input", "the request is malformed", request.url.path, problems=problems
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(MaterielError, _materiel_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
