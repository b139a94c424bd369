"""The worker side: run one job, every queued job, or serve the PostgreSQL queue."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import sessionmaker

from materiel.platform.jobs.execution import Handler, execute_job
from materiel.platform.jobs.model import Job, JobStatus
from materiel.platform.jobs.runners import QUEUE, TASK_NAME, queue_app
from materiel.platform.jobs.store import jobs


def run_queued(session_factory: sessionmaker[Any], handlers: Mapping[str, Handler]) -> list[Job]:
    """Run every job still queued, oldest first (the embedded database's worker)."""
    with session_factory() as session:
        ids = list(
            session.scalars(
                select(jobs.c.id).where(jobs.c.status == JobStatus.QUEUED.value).order_by(jobs.c.id)
            )
        )
    return [execute_job(session_factory, job_id, handlers) for job_id in ids]


def serve_queue(
    database_url: str,
    session_factory: sessionmaker[Any],
    handlers: Mapping[str, Handler],
    *,
    once: bool = False,
) -> None:
    """Work the PostgreSQL queue; with `once`, stop when it is empty."""
    app = queue_app(database_url)

    @app.task(name=TASK_NAME, queue=QUEUE)
    def run_job(job_id: int) -> None:
        execute_job(session_factory, job_id, handlers)

    app.run_worker(queues=[QUEUE], wait=not once, install_signal_handlers=not once)
