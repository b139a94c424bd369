"""Sweep angle search and parallel swaths (rows) over the interior region.

The planner rotates the field so that swaths run along +x; rows are then
horizontal lines at spacing <= tool width, each split into segments where
holes, necks or the boundary interrupt it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import cast

import numpy as np
import shapely
from numpy.typing import NDArray
from shapely.geometry.base import BaseGeometry

ANGLE_STEP_DEG = 1.0
MIN_SEGMENT_M = 1e-3


@dataclass(frozen=True)
class Segment:
    """One swath: a row segment from x0 to x1 at height y (rotated frame)."""

    row: int
    y: float
    x0: float
    x1: float


def ring_edges(geometry: BaseGeometry) -> NDArray[np.float64]:
    """Edge vectors of every ring of a (multi)polygon, one per row."""
    rings = shapely.get_rings(shapely.get_parts(geometry))
    edges = [np.diff(shapely.get_coordinates(ring), axis=0) for ring in rings]
    return np.concatenate(edges) if edges else np.zeros((0, 2))


def best_angle(geometry: BaseGeometry) -> float:
    """Swath direction (radians) with the fewest swath ends.

    A row at spacing s is cut once for every boundary crossing; the number
    of crossings over all rows is the boundary's extent across the rows,
    sum |edge . normal| / s. Minimising it minimises turns for any spacing.
    """
    edges = ring_edges(geometry)
    if len(edges) == 0:
        return 0.0
    angles = np.radians(np.arange(0.0, 180.0, ANGLE_STEP_DEG))
    normals = np.stack([-np.sin(angles), np.cos(angles)])
    crossings = np.abs(edges @ normals).sum(axis=0)
    along = np.abs(edges @ np.stack([np.cos(angles), np.sin(angles)])).sum(axis=0)
    # ties (e.g. a square) go to the direction along the longer edges
    score = crossings - 1e-6 * along
    return float(angles[int(np.argmin(score))])


def rows(interior: BaseGeometry, safe: BaseGeometry, width: float) -> tuple[list[Segment], float]:
    """Swath segments covering `interior` and their spacing; `safe` is where the centre may go.

    Each row's band (the tool footprint across its whole length) is cut with
    the interior; every connected piece of the cut contributes its x-extent,
    so flat swath ends reach past oblique boundaries and leave no gap.
    """
    if interior.is_empty:
        return [], width
    minx, miny, maxx, maxy = interior.bounds
    count = max(1, math.ceil((maxy - miny) / width - 1e-9))
    spacing = (maxy - miny) / count
    ys = np.asarray(miny + spacing / 2 + spacing * np.arange(count), dtype=np.float64)
    cuts = [
        shapely.clip_by_rect(interior, minx - 1.0, y - width / 2, maxx + 1.0, y + width / 2)
        for y in ys
    ]
    pieces, index = shapely.get_parts(cuts, return_index=True)
    solid = shapely.area(pieces) > 1e-9
    bounds = shapely.bounds(pieces[solid])
    index = index[solid]
    lines, line_rows = _row_lines(index, bounds, ys)
    return _clip(lines, line_rows, ys, safe), spacing


def _row_lines(
    index: NDArray[np.int64], bounds: NDArray[np.float64], ys: NDArray[np.float64]
) -> tuple[list[tuple[float, float]], list[int]]:
    order = np.lexsort((bounds[:, 0], index))
    spans: list[tuple[float, float]] = []
    span_rows: list[int] = []
    for i in order:
        row, x0, x1 = int(index[i]), float(bounds[i, 0]), float(bounds[i, 2])
        if span_rows and span_rows[-1] == row and x0 <= spans[-1][1] + MIN_SEGMENT_M:
            spans[-1] = (spans[-1][0], max(spans[-1][1], x1))
        else:
            spans.append((x0, x1))
            span_rows.append(row)
    return spans, span_rows


def _clip(
    spans: list[tuple[float, float]],
    span_rows: list[int],
    ys: NDArray[np.float64],
    safe: BaseGeometry,
) -> list[Segment]:
    if not spans:
        return []
    x = np.array(spans, dtype=np.float64)
    y = ys[np.array(span_rows)]
    coords = np.stack([np.column_stack([x[:, 0], y]), np.column_stack([x[:, 1], y])], axis=1)
    lines = cast("NDArray[np.object_]", shapely.linestrings(coords))
    shapely.prepare(safe)
    inside = shapely.covers(safe, lines)
    lines[~inside] = shapely.intersection(lines[~inside], safe)
    clipped, index = shapely.get_parts(lines, return_index=True)
    kept = (shapely.get_type_id(clipped) == shapely.GeometryType.LINESTRING) & ~(
        shapely.length(clipped) < MIN_SEGMENT_M
    )
    bounds = shapely.bounds(clipped[kept])
    rows = [span_rows[i] for i in index[kept].tolist()]
    segments = [
        Segment(row=row, y=float(ys[row]), x0=x0, x1=x1)
        for row, x0, x1 in zip(rows, bounds[:, 0].tolist(), bounds[:, 2].tolist(), strict=True)
    ]
    segments.sort(key=lambda s: (s.row, s.x0))
    return segments
