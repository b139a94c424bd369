"""Boustrophedon cells: runs of consecutive rows with one overlapping segment each.

Where a hole or a neck changes the number of segments in a row, the run
ends and new cells begin, so the machine sweeps each cell back and forth
without crossing unswept ground.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache

import numpy as np
from numpy.typing import NDArray

from .sweep import Segment


@dataclass
class Cell:
    """Consecutive rows, one segment per row, each overlapping the one before."""

    segments: list[Segment] = field(default_factory=list)


def decompose(segments: list[Segment]) -> list[Cell]:
    """Split row segments into cells (classic boustrophedon decomposition)."""
    by_row: dict[int, list[Segment]] = defaultdict(list)
    for segment in segments:
        by_row[segment.row].append(segment)
    cells: list[Cell] = []
    open_cells: list[Cell] = []
    previous_row = None
    for row in sorted(by_row):
        current = by_row[row]
        if previous_row is None or row != previous_row + 1:
            open_cells = []
        next_open: list[Cell] = []
        for segment in current:
            touching = [c for c in open_cells if _overlaps(c.segments[-1], segment)]
            only = len(touching) == 1 and _single_successor(touching[0], current)
            if only:
                touching[0].segments.append(segment)
                next_open.append(touching[0])
            else:
                cell = Cell([segment])
                cells.append(cell)
                next_open.append(cell)
        open_cells = next_open
        previous_row = row
    return cells


def _overlaps(a: Segment, b: Segment) -> bool:
    return a.x0 <= b.x1 and b.x0 <= a.x1


def _single_successor(cell: Cell, row: list[Segment]) -> bool:
    last = cell.segments[-1]
    return sum(1 for s in row if _overlaps(last, s)) == 1


TAIL_SEARCH = 7


@cache
def _best_tail(here: int | None, count: int, skip: int) -> tuple[int, ...]:
    """The order of the last few rows 0..count-1 (relative to the tail's first row, `here`
    the row just driven) with the fewest short jumps, then the least travel; ties go to
    the first in `itertools.permutations` order. Cached: many cells end in the same few
    cases."""
    candidates = _permutations(count)
    path = (
        candidates if here is None else np.hstack([np.full((len(candidates), 1), here), candidates])
    )
    jumps = np.abs(np.diff(path, axis=1))
    short, travel = (jumps < skip).sum(axis=1), jumps.sum(axis=1)
    best = int(np.lexsort((travel, short))[0])  # lexsort is stable: the first of equals
    return tuple(int(i) for i in candidates[best])


@cache
def _permutations(count: int) -> NDArray[np.int64]:
    """All orders of 0..count-1, one a row, in lexicographic order (as `itertools`)."""
    if count == 0:
        return np.zeros((1, 0), dtype=np.int64)
    rest = _permutations(count - 1)
    blocks = []
    for first in range(count):
        others = np.delete(np.arange(count), first)
        blocks.append(np.column_stack([np.full(len(rest), first), others[rest]]))
    return np.vstack(blocks)


def visit_order(count: int, skip: int) -> list[int]:
    """An order of rows 0..count-1 whose jumps are at least `skip` rows where possible.

    Blocks of 2k+1 rows (k = skip) are driven in the order i*k mod (2k+1):
    jumps of +k and -(k+1) only, and the next block starts k rows on. The
    last, partial block is finished greedily (lowest row far enough, else
    the nearest row, which then needs a K-turn).
    """
    if skip <= 1:
        return list(range(count))
    period = 2 * skip + 1
    blocks = count // period
    order = [b * period + (i * skip) % period for b in range(blocks) for i in range(period)]
    tail = list(range(blocks * period, count))
    if len(tail) <= TAIL_SEARCH:
        base = blocks * period
        here = order[-1] - base if order else None
        return order + [base + i for i in _best_tail(here, len(tail), skip)]
    unvisited = tail
    if not order:
        order.append(unvisited.pop(0))
    while unvisited:
        here = order[-1]
        if unvisited[0] <= here - skip:
            i = 0
        else:
            i = bisect_left(unvisited, here + skip)
            if i == len(unvisited):  # nothing far enough: the nearest row, by a K-turn
                i = min(range(len(unvisited)), key=lambda j: abs(unvisited[j] - here))
        order.append(unvisited.pop(i))
    return order
