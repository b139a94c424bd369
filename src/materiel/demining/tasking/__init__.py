"""Tasking: which remote asset works which hazard area on which days (CP-SAT)."""

from materiel.demining.tasking.io import problem_from_json, problem_to_json
from materiel.demining.tasking.model import (
    AreaResult,
    AreaSpec,
    AssetSpec,
    DateRange,
    Location,
    SolverInfo,
    Task,
    TaskingPlan,
    TaskingProblem,
    WhatIf,
)
from materiel.demining.tasking.solve import plan_baseline, plan_tasking
from materiel.demining.tasking.whatif import what_if

__all__ = [
    "AreaResult",
    "AreaSpec",
    "AssetSpec",
    "DateRange",
    "Location",
    "SolverInfo",
    "Task",
    "TaskingPlan",
    "TaskingProblem",
    "WhatIf",
    "plan_baseline",
    "plan_tasking",
    "problem_from_json",
    "problem_to_json",
    "what_if",
]
