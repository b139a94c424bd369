"""The unit of work: one transaction per use case, with its audit entries.

Use cases run `with uow:` and call `uow.commit()`; anything not committed
is rolled back on exit, and records read inside stay readable after it.
Database-level refusals are translated into our error hierarchy here, once.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from materiel.core.dates import utc_now
from materiel.core.errors import Conflict, StaleVersion
from materiel.platform.audit import audit_log, snapshot


class UnitOfWork:
    """A session scope bound to the acting user."""

    session: Session

    def __init__(self, session_factory: sessionmaker[Any], actor: str = "system") -> None:
        self._session_factory = session_factory
        self.actor = actor

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        self._pending_audit: list[dict[str, Any]] = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # close() rolls back anything not committed; unlike rollback() it leaves the
        # records read in this unit of work readable after it ends.
        self.session.close()

    def commit(self) -> None:
        try:
            self._write_audit()
            self.session.commit()
        except StaleDataError as exc:
            self.session.rollback()
            raise StaleVersion(
                "the record was changed by someone else meanwhile; reload it and try again"
            ) from exc
        except IntegrityError as exc:
            self.session.rollback()
            raise Conflict(f"the change clashes with existing data: {exc.orig}") from exc

    def flush(self) -> None:
        try:
            self.session.flush()
            self._write_audit()
        except IntegrityError as exc:
            self.session.rollback()
            raise Conflict(f"the change clashes with existing data: {exc.orig}") from exc

    def audit(self, action: str, entity: str, entity_id: str, before: Any, after: Any) -> None:
        """Record a change; `before`/`after` are model records, snapshots or None.

        Entries are written in bulk at the next flush or commit, inside the same
        transaction as the change (an import audits 100,000 rows this way).
        """
        self._pending_audit.append(
            {
                "at": utc_now(),
                "actor": self.actor,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before": _as_snapshot(before),
                "after": _as_snapshot(after),
            }
        )

    def _write_audit(self) -> None:
        if self._pending_audit:
            self.session.flush()
            self.session.execute(insert(audit_log), self._pending_audit)
            self._pending_audit = []


def _as_snapshot(record: Any) -> dict[str, Any] | None:
    if record is None or isinstance(record, dict):
        return record
    return snapshot(record)
