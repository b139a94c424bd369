"""Figures of a plan: coverage, overlap, lengths, hours, and the leftover polygons.

The tests check these figures against an independent point-sampling
count, since overlay unions have been seen to drop pieces silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely import Polygon
from shapely.geometry.base import BaseGeometry

from .model import Step, Tool

LEFTOVER_MIN_M2 = 0.01
"""Leftover pieces smaller than this (1 dm2) are numerical slivers; their area still counts."""


def footprints(steps: Sequence[Step], width: float) -> np.ndarray:
    """Work footprints: each work line buffered by half the width with flat ends."""
    lines = np.array([s.line for s in steps if s.kind == "work"], dtype=object)
    return shapely.buffer(lines, width / 2, cap_style="flat", quad_segs=8)


def clearable(field_: BaseGeometry, width: float) -> BaseGeometry:
    """What a tool of this width can reach: the field opened by a disc of the tool's half-width."""
    return field_.buffer(-width / 2, quad_segs=8).buffer(width / 2, quad_segs=8)


@dataclass(frozen=True)
class Areas:
    field_m2: float
    clearable_m2: float
    covered_m2: float
    union_m2: float
    footprint_sum_m2: float
    leftover: tuple[Polygon, ...]
    leftover_m2: float


def measure(field_: BaseGeometry, steps: Sequence[Step], width: float) -> Areas:
    """Coverage areas and leftover polygons of the work steps over the field."""
    prints = footprints(steps, width)
    union = shapely.union_all(prints) if len(prints) else Polygon()
    return measure_union(field_, union, float(shapely.area(prints).sum()), width)


def measure_union(
    field_: BaseGeometry, union: BaseGeometry, footprint_sum_m2: float, width: float
) -> Areas:
    """Coverage areas and leftover polygons, given the union of the work footprints and
    the sum of their areas."""
    reach = clearable(field_, width)
    missing = shapely.difference(field_, union)
    pieces = [p for p in shapely.get_parts(missing) if isinstance(p, Polygon)]
    return Areas(
        field_m2=float(field_.area),
        clearable_m2=float(reach.area),
        covered_m2=float(shapely.intersection(union, reach).area),
        union_m2=float(union.area),
        footprint_sum_m2=footprint_sum_m2,
        leftover=tuple(p for p in pieces if p.area >= LEFTOVER_MIN_M2),
        leftover_m2=float(missing.area),
    )


def lengths(steps: Sequence[Step]) -> tuple[float, float]:
    """Metres with the tool working and metres turning or in transit."""
    measured = shapely.length(np.array([s.line for s in steps], dtype=object)).tolist()
    work = sum(m for s, m in zip(steps, measured, strict=True) if s.kind == "work")
    other = sum(m for s, m in zip(steps, measured, strict=True) if s.kind != "work")
    return work, other


def hours(work_m: float, other_m: float, tool: Tool) -> float:
    return work_m / 1000 / tool.speed_kmh + other_m / 1000 / tool.transit_speed_kmh


def percent(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole > 0 else 100.0
