"""Column types that store model values (enums, tuples, markings) portably."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Enum, String, TypeDecorator
from sqlalchemy.engine import Dialect

from materiel.core.markings import Classification


class StringList(TypeDecorator[tuple[str, ...]]):
    """A tuple of short strings, stored as JSON (portable across databases)."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return list(value) if value is not None else []

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[str, ...]:
        return tuple(value or ())


class ClassificationType(TypeDecorator[Classification]):
    """A classification stored as its readable label, e.g. `NATO RESTRICTED`."""

    impl = String(32)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return value.label if value is not None else None

    def process_result_value(self, value: Any, dialect: Dialect) -> Classification | None:
        return Classification.parse(value) if value is not None else None


def enum_column_type(enum: type[StrEnum]) -> Enum:
    """A StrEnum stored by value as a plain string: readable in SQL, no native enum DDL."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=max(len(member.value) for member in enum) + 8,
        values_callable=lambda members: [member.value for member in members],
    )
