"""What every capability's HTTP routes share: the runtime, paging, JSON, versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Query, Request, Response
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from materiel.core.errors import InvalidInput, Problem, Unauthenticated
from materiel.core.paging import MAX_PAGE_SIZE, Page
from materiel.core.principal import Principal
from materiel.platform.audit import snapshot
from materiel.platform.identity.request_auth import SignInRequired, principal_for_request
from materiel.platform.unit_of_work import UnitOfWork

T = TypeVar("T")


# Declares the bearer scheme in OpenAPI (Swagger UI's "Authorize"); the header is read below.
BEARER = HTTPBearer(auto_error=False, description="an API token: `materiel token issue`")


def authenticated(
    request: Request,
    _bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(BEARER)],
) -> Principal:
    """Who sent this request. Without credentials the API answers 401, a page sends to /login."""
    runtime = request.app.state.runtime
    try:
        principal = principal_for_request(request, runtime.uow, runtime.settings.identity)
    except Unauthenticated as exc:
        if is_page(request):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise SignInRequired(exc.message, target) from exc
        raise
    request.state.principal = principal  # the page layout shows who is signed in
    return principal


def is_page(request: Request) -> bool:
    """A web page (left out of the OpenAPI schema), as opposed to an API route."""
    route = request.scope.get("route")
    return isinstance(route, APIRoute) and not route.include_in_schema


PrincipalDep = Annotated[Principal, Depends(authenticated)]


def unit_of_work(request: Request, principal: PrincipalDep) -> UnitOfWork:
    """A unit of work acting as the request's principal; the runtime sits on the app's state."""
    return request.app.state.runtime.uow(principal=principal)  # type: ignore[no-any-return]


UowDep = Annotated[UnitOfWork, Depends(unit_of_work)]


MAX_OFFSET = 2**31 - 1  # fits every backend's OFFSET; past it SQLite overflows (a 500)


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


def paging(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_OFFSET, description="rows to skip")] = 0,
) -> Paging:
    return Paging(limit, offset)


PagingDep = Annotated[Paging, Depends(paging)]


def record_json(record: Any) -> dict[str, Any]:
    """A model record as JSON, with its marking banner where it has one."""
    data = snapshot(record)
    marking = getattr(record, "marking", None)
    if marking is not None:
        data["marking"] = marking.banner
    return data


def page_json(page: Page[T], render: Callable[[T], dict[str, Any]] = record_json) -> dict[str, Any]:
    return {
        "items": [render(item) for item in page.items],
        "total": page.total,
        "limit": page.limit,
        "offset": page.offset,
    }


def with_etag(response: Response, record: Any) -> dict[str, Any]:
    """Render one record and set its ETag, so clients can send If-Match on update."""
    response.headers["ETag"] = f'"{record.version}"'
    return record_json(record)


def expected_version(body_version: int | None, if_match: str | None) -> int | None:
    """The version the client edited: from the body, or from an If-Match header."""
    if if_match:
        text = if_match.strip().removeprefix("W/").strip('"')
        if not text.isdigit():
            raise InvalidInput(f"If-Match '{if_match}' is not a version we issued")
        return int(text)
    return body_version


def required_version(
    body_version: int | None, if_match: str | None, action: str, source: str
) -> int:
    """`expected_version`, where acting without naming the version reviewed is refused.

    Accepting a plan is a decision about what one has read: a version check
    guards it against a plan changed meanwhile (`source` says where to read it).
    """
    version = expected_version(body_version, if_match)
    if version is None:
        message = (
            f"{action} needs the version you reviewed: send "
            '{"version": N} in the body or an If-Match header with the ETag '
            f"(both from GET {source})"
        )
        raise InvalidInput(message, [Problem(message, column="version")])
    return version


IfMatch = Annotated[str | None, Header(description="the ETag of the version you edited")]
