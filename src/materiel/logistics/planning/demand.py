"""What must move, aggregated into supply groups.

Units are interchangeable when they share origin, destination, slots per
unit, release and due date: they start alike, use capacity alike and are
late alike. Such units form one *supply group*, one row of the planner's
master problem and one row of its pricing sweep, however many movements
(allocation lines) they came from. Movements are split back out of the
groups when the plan is written.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from materiel.logistics.planning.network import Grid, IntArray
from materiel.logistics.planning.scenario import Movement


@dataclass(frozen=True)
class Demand:
    """Supply groups as arrays over `g`."""

    movements: tuple[tuple[Movement, ...], ...]  # per group, in scenario order
    origin: IntArray
    dest: IntArray
    slots: IntArray
    release: IntArray  # day index, not before 0
    due: IntArray  # day index, may lie outside the horizon
    units: IntArray

    def __len__(self) -> int:
        return len(self.movements)


def build_demand(grid: Grid, movements: list[Movement]) -> Demand:
    """Group interchangeable movements; releases before the horizon count from day 0."""
    groups: dict[tuple[int, int, int, int, int], list[Movement]] = defaultdict(list)
    for m in movements:
        key = (
            grid.node_at[m.origin],
            grid.node_at[m.destination],
            m.slots_per_unit,
            max(0, grid.day(m.release)),
            grid.day(m.due),
        )
        groups[key].append(m)
    keys = list(groups)

    def column(i: int) -> IntArray:
        return np.array([key[i] for key in keys], np.int64)

    return Demand(
        movements=tuple(tuple(groups[key]) for key in keys),
        origin=column(0),
        dest=column(1),
        slots=column(2),
        release=column(3),
        due=column(4),
        units=np.array([sum(m.units for m in groups[key]) for key in keys], np.int64),
    )


def subset(demand: Demand, keep: list[int]) -> Demand:
    """The groups at `keep`, in that order."""
    at = np.array(keep, np.int64)
    return Demand(
        movements=tuple(demand.movements[g] for g in keep),
        origin=demand.origin[at],
        dest=demand.dest[at],
        slots=demand.slots[at],
        release=demand.release[at],
        due=demand.due[at],
        units=demand.units[at],
    )
