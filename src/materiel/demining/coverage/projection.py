"""WGS84 <-> UTM: the planner works in metres in the UTM zone of the area.

PROJ transforms between WGS84 and UTM with formulas only: no grid files,
no network access (pyproj's network stays off, its default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

import numpy as np
import shapely
from numpy.typing import NDArray
from pyproj import Transformer
from shapely.geometry.base import BaseGeometry

G = TypeVar("G", bound=BaseGeometry)


def utm_epsg(lon: float, lat: float) -> int:
    """EPSG code of the WGS84 UTM zone holding (lon, lat); 326xx north, 327xx south."""
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


@dataclass(frozen=True)
class Projection:
    """Both directions between WGS84 lon/lat and one UTM zone."""

    epsg: int
    forward: Transformer
    inverse: Transformer

    @classmethod
    def around(cls, lon: float, lat: float) -> Projection:
        epsg = utm_epsg(lon, lat)
        return cls(
            epsg=epsg,
            forward=Transformer.from_crs(4326, epsg, always_xy=True),
            inverse=Transformer.from_crs(epsg, 4326, always_xy=True),
        )

    def to_utm(self, geometry: G) -> G:
        return _apply(self.forward, geometry)

    def to_wgs84(self, geometry: G) -> G:
        return _apply(self.inverse, geometry)


def _apply(transformer: Transformer, geometry: G) -> G:
    def move(coords: NDArray[np.float64]) -> NDArray[np.float64]:
        x, y = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    moved: G = shapely.transform(geometry, move)
    return moved
