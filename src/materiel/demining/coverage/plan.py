"""The planner's result and its fixed GeoJSON output format (docs/coverage-format.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import shapely
from shapely import Polygon
from shapely.geometry.base import BaseGeometry

from .model import Figures, Step, Summary, Tool
from .projection import Projection

FORMAT = "materiel-coverage-plan/1"
DECIMALS = 8  # about 1 mm in WGS84 degrees


@dataclass(frozen=True)
class CoveragePlan:
    """Steps in driving order (UTM metres), leftover polygons, and the figures."""

    steps: tuple[Step, ...]
    leftover: tuple[Polygon, ...]
    summary: Summary
    figures: Figures
    tool: Tool
    projection: Projection

    def to_geojson(self) -> dict[str, Any]:
        """The plan as a GeoJSON FeatureCollection in WGS84, features in driving order."""
        features = [
            _feature(self.projection.to_wgs84(step.line), {"kind": step.kind, "seq": n})
            for n, step in enumerate(self.steps)
        ]
        features.extend(
            _feature(self.projection.to_wgs84(piece), {"kind": "leftover", "area_m2": piece.area})
            for piece in self.leftover
        )
        return {
            "type": "FeatureCollection",
            "format": FORMAT,
            "summary": {k: round(v, 6) for k, v in asdict(self.summary).items()},
            "tool": asdict(self.tool),
            "utm_epsg": self.projection.epsg,
            "figures": asdict(self.figures),
            "features": features,
        }


def _feature(geometry: BaseGeometry, properties: dict[str, Any]) -> dict[str, Any]:
    mapping = shapely.geometry.mapping(geometry)
    return {
        "type": "Feature",
        "properties": properties,
        "geometry": _round(mapping),
    }


def _round(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DECIMALS)
    if isinstance(value, list | tuple):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value
