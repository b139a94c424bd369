"""Forms with field-level errors: the same rules as the API and the importer."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from fastapi import Request

from materiel.core.errors import MaterielError


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text, number, date, select, textarea
    options: Sequence[tuple[str, str]] = ()
    required: bool = False
    help: str = ""
    value: str = ""
    error: str = ""


def filled(fields: Sequence[FormField], values: Mapping[str, Any]) -> list[FormField]:
    """The fields with the values to show (a record's, or what the user typed)."""
    return [replace(f, value=display_text(values.get(f.name, f.value))) for f in fields]


def with_errors(fields: Sequence[FormField], error: MaterielError) -> tuple[list[FormField], str]:
    """Attach each problem to its field; what belongs to no field is returned apart."""
    by_field = {p.column: p.message for p in error.problems if p.column}
    known = {f.name for f in fields}
    general = [p.message for p in error.problems if p.column not in known] or (
        [] if by_field else [error.message]
    )
    marked = [replace(f, error=by_field.get(f.name, "")) for f in fields]
    return marked, "; ".join(general)


async def form_values(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: str(value).strip() for key, value in form.items() if isinstance(value, str)}


def display_text(value: Any, separator: str = "|") -> str:
    """A model value as a form or page shows it."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display_text(v, separator)}" for k, v in value.items() if v)
    if isinstance(value, tuple | list):
        return separator.join(str(v) for v in value)
    if hasattr(value, "label"):
        return str(value.label)
    if hasattr(value, "value") and not isinstance(value, int | float | str):
        return str(value.value)
    return str(value)
