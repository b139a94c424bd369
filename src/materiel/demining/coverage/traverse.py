"""Driving the cells: swaths in skip-row order, turns, and transits between cells.

Every turn and transit is checked against the ground cleared so far (the
headland band, connectors, swept cells, the swaths just worked) plus the
safe lanes; a turn that does not fit becomes a transit along the cleared
network.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from .cells import Cell, visit_order
from .model import Step
from .ordering import Way, improve, ways
from .skips import choose_skip
from .sweep import Segment
from .transits import Network, reach_costs
from .turns import Turn, first_paths, turn_paths

TOLERANCE_M = 0.2
"""Slack for numerical error when checking a path lies on cleared ground (rules allow 0.25 m)."""

RECENT_SWATHS = 4
NEAREST_VERTICES = 4


def order_ways(
    cells: list[Cell], network: Network, here: tuple[float, float], skip: int, radius: float
) -> list[Way]:
    """The cells in sweeping order, each with its way through: nearest entry first (the
    first by route over the headland network), then improved by moving single cells.
    Needs no cleared ground, so it can run while that is still being built."""
    options = {
        id(c): ways(c, visit_order(len(c.segments), choose_skip(c, skip, radius))) for c in cells
    }
    first = _first_way(network, here, [w for c in cells for w in options[id(c)]])
    sequence: list[Way] = []
    at, remaining = here, list(cells)
    while remaining:
        nearest = (w for c in remaining for w in options[id(c)])
        way = first if first else min(nearest, key=lambda w: math.dist(w.entry, at))
        first = None
        remaining.remove(way.cell)
        sequence.append(way)
        at = way.exit
    return improve(here, sequence, options)


def _first_way(network: Network, here: tuple[float, float], candidates: list[Way]) -> Way | None:
    """The way whose first swath starts nearest to `here` by route over the network (None
    without a network)."""
    near = network.nearest(here, 1)
    if not near or not candidates:
        return None
    vertices = [v[0] for v in network.nearest_many([w.entry for w in candidates], 1)]
    past = [math.dist(v, way.entry) for v, way in zip(vertices, candidates, strict=True)]
    targets: dict[tuple[float, float], float] = {}
    for vertex, rest in zip(vertices, past, strict=True):
        targets[vertex] = min(rest, targets.get(vertex, math.inf))
    costs = reach_costs(network, near[0], targets)
    totals = [costs.get(v, math.inf) + d for v, d in zip(vertices, past, strict=True)]
    return candidates[totals.index(min(totals))]


@dataclass
class Sweeper:
    """State while driving: where the machine is and what it has cleared."""

    network: Network
    allowed: BaseGeometry  # cleared headland + safe lanes, grown by the tolerance, prepared
    width: float
    radius: float
    here: tuple[float, float]
    steps: list[Step] = field(default_factory=list)
    recent: list[BaseGeometry] = field(default_factory=list)
    swept: list[BaseGeometry] = field(default_factory=list)
    swept_tree: shapely.STRtree | None = None
    k_turns: int = 0
    blocked: int = 0

    def drive(self, ways: list[Way]) -> None:
        """Sweep the cells in order, each its way (see `order_ways`)."""
        for way in ways:
            self._sweep(way)

    def _sweep(self, way: Way) -> None:
        """Swaths in the way's order, the turns between them built and checked all at once."""
        segments, order = way.cell.segments, way.order
        headings = [way.heading * (-1) ** n for n in range(len(order))]
        starts = [_start(segments[i], h) for i, h in zip(order, headings, strict=True)]
        ends = [_start(segments[i], -h) for i, h in zip(order, headings, strict=True)]
        swaths = cast("NDArray[np.object_]", shapely.linestrings(np.stack([starts, ends], axis=1)))
        boxes = self._boxes([segments[i] for i in order])
        turns = [
            Turn(ends[n], headings[n], starts[n + 1], _reach(segments, a, b, headings[n]))
            for n, (a, b) in enumerate(itertools.pairwise(order))
        ]
        paths, k_turns = first_paths(turns, self.radius) if turns else (np.array([]), [])
        fits = shapely.covers(self.allowed, paths)
        self.recent = []
        self.transit(starts[0])
        for n in range(len(order)):
            self.steps.append(Step("work", swaths[n]))
            self.recent = [*self.recent[-RECENT_SWATHS + 1 :], boxes[n]]
            self.here = ends[n]
            if n < len(turns):
                self._turn(turns[n], paths[n], k_turns[n], bool(fits[n]))
        self._absorb(segments)

    def _boxes(self, segments: list[Segment]) -> list[BaseGeometry]:
        """The ground each swath clears, grown by the tolerance."""
        half = self.width / 2 + TOLERANCE_M
        x0, y, x1 = np.array([(s.x0, s.y, s.x1) for s in segments]).T
        return list(shapely.box(x0, y - half, x1, y + half))

    def _absorb(self, segments: list[Segment]) -> None:
        """A swept cell becomes cleared ground and part of the transit network."""
        x0, y, x1 = np.array([(s.x0, s.y, s.x1) for s in segments]).T
        self.swept.append(_staircase(x0, y, x1, self.width / 2))
        self.swept_tree = None  # built again when a check needs it
        ends = [segments[0], segments[-1]]
        corners = [(s.x0, s.y) for s in ends] + [(s.x1, s.y) for s in ends]
        links = []
        nearest = self.network.nearest_many(corners, NEAREST_VERTICES)
        for corner, near in zip(corners, nearest, strict=True):
            for vertex in near:
                link = _segment(corner, vertex)
                if self.clear(link):
                    links.append(shapely.get_coordinates(link))
                    break
        # the swaths, then the steps between neighbours' ends (left, right), then the links
        left, right = np.column_stack([x0, y]), np.column_stack([x1, y])
        steps = [np.stack([side[:-1], side[1:]], axis=1) for side in (left, right)]
        edges = [np.stack([left, right], axis=1), np.stack(steps, axis=1), *links]
        self.network.add_segments(np.concatenate([e.reshape(-1, 2, 2) for e in edges]))

    def _turn(self, turn: Turn, first: LineString, k_turn: bool, fits: bool) -> None:
        """The first candidate that lies on cleared ground (`fits`: known to), else a transit."""
        if fits or self.clear(first):
            self._turned(first, k_turn, turn.end)
            return
        for path, later_k_turn in itertools.islice(turn_paths(turn, self.radius), 1, None):
            if self.clear(path):
                self._turned(path, later_k_turn, turn.end)
                return
        self.transit(turn.end)

    def _turned(self, path: LineString, k_turn: bool, target: tuple[float, float]) -> None:
        self.steps.append(Step("turn", path))
        self.k_turns += int(k_turn)
        self.here = target

    def transit(self, target: tuple[float, float]) -> None:
        """Go to `target` over cleared ground: straight if clear, else along the network."""
        if math.dist(self.here, target) < 1e-6:
            return
        straight = _segment(self.here, target)
        path = straight if self.clear(straight) else self._routed(target)
        if path is None:
            self.blocked += 1
            path = straight
        self.steps.append(Step("transit", path))
        self.here = target

    def _routed(self, target: tuple[float, float]) -> LineString | None:
        sources, targets = self.network.nearest_many([self.here, target], NEAREST_VERTICES)
        for source in sources:
            if not self.clear(_segment(self.here, source)):
                continue
            for goal in targets:
                if not self.clear(_segment(goal, target)):
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
        if self.swept:
            if self.swept_tree is None:
                self.swept_tree = shapely.STRtree(self.swept)
            for i in self.swept_tree.query(rest):
                rest = shapely.difference(rest, self.swept[int(i)])
                if rest.length < 1e-6:
                    return True
        return bool(rest.length < 1e-6)


def _staircase(x0: np.ndarray, y: np.ndarray, x1: np.ndarray, half: float) -> Polygon:
    """The ground a swept cell cleared: each swath's slab up to halfway to its neighbours.

    This is inside the union of the swath footprints (spacing <= width) and
    needs no overlay; consecutive swaths of a cell overlap, so it is one polygon.
    """
    mids = (y[:-1] + y[1:]) / 2
    lows, highs = np.concatenate([[y[0] - half], mids]), np.concatenate([mids, [y[-1] + half]])
    heights = np.column_stack([lows, highs]).ravel()
    right = np.column_stack([np.repeat(x1, 2), heights])
    left = np.column_stack([np.repeat(x0, 2), heights])
    return cast(Polygon, shapely.polygons(np.vstack([right, left[::-1]])))


def _reach(segments: list[Segment], a: int, b: int, heading: int) -> float:
    """The x a squared turn from row `a` to row `b` runs out to: past every swath between."""
    between = segments[min(a, b) : max(a, b) + 1]
    return max(s.x1 for s in between) if heading > 0 else min(s.x0 for s in between)


def _segment(a: tuple[float, float], b: tuple[float, float]) -> LineString:
    """The straight line from `a` to `b` (quicker to build than by `LineString`)."""
    return shapely.linestrings([a, b])


def _start(segment: Segment, heading: int) -> tuple[float, float]:
    """Where a swath driven with `heading` (+1 along +x) starts."""
    return (segment.x0, segment.y) if heading > 0 else (segment.x1, segment.y)
