"""Small demining test data: hazard areas as GeoJSON near Izium, and a random-polygon strategy."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import strategies as st
from shapely.geometry import Polygon, mapping

IZIUM = (37.256, 49.212)
M_LAT = 111_320.0
M_LON = M_LAT * math.cos(math.radians(IZIUM[1]))


def square(lon: float, lat: float, half_m: float) -> list[tuple[float, float]]:
    """A square ring `2 * half_m` wide around a point, in degrees."""
    dx, dy = half_m / M_LON, half_m / M_LAT
    return [(lon - dx, lat - dy), (lon + dx, lat - dy), (lon + dx, lat + dy), (lon - dx, lat + dy)]


def area_feature(area_id: str = "HA-1", **props: Any) -> dict[str, Any]:
    """A 200 m x 200 m farmland area with a 40 m x 40 m hole (a farm building)."""
    lon, lat = props.pop("at", IZIUM)
    shell = square(lon, lat, 100)
    hole = square(lon + 40 / M_LON, lat + 40 / M_LAT, 20)
    properties = {
        "id": area_id,
        "name": f"{area_id} field",
        "land_use": "farmland",
        "oblast": "Kharkiv",
        "raion": "Izium",
        "hromada": "Izium",
        "settlement": "Izium",
        "people_affected": 120,
        "confidence": 0.7,
        "evidence": [
            {"kind": "accident", "description": "tractor hit an AT mine", "on": "2026-05-01"},
            {"kind": "indicator", "description": "trenches"},
        ],
        **props,
    }
    geometry = mapping(Polygon(shell, [hole]))
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def nogo_feature(area_id: str = "HA-1", at: tuple[float, float] = IZIUM) -> dict[str, Any]:
    """A 20 m x 200 m strip across the area's south half: a road kept open."""
    lon, lat = at
    dx, y0, y1 = 100 / M_LON, lat - 60 / M_LAT, lat - 40 / M_LAT
    ring = [(lon - dx, y0), (lon + dx, y0), (lon + dx, y1), (lon - dx, y1)]
    return {
        "type": "Feature",
        "properties": {"nogo": True, "area": area_id},
        "geometry": mapping(Polygon(ring)),
    }


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def _star(
    lon: float, lat: float, radius_m: float, factors: list[float]
) -> list[tuple[float, float]]:
    n = len(factors)
    return [
        (
            lon + radius_m * f * math.cos(2 * math.pi * k / n) / M_LON,
            lat + radius_m * f * math.sin(2 * math.pi * k / n) / M_LAT,
        )
        for k, f in enumerate(factors)
    ]


@st.composite
def polygons_with_holes(draw: st.DrawFn) -> Polygon:
    """Star-shaped shells 100-800 m across around Kharkiv oblast, with up to 3 holes inside."""
    lon = draw(st.floats(36.2, 38.0))
    lat = draw(st.floats(48.9, 50.3))
    radius = draw(st.floats(100, 800))
    factors = draw(st.lists(st.floats(0.75, 1.0), min_size=5, max_size=12))
    shell = _star(lon, lat, radius, factors)
    holes = []
    for k in range(draw(st.integers(0, 3))):
        angle = 2 * math.pi * k / 3 + draw(st.floats(0, 0.5))
        distance = radius * draw(st.floats(0.1, 0.4))
        centre = (
            lon + distance * math.cos(angle) / M_LON,
            lat + distance * math.sin(angle) / M_LAT,
        )
        hole_factors = draw(st.lists(st.floats(0.8, 1.0), min_size=4, max_size=7))
        holes.append(_star(*centre, radius * 0.08, hole_factors))
    polygon = Polygon(shell, holes)
    if not polygon.is_valid:
        polygon = Polygon(shell)
    return polygon
