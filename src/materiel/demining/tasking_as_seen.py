"""Tasking runs as one reader may see them.

A run's objective lists every area it planned (priority, m2 needed and
planned, released or not, why) and sums over them; its what-if comparisons
name the areas newly released. A reader who may not see some of those areas
gets the entries of the areas they see, the released m2 summed over those,
no priority-weighted figure, no solver bound, and reasons that no longer
name the hidden areas: sums over hidden areas would carry what their
markings withhold. The copies are detached, so nothing is written back.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from materiel.demining.model import TaskingRun
from materiel.demining.store import DeminingStore
from materiel.platform.access.sessions import principal_of
from materiel.platform.unit_of_work import UnitOfWork

SOLVER_KEPT = ("status", "method", "seconds")
HIDDEN = "an area not shown"


def run_as_seen(uow: UnitOfWork, run: TaskingRun) -> TaskingRun:
    """The run as the session's reader may see it (itself when they see every area)."""
    if principal_of(uow.session).is_system:
        return run
    seen = DeminingStore(uow.session).area_ids()
    named = _areas_named(run)
    hidden = named - seen
    if not hidden:
        return run
    return replace(
        run,
        objective=_objective_seen(run.objective, seen, hidden),
        solver={k: v for k, v in run.solver.items() if k in SOLVER_KEPT},
        what_if=[_comparison_seen(c, seen) for c in run.what_if],
    )


def _areas_named(run: TaskingRun) -> set[str]:
    named = {str(a.get("area")) for a in run.objective.get("areas") or []}
    for compare in run.what_if:
        named |= {str(a) for a in compare.get("newly_released") or []}
        named |= {str(a) for a in compare.get("no_longer_released") or []}
    return named


def _objective_seen(objective: dict[str, Any], seen: set[str], hidden: set[str]) -> dict[str, Any]:
    scrub = _scrubber(hidden)
    areas = [
        {**a, "reason": scrub(str(a.get("reason", "")))}
        for a in objective.get("areas") or []
        if a.get("area") in seen
    ]
    return {
        **objective,
        "areas": areas,
        "released_m2": sum(int(a.get("m2_needed", 0)) for a in areas if a.get("released")),
        "weighted_released": None,
    }


def _comparison_seen(compare: dict[str, Any], seen: set[str]) -> dict[str, Any]:
    return {
        "change": compare.get("change"),
        "released_m2": None,
        "weighted_released": None,
        "released_m2_delta": None,
        "weighted_delta": None,
        "newly_released": [a for a in compare.get("newly_released") or [] if a in seen],
        "no_longer_released": [a for a in compare.get("no_longer_released") or [] if a in seen],
    }


def _scrubber(hidden: set[str]) -> Any:
    """Replace each hidden area id, as a whole word, in a reason."""
    if not hidden:
        return lambda text: text
    names = sorted(hidden, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w/-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w/-])")
    return lambda text: pattern.sub(HIDDEN, text)
