"""Lists done in the database: filter, sort by a known column, count, one page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnCollection, Select, func, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Sort:
    """A column to sort a list by; a column the table does not have is ignored."""

    column: str | None = None
    descending: bool = False


def ordering(
    columns: ColumnCollection[str, Any], sort: Sort, default: tuple[Any, ...]
) -> tuple[Any, ...]:
    """The ORDER BY of a list: the chosen column (ties broken by id), or the list's default."""
    if sort.column is None or sort.column not in columns:
        return default
    column = columns[sort.column]
    return (column.desc() if sort.descending else column.asc(), columns["id"])


def page_of(
    session: Session, query: Select[Any], order: tuple[Any, ...], limit: int, offset: int
) -> tuple[Sequence[Any], int]:
    """One page of a query and the total it would give without paging."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(*order).limit(limit).offset(offset))
    return list(rows), total
