"""Fresh paths for units the integer program left unplanned, on the capacity left.

All short groups are priced together, one sweep per transport-slot size
(a link-day is closed for a group when fewer slots than it needs are left,
so closures differ by size). Each group then takes as many units as fit
on its path, in group order; a group whose path was filled by an earlier
one is priced again next round, and a group with no path at all is done,
since capacity only shrinks. Every round places units or ends the loop.

Given a deadline, no round starts after it (nor any chunk of a round's
sweep, `Pricer.price`): the planner's time limit holds, and units not
placed by then stay unplanned, with the same reason as units that found
no room.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np

from materiel.logistics.planning.days import Day
from materiel.logistics.planning.demand import Demand, subset
from materiel.logistics.planning.network import (
    FloatArray,
    Grid,
    IntArray,
    LegAt,
    leg_usage,
    units_that_fit,
)
from materiel.logistics.planning.pricing import Pricer, Prices

Found = dict[int, list[tuple[tuple[LegAt, ...], int]]]
OPEN_SUPPLY = 1e15  # any path at all beats leaving a unit unplanned


def fill(
    grid: Grid,
    days: tuple[Day, ...],
    demand: Demand,
    short: IntArray,
    left: FloatArray,
    *,
    deadline: float | None = None,
) -> Found:
    """Paths and units per group for the `short` units; `short` and `left` are updated in place.

    With a `deadline` (`time.monotonic()`), no round starts once it has passed.
    """
    filler = Filler(grid, days, demand, short, left, deadline)
    by_size: dict[int, list[int]] = defaultdict(list)
    for g in np.flatnonzero(short > 0).tolist():
        by_size[int(demand.slots[g])].append(g)
    for slots, groups in sorted(by_size.items()):
        pending = groups
        while pending and not filler.out_of_time():
            pending, placed = filler.round(slots, pending)
            if not placed:
                break
    return filler.found


@dataclass
class Filler:
    """The capacity left and the units still short, as paths are placed."""

    grid: Grid
    days: tuple[Day, ...]
    demand: Demand
    short: IntArray
    left: FloatArray
    deadline: float | None = None
    found: Found = field(default_factory=lambda: defaultdict(list))

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def round(self, slots: int, groups: list[int]) -> tuple[list[int], bool]:
        """One sweep for `groups`; those still short that had a path, and whether any unit moved."""
        pricer = Pricer(self.grid, self.days, subset(self.demand, groups))
        prices = closed(self.grid, self.left, slots, len(groups))
        again: list[int] = []
        placed = False
        for column in sorted(pricer.price(prices, self.deadline), key=attrgetter("group")):
            g = groups[column.group]
            placed |= self.place(g, column.legs, slots)
            if self.short[g] > 0:
                again.append(g)
        return again, placed

    def place(self, g: int, legs: tuple[LegAt, ...], slots: int) -> bool:
        """As many of group `g`'s short units as fit on `legs`; `True` if any did."""
        usage = leg_usage(self.grid, legs, slots)
        take = units_that_fit(self.left, usage, int(self.short[g]))
        if take <= 0:
            return False
        for row, amount in usage.items():
            self.left[row] -= amount * take
        self.found[g].append((legs, take))
        self.short[g] -= take
        return True


def closed(grid: Grid, left: FloatArray, slots: int, groups: int) -> Prices:
    """Prices that forbid every row too full for one more unit of `slots` slots."""
    n_link_rows = len(grid.links) * grid.horizon
    penalty = np.zeros(grid.num_rows)
    penalty[:n_link_rows][left[:n_link_rows] < slots - 1e-9] = np.inf
    penalty[n_link_rows:][left[n_link_rows:] < 1 - 1e-9] = np.inf
    handling = left[n_link_rows : n_link_rows + len(grid.nodes) * grid.horizon]
    tight = (handling < 2 - 1e-9).reshape(len(grid.nodes), grid.horizon)
    return Prices(np.full(groups, OPEN_SUPPLY), penalty, 1.0, 1e6, tight)
