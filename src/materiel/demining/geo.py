"""Geometry of hazard areas: WGS84 GeoJSON in and out, metres in a local UTM zone.

Records keep their geometry as GeoJSON text (the project runs on SQLite, so
no PostGIS); every measure in square metres is taken in the UTM zone of the
geometry's centroid, where distortion is well below what a field survey sees.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
from pyproj import Transformer
from shapely import get_coordinates, make_valid
from shapely import transform as transform_coords
from shapely.geometry import (
    LinearRing,
    LineString,
    MultiLineString,
    MultiPolygon,
    Point,
    Polygon,
    mapping,
    shape,
)
from shapely.geometry.base import BaseGeometry
from shapely.ops import unary_union
from shapely.validation import explain_validity

Polygonal = Polygon | MultiPolygon
Coords = npt.NDArray[np.float64]


class GeometryError(ValueError):
    """A geometry that cannot be a hazard area; the message says why."""


def utm_epsg(lon: float, lat: float) -> int:
    """The EPSG code of the WGS84 UTM zone that holds a point."""
    zone = min(60, int((lon + 180) // 6) + 1)
    return (32600 if lat >= 0 else 32700) + zone


@lru_cache(maxsize=32)
def _transformers(epsg: int) -> tuple[Transformer, Transformer]:
    forward = Transformer.from_crs(4326, epsg, always_xy=True)
    back = Transformer.from_crs(epsg, 4326, always_xy=True)
    return forward, back


def to_metres(geom: BaseGeometry, epsg: int | None = None) -> tuple[BaseGeometry, int]:
    """The geometry in metres (UTM), with the zone used, to measure or buffer it."""
    centre = geom.centroid if not geom.is_empty else None
    zone = epsg or (utm_epsg(centre.x, centre.y) if centre is not None else 32637)
    forward, _ = _transformers(zone)
    return transform_coords(geom, _through(forward)), zone


def to_degrees(geom: BaseGeometry, epsg: int) -> BaseGeometry:
    _, back = _transformers(epsg)
    return transform_coords(geom, _through(back))


def _through(transformer: Transformer) -> Callable[[Coords], Coords]:
    def run(coords: Coords) -> Coords:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return run


def area_m2(geom: BaseGeometry) -> float:
    """Area in square metres, measured in the local UTM zone."""
    if geom.is_empty:
        return 0.0
    metric, _ = to_metres(geom)
    return round(float(metric.area), 1)


def polygonal(data: Any, what: str = "geometry") -> Polygonal:
    """A valid (Multi)Polygon from a GeoJSON geometry object, or GeometryError saying why."""
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise GeometryError(f"{what} must be a GeoJSON Polygon or MultiPolygon, not {kind}")
    try:
        geom = shape(data)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise GeometryError(f"{what} has malformed coordinates: {exc}") from exc
    check_wgs84(geom, what)
    assert isinstance(geom, Polygon | MultiPolygon)
    check_polygon(geom, what)
    return geom


def check_polygon(geom: Polygonal, what: str) -> None:
    """A (Multi)Polygon with area whose rings do not cross, or GeometryError naming the ring."""
    if geom.is_empty:
        raise GeometryError(f"{what} is empty: give at least three distinct corners")
    parts = list(geom.geoms) if isinstance(geom, MultiPolygon) else [geom]
    for number, part in enumerate(parts):
        where = f"{what}, polygon {number}" if len(parts) > 1 else what
        if part.is_empty or part.exterior.is_empty:
            raise GeometryError(f"{where} is empty: give at least three distinct corners")
        if part.exterior.convex_hull.area == 0:
            raise GeometryError(
                f"{where} is not a valid polygon: it has no area, its corners lie on one line "
                "or repeat; "
                "give at least three corners that enclose ground"
            )
        rings = [("outer ring", part.exterior)] + [
            (f"hole {k}", ring) for k, ring in enumerate(part.interiors)
        ]
        for name, ring in rings:
            if not ring.is_simple:
                at = _crossing(ring)
                raise GeometryError(
                    f"{where} is not a valid polygon: the {name} crosses itself{at} "
                    "(a bow tie or figure eight); "
                    "redraw it so that its edges do not cross, or send the parts as "
                    "separate polygons"
                )
    if not geom.is_valid:
        raise GeometryError(
            f"{what} is not a valid polygon ({explain_validity(geom)}): a hole lies outside "
            "its shell or rings touch; redraw it so that rings do not cross"
        )


def _crossing(ring: LinearRing) -> str:
    """' at lon, lat' where a ring crosses itself, when shapely can say."""
    reason = explain_validity(Polygon(ring))
    if "[" in reason and "]" in reason:
        x, _, y = reason[reason.index("[") + 1 : reason.index("]")].partition(" ")
        try:
            return f" at {float(x):.6f}, {float(y):.6f}"
        except ValueError:
            return ""
    return ""


def distance_m(geom: BaseGeometry, lon: float, lat: float) -> float:
    """Metres from a point to a geometry (0 inside it), in the geometry's UTM zone."""
    metric, zone = to_metres(geom)
    point, _ = to_metres(Point(lon, lat), zone)
    return float(metric.distance(point))


def check_wgs84(geom: BaseGeometry, what: str) -> None:
    coords = get_coordinates(geom)
    if len(coords) == 0:
        return
    if not all(math.isfinite(v) for v in coords.flat):
        raise GeometryError(f"{what} has a coordinate that is not a number")
    lon, lat = coords[:, 0], coords[:, 1]
    if lon.min() < -180 or lon.max() > 180 or lat.min() < -90 or lat.max() > 90:
        raise GeometryError(
            f"{what} is not in WGS84 longitude/latitude degrees (EPSG:4326); reproject it"
        )


def union(geoms: list[BaseGeometry]) -> BaseGeometry:
    return make_valid(unary_union(geoms)) if geoms else Polygon()


def as_polygonal(geom: BaseGeometry) -> Polygonal:
    """Only the areal parts of a geometry (a union may leave lines behind)."""
    if isinstance(geom, Polygon | MultiPolygon):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon | MultiPolygon)]
    merged = unary_union(parts) if parts else Polygon()
    return merged if isinstance(merged, Polygon | MultiPolygon) else Polygon()


def swath(lines: list[LineString | MultiLineString], width_m: float) -> Polygonal:
    """The ground a tool of `width_m` covers driving along tracks, in degrees."""
    if not lines or width_m <= 0:
        return Polygon()
    metric, zone = to_metres(unary_union(lines))
    return as_polygonal(to_degrees(metric.buffer(width_m / 2, cap_style="flat"), zone))


def dumps(geom: BaseGeometry) -> str:
    """GeoJSON text of a geometry, coordinates rounded to about 1 cm."""
    return json.dumps(_rounded(mapping(geom)), separators=(",", ":"))


def loads(text: str | None) -> BaseGeometry:
    return shape(json.loads(text)) if text else Polygon()


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 7)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    return value
