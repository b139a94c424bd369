"""Fastest routes over the directed network, with the links they use.

Plain data in and out. The map uses the links of each route to show how
much planned traffic a link carries.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass

from materiel.network.model import Link


@dataclass(frozen=True)
class Route:
    days: float
    cost: float
    links: tuple[str, ...]


def routes_from(origin: str, links: Iterable[Link]) -> dict[str, Route]:
    """Fastest route (cheapest among equally fast) from `origin` to every reachable node."""
    out: dict[str, list[Link]] = {}
    for link in links:
        out.setdefault(link.from_node, []).append(link)
    best: dict[str, Route] = {origin: Route(0.0, 0.0, ())}
    queue: list[tuple[float, float, str]] = [(0.0, 0.0, origin)]
    while queue:
        days, cost, node = heapq.heappop(queue)
        if (days, cost) > (best[node].days, best[node].cost):
            continue
        for link in out.get(node, []):
            candidate = Route(days + link.days, cost + link.cost, (*best[node].links, link.id))
            known = best.get(link.to_node)
            if known is None or (candidate.days, candidate.cost) < (known.days, known.cost):
                best[link.to_node] = candidate
                heapq.heappush(queue, (candidate.days, candidate.cost, link.to_node))
    return best
