"""Reading the area and safe lanes from GeoJSON, with errors that say where and what to do."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import shapely
from shapely import LineString, MultiLineString, Polygon
from shapely.geometry.base import BaseGeometry

from materiel.core.errors import InvalidInput

from .model import CoverageArea

SafeLane = LineString | Polygon
"""A declared safe lane: a centre line the machine may drive on, or an area it may cross."""

_POLYGONAL = ("Polygon", "MultiPolygon")
_LANE_TYPES = ("LineString", "MultiLineString", *_POLYGONAL)


def read_area(document: object) -> CoverageArea:
    """Area polygons and no-go polygons (property "nogo": true) of a GeoJSON document."""
    area: list[Polygon] = []
    nogo: list[Polygon] = []
    for index, geometry, properties in _features(document, "area"):
        polygons = _polygons(geometry, index, _POLYGONAL)
        (nogo if properties.get("nogo") is True else area).extend(polygons)
    if not area:
        raise InvalidInput(
            "the area file holds no polygon to clear: give a Polygon or MultiPolygon feature "
            'without "nogo": true'
        )
    return CoverageArea(polygons=tuple(area), nogo=tuple(nogo))


def read_safe_lanes(document: object) -> list[SafeLane]:
    """Safe lanes (LineStrings or Polygons, WGS84) of a GeoJSON document."""
    lanes: list[SafeLane] = []
    for index, geometry, _ in _features(document, "safe lanes"):
        kind = geometry.get("type")
        if kind in ("LineString", "MultiLineString"):
            lanes.extend(_lines(geometry, index))
        else:
            lanes.extend(_polygons(geometry, index, _LANE_TYPES))
    return lanes


def _features(document: object, what: str) -> Iterator[tuple[int, dict[str, Any], dict[str, Any]]]:
    if not isinstance(document, dict):
        raise InvalidInput(
            f"the {what} file is not a GeoJSON object: give a Feature or FeatureCollection"
        )
    kind = document.get("type")
    if kind == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise InvalidInput(f'the {what} FeatureCollection has no "features" list')
    elif kind == "Feature":
        features = [document]
    elif kind in _LANE_TYPES:
        features = [{"type": "Feature", "geometry": document, "properties": {}}]
    else:
        raise InvalidInput(
            f'the {what} file has "type": {kind!r}: give a GeoJSON Feature or FeatureCollection'
        )
    for index, feature in enumerate(features):
        if not isinstance(feature, dict) or not isinstance(feature.get("geometry"), dict):
            raise InvalidInput(f"{what} feature {index}: has no geometry object; give one")
        properties = feature.get("properties")
        yield index, feature["geometry"], properties if isinstance(properties, dict) else {}


def _polygons(geometry: dict[str, Any], index: int, allowed: tuple[str, ...]) -> list[Polygon]:
    kind = geometry.get("type")
    coordinates = geometry.get("coordinates")
    if kind not in allowed:
        raise InvalidInput(
            f"feature {index}: geometry type {kind!r} is not accepted here; "
            f"give one of {', '.join(allowed)}"
        )
    if not isinstance(coordinates, list | tuple):
        raise InvalidInput(f"feature {index}: no coordinates list")
    parts = [coordinates] if kind == "Polygon" else coordinates
    polygons = [_polygon(part, index) for part in parts]
    return polygons


def _polygon(rings: object, index: int) -> Polygon:
    if not isinstance(rings, list | tuple) or not rings:
        raise InvalidInput(f"feature {index}: a polygon needs at least its outer ring")
    points = [_ring(ring, index, number) for number, ring in enumerate(rings)]
    polygon = Polygon(points[0], points[1:])
    if not polygon.is_valid:
        reason = shapely.is_valid_reason(polygon)
        raise InvalidInput(
            f"feature {index}: the polygon is not valid ({reason}); "
            "fix self-intersecting or touching rings (e.g. with QGIS 'Fix geometries')"
        )
    if polygon.area == 0:
        raise InvalidInput(f"feature {index}: the polygon has no area")
    return polygon


def _ring(ring: object, index: int, number: int) -> list[tuple[float, float]]:
    points = _positions(ring, index, f"ring {number}")
    if len(points) < 4 or points[0] != points[-1]:
        raise InvalidInput(
            f"feature {index}, ring {number}: a ring needs 4 or more positions and must end "
            "where it starts"
        )
    return points


def _lines(geometry: dict[str, Any], index: int) -> list[LineString]:
    coordinates = geometry.get("coordinates")
    parts = [coordinates] if geometry.get("type") == "LineString" else coordinates
    if not isinstance(parts, list | tuple):
        raise InvalidInput(f"feature {index}: no coordinates list")
    lines = []
    for number, part in enumerate(parts):
        points = _positions(part, index, f"line {number}")
        if len(points) < 2:
            raise InvalidInput(f"feature {index}, line {number}: a line needs 2 or more positions")
        lines.append(LineString(points))
    return list(MultiLineString(lines).geoms)


def _positions(value: object, index: int, what: str) -> list[tuple[float, float]]:
    if not isinstance(value, list | tuple):
        raise InvalidInput(f"feature {index}, {what}: expected a list of [lon, lat] positions")
    points = []
    for position in value:
        if (
            not isinstance(position, list | tuple)
            or len(position) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in position[:2])
        ):
            raise InvalidInput(
                f"feature {index}, {what}: {position!r} is not a [lon, lat] position"
            )
        lon, lat = float(position[0]), float(position[1])
        if not (
            math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90
        ):
            raise InvalidInput(
                f"feature {index}, {what}: position [{lon}, {lat}] is outside WGS84 lon/lat range; "
                "GeoJSON must be in WGS84 degrees (reproject e.g. UTM metres first)"
            )
        points.append((lon, lat))
    return points


def lane_geometry(lanes: list[SafeLane] | tuple[SafeLane, ...]) -> BaseGeometry:
    """All lanes as one geometry collection (empty when none)."""
    return shapely.GeometryCollection(list(lanes))
