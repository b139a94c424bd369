"""The spreadsheet baseline, for comparison only.

Requirements in order of priority, then earliest needed-by; each takes
units from the first compatible pledge in the list (named type before
substitutes) until it is full or nothing usable is left. Hard rules and
pins are honoured exactly as in the planner.
"""

from __future__ import annotations

import time
from collections import defaultdict

from materiel.donations.planning.instance import Instance, build_instance
from materiel.donations.planning.plan import Plan, SolverInfo
from materiel.donations.planning.planner_output import assemble
from materiel.donations.planning.scenario import Scenario


def greedy_pairs(inst: Instance) -> dict[tuple[int, int], int]:
    """Units per (pledge, requirement) chosen greedily (pins excluded)."""
    left = list(inst.supply)
    by_type: dict[str, list[int]] = defaultdict(list)
    for p, pledge in enumerate(inst.pledges):
        by_type[pledge.item_type].append(p)
    start = dict.fromkeys(by_type, 0)  # first pledge with units left, per type
    order = sorted(
        range(len(inst.requirements)),
        key=lambda r: (inst.requirements[r].priority, inst.requirements[r].needed_by, r),
    )
    pairs: dict[tuple[int, int], int] = {}
    for r in order:
        need = inst.demand[r]
        for item_type in inst.requirements[r].accepted_types:
            pledges = by_type.get(item_type)
            if not pledges:
                continue
            while start[item_type] < len(pledges) and left[pledges[start[item_type]]] == 0:
                start[item_type] += 1
            for p in pledges[start[item_type] :]:
                if need == 0:
                    break
                if left[p] > 0 and inst.usable(p, r):
                    units = min(need, left[p])
                    pairs[(p, r)] = units
                    left[p] -= units
                    need -= units
    return pairs


def allocate_greedy(scenario: Scenario) -> Plan:
    """A plan built the way a spreadsheet user would build it."""
    began = time.monotonic()
    inst = build_instance(scenario)
    pairs = greedy_pairs(inst)
    info = SolverInfo("greedy", time.monotonic() - began, None, None, "greedy baseline")
    return assemble(inst, pairs, info)
