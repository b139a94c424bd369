"""The problem in whole numbers: working days, minutes, m2 per hour, weights.

The solver works in integers, so the rules are stated in integers here and
every consumer (the model, the greedy baseline, the plan reader) uses the
same numbers: a day has `day_minutes` working minutes, travel takes
`ceil(hours x 60)` minutes, rates are whole m2 per hour, an area needs
`ceil(area_m2)` m2 and weighs `round(priority x 100)`. The work an asset can
do in a stretch of `n` working days that starts with `t` minutes of travel
is `floor(rate x (n x day_minutes - t) / 60)` m2.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import accumulate

from materiel.core.errors import InvalidInput
from materiel.demining.tasking.model import (
    WORKABLE,
    AreaSpec,
    AssetSpec,
    Location,
    TaskingProblem,
)

WEIGHT_SCALE = 100  # an area weighs round(priority x 100)
RELEASE_FACTOR = 100  # a released m2 counts 100 times a merely worked m2


@dataclass(frozen=True)
class Instance:
    """Indices: asset `a` in 0..len(assets), area `r` in 0..len(areas), day `d` in 0..len(days)."""

    days: tuple[date, ...]
    day_minutes: int
    areas: tuple[AreaSpec, ...]  # the areas that still need work, in input order
    skipped: tuple[AreaSpec, ...]  # released or nothing left to clear
    assets: tuple[AssetSpec, ...]
    need: tuple[int, ...]
    weight: tuple[int, ...]
    rate: tuple[tuple[int, ...], ...]  # [a][r] m2 per hour, 0 = cannot work there
    open: tuple[tuple[bool, ...], ...]  # [a][d] available on working day d
    cum: tuple[tuple[int, ...], ...]  # [a][d] available days before day d (length D + 1)
    base_travel: tuple[tuple[int, ...], ...]  # [a][r] minutes from base to area
    travel: tuple[tuple[tuple[int, ...], ...], ...]  # [a][r][q] minutes from area r to q
    allowed: tuple[frozenset[int], ...] | None = None  # [a] areas on its shortlist (None: all)
    released_size: tuple[int, ...] | None = None  # [r] m2 a release is worth (None: `need`)

    def capacity(self, a: int, r: int, days: int, travel_min: int) -> int:
        """m2 asset `a` clears on area `r` in `days` working days after `travel_min` of travel."""
        return max(0, self.rate[a][r] * (days * self.day_minutes - travel_min) // 60)

    def release_worth(self, r: int) -> int:
        """The m2 the release of area `r` counts for (its whole size, also in a sub-problem)."""
        return self.need[r] if self.released_size is None else self.released_size[r]

    def candidates(self, a: int) -> list[int]:
        """Areas asset `a` may work: a rate for the terrain, a status it works on, days open.

        Only those on its shortlist when the instance has one.
        """
        if not any(self.open[a]):
            return []
        listed = self.allowed[a] if self.allowed is not None else range(len(self.areas))
        return [r for r in sorted(listed) if self.rate[a][r] > 0]


def objective(inst: Instance, work: list[int]) -> int:
    """The planner's objective for m2 worked per area (capped at each area's need).

    Sum over areas of weight x (100 x need if fully worked, else 0) plus
    weight x m2 worked: releasing comes first, progress on high-priority
    areas breaks ties and rewards a head start.
    """
    total = 0
    for r, worked in enumerate(work):
        done = min(worked, inst.need[r])
        released = done == inst.need[r]
        total += inst.weight[r] * (RELEASE_FACTOR * inst.need[r] * released + done)
    return total


def working_days(problem: TaskingProblem) -> tuple[date, ...]:
    """The dates of the horizon that fall on a working weekday."""
    total = 7 * problem.horizon_weeks
    every = (problem.start + timedelta(days=i) for i in range(total))
    return tuple(d for d in every if d.weekday() in problem.working_weekdays)


def build_instance(problem: TaskingProblem) -> Instance:
    """Check the problem and state it in integers."""
    check(problem)
    days = working_days(problem)
    areas = tuple(x for x in problem.areas if x.status in WORKABLE and math.ceil(x.area_m2) > 0)
    skipped = tuple(x for x in problem.areas if x not in areas)
    assets = problem.assets
    open_ = tuple(tuple(asset.available_on(d) for d in days) for asset in assets)
    return Instance(
        days=days,
        day_minutes=round(problem.hours_per_day * 60),
        areas=areas,
        skipped=skipped,
        assets=assets,
        need=tuple(math.ceil(x.area_m2) for x in areas),
        weight=tuple(round(x.priority * WEIGHT_SCALE) for x in areas),
        rate=tuple(tuple(_rate(asset, x) for x in areas) for asset in assets),
        open=open_,
        cum=tuple((0, *accumulate(int(v) for v in row)) for row in open_),
        base_travel=tuple(
            tuple(travel_minutes(problem, asset, asset.id, asset.base, x) for x in areas)
            for asset in assets
        ),
        travel=tuple(
            tuple(
                tuple(travel_minutes(problem, asset, r.id, r.location, q) for q in areas)
                for r in areas
            )
            for asset in assets
        ),
    )


def shortlist(inst: Instance, keep: list[set[int]], size: int | None) -> Instance:
    """Limit each asset to its `size` most valuable areas, `keep[a]` and areas it suits best.

    An area's value to an asset is its priority x the share of it the asset
    could clear alone in the horizon, less the share of a day spent
    travelling there from its base. Every area stays on at least two lists
    (those of the assets that value it most), so none drops out of the plan.
    With `size` None, or at least the number of areas, nothing is cut.
    """
    if size is None or size >= len(inst.areas):
        return inst
    value = [[_value(inst, a, r) for r in range(len(inst.areas))] for a in range(len(inst.assets))]
    lists = [set(keep[a]) for a in range(len(inst.assets))]
    for a, row in enumerate(value):
        best = sorted((r for r in range(len(row)) if row[r] > 0), key=lambda r: -row[r])
        lists[a] |= set(best[:size])
    for r in range(len(inst.areas)):
        fans = sorted(
            (a for a in range(len(inst.assets)) if value[a][r] > 0), key=lambda a: -value[a][r]
        )
        missing = max(0, 2 - sum(r in lists[a] for a in fans))
        for a in [a for a in fans if r not in lists[a]][:missing]:
            lists[a].add(r)
    return replace(inst, allowed=tuple(frozenset(x) for x in lists))


def _value(inst: Instance, a: int, r: int) -> float:
    if inst.rate[a][r] <= 0 or not any(inst.open[a]):
        return 0.0
    away = min(1.0, inst.base_travel[a][r] / (2 * inst.day_minutes))
    share = min(1.0, inst.capacity(a, r, inst.cum[a][-1], 0) / inst.need[r])
    return (inst.weight[r] + 1) * share * (1.0 - away) + 1e-9


def _rate(asset: AssetSpec, area: AreaSpec) -> int:
    rate = asset.rate(area.terrain)
    if not math.isfinite(rate) or rate <= 0 or not asset.works_on(area.status):
        return 0
    return max(1, round(rate))


def travel_minutes(
    problem: TaskingProblem, asset: AssetSpec, source: str, where: Location, to: AreaSpec
) -> int:
    """Minutes to move `asset` from site `source` to area `to`: the matrix, else distance/speed."""
    if source == to.id:
        return 0
    matrix = problem.travel_hours or {}
    if source in matrix and to.id in matrix[source]:
        hours = matrix[source][to.id]
    else:
        hours = where.distance_km(to.location) / asset.speed_kmh
    return math.ceil(hours * 60 - 1e-9)


def check(problem: TaskingProblem) -> None:
    """Refuse what the planner cannot read: duplicate ids, negative sizes, no working time."""
    if problem.horizon_weeks < 1:
        raise InvalidInput("the horizon must be at least one week")
    if not 0 < problem.hours_per_day <= 24:
        raise InvalidInput("working hours per day must be between 0 and 24")
    if not problem.working_weekdays or not problem.working_weekdays <= set(range(7)):
        raise InvalidInput("working weekdays must be a non-empty subset of 0 (Monday) to 6")
    places = [x.location for x in problem.areas] + [x.base for x in problem.assets]
    if len({p.geographic for p in places}) > 1:
        raise InvalidInput("locations must all be plane km or all longitude/latitude")
    _unique("area", [x.id for x in problem.areas])
    _unique("asset", [x.id for x in problem.assets])
    for area in problem.areas:
        if area.area_m2 < 0 or area.priority < 0:
            raise InvalidInput(f"area {area.id}: area and priority cannot be negative")
    for asset in problem.assets:
        if asset.speed_kmh <= 0:
            raise InvalidInput(f"asset {asset.id}: travel speed must be above zero")
        if any(v is not None and v < 0 for v in asset.rates.values()):
            raise InvalidInput(f"asset {asset.id}: a work rate cannot be negative")


def _unique(what: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            raise InvalidInput(f"{what} {i} is listed twice")
        seen.add(i)
