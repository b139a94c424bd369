"""Versioned JSON documents: read a file, check it against its JSON Schema, say where it fails.

The planners' exchange formats share this: errors name the file, the field
path (`requirements[3].quantity`) and the index, and fields a version does
not know are reported as warnings rather than refused.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, NoReturn

from jsonschema import Draft202012Validator  # type: ignore[import-untyped,unused-ignore]

from materiel.core.errors import InvalidInput, NotFound, Problem

PROBLEMS_IN_MESSAGE = 5


def read_json(path: Path) -> Any:
    """The decoded document, or an error saying why the file cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise NotFound(f"{path}: no such file; check the path") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidInput(f"{path}: not readable JSON ({exc})") from exc


@cache
def schema_validator(package: str, name: str) -> Draft202012Validator:
    """A validator for a schema shipped in `package`; it also checks `format: date`."""
    text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
    return Draft202012Validator(
        json.loads(text), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def field_path(parts: Iterable[str | int]) -> str:
    """`['requirements', 3, 'quantity']` -> `requirements[3].quantity`."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(document)"


def schema_problems(validator: Draft202012Validator, document: Any, source: str) -> list[Problem]:
    """Every error against the schema, one Problem each, in document order."""
    problems = []
    errors = validator.iter_errors(document)
    for error in sorted(errors, key=lambda e: [str(p) for p in e.absolute_path]):
        parts = list(error.absolute_path)
        row = next((p for p in parts if isinstance(p, int)), None)
        problems.append(Problem(error.message, source, row, field_path(parts)))
    return problems


def raise_problems(problems: list[Problem], source: str, what: str) -> NoReturn:
    """One InvalidInput listing every problem; the message shows the first few."""
    shown = "; ".join(f"{p.column}: {p.message}" for p in problems[:PROBLEMS_IN_MESSAGE])
    extra = len(problems) - PROBLEMS_IN_MESSAGE
    more = f" (and {extra} more)" if extra > 0 else ""
    raise InvalidInput(f"{source}: invalid {what}: {shown}{more}", problems)


def unknown_fields(record: Mapping[str, Any], known: frozenset[str], where: str) -> Iterable[str]:
    """A warning for each field of `record` this version does not know."""
    for name in record:
        if name not in known:
            place = f"{where}.{name}" if where else name
            yield f"{place}: unknown field ignored"


def duplicate_problems(kind: str, ids: Sequence[str], source: str) -> list[Problem]:
    """A problem for every id that appeared earlier in the same list."""
    seen: set[str] = set()
    problems = []
    for index, ident in enumerate(ids):
        if ident in seen:
            problems.append(
                Problem(f"duplicate id '{ident}'", source, index, f"{kind}[{index}].id")
            )
        seen.add(ident)
    return problems
