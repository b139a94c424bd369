"""Driving the cells: swaths in skip-row order, turns, and transits between cells.

Every turn and transit is checked against the ground cleared so far (the
headland band, connectors, swept cells, the swaths just worked) plus the
safe lanes; a turn that does not fit becomes a transit along the cleared
network.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from .cells import Cell, visit_order
from .model import Step
from .ordering import Way, improve, ways
from .skips import choose_skip
from .sweep import Segment
from .transits import Network, reach_costs
from .turns import turn_paths

TOLERANCE_M = 0.2
"""Slack for numerical error when checking a path lies on cleared ground (rules allow 0.25 m)."""

RECENT_SWATHS = 4
NEAREST_VERTICES = 4


@dataclass
class Sweeper:
    """State while driving: where the machine is and what it has cleared."""

    network: Network
    allowed: BaseGeometry  # cleared headland + safe lanes, grown by the tolerance, prepared
    width: float
    radius: float
    skip: int
    here: tuple[float, float]
    steps: list[Step] = field(default_factory=list)
    recent: list[BaseGeometry] = field(default_factory=list)
    swept: list[BaseGeometry] = field(default_factory=list)
    swept_tree: shapely.STRtree | None = None
    k_turns: int = 0
    blocked: int = 0

    def drive(self, cells: list[Cell]) -> None:
        """Sweep every cell: nearest entry first, then improved by moving single cells."""
        options = {
            id(c): ways(c, visit_order(len(c.segments), choose_skip(c, self.skip, self.radius)))
            for c in cells
        }
        sequence: list[Way] = []
        costs = self._first_costs()
        at, remaining = self.here, list(cells)
        while remaining:
            way = self._nearest_entry(remaining, options, at, costs)
            costs = None
            remaining.remove(way.cell)
            sequence.append(way)
            at = way.exit
        for way in improve(self.here, sequence, options):
            self._sweep(way)

    def _first_costs(self) -> Callable[[tuple[float, float]], float] | None:
        """Route lengths over the headland network from here, to pick the first cell."""
        near = self.network.nearest(self.here, 1)
        if not near:
            return None
        costs = reach_costs(self.network, near[0])

        def cost(point: tuple[float, float]) -> float:
            vertex = self.network.nearest(point, 1)[0]
            return costs.get(vertex, math.inf) + math.dist(vertex, point)

        return cost

    def _nearest_entry(
        self,
        cells: list[Cell],
        options: dict[int, list[Way]],
        at: tuple[float, float],
        costs: Callable[[tuple[float, float]], float] | None,
    ) -> Way:
        """The way into a cell whose first swath starts nearest to `at`."""
        candidates = [way for cell in cells for way in options[id(cell)]]
        return min(candidates, key=lambda w: costs(w.entry) if costs else math.dist(w.entry, at))

    def _sweep(self, way: Way) -> None:
        segments, order, heading = way.cell.segments, way.order, way.heading
        self.recent = []
        self.transit(_start(segments[order[0]], heading))
        for n, index in enumerate(order):
            segment = segments[index]
            start, end = _start(segment, heading), _start(segment, -heading)
            self.steps.append(Step("work", LineString([start, end])))
            self.recent = [*self.recent[-RECENT_SWATHS + 1 :], self._box(segment)]
            self.here = end
            if n + 1 < len(order):
                following = segments[order[n + 1]]
                self._turn(segments, index, order[n + 1], heading, _start(following, -heading))
                heading = -heading
        self._absorb(segments)

    def _box(self, segment: Segment) -> BaseGeometry:
        half = self.width / 2 + TOLERANCE_M
        return shapely.box(segment.x0, segment.y - half, segment.x1, segment.y + half)

    def _absorb(self, segments: list[Segment]) -> None:
        """A swept cell becomes cleared ground and part of the transit network."""
        self.swept.append(_staircase(segments, self.width / 2))
        self.swept_tree = shapely.STRtree(self.swept)
        ends = [segments[0], segments[-1]]
        corners = [(s.x0, s.y) for s in ends] + [(s.x1, s.y) for s in ends]
        links = []
        for corner in corners:
            for vertex in self.network.nearest(corner, NEAREST_VERTICES):
                link = LineString([corner, vertex])
                if self.clear(link):
                    links.append(link)
                    break
        edges = [((s.x0, s.y), (s.x1, s.y)) for s in segments]
        for below, above in itertools.pairwise(segments):
            edges.append(((below.x0, below.y), (above.x0, above.y)))
            edges.append(((below.x1, below.y), (above.x1, above.y)))
        edges.extend(tuple(shapely.get_coordinates(link).tolist()) for link in links)
        self.network.add_segments(np.array(edges, dtype=float).reshape(-1, 2, 2))

    def _turn(
        self, segments: list[Segment], a: int, b: int, heading: int, target: tuple[float, float]
    ) -> None:
        between = segments[min(a, b) : max(a, b) + 1]
        reach = max(s.x1 for s in between) if heading > 0 else min(s.x0 for s in between)
        for path, k_turn in turn_paths(self.here, heading, target, reach, self.radius):
            if self.clear(path):
                self.steps.append(Step("turn", path))
                self.k_turns += int(k_turn)
                self.here = target
                return
        self.transit(target)

    def transit(self, target: tuple[float, float]) -> None:
        """Go to `target` over cleared ground: straight if clear, else along the network."""
        if math.dist(self.here, target) < 1e-6:
            return
        straight = LineString([self.here, target])
        path = straight if self.clear(straight) else self._routed(target)
        if path is None:
            self.blocked += 1
            path = straight
        self.steps.append(Step("transit", path))
        self.here = target

    def _routed(self, target: tuple[float, float]) -> LineString | None:
        sources = self.network.nearest(self.here, NEAREST_VERTICES)
        targets = self.network.nearest(target, NEAREST_VERTICES)
        for source in sources:
            if not self.clear(LineString([self.here, source])):
                continue
            for goal in targets:
                if not self.clear(LineString([goal, target])):
                    continue
                route = self.network.route(source, goal)
                if route is not None:
                    return LineString([self.here, *route, target])
        return None

    def clear(self, path: LineString) -> bool:
        """Whether `path` lies on cleared ground or safe lanes (within the tolerance)."""
        if shapely.covers(self.allowed, path):
            return True
        rest = shapely.difference(path, self.allowed)
        for box in reversed(self.recent):
            rest = shapely.difference(rest, box)
            if rest.length < 1e-6:
                return True
        if self.swept_tree is not None:
            for i in self.swept_tree.query(rest):
                rest = shapely.difference(rest, self.swept[int(i)])
                if rest.length < 1e-6:
                    return True
        return bool(rest.length < 1e-6)


def _staircase(segments: list[Segment], half: float) -> Polygon:
    """The ground a swept cell cleared: each swath's slab up to halfway to its neighbours.

    This is inside the union of the swath footprints (spacing <= width) and
    needs no overlay; consecutive swaths of a cell overlap, so it is one polygon.
    """
    ys = [s.y for s in segments]
    mids = [(a + b) / 2 for a, b in itertools.pairwise(ys)]
    lows = [ys[0] - half, *mids]
    highs = [*mids, ys[-1] + half]
    right = [
        p for s, lo, hi in zip(segments, lows, highs, strict=True) for p in ((s.x1, lo), (s.x1, hi))
    ]
    left = [
        p for s, lo, hi in zip(segments, lows, highs, strict=True) for p in ((s.x0, lo), (s.x0, hi))
    ]
    return Polygon(right + left[::-1])


def _start(segment: Segment, heading: int) -> tuple[float, float]:
    """Where a swath driven with `heading` (+1 along +x) starts."""
    return (segment.x0, segment.y) if heading > 0 else (segment.x1, segment.y)
