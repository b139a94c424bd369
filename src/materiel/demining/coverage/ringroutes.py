"""Route lengths over the headland passes driven so far, for ordering the passes.

A transit between headland passes follows the passes and the connectors
between them. Its length is the shortest way along that network, which can
be far longer than the straight line when a hole lies in between. Along a
closed pass the only junctions are connector ends, so the network reduces
to a small graph of *stations* (ring, arc position) joined by arcs of the
rings and by the connectors: a Dijkstra over it is cheap.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely import LineString

Station = tuple[int, float]  # ring index, arc position along the ring in metres


@dataclass
class RingRoutes:
    """Visited rings (fixed geometry) and the connectors joining them."""

    rings: list[LineString]
    stations: dict[int, set[float]] = field(default_factory=lambda: defaultdict(set))
    links: dict[Station, dict[Station, float]] = field(default_factory=lambda: defaultdict(dict))
    known: dict[tuple[int, tuple[float, float]], float] = field(default_factory=dict)
    lengths: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.lengths = [float(r.length) for r in self.rings]

    def position(self, ring: int, point: tuple[float, float]) -> float:
        """Arc position of `point` (on or near ring `ring`); remembered, as it is asked often."""
        key = (ring, point)
        if key not in self.known:
            self.known[key] = float(self.rings[ring].project(shapely.points(point)))
        return self.known[key]

    def locate(self, keys: list[tuple[int, tuple[float, float]]]) -> None:
        """Remember the arc positions of many (ring, point) pairs, found all at once."""
        missing = list(dict.fromkeys(key for key in keys if key not in self.known))
        if missing:
            rings = np.array([self.rings[ring] for ring, _ in missing], dtype=object)
            points = shapely.points(np.array([point for _, point in missing], dtype=float))
            found = shapely.line_locate_point(rings, points).tolist()
            self.known.update(zip(missing, found, strict=True))

    def connect(self, a: Station, b: Station, length: float) -> None:
        """Record a connector (or the start) between two stations."""
        self.stations[a[0]].add(a[1])
        self.stations[b[0]].add(b[1])
        self.links[a][b] = min(length, self.links[a].get(b, math.inf))
        self.links[b][a] = min(length, self.links[b].get(a, math.inf))

    def along(self, ring: int, a: float, b: float) -> float:
        """Shorter way round a closed ring between two arc positions."""
        gap = abs(a - b)
        return min(gap, self.lengths[ring] - gap)

    def costs_from(self, start: Station) -> dict[Station, float]:
        """Route length from `start` to every station (Dijkstra)."""
        best = {start: 0.0}
        queue = [(0.0, start)]
        while queue:
            cost, node = heapq.heappop(queue)
            if cost > best.get(node, math.inf):
                continue
            ring, pos = node
            steps = [((ring, other), self.along(ring, pos, other)) for other in self.stations[ring]]
            steps.extend(self.links[node].items())
            for nxt, length in steps:
                new = cost + length
                if new < best.get(nxt, math.inf):
                    best[nxt] = new
                    heapq.heappush(queue, (new, nxt))
        return best

    def costs_to(self, costs: dict[Station, float]) -> Callable[[int, float], float]:
        """Route length to any arc position of any ring, given `costs_from` a start; each
        ring's stations and their costs are looked up once, as the greedy ordering asks
        about the same few rings many times."""
        reached: dict[int, list[tuple[float, float]]] = {}

        def cost(ring: int, pos: float) -> float:
            if ring not in reached:
                reached[ring] = [(s, costs.get((ring, s), math.inf)) for s in self.stations[ring]]
            length = self.lengths[ring]
            return min(
                (c + min(abs(s - pos), length - abs(s - pos)) for s, c in reached[ring]),
                default=math.inf,
            )

        return cost
