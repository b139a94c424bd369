"""Stretches: an asset's work on one area, in day indices, as every method produces them."""

from __future__ import annotations

from dataclasses import dataclass

from materiel.demining.tasking.instance import Instance


@dataclass(frozen=True)
class Stretch:
    """Asset `a` on area `r` from working day `first` to `last` (indices, included)."""

    a: int
    r: int
    first: int
    last: int
    days: int
    travel: int  # minutes, at the start
    work: int  # m2


def open_days_from(inst: Instance, a: int, day: int) -> list[int]:
    """The asset's available working days from index `day` on."""
    return [d for d in range(day, len(inst.days)) if inst.open[a][d]]


def fit(inst: Instance, a: int, r: int, *, start: int, travel: int, work: int) -> Stretch | None:
    """The shortest stretch from `start` that travels in and does `work` (capped by the days left).

    None when not even one m2 fits before the horizon ends.
    """
    days = open_days_from(inst, a, start)
    done, used = 0, 0
    for used in range(1, len(days) + 1):
        done = min(work, inst.capacity(a, r, used, travel))
        if done >= work:
            break
    if done <= 0:
        return None
    return Stretch(a, r, days[0], days[used - 1], used, travel, done)


def work_by_area(inst: Instance, stretches: list[Stretch]) -> list[int]:
    work = [0] * len(inst.areas)
    for s in stretches:
        work[s.r] += s.work
    return work


def sequence(stretches: list[Stretch], a: int) -> list[Stretch]:
    """One asset's stretches in the order it works them."""
    return sorted((s for s in stretches if s.a == a), key=lambda s: s.first)
