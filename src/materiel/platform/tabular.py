"""Reading spreadsheets as staff send them: `.csv` or `.xlsx`, streamed.

A header row (found among the first rows, so title and marking lines above
it are skipped), columns in any order under any of their usual names (one
column per field: two spellings of the same field refuse the file), and
cells handed on as read. Rows are yielded one at a time so that a 100,000
row workbook never sits in memory as objects. A workbook cell whose formula
was saved without its value arrives as `FormulaWithoutValue`, so the row
can say so instead of calling the cell empty.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._reader import FORMULA_TAG, VALUE_TAG, WorkSheetParser

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
    """An opened table: where it came from, which headers were not understood, its rows,
    and which of the format's columns its header has."""

    file: str
    ignored_columns: list[str]
    rows: Iterator[Row]
    columns: frozenset[str] = frozenset()


@dataclass(frozen=True)
class FormulaWithoutValue:
    """A workbook cell holding a formula whose result the file does not store
    (written by a program that does not calculate, e.g. a script)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


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
    with path.open("rb") as handle:
        sample = handle.read(8192).decode("utf-8-sig", errors="replace")
        handle.seek(0)
        try:
            dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, ",;\t")
        except csv.Error:
            dialect = csv.excel
        try:
            yield from csv.reader(_text_lines(path.name, handle), dialect)
        except csv.Error as exc:  # e.g. a field over the csv module's size limit
            raise InvalidInput(f"{path.name}: not a readable CSV table ({exc})") from exc


_LONE_CR = re.compile(r"(?<=\r)(?!\n)")  # old Mac line ends: split after a CR with no LF


def _text_lines(name: str, handle: IO[bytes]) -> Iterator[str]:
    """The file's lines as UTF-8 text; a line that is not names its number."""
    for number, raw in enumerate(handle, start=1):
        try:
            text = raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            message = (
                f"line {number} is not UTF-8 text (its byte {exc.start + 1}, "
                f"0x{raw[exc.start]:02X}, cannot be read: the file was saved in another "
                "encoding, such as Latin-1 or Windows-1252); save it as 'CSV UTF-8' and "
                "import it again"
            )
            raise ImportRejected(f"{name}: {message}", [Problem(message, name, number)]) from exc
        yield from (part for part in _LONE_CR.split(text) if part)


def _xlsx_rows(path: Path) -> Iterator[list[Any]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many unrelated types for a broken file
        raise _unreadable(path.name, exc) from exc
    try:
        yield from _first_sheet_values(workbook)
    except Exception as exc:  # the sheet's XML is parsed as it streams
        raise _unreadable(path.name, exc) from exc
    finally:
        workbook.close()


class _ValueParser(WorkSheetParser):
    """openpyxl's streaming sheet parser, telling a formula saved without its value from an
    empty cell (openpyxl gives None for both)."""

    def parse_cell(self, element: Any) -> dict[str, Any]:
        cell: dict[str, Any] = super().parse_cell(element)
        formula = element.find(FORMULA_TAG)
        unsaved = not element.findtext(VALUE_TAG) and element.get("t") != "str"
        if cell["value"] is None and formula is not None and unsaved:
            # (an empty text result is saved as t="str" with an empty <v/>: no formula to report)
            cell["value"] = FormulaWithoutValue(f"={formula.text or ''}")
        return cell


def _first_sheet_values(workbook: Workbook) -> Iterator[list[Any]]:
    """The first sheet's rows as lists of values, gaps filled with empty rows.

    A forged `<dimension>` cannot pad every row to 16,384 cells: rows are as
    long as their last cell. (openpyxl's read-only sheet, with its private
    source and formats, as its own `iter_rows` reads it.)
    """
    sheet: Any = workbook.worksheets[0]
    with sheet._get_source() as source:
        parser = _ValueParser(
            source,
            sheet._shared_strings,
            data_only=True,
            epoch=workbook.epoch,
            date_formats=getattr(workbook, "_date_formats", set()),
            timedelta_formats=getattr(workbook, "_timedelta_formats", set()),
        )
        expected = 1
        for index, cells in parser.parse():
            if index < expected:
                continue  # a row number given twice: openpyxl keeps the first
            while expected < index:
                yield []
                expected += 1
            yield _row_values(cells)
            expected += 1


def _row_values(cells: Iterable[dict[str, Any]]) -> list[Any]:
    by_column = {cell["column"]: cell["value"] for cell in cells}
    values: list[Any] = [None] * max(by_column, default=0)
    for column, value in by_column.items():
        values[column - 1] = value
    return values


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
            _refuse_twice_given(file, number, header, mapping)
            ignored = [str(header[i]) for i, name in mapping.items() if name is None]
            return Table(file, ignored, _data_rows(raw, mapping, number), frozenset(found))
    missing = ", ".join(columns.required)
    raise ImportRejected(
        f"{file}: no header row with the columns {missing} in the first {HEADER_SEARCH_ROWS} rows",
        [Problem(f"need columns {missing}", file=file, row=1)],
    )


def _refuse_twice_given(
    file: str, number: int, header: list[Any], mapping: dict[int, str | None]
) -> None:
    """Two columns for one field: which one holds the truth is the user's call, not ours."""
    first: dict[str, int] = {}
    problems = []
    for i, name in mapping.items():
        if name is None:
            continue
        if name not in first:
            first[name] = i
            continue
        j = first[name]
        message = (
            f"columns '{header[j]}' ({get_column_letter(j + 1)}) and '{header[i]}' "
            f"({get_column_letter(i + 1)}) both give {name.replace('_', ' ')}; keep one of them "
            "and delete or rename the other"
        )
        problems.append(Problem(message, file, number, name))
    if problems:
        raise ImportRejected(f"{file}: {'; '.join(p.message for p in problems)}", problems)


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
