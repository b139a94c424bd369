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
    """Apply the best improving reversal of a run of cells (2-opt); whether there was one.

    All runs i..j are scored at once; ties go to the first in (i, j) order.
    """
    n = len(sequence)
    back = [_reversed(w, options) for w in sequence]
    if n < 3:
        return False
    usable = np.array([b is not None for b in back])
    entries = _points([w.entry for w in sequence])
    exits = _points([w.exit for w in sequence])
    back_entries = _points([b.entry if b else w.entry for w, b in zip(sequence, back, strict=True)])
    back_exits = _points([b.exit if b else w.exit for w, b in zip(sequence, back, strict=True)])
    # run i..j (1 <= i < j) is reversible when every cell in it is
    blocked = np.cumsum(~usable)
    i, j = np.meshgrid(np.arange(n), np.arange(n), indexing="ij")
    valid = (i >= 1) & (j > i) & (blocked[j] - blocked[np.maximum(i - 1, 0)] == 0)
    before = np.vstack([exits[-1:], exits[:-1]])  # before[i] = exit of cell i - 1
    after = np.vstack([entries[1:], entries[:1]])  # after[j] = entry of cell j + 1
    tail = np.arange(n) + 1 < n
    old = _hypot(before - entries)[:, None] + np.where(tail, _hypot(exits - after), 0.0)[None, :]
    new = _hypot(before[:, None] - back_entries[None, :]) + np.where(
        tail[None, :], _hypot(back_exits[:, None] - after[None, :]), 0.0
    )
    delta = np.where(valid, new - old, np.inf)
    best = int(np.argmin(delta))
    if not float(delta.flat[best]) < -1e-6:
        return False
    first, last = divmod(best, n)
    sequence[first : last + 1] = [w for w in reversed(back[first : last + 1]) if w is not None]
    return True


def _best_move(here: Point, sequence: list[Way], options: dict[int, list[Way]]) -> bool:
    """Move each cell in turn to its best place and way, where that shortens the total;
    whether any moved."""
    moved = False
    best = _moves(here, sequence, options, 1)
    for i in range(1, len(sequence)):
        delta, way, place = best[i - 1]
        if delta < -1e-6:
            choices = options[id(sequence[i].cell)]
            del sequence[i]
            sequence.insert(place, choices[way])
            best = [(0.0, 0, 0)] * i + _moves(here, sequence, options, i + 1)
            moved = True
    return moved


def _moves(
    here: Point, sequence: list[Way], options: dict[int, list[Way]], first: int
) -> list[tuple[float, int, int]]:
    """For each cell i >= `first`: the change in total transit from taking it out and
    putting the best of its ways at the best place (never before the first way), that
    way and the place in the shortened sequence. The cells are scored all at once; ties
    go to the first way, then the first place."""
    n = len(sequence)
    if first >= n:
        return []
    ex, ey = _points([here, *(w.exit for w in sequence)]).T  # exit g: just before gap g
    nx, ny = _points([w.entry for w in sequence]).T  # entry g: just after gap g
    cost, there, back = _insertions((ex, ey), (nx, ny), sequence[first:], options)
    cells = np.arange(first, n)
    rows, tail = cells - first, cells + 1 < n
    # without cell i, gaps i and i + 1 become one: from exit i (before it) to entry i + 1
    later = np.minimum(cells + 1, n - 1)
    bridged = np.hypot(nx[later] - ex[cells], ny[later] - ey[cells])
    cost[:, :, 0] = np.inf
    cost[rows, :, cells + 1] = np.inf
    cost[rows, :, cells] = there[rows, :, cells] + np.where(
        tail[:, None], back[rows, :, later] - bridged[:, None], 0.0
    )
    flat = cost.reshape(len(cells), -1)
    best = np.argmin(flat, axis=1)
    way, gap = np.divmod(best, n + 1)
    # what taking cell i out saves: its way in, and its way out less the bridge
    gain = np.hypot(ex[cells] - nx[cells], ey[cells] - ny[cells]) + np.where(
        tail, np.hypot(ex[cells + 1] - nx[later], ey[cells + 1] - ny[later]) - bridged, 0.0
    )
    delta = flat[rows, best] - gain
    place = np.where(gap <= cells, gap, gap - 1)
    return list(zip(delta.tolist(), way.tolist(), place.tolist(), strict=True))


def _insertions(
    exits: tuple[NDArray[np.float64], NDArray[np.float64]],
    entries: tuple[NDArray[np.float64], NDArray[np.float64]],
    cells: list[Way],
    options: dict[int, list[Way]],
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Extra transit for putting each way of each of `cells` into each gap g of the
    sequence as it is (after exit g, before entry g), and its two legs: there from the
    exit, and back from the way's exit to the entry."""
    (ex, ey), (nx, ny) = exits, entries
    choices = [options[id(w.cell)] for w in cells]
    way_in = np.array([[w.entry for w in c] for c in choices], dtype=np.float64)[..., None]
    way_out = np.array([[w.exit for w in c] for c in choices], dtype=np.float64)[..., None]
    there = np.hypot(ex - way_in[:, :, 0], ey - way_in[:, :, 1])
    back = np.hypot(nx - way_out[:, :, 0], ny - way_out[:, :, 1])
    cost = there.copy()
    cost[:, :, :-1] += back - np.hypot(nx - ex[:-1], ny - ey[:-1])
    return cost, there, back


def _hypot(d: NDArray[np.float64]) -> NDArray[np.float64]:
    """Lengths of vectors along the last axis."""
    return np.asarray(np.hypot(d[..., 0], d[..., 1]), dtype=np.float64)


def _points(points: list[Point]) -> NDArray[np.float64]:
    return np.asarray(points, dtype=np.float64).reshape(-1, 2)
