"""How many rows to skip per turn, chosen per cell by the estimated turn length.

Skipping k rows with 2r <= k * spacing lets every turn be a loop; along an
oblique boundary, though, the ends of rows k apart are k times further
apart than those of neighbours, and a K-turn to the next row can be the
shorter path. Each cell takes the skip whose turns are shortest by a quick
estimate: a Dubins loop is pi * r plus the straight between its two turning
circles; a squared turn is pi * r plus its run out past both ends and its
straight across; a K-turn (three arcs) is pi * r plus the run out.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from .cells import Cell, visit_order


def choose_skip(cell: Cell, skip: int, radius: float) -> int:
    """The skip (rows per jump, 1..`skip`) with the shortest estimated turns over `cell`."""
    if skip <= 1 or len(cell.segments) < 2:
        return skip
    rows = _rows(cell)
    options = range(skip, 0, -1)  # ties go to the larger skip (loops, no backing up)
    count = len(cell.segments)
    return min(options, key=lambda k: estimate(rows, visit_order(count, k), radius))


def _rows(cell: Cell) -> NDArray[np.float64]:
    """Start x, end x and height of each swath of the cell, one row each."""
    return np.array([(s.x0, s.x1, s.y) for s in cell.segments], dtype=np.float64)


def estimate(rows: NDArray[np.float64], order: list[int], radius: float) -> float:
    """Estimated turn length of sweeping swaths `rows` (see `_rows`) in `order`, the better
    of both headings."""
    x0, x1, ys = rows[np.asarray(order)].T
    dy = np.abs(np.diff(ys))
    parity = np.arange(len(order) - 1) % 2
    totals = []
    for heading in (1, -1):
        right = (parity == 0) if heading > 0 else (parity == 1)
        ends = np.where(right, x1[:-1], -x0[:-1])  # measured outwards at the turning side
        nexts = np.where(right, x1[1:], -x0[1:])
        dx = nexts - ends
        loop = np.hypot(dx, dy - 2 * radius)
        squared = np.maximum(dy - 2 * radius, 0.0) + np.abs(dx)
        turn = np.where(dy >= 2 * radius - 1e-9, loop, squared)
        totals.append(float(turn.sum()) + math.pi * radius * len(dy))
    return min(totals)
