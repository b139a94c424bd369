"""The import pipeline every capability's importer shares.

Rows are parsed one at a time into model records; every bad row becomes a
`Problem` with file, row and column. Good records are upserted in batches by
their id (so re-importing a file creates no duplicates), each change is
audited, and the whole import commits only if no row was rejected, unless the
caller asked for a partial import.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypeVar

from sqlalchemy import Column, select

from materiel.core.errors import ImportRejected, InvalidInput, Problem
from materiel.platform.audit import snapshot
from materiel.platform.tabular import Columns, Row, Source, Table, open_source
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
    if value is None or value == "":
        raise RowError(column, f"{column.replace('_', ' ')} is missing")
    try:
        return parse(value)
    except InvalidInput as exc:
        raise RowError(column, exc.message) from exc
    except (ValueError, TypeError) as exc:
        raise RowError(column, f"cannot read '{value}': {exc}") from exc


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


def whole_number(value: Any) -> int:
    """A count of units: a whole number, zero or more (spreadsheets send 3.0)."""
    number = float(str(value).strip())
    if number != int(number) or number < 0:
        raise InvalidInput(f"'{value}' is not a whole number of units")
    return int(number)


def parse_rows(
    table: Table, parse: Callable[[Row], R], report: ImportReport
) -> Iterator[tuple[int, R]]:
    """Yield (row number, record) for good rows; add a Problem for every bad one."""
    first_seen: dict[str, int] = {}
    for row in table.rows:
        try:
            record = parse(row)
        except RowError as exc:
            report.rejected.append(Problem(exc.message, table.file, row.number, exc.column))
            continue
        except InvalidInput as exc:
            report.rejected.append(Problem(exc.message, table.file, row.number))
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
        yield row.number, record


def upsert_all(
    uow: UnitOfWork,
    entity: str,
    id_column: Column[Any],
    records: Iterable[tuple[int, R]],
    report: ImportReport,
) -> None:
    """Create new records and update changed ones, a batch at a time."""
    batch: list[R] = []
    for _number, record in records:
        if len(report.sample) < SAMPLE_SIZE:
            report.sample.append(snapshot(record))
        batch.append(record)
        if len(batch) >= BATCH_SIZE:
            _upsert_batch(uow, entity, id_column, batch, report)
            batch = []
    if batch:
        _upsert_batch(uow, entity, id_column, batch, report)


def _upsert_batch(
    uow: UnitOfWork, entity: str, id_column: Column[Any], batch: list[R], report: ImportReport
) -> None:
    model = type(batch[0])
    ids = [record.id for record in batch]
    existing = {r.id: r for r in uow.session.scalars(select(model).where(id_column.in_(ids)))}
    for record in batch:
        current = existing.get(record.id)
        if current is None:
            uow.session.add(record)
            uow.audit("import-create", entity, record.id, None, record)
            report.created += 1
        elif _comparable(current) == _comparable(record):
            report.unchanged += 1
        else:
            before = snapshot(current)
            copy_fields(record, current)
            uow.audit("import-update", entity, record.id, before, current)
            report.updated += 1
    uow.flush()
    uow.session.expunge_all()


def _comparable(record: Any) -> dict[str, Any]:
    return {k: v for k, v in snapshot(record).items() if k not in UNCOMPARED_FIELDS}


def copy_fields(source: Any, target: Any) -> None:
    """Copy every field but id, version and status (which have their own rules)."""
    for f in dataclasses.fields(source):
        if f.name not in UNCOMPARED_FIELDS and f.name != "id":
            setattr(target, f.name, getattr(source, f.name))


def finish(uow: UnitOfWork, report: ImportReport, *, partial: bool) -> ImportReport:
    """Commit, or refuse the whole import when a row was rejected and partial is off."""
    if report.rejected and not partial:
        raise ImportRejected(
            f"{report.file}: {len(report.rejected)} row(s) rejected, nothing imported; fix them "
            "or import with --partial to take the good rows",
            report.rejected,
        )
    uow.commit()
    report.committed = True
    return report


@dataclass(frozen=True)
class ImportSpec:
    """What one kind of import reads and where it writes."""

    kind: str
    entity: str
    columns: Columns
    id_column: Column[Any]


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
        parse = make_parser(uow)
        upsert_all(uow, spec.entity, spec.id_column, parse_rows(table, parse, report), report)
        if preview:
            return report
        return finish(uow, report, partial=partial)
