"""Shortest routes over the directed transport network.

The estimated arrival uses the fastest route (fewest transit days); among
equally fast routes the cheapest is taken, and its cost is the transport
effort of rule 4. One Dijkstra per origin, on (days, cost) pairs.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from materiel.donations.planning.scenario import Link

# Costs are compared in hundredths so that flows can use integer costs.
COST_SCALE = 100


@dataclass(frozen=True)
class Route:
    """Fastest route from an origin to a destination; `cost` in hundredths."""

    days: int
    cost: int


def scaled_cost(cost: float) -> int:
    """A link cost as an integer number of hundredths."""
    return round(cost * COST_SCALE)


def adjacency(links: Iterable[Link]) -> dict[str, list[tuple[str, int, int]]]:
    """Outgoing (target, days, cost) per node."""
    out: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for link in links:
        out[link.source].append((link.target, link.days, scaled_cost(link.cost)))
    return out


def routes_from(origin: str, out: dict[str, list[tuple[str, int, int]]]) -> dict[str, Route]:
    """Fastest-then-cheapest route to every node reachable from `origin`."""
    best: dict[str, tuple[int, int]] = {origin: (0, 0)}
    heap = [(0, 0, origin)]
    done: set[str] = set()
    while heap:
        days, cost, node = heapq.heappop(heap)
        if node in done:
            continue
        done.add(node)
        for target, link_days, link_cost in out.get(node, ()):
            candidate = (days + link_days, cost + link_cost)
            if target not in best or candidate < best[target]:
                best[target] = candidate
                heapq.heappush(heap, (*candidate, target))
    return {node: Route(days, cost) for node, (days, cost) in best.items()}


def all_routes(origins: Iterable[str], links: Iterable[Link]) -> dict[str, dict[str, Route]]:
    """Routes from each distinct origin (a node always reaches itself in 0 days)."""
    out = adjacency(links)
    return {origin: routes_from(origin, out) for origin in set(origins)}
