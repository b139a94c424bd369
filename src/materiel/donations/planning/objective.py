"""Measure a set of (pledge, requirement, units) on every objective level.

One implementation shared by the planner, the greedy baseline, the
benchmark and the tests, so that all of them are compared the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from materiel.donations.planning.instance import Instance
from materiel.donations.planning.network import COST_SCALE
from materiel.donations.planning.plan import Objective
from materiel.donations.planning.scenario import PRIORITIES

Triple = tuple[int, int, int]  # (pledge index, requirement index, units)


def measure(inst: Instance, triples: Iterable[Triple]) -> Objective:
    """Objective values of an allocation given as index triples."""
    met = dict.fromkeys(PRIORITIES, 0)
    late = 0
    transport = 0
    kept: dict[tuple[str, str], int] = defaultdict(int)
    pairs: set[tuple[str, str]] = set()
    for p, r, units in triples:
        pledge, req = inst.pledges[p], inst.requirements[r]
        route = inst.route(p, r)
        assert route is not None
        met[req.priority] += units
        late += units * inst.late_days(p, r)
        transport += units * route.cost
        pairs.add((req.unit_key, pledge.item_type))
        kept[(pledge.id, req.id)] += units
    return Objective(
        met_by_priority=met,
        unit_days_late=late,
        types_per_unit=len(pairs),
        transport_cost=transport / COST_SCALE,
        units_moved=units_moved(inst, kept),
    )


def units_moved(inst: Instance, kept: dict[tuple[str, str], int]) -> int:
    """Units of the previous plan no longer on their previous pairing."""
    previous: dict[tuple[str, str], int] = defaultdict(int)
    for pairing in inst.scenario.previous_plan:
        previous[(pairing.pledge, pairing.requirement)] += pairing.quantity
    return sum(max(0, units - kept.get(pair, 0)) for pair, units in previous.items())
