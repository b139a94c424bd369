"""Per-day sweep structure shared by every forward pass over the time-expanded network.

For each departure day, the links open that day are sorted by (arrival
day, target node) so that a `reduceat` folds all candidates for one
arrival time-node at once: a forward pass is then a few numpy operations
per day, over every commodity together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from materiel.logistics.planning.network import BoolArray, Grid, IntArray


@dataclass(frozen=True)
class Day:
    """Open links departing on one day, grouped by their arrival time-node."""

    links: IntArray  # link indices, sorted by (arrival day, target)
    starts: IntArray  # first position of each (arrival day, target) group
    arrive: IntArray  # arrival day of each group
    target: IntArray  # target node of each group


def sweep(grid: Grid, opened: BoolArray | None = None) -> tuple[Day, ...]:
    """One `Day` per day of the horizon (departures allowed by `opened`, default `grid.open`)."""
    mask = grid.open if opened is None else opened
    result = []
    for t in range(grid.horizon):
        links = np.flatnonzero(mask[:, t])
        arrive = t + grid.days[links]
        order = np.lexsort((grid.tgt[links], arrive))
        links, arrive = links[order], arrive[order]
        tgt = grid.tgt[links]
        change = np.ones(len(links), np.bool_)
        change[1:] = (arrive[1:] != arrive[:-1]) | (tgt[1:] != tgt[:-1])
        starts = np.flatnonzero(change)
        result.append(Day(links, starts, arrive[starts], tgt[starts]))
    return tuple(result)


def reachable(
    grid: Grid, days: tuple[Day, ...], origin: IntArray, release: IntArray, dest: IntArray
) -> BoolArray:
    """Can a unit leaving `origin` on or after `release` reach `dest` within the horizon?

    Capacity is ignored; closures and cuts are not (arrays over groups).
    """
    g, h, n = len(origin), grid.horizon, len(grid.nodes)
    at = np.zeros((g, h, n), np.bool_)
    rows = np.arange(g)
    for t in range(h):
        at[rows[release == t], t, origin[release == t]] = True
        day = days[t]
        if len(day.links):
            cand = at[:, t, grid.src[day.links]]
            folded = np.logical_or.reduceat(cand, day.starts, axis=1)
            at[:, day.arrive, day.target] = at[:, day.arrive, day.target] | folded
        if t + 1 < h:
            at[:, t + 1, :] |= at[:, t, :]
    result: BoolArray = np.asarray(at[rows, :, dest].any(axis=1), np.bool_)
    return result
