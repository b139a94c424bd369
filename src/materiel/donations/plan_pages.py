"""Web pages of plan review: run with progress, read reasons, pin or forbid, accept.

Forms are offered only to roles that may use them. After a redirect, a message
travels as a signed notice (`notice_url`), never as raw text in the URL; a
refused planner run says why under htmx instead of vanishing.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from materiel.core.errors import InvalidInput, MaterielError
from materiel.core.paging import Page, Window
from materiel.donations import plan_listing, plan_service
from materiel.donations.plan_model import RuleKind
from materiel.donations.planning.planner import MAX_TIME_LIMIT_S, MIN_TIME_LIMIT_S
from materiel.platform.http import UowDep
from materiel.platform.jobs.model import Job, JobStatus
from materiel.platform.jobs.service import get_job, submit_job
from materiel.web.forms import form_values
from materiel.web.record_pages import parse_version
from materiel.web.rendering import is_htmx, notice_url, notices, page, templates
from materiel.web.tables import ListQuery, offset_of, pager

router = APIRouter(include_in_schema=False)

DEFAULT_SEARCH_SECONDS = 20
# The run form's field: the same bounds as the API and the CLI, and its default.
SEARCH_SECONDS = {
    "min": MIN_TIME_LIMIT_S,
    "max": MAX_TIME_LIMIT_S,
    "default": DEFAULT_SEARCH_SECONDS,
}


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("/plans", response_class=HTMLResponse)
def plans_page(request: Request, uow: UowDep) -> Response:
    job_id = request.query_params.get("job", "")
    job = get_job(int(job_id), uow) if job_id.isdigit() else None
    context = {"plans": plan_listing.plan_summaries(uow), "job": job, "search": SEARCH_SECONDS}
    return page(request, "plans.html", context)


@router.post("/plans/run", response_class=HTMLResponse)
async def run_planner(request: Request, uow: UowDep) -> Response:
    """Start an allocation planner run; its progress replaces the form's status line.

    htmx swaps in only successful answers, so a refusal (an auditor's 403, a
    mistyped search time) comes back to htmx as a fragment that says why.
    """
    values = await form_values(request)
    runner = request.app.state.runtime.runner
    try:
        limit = _search_seconds(values.get("time_limit_s", ""))
        job = submit_job(plan_service.ALLOCATION_JOB, {"time_limit_s": limit}, uow, runner)
    except MaterielError as error:
        if not is_htmx(request):
            raise
        return templates.TemplateResponse(request, "_job.html", {"refused": error.message})
    if not is_htmx(request):  # the form was sent before htmx loaded: show the job on the list
        return _see_other(f"/plans?job={job.id}")
    return templates.TemplateResponse(request, "_job.html", {"job": job})


def _search_seconds(text: str) -> float:
    """The search time the form asks for (the default when left empty); else it is refused."""
    if not text.strip():
        return float(DEFAULT_SEARCH_SECONDS)
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not MIN_TIME_LIMIT_S <= seconds <= MAX_TIME_LIMIT_S:  # also refuses nan and inf
        raise InvalidInput(
            f"search time must be a number of seconds from {MIN_TIME_LIMIT_S} to "
            f"{MAX_TIME_LIMIT_S}, not '{text}'"
        )
    return seconds


@router.get("/jobs/{job_id}/status", response_class=HTMLResponse)
def job_status(job_id: int, request: Request, uow: UowDep) -> Response:
    """A run's progress; once it succeeded, htmx is sent on to what it made."""
    job = get_job(job_id, uow)
    response = templates.TemplateResponse(request, "_job.html", {"job": job})
    made = _made_by(job)
    if made:
        response.headers["HX-Redirect"] = made
    return response


def _made_by(job: Job) -> str:
    """The page of what a succeeded run made: a plan, or a transport plan."""
    result = job.result or {}
    if job.status is not JobStatus.SUCCEEDED:
        return ""
    if "plan_id" in result:
        return f"/plans/{int(result['plan_id'])}"
    if "transport_plan_id" in result:
        return f"/transport-plans/{int(result['transport_plan_id'])}"
    return ""


# Each list of a plan's page, paged by its own `NAME_offset`, and its table's id.
PLAN_PAGERS = {"changes": "diff", "allocations": "allocations", "unmet": "unmet"}


@router.get("/plans/{plan_id}", response_class=HTMLResponse)
def plan_page(plan_id: int, request: Request, uow: UowDep) -> Response:
    """A plan to review: its figures whole; what changed, its allocations and its unmet
    lines a page each (`changes_offset`, `allocations_offset`, `unmet_offset`; `size` rows)."""
    size = ListQuery.of(request).limit
    windows = plan_listing.ReviewWindows(
        **{name: Window(size, offset_of(request, name)) for name in PLAN_PAGERS}
    )
    review = plan_listing.review_plan(plan_id, uow, windows)
    lists: dict[str, Page[Any]] = {
        "changes": review.changes,
        "allocations": review.view.allocations,
        "unmet": review.view.unmet,
    }
    message, error = notices(request)
    context = {
        "review": review,
        "plan": review.view.plan,
        "pagers": {
            name: pager(request, lists[name], f"{name}_offset", anchor=table)
            for name, table in PLAN_PAGERS.items()
        },
        "message": message,
        "error": error,
        "search": SEARCH_SECONDS,
    }
    return page(request, "plan.html", context, markings=review.markings)


@router.post("/plans/{plan_id}/accept")
async def accept(plan_id: int, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    try:
        version = parse_version(values.get("version"))
        plan_service.accept_plan(plan_id, version, uow)
    except MaterielError as error:
        return _see_other(notice_url(request, f"/plans/{plan_id}", error=error.message))
    return _see_other(notice_url(request, f"/plans/{plan_id}", message="Plan accepted."))


@router.post("/plans/{plan_id}/rules")
async def add_rule(plan_id: int, request: Request, uow: UowDep) -> Response:
    """Pin or forbid a pairing for every later run."""
    values = await form_values(request)
    pledge, requirement = values.get("pledge", ""), values.get("requirement", "")
    try:
        kind = _rule_kind(values.get("kind", ""))
        quantity = _units(values.get("quantity", ""))
        plan_service.set_rule(kind, pledge, requirement, quantity, uow)
    except MaterielError as error:
        return _see_other(notice_url(request, f"/plans/{plan_id}", error=error.message))
    what = "pinned" if kind is RuleKind.PIN else "forbidden"
    note = f"{pledge} → {requirement} {what}; run the planner to see the effect."
    return _see_other(notice_url(request, f"/plans/{plan_id}", message=note))


def _rule_kind(text: str) -> RuleKind:
    try:
        return RuleKind(text)
    except ValueError:
        kinds = ", ".join(k.value for k in RuleKind)
        raise InvalidInput(f"a rule is one of {kinds}, not '{text}'") from None


def _units(text: str) -> int:
    """Whole units as typed; the range is the service's to check (it knows the pledge)."""
    if not text:
        return 0
    if not (text.isascii() and text.isdigit()):  # '²' is a digit to Python, not to int()
        raise InvalidInput(f"the units to pin must be a whole number, not '{text}'")
    return int(text)


@router.post("/plans/{plan_id}/rules/remove")
async def remove_rule(plan_id: int, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    try:
        plan_service.remove_rule(values.get("rule", ""), uow)
    except MaterielError as error:
        return _see_other(notice_url(request, f"/plans/{plan_id}", error=error.message))
    return _see_other(notice_url(request, f"/plans/{plan_id}", message="Rule removed."))
