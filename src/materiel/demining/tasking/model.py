"""The tasking planner's plain data: the problem it reads and the plan it gives back.

Everything here is JSON-friendly: strings, numbers, dates, tuples and dicts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Statuses that still hold work; a released area is never tasked.
WORKABLE = frozenset({"suspected", "confirmed", "in-clearance", "in_clearance"})
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Location:
    """A point: plane kilometres (x, y), or longitude/latitude when `geographic`."""

    x: float
    y: float
    geographic: bool = False

    @classmethod
    def km(cls, x: float, y: float) -> Location:
        return cls(x, y, False)

    @classmethod
    def lonlat(cls, lon: float, lat: float) -> Location:
        return cls(lon, lat, True)

    def distance_km(self, other: Location) -> float:
        """Straight-line distance; great-circle (haversine) between geographic points."""
        if self.geographic != other.geographic:
            raise ValueError("cannot measure between plane and geographic locations")
        if not self.geographic:
            return math.hypot(self.x - other.x, self.y - other.y)
        lon1, lat1, lon2, lat2 = map(math.radians, (self.x, self.y, other.x, other.y))
        h = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


@dataclass(frozen=True)
class DateRange:
    """Days from `first` to `last`, both included."""

    first: date
    last: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last


@dataclass(frozen=True)
class AreaSpec:
    """A hazard area to task: `area_m2` still to clear, `priority` from the score."""

    id: str
    location: Location
    area_m2: float
    priority: float
    terrain: str = "default"
    status: str = "confirmed"


@dataclass(frozen=True)
class AssetSpec:
    """A machine, drone or team.

    `rates` are m2 per working hour by terrain class (key `default` for any
    other class); a missing, None or zero rate means it cannot work there.
    `available` lists the date ranges it can work (None: the whole horizon).
    `statuses` limits the area statuses it works on (None: any), e.g. a
    survey drone only on suspected areas.
    """

    id: str
    kind: str
    base: Location
    rates: Mapping[str, float | None]
    speed_kmh: float = 30.0
    available: tuple[DateRange, ...] | None = None
    statuses: frozenset[str] | None = None

    def rate(self, terrain: str) -> float:
        value = self.rates.get(terrain, self.rates.get("default"))
        return float(value) if value else 0.0

    def works_on(self, status: str) -> bool:
        return self.statuses is None or status in self.statuses

    def available_on(self, day: date) -> bool:
        return self.available is None or any(day in r for r in self.available)


@dataclass(frozen=True)
class TaskingProblem:
    """Areas, assets and the calendar of one tasking run.

    `travel_hours[from][to]`, where given, replaces distance / speed; `from`
    is an area id or an asset id (its base), `to` an area id.
    Weekdays count from 0 (Monday) to 6 (Sunday).
    """

    start: date
    areas: tuple[AreaSpec, ...]
    assets: tuple[AssetSpec, ...]
    horizon_weeks: int = 4
    working_weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4, 5})
    hours_per_day: float = 10.0
    travel_hours: Mapping[str, Mapping[str, float]] | None = None


@dataclass(frozen=True)
class Task:
    """One asset on one area over a stretch of days, with the work planned there.

    `first_day`/`last_day` are the asset's first and last working days of the
    stretch; the first `travel_hours` of it are spent getting there.
    """

    asset: str
    area: str
    first_day: date
    last_day: date
    working_days: int
    travel_hours: float
    m2: int

    def to_json(self) -> dict[str, Any]:
        return {
            "asset": self.asset,
            "area": self.area,
            "first_day": self.first_day.isoformat(),
            "last_day": self.last_day.isoformat(),
            "working_days": self.working_days,
            "travel_hours": self.travel_hours,
            "m2": self.m2,
        }


@dataclass(frozen=True)
class AreaResult:
    """One area's outcome: released by the end of the horizon or not, and why."""

    area: str
    priority: float
    m2_needed: int
    m2_planned: int
    released: bool
    assets: tuple[str, ...] = ()
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "area": self.area,
            "priority": self.priority,
            "m2_needed": self.m2_needed,
            "m2_planned": self.m2_planned,
            "released": self.released,
            "assets": list(self.assets),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class SolverInfo:
    """How the plan was found: status (OPTIMAL / FEASIBLE / GREEDY), objective, bound."""

    status: str
    objective: int
    bound: int
    seconds: float
    method: str = "cp-sat"

    @property
    def gap(self) -> float:
        """Relative distance to the bound (0 when proven optimal)."""
        return (self.bound - self.objective) / self.bound if self.bound > 0 else 0.0


@dataclass(frozen=True)
class TaskingPlan:
    """The tasks, each area's result and the totals the objective rewards."""

    tasks: tuple[Task, ...]
    areas: tuple[AreaResult, ...]
    released_m2: int
    weighted_released: float
    solver: SolverInfo
    working_days: tuple[date, ...] = field(default=())

    def released_ids(self) -> frozenset[str]:
        return frozenset(a.area for a in self.areas if a.released)

    def to_json(self) -> dict[str, Any]:
        s = self.solver
        return {
            "tasks": [t.to_json() for t in self.tasks],
            "areas": [a.to_json() for a in self.areas],
            "released_m2": self.released_m2,
            "weighted_released": self.weighted_released,
            "working_days": [d.isoformat() for d in self.working_days],
            "solver": {
                "status": s.status,
                "method": s.method,
                "objective": s.objective,
                "bound": s.bound,
                "gap": s.gap,
                "seconds": round(s.seconds, 3),
            },
        }


@dataclass(frozen=True)
class WhatIf:
    """The plan before and after adding or removing one asset, and what changed."""

    change: str
    before: TaskingPlan
    after: TaskingPlan

    @property
    def released_m2_delta(self) -> int:
        return self.after.released_m2 - self.before.released_m2

    @property
    def weighted_delta(self) -> float:
        return self.after.weighted_released - self.before.weighted_released

    def newly_released(self) -> tuple[str, ...]:
        return tuple(sorted(self.after.released_ids() - self.before.released_ids()))

    def no_longer_released(self) -> tuple[str, ...]:
        return tuple(sorted(self.before.released_ids() - self.after.released_ids()))

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "released_m2": {"before": self.before.released_m2, "after": self.after.released_m2},
            "weighted_released": {
                "before": self.before.weighted_released,
                "after": self.after.weighted_released,
            },
            "released_m2_delta": self.released_m2_delta,
            "weighted_delta": self.weighted_delta,
            "newly_released": list(self.newly_released()),
            "no_longer_released": list(self.no_longer_released()),
            "before": self.before.to_json(),
            "after": self.after.to_json(),
        }
