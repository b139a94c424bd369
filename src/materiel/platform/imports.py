"""The import pipeline every capability's importer shares.

Rows are parsed one at a time into model records; every bad row becomes a
`Problem` with file, row and column. Good records are upserted in batches by
their id (so re-importing a file creates no duplicates), each change is
audited, and the whole import commits only if no row was rejected, unless the
caller asked for a partial import.

A file changes only what it holds: when a record exists, the row is read
again over the record's stored fields, so a column the file does not have
keeps its stored value (a new record gets the defaults). A ref taken by a
record the user may not see refuses that row at its ref cell.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from sqlalchemy import Column, select

from materiel.core.dates import parse_date
from materiel.core.errors import Forbidden, ImportRejected, InvalidInput, Problem
from materiel.platform.access import sessions as access
from materiel.platform.access.sessions import as_system
from materiel.platform.audit import snapshot
from materiel.platform.tabular import (
    Columns,
    FormulaWithoutValue,
    Row,
    Source,
    Table,
    open_source,
)
from materiel.platform.unit_of_work import UnitOfWork

T = TypeVar("T")
BATCH_SIZE = 1000
SAMPLE_SIZE = 10
UNCOMPARED_FIELDS = frozenset({"version", "status"})


class Record(Protocol):
    id: str


R = TypeVar("R", bound=Record)


class RowError(Exception):
    """A cell could not be read; carries the column it came from."""

    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


@dataclass
class ImportReport:
    """What an import did, row by row, for the user to read."""

    file: str
    kind: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Problem] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    committed: bool = False
    sample: list[dict[str, Any]] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.created + self.updated + self.unchanged


def cell(row: Row, column: str, parse: Callable[[Any], T]) -> T:
    """Parse a required cell; a missing or bad value names its column."""
    value = row.cells.get(column)
    if isinstance(value, FormulaWithoutValue):
        raise RowError(
            column,
            f"{_label(column)} is the formula {value.formula}, and the file does not hold its "
            "value (it was saved by a program that does not calculate); open the file in a "
            "spreadsheet program and save it, or paste the values over the formulas",
        )
    if value is None or value == "":
        raise RowError(column, f"{_label(column)} is missing")
    try:
        return parse(value)
    except (InvalidInput, ValueError, TypeError, ArithmeticError) as exc:
        if isinstance(value, str) and value.lstrip()[:1] == "=":
            raise RowError(
                column,
                f"{_label(column)} is the formula '{value}', not a value; a file holds no "
                "calculated values, so write the value itself (in a spreadsheet, save the "
                "file with values)",
            ) from exc
        if isinstance(exc, InvalidInput):
            raise RowError(column, exc.message) from exc
        raise RowError(column, f"cannot read '{value}': {exc}") from exc


def _label(column: str) -> str:
    return column.replace("_", " ")


_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


def yes_no(value: Any) -> bool:
    """A yes/no cell as spreadsheets write it (yes/no, true/false, 1/0, x)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InvalidInput(f"'{value}' is not yes or no")


def optional_cell(row: Row, column: str, parse: Callable[[Any], T], default: T) -> T:
    value = row.cells.get(column)
    if value is None or value == "":
        return default
    return cell(row, column, parse)


E = TypeVar("E", bound=StrEnum)


def enum_parser(enum: type[E]) -> Callable[[Any], E]:
    """A cell parser for a StrEnum that lists the allowed values when it fails."""

    def parse(value: Any) -> E:
        text = str(value).strip().casefold().replace(" ", "-").replace("_", "-")
        try:
            return enum(text)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            raise InvalidInput(f"'{value}' is not one of: {allowed}") from None

    return parse


MAX_WHOLE_NUMBER = 1_000_000
"""The most units, crew, slots or capacity one cell may give: far above any real line,
far below what a database integer holds."""
_PLAIN_INTEGER = re.compile(r"\d{1,30}(?:\.0*)?")
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
"""Dates outside these years are typing errors (9999-12-31, 1900-01-00), not plans."""


def integer_text(value: Any) -> int:
    """A whole number exactly as written: digits (a workbook's 3.0 too), never a float's guess.

    `1e3`, `1,000`, `-2` and `2.5` are refused with what to write instead.
    """
    if isinstance(value, bool):
        raise InvalidInput(f"'{value}' is not a whole number; write it with digits, e.g. 12")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise InvalidInput(f"'{value:g}' is not a whole number; write it with digits, e.g. 12")
        number = int(value)
    else:
        text = str(value).strip()
        if not _PLAIN_INTEGER.fullmatch(text):
            raise InvalidInput(
                f"'{text[:40]}' is not a whole number written with digits only (no sign, "
                "exponent like 1e3, or thousands separator); write e.g. 12 or 1000"
            )
        number = int(text.split(".")[0])
    if number < 0:
        raise InvalidInput(f"'{value}' is below zero; write a whole number of 0 or more")
    return number


def whole_number(value: Any, *, most: int = MAX_WHOLE_NUMBER) -> int:
    """A count of units: a whole number from 0 to `most` (spreadsheets send 3.0)."""
    number = integer_text(value)
    if number > most:
        raise InvalidInput(
            f"{number} is more than {most:,}, the most this cell may hold; check the number"
        )
    return number


def decimal_number(value: Any) -> float:
    """A number with a fraction (a position, days, a cost): finite, digits as written."""
    if isinstance(value, bool):
        raise InvalidInput(f"'{value}' is not a number; write e.g. 2.5")
    try:
        number = float(value) if isinstance(value, int | float) else float(str(value).strip())
    except ValueError:
        raise InvalidInput(f"'{str(value)[:40]}' is not a number; write e.g. 2.5") from None
    if not math.isfinite(number):
        raise InvalidInput(f"'{value}' is not a number; write e.g. 2.5")
    return number


def plausible_date(value: Any) -> date:
    """A date as staff write it (`core.dates.parse_date`), within the years we plan for."""
    day = parse_date(value)
    if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
        raise InvalidInput(
            f"{day.isoformat()} is outside the years {EARLIEST_YEAR} to {LATEST_YEAR} that "
            "plans cover; check the date (is the year mistyped?)"
        )
    return day


def parse_rows(
    table: Table, parse: Callable[[Row], R], report: ImportReport
) -> Iterator[tuple[Row, R]]:
    """Yield (row, record) for good rows; add a Problem for every bad one."""
    first_seen: dict[str, int] = {}
    for row in table.rows:
        record = _parse_one(table.file, row, parse, report)
        if record is None:
            continue
        if record.id in first_seen:
            report.rejected.append(
                Problem(
                    f"'{record.id}' appears again (first at row {first_seen[record.id]}); "
                    "give each line its own ref",
                    table.file,
                    row.number,
                    "ref",
                )
            )
            continue
        first_seen[record.id] = row.number
        yield row, record


def _parse_one(file: str, row: Row, parse: Callable[[Row], R], report: ImportReport) -> R | None:
    try:
        return parse(row)
    except RowError as exc:
        report.rejected.append(Problem(exc.message, file, row.number, exc.column))
    except InvalidInput as exc:
        report.rejected.append(Problem(exc.message, file, row.number))
    return None


@dataclass(frozen=True)
class _Upsert:
    """What one import's batches share."""

    uow: UnitOfWork
    spec: ImportSpec
    table: Table
    parse: Callable[[Row], Any]
    report: ImportReport
    stored: Callable[[Any], Mapping[str, Any]] | None


def upsert_all(
    uow: UnitOfWork,
    spec: ImportSpec,
    table: Table,
    parse: Callable[[Row], R],
    report: ImportReport,
) -> None:
    """Create new records and update changed ones, a batch at a time."""
    absent = set(spec.columns.names) - table.columns
    stored = spec.stored(uow) if absent and spec.stored is not None else None
    job = _Upsert(uow, spec, table, parse, report, stored)
    batch: list[tuple[Row, R]] = []
    for pair in parse_rows(table, parse, report):
        batch.append(pair)
        if len(batch) >= BATCH_SIZE:
            _upsert_batch(job, batch)
            batch = []
    if batch:
        _upsert_batch(job, batch)


def _upsert_batch(job: _Upsert, batch: list[tuple[Row, R]]) -> None:
    uow, spec, report = job.uow, job.spec, job.report
    model = type(batch[0][1])
    ids = [record.id for _row, record in batch]
    existing = {r.id: r for r in uow.session.scalars(select(model).where(spec.id_column.in_(ids)))}
    hidden = _hidden_ids(uow, spec, [i for i in ids if i not in existing])
    for row, record in batch:
        current = existing.get(record.id)
        if record.id in hidden:
            report.rejected.append(
                Problem(
                    f"ref '{record.id}' is taken by a record you may not see; "
                    "give this line another ref",
                    report.file,
                    row.number,
                    spec.identity,
                )
            )
        elif current is None:
            if _refused(job, row, None, record):
                continue
            uow.session.add(record)
            uow.audit("import-create", spec.entity, record.id, None, record)
            report.created += 1
            _sample(report, record)
        else:
            merged = _over_stored(job, row, record, current)
            if merged is None:
                continue
            if _comparable(current) == _comparable(merged):
                report.unchanged += 1
            elif not _refused(job, row, current, merged):
                before = snapshot(current)
                copy_fields(merged, current)
                uow.audit("import-update", spec.entity, record.id, before, current)
                report.updated += 1
            _sample(report, current)
    uow.flush()
    uow.session.expunge_all()


def _refused(job: _Upsert, row: Row, before: Any, after: Any) -> bool:
    """A row the user may not write (another nation's pledge, say) is refused by itself.

    The rest of the file stays importable; the row names why.
    """
    try:
        access.check_change(
            job.uow.session, job.spec.entity, snapshot(before) if before else None, snapshot(after)
        )
    except Forbidden as exc:
        job.report.rejected.append(Problem(exc.message, job.report.file, row.number))
        return True
    return False


def _hidden_ids(uow: UnitOfWork, spec: ImportSpec, ids: list[str]) -> set[str]:
    """Which of these ids, not found by the user's query, belong to records hidden from them.

    Refs are unique, so a row may not take one; saying that it is taken cannot be
    avoided, saying no more than that can (the database's duplicate-key text names tables).
    """
    if not ids or uow.principal.is_system:
        return set()
    with as_system(uow.session):
        return set(uow.session.scalars(select(spec.id_column).where(spec.id_column.in_(ids))))


def _over_stored(job: _Upsert, row: Row, record: R, current: R) -> R | None:
    """The row read again over the stored record, so columns the file lacks keep their values.

    Only when the file lacks a column: otherwise the row says everything. The
    identity stays the record's (a row without a ref found it by its content).
    """
    if job.stored is None:
        return record
    kept = {
        name: value
        for name, value in job.stored(current).items()
        if name not in job.table.columns and name != job.spec.identity
    }
    merged = _parse_one(
        job.report.file, Row(row.number, {**kept, **row.cells}), job.parse, job.report
    )
    if merged is not None:
        merged.id = current.id
    return merged


def _sample(report: ImportReport, record: Any) -> None:
    if len(report.sample) < SAMPLE_SIZE:
        report.sample.append(snapshot(record))


def _comparable(record: Any) -> dict[str, Any]:
    return {k: v for k, v in snapshot(record).items() if k not in UNCOMPARED_FIELDS}


def copy_fields(source: Any, target: Any) -> None:
    """Copy every field but id, version and status (which have their own rules)."""
    for f in dataclasses.fields(source):
        if f.name not in UNCOMPARED_FIELDS and f.name != "id":
            setattr(target, f.name, getattr(source, f.name))


class RowsRejected(ImportRejected):
    """An all-or-nothing import refused because some rows were; `problems` lists them."""


def finish(uow: UnitOfWork, report: ImportReport, *, partial: bool) -> ImportReport:
    """Commit, or refuse the whole import when a row was rejected and partial is off."""
    if report.rejected and not partial:
        raise RowsRejected(
            f"{report.file}: {len(report.rejected)} row(s) rejected, nothing imported; fix them "
            "and import again, or import only the good rows (--partial on the command line, "
            "partial=true in the API)",
            report.rejected,
        )
    uow.commit()
    report.committed = True
    return report


@dataclass(frozen=True)
class ImportSpec:
    """What one kind of import reads and where it writes.

    `identity` is the column a record's id comes from (None when it is made of
    several). `stored` gives, for an open unit of work, a function that writes
    a stored record back as the columns its row would hold: a re-import
    reads a row over it, so columns the file lacks keep their values.
    """

    kind: str
    entity: str
    columns: Columns
    id_column: Column[Any]
    identity: str | None = "ref"
    stored: Callable[[UnitOfWork], Callable[[Any], Mapping[str, Any]]] | None = None


def run_import(
    uow: UnitOfWork,
    source: Source,
    spec: ImportSpec,
    make_parser: Callable[[UnitOfWork], Callable[[Row], R]],
    *,
    partial: bool = False,
    preview: bool = False,
) -> ImportReport:
    """Open the file, parse and upsert every row in one transaction, report.

    A preview does all of it and then rolls back: the user sees what would be
    created, changed and rejected before confirming.
    """
    table = open_source(source, spec.columns)
    report = ImportReport(table.file, spec.kind, ignored_columns=table.ignored_columns)
    with uow:
        upsert_all(uow, spec, table, make_parser(uow), report)
        if preview:
            return report
        return finish(uow, report, partial=partial)
