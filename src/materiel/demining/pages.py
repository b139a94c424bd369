"""Web pages of demining: areas ranked with their score parts, an area, the tasking table.

Forms are offered only to roles that may use them. After a redirect, a message
travels as a signed notice (`notice_url`), never as raw text in the URL, and a
form's `back` is followed only to a path of this site.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from materiel.core.errors import InvalidInput, MaterielError
from materiel.demining import planning_service as planning
from materiel.demining import service
from materiel.demining.priority import CRITERIA, Weights
from materiel.platform.http import UowDep
from materiel.platform.identity.request_auth import safe_next
from materiel.web.forms import form_values
from materiel.web.rendering import notice_url, notices, page

router = APIRouter(include_in_schema=False)

TASKING = "/demining/tasking"


@router.get("/demining", response_class=HTMLResponse)
def areas_page(request: Request, uow: UowDep) -> Response:
    """Hazard areas ranked by priority; the weights come from the query string."""
    given = {c: request.query_params[c] for c in CRITERIA if request.query_params.get(c)}
    message, error = notices(request)
    try:
        weights = {name: _weight(name, value) for name, value in given.items()}
        ranked = planning.rank_areas(weights, uow)
    except MaterielError as exc:
        error = exc.message
        weights, ranked = {}, planning.rank_areas({}, uow)
    context = {
        "ranked": ranked,
        "criteria": CRITERIA,
        "weights": Weights.from_mapping(weights).to_json(),
        "latest": planning.latest_tasking(uow),
        "message": message,
        "error": error,
    }
    return page(request, "demining/areas.html", context, markings=[r.area.marking for r in ranked])


def _weight(name: str, text: str) -> float:
    try:
        return float(text)
    except ValueError:
        label = name.replace("_", " ")
        raise InvalidInput(f"weights must be numbers: {label} is '{text}'") from None


@router.get("/demining/areas/{area_id}", response_class=HTMLResponse)
def area_page(area_id: str, request: Request, uow: UowDep) -> Response:
    view = service.area_view(area_id, uow)
    message, error = notices(request)
    context = {"view": view, "message": message, "error": error}
    return page(request, "demining/area.html", context, markings=[view.area.marking])


@router.get("/demining/tasking", response_class=HTMLResponse)
def tasking_page(request: Request, uow: UowDep) -> Response:
    found = planning.latest_tasking(uow)
    context: dict[str, object] = {"run": None, "table": {}, "tasks": []}
    if found is not None:
        run, tasks = found
        context = {"run": run, "tasks": tasks, "table": planning.week_table(run, tasks)}
    context["message"], context["error"] = notices(request)
    return page(request, "demining/tasking.html", context)


@router.post("/demining/tasks/{task_id}/coverage")
async def plan_coverage(task_id: int, request: Request, uow: UowDep) -> Response:
    """Plan a task's coverage, then go back to the page the button was on (of this site)."""
    values = await form_values(request)
    back = _back(values.get("back", ""))
    try:
        record = planning.plan_task_coverage(task_id, uow)
    except MaterielError as error:
        return RedirectResponse(notice_url(request, back, error=error.message), status_code=303)
    made = f"Coverage plan {record.id} made for task {task_id}."
    return RedirectResponse(notice_url(request, back, message=made), status_code=303)


def _back(target: str) -> str:
    """Where to go after the form: a path of this site (never another host), else tasking."""
    if not target:
        return TASKING
    safe = safe_next(target)
    return safe if safe == target else TASKING
