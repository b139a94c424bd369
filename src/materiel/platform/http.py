"""What every capability's HTTP routes share: the runtime, paging, JSON, versions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Query, Request, Response

from materiel.core.errors import InvalidInput
from materiel.core.paging import MAX_PAGE_SIZE, Page
from materiel.platform.audit import snapshot
from materiel.platform.unit_of_work import UnitOfWork

T = TypeVar("T")


def unit_of_work(request: Request) -> UnitOfWork:
    """A unit of work for this request; the runtime sits on the app's state."""
    return request.app.state.runtime.uow(actor=request.headers.get("X-Actor", "api"))  # type: ignore[no-any-return]


UowDep = Annotated[UnitOfWork, Depends(unit_of_work)]


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int


def paging(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="rows per page")] = 50,
    offset: Annotated[int, Query(ge=0, description="rows to skip")] = 0,
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


IfMatch = Annotated[str | None, Header(description="the ETag of the version you edited")]
