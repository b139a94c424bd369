"""The order in which the cells are swept, and which way into each.

A cell swept in skip-row order is entered at one end swath and left at the
other, so where the machine ends up depends on the way in. Picking the
nearest cell each time can leave a far cell for last, or leave a cell at
its far side; a greedy order is therefore improved by moving single cells
(with any of their four ways in) to wherever the total transit shortens
(or-opt), measured as straight distances.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from .cells import Cell
from .sweep import Segment

Point = tuple[float, float]
MAX_ROUNDS = 50


@dataclass(frozen=True, eq=False)
class Way:
    """One way through a cell: its row order and the heading of the first swath."""

    cell: Cell
    order: tuple[int, ...]
    heading: int

    @cached_property
    def entry(self) -> Point:
        return start(self.cell.segments[self.order[0]], self.heading)

    @cached_property
    def exit(self) -> Point:
        last_heading = self.heading if len(self.order) % 2 == 1 else -self.heading
        return start(self.cell.segments[self.order[-1]], -last_heading)


def start(segment: Segment, heading: int) -> Point:
    """Where a swath driven with `heading` (+1 along +x) starts."""
    return (segment.x0, segment.y) if heading > 0 else (segment.x1, segment.y)


def ways(cell: Cell, order: list[int]) -> list[Way]:
    """The four ways through a cell: rows in `order` or mirrored, either heading first."""
    last = len(cell.segments) - 1
    mirrored = tuple(last - i for i in order)
    return [Way(cell, o, h) for o in (tuple(order), mirrored) for h in (1, -1)]


def improve(here: Point, sequence: list[Way], options: dict[int, list[Way]]) -> list[Way]:
    """`sequence` after moving single cells while the total straight transit shrinks.

    The first way stays first (it was chosen by route length from the headland).
    """
    sequence = list(sequence)
    for _ in range(MAX_ROUNDS):
        if not (_best_move(here, sequence, options) or _best_reversal(here, sequence, options)):
            break
    return sequence


def _reversed(way: Way, options: dict[int, list[Way]]) -> Way | None:
    """The way through the same cell driven backwards (in at `way`'s exit, out at its entry)."""
    for other in options[id(way.cell)]:
        if other.entry == way.exit and other.exit == way.entry:
            return other
    return None


def _best_reversal(here: Point, sequence: list[Way], options: dict[int, list[Way]]) -> bool:
    """Apply the best improving reversal of a run of cells (2-opt); whether there was one."""
    n = len(sequence)
    back = [_reversed(w, options) for w in sequence]
    best: tuple[float, int, int] | None = None
    for i in range(1, n):
        before = sequence[i - 1].exit
        for j in range(i + 1, n):
            first, last = back[j], back[i]
            if first is None or last is None or any(b is None for b in back[i + 1 : j]):
                continue
            old = _dist(before, sequence[i].entry)
            new = _dist(before, first.entry)
            if j + 1 < n:
                old += _dist(sequence[j].exit, sequence[j + 1].entry)
                new += _dist(last.exit, sequence[j + 1].entry)
            if new - old < -1e-6 and (best is None or new - old < best[0]):
                best = (new - old, i, j)
    if best is None:
        return False
    _, i, j = best
    sequence[i : j + 1] = [w for w in reversed(back[i : j + 1]) if w is not None]
    return True


def _best_move(here: Point, sequence: list[Way], options: dict[int, list[Way]]) -> bool:
    """Move each cell in turn to its best place and way, where that shortens the total;
    whether any moved."""
    moved = False
    all_exits = _points([here, *(w.exit for w in sequence)])
    all_entries = _points([w.entry for w in sequence])
    for i in range(1, len(sequence)):
        gain = _removal_gain(here, sequence, i)
        exits = np.delete(all_exits, i + 1, axis=0)
        entries = np.delete(all_entries, i, axis=0)
        choices = options[id(sequence[i].cell)]
        added = _insertion_costs(exits, entries, choices)[:, 1:]  # never before the first way
        w, k = np.unravel_index(int(np.argmin(added)), added.shape)
        if float(added[w, k]) - gain < -1e-6:
            del sequence[i]
            sequence.insert(int(k) + 1, choices[int(w)])
            all_exits = _points([here, *(way.exit for way in sequence)])
            all_entries = _points([way.entry for way in sequence])
            moved = True
    return moved


def _removal_gain(here: Point, sequence: list[Way], i: int) -> float:
    before = here if i == 0 else sequence[i - 1].exit
    way = sequence[i]
    gain = _dist(before, way.entry)
    if i + 1 < len(sequence):
        after = sequence[i + 1].entry
        gain += _dist(way.exit, after) - _dist(before, after)
    return gain


def _insertion_costs(
    exits: NDArray[np.float64], entries: NDArray[np.float64], choices: list[Way]
) -> NDArray[np.float64]:
    """Extra transit for inserting each way after each exit (column k: after the k-th, 0 =
    here), one row per way."""
    way_entries = _points([w.entry for w in choices])[:, None, :]
    way_exits = _points([w.exit for w in choices])[:, None, :]
    costs = np.hypot(*np.moveaxis(exits[None] - way_entries, -1, 0))
    if len(entries):
        skipped = np.hypot(*(entries - exits[:-1]).T)
        costs[:, :-1] += np.hypot(*np.moveaxis(entries[None] - way_exits, -1, 0)) - skipped
    return np.asarray(costs, dtype=np.float64)


def _points(points: list[Point]) -> NDArray[np.float64]:
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)


def _dist(a: Point, b: Point) -> float:
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))
