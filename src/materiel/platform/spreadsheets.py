"""Writing exports that carry their marking and cannot run formulas."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from enum import StrEnum
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from materiel.core.errors import InvalidInput
from materiel.core.markings import Classification, Marking
from materiel.platform.tabular import defuse


def write_table(
    path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], marking: Marking
) -> int:
    """Write rows to `.csv` or `.xlsx` with the marking above and below; return the row count."""
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        return _write_csv(path, headers, rows, marking)
    if suffix == ".xlsx":
        return _write_xlsx(path, headers, rows, marking)
    raise InvalidInput(f"{path}: cannot write '{suffix}' files; use .csv or .xlsx")


def _write_csv(
    path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], marking: Marking
) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([marking.banner])
        writer.writerow(headers)
        for row in rows:
            writer.writerow([defuse(_cell(value)) for value in row])
            count += 1
        writer.writerow([marking.banner])
    return count


def _write_xlsx(
    path: Path, headers: Sequence[str], rows: Iterable[Sequence[Any]], marking: Marking
) -> int:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("data")
    sheet.append([marking.banner])
    sheet.append(list(headers))
    count = 0
    for row in rows:
        sheet.append([defuse(_xml_text(_cell(value))) for value in row])
        count += 1
    sheet.append([marking.banner])
    workbook.properties.subject = marking.banner
    workbook.properties.keywords = marking.banner
    workbook.save(path)
    return count


def _xml_text(value: Any) -> Any:
    """Drop the control characters a workbook cannot hold (XML 1.0 forbids them)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _cell(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return "|".join(str(v) for v in value)
    if isinstance(value, Classification):
        return value.label
    if isinstance(value, StrEnum):
        return value.value
    return value
