"""Why a shipment is late: transit times alone, or capacity taken on the fastest route.

For each group with late units, the fastest route on an empty network
(closures and cut links kept, capacity ignored) gives the earliest
arrival. Lateness up to that day is the network's: transit times alone.
Lateness beyond it waits for capacity; the rows of that route with no room
left for one more unit in the plan say where. In a plan whose lateness is
optimal such a row always exists (else one unit could move to the fastest
route and arrive earlier), so "no full row" means the planner stopped
before finding the better plan, and the reason says so.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from materiel.logistics.planning.demand import Demand
from materiel.logistics.planning.network import FloatArray, Grid, LegAt, leg_usage

MAX_ROWS_NAMED = 3


@dataclass(frozen=True)
class Lateness:
    """What explains a group's lateness: its earliest arrival and the full rows on the way."""

    earliest: int  # day index of the earliest arrival on an empty network
    due: int
    full: tuple[str, ...]  # rows of the fastest route with no room for one more unit

    def reason(self, grid: Grid, days_late: int) -> str:
        """Why a shipment of the group arriving `days_late` days late is late ('' if it is not)."""
        if days_late <= 0:
            return ""
        earliest, due = grid.date_of(self.earliest), grid.date_of(self.due)
        if days_late <= self.earliest - self.due:
            return f"transit: on an empty network it arrives {earliest} at the earliest (due {due})"
        if not self.full:
            return (
                f"capacity: an empty network would deliver on {earliest} (due {due}) and its "
                "fastest route still has room: the planner stopped before using it"
            )
        return (
            f"capacity: an empty network would deliver on {earliest} (due {due}); "
            f"full on that route: {'; '.join(self.full)}"
        )


Paths = Sequence[Sequence[tuple[tuple[LegAt, ...], int]]]  # per group: (legs, units)


def explain(grid: Grid, demand: Demand, paths: Paths) -> list[Lateness | None]:
    """Per group, what explains its late units (None when none is late)."""
    left = grid.cap - plan_usage(grid, demand, paths)
    result: list[Lateness | None] = []
    for g, group_paths in enumerate(paths):
        due = int(demand.due[g])
        late = any(arrival(grid, legs) > due for legs, n in group_paths if n > 0)
        route = fastest(grid, int(demand.origin[g]), int(demand.dest[g]), int(demand.release[g]))
        if not late or route is None:
            result.append(None)
            continue
        usage = leg_usage(grid, route, int(demand.slots[g]))
        full = [grid.describe_row(r) for r, amount in sorted(usage.items()) if left[r] < amount]
        result.append(Lateness(arrival(grid, route), due, tuple(full[:MAX_ROWS_NAMED])))
    return result


def plan_usage(grid: Grid, demand: Demand, paths: Paths) -> FloatArray:
    """How much of every resource row the plan's whole units use."""
    used = np.zeros(grid.num_rows)
    for g, group_paths in enumerate(paths):
        for legs, n in group_paths:
            for row, amount in leg_usage(grid, legs, int(demand.slots[g])).items():
                used[row] += amount * n
    return used


def arrival(grid: Grid, legs: Sequence[LegAt]) -> int:
    link, depart = legs[-1]
    return depart + int(grid.days[link])


def fastest(grid: Grid, origin: int, dest: int, release: int) -> tuple[LegAt, ...] | None:
    """The earliest-arriving route on an empty network (waiting allowed), or None."""
    best, via = {origin: release}, {}
    heap = [(release, origin)]
    while heap:
        day, node = heapq.heappop(heap)
        if node == dest:
            break
        if day > best[node]:
            continue
        for link in np.flatnonzero(grid.src == node).tolist():
            opened = np.flatnonzero(grid.open[link, day:])
            if not len(opened):
                continue
            depart = day + int(opened[0])
            target, arrive = int(grid.tgt[link]), depart + int(grid.days[link])
            if arrive < best.get(target, grid.horizon):
                best[target], via[target] = arrive, (link, depart)
                heapq.heappush(heap, (arrive, target))
    if dest not in via:
        return None
    legs: list[LegAt] = []
    node = dest
    while node != origin:
        link, depart = via[node]
        legs.append((link, depart))
        node = int(grid.src[link])
    return tuple(reversed(legs))
