"""Why an area was, or was not, released: one readable line per area."""

from __future__ import annotations

from collections.abc import Iterable

from materiel.demining.tasking.instance import Instance
from materiel.demining.tasking.model import WORKABLE, AreaSpec
from materiel.demining.tasking.stretches import Stretch, open_days_from

SHOWN = 4  # names listed before "and N more"


def skipped_reason(area: AreaSpec) -> str:
    if area.status == "released":
        return "released: nothing to clear"
    if area.status not in WORKABLE:
        return f"status {area.status} is not tasked"
    return "nothing left to clear"


def area_reason(inst: Instance, r: int, stretches: list[Stretch]) -> str:
    """The reason line for area `r` given the plan's stretches."""
    mine = [s for s in stretches if s.r == r]
    done = sum(s.work for s in mine)
    need = inst.need[r]
    if done >= need:
        last = inst.days[max(s.last for s in mine)]
        assets = _names(sorted(inst.assets[s.a].id for s in mine))
        return f"released by {last.isoformat()}: {assets}"
    why = _why_not(inst, r, stretches)
    if done:
        return f"partly cleared, {done:,} of {need:,} m2 by the end of the horizon: {why}"
    return why


def _why_not(inst: Instance, r: int, stretches: list[Stretch]) -> str:
    area = inst.areas[r]
    able = [a for a in range(len(inst.assets)) if inst.rate[a][r] > 0]
    if not able:
        if any(x.rate(area.terrain) > 0 for x in inst.assets):
            return f"no asset that can work in {area.terrain} works on {area.status} areas"
        return f"no asset can work in {area.terrain}"
    if not any(any(inst.open[a]) for a in able):
        return f"no asset that can work in {area.terrain} is available in the horizon"
    most = sum(inst.capacity(a, r, len(open_days_from(inst, a, 0)), 0) for a in able)
    if most < inst.need[r]:
        return (
            f"too large for the horizon: every able asset together could clear at most "
            f"{most:,} of {inst.need[r]:,} m2"
        )
    return _busy(inst, r, able, stretches)


def _busy(inst: Instance, r: int, able: list[int], stretches: list[Stretch]) -> str:
    elsewhere = [s for s in stretches if s.a in able and s.r != r]
    higher = sorted(
        {s.r for s in elsewhere if inst.weight[s.r] >= inst.weight[r]},
        key=lambda q: (-inst.weight[q], inst.areas[q].id),
    )
    lower = {s.r for s in elsewhere} - set(higher)
    assets = _names(sorted(inst.assets[a].id for a in able))
    if higher and not lower:
        areas = _names(inst.areas[q].id for q in higher)  # highest priority first
        return (
            f"outranked: the assets that can work here ({assets}) are busy on "
            f"higher-priority areas {areas}"
        )
    if elsewhere:
        busy = sorted({s.r for s in elsewhere}, key=lambda q: (-inst.weight[q], inst.areas[q].id))
        areas = _names(inst.areas[q].id for q in busy)
        return (
            f"not chosen: the assets that can work here ({assets}) release more "
            f"priority-weighted area on {areas}"
        )
    return f"not chosen: the assets that can work here ({assets}) could not finish it in time"


def _names(ids: Iterable[str]) -> str:
    """Names in the order given (callers sort them), once each, the first few only."""
    unique = list(dict.fromkeys(ids))
    shown = ", ".join(unique[:SHOWN])
    return shown + (f" and {len(unique) - SHOWN} more" if len(unique) > SHOWN else "")
