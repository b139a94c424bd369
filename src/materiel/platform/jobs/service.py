"""Use cases of background jobs: submit, read, cancel."""

from __future__ import annotations

from typing import Any

from materiel.core.dates import utc_now
from materiel.core.errors import NotFound
from materiel.platform.jobs.model import Job, JobStatus
from materiel.platform.jobs.runners import Runner
from materiel.platform.unit_of_work import UnitOfWork


def submit_job(kind: str, params: dict[str, Any], uow: UnitOfWork, runner: Runner) -> Job:
    """Record a job, then hand it to the runner; returns at once."""
    with uow:
        job = Job(kind=kind, params=params, created_by=uow.actor)
        uow.session.add(job)
        uow.flush()
        uow.audit("submit", "job", str(job.id), None, {"kind": kind, "params": params})
        uow.commit()
    assert job.id is not None
    runner.submit(job.id)
    return job


def get_job(job_id: int, uow: UnitOfWork) -> Job:
    with uow:
        job = uow.session.get(Job, job_id)
        if job is None:
            raise NotFound(f"job {job_id} does not exist")
        return job


def cancel_job(job_id: int, uow: UnitOfWork) -> Job:
    """Ask a job to stop; a job still queued is cancelled at once."""
    with uow:
        job = uow.session.get(Job, job_id)
        if job is None:
            raise NotFound(f"job {job_id} does not exist")
        if job.finished:
            return job
        job.cancel_requested = True
        if job.status is JobStatus.QUEUED:
            job.status, job.finished_at, job.message = JobStatus.CANCELLED, utc_now(), "cancelled"
        uow.audit("cancel", "job", str(job_id), None, {"status": job.status.value})
        uow.commit()
        return job
