"""Running one job: claim it, call its handler with progress and cancel, record the end.

Progress and the cancel flag live in the jobs table, so they work the same
whether a local worker process or a PostgreSQL queue worker runs the job.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from materiel.core.dates import utc_now
from materiel.core.errors import MaterielError
from materiel.platform.jobs.model import Job, JobStatus
from materiel.platform.jobs.store import jobs

PROGRESS_EVERY_S = 0.5
CANCEL_CHECK_EVERY_S = 1.0


class Cancelled(Exception):
    """Raised by a handler (or by `JobContext.check_cancelled`) to stop early."""


@dataclass
class JobContext:
    """What a handler gets: its parameters, who asked, and ways to report and listen."""

    job_id: int
    params: dict[str, Any]
    actor: str
    session_factory: sessionmaker[Any]
    _last_progress: float = 0.0
    _last_check: float = 0.0
    _cancelled: bool = False

    def progress(self, fraction: float, message: str) -> None:
        """Report how far the job got; written at most twice a second."""
        now = time.monotonic()
        if now - self._last_progress < PROGRESS_EVERY_S and fraction < 1.0:
            return
        self._last_progress = now
        _update(
            self.session_factory,
            self.job_id,
            progress=min(max(fraction, 0.0), 1.0),
            message=message[:500],
        )

    def should_stop(self) -> bool:
        """True once someone asked to cancel; read from the database at most once a second."""
        now = time.monotonic()
        if not self._cancelled and now - self._last_check >= CANCEL_CHECK_EVERY_S:
            self._last_check = now
            with self.session_factory() as session:
                job = session.get(Job, self.job_id)
                self._cancelled = bool(job and job.cancel_requested)
        return self._cancelled


Handler = Callable[[JobContext], dict[str, Any]]


def execute_job(
    session_factory: sessionmaker[Any], job_id: int, handlers: Mapping[str, Handler]
) -> Job:
    """Run a queued job to its end; a job already claimed or finished is left alone."""
    job = _claim(session_factory, job_id)
    if job is None:
        return _load(session_factory, job_id)
    context = JobContext(job_id, dict(job.params), job.created_by, session_factory)
    try:
        handler = handlers[job.kind]
        result = handler(context)
    except Cancelled:
        _finish(session_factory, job_id, JobStatus.CANCELLED, message="cancelled on request")
    except MaterielError as error:
        _finish(session_factory, job_id, JobStatus.FAILED, message="failed", error=error.message)
    except Exception as error:  # a job must end recorded, whatever went wrong
        detail = "".join(traceback.format_exception_only(error)).strip()
        _finish(session_factory, job_id, JobStatus.FAILED, message="failed", error=detail)
    else:
        _finish(session_factory, job_id, JobStatus.SUCCEEDED, message="done", result=result)
    return _load(session_factory, job_id)


def _claim(session_factory: sessionmaker[Any], job_id: int) -> Job | None:
    with session_factory() as session:
        claimed = session.execute(
            update(jobs)
            .where(jobs.c.id == job_id, jobs.c.status == JobStatus.QUEUED.value)
            .values(status=JobStatus.RUNNING.value, started_at=utc_now(), message="started")
        )
        session.commit()
        if claimed.rowcount != 1:
            return None
        return _get(session, job_id)


def _finish(
    session_factory: sessionmaker[Any], job_id: int, status: JobStatus, **values: Any
) -> None:
    done = {"status": status.value, "finished_at": utc_now(), **values}
    if status is JobStatus.SUCCEEDED:
        done["progress"] = 1.0
    _update(session_factory, job_id, **done)


def _update(session_factory: sessionmaker[Any], job_id: int, **values: Any) -> None:
    with session_factory() as session:
        session.execute(update(jobs).where(jobs.c.id == job_id).values(**values))
        session.commit()


def _load(session_factory: sessionmaker[Any], job_id: int) -> Job:
    with session_factory() as session:
        return _get(session, job_id)


def _get(session: Session, job_id: int) -> Job:
    job = session.get(Job, job_id)
    if job is None:
        raise LookupError(f"job {job_id} does not exist")
    session.expunge(job)
    return job
