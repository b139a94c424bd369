"""The planner's output and its `materiel-plan/1` JSON form."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from materiel.donations.planning import schemas
from materiel.platform.json_documents import raise_problems, schema_problems

FORMAT = "materiel-plan/1"


@dataclass(frozen=True)
class Allocation:
    """Units of one pledge assigned to one requirement, with the reasons."""

    pledge: str
    requirement: str
    quantity: int
    arrival: date
    days_late: int
    reasons: tuple[str, ...] = ()
    pinned: bool = False


@dataclass(frozen=True)
class Unmet:
    """Units of a requirement left unfilled, and why."""

    requirement: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class DroppedPinOut:
    """A pin the planner could not keep (in whole or in part)."""

    pledge: str
    requirement: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class Objective:
    """The plan's value on each level of the lexicographic objective."""

    met_by_priority: dict[int, int]
    unit_days_late: int
    types_per_unit: int
    transport_cost: float
    units_moved: int


@dataclass(frozen=True)
class SolverInfo:
    """How the plan was found; `bound` is a lower bound on `types_per_unit`."""

    status: str
    seconds: float
    bound: int | None
    gap: float | None = None
    method: str = "min-cost flow + slope scaling + SCIP bounds (level 3)"
    notes: tuple[str, ...] = ()
    levels_1_2_seconds: float | None = None


@dataclass(frozen=True)
class Plan:
    """One planner run's result."""

    allocations: tuple[Allocation, ...]
    unmet: tuple[Unmet, ...]
    objective: Objective
    solver: SolverInfo
    dropped_pins: tuple[DroppedPinOut, ...] = ()
    warnings: tuple[str, ...] = field(default=())


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The `materiel-plan/1` document of a plan."""
    o, s = plan.objective, plan.solver
    return {
        "format": FORMAT,
        "allocations": [
            {
                "pledge": a.pledge,
                "requirement": a.requirement,
                "quantity": a.quantity,
                "arrival": a.arrival.isoformat(),
                "days_late": a.days_late,
                "pinned": a.pinned,
                "reasons": list(a.reasons),
            }
            for a in plan.allocations
        ],
        "unmet": [
            {"requirement": u.requirement, "quantity": u.quantity, "reason": u.reason}
            for u in plan.unmet
        ],
        "dropped_pins": [d.__dict__ for d in plan.dropped_pins],
        "warnings": list(plan.warnings),
        "objective": {
            "met_by_priority": {str(k): v for k, v in sorted(o.met_by_priority.items())},
            "unit_days_late": o.unit_days_late,
            "types_per_unit": o.types_per_unit,
            "transport_cost": o.transport_cost,
            "units_moved": o.units_moved,
        },
        "solver": {
            "status": s.status,
            "seconds": round(s.seconds, 3),
            "bound": s.bound,
            "gap": s.gap,
            "method": s.method,
            "notes": list(s.notes),
            "levels_1_2_seconds": (
                round(s.levels_1_2_seconds, 3) if s.levels_1_2_seconds is not None else None
            ),
        },
    }


def plan_from_json(doc: Any, *, source: str = "plan") -> Plan:
    """Read a `materiel-plan/1` document (validated against its schema)."""
    problems = schema_problems(schemas.validator(schemas.PLAN), doc, source)
    if problems:
        raise_problems(problems, source, "plan")
    o, s = doc["objective"], doc["solver"]
    return Plan(
        allocations=tuple(
            Allocation(
                a["pledge"],
                a["requirement"],
                a["quantity"],
                date.fromisoformat(a["arrival"]),
                a["days_late"],
                tuple(a["reasons"]),
                a.get("pinned", False),
            )
            for a in doc["allocations"]
        ),
        unmet=tuple(Unmet(u["requirement"], u["quantity"], u["reason"]) for u in doc["unmet"]),
        objective=Objective(
            {int(k): v for k, v in o["met_by_priority"].items()},
            o["unit_days_late"],
            o["types_per_unit"],
            o["transport_cost"],
            o["units_moved"],
        ),
        solver=SolverInfo(
            s["status"],
            s["seconds"],
            s["bound"],
            s.get("gap"),
            s.get("method", ""),
            tuple(s.get("notes", ())),
            s.get("levels_1_2_seconds"),
        ),
        dropped_pins=tuple(DroppedPinOut(**d) for d in doc.get("dropped_pins", ())),
        warnings=tuple(doc.get("warnings", ())),
    )


def write_plan(plan: Plan, path: Path) -> None:
    """Write the plan as indented JSON."""
    path.write_text(json.dumps(plan_to_json(plan), indent=2) + "\n", encoding="utf-8")
