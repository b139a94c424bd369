"""HTTP routes of allocation plans: run (as a job), read, compare, accept, pin, forbid."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from materiel.donations import plan_service
from materiel.donations.plan_model import PlanDiff, RuleKind
from materiel.platform.http import IfMatch, UowDep, expected_version, record_json, with_etag
from materiel.platform.jobs.service import submit_job

router = APIRouter(prefix="/api", tags=["allocation plans"])


class AllocationRun(BaseModel):
    time_limit_s: float = Field(
        default=60, gt=0, le=3600, strict=True, description="seconds for level 3"
    )


class Acceptance(BaseModel):
    version: int | None = None


class RuleIn(BaseModel):
    kind: RuleKind
    pledge: str
    requirement: str
    quantity: int = Field(default=0, ge=0)


@router.post("/plans/allocation", status_code=202, summary="Run the allocation planner")
def run_allocation(body: AllocationRun, uow: UowDep, request: Request) -> dict[str, Any]:
    """Starts a background job; poll `/api/jobs/{id}` for progress and the new plan's id."""
    runner = request.app.state.runtime.runner
    job = submit_job(plan_service.ALLOCATION_JOB, body.model_dump(), uow, runner)
    return record_json(job)


@router.get("/plans", summary="Every plan version, newest first")
def list_plans(uow: UowDep) -> list[dict[str, Any]]:
    return [record_json(plan) for plan in plan_service.list_plans(uow)]


@router.get("/plans/{plan_id}", summary="One plan with its allocations and reasons")
def get_plan(plan_id: int, uow: UowDep, response: Response) -> dict[str, Any]:
    view = plan_service.get_plan(plan_id, uow)
    return {
        **with_etag(response, view.plan),
        "allocations": [record_json(a) for a in view.allocations],
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
    plan_id: int, body: Acceptance, uow: UowDep, response: Response, if_match: IfMatch = None
) -> dict[str, Any]:
    version = expected_version(body.version, if_match)
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
