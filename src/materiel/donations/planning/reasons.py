"""Sentences a person can read: why this pledge, why this shortfall.

Each allocation says which rule chose it and which alternatives it beat
(and what happened to them); each unmet line says why it stayed unmet: no
compatible pledge, blocked by caveats, routes or staff, or the compatible
units went to requirements of equal or higher priority. A partly met line
says how many units came and from which pledges, and why the rest did not.

Every sentence states facts of the plan it explains: a pledge said to have
gone to a requirement gave it units, "outranked" names only lines of higher
priority, and no list is ever empty (tests/donations/test_plan_rules.py).
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
        # Only pairs that carry units: a pair with none is no allocation to speak of.
        self.units = {pair: n for pair, n in units.items() if n > 0}
        self.used_by: dict[int, list[int]] = defaultdict(list)
        self.sources: dict[int, list[int]] = defaultdict(list)
        self.given: dict[int, int] = defaultdict(int)
        self.reqs_of_pair: dict[tuple[str, str], set[int]] = defaultdict(set)
        for (p, r), n in self.units.items():
            self.used_by[p].append(r)
            self.sources[r].append(p)
            self.given[p] += n
            pair = (inst.requirements[r].unit_key, inst.pledges[p].item_type)
            self.reqs_of_pair[pair].add(r)
        self.pinned = {(p, r) for p, r, _ in inst.pinned}
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

    def left(self, p: int) -> int:
        """Units of pledge p that the plan gives to nobody."""
        return self.inst.pledges[p].quantity - self.given[p]

    def others(self, p: int, exclude: int) -> list[int]:
        """The requirements other than `exclude` that got units of pledge p."""
        return [r for r in self.used_by[p] if r != exclude]

    def takers(self, p: int, exclude: int) -> str:
        """The requirements other than `exclude` that got pledge p's units, highest priority first.

        Callers ask only when there is at least one: a sentence never ends in an empty list.
        """
        reqs = sorted(
            (self.inst.requirements[r].priority, self.inst.requirements[r].id, r)
            for r in self.others(p, exclude)
        )
        shown = ", ".join(
            f"{rid} (priority {k}{', pinned by staff' if (p, r) in self.pinned else ''})"
            for k, rid, r in reqs[:3]
        )
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
        if ex.left(q) == 0 and ex.others(q, r):  # every unit of q went to other lines
            took = ex.takers(q, r)
            yield f"alternative {name} (arrives {arrival}): its units went to {took}"
        elif alt_late > late:
            more = count(alt_late - late, "more day")
            yield f"alternative {name} beaten on rule 2: {more} late"
        elif alt_cost > cost:
            yield f"alternative {name} beaten on rule 4: costs more to move"
        else:
            yield f"alternative {name} beaten on rule 3 or 5: fewer types per unit or stability"


def unmet_reason(ex: Explainer, r: int) -> str:
    """Why requirement r keeps a shortfall; for a partly met line, what came and why no more."""
    inst = ex.inst
    req = inst.requirements[r]
    if not any(ex.by_type.get(t) for t in req.accepted_types):
        return f"no compatible pledge: nobody offers {' or '.join(req.accepted_types)}"
    usable = list(ex.candidates_of(r))
    own = sorted(ex.sources[r], key=lambda p: (-ex.units[(p, r)], inst.pledges[p].id))
    if not usable and not own:
        return "no usable pledge: " + blocked_summary(ex, r)
    clauses = []
    got = sum(ex.units[(p, r)] for p in own)
    if got:
        clauses.append(
            f"partly met: {got} of {req.quantity} units allocated, from {pledge_list(ex, own, r)}"
        )
    # Pledges it gave units to come first, then the candidates, earliest first.
    pledges = list(dict.fromkeys([*own, *(p for _, _, p in usable)]))
    clauses.extend(shortfall(ex, r, pledges, req.quantity - got if got else 0))
    if usable and usable[0][0] > req.needed_by:
        days = (usable[0][0] - req.needed_by).days
        clauses.append(
            f"no usable pledge arrives in time: the earliest arrives {count(days, 'day')} "
            f"after {req.needed_by}"
        )
    return "; ".join(clauses)


def pledge_list(ex: Explainer, pledges: list[int], r: int) -> str:
    """`P1 (3 units), P2 (1 unit)` for the pledges that gave requirement r units."""
    named = [f"{ex.inst.pledges[p].id} ({units(ex.units[(p, r)])})" for p in pledges[:3]]
    more = f" and {len(pledges) - 3} more" if len(pledges) > 3 else ""
    return ", ".join(named) + more


def shortfall(ex: Explainer, r: int, pledges: list[int], rest: int) -> Iterator[str]:
    """Where the units of r's usable pledges went instead; `rest` > 0 when r is partly met."""
    inst = ex.inst
    taken = [p for p in pledges if ex.others(p, r)]
    spare = [p for p in pledges if ex.left(p) > 0]
    for_rest = f" for the other {units(rest)}" if rest else ""
    if taken:
        label = taken_label(ex, r, taken)
        shown = "; ".join(f"{inst.pledges[p].id} went to {ex.takers(p, r)}" for p in taken[:3])
        hidden = len(taken) - 3
        pledges_more = "1 more usable pledge" if hidden == 1 else f"{hidden} more usable pledges"
        tail = f"; {pledges_more} also went elsewhere" if hidden > 0 else ""
        yield f"{label}{for_rest}: {shown}{tail}"
    if spare:
        shown = ", ".join(f"{inst.pledges[p].id} ({units(ex.left(p))})" for p in spare[:3])
        more = f" and {len(spare) - 3} more" if len(spare) > 3 else ""
        yield f"usable units left unallocated: {shown}{more}"
    if not taken and not spare:
        yield f"no usable pledge has units left{for_rest}"


def taken_label(ex: Explainer, r: int, taken: list[int]) -> str:
    """What the lines that took r's usable pledges are to r: above it, level with it, pinned."""
    priority = ex.inst.requirements[r].priority
    pairs = [(p, t) for p in taken for t in ex.others(p, r)]
    ranks = [ex.inst.requirements[t].priority for _, t in pairs]
    if max(ranks) < priority:
        return "outranked"
    if max(ranks) == priority:
        return "taken by lines of equal or higher priority"
    below = [(p, t) for p, t in pairs if ex.inst.requirements[t].priority > priority]
    if all(pair in ex.pinned for pair in below):
        return "taken by staff pins" + (
            " and lines of equal or higher priority" if len(below) < len(pairs) else ""
        )
    return "taken by other lines"


def count(n: int, word: str) -> str:
    """`1 unit`, `2 units`."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def units(n: int) -> str:
    return count(n, "unit")


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
