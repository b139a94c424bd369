"""The overview page: the picture on one screen, with charts."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from materiel.donations.reports import Flow, overview
from materiel.platform.http import UowDep
from materiel.web.rendering import page

router = APIRouter(include_in_schema=False)
SERIES = ("pledged", "allocated", "delivered")


@router.get("/", response_class=HTMLResponse)
def overview_page(request: Request, uow: UowDep) -> Response:
    view = overview(uow)
    shown = ["pledged", "delivered"] if view.summary.plan_hidden else list(SERIES)
    charts = {
        "keys": shown,
        "area": _series(view.by_area),
        "donor": _series(view.by_donor),
        "unmet": {
            "labels": [f"P{p}" for p in view.summary.units_unmet_by_priority],
            "required": list(view.summary.units_required_by_priority.values()),
            "unmet": list(view.summary.units_unmet_by_priority.values()),
        },
    }
    return page(
        request,
        "overview.html",
        {"view": view, "charts": json.dumps(charts)},
        markings=[view.marking],
    )


def _series(groups: dict[str, Flow]) -> dict[str, list[Any]]:
    return {
        "labels": list(groups),
        "pledged": [f.pledged for f in groups.values()],
        "allocated": [f.allocated for f in groups.values()],
        "delivered": [f.delivered for f in groups.values()],
    }
