"""HTTP routes of background jobs: progress and cancellation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from materiel.platform.http import UowDep, record_json
from materiel.platform.jobs.service import cancel_job, get_job

router = APIRouter(prefix="/api", tags=["jobs"])


@router.get("/jobs/{job_id}", summary="A job's status, progress and result")
def read_job(job_id: int, uow: UowDep) -> dict[str, Any]:
    return record_json(get_job(job_id, uow))


@router.post("/jobs/{job_id}/cancel", summary="Ask a job to stop")
def cancel(job_id: int, uow: UowDep) -> dict[str, Any]:
    return record_json(cancel_job(job_id, uow))
