"""The lexicographic stages of one component, each one min-cost flow.

Stage one maximises the units met per priority (strict order) and, when
the integer range allows, lateness, stability and transport below it.
Then the units met per priority class are locked by fixing how much each
class sink receives: every flow that meets these demands meets exactly as
many units per priority, which is the whole of level 1. The later solves
weigh lateness above stability above the commonality and transport costs.

Why rewards (6 - k) * D give strict priority: the units a requirement set
can receive form a polymatroid, so the greedy fill by priority meets the
most units for every prefix of priorities at once; a linear reward that
decreases with priority by steps D larger than everything below is
maximised exactly by those flows.
"""

from __future__ import annotations

from dataclasses import dataclass

from materiel.donations.planning.flow import (
    CostOverflow,
    Ranges,
    Weights,
    arc_costs,
    dominate,
    locked_caps,
    met_by_class,
    ranges,
    solve,
    stage_one_caps,
)
from materiel.donations.planning.flownet import FlowNet, IntArray
from materiel.donations.planning.scenario import PRIORITIES

STAGE_ONE_LEVELS = (("late", "stab", "trans"), ("late", "stab"), ("late",), ())


@dataclass
class StageOne:
    """Result of the priority stage: flows, units met per class, levels included."""

    flows: IntArray
    met: dict[int, int]
    levels: tuple[str, ...]


def level_totals(r: Ranges) -> dict[str, int]:
    """Largest total each level can take in this component."""
    return {"late": r.units * r.late, "stab": r.stab_units, "trans": r.units * r.trans}


def priority_stage(net: FlowNet) -> StageOne:
    """Strict priority plus as many lower levels as fit in the integer range."""
    totals = level_totals(ranges(net))
    for levels in STAGE_ONE_LEVELS:
        ws = dominate([("met", 0), *((name, totals[name]) for name in levels)])
        met = tuple((6 - k) * ws["met"] for k in PRIORITIES)
        w = Weights(ws.get("late", 0), ws.get("stab", 0), ws.get("trans", 0), 0, met)
        try:
            flows = solve(net, arc_costs(net, w), *stage_one_caps(net))
        except CostOverflow:
            continue
        return StageOne(flows, met_by_class(net, flows), levels)
    raise AssertionError("the priority stage alone always fits")  # pragma: no cover


def locked_weights(r: Ranges, slope_max: int, with_trans: bool) -> Weights:
    """Lateness over stability over (commonality slope, then transport per unit)."""
    step = r.trans + 1 if with_trans else 1
    per_unit = slope_max * step + (r.trans if with_trans else 0)
    ws = dominate([("late", r.units * r.late), ("stab", r.stab_units), ("low", r.units * per_unit)])
    return Weights(ws["late"], ws["stab"], ws["low"] if with_trans else 0, ws["low"] * step)


def locked_solve(
    net: FlowNet,
    met: dict[int, int],
    slopes: IntArray | None,
    with_trans: bool,
    cap: IntArray | None = None,
) -> IntArray:
    """Levels 1, 2 and stability held optimal; below them slopes and/or transport."""
    slope_max = int(slopes.max(initial=0)) if slopes is not None else 0
    w = locked_weights(ranges(net), slope_max, with_trans)
    supply, locked_cap = locked_caps(net, met)
    return solve(net, arc_costs(net, w, slopes), supply, locked_cap if cap is None else cap)


def largest_fitting_scale(net: FlowNet, met: dict[int, int], with_trans: bool) -> int:
    """The largest power of ten usable as slope scale without overflow (0 if none)."""
    r = ranges(net)
    for scale in (10**6, 10**5, 10**4, 10**3, 10**2, 10, 1):
        w = locked_weights(r, scale, with_trans)
        largest = w.late * r.late + w.stab + w.trans * r.trans + w.slope * scale
        if largest * (net.num_nodes + 1) < 2**53:
            return scale
    return 0


__all__ = ["CostOverflow", "StageOne", "largest_fitting_scale", "locked_solve", "priority_stage"]
