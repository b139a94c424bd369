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
    One backward sweep per destination, not one forward sweep per group:
    `ready[t, n, d]` says whether a unit at node `n` on day `t` can still
    reach destination `d` (waiting is always allowed, so a group can when
    its origin is ready on its release day). The arrays grow with the
    places, not with the groups (at ten times the demo, 9,000 groups over
    500 days took 15 s and 230 MB the forward way).
    """
    h, n = grid.horizon, len(grid.nodes)
    targets, which = np.unique(dest, return_inverse=True)
    ready = np.zeros((h + 1, n, len(targets)), np.bool_)  # day h: past the horizon
    ready[:h, targets, np.arange(len(targets))] = True
    for t in range(h - 1, -1, -1):
        ready[t] |= ready[t + 1]
        links = days[t].links
        if len(links):
            arrive = t + grid.days[links]
            np.logical_or.at(ready[t], grid.src[links], ready[arrive, grid.tgt[links]])
    result: BoolArray = np.asarray(ready[release, origin, which], np.bool_)
    return result
