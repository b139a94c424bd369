"""Where a submitted job runs, so that the web process never waits for it.

- `LocalProcessRunner` (the embedded SQLite default): a `materiel worker --job ID`
  process of its own, started and left to run.
- `QueueRunner` (PostgreSQL): the job is deferred onto a procrastinate queue in
  the same database and worked by `materiel worker` processes on any machine,
  so it survives a restart of the web process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Protocol

import procrastinate
from sqlalchemy.engine import make_url

QUEUE = "materiel"
TASK_NAME = "materiel.run_job"


class Runner(Protocol):
    def submit(self, job_id: int) -> None: ...


class LocalProcessRunner:
    """Starts one worker process per job on this machine."""

    def __init__(self, database_url: str, log_dir: Path) -> None:
        self.database_url = database_url
        self.log_dir = log_dir

    def submit(self, job_id: int) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "MATERIEL_DATABASE_URL": self.database_url}
        with (self.log_dir / f"job-{job_id}.log").open("ab") as log:
            subprocess.Popen(  # noqa: S603 - runs our own command line
                [sys.executable, "-m", "materiel", "worker", "--job", str(job_id)],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )


def queue_app(database_url: str) -> procrastinate.App:
    """The procrastinate app on our PostgreSQL database (tasks are added by the worker)."""
    conninfo = make_url(database_url).set(drivername="postgresql").render_as_string(False)
    return procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo))


class QueueRunner:
    """Defers jobs onto the PostgreSQL-backed procrastinate queue."""

    def __init__(self, database_url: str) -> None:
        self.app = queue_app(database_url)

    def submit(self, job_id: int) -> None:
        with self.app.open():
            self.app.configure_task(TASK_NAME, queue=QUEUE).defer(job_id=job_id)


def runner_for(database_url: str, log_dir: Path) -> Runner:
    if make_url(database_url).get_backend_name() == "postgresql":
        return QueueRunner(database_url)
    return LocalProcessRunner(database_url, log_dir)
