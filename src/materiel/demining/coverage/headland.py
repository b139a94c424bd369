"""Headland passes round the boundary and every hole, cleared before the sweep.

Pass i runs at (i - 1/2) tool widths inside the boundary of the field (the
area minus no-go zones), so the passes together clear a band of h widths:
the turning room for the swaths inside. Passes are joined by straight
connectors worked with the tool down; the machine reaches a hole's passes
over such a connector, so it never drives over unswept ground.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from .model import Step
from .ringroutes import RingRoutes, Station
from .transits import Network, insert_vertex, start_at

QUAD_SEGS = 8
SIMPLIFY_M = 0.5
CANDIDATES = 8
"""Pending passes (cheapest first by a quick estimate) whose connectors are tried."""
RECENT_PASSES = 4
"""Connectors are also tried from the passes just driven (round the same hole)."""

Point = tuple[float, float]


def passes_needed(width: float, radius: float) -> int:
    """Passes whose band holds a turn even at an oblique boundary: 2 radii + half a width."""
    return max(1, math.ceil((2 * radius + width / 2) / width - 1e-9))


def offset(field_: BaseGeometry, distance: float) -> BaseGeometry:
    """The field shrunk by `distance` (round joins; sharp convex corners stay sharp)."""
    return field_.buffer(-distance, quad_segs=QUAD_SEGS)


def rings(field_: BaseGeometry, width: float, count: int) -> list[LineString]:
    """Closed centre lines of every headland pass, pass 1 (outermost) first."""
    found: list[LineString] = []
    safe = offset(field_, width / 2 - 0.01)
    shapely.prepare(safe)
    for level in range(1, count + 1):
        shrunk = offset(field_, (level - 0.5) * width)
        for polygon in shapely.get_parts(shrunk):
            if isinstance(polygon, Polygon) and not polygon.is_empty:
                for ring in (polygon.exterior, *polygon.interiors):
                    coords = np.asarray(ring.coords)
                    if level > 1:
                        coords = _with_spurs(coords, width, Corner(polygon, safe))
                    found.append(LineString(coords))
    return [r for r in found if r.length > 0]


SPUR_ANGLE_DEG = 150.0
"""Convex corners sharper than this get a spur: out along the bisector and back."""


@dataclass(frozen=True)
class Corner:
    """The pass's polygon (to tell convex corners) and where the tool centre may go."""

    polygon: Polygon
    safe: BaseGeometry


def _with_spurs(coords: np.ndarray, width: float, where: Corner) -> np.ndarray:
    """Ring coordinates with a spur at each sharp convex corner.

    Between two passes a sharp convex corner leaves a sliver no round-joined
    footprint reaches; driving out along the corner's bisector towards the
    outer pass and back clears it.
    """
    ring = coords[:-1]
    n = len(ring)
    if n < 3:
        return coords
    spurs = {
        i: tip
        for i in np.flatnonzero(_maybe_sharp(ring)).tolist()
        if (tip := _spur(ring[i - 1], ring[i], ring[(i + 1) % n], width, where)) is not None
    }
    out: list[np.ndarray] = []
    done = 0
    for i in sorted(spurs):  # out to the tip and back to the corner, after the corner
        out.extend([ring[done : i + 1], spurs[i][None], ring[i][None]])
        done = i + 1
    out.extend([ring[done:], ring[:1]])
    return np.vstack(out)


def _maybe_sharp(ring: np.ndarray) -> np.ndarray:
    """Corners that may be sharper than `SPUR_ANGLE_DEG`, all at once (with a margin:
    `_spur` decides); most of a buffered ring's corners are round-join steps."""
    u1 = np.roll(ring, 1, axis=0) - ring
    u2 = np.roll(ring, -1, axis=0) - ring
    lengths = np.hypot(u1[:, 0], u1[:, 1]) * np.hypot(u2[:, 0], u2[:, 1])
    with np.errstate(divide="ignore", invalid="ignore"):
        cos = (u1 * u2).sum(axis=1) / lengths
    angle = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return np.asarray((lengths > 0) & ~(angle >= SPUR_ANGLE_DEG + 1e-6))


def _spur(
    a: np.ndarray, v: np.ndarray, b: np.ndarray, width: float, where: Corner
) -> np.ndarray | None:
    u1, u2 = a - v, b - v
    l1, l2 = float(np.hypot(*u1)), float(np.hypot(*u2))
    if l1 < 1e-9 or l2 < 1e-9:
        return None
    u1, u2 = u1 / l1, u2 / l2
    angle = math.degrees(math.acos(max(-1.0, min(1.0, float(u1 @ u2)))))
    if angle >= SPUR_ANGLE_DEG:
        return None
    bisector = -(u1 + u2)
    bisector /= float(np.hypot(*bisector))
    probe = v - bisector * 1e-3  # just inside the corner's angle
    if not shapely.contains_xy(where.polygon, probe[0], probe[1]):
        return None  # a concave corner: no sliver there
    length = width / math.sin(math.radians(angle) / 2)
    for _ in range(6):
        tip: np.ndarray = np.asarray(v + bisector * length, dtype=float)
        if shapely.covers(where.safe, LineString([v, tip])):
            return tip
        length /= 2
    return None


@dataclass
class HeadlandPlan:
    """Headland steps in driving order and the network of lines they cleared."""

    steps: list[Step] = field(default_factory=list)
    network: Network = field(default_factory=Network)
    unreached: list[LineString] = field(default_factory=list)


@dataclass
class _Visit:
    ring: int
    source: int  # index into the visited rings, -1 for the first
    p: tuple[float, float] = (0.0, 0.0)
    q: tuple[float, float] = (0.0, 0.0)


@dataclass
class _Search:
    """What the greedy ordering of passes knows while it runs."""

    lines: list[LineString]
    simple: np.ndarray
    safe: BaseGeometry
    visits: list[_Visit]
    pending: set[int]
    gap: dict[int, float]  # shortest distance from a visited pass
    near: dict[int, tuple[int, tuple[float, float]]]  # that visit, and the point on it
    routes: RingRoutes  # route lengths over the passes and connectors driven so far
    gaps: dict[tuple[int, int], float] = field(default_factory=dict)
    links: dict[tuple[int, int], tuple[LineString, LineString, Point, Point]] = field(
        default_factory=dict
    )

    @property
    def here(self) -> tuple[float, float]:
        last = self.visits[-1]
        return last.q if last.source >= 0 else _first_point(self.lines[last.ring])

    def station(self, visit: int, point: tuple[float, float]) -> Station:
        ring = self.visits[visit].ring
        return (ring, self.routes.position(ring, point))

    def record(self, visit: _Visit) -> None:
        source_ring = self.visits[visit.source].ring
        self.lines[source_ring] = insert_vertex(self.lines[source_ring], visit.p)
        self.lines[visit.ring] = start_at(self.lines[visit.ring], visit.q)
        self.routes.connect(
            (source_ring, self.routes.position(source_ring, visit.p)),
            (visit.ring, self.routes.position(visit.ring, visit.q)),
            math.dist(visit.p, visit.q),
        )
        self.visits.append(visit)
        self.pending.discard(visit.ring)
        self.update(visit.ring)

    def distances(self, pairs: list[tuple[int, int]]) -> list[float]:
        """Distance between the simplified passes of each pair; remembered, as the
        simplified passes never change."""
        missing = [pair for pair in pairs if pair not in self.gaps]
        if missing:
            a, b = zip(*missing, strict=True)
            found = shapely.distance(self.simple[list(a)], self.simple[list(b)])
            self.gaps.update(zip(missing, found.tolist(), strict=True))
        return [self.gaps[pair] for pair in pairs]

    def nearest(self, pairs: list[tuple[int, int]]) -> list[tuple[Point, Point]]:
        """Nearest points between the passes of each pair; remembered while both lines
        stay as they are (a new vertex can change which of equally near points wins)."""
        lines, links = self.lines, self.links
        missing = [
            (a, b)
            for a, b in pairs
            if (a, b) not in links
            or links[(a, b)][0] is not lines[a]
            or links[(a, b)][1] is not lines[b]
        ]
        if missing:
            a, b = zip(*missing, strict=True)
            ends = shapely.shortest_line(
                np.array([lines[i] for i in a], dtype=object),
                np.array([lines[i] for i in b], dtype=object),
            )
            for (i, j), end in zip(missing, ends, strict=True):
                (px, py), (qx, qy) = shapely.get_coordinates(end).tolist()
                links[(i, j)] = (lines[i], lines[j], (px, py), (qx, qy))
        return [links[pair][2:] for pair in pairs]

    def update(self, ring: int) -> None:
        """Shorter gaps to the pending passes through the pass just visited."""
        others = sorted(self.pending)
        if not others:
            return
        gaps = shapely.distance(self.simple[others], self.simple[ring])
        closer = [(j, float(g)) for j, g in zip(others, gaps, strict=True) if g < self.gap[j]]
        if not closer:
            return
        links = shapely.shortest_line(self.simple[ring], self.simple[[j for j, _ in closer]])
        for (j, g), link in zip(closer, links, strict=True):
            self.gap[j] = g
            x, y = shapely.get_coordinates(link)[0]
            self.near[j] = (len(self.visits) - 1, (float(x), float(y)))


def plan_headlands(passes: list[LineString], safe: BaseGeometry, spacing: float) -> HeadlandPlan:
    """Order the passes greedily by the cheapest connector that stays in `safe`.

    A connector runs straight from where the machine is, or from the nearest
    pass already driven (plus the transit there along the passes).
    """
    if not passes:
        return HeadlandPlan()
    lines = list(passes)
    first = int(np.argmax([r.length for r in lines]))
    shapely.prepare(safe)
    search = _Search(
        lines=lines,
        simple=shapely.simplify(np.array(lines, dtype=object), SIMPLIFY_M),
        safe=safe,
        visits=[_Visit(ring=first, source=-1)],
        pending=set(range(len(lines))) - {first},
        gap=dict.fromkeys(range(len(lines)), math.inf),
        near={},
        routes=RingRoutes(list(passes)),
    )
    start = search.station(0, search.here)
    search.routes.connect(start, start, 0.0)
    search.update(first)
    unreached: list[LineString] = []
    while search.pending:
        visit = _next_visit(search)
        if visit is None:
            unreached.extend(lines[j] for j in sorted(search.pending))
            break
        search.record(visit)
    plan = _replay(search.lines, search.visits, spacing)
    plan.unreached = unreached
    return plan


def _first_point(line: LineString) -> tuple[float, float]:
    x, y = shapely.get_coordinates(line)[0]
    return (float(x), float(y))


def _next_visit(search: _Search) -> _Visit | None:
    """The pending pass with the cheapest valid connector plus the route to its start.

    Route lengths are measured along the passes and connectors driven so far
    (a straight-line guess would miss the detour round a hole in between).
    """
    here = search.here
    route = search.routes.costs_to(
        search.routes.costs_from(search.station(len(search.visits) - 1, here))
    )

    def cost(visit: _Visit) -> float:
        ring = search.visits[visit.source].ring
        return route(ring, search.routes.position(ring, visit.p)) + math.dist(visit.p, visit.q)

    pending = sorted(search.pending)
    at = shapely.points(here)
    direct = shapely.distance(at, search.simple[pending])
    search.routes.locate(
        [(search.visits[search.near[j][0]].ring, search.near[j][1]) for j in pending]
    )
    estimates = []
    for j, straight in zip(pending, direct, strict=True):
        source, point = search.near[j]
        estimates.append(
            (min(float(straight), search.gap[j] + cost(_Visit(j, source, point, point))), j)
        )
    chosen = [j for _, j in sorted(estimates)[:CANDIDATES]]
    lines = np.array([search.lines[j] for j in chosen], dtype=object)
    on = shapely.line_interpolate_point(lines, shapely.line_locate_point(lines, at))
    straight_to = [(float(x), float(y)) for x, y in shapely.get_coordinates(on)]
    visits = _connectors(search, chosen, here, straight_to)
    search.routes.locate([(search.visits[v.source].ring, v.p) for v in visits])
    for visit in sorted(visits, key=cost):
        connector = shapely.linestrings([visit.p, visit.q])
        if connector.length == 0 or shapely.covers(search.safe, connector):
            return visit
    return None


def _connectors(
    search: _Search, chosen: list[int], here: tuple[float, float], on: list[tuple[float, float]]
) -> list[_Visit]:
    """Connector candidates to each chosen pass j: from here (to `on`, the nearest point of
    pass j), then from the nearest visited passes."""
    current = len(search.visits) - 1
    visited = [visit.ring for visit in search.visits]
    gaps = search.distances([(a, j) for j in chosen for a in visited])
    recent = range(max(0, current - RECENT_PASSES + 1), current + 1)  # the passes just driven
    sources = {}
    for n, j in enumerate(chosen):
        to_j = gaps[n * len(visited) : (n + 1) * len(visited)]
        by_gap = [int(v) for v in np.argsort(to_j, kind="stable")]
        sources[j] = list(dict.fromkeys([search.near[j][0], *by_gap[:3], *recent]))
    pairs = [(visited[source], j) for j in chosen for source in sources[j]]
    ends = iter(search.nearest(pairs))
    found = []
    for j, q in zip(chosen, on, strict=True):
        found.append(_Visit(ring=j, source=current, p=here, q=q))
        found.extend(_Visit(j, source, *next(ends)) for source in sources[j])
    return found


def _replay(lines: list[LineString], visits: list[_Visit], spacing: float) -> HeadlandPlan:
    """Steps in driving order; the network gets vertices at most `spacing` apart, so that
    transits can join a pass anywhere along it."""
    plan = HeadlandPlan()
    first = lines[visits[0].ring]
    plan.steps.append(Step("work", first))
    plan.network.add(shapely.segmentize(first, spacing))
    here = _first_point(first)
    for visit in visits[1:]:
        if here != visit.p:
            path = plan.network.route(here, visit.p)
            if path is not None and len(path) > 1:
                plan.steps.append(Step("transit", LineString(path)))
        if visit.p != visit.q:
            connector = LineString([visit.p, visit.q])
            plan.steps.append(Step("work", connector))
            plan.network.add(connector)
        ring = lines[visit.ring]
        plan.steps.append(Step("work", ring))
        plan.network.add(shapely.segmentize(ring, spacing))
        here = visit.q
    return plan
