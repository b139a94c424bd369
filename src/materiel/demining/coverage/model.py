"""Plain data of the coverage planner: the tool, the area, the plan and its figures."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

from shapely import LineString, Polygon

from materiel.core.errors import InvalidInput

Kind = Literal["work", "turn", "transit"]

DEFAULT_WORK_SPEED_KMH = 1.0
"""Working speed of an MV-4-class flail in mixed soil (the maker quotes 0-5 km/h)."""

DEFAULT_TRANSIT_SPEED_KMH = 3.0
"""Speed with the tool raised, on cleared ground, turning or transiting."""


# Bounds of a real machine: a figure beyond them is a typo (or inf), and the
# geometry built from it would overflow.
MAX_WIDTH_M = 20.0
MAX_TURN_RADIUS_M = 100.0
MAX_SPEED_KMH = 150.0


@dataclass(frozen=True)
class Tool:
    """One remote demining machine: tool width, smallest turning radius and speeds."""

    width_m: float
    turn_radius_m: float
    speed_kmh: float = DEFAULT_WORK_SPEED_KMH
    transit_speed_kmh: float = DEFAULT_TRANSIT_SPEED_KMH

    def __post_init__(self) -> None:
        checks = (
            (self.width_m, "tool width (--width)", True, MAX_WIDTH_M, "m"),
            (self.turn_radius_m, "turning radius (--turn-radius)", False, MAX_TURN_RADIUS_M, "m"),
            (self.speed_kmh, "working speed (--speed-kmh)", True, MAX_SPEED_KMH, "km/h"),
            (self.transit_speed_kmh, "transit speed", True, MAX_SPEED_KMH, "km/h"),
        )
        for value, name, positive, most, unit in checks:
            if math.isnan(value) or value < 0 or (positive and value == 0):
                bound = "greater than 0" if positive else "0 or more"
                raise InvalidInput(f"the {name} is {value}: give a number {bound}")
            if not math.isfinite(value) or value > most:
                raise InvalidInput(
                    f"the {name} is {value}: at most {most:g} {unit} for a clearance machine; "
                    "give the figure from its data sheet"
                )


@dataclass(frozen=True)
class CoverageArea:
    """The hazard area in WGS84 (lon/lat): area polygons and no-go polygons."""

    polygons: tuple[Polygon, ...]
    nogo: tuple[Polygon, ...] = ()


@dataclass(frozen=True)
class Step:
    """One piece of the path, in the planner's metric (UTM) coordinates."""

    kind: Kind
    line: LineString


@dataclass(frozen=True)
class Summary:
    """The six figures of a plan (definitions in docs/coverage-format.md)."""

    coverage_pct: float
    overlap_pct: float
    work_m: float
    nonwork_m: float
    hours: float
    seconds: float


@dataclass(frozen=True)
class Figures:
    """Areas behind the summary, in square metres, for reports and benchmarks."""

    field_m2: float
    clearable_m2: float
    covered_m2: float
    leftover_m2: float
    swaths: int
    turns: int
    transits: int
    k_turns: int
    sweep_angle_deg: float
    notes: tuple[str, ...] = field(default=())
