"""Web pages of plan review: run with progress, read reasons, pin or forbid, accept."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from materiel.core.errors import MaterielError
from materiel.donations import plan_service
from materiel.donations.plan_model import RuleKind
from materiel.platform.http import UowDep
from materiel.platform.jobs.model import JobStatus
from materiel.platform.jobs.service import get_job, submit_job
from materiel.web.forms import form_values
from materiel.web.rendering import is_htmx, page, templates

router = APIRouter(include_in_schema=False)


@router.get("/plans", response_class=HTMLResponse)
def plans_page(request: Request, uow: UowDep) -> Response:
    job_id = request.query_params.get("job", "")
    job = get_job(int(job_id), uow) if job_id.isdigit() else None
    return page(request, "plans.html", {"plans": plan_service.list_plans(uow), "job": job})


@router.post("/plans/run", response_class=HTMLResponse)
async def run_planner(request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    limit = float(values.get("time_limit_s") or 20)
    job = submit_job(
        plan_service.ALLOCATION_JOB, {"time_limit_s": limit}, uow, request.app.state.runtime.runner
    )
    if not is_htmx(request):  # the form was sent before htmx loaded: show the job on the list
        return RedirectResponse(f"/plans?job={job.id}", status_code=303)
    return templates.TemplateResponse(request, "_job.html", {"job": job})


@router.get("/jobs/{job_id}/status", response_class=HTMLResponse)
def job_status(job_id: int, request: Request, uow: UowDep) -> Response:
    job = get_job(job_id, uow)
    response = templates.TemplateResponse(request, "_job.html", {"job": job})
    if job.status is JobStatus.SUCCEEDED and job.result and "plan_id" in job.result:
        response.headers["HX-Redirect"] = f"/plans/{job.result['plan_id']}"
    return response


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(plan_id: int, request: Request, uow: UowDep) -> Response:
    review = plan_service.review_plan(plan_id, uow)
    markings = [
        *(a.marking for a in review.allocations),
        *(
            review.requirements[a.requirement].marking
            for a in review.allocations
            if a.requirement in review.requirements
        ),
    ]
    context = {
        "review": review,
        "message": request.query_params.get("message", ""),
        "error": request.query_params.get("error", ""),
    }
    return page(request, "plan.html", context, markings=markings)


@router.post("/plans/{plan_id}/accept")
async def accept(plan_id: int, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    version = int(values.get("version") or 0) or None
    try:
        plan_service.accept_plan(plan_id, version, uow)
    except MaterielError as error:
        return RedirectResponse(f"/plans/{plan_id}?error={error.message}", status_code=303)
    return RedirectResponse(f"/plans/{plan_id}?message=Plan accepted.", status_code=303)


@router.post("/plans/{plan_id}/rules")
async def add_rule(plan_id: int, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    kind = RuleKind(values["kind"])
    try:
        plan_service.set_rule(
            kind, values["pledge"], values["requirement"], int(values.get("quantity") or 0), uow
        )
    except MaterielError as error:
        return RedirectResponse(f"/plans/{plan_id}?error={error.message}", status_code=303)
    what = "pinned" if kind is RuleKind.PIN else "forbidden"
    note = (
        f"{values['pledge']} → {values['requirement']} {what}; run the planner to see the effect."
    )
    return RedirectResponse(f"/plans/{plan_id}?message={note}", status_code=303)


@router.post("/plans/{plan_id}/rules/remove")
async def remove_rule(plan_id: int, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    plan_service.remove_rule(values["rule"], uow)
    return RedirectResponse(f"/plans/{plan_id}?message=Rule removed.", status_code=303)
