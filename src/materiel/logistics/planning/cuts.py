"""Rounding cuts on link capacity: what whole units add to the LP's bound.

A link-day carries at most `C` slots and a unit of a group takes `s` of
them. Whole units obey more than that row: divide it by any `k` and round
both sides down, and `sum (s // k) * units <= C // k` still holds
(a Chvátal-Gomory cut). The LP does not know it: with `C = 45` it sends
22.5 units of 2 slots, or 7.5 of 6. On the large benchmark such flows are
what separates the LP's lateness from any whole plan's; over the paths
known when the lateness level converges, the cuts raise its bound from
221.67 to 249.5 unit-days late.

The cuts are written on link-days, not on paths, so the pricing can
price them: a unit of `s` slots pays `s // k` times cut `k`'s dual on
every link-day it uses.
"""

from __future__ import annotations

import numpy as np

from materiel.logistics.planning.network import FloatArray, Grid, IntArray

VIOLATION = 1e-6


def divisors(max_slots: int) -> range:
    """The `k` worth trying: above 1 (the row itself) and at most the largest unit."""
    return range(2, max_slots + 1)


def uses(slots: IntArray | int, k: int) -> IntArray | int:
    """How many times a unit of `slots` slots counts in cut `k`."""
    return slots // k


def weights(sizes: IntArray, width: int) -> IntArray:
    """`[k, i]`: how many times a unit of `sizes[i]` slots counts in cut `k` (none below 2)."""
    k = np.arange(width)[:, None]
    result: IntArray = np.where(k >= 2, sizes[None, :] // np.maximum(k, 1), 0)
    return result


def violated(
    grid: Grid,
    x: FloatArray,
    *,
    rows: IntArray,
    cols: IntArray,
    amounts: FloatArray,
    slots: IntArray,
) -> list[tuple[int, int]]:
    """`(link row, k)` of every cut the path flows `x` break.

    `rows`, `cols` and `amounts` are the paths' usage of link rows (COO:
    slots used per unit of the path), `slots` the unit size of each entry.
    """
    found: list[tuple[int, int]] = []
    if len(rows) == 0:
        return found
    n_link_rows = len(grid.links) * grid.horizon
    units = amounts / slots * x[cols]  # a path may use a link-day more than once
    for k in divisors(int(slots.max())):
        lhs = np.bincount(rows, weights=units * uses(slots, k), minlength=n_link_rows)
        rhs = np.floor(grid.cap[:n_link_rows] / k + 1e-9)
        found += [(int(row), k) for row in np.flatnonzero(lhs > rhs + VIOLATION)]
    return found
