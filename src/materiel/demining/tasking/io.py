"""Tasking problems as JSON documents, for files, the API and background jobs.

    {"start": "2027-04-05", "horizon_weeks": 4, "working_weekdays": [0, 1, 2, 3, 4, 5],
     "hours_per_day": 10,
     "areas": [{"id": "HA-1", "x": 12.5, "y": 3.0, "area_m2": 52000, "priority": 6.2,
                "terrain": "open", "status": "confirmed"}],
     "assets": [{"id": "M1", "kind": "machine", "x": 0, "y": 0, "speed_kmh": 25,
                 "rates": {"open": 1500, "forest": null},
                 "available": [["2027-04-05", "2027-04-30"]], "statuses": null}],
     "travel_hours": {"M1": {"HA-1": 0.8}}}

Locations are plane km (`x`, `y`) or, with `"lonlat": true`, longitude and latitude.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from materiel.core.errors import InvalidInput
from materiel.demining.tasking.model import (
    AreaSpec,
    AssetSpec,
    DateRange,
    Location,
    TaskingProblem,
)


def problem_to_json(problem: TaskingProblem) -> dict[str, Any]:
    """The JSON document of a problem (see the module's docstring)."""
    return {
        "start": problem.start.isoformat(),
        "horizon_weeks": problem.horizon_weeks,
        "working_weekdays": sorted(problem.working_weekdays),
        "hours_per_day": problem.hours_per_day,
        "areas": [
            {
                "id": a.id,
                **_place(a.location),
                "area_m2": a.area_m2,
                "priority": a.priority,
                "terrain": a.terrain,
                "status": a.status,
            }
            for a in problem.areas
        ],
        "assets": [
            {
                "id": x.id,
                "kind": x.kind,
                **_place(x.base),
                "speed_kmh": x.speed_kmh,
                "rates": dict(x.rates),
                "available": None
                if x.available is None
                else [[r.first.isoformat(), r.last.isoformat()] for r in x.available],
                "statuses": None if x.statuses is None else sorted(x.statuses),
            }
            for x in problem.assets
        ],
        "travel_hours": {k: dict(v) for k, v in (problem.travel_hours or {}).items()},
    }


def problem_from_json(doc: Any) -> TaskingProblem:
    """Read a problem document; a missing or malformed field is refused with its place."""
    try:
        return TaskingProblem(
            start=date.fromisoformat(doc["start"]),
            horizon_weeks=int(doc.get("horizon_weeks", 4)),
            working_weekdays=frozenset(doc.get("working_weekdays", range(6))),
            hours_per_day=float(doc.get("hours_per_day", 10.0)),
            areas=tuple(_area(a) for a in doc["areas"]),
            assets=tuple(_asset(x) for x in doc["assets"]),
            travel_hours=doc.get("travel_hours") or None,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise InvalidInput(f"tasking problem: missing or malformed field {error}") from error


def _place(where: Location) -> dict[str, Any]:
    return {"x": where.x, "y": where.y, "lonlat": where.geographic}


def _location(doc: dict[str, Any]) -> Location:
    return Location(float(doc["x"]), float(doc["y"]), bool(doc.get("lonlat", False)))


def _area(doc: dict[str, Any]) -> AreaSpec:
    return AreaSpec(
        id=str(doc["id"]),
        location=_location(doc),
        area_m2=float(doc["area_m2"]),
        priority=float(doc["priority"]),
        terrain=str(doc.get("terrain", "default")),
        status=str(doc.get("status", "confirmed")),
    )


def _asset(doc: dict[str, Any]) -> AssetSpec:
    available = doc.get("available")
    statuses = doc.get("statuses")
    return AssetSpec(
        id=str(doc["id"]),
        kind=str(doc["kind"]),
        base=_location(doc),
        rates={str(k): None if v is None else float(v) for k, v in doc["rates"].items()},
        speed_kmh=float(doc.get("speed_kmh", 30.0)),
        available=None
        if available is None
        else tuple(DateRange(date.fromisoformat(a), date.fromisoformat(b)) for a, b in available),
        statuses=None if statuses is None else frozenset(statuses),
    )
