"""The unit of work: one transaction per use case, with its audit entries.

Use cases run `with uow:` and call `uow.commit()`; anything not committed
is rolled back on exit, and records read inside stay readable after it.
Database-level refusals are translated into our error hierarchy here, once.
"""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.exc import DBAPIError, IntegrityError, PendingRollbackError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from materiel.core.dates import utc_now
from materiel.core.errors import AlreadyExists, Busy, Conflict, MaterielError, StaleVersion
from materiel.core.principal import Principal
from materiel.platform.access import sessions as access
from materiel.platform.audit import snapshot
from materiel.platform.audit_chain.append import append_entries

log = logging.getLogger(__name__)


class UnitOfWork:
    """A session scope bound to the acting user."""

    session: Session

    def __init__(
        self,
        session_factory: sessionmaker[Any],
        actor: str = "system",
        principal: Principal | None = None,
    ) -> None:
        self._session_factory = session_factory
        # Who acts: the signed-in user for a request, the system for the CLI and jobs.
        self.principal = principal or Principal.system(actor)
        self.actor = self.principal.username

    def __enter__(self) -> UnitOfWork:
        self.session = self._session_factory()
        access.bind(self.session, self.principal)
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
        # A refusal can surface anywhere in a use case, not only in flush() or commit():
        # an autoflush inside a query, or the next statement after it (PendingRollbackError).
        refusal = None if exc is None else _refusal_for(exc)
        if refusal is not None:
            raise refusal from exc

    def commit(self) -> None:
        try:
            self._write_audit()
            self.session.commit()
        except (StaleDataError, IntegrityError) as exc:
            self.session.rollback()
            raise _refused(exc) from exc

    def flush(self) -> None:
        try:
            self.session.flush()
            self._write_audit()
        except (StaleDataError, IntegrityError) as exc:
            self.session.rollback()
            raise _refused(exc) from exc

    def audit(self, action: str, entity: str, entity_id: str, before: Any, after: Any) -> None:
        """Record a change; `before`/`after` are model records, snapshots or None.

        Entries are written in bulk at the next flush or commit, inside the same
        transaction as the change (an import audits 100,000 rows this way).
        """
        before_state, after_state = _as_snapshot(before), _as_snapshot(after)
        if after_state is not None and _version_moves(after):
            after_state["version"] += 1  # what the pending UPDATE will store
        access.check_change(self.session, entity, before_state, after_state)
        self._pending_audit.append(
            {
                "at": utc_now(),
                "actor": self.actor,
                "action": action,
                "entity": entity,
                "entity_id": entity_id,
                "before": before_state,
                "after": after_state,
            }
        )

    def _write_audit(self) -> None:
        """Append the queued entries to the hash-chained log (numbered, hashed, one insert)."""
        if self._pending_audit:
            self.session.flush()
            append_entries(self.session, self._pending_audit)
            self._pending_audit = []


# PostgreSQL: lock_not_available, deadlock_detected, serialization_failure.
_BUSY_SQLSTATES = frozenset({"55P03", "40P01", "40001"})
BUSY = "the database is busy with other changes; nothing was saved, try again shortly"
STALE = "the record was changed by someone else meanwhile; reload it and try again"


def _refusal_for(exc: BaseException) -> MaterielError | None:
    """Our error for a database refusal, or None for anything else (a bug, left a 500).

    A write that lost a race to another is refused the same way wherever it
    surfaced: a stale version is a 412, a unique clash a 409, a lock not
    free in time a 503.
    """
    if isinstance(exc, MaterielError):
        return None
    cause = _failed_flush(exc)
    if _is_busy(cause):
        return Busy(BUSY)
    if isinstance(cause, StaleDataError | IntegrityError):
        return _refused(cause)
    return None


def _refused(exc: StaleDataError | IntegrityError) -> Conflict:
    return StaleVersion(STALE) if isinstance(exc, StaleDataError) else _clash(exc)


def _failed_flush(exc: BaseException) -> BaseException:
    """The error behind a PendingRollbackError: a statement that ran after a failed flush
    (such as `elevated` restoring the user) hides the flush's error as its context."""
    while isinstance(exc, PendingRollbackError) and exc.__context__ is not None:
        exc = exc.__context__
    return exc


def _is_busy(exc: BaseException) -> bool:
    """A lock or a connection waited for too long: safe to retry, nothing was written."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, DBAPIError) or isinstance(exc, IntegrityError):
        return False
    sqlite_error = str(getattr(exc.orig, "sqlite_errorname", ""))
    return sqlite_error.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or (
        getattr(exc.orig, "sqlstate", None) in _BUSY_SQLSTATES
    )


# The one-accepted-plan indexes (migration 0016) as each backend names them in its
# refusal: PostgreSQL by index name, SQLite by table and column.
ONE_ACCEPTED_PLAN = ("_one_accepted", "plans.status")


def _clash(exc: IntegrityError) -> Conflict:
    """What the database refused, in words that name no table and no other row's values.

    The driver's own text is logged for the operator; the user's message says
    which kind of clash it was and what to do.
    """
    text = str(exc.orig)
    log.warning("integrity error: %s", text)
    lowered = text.lower()
    if any(name in lowered for name in ONE_ACCEPTED_PLAN):
        return Conflict(
            "another plan was accepted at the same time, and only one is accepted at a "
            "time; nothing was saved: plan again from the plan accepted now"
        )
    if "unique" in lowered or "duplicate key" in lowered:
        return AlreadyExists(
            "a record with this id exists already (it may be one you may not see); "
            "give the new record another id, or change the existing one"
        )
    if "foreign key" in lowered:
        return Conflict("the change names a record that does not exist; check the ids it names")
    return Conflict("the change clashes with the data stored; reload and try again")


def _version_moves(record: Any) -> bool:
    """A versioned record changed since its last flush: the next flush adds one to its version."""
    state = inspect(record, raiseerr=False)
    if state is None or not state.persistent or state.mapper.version_id_col is None:
        return False
    session = state.session
    return session is not None and session.is_modified(record)


def _as_snapshot(record: Any) -> dict[str, Any] | None:
    if record is None or isinstance(record, dict):
        return record
    return snapshot(record)
