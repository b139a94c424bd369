"""A background job's record: what to run, how far it got, how it ended."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from materiel.core.dates import utc_now


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})
UNCLAIMED_AFTER_S = 60


@dataclass
class Job:
    """One run of a handler; `params` and `result` are small JSON documents."""

    kind: str
    params: dict[str, Any] = field(default_factory=dict)
    created_by: str = "system"
    status: JobStatus = JobStatus.QUEUED
    progress: float = 0.0
    message: str = "queued"
    result: dict[str, Any] | None = None
    error: str | None = None
    cancel_requested: bool = False
    created_at: datetime = field(default_factory=utc_now)
    started_at: datetime | None = None
    finished_at: datetime | None = None
    id: int | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def unclaimed_too_long(self) -> bool:
        """Queued for longer than a worker takes to start: none may be running."""
        waited = (utc_now() - _aware(self.created_at)).total_seconds()
        return self.status is JobStatus.QUEUED and waited > UNCLAIMED_AFTER_S


def _aware(moment: datetime) -> datetime:
    # SQLite hands back naive datetimes for timezone-aware columns; ours are UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
