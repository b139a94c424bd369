"""Pricing: the cheapest time-expanded path of every supply group under the master's duals.

One forward pass over the days computes, for all groups at once,
`D[t, n, g]`: the least reduced cost of having a unit of group `g` at
node `n` on day `t`, ready to depart. A unit starts at its group's origin
on any day from its release (worth the group's supply dual), travels
links that are open that day (each costing its money cost, if the phase
counts money, plus the penalties of the link-day and of the handling at
both ends) and waits at intermediate nodes (paying the storage penalty of
each night). At its destination it stops and pays its lateness. Links
take at least one day, so day order is a topological order and a single
sweep is exact. A path whose reduced cost is negative improves the
master; when no group has one, the master is optimal.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, replace

import numpy as np

from materiel.logistics.planning import cuts
from materiel.logistics.planning.days import Day
from materiel.logistics.planning.demand import Demand, subset
from materiel.logistics.planning.network import BoolArray, FloatArray, Grid, IntArray, LegAt

EPS = 1e-9
CHUNK_BYTES = 32 * 2**20  # one sweep array of a chunk of groups: days x nodes x groups floats
Terms = tuple[FloatArray, FloatArray]  # per open link of a day: price per slot size, per unit


@dataclass(frozen=True)
class Prices:
    """The master's duals as the pricing sees them."""

    supply: FloatArray  # per group: value of moving one more unit of it
    penalty: FloatArray  # per resource row, >= 0: price of one unit of its capacity
    cost_weight: float  # 1 when the phase minimises money, else 0
    late_weight: float  # price of one unit-day late in this phase
    # [node, day]: a unit arriving may not leave the same day (handling has
    # room for its arrival but not for its departure too); it waits a night.
    no_turnaround: BoolArray | None = None
    # [link row, k]: price of the rounding cut `k` of a link-day (`cuts`),
    # which a unit of `s` slots uses `s // k` times; None when no cut is in.
    cut_penalty: FloatArray | None = None


@dataclass(frozen=True)
class Column:
    """A path for one unit of a supply group, found by pricing."""

    group: int
    legs: tuple[LegAt, ...]
    arrive: int
    reduced_cost: float


class Pricer:
    """Holds the network sweep and the demand; prices every group per call."""

    def __init__(
        self, grid: Grid, days: tuple[Day, ...], demand: Demand, chunk_bytes: int = CHUNK_BYTES
    ) -> None:
        self.grid, self.days, self.demand = grid, days, demand
        h = grid.horizon
        self.late = np.maximum(0, np.arange(h)[None, :] - demand.due[:, None]).astype(np.float64)
        self.incoming = [np.flatnonzero(grid.tgt == n) for n in range(len(grid.nodes))]
        self.position = [{int(link): i for i, link in enumerate(day.links)} for day in self.days]
        # Link prices depend on a unit's slot size only: priced once per size.
        self.sizes, self.size_of = np.unique(demand.slots, return_inverse=True)
        # Groups per sweep, so that one [day, node, group] array of floats fits in `chunk_bytes`.
        self.chunk = max(1, chunk_bytes // (8 * h * max(1, len(grid.nodes))))

    def part(self, groups: IntArray, *, own_sizes: bool) -> Pricer:
        """The same pricer for only `groups`; with `own_sizes`, priced for their slot sizes only."""
        part = copy.copy(self)
        part.demand = subset(self.demand, groups.tolist())
        part.late = self.late[groups]
        if own_sizes:
            part.sizes, part.size_of = np.unique(part.demand.slots, return_inverse=True)
        else:
            part.size_of = self.size_of[groups]
        return part

    def price_some(
        self, prices: Prices, groups: IntArray, deadline: float | None = None
    ) -> list[Column]:
        """`price` for only `groups` (partial pricing): the sweep costs in proportion."""
        part = self.part(groups, own_sizes=True)
        found = part.price(replace(prices, supply=prices.supply[groups]), deadline)
        return [replace(c, group=int(groups[c.group])) for c in found]

    def price(self, prices: Prices, deadline: float | None = None) -> list[Column]:
        """Best path of each group whose reduced cost is negative.

        Groups are swept `chunk` at a time, so that the sweep's arrays stay
        near `CHUNK_BYTES` however many groups there are (at ten times the
        demo, 9,216 groups over 515 days and 49 nodes, one array of them all
        took 1.8 GB). With a `deadline`, no chunk starts once it has passed:
        the groups not reached get no path, so the caller, whose time is up,
        must not read an empty answer as "none exists".
        """
        terms = self.all_leg_terms(prices)
        found: list[Column] = []
        for lo in range(0, len(self.demand), self.chunk):
            if deadline is not None and time.monotonic() >= deadline:
                break
            groups = np.arange(lo, min(lo + self.chunk, len(self.demand)))
            part = self if len(groups) == len(self.demand) else self.part(groups, own_sizes=False)
            chunk = part.best_paths(replace(prices, supply=prices.supply[groups]), terms)
            found += [replace(c, group=lo + c.group) for c in chunk]
        return found

    def best_paths(self, prices: Prices, terms: list[Terms]) -> list[Column]:
        """One sweep over every group of this pricer (`terms`: from `all_leg_terms`)."""
        dm = self.demand
        g_all = np.arange(len(dm))
        dist = self.forward(prices, terms)
        arrival = dist[:, dm.dest, g_all].T + prices.late_weight * self.late
        best_day = np.argmin(arrival, axis=1)
        best = arrival[g_all, best_day]
        found = []
        for g in np.flatnonzero(best < -EPS):
            legs = self.backtrack(prices, terms, dist, g=int(g), day=int(best_day[g]))
            found.append(Column(int(g), legs, int(best_day[g]), float(best[g])))
        return found

    def sources(self, prices: Prices) -> FloatArray:
        """`S[t, n, g]`: minus the supply dual at the origin from the release on, else inf."""
        dm, h = self.demand, self.grid.horizon
        start = np.full((h, len(self.grid.nodes), len(dm)), np.inf)
        days = np.arange(h)
        mask = days[:, None] >= dm.release[None, :]
        value = np.where(mask, -prices.supply[None, :], np.inf)
        start[:, dm.origin, np.arange(len(dm))] = value
        return start

    def source(self, prices: Prices, g: int, t: int, node: int) -> float:
        """`sources(prices)[t, node, g]`, for the backtrack (the sweep overwrites its copy)."""
        dm = self.demand
        at_origin = node == dm.origin[g] and t >= dm.release[g]
        return -float(prices.supply[g]) if at_origin else np.inf

    def penalties(self, prices: Prices) -> tuple[FloatArray, FloatArray, FloatArray]:
        grid, h = self.grid, self.grid.horizon
        n_links, n_nodes = len(grid.links), len(grid.nodes)
        pen = prices.penalty
        link = pen[: n_links * h].reshape(n_links, h)
        handling = pen[n_links * h : (n_links + n_nodes) * h].reshape(n_nodes, h)
        storage = pen[(n_links + n_nodes) * h :].reshape(n_nodes, h)
        return link, handling, storage

    def leg_terms(self, prices: Prices, t: int) -> Terms:
        """Per open link on day `t`: its price for a unit of each slot size, and per unit."""
        grid, day = self.grid, self.days[t]
        link, handling, _ = self.penalties(prices)
        ls = day.links
        per_slot = prices.cost_weight * grid.cost[ls] + link[ls, t]
        per_size = per_slot[:, None] * self.sizes[None, :].astype(np.float64)
        if prices.cut_penalty is not None:
            uses = cuts.weights(self.sizes, prices.cut_penalty.shape[1])
            per_size += prices.cut_penalty[ls * grid.horizon + t] @ uses
        per_unit = handling[grid.src[ls], t] + handling[grid.tgt[ls], t + grid.days[ls]]
        return per_size, per_unit

    def all_leg_terms(self, prices: Prices) -> list[Terms]:
        """`leg_terms` of every day, once per pricing call (the backtrack reads them again)."""
        return [self.leg_terms(prices, t) for t in range(self.grid.horizon)]

    def forward(self, prices: Prices, terms: list[Terms]) -> FloatArray:
        """The sweep: `D[t, n, g]` for every day, node and group.

        Groups are the last (contiguous) axis, so each step reads and writes
        whole rows of one day; that is about twice as fast as groups first.
        """
        grid, dm, h = self.grid, self.demand, self.grid.horizon
        _, _, storage = self.penalties(prices)
        g_all = np.arange(len(dm))
        dist = self.sources(prices)
        for t in range(h):
            day = self.days[t]
            if len(day.links):
                per_size, per_unit = terms[t]
                cand = dist[t, grid.src[day.links], :] + (
                    per_size[:, self.size_of] + per_unit[:, None]
                )
                folded = np.minimum.reduceat(cand, day.starts, axis=0)
                if prices.no_turnaround is not None:
                    folded = self.defer(prices.no_turnaround, storage, dist, folded, day)
                current = dist[day.arrive, day.target, :]
                dist[day.arrive, day.target, :] = np.minimum(current, folded)
            if t + 1 < h:
                hold = dist[t] + storage[:, t, None]
                hold[dm.dest, g_all] = np.inf
                np.minimum(dist[t + 1], hold, out=dist[t + 1])
        return dist

    def defer(
        self,
        blocked: BoolArray,
        storage: FloatArray,
        dist: FloatArray,
        folded: FloatArray,
        day: Day,
    ) -> FloatArray:
        """Arrivals where turnaround is blocked become ready the next day, after a night."""
        h = self.grid.horizon
        mask = blocked[day.target, day.arrive][:, None] & (
            day.target[:, None] != self.demand.dest[None, :]
        )
        if not mask.any():
            return folded
        later = day.arrive + 1 < h
        night = folded + storage[day.target, day.arrive][:, None]
        deferred = np.where(mask & later[:, None], night, np.inf)
        at, tg = np.minimum(day.arrive + 1, h - 1), day.target
        dist[at[later], tg[later], :] = np.minimum(
            dist[at[later], tg[later], :], deferred[later, :]
        )
        result: FloatArray = np.where(mask, np.inf, folded)
        return result

    def backtrack(
        self,
        prices: Prices,
        terms: list[Terms],
        dist: FloatArray,
        *,
        g: int,
        day: int,
    ) -> tuple[LegAt, ...]:
        """Walk back from the destination on `day` to the origin."""
        grid, dm = self.grid, self.demand
        _, _, storage = self.penalties(prices)
        size = int(self.size_of[g])
        node, t = int(dm.dest[g]), day
        legs: list[LegAt] = []
        while True:
            value = dist[t, node, g]
            if legs and close(self.source(prices, g, t, node), value):
                return tuple(reversed(legs))
            if t > 0 and node != dm.dest[g]:
                hold = dist[t - 1, node, g] + storage[node, t - 1]
                if close(hold, value):
                    t -= 1
                    continue
            found = None
            blocked = prices.no_turnaround
            if t > 0 and blocked is not None and blocked[node, t - 1] and node != dm.dest[g]:
                night = float(storage[node, t - 1])
                found = self.leg_into(
                    terms, dist, g=g, size=size, node=node, t=t - 1, value=value, extra=night
                )
            if found is None:
                found = self.leg_into(terms, dist, g=g, size=size, node=node, t=t, value=value)
            if found is None:
                raise AssertionError(f"no predecessor for group {g} at node {node} on day {t}")
            leg = found
            legs.append(leg)
            node, t = int(grid.src[leg[0]]), leg[1]

    def leg_into(
        self,
        terms: list[Terms],
        dist: FloatArray,
        *,
        g: int,
        size: int,
        node: int,
        t: int,
        value: float,
        extra: float = 0.0,
    ) -> LegAt | None:
        """The link (and departure day) whose arrival on day `t` (+ `extra`) gave `value`."""
        grid = self.grid
        for link in self.incoming[node]:
            depart = t - int(grid.days[link])
            i = self.position[depart].get(int(link)) if depart >= 0 else None
            if i is None:
                continue
            per_size, per_unit = terms[depart]
            cand = dist[depart, grid.src[link], g] + (per_size[i, size] + per_unit[i])
            if close(cand + extra if extra else cand, value):
                return int(link), depart
        return None


def close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 * (1.0 + abs(b))
