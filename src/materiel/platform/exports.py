"""Exporting records in their import format, marked with their most restrictive marking."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from materiel.core.markings import Marking, most_restrictive
from materiel.platform.spreadsheets import write_table

R = TypeVar("R")


@dataclass(frozen=True)
class ExportReport:
    file: str
    rows: int
    marking: Marking


def export_records(
    path: Path, records: Sequence[R], to_fields: Callable[[R], dict[str, Any]]
) -> ExportReport:
    """Write records as rows; the file carries the marking of its contents."""
    marking = most_restrictive(r.marking for r in records if hasattr(r, "marking"))
    rows = [to_fields(r) for r in records]
    headers = list(rows[0]) if rows else []
    count = write_table(path, headers, ([row[h] for h in headers] for row in rows), marking)
    return ExportReport(path.name, count, marking)
