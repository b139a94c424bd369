"""The hard rules of a coverage plan, checked two independent ways on its GeoJSON output.

1. Exact overlay with shapely on geometry rebuilt from the input and output files.
2. Random points tested with our own numpy ray casting and footprint tests
   (no shapely), since overlay has been seen to drop pieces silently.

Both work on the published WGS84 documents, projected here with pyproj
into the area's UTM zone, so they share nothing with the planner's internals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from shapely import LineString, Polygon
from shapely.geometry import shape

TOLERANCE_M = 0.25
Array = NDArray[np.float64]


@dataclass
class Published:
    """Input and output documents in metres: area, no-go, lanes, plan steps, leftover."""

    area: list[Polygon]
    nogo: list[Polygon]
    lanes: list[Any]
    steps: list[tuple[str, LineString]]
    leftover: list[Polygon]
    width: float

    @classmethod
    def read(
        cls, area_doc: dict[str, Any], plan_doc: dict[str, Any], lanes_doc: dict[str, Any] | None
    ) -> Published:
        features = _features(area_doc)
        lon, lat = np.mean(
            [shapely.get_coordinates(shape(f["geometry"])).mean(axis=0) for f in features], axis=0
        )
        zone = int((lon + 180) // 6) + 1
        to_m = Transformer.from_crs(4326, (32600 if lat >= 0 else 32700) + zone, always_xy=True)

        def metres(geometry: dict[str, Any]) -> Any:
            return shapely.transform(
                shape(geometry),
                lambda xy: np.column_stack(to_m.transform(xy[:, 0], xy[:, 1])),
            )

        area, nogo = [], []
        for f in features:
            geometry = metres(f["geometry"])
            for polygon in shapely.get_parts(geometry):
                if (f.get("properties") or {}).get("nogo") is True:
                    nogo.append(polygon)
                else:
                    area.append(Polygon(polygon.exterior))
                    nogo.extend(Polygon(ring) for ring in polygon.interiors)
        lanes = [metres(f["geometry"]) for f in _features(lanes_doc)] if lanes_doc else []
        steps, leftover = [], []
        for f in plan_doc["features"]:
            kind = f["properties"]["kind"]
            if kind == "leftover":
                leftover.append(metres(f["geometry"]))
            else:
                steps.append((kind, metres(f["geometry"])))
        width = float(plan_doc["tool"]["width_m"])
        return cls(area, nogo, lanes, steps, leftover, width)


def _features(document: dict[str, Any]) -> list[dict[str, Any]]:
    if document["type"] == "FeatureCollection":
        return list(document["features"])
    return [document]


# ---- method 1: exact overlay -------------------------------------------------------------


def overlay_violations(p: Published) -> list[str]:
    """Every broken hard rule, found with shapely overlay."""
    found = []
    area = shapely.union_all(p.area).buffer(TOLERANCE_M)
    nogo = shapely.union_all(p.nogo).buffer(-TOLERANCE_M) if p.nogo else Polygon()
    prints: list[Any] = []
    lanes = shapely.union_all([_lane_region(lane) for lane in p.lanes]) if p.lanes else Polygon()
    for n, (kind, line) in enumerate(p.steps):
        if kind == "work":
            foot = line.buffer(p.width / 2, cap_style="flat")
            if not area.covers(foot):
                found.append(f"step {n}: work footprint leaves the area")
            if foot.intersects(nogo):
                found.append(f"step {n}: work footprint enters a no-go zone")
            prints.append(foot)
            continue
        cleared = shapely.union_all([*prints, lanes]).buffer(TOLERANCE_M)
        if not cleared.covers(line):
            found.append(f"step {n}: {kind} crosses ground not cleared before it")
    return found


def _lane_region(lane: Any) -> Any:
    return lane if lane.geom_type.endswith("Polygon") else lane.buffer(1e-3)


# ---- method 2: random points, own point-in-polygon --------------------------------------------


def inside(points: Array, polygon: Polygon) -> NDArray[np.bool_]:
    """Even-odd ray casting over all rings of a polygon."""
    result = np.zeros(len(points), dtype=bool)
    rings = [polygon.exterior, *polygon.interiors]
    for ring in rings:
        xy = np.asarray(ring.coords)
        x0, y0, x1, y1 = xy[:-1, 0], xy[:-1, 1], xy[1:, 0], xy[1:, 1]
        px, py = points[:, 0:1], points[:, 1:2]
        crosses = (y0 > py) != (y1 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
        result ^= (np.sum(crosses & (px < x_at), axis=1) % 2).astype(bool)
    return result


def boundary_distance(points: Array, polygon: Polygon) -> Array:
    """Distance from each point to the polygon's rings (own point-segment distance)."""
    best = np.full(len(points), np.inf)
    for ring in [polygon.exterior, *polygon.interiors]:
        best = np.minimum(best, _segment_distance(points, np.asarray(ring.coords)))
    return best


def _segment_distance(points: Array, xy: Array) -> Array:
    a, b = xy[:-1], xy[1:]
    ab = b - a
    ap = points[:, None, :] - a[None, :, :]
    t = np.clip((ap * ab).sum(-1) / np.maximum((ab**2).sum(-1), 1e-18), 0, 1)
    nearest = a[None] + t[..., None] * ab[None]
    return np.asarray(np.hypot(*(points[:, None, :] - nearest).transpose(2, 0, 1)).min(axis=1))


def in_footprint(points: Array, line: LineString, half: float) -> NDArray[np.bool_]:
    """Points within a line's footprint: flat ends, round joins (own geometry)."""
    xy = np.asarray(line.coords)
    # A repeated vertex is no segment and no join (GEOS drops it too); left
    # in, its zero-length segment would count every point as covered.
    xy = xy[np.r_[True, np.hypot(*np.diff(xy, axis=0).T) > 1e-9]]
    a, b = xy[:-1], xy[1:]
    ab = b - a
    length2 = np.maximum((ab**2).sum(-1), 1e-18)
    ap = points[:, None, :] - a[None]
    t = (ap * ab).sum(-1) / length2
    perpendicular = np.abs(ap[..., 0] * ab[:, 1] - ap[..., 1] * ab[:, 0]) / np.sqrt(length2)
    hit = ((t >= 0) & (t <= 1) & (perpendicular <= half)).any(axis=1)
    closed = len(xy) > 2 and bool(np.allclose(xy[0], xy[-1]))
    joins = xy if closed else xy[1:-1]
    if len(joins):
        d = np.hypot(*(points[:, None, :] - joins[None]).transpose(2, 0, 1))
        hit |= (d <= half).any(axis=1)
    return np.asarray(hit)


def sample_on(line: LineString, count: int, rng: np.random.Generator) -> tuple[Array, Array]:
    """Random points along a line, uniform by length, with the unit direction there."""
    xy = np.asarray(line.coords)
    d = np.diff(xy, axis=0)
    lengths = np.hypot(*d.T)
    if lengths.sum() == 0:
        return xy[:1], np.array([[1.0, 0.0]])
    at = rng.uniform(0, lengths.sum(), count)
    cumulative = np.concatenate([[0], np.cumsum(lengths)])
    i = np.clip(np.searchsorted(cumulative, at, side="right") - 1, 0, len(lengths) - 1)
    i = np.where(lengths[i] > 0, i, np.argmax(lengths))
    t = np.clip((at - cumulative[i]) / lengths[i], 0, 1)
    return xy[i] + t[:, None] * d[i], d[i] / lengths[i][:, None]


def sample_footprint(line: LineString, width: float, count: int, rng: np.random.Generator) -> Array:
    """Random points in a line's footprint: on the line, moved across it up to half the width."""
    centre, direction = sample_on(line, count, rng)
    normal = np.column_stack([-direction[:, 1], direction[:, 0]])
    return np.asarray(centre + normal * rng.uniform(-width / 2, width / 2, len(centre))[:, None])


def sampled_violations(p: Published, seed: int = 0, per_step: int = 40) -> list[str]:
    """Every broken hard rule, found with random points and our own geometry tests."""
    rng = np.random.default_rng(seed)
    found = []
    half = p.width / 2
    works: list[LineString] = []
    for n, (kind, line) in enumerate(p.steps):
        if kind == "work":
            pts = sample_footprint(line, p.width, per_step, rng)
            ok_area = _in_any(pts, p.area) | (_near_any(pts, p.area) <= TOLERANCE_M)
            in_nogo = _in_any(pts, p.nogo) & (_near_any(pts, p.nogo) > TOLERANCE_M)
            if not ok_area.all():
                found.append(f"step {n}: work footprint point outside the area")
            if in_nogo.any():
                found.append(f"step {n}: work footprint point inside a no-go zone")
            works.append(line)
            continue
        pts, _ = sample_on(line, per_step, rng)
        cleared = np.zeros(len(pts), dtype=bool)
        for work in works:
            cleared |= in_footprint(pts, work, half + TOLERANCE_M)
        for lane in p.lanes:
            cleared |= _on_lane(pts, lane)
        if not cleared.all():
            found.append(f"step {n}: {kind} point on ground not cleared before it")
    return found


def _on_lane(points: Array, lane: Any) -> NDArray[np.bool_]:
    parts = list(shapely.get_parts(lane))
    hit = np.zeros(len(points), dtype=bool)
    for part in parts:
        if isinstance(part, Polygon):
            hit |= inside(points, part) | (boundary_distance(points, part) <= TOLERANCE_M)
        else:
            hit |= _segment_distance(points, np.asarray(part.coords)) <= TOLERANCE_M
    return hit


def _in_any(points: Array, polygons: list[Polygon]) -> NDArray[np.bool_]:
    hit = np.zeros(len(points), dtype=bool)
    for polygon in polygons:
        hit |= inside(points, polygon)
    return hit


def _near_any(points: Array, polygons: list[Polygon]) -> Array:
    best = np.full(len(points), np.inf)
    for polygon in polygons:
        best = np.minimum(best, boundary_distance(points, polygon))
    return best


def sampled_accounting(p: Published, count: int, seed: int = 1) -> tuple[float, float]:
    """Random points of the field: share covered by work, share neither covered nor leftover."""
    rng = np.random.default_rng(seed)
    minx, miny = np.min([poly.bounds[:2] for poly in p.area], axis=0)
    maxx, maxy = np.max([poly.bounds[2:] for poly in p.area], axis=0)
    pts = rng.uniform([minx, miny], [maxx, maxy], (count * 3, 2))
    pts = pts[_in_any(pts, p.area) & ~_in_any(pts, p.nogo)][:count]
    covered = np.zeros(len(pts), dtype=bool)
    for kind, line in p.steps:
        if kind == "work":
            covered |= in_footprint(pts, line, p.width / 2)
    left = _in_any(pts, p.leftover)
    lost = ~covered & ~left
    return float(covered.mean()), float(lost.mean())
