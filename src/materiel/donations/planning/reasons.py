"""Sentences a person can read: why this pledge, why this shortfall.

Each allocation says which rule chose it and which alternatives it beat
(and what happened to them); each unmet line says why it stayed unmet: no
compatible pledge, blocked by caveats, routes or staff, or the compatible
units went to requirements of equal or higher priority.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from functools import cache

from materiel.donations.planning import candidates
from materiel.donations.planning.instance import Instance
from materiel.donations.planning.network import COST_SCALE

ALTERNATIVES = 3  # alternatives named per allocation
SCAN = 200  # candidate pledges looked at per requirement


class Explainer:
    """Holds the plan's pairings and indexes candidates for quick look-ups."""

    def __init__(self, inst: Instance, units: dict[tuple[int, int], int]) -> None:
        self.inst = inst
        self.units = units
        self.used_by: dict[int, list[int]] = defaultdict(list)
        self.reqs_of_pair: dict[tuple[str, str], set[int]] = defaultdict(set)
        for p, r in units:
            self.used_by[p].append(r)
            pair = (inst.requirements[r].unit_key, inst.pledges[p].item_type)
            self.reqs_of_pair[pair].add(r)
        self.previous = {(q.pledge, q.requirement) for q in inst.scenario.previous_plan}
        self.by_type: dict[str, list[int]] = defaultdict(list)
        for p, pledge in enumerate(inst.pledges):
            self.by_type[pledge.item_type].append(p)
        self.sorted_for = cache(self._sorted_for)
        self.first_candidates = cache(self._first_candidates)

    def _sorted_for(self, item_type: str, destination: str) -> list[tuple[date, int, int]]:
        """Pledges of a type that reach a destination, earliest arrival first."""
        found = []
        for p in self.by_type.get(item_type, ()):
            route = self.inst.routes[self.inst.pledges[p].origin].get(destination)
            if route is not None:
                found.append((candidates.arrival(self.inst.pledges[p], route), route.cost, p))
        return sorted(found)

    def candidates_of(self, r: int) -> Iterator[tuple[date, int, int]]:
        """Usable pledges for r (caveats, staff), earliest then cheapest, at most SCAN."""
        req = self.inst.requirements[r]
        lists = [self.sorted_for(t, req.destination) for t in req.accepted_types]
        for count, (arrival, cost, p) in enumerate(heapq.merge(*lists)):
            if count >= SCAN:
                return
            caveats = self.inst.pledges[p].caveats
            if (
                not candidates.area_blocked(caveats, req)
                and not candidates.unit_blocked(caveats, req)
                and (self.inst.pledges[p].id, req.id) not in self.inst.forbidden
            ):
                yield arrival, cost, p

    def _first_candidates(self, r: int) -> list[tuple[date, int, int]]:
        """The earliest few candidates of r, enough to name the alternatives."""
        found = []
        for candidate in self.candidates_of(r):
            found.append(candidate)
            if len(found) > ALTERNATIVES + 8:
                break
        return found

    def takers(self, p: int, exclude: int) -> str:
        """The requirements that got pledge p's units, highest priority first."""
        reqs = sorted(
            (self.inst.requirements[r].priority, self.inst.requirements[r].id)
            for r in self.used_by[p]
            if r != exclude
        )
        shown = ", ".join(f"{rid} (priority {k})" for k, rid in reqs[:3])
        return shown + (f" and {len(reqs) - 3} more" if len(reqs) > 3 else "")


def allocation_reasons(ex: Explainer, p: int, r: int, pinned: bool) -> tuple[str, ...]:
    """Why pledge p fills requirement r."""
    inst = ex.inst
    pledge, req = inst.pledges[p], inst.requirements[r]
    route = inst.route(p, r)
    assert route is not None
    arrival = candidates.arrival(pledge, route)
    late = candidates.days_late(arrival, req)
    reasons = []
    if pinned:
        reasons.append("pinned by staff")
    reasons.append(f"rule 1 (priority): requirement {req.id} has priority {req.priority}")
    timing = "on time" if late == 0 else f"{late} days late"
    reasons.append(f"rule 2 (lateness): arrives {arrival}, {timing} for {req.needed_by}")
    if pledge.item_type != req.item_type:
        reasons.append(f"substitute {pledge.item_type} accepted in place of {req.item_type}")
    if ex.reqs_of_pair[(req.unit_key, pledge.item_type)] - {r}:
        reasons.append(f"rule 3 (commonality): {req.unit_key} also receives {pledge.item_type}")
    if (pledge.id, req.id) in ex.previous:
        reasons.append("rule 5 (stability): kept from the previous plan")
    cost = route.cost / COST_SCALE
    reasons.append(f"rule 4 (transport): {cost:g} per unit over {route.days} days")
    reasons.extend(beaten(ex, p, r, late, route.cost))
    return tuple(reasons)


def beaten(ex: Explainer, p: int, r: int, late: int, cost: int) -> Iterator[str]:
    """Up to ALTERNATIVES other candidates of r and why they were not chosen."""
    req = ex.inst.requirements[r]
    shown = 0
    for arrival, alt_cost, q in ex.first_candidates(r):
        if shown >= ALTERNATIVES:
            return
        if q == p or (q, r) in ex.units:
            continue
        shown += 1
        alt_late = candidates.days_late(arrival, req)
        name = ex.inst.pledges[q].id
        if ex.inst.supply[q] == 0 or ex.used_by[q]:
            took = ex.takers(q, r)
            yield f"alternative {name} (arrives {arrival}): its units went to {took}"
        elif alt_late > late:
            yield f"alternative {name} beaten on rule 2: {alt_late - late} more days late"
        elif alt_cost > cost:
            yield f"alternative {name} beaten on rule 4: costs more to move"
        else:
            yield f"alternative {name} beaten on rule 3 or 5: fewer types per unit or stability"


def unmet_reason(ex: Explainer, r: int) -> str:
    """Why requirement r keeps a shortfall."""
    inst = ex.inst
    req = inst.requirements[r]
    if not any(ex.by_type.get(t) for t in req.accepted_types):
        return f"no compatible pledge: nobody offers {' or '.join(req.accepted_types)}"
    usable = list(ex.candidates_of(r))
    if not usable:
        return "no usable pledge: " + blocked_summary(ex, r)
    takers = sorted(
        {
            (inst.requirements[t].priority, inst.requirements[t].id)
            for _, _, q in usable[:20]
            for t in ex.used_by[q][:20]
            if t != r
        }
    )
    names = ", ".join(f"{rid} (priority {k})" for k, rid in takers[:5])
    more = f" and {len(takers) - 5} more" if len(takers) > 5 else ""
    text = f"outranked: the {len(usable)} usable pledges went to {names}{more}"
    earliest = usable[0][0]
    if earliest > req.needed_by:
        days = (earliest - req.needed_by).days
        text += f"; none could arrive in time (earliest {days} days after {req.needed_by})"
    return text


def blocked_summary(ex: Explainer, r: int) -> str:
    """Count the hard rules that exclude each pledge of an accepted type."""
    inst = ex.inst
    req = inst.requirements[r]
    counts: dict[str, int] = defaultdict(int)
    for t in req.accepted_types:
        for p in ex.by_type.get(t, ()):
            counts[block_kind(inst, p, r)] += 1
    parts = [f"{n} x {why}" for why, n in sorted(counts.items(), key=lambda kv: -kv[1])[:4]]
    return "; ".join(parts)


def block_kind(inst: Instance, p: int, r: int) -> str:
    """The kind of hard rule that excludes pledge p for requirement r."""
    pledge, req = inst.pledges[p], inst.requirements[r]
    if candidates.area_blocked(pledge.caveats, req):
        return f"caveat: only for other capability areas than {req.capability_area}"
    if candidates.unit_blocked(pledge.caveats, req):
        return f"caveat: only for other units than {req.unit}"
    if (pledge.id, req.id) in inst.forbidden:
        return "forbidden by staff"
    if inst.route(p, r) is None:
        return f"no route from its origin to {req.destination}"
    return "no units left"
