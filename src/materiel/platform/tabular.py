"""Reading spreadsheets as staff send them: `.csv` or `.xlsx`, streamed.

A header row (found among the first rows, so title and marking lines above
it are skipped), columns in any order under any of their usual names, and
cells handed on as read. Rows are yielded one at a time so that a 100,000
row workbook never sits in memory as objects.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from materiel.core.errors import ImportRejected, InvalidInput, NotFound, Problem
from materiel.platform.upload_safety import caused_by_xml_attack, unsafe_xml

HEADER_SEARCH_ROWS = 10
_FORMULA_SIGNS = frozenset("=+-@\uff1d\uff0b\uff0d\uff20")  # and full-width = + - @
_LEADING_BLANKS = re.compile(r"^[\s\x00-\x1f\x7f]+")


@dataclass(frozen=True)
class Columns:
    """The columns a format knows: canonical name -> accepted header spellings."""

    names: Mapping[str, tuple[str, ...]]
    required: tuple[str, ...]

    def canonical(self, header: str) -> str | None:
        key = _header_key(header)
        for name, spellings in self.names.items():
            if key == _header_key(name) or key in (_header_key(s) for s in spellings):
                return name
        return None


@dataclass(frozen=True)
class Row:
    """One data row: its number as a spreadsheet shows it, and its cells by column."""

    number: int
    cells: dict[str, Any]


@dataclass
class Table:
    """An opened table: where it came from, which headers were not understood, its rows."""

    file: str
    ignored_columns: list[str]
    rows: Iterator[Row]


def _header_key(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def open_table(path: Path, columns: Columns) -> Table:
    """Open a `.csv` or `.xlsx` file and map its header row onto `columns`."""
    if not path.is_file():
        raise NotFound(f"{path}: no such file; check the path")
    suffix = path.suffix.casefold()
    if suffix == ".csv":
        raw = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        raw = _xlsx_rows(path)
    else:
        raise InvalidInput(f"{path}: cannot read '{suffix}' files; send .csv or .xlsx")
    return _map_header(path.name, raw, columns)


Source = Path | tuple[str, list[dict[str, str]]]
"""A file to read, or (name, rows) already in memory, e.g. the demo scenario."""


def open_source(source: Source, columns: Columns) -> Table:
    if isinstance(source, Path):
        return open_table(source, columns)
    name, rows = source
    # Every key of every row is a column: a row may carry one the first lacks.
    header = list(dict.fromkeys(k for row in rows for k in row)) or list(columns.required)
    raw = iter([header, *([row.get(h, "") for h in header] for row in rows)])
    return _map_header(name, raw, columns)


def _csv_rows(path: Path) -> Iterator[list[Any]]:
    with path.open("r", encoding="utf-8-sig", errors="replace", newline="") as handle:
        sample = handle.read(8192)
        handle.seek(0)
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
        except csv.Error:
            dialect = csv.excel
        try:
            yield from csv.reader(handle, dialect)
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            raise InvalidInput(f"{path.name}: not a readable CSV table ({exc})") from exc


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a broken file
        raise _unreadable(path.name, exc) from exc
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # a forged <dimension> must not pad every row to 16,384 cells
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    except Exception as exc:  # the sheet's XML is parsed as it streams
        raise _unreadable(path.name, exc) from exc
    finally:
        workbook.close()


def _unreadable(name: str, exc: Exception) -> InvalidInput:
    if caused_by_xml_attack(exc):
        return unsafe_xml(name)
    return InvalidInput(f"{name}: not a readable .xlsx workbook ({exc})")


def _map_header(file: str, raw: Iterator[list[Any]], columns: Columns) -> Table:
    for number in range(1, HEADER_SEARCH_ROWS + 1):
        header = next(raw, None)
        if header is None:
            break
        mapping = {i: columns.canonical(str(cell)) for i, cell in enumerate(header) if cell}
        found = {name for name in mapping.values() if name}
        if set(columns.required) <= found:
            ignored = [str(header[i]) for i, name in mapping.items() if name is None]
            return Table(file, ignored, _data_rows(raw, mapping, number))
    missing = ", ".join(columns.required)
    raise ImportRejected(
        f"{file}: no header row with the columns {missing} in the first {HEADER_SEARCH_ROWS} rows",
        [Problem(f"need columns {missing}", file=file, row=1)],
    )


def _data_rows(
    raw: Iterator[list[Any]], mapping: dict[int, str | None], header_row: int
) -> Iterator[Row]:
    for number, values in enumerate(raw, start=header_row + 1):
        if _is_marking_line(values):
            continue
        cells = {
            name: clean_cell(values[i]) for i, name in mapping.items() if name and i < len(values)
        }
        if any(value not in (None, "") for value in cells.values()):
            yield Row(number, cells)


def _is_marking_line(values: list[Any]) -> bool:
    """The banner our exports print above and below the data, e.g. `NATO RESTRICTED // REL TO`."""
    filled = [v for v in values if v not in (None, "")]
    return len(filled) == 1 and isinstance(filled[0], str) and "// REL TO" in filled[0].upper()


def clean_cell(value: Any) -> Any:
    """Trim text and undo the quote we put before formula-like text on export.

    For any text, `clean_cell(defuse(text)) == clean_cell(text)`: an export
    re-imports as the same values.
    """
    if not isinstance(value, str):
        return value
    text = value.lstrip()
    if text[:1] == "'" and starts_formula(text[1:]):
        return clean_cell(text[1:])
    return text.rstrip()


def defuse(value: Any) -> Any:
    """Make a cell safe to open in a spreadsheet: text never starts a formula."""
    if isinstance(value, str) and starts_formula(value):
        return "'" + value
    return value


def starts_formula(text: str) -> bool:
    """Could a spreadsheet run this cell? A control character first (tab, CR, LF, ...),
    or = + - @ (also their full-width forms) after any blanks: formulas and DDE payloads.
    """
    if text[:1] and (text[0] < " " or text[0] == "\x7f"):
        return True
    return _LEADING_BLANKS.sub("", text, count=1)[:1] in _FORMULA_SIGNS


def read_text_table(text: str) -> list[dict[str, str]]:
    """A small CSV held in memory (mapping files, fixtures) as row dicts."""
    return [dict(row) for row in csv.DictReader(io.StringIO(text))]
