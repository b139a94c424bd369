"""The transport planner's output and its `materiel-transport-plan/1` JSON form."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from materiel.logistics.planning import schemas
from materiel.platform.json_documents import raise_problems, schema_problems

FORMAT = "materiel-transport-plan/1"


@dataclass(frozen=True)
class Leg:
    """One link travelled on given days."""

    link: str
    source: str
    target: str
    mode: str
    depart: date
    arrive: date


@dataclass(frozen=True)
class PlannedShipment:
    """Units of one movement travelling together along `legs`."""

    id: str
    movement: str
    units: int
    legs: tuple[Leg, ...]
    arrival: date
    days_late: int
    late_reason: str = ""  # why it is late: transit times alone, or which capacity was full


@dataclass(frozen=True)
class Unplanned:
    """Units of a movement that no plan can deliver within the horizon, and why."""

    movement: str
    units: int
    reason: str


@dataclass(frozen=True)
class TransportObjective:
    """The plan's value on each level: unplanned, lateness, then cost."""

    unit_days_late: int
    cost: float
    units_planned: int
    units_unplanned: int


@dataclass(frozen=True)
class TransportSolver:
    """How the plan was found; `notes` carry the bounds in words and the model size.

    `bounds` holds, per objective level (`units_unplanned`, `unit_days_late`,
    `cost`), a value no whole plan can beat, for each level whose levels
    above it the plan has proven optimal.
    """

    status: str
    seconds: float
    method: str
    variables: int
    notes: tuple[str, ...] = ()
    bounds: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class TransportPlan:
    """One transport planner run's result."""

    shipments: tuple[PlannedShipment, ...]
    unplanned: tuple[Unplanned, ...]
    objective: TransportObjective
    solver: TransportSolver
    warnings: tuple[str, ...] = ()


def leg_to_json(leg: Leg) -> dict[str, Any]:
    return {
        "link": leg.link,
        "from": leg.source,
        "to": leg.target,
        "mode": leg.mode,
        "depart": leg.depart.isoformat(),
        "arrive": leg.arrive.isoformat(),
    }


def plan_to_json(plan: TransportPlan) -> dict[str, Any]:
    """The `materiel-transport-plan/1` document of a plan."""
    o, s = plan.objective, plan.solver
    return {
        "format": FORMAT,
        "shipments": [
            {
                "id": p.id,
                "movement": p.movement,
                "units": p.units,
                "legs": [leg_to_json(leg) for leg in p.legs],
                "arrival": p.arrival.isoformat(),
                "days_late": p.days_late,
                **({"late_reason": p.late_reason} if p.late_reason else {}),
            }
            for p in plan.shipments
        ],
        "unplanned": [
            {"movement": u.movement, "units": u.units, "reason": u.reason} for u in plan.unplanned
        ],
        "objective": {
            "unit_days_late": o.unit_days_late,
            "cost": round(o.cost, 2),
            "units_planned": o.units_planned,
            "units_unplanned": o.units_unplanned,
        },
        "solver": solver_to_json(s),
        "warnings": list(plan.warnings),
    }


def solver_to_json(s: TransportSolver) -> dict[str, Any]:
    """The `solver` part of the plan document (also what a stored plan keeps)."""
    return {
        "status": s.status,
        "seconds": round(s.seconds, 3),
        "method": s.method,
        "variables": s.variables,
        "notes": list(s.notes),
        "bounds": {level: round(value, 6) for level, value in s.bounds},
    }


def plan_from_json(doc: Any, *, source: str = "plan") -> TransportPlan:
    """Read a `materiel-transport-plan/1` document (validated against its schema)."""
    problems = schema_problems(schemas.validator(schemas.PLAN), doc, source)
    if problems:
        raise_problems(problems, source, "transport plan")
    o, s = doc["objective"], doc["solver"]
    return TransportPlan(
        shipments=tuple(
            PlannedShipment(
                p["id"],
                p["movement"],
                p["units"],
                tuple(
                    Leg(
                        leg["link"],
                        leg["from"],
                        leg["to"],
                        leg["mode"],
                        date.fromisoformat(leg["depart"]),
                        date.fromisoformat(leg["arrive"]),
                    )
                    for leg in p["legs"]
                ),
                date.fromisoformat(p["arrival"]),
                p["days_late"],
                p.get("late_reason", ""),
            )
            for p in doc["shipments"]
        ),
        unplanned=tuple(
            Unplanned(u["movement"], u["units"], u["reason"]) for u in doc["unplanned"]
        ),
        objective=TransportObjective(
            o["unit_days_late"], float(o["cost"]), o["units_planned"], o["units_unplanned"]
        ),
        solver=TransportSolver(
            s["status"],
            s["seconds"],
            s["method"],
            s["variables"],
            tuple(s.get("notes", ())),
            tuple(s.get("bounds", {}).items()),
        ),
        warnings=tuple(doc.get("warnings", ())),
    )


def write_plan(plan: TransportPlan, path: Path) -> None:
    """Write the plan as indented JSON."""
    path.write_text(json.dumps(plan_to_json(plan), indent=2) + "\n", encoding="utf-8")
