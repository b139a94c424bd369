"""Creating and updating one record through the same rules as the importer.

A record created from the API or a form is parsed by its capability's row
parser, so a field is validated in exactly one place whatever the channel.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from functools import partial
from typing import Any, Protocol, TypeVar

from materiel.core.errors import (
    AlreadyExists,
    Conflict,
    InvalidInput,
    NotFound,
    Problem,
    StaleVersion,
)
from materiel.platform.access.sessions import as_system
from materiel.platform.audit import snapshot
from materiel.platform.imports import Record, RowError, copy_fields
from materiel.platform.tabular import Row, clean_cell
from materiel.platform.unit_of_work import UnitOfWork

R = TypeVar("R", bound=Record)
Parser = Callable[[UnitOfWork], Callable[[Row], R]]


def parse_fields(parse: Callable[[Row], R], fields: Mapping[str, Any]) -> R:
    """Parse one record from named fields; a bad field becomes a located problem."""
    row = Row(0, {key: clean_cell(value) for key, value in fields.items()})
    try:
        return parse(row)
    except RowError as exc:
        raise InvalidInput(exc.message, [Problem(exc.message, column=exc.column)]) from exc


MAX_NUMBERED = 100


def create_record(
    uow: UnitOfWork,
    entity: str,
    make_parser: Parser[R],
    fields: Mapping[str, Any],
    *,
    ref: str | None = None,
) -> R:
    """Parse and store a new record.

    `ref` names the field that holds a record's own id when its parser
    derives one from the content if it is left empty (pledges, requirements):
    a form or API call that leaves it empty means a new record, so an id
    already taken gets a numbered one instead of a refusal. Two such records
    made at the same moment can both find the same id free; the one whose
    insert loses is made again and takes the next free id.
    """
    numbered = ref is not None and not str(fields.get(ref) or "").strip()
    create = partial(_create, uow, entity, make_parser, fields, numbered)
    return again_if_taken(create) if numbered else create()


def again_if_taken(make: Callable[[], R]) -> R:
    """`make()`, once more if its insert lost to a request that made the same id meanwhile.

    Two requests making a new record at the same moment can both find its id
    free; the second run sees the other's record and acts on it (a numbered
    id, a change) instead of refusing a clash the client never caused.
    """
    try:
        return make()
    except AlreadyExists:
        return make()


def _create(
    uow: UnitOfWork, entity: str, make_parser: Parser[R], fields: Mapping[str, Any], numbered: bool
) -> R:
    with uow:
        record = parse_fields(make_parser(uow), fields)
        if numbered:
            record = _with_free_id(uow, record)
        if uow.session.get(type(record), record.id) is not None:
            raise Conflict(f"{entity} '{record.id}' already exists; update it instead")
        uow.session.add(record)
        uow.audit("create", entity, record.id, None, record)
        uow.commit()
        return record


def _with_free_id(uow: UnitOfWork, record: R) -> R:
    """The record under its derived id, or `id-2`, `id-3`... if taken (by anyone)."""
    model, base = type(record), record.id
    with as_system(uow.session):  # a hidden record's id is taken too
        for n in range(1, MAX_NUMBERED):
            candidate = f"{base}-{n}" if n > 1 else base
            if uow.session.get(model, candidate) is None:
                return dataclasses.replace(record, id=candidate)  # type: ignore[type-var]
    raise Conflict(f"{MAX_NUMBERED - 1} records share the id {base}; give this one a ref")


def get_record(uow: UnitOfWork, model: type[R], entity: str, record_id: str) -> R:
    record = uow.session.get(model, record_id)
    if record is None:
        raise NotFound(f"{entity} '{record_id}' does not exist")
    return record


def check_version(record: Any, expected_version: int | None, entity: str) -> None:
    if expected_version is not None and record.version != expected_version:
        raise StaleVersion(
            f"{entity} '{record.id}' is at version {record.version}, you edited version "
            f"{expected_version}; reload it and apply your change again"
        )


def update_record(
    uow: UnitOfWork,
    *,
    model: type[R],
    entity: str,
    make_parser: Parser[R],
    to_fields: Callable[[R], dict[str, Any]],
    record_id: str,
    changes: Mapping[str, Any],
    expected_version: int | None,
) -> R:
    """Apply changed fields to a record whose version the caller last saw."""
    with uow:
        current = get_record(uow, model, entity, record_id)
        check_version(current, expected_version, entity)
        before = snapshot(current)
        updated = parse_fields(make_parser(uow), {**to_fields(current), **changes})
        if updated.id != record_id:
            raise InvalidInput(f"{entity} '{record_id}' cannot be renamed to '{updated.id}'")
        copy_fields(updated, current)
        uow.audit("update", entity, record_id, before, current)
        uow.commit()
        return current


class HasLifeCycle(Protocol):
    id: str
    status: Any

    def change_status(self, new: Any) -> None: ...


L = TypeVar("L", bound=HasLifeCycle)


def change_status(
    uow: UnitOfWork,
    *,
    model: type[L],
    entity: str,
    record_id: str,
    status: Any,
    expected_version: int | None,
) -> L:
    """Move a record along its life cycle; the model's `change_status` holds the rules."""
    with uow:
        record = get_record(uow, model, entity, record_id)
        check_version(record, expected_version, entity)
        apply_status(uow, record, status, entity)
        uow.commit()
        return record


def apply_status(uow: UnitOfWork, record: HasLifeCycle, status: Any, entity: str) -> None:
    """Change a status inside an open unit of work, audited; no change, no entry."""
    if record.status == status:
        return
    before = snapshot(record)
    record.change_status(status)
    uow.audit("status", entity, record.id, before, record)
