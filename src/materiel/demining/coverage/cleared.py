"""The ground a cell's swaths clear, built directly instead of by overlaying rectangles.

In the rotated frame a swath's footprint is a rectangle one tool width tall.
Consecutive rows of a cell overlap in x, and in y wherever the spacing is
below the width, so their union is one y-monotone polygon: in every slab
between footprint edges it spans from the leftmost to the rightmost swath
covering that slab. An overlay of thousands of rectangles is the slowest
part of measuring a plan; this is exact and takes a few array operations.
"""

from __future__ import annotations

import numpy as np
import shapely
from shapely import Polygon
from shapely.geometry.base import BaseGeometry

from .sweep import Segment


def swath_unions(segments: list[Segment], half: float, min_length: float) -> list[BaseGeometry]:
    """The union of the footprints (half-width `half`) of a cell's swaths longer than
    `min_length`, one polygon per run of rows whose footprints overlap."""
    runs = _runs(segments, half, min_length)
    polygons = [_staircase(run, half) for run in runs]
    valid = shapely.is_valid(polygons) if polygons else np.zeros(0, dtype=bool)
    return [
        polygon if ok else _rectangles(run, half)  # rows touching at a corner only
        for polygon, ok, run in zip(polygons, valid, runs, strict=True)
    ]


def _runs(segments: list[Segment], half: float, min_length: float) -> list[list[Segment]]:
    """The cell's swaths split where one is too short to drive or two rows' footprints
    do not meet (the spacing can exceed the width by rounding)."""
    runs: list[list[Segment]] = []
    previous: Segment | None = None
    for segment in segments:
        if segment.x1 - segment.x0 <= min_length:
            previous = None
            continue
        if previous is None or segment.y - previous.y > 2 * half:
            runs.append([])
        runs[-1].append(segment)
        previous = segment
    return runs


def _staircase(run: list[Segment], half: float) -> Polygon:
    """The union of a run's footprints, slab by slab between their edges."""
    ys = np.array([s.y for s in run])
    x0 = np.array([s.x0 for s in run])
    x1 = np.array([s.x1 for s in run])
    edges = np.sort(np.concatenate([ys - half, ys + half]))
    edges = edges[np.concatenate([[True], np.diff(edges) > 0])]  # np.unique, without numpy.ma
    lo, hi = edges[:-1], edges[1:]
    covering = np.abs((lo + hi)[:, None] / 2 - ys[None, :]) <= half
    left = np.where(covering, x0[None, :], np.inf).min(axis=1)
    right = np.where(covering, x1[None, :], -np.inf).max(axis=1)
    heights = np.column_stack([lo, hi]).ravel()
    rising = np.column_stack([np.repeat(right, 2), heights])
    falling = np.column_stack([np.repeat(left, 2), heights])[::-1]
    return Polygon(np.vstack([rising, falling]))


def _rectangles(run: list[Segment], half: float) -> BaseGeometry:
    """The union of a run's footprints by overlay (rows that only touch at a corner)."""
    return shapely.union_all([shapely.box(s.x0, s.y - half, s.x1, s.y + half) for s in run])
