"""Sortable, filterable, paged tables: the one table component every list page uses.

Sorting, filtering and paging happen in the database (indexed columns,
LIMIT/OFFSET and one count), so a list stays fast on 100,000 rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from fastapi import Request

from materiel.core.paging import Page

T = TypeVar("T")
PAGE_SIZES = (25, 50, 100, 200)


@dataclass(frozen=True)
class Column(Generic[T]):
    key: str
    label: str
    text: Callable[[T], Any]
    link: Callable[[T], str] | None = None
    sortable: bool = True
    numeric: bool = False
    css: Callable[[T], str] | None = None


@dataclass(frozen=True)
class Filter:
    name: str
    label: str
    value: str | None
    options: Sequence[tuple[str, str]] = ()


@dataclass(frozen=True)
class Cell:
    text: str
    href: str | None = None
    css: str = ""


@dataclass
class TableView:
    """Everything `list.html` needs to draw a table with its filters and pager."""

    title: str
    columns: list[Column[Any]]
    rows: list[list[Cell]]
    total: int
    offset: int
    limit: int
    sort: str | None
    descending: bool
    filters: list[Filter] = field(default_factory=list)
    actions: list[tuple[str, str]] = field(default_factory=list)

    @property
    def first(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.offset + self.limit, self.total)


@dataclass(frozen=True)
class ListQuery:
    """Paging and sorting as they come in a page's query string."""

    offset: int
    limit: int
    sort: str | None
    descending: bool

    @classmethod
    def of(cls, request: Request) -> ListQuery:
        params = request.query_params
        limit = _int(params.get("size"), 50)
        return cls(
            offset=max(_int(params.get("offset"), 0), 0),
            limit=limit if limit in PAGE_SIZES else 50,
            sort=params.get("sort") or None,
            descending=params.get("dir") == "desc",
        )


def _int(value: str | None, default: int) -> int:
    return int(value) if value and value.isdigit() else default


def table_view(
    title: str,
    page: Page[T],
    columns: list[Column[T]],
    query: ListQuery,
    *,
    filters: list[Filter] | None = None,
    actions: list[tuple[str, str]] | None = None,
) -> TableView:
    rows = [
        [
            Cell(
                _text(column.text(item)),
                column.link(item) if column.link else None,
                column.css(item) if column.css else "",
            )
            for column in columns
        ]
        for item in page.items
    ]
    return TableView(
        title,
        list(columns),
        rows,
        page.total,
        page.offset,
        page.limit,
        query.sort,
        query.descending,
        filters or [],
        actions or [],
    )


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value)
    return str(value)


def offset_of(request: Request, name: str) -> int:
    """The offset a page's list `name` is paged by (`NAME_offset`), 0 when absent."""
    return max(_int(request.query_params.get(f"{name}_offset"), 0), 0)


def pager(
    request: Request, listed: Page[Any], param: str = "offset", anchor: str = ""
) -> dict[str, Any]:
    """What a list's pager shows: rows first to last of the total, and links to the pages
    before and after. Links keep the query (filters, size, other lists' offsets) but drop
    a one-off notice; `anchor` brings the reader back to the list."""
    params = {k: v for k, v in request.query_params.items() if v and k not in ("notice", param)}
    fragment = f"#{anchor}" if anchor else ""

    def link(offset: int) -> str:
        return f"{request.url.path}?{urlencode({**params, param: offset})}{fragment}"

    last = min(listed.offset + listed.limit, listed.total)
    return {
        "first": listed.offset + 1 if listed.total and listed.offset < listed.total else 0,
        "last": last,
        "total": listed.total,
        "previous": link(max(listed.offset - listed.limit, 0)) if listed.offset > 0 else None,
        "next": link(listed.offset + listed.limit) if last < listed.total else None,
    }
