"""A few fields of each entry of a JSON list column, read in the database.

A plan keeps lists of entries (unmet lines, movements changed) as JSON
documents of a megabyte and more. A summary that only counts what a reader
sees of them needs an entry's key, not the document: the database unrolls
the list (SQLite `json_each`, PostgreSQL `json_array_elements`) and sends
back only the fields asked for, or only each distinct value of one, or only
each list's length.

Every query selects from the mapped class, so the access filter applies as
to any read of it.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from typing import Any

from sqlalchemy import JSON, ColumnElement, TableValuedAlias, func, select, true, type_coerce
from sqlalchemy.orm import Session

TEXT, NUMBER = "text", "number"


def json_entries(
    session: Session,
    model: type,
    key: ColumnElement[Any],
    document: ColumnElement[Any],
    keys: Collection[Hashable],
    *,
    fields: dict[str, str],
) -> dict[Hashable, list[dict[str, Any]]]:
    """For each record of `model` whose `key` is in `keys`: its `document`'s entries, each
    with only `fields` (name: TEXT or NUMBER). Records with no entries are left out."""
    if not keys:
        return {}
    element = _unrolled(session, document)
    columns = [_field(element, name, kind) for name, kind in fields.items()]
    query = (
        select(key, *columns).select_from(model).join(element, true()).where(key.in_(list(keys)))
    )
    found: dict[Hashable, list[dict[str, Any]]] = {}
    for row in session.execute(query):
        found.setdefault(row[0], []).append(dict(zip(fields, row[1:], strict=True)))
    return found


def json_distinct(
    session: Session,
    model: type,
    key: ColumnElement[Any],
    document: ColumnElement[Any],
    keys: Collection[Hashable],
    *,
    field: str,
) -> set[str]:
    """Each value of the text `field` that an entry of these records' `document` holds."""
    if not keys:
        return set()
    element = _unrolled(session, document)
    value = _field(element, field, TEXT)
    query = (
        select(value).distinct().select_from(model).join(element, true()).where(key.in_(list(keys)))
    )
    return {str(v) for v in session.scalars(query) if v is not None}


def json_lengths(
    session: Session,
    model: type,
    key: ColumnElement[Any],
    document: ColumnElement[Any],
    keys: Collection[Hashable],
) -> dict[Hashable, int]:
    """How many entries each record's `document` lists."""
    if not keys:
        return {}
    query = (
        select(key, func.json_array_length(document)).select_from(model).where(key.in_(list(keys)))
    )
    return {k: int(n or 0) for k, n in session.execute(query)}


def _unrolled(session: Session, document: ColumnElement[Any]) -> TableValuedAlias:
    postgres = session.get_bind().dialect.name == "postgresql"
    unroll = func.json_array_elements if postgres else func.json_each
    return unroll(document).table_valued("value")


def _field(element: TableValuedAlias, name: str, kind: str) -> ColumnElement[Any]:
    value = type_coerce(element.c.value, JSON)[name]
    typed: ColumnElement[Any] = value.as_integer() if kind == NUMBER else value.as_string()
    return typed
