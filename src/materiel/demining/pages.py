"""Web pages of demining: areas ranked with their score parts, an area, the tasking table."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from materiel.core.errors import MaterielError
from materiel.demining import planning_service as planning
from materiel.demining import service
from materiel.demining.priority import CRITERIA, Weights
from materiel.platform.http import UowDep
from materiel.web.forms import form_values
from materiel.web.rendering import page

router = APIRouter(include_in_schema=False)


@router.get("/demining", response_class=HTMLResponse)
def areas_page(request: Request, uow: UowDep) -> Response:
    """Hazard areas ranked by priority; the weights come from the query string."""
    given = {c: request.query_params[c] for c in CRITERIA if request.query_params.get(c)}
    error = request.query_params.get("error", "")
    try:
        weights = {name: float(value) for name, value in given.items()}
        ranked = planning.rank_areas(weights, uow)
    except (MaterielError, ValueError) as exc:
        error = exc.message if isinstance(exc, MaterielError) else f"weights must be numbers: {exc}"
        weights, ranked = {}, planning.rank_areas({}, uow)
    context = {
        "ranked": ranked,
        "criteria": CRITERIA,
        "weights": Weights.from_mapping(weights).to_json(),
        "latest": planning.latest_tasking(uow),
        "message": request.query_params.get("message", ""),
        "error": error,
    }
    return page(request, "demining/areas.html", context, markings=[r.area.marking for r in ranked])


@router.get("/demining/areas/{area_id}", response_class=HTMLResponse)
def area_page(area_id: str, request: Request, uow: UowDep) -> Response:
    view = service.area_view(area_id, uow)
    context = {
        "view": view,
        "message": request.query_params.get("message", ""),
        "error": request.query_params.get("error", ""),
    }
    return page(request, "demining/area.html", context, markings=[view.area.marking])


@router.get("/demining/tasking", response_class=HTMLResponse)
def tasking_page(request: Request, uow: UowDep) -> Response:
    found = planning.latest_tasking(uow)
    context: dict[str, object] = {"run": None, "table": {}, "tasks": []}
    if found is not None:
        run, tasks = found
        context = {"run": run, "tasks": tasks, "table": planning.week_table(run, tasks)}
    context["message"] = request.query_params.get("message", "")
    context["error"] = request.query_params.get("error", "")
    return page(request, "demining/tasking.html", context)


@router.post("/demining/tasks/{task_id}/coverage")
async def plan_coverage(task_id: int, request: Request, uow: UowDep) -> Response:
    values = await form_values(request)
    back = values.get("back", "/demining/tasking")
    try:
        record = planning.plan_task_coverage(task_id, uow)
    except MaterielError as error:
        return RedirectResponse(f"{back}?error={error.message}", status_code=303)
    return RedirectResponse(
        f"{back}?message=Coverage plan {record.id} made for task {task_id}.", status_code=303
    )
