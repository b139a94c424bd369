"""Assemble a `Plan` from pairings: allocations, unmet lines, objective, reasons."""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import replace

from materiel.donations.planning import candidates
from materiel.donations.planning.instance import Instance
from materiel.donations.planning.objective import measure
from materiel.donations.planning.plan import Allocation, DroppedPinOut, Plan, SolverInfo, Unmet
from materiel.donations.planning.reasons import Explainer, allocation_reasons, unmet_reason


def assemble(
    inst: Instance, pairs: dict[tuple[int, int], int], info: SolverInfo, began: float | None = None
) -> Plan:
    """The plan for planned pairs plus the kept pins; `began` times the whole run."""
    units: dict[tuple[int, int], int] = defaultdict(int, pairs)
    pinned = set()
    for p, r, kept in inst.pinned:
        units[(p, r)] += kept
        pinned.add((p, r))
    explainer = Explainer(inst, dict(units))
    allocations = tuple(
        allocation(inst, explainer, p, r, n=n, pinned=(p, r) in pinned)
        for (p, r), n in sorted(units.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        if n > 0
    )
    objective = measure(inst, ((p, r, n) for (p, r), n in units.items()))
    got: dict[int, int] = defaultdict(int)
    for (_, r), n in units.items():
        got[r] += n
    unmet = tuple(
        Unmet(req.id, req.quantity - got[r], unmet_reason(explainer, r))
        for r, req in enumerate(inst.requirements)
        if req.quantity > got[r]
    )
    dropped = tuple(
        DroppedPinOut(d.pin.pledge, d.pin.requirement, d.quantity, d.reason) for d in inst.dropped
    )
    if began is not None:
        info = replace(info, seconds=time.monotonic() - began)
    info = with_gap(info, objective.types_per_unit)
    return Plan(allocations, unmet, objective, info, dropped, inst.scenario.warnings)


def with_gap(info: SolverInfo, types: int) -> SolverInfo:
    """Relative gap of level 3 to its bound; 'optimal' once the bound is met."""
    if info.bound is None:
        return info
    gap = (types - info.bound) / max(info.bound, 1)
    status = "optimal" if gap <= 0 and info.status == "feasible" else info.status
    return replace(info, gap=round(max(gap, 0.0), 6), status=status)


def allocation(
    inst: Instance, explainer: Explainer, p: int, r: int, *, n: int, pinned: bool
) -> Allocation:
    route = inst.route(p, r)
    assert route is not None
    arrival = candidates.arrival(inst.pledges[p], route)
    return Allocation(
        pledge=inst.pledges[p].id,
        requirement=inst.requirements[r].id,
        quantity=n,
        arrival=arrival,
        days_late=candidates.days_late(arrival, inst.requirements[r]),
        reasons=allocation_reasons(explainer, p, r, pinned),
        pinned=pinned,
    )
