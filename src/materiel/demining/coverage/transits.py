"""Transits over cleared ground: shortest paths along lines already driven.

Every headland pass and connector the machine has worked becomes part of a
network; a transit follows that network, so it only ever crosses ground
the plan has cleared before.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections import defaultdict

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
        """Add the edges of a polyline (its vertex keys made once: rings have thousands)."""
        coords = shapely.get_coordinates(line)
        lengths = np.hypot(*np.diff(coords, axis=0).T).tolist()
        keys = _keys(np.round(coords, 3))
        self._link(keys[:-1], keys[1:], lengths)

    def add_segments(self, segments: NDArray[np.float64]) -> None:
        """Add edges given as an (n, 2, 2) array of segment end points."""
        if len(segments) == 0:
            return
        lengths = np.hypot(*(segments[:, 1] - segments[:, 0]).T).tolist()
        rounded = np.round(segments, 3)
        self._link(_keys(rounded[:, 0]), _keys(rounded[:, 1]), lengths)

    def _link(self, starts: list[Node], ends: list[Node], lengths: list[float]) -> None:
        edges = self.edges
        for a, b, length in zip(starts, ends, lengths, strict=True):
            if a != b:
                edges[a][b] = length
                edges[b][a] = length

    def nearest(self, point: tuple[float, float], count: int) -> list[Node]:
        """Up to `count` indexed vertices nearest to `point`, nearest first."""
        return self.nearest_many([point], count)[0]

    def nearest_many(self, points: list[tuple[float, float]], count: int) -> list[list[Node]]:
        """`nearest` for many points: each looks in a box doubled until it holds `count`
        vertices (at most 12 times); all boxes of one size go to the index at once."""
        tree = self._index()
        if not self._nodes or not points:
            return [[] for _ in points]
        xy = np.asarray(points, dtype=float).reshape(-1, 2)
        hits: list[list[int]] = [[] for _ in points]
        pending, radius = list(range(len(points))), 2.0
        for _ in range(12):
            for p, found in zip(pending, _in_boxes(tree, xy[pending], radius), strict=True):
                hits[p] = found
            pending = [p for p in pending if len(hits[p]) < count]
            if not pending:
                break
            radius *= 2
        return [
            sorted((self._nodes[i] for i in near), key=lambda n: math.dist(n, point))[:count]
            for point, near in zip(points, hits, strict=True)
        ]

    def _index(self) -> shapely.STRtree:
        if self._tree is None:
            self._nodes = list(self.edges)
            flat = itertools.chain.from_iterable(self._nodes)
            xy = np.fromiter(flat, dtype=float, count=2 * len(self._nodes)).reshape(-1, 2)
            points = shapely.from_ragged_array(shapely.GeometryType.POINT, xy)  # quicker
            self._tree = shapely.STRtree(points)
        return self._tree

    def route(self, source: Node, target: Node) -> list[Node] | None:
        """Shortest path between two vertices (Dijkstra, A* with the straight distance)."""
        source, target = _key(*source), _key(*target)
        if source == target:
            return [source]
        best = {source: 0.0}
        before: dict[Node, Node] = {}
        queue = [(math.dist(source, target), 0.0, source)]
        edges, known, dist = self.edges, best.get, math.dist
        push, pop = heapq.heappush, heapq.heappop
        while queue:
            _, cost, node = pop(queue)
            if node == target:
                return _path(before, target)
            if cost > known(node, math.inf):
                continue
            for nxt, length in edges[node].items():
                new = cost + length
                if new < known(nxt, math.inf):
                    best[nxt] = new
                    before[nxt] = node
                    push(queue, (new + dist(nxt, target), new, nxt))
        return None


def reach_costs(
    network: Network, source: Node, targets: dict[Node, float] | None = None
) -> dict[Node, float]:
    """Route length from `source` to every vertex it connects to (Dijkstra).

    With `targets` (vertex: length still to go past it) the search stops once
    no target can end up closer than the best one reached; every vertex
    settled by then (so every target that could tie with it) is returned.
    """
    source = _key(*source)
    best = {source: 0.0}
    settled: dict[Node, float] = {}
    bound = math.inf
    queue = [(0.0, source)]
    edges, known, push, pop = network.edges, best.get, heapq.heappush, heapq.heappop
    goals = targets or {}
    while queue:
        cost, node = pop(queue)
        if cost > bound:
            break
        if node in settled:
            continue
        settled[node] = cost
        if node in goals:
            bound = min(bound, cost + goals[node])
        for nxt, length in edges[node].items():
            new = cost + length
            if new < known(nxt, math.inf):
                best[nxt] = new
                push(queue, (new, nxt))
    return settled


def _in_boxes(tree: shapely.STRtree, xy: NDArray[np.float64], radius: float) -> list[list[int]]:
    """The indexed vertices in the box of half-size `radius` round each point, in the
    index's order (as a query with that box alone gives them)."""
    x, y = xy[:, 0], xy[:, 1]
    inputs, found = tree.query(shapely.box(x - radius, y - radius, x + radius, y + radius))
    order = np.argsort(inputs, kind="stable")
    bounds = np.searchsorted(inputs[order], np.arange(len(xy) + 1)).tolist()
    found = found[order]
    return [found[a:b].tolist() for a, b in itertools.pairwise(bounds)]


def _keys(xy: NDArray[np.float64]) -> list[Node]:
    """Vertex keys of an (n, 2) array of rounded coordinates (no list per point)."""
    return list(zip(xy[:, 0].tolist(), xy[:, 1].tolist(), strict=True))


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
