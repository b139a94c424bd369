"""The greedy baseline: highest-priority area first, nearest free asset first.

An area is taken on only if the assets still free could finish it by the end
of the horizon; then the nearest of them (by travel time from where each
stands) works it from its next free day until it is done or the horizon
ends, the next nearest carries on, and so on. It is the benchmark's
yardstick and the solver's first hint.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from materiel.demining.tasking.instance import Instance
from materiel.demining.tasking.stretches import Stretch, fit


@dataclass
class Position:
    """Where an asset stands (-1 = its base) and its next free working day."""

    area: int = -1
    day: int = 0


def travel_to(inst: Instance, a: int, where: Position, r: int) -> int:
    return inst.base_travel[a][r] if where.area < 0 else inst.travel[a][where.area][r]


def plan_greedy(
    inst: Instance, order: list[int] | None = None, fastest: bool = False
) -> list[Stretch]:
    """Stretches of the greedy plan: areas in `order` (default: priority), nearest asset first.

    `fastest` takes the asset that would finish soonest first instead (used
    only to vary the solver's starting points).
    """
    positions = [Position() for _ in inst.assets]
    stretches: list[Stretch] = []
    if order is None:
        order = sorted(range(len(inst.areas)), key=lambda r: (-inst.weight[r], inst.areas[r].id))
    for r in order:
        offers = _offers(inst, positions, r, fastest)
        if sum(s.work for s in offers) < inst.need[r]:
            continue
        remaining = inst.need[r]
        for s in offers:
            if remaining <= 0:
                break
            taken = fit(inst, s.a, r, start=positions[s.a].day, travel=s.travel, work=remaining)
            assert taken is not None
            stretches.append(taken)
            positions[s.a] = Position(r, taken.last + 1)
            remaining -= taken.work
    return stretches


def _offers(inst: Instance, positions: list[Position], r: int, fastest: bool) -> list[Stretch]:
    """What each capable asset could do on `r` from where it stands, nearest (or fastest) first."""
    offers = []
    for a in range(len(inst.assets)):
        if inst.rate[a][r] <= 0:
            continue
        travel = travel_to(inst, a, positions[a], r)
        most = fit(inst, a, r, start=positions[a].day, travel=travel, work=inst.need[r])
        if most is not None:
            offers.append(most)
    if fastest:
        return sorted(offers, key=lambda s: (s.last, -s.work, inst.assets[s.a].id))
    return sorted(offers, key=lambda s: (s.travel, inst.assets[s.a].id))


def starts(inst: Instance, tries: int = 8, seed: int = 1) -> list[list[Stretch]]:
    """Greedy plans from varied starting points: both asset choices, priorities jittered."""
    rng = random.Random(seed)
    plans = [plan_greedy(inst), plan_greedy(inst, fastest=True)]
    for k in range(tries):
        noisy = {r: inst.weight[r] * rng.uniform(0.8, 1.2) for r in range(len(inst.areas))}
        order = sorted(range(len(inst.areas)), key=lambda r: -noisy[r])
        plans.append(plan_greedy(inst, order, fastest=k % 2 == 1))
    return plans
