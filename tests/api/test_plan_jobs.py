"""Planner runs through the API as background jobs, worked by real worker processes.

SQLite: the web app starts a local worker process per job. PostgreSQL: the job
goes onto the procrastinate queue and a separate `materiel worker` process
works it, so it survives the web process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from materiel.bootstrap import Runtime
from materiel.core.dates import utc_now
from materiel.donations.plan_service import ALLOCATION_JOB
from materiel.donations.service import import_pledges, import_requirements
from materiel.handlers import HANDLERS
from materiel.platform.jobs.execution import Cancelled, JobContext, execute_job
from materiel.platform.jobs.model import JobStatus
from materiel.platform.jobs.runners import QueueRunner
from materiel.platform.jobs.service import submit_job
from materiel.platform.jobs.store import jobs
from tests.auth import signed_in_client
from tests.donations.test_plans import PLEDGES, REQUIREMENTS
from tests.factories import load_reference_data

TIMEOUT_S = 90


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    load_reference_data(runtime)
    import_requirements(("requirements", REQUIREMENTS), runtime.uow("t"))
    import_pledges(("pledges", PLEDGES), runtime.uow("t"))
    return signed_in_client(runtime)


def work_queue_if_any(runtime: Runtime) -> None:
    """On PostgreSQL, run a separate worker process that empties the queue."""
    if not isinstance(runtime.runner, QueueRunner):
        return
    env = {**os.environ, "MATERIEL_DATABASE_URL": runtime.settings.database_url}
    done = subprocess.run(
        [sys.executable, "-m", "materiel", "worker", "--once"],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def wait_for(client: TestClient, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline:
        job: dict[str, Any] = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        time.sleep(0.2)
    pytest.fail(f"job {job_id} did not finish in {TIMEOUT_S} s")


def test_run_compare_and_accept_through_the_api(client: TestClient, runtime: Runtime) -> None:
    submitted = client.post("/api/plans/allocation", json={"time_limit_s": 5})
    assert submitted.status_code == 202, submitted.text
    assert submitted.json()["status"] == "queued"
    work_queue_if_any(runtime)
    job = wait_for(client, submitted.json()["id"])
    assert job["status"] == "succeeded", job["error"]
    assert job["progress"] == 1.0
    plan_id = job["result"]["plan_id"]

    plan = client.get(f"/api/plans/{plan_id}").json()
    assert plan["status"] == "draft"
    assert plan["allocations"] and all(a["reasons"] for a in plan["allocations"])
    diff = client.get(f"/api/plans/{plan_id}/compare").json()
    assert diff["against"] is None and len(diff["added"]) == len(plan["allocations"])

    accepted = client.post(f"/api/plans/{plan_id}/accept", json={"version": plan["version"]})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "accepted"
    assert client.get("/api/summary").json()["accepted_plan"] == plan_id


class HeldRunner:
    """Holds submitted jobs instead of starting them, as a busy queue would."""

    def __init__(self) -> None:
        self.held: list[int] = []

    def submit(self, job_id: int) -> None:
        self.held.append(job_id)


def test_a_queued_job_cancelled_is_skipped_by_the_worker(
    client: TestClient, runtime: Runtime
) -> None:
    job = submit_job(ALLOCATION_JOB, {"time_limit_s": 5}, runtime.uow("t"), HeldRunner())
    assert job.id is not None
    cancelled = client.post(f"/api/jobs/{job.id}/cancel").json()
    assert (cancelled["status"], cancelled["cancel_requested"]) == ("cancelled", True)
    later = execute_job(runtime.session_factory, job.id, HANDLERS)
    assert later.status is JobStatus.CANCELLED


def test_a_running_job_stops_when_cancelled(client: TestClient, runtime: Runtime) -> None:
    def patient(context: JobContext) -> dict[str, Any]:
        while not context.should_stop():
            context.progress(0.5, "waiting to be cancelled")
            time.sleep(0.05)
        raise Cancelled

    job = submit_job("patient", {}, runtime.uow("t"), HeldRunner())
    assert job.id is not None
    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(execute_job, runtime.session_factory, job.id, {"patient": patient})
        while client.get(f"/api/jobs/{job.id}").json()["status"] != "running":
            time.sleep(0.05)
        client.post(f"/api/jobs/{job.id}/cancel")
        assert running.result(timeout=TIMEOUT_S).status is JobStatus.CANCELLED
    assert client.get(f"/api/jobs/{job.id}").json()["message"] == "cancelled on request"


def test_a_run_nobody_picks_up_says_so(client: TestClient, runtime: Runtime) -> None:
    job = submit_job(ALLOCATION_JOB, {"time_limit_s": 5}, runtime.uow("t"), HeldRunner())
    with runtime.engine.begin() as connection:
        connection.execute(
            update(jobs)
            .where(jobs.c.id == job.id)
            .values(created_at=utc_now() - timedelta(minutes=5))
        )
    assert "No worker has picked this run up" in client.get(f"/jobs/{job.id}/status").text
