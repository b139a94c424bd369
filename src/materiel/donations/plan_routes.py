"""HTTP routes of allocation plans: run (as a job), read, compare, accept, pin, forbid."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from materiel.core.paging import Window
from materiel.donations import plan_listing, plan_service
from materiel.donations.plan_model import MAX_PIN_UNITS, PlanDiff, RuleKind
from materiel.donations.planning.planner import MAX_TIME_LIMIT_S, MIN_TIME_LIMIT_S
from materiel.platform.http import (
    IfMatch,
    PagingDep,
    UowDep,
    record_json,
    required_version,
    with_etag,
)
from materiel.platform.jobs.service import submit_job

router = APIRouter(prefix="/api", tags=["allocation plans"])

MAX_VERSION = 2**31 - 1  # versions are 32-bit integer columns


class AllocationRun(BaseModel):
    time_limit_s: float = Field(
        default=60,
        ge=MIN_TIME_LIMIT_S,
        le=MAX_TIME_LIMIT_S,
        strict=True,  # `true` is not 1 s
        description=f"seconds for level 3, {MIN_TIME_LIMIT_S} to {MAX_TIME_LIMIT_S}",
    )


class Acceptance(BaseModel):
    version: int | None = Field(
        default=None,
        ge=1,
        le=MAX_VERSION,
        description="the plan version you reviewed (its ETag); or send If-Match instead",
    )


class RuleIn(BaseModel):
    kind: RuleKind
    pledge: str
    requirement: str
    quantity: int = Field(
        default=0,
        ge=0,
        le=MAX_PIN_UNITS,
        strict=True,  # `true` is not 1 unit
        description="units to keep (a pin: 1 to what the pledge offers); a ban keeps none",
    )


@router.post("/plans/allocation", status_code=202, summary="Run the allocation planner")
def run_allocation(body: AllocationRun, uow: UowDep, request: Request) -> dict[str, Any]:
    """Starts a background job; poll `/api/jobs/{id}` for progress and the new plan's id."""
    runner = request.app.state.runtime.runner
    job = submit_job(plan_service.ALLOCATION_JOB, body.model_dump(), uow, runner)
    return record_json(job)


# A plan's lists: left out of a version list (`counts` says how long), paged in one plan.
PLAN_LISTS = ("unmet", "notes")


@router.get("/plans", summary="Every plan version, newest first (summaries)")
def list_plans(uow: UowDep) -> list[dict[str, Any]]:
    """Each version's figures and `counts` of its lines; the lines are in one plan's GET."""
    return [summary_json(s) for s in plan_listing.plan_summaries(uow)]


def summary_json(summary: plan_listing.PlanSummary) -> dict[str, Any]:
    plan = {k: v for k, v in record_json(summary.plan).items() if k not in PLAN_LISTS}
    return {**plan, "counts": summary.counts}


@router.get("/plans/{plan_id}", summary="One plan, a page of its allocations and unmet lines")
def get_plan(plan_id: int, uow: UowDep, response: Response, paging: PagingDep) -> dict[str, Any]:
    """Figures and notes whole; `limit`/`offset` page `allocations` and `unmet` alike, and
    `counts` gives each list's total."""
    window = Window(paging.limit, paging.offset)
    view = plan_listing.plan_view(plan_id, uow, window, window)
    return {
        **with_etag(response, replace(view.plan, unmet=list(view.unmet.items))),
        "allocations": [record_json(a) for a in view.allocations.items],
        "counts": view.counts,
        "limit": paging.limit,
        "offset": paging.offset,
    }


@router.get("/plans/{plan_id}/compare", summary="What a plan changes against another")
def compare_plans(
    plan_id: int,
    uow: UowDep,
    other: Annotated[int | None, Query(alias="with", description="default: its basis")] = None,
) -> dict[str, Any]:
    against, diff = plan_service.compare_plans(plan_id, other, uow)
    return {"plan": plan_id, "against": against, **diff_json(diff)}


def diff_json(diff: PlanDiff) -> dict[str, Any]:
    def rows(changes: list[Any]) -> list[dict[str, Any]]:
        return [c.__dict__ for c in changes]

    return {
        "added": rows(diff.added),
        "removed": rows(diff.removed),
        "resized": rows(diff.resized),
        "unchanged": diff.unchanged,
        "units_moved": diff.units_moved,
    }


@router.post("/plans/{plan_id}/accept", summary="Accept a draft plan")
def accept_plan(
    plan_id: int,
    uow: UowDep,
    response: Response,
    body: Acceptance | None = None,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    """Name the version you reviewed: `{"version": N}` in the body, or `If-Match` with the ETag."""
    version = required_version(
        body.version if body else None,
        if_match,
        f"accepting plan {plan_id}",
        f"/api/plans/{plan_id}",
    )
    return with_etag(response, plan_service.accept_plan(plan_id, version, uow))


@router.get("/pairing-rules", summary="Pinned and forbidden pairings")
def list_rules(uow: UowDep) -> list[dict[str, Any]]:
    return [record_json(rule) for rule in plan_service.list_rules(uow)]


@router.post("/pairing-rules", status_code=201, summary="Pin or forbid a pairing")
def set_rule(body: RuleIn, uow: UowDep) -> dict[str, Any]:
    rule = plan_service.set_rule(body.kind, body.pledge, body.requirement, body.quantity, uow)
    return record_json(rule)


@router.delete("/pairing-rules/{rule_id}", status_code=204, summary="Remove a pin or a ban")
def remove_rule(rule_id: str, uow: UowDep) -> Response:
    plan_service.remove_rule(rule_id, uow)
    return Response(status_code=204)
