"""Transits over cleared ground: shortest paths along lines already driven.

Every headland pass and connector the machine has worked becomes part of a
network; a transit follows that network, so it only ever crosses ground
the plan has cleared before.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from typing import cast

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import LineString

Node = tuple[float, float]


def _key(x: float, y: float) -> Node:
    """Vertices are matched to the millimetre (the same rounding as `Network.add`)."""
    rx, ry = np.round([x, y], 3)
    return (float(rx), float(ry))


class Network:
    """An undirected graph of the lines driven so far, by vertex.

    The index for `nearest` is built on first use and then kept: vertices
    added later (swept cells) are reached through the links made to it.
    """

    def __init__(self) -> None:
        self.edges: dict[Node, dict[Node, float]] = defaultdict(dict)
        self._tree: shapely.STRtree | None = None
        self._nodes: list[Node] = []

    def add(self, line: LineString) -> None:
        coords = shapely.get_coordinates(line)
        self.add_segments(np.stack([coords[:-1], coords[1:]], axis=1))

    def add_segments(self, segments: NDArray[np.float64]) -> None:
        """Add edges given as an (n, 2, 2) array of segment end points."""
        if len(segments) == 0:
            return
        lengths = np.hypot(*(segments[:, 1] - segments[:, 0]).T).tolist()
        rounded = np.round(segments, 3).tolist()
        for (a, b), length in zip(rounded, lengths, strict=True):
            ka, kb = (a[0], a[1]), (b[0], b[1])
            if ka != kb:
                self.edges[ka][kb] = length
                self.edges[kb][ka] = length

    def nearest(self, point: tuple[float, float], count: int) -> list[Node]:
        """Up to `count` indexed vertices nearest to `point`, nearest first."""
        if self._tree is None:
            self._nodes = list(self.edges)
            points = cast(
                "NDArray[np.object_]", shapely.points(np.array(self._nodes).reshape(-1, 2))
            )
            self._tree = shapely.STRtree(points)
        if not self._nodes:
            return []
        radius = 2.0
        for _ in range(12):
            x, y = point
            hits = self._tree.query(shapely.box(x - radius, y - radius, x + radius, y + radius))
            if len(hits) >= count:
                break
            radius *= 2
        near = sorted((self._nodes[int(i)] for i in hits), key=lambda n: math.dist(n, point))
        return near[:count]

    def route(self, source: Node, target: Node) -> list[Node] | None:
        """Shortest path between two vertices (Dijkstra, A* with the straight distance)."""
        source, target = _key(*source), _key(*target)
        if source == target:
            return [source]
        best = {source: 0.0}
        before: dict[Node, Node] = {}
        queue = [(math.dist(source, target), 0.0, source)]
        while queue:
            _, cost, node = heapq.heappop(queue)
            if node == target:
                return _path(before, target)
            if cost > best.get(node, math.inf):
                continue
            for nxt, length in self.edges[node].items():
                new = cost + length
                if new < best.get(nxt, math.inf):
                    best[nxt] = new
                    before[nxt] = node
                    heapq.heappush(queue, (new + math.dist(nxt, target), new, nxt))
        return None


def reach_costs(network: Network, source: Node) -> dict[Node, float]:
    """Route length from `source` to every vertex it connects to (Dijkstra)."""
    source = _key(*source)
    best = {source: 0.0}
    queue = [(0.0, source)]
    while queue:
        cost, node = heapq.heappop(queue)
        if cost > best.get(node, math.inf):
            continue
        for nxt, length in network.edges[node].items():
            new = cost + length
            if new < best.get(nxt, math.inf):
                best[nxt] = new
                heapq.heappush(queue, (new, nxt))
    return best


def _path(before: dict[Node, Node], target: Node) -> list[Node]:
    path = [target]
    while path[-1] in before:
        path.append(before[path[-1]])
    path.reverse()
    return path


def insert_vertex(line: LineString, point: tuple[float, float]) -> LineString:
    """The same line with `point` (lying on it) added as a vertex on its nearest segment."""
    coords = shapely.get_coordinates(line)
    a, b = coords[:-1], coords[1:]
    p = np.asarray(point)
    ab = b - a
    lengths = np.maximum((ab**2).sum(axis=1), 1e-18)
    t = np.clip(((p - a) * ab).sum(axis=1) / lengths, 0.0, 1.0)
    distance = np.hypot(*(a + ab * t[:, None] - p).T)
    i = int(np.argmin(distance))
    return LineString(np.vstack([coords[: i + 1], p, coords[i + 1 :]]))


def start_at(ring: LineString, point: tuple[float, float]) -> LineString:
    """A closed ring re-started at `point` (which lies on it)."""
    coords = shapely.get_coordinates(insert_vertex(ring, point))[:-1]
    distance = np.hypot(*(coords - np.asarray(point)).T)
    i = int(np.argmin(distance))
    rolled = np.vstack([coords[i:], coords[:i]])
    return LineString(np.vstack([rolled, rolled[:1]]))
