"""The time-expanded network as arrays: days, link and node capacities, resource rows.

Day `t` is `scenario.start + t`, for `t` in `0 .. horizon_days - 1`; a leg
departing on day `t` over a link of `d` days arrives on day `t + d`, and
both must fall inside the horizon. Every capacity the planner must respect
is one *resource row*, numbered in one flat space so that usage is a
single `bincount`:

    link l, departure day t     -> l * H + t              (slots)
    node n, handling on day t   -> (L + n) * H + t        (units in + out)
    node n, storage end of day t-> (L + N + n) * H + t    (units held)

Capacities are what is left after the fixed (already dispatched) legs;
unlimited rows hold `inf`. Closures and link cuts become zero capacity or
closed departure days.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from materiel.logistics.planning.scenario import FixedLeg, Link, Node, TransportScenario

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# A leg inside the horizon: (link index, departure day index).
LegAt = tuple[int, int]


@dataclass(frozen=True)
class Grid:
    """Indexed network over the horizon; capacities net of fixed legs."""

    scenario: TransportScenario
    horizon: int
    nodes: tuple[Node, ...]
    links: tuple[Link, ...]
    node_at: dict[str, int]
    link_at: dict[str, int]
    src: IntArray
    tgt: IntArray
    days: IntArray
    cost: FloatArray
    cap: FloatArray  # residual capacity of every resource row, inf if unlimited
    open: BoolArray  # [link, day]: a departure is allowed
    open_before_fixed: BoolArray  # the same, were no legs dispatched yet
    notes: tuple[str, ...]

    @property
    def num_rows(self) -> int:
        return (len(self.links) + 2 * len(self.nodes)) * self.horizon

    def day(self, when: date) -> int:
        return (when - self.scenario.start).days

    def date_of(self, day: int) -> date:
        return self.scenario.start + timedelta(days=day)

    def link_row(self, link: int, day: int) -> int:
        return link * self.horizon + day

    def handling_row(self, node: int, day: int) -> int:
        return (len(self.links) + node) * self.horizon + day

    def storage_row(self, node: int, day: int) -> int:
        return (len(self.links) + len(self.nodes) + node) * self.horizon + day

    def describe_row(self, row: int) -> str:
        """`link L1 on 2027-01-03` and the like, for messages."""
        h, n_links, n_nodes = self.horizon, len(self.links), len(self.nodes)
        block, day = divmod(row, h)
        when = self.date_of(day).isoformat()
        if block < n_links:
            return f"link {self.links[block].id} departures on {when}"
        if block < n_links + n_nodes:
            return f"node {self.nodes[block - n_links].id} handling on {when}"
        return f"node {self.nodes[block - n_links - n_nodes].id} storage at end of {when}"


def leg_usage(grid: Grid, legs: Sequence[LegAt], slots: int) -> dict[int, float]:
    """Resource rows used by one unit travelling `legs` (in order), and how much.

    Each leg takes `slots` on its link on the departure day, one handling at
    its source that day and one at its target on the arrival day; between
    two legs the unit is stored at the end of every day it waits. Rows
    outside the horizon are left out (fixed legs may start before it).
    """
    use: dict[int, float] = defaultdict(float)
    h = grid.horizon
    for k, (link, depart) in enumerate(legs):
        arrive = depart + int(grid.days[link])
        if 0 <= depart < h:
            use[grid.link_row(link, depart)] += slots
            use[grid.handling_row(int(grid.src[link]), depart)] += 1
        if 0 <= arrive < h:
            use[grid.handling_row(int(grid.tgt[link]), arrive)] += 1
        if k + 1 < len(legs):
            for day in range(max(arrive, 0), min(legs[k + 1][1], h)):
                use[grid.storage_row(int(grid.tgt[link]), day)] += 1
    return dict(use)


def build_grid(scenario: TransportScenario) -> Grid:
    """Index the scenario; capacities per day with disruptions and fixed legs applied."""
    h = scenario.horizon_days
    nodes, node_at = scenario.nodes, {n.id: i for i, n in enumerate(scenario.nodes)}
    links = tuple(k for k in scenario.links if k.source in node_at and k.target in node_at)
    link_at = {k.id: i for i, k in enumerate(links)}
    src = np.array([node_at[k.source] for k in links], np.int64)
    tgt = np.array([node_at[k.target] for k in links], np.int64)
    days = np.array([k.days for k in links], np.int64)
    cost = np.array([k.cost for k in links], np.float64)
    cap = np.full((len(links) + 2 * len(nodes)) * h, np.inf)
    closed_days = np.zeros((len(links), h), np.bool_)
    grid = Grid(
        scenario,
        h,
        nodes,
        links,
        node_at,
        link_at,
        src,
        tgt,
        days,
        cost,
        cap,
        closed_days,
        closed_days,
        (),
    )
    for i, link in enumerate(links):
        cap[i * h : (i + 1) * h] = link_capacity(scenario, link, h)
    for i, node in enumerate(nodes):
        if node.handling_per_day is not None:
            row = grid.handling_row(i, 0)
            cap[row : row + h] = node.handling_per_day
        if node.storage is not None:
            row = grid.storage_row(i, 0)
            cap[row : row + h] = node.storage
    before_fixed = departures_open(scenario, grid)
    notes = subtract_fixed(grid, scenario.fixed)
    opened = departures_open(scenario, grid)
    fields = {"open": opened, "open_before_fixed": before_fixed, "notes": tuple(notes)}
    return Grid(**{**grid.__dict__, **fields})


def link_capacity(scenario: TransportScenario, link: Link, h: int) -> FloatArray:
    """Slots that may depart on each day of the horizon."""
    per_day = np.full(h, np.inf if link.capacity_per_day is None else link.capacity_per_day)
    if link.reduced_from is not None:
        cut = max(0, (link.reduced_from - scenario.start).days)
        per_day[cut:] = 0 if link.reduced_capacity is None else link.reduced_capacity
    return per_day


def departures_open(scenario: TransportScenario, grid: Grid) -> BoolArray:
    """[link, day]: inside the horizon, both ends open, some capacity left."""
    h = grid.horizon
    day = np.arange(h)
    closed = np.array(
        [h if n.closed_from is None else max(0, grid.day(n.closed_from)) for n in grid.nodes],
        np.int64,
    )
    arrive = day[None, :] + grid.days[:, None]
    opened: BoolArray = (
        (arrive < h)
        & (day[None, :] < closed[grid.src][:, None])
        & (arrive < closed[grid.tgt][:, None])
        & (grid.cap[: len(grid.links) * h].reshape(len(grid.links), h) > 0)
    )
    return opened


def subtract_fixed(grid: Grid, fixed: Iterable[FixedLeg]) -> list[str]:
    """Take the capacity of dispatched legs off; say where they already overrun it."""
    used: dict[int, float] = defaultdict(float)
    for row, amount in fixed_usage(grid, fixed).items():
        used[row] += amount
    notes = []
    for row, amount in sorted(used.items()):
        grid.cap[row] -= amount
        if grid.cap[row] < 0:
            notes.append(f"dispatched legs exceed the capacity of {grid.describe_row(row)}")
            grid.cap[row] = 0
    return notes


def fixed_usage(grid: Grid, fixed: Iterable[FixedLeg]) -> dict[int, float]:
    """Rows used by dispatched legs, each leg with its own units and slots.

    Legs of one shipment are taken in departure order; units wait (and are
    stored) at the target of one leg until the next leg of the same
    shipment departs from there.
    """
    by_shipment: dict[str, list[FixedLeg]] = defaultdict(list)
    for leg in fixed:
        if leg.link in grid.link_at:
            by_shipment[leg.shipment].append(leg)
    used: dict[int, float] = defaultdict(float)
    h = grid.horizon

    def add(row_day: int, row: int, amount: float) -> None:
        if 0 <= row_day < h:
            used[row] += amount

    for legs in by_shipment.values():
        legs.sort(key=lambda f: f.depart)
        for k, leg in enumerate(legs):
            link, depart = grid.link_at[leg.link], grid.day(leg.depart)
            arrive = depart + int(grid.days[link])
            source, target = int(grid.src[link]), int(grid.tgt[link])
            add(
                depart,
                grid.link_row(link, min(max(depart, 0), h - 1)),
                leg.units * leg.slots_per_unit,
            )
            add(depart, grid.handling_row(source, min(max(depart, 0), h - 1)), leg.units)
            add(arrive, grid.handling_row(target, min(max(arrive, 0), h - 1)), leg.units)
            if (
                k + 1 < len(legs)
                and grid.links[grid.link_at[legs[k + 1].link]].source == grid.links[link].target
            ):
                waiting = min(leg.units, legs[k + 1].units)
                for day in range(max(arrive, 0), min(grid.day(legs[k + 1].depart), h)):
                    used[grid.storage_row(target, day)] += waiting
    return dict(used)


def units_that_fit(left: FloatArray, usage: dict[int, float], need: int) -> int:
    """How many of `need` units with this per-unit usage fit in the capacity `left`."""
    fits = need
    for row, amount in usage.items():
        if amount > 0 and not np.isinf(left[row]):
            fits = min(fits, math.floor(left[row] / amount + 1e-9))
    return max(0, fits)
