"""Which use case runs each kind of background job (read by every worker)."""

from __future__ import annotations

from materiel.donations import plan_service
from materiel.logistics import transport_service
from materiel.platform.jobs.execution import Handler

HANDLERS: dict[str, Handler] = {
    plan_service.ALLOCATION_JOB: plan_service.allocation_job,
    transport_service.TRANSPORT_JOB: transport_service.transport_job,
}
