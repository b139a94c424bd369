"""The min-cost-flow network of one component, as numpy arrays.

Nodes: pledges, requirements, one sink per priority class and one sink for
unused supply. A pairing arc joins every pledge to every requirement it may
fill (hard rules applied in bulk with numpy); a parallel "kept" arc per
pairing of the previous plan carries the stability bonus. Arcs hold
separate cost components (days late, transport, stability, commonality
pair) so that each solve can weigh them for its own lexicographic stage.
(A pooled network with date chains is smaller but OR-Tools' cost-scaling
solver is ten times slower on long chains, so pairs it is.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from materiel.donations.planning.candidates import ready_date
from materiel.donations.planning.instance import Instance
from materiel.donations.planning.scenario import PRIORITIES

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

PAIR, DIRECT, MET, SPARE, CLASS = range(5)


@dataclass
class FlowNet:
    """Arrays of one component's network; `a`/`b` are the pledge/requirement of an arc."""

    pledges: list[int]
    reqs: list[int]
    num_nodes: int
    tail: IntArray
    head: IntArray
    cap: IntArray
    kind: IntArray
    late: IntArray
    trans: IntArray
    stab: IntArray
    pair: IntArray
    a: IntArray
    b: IntArray
    pair_keys: list[tuple[str, str]]
    class_node: dict[int, int]
    spare_node: int
    supply: IntArray


@dataclass
class Side:
    """Per-pledge and per-requirement attributes of a component as arrays."""

    origin: IntArray
    ready: IntArray
    supply: IntArray
    dest: IntArray
    needed: IntArray
    demand: IntArray
    unit: IntArray
    days: IntArray  # [origin, destination] fastest days, -1 if unreachable
    cost: IntArray  # [origin, destination] cost of that route
    unit_names: list[str]


def side(inst: Instance, pledges: list[int], reqs: list[int]) -> Side:
    """Index origins, destinations and units; route matrices between them."""
    origins = sorted({inst.pledges[p].origin for p in pledges})
    dests = sorted({inst.requirements[r].destination for r in reqs})
    units = sorted({inst.requirements[r].unit_key for r in reqs})
    o_at, d_at, u_at = ({x: i for i, x in enumerate(xs)} for xs in (origins, dests, units))
    days = np.full((len(origins), len(dests)), -1, np.int64)
    cost = np.zeros((len(origins), len(dests)), np.int64)
    for origin in origins:
        for dest, route in inst.routes[origin].items():
            if dest in d_at:
                days[o_at[origin], d_at[dest]] = route.days
                cost[o_at[origin], d_at[dest]] = route.cost
    reqs_ = [inst.requirements[r] for r in reqs]

    def arr(values: list[int]) -> IntArray:
        return np.asarray(values, np.int64)

    return Side(
        origin=arr([o_at[inst.pledges[p].origin] for p in pledges]),
        ready=arr([ready_date(inst.pledges[p]).toordinal() for p in pledges]),
        supply=arr([inst.supply[p] for p in pledges]),
        dest=arr([d_at[r.destination] for r in reqs_]),
        needed=arr([r.needed_by.toordinal() for r in reqs_]),
        demand=arr([inst.demand[r] for r in reqs]),
        unit=arr([u_at[r.unit_key] for r in reqs_]),
        days=days,
        cost=cost,
        unit_names=units,
    )


def allowed(inst: Instance, pledge_ids: list[int], req_ids: list[int]) -> BoolArray:
    """Caveats (areas, units) as a [pledge, requirement] mask for one item type."""
    reqs = [inst.requirements[r] for r in req_ids]
    mask = np.ones((len(pledge_ids), len(req_ids)), dtype=bool)
    by_caveats: dict[tuple[frozenset[str] | None, frozenset[str] | None], list[int]] = {}
    for i, p in enumerate(pledge_ids):
        c = inst.pledges[p].caveats
        by_caveats.setdefault((c.areas, c.units), []).append(i)
    for (areas, units), rows in by_caveats.items():
        ok = np.ones(len(reqs), dtype=bool)
        if areas is not None:
            ok &= np.array([r.capability_area in areas for r in reqs], dtype=bool)
        if units is not None:
            ok &= np.array([r.unit in units for r in reqs], dtype=bool)
        mask[rows] = ok
    return mask


def pairing_arcs(inst: Instance, pledges: list[int], reqs: list[int], s: Side) -> list[IntArray]:
    """(local pledge, local requirement, item type number) of every candidate pairing."""
    types = sorted({inst.pledges[p].item_type for p in pledges})
    local_p: dict[str, list[int]] = {t: [] for t in types}
    for i, p in enumerate(pledges):
        local_p[inst.pledges[p].item_type].append(i)
    local_r: dict[str, list[int]] = {t: [] for t in types}
    for j, r in enumerate(reqs):
        for t in inst.requirements[r].accepted_types:
            if t in local_r:
                local_r[t].append(j)
    found = []
    for number, t in enumerate(types):
        ps, rs = np.asarray(local_p[t], np.int64), np.asarray(local_r[t], np.int64)
        if not len(ps) or not len(rs):
            continue
        mask = allowed(inst, [pledges[i] for i in ps], [reqs[j] for j in rs])
        mask &= s.days[s.origin[ps][:, None], s.dest[rs][None, :]] >= 0
        pi, rj = np.nonzero(mask)
        found.append(np.stack([ps[pi], rs[rj], np.full(len(pi), number)]))
    arcs = np.concatenate(found, axis=1) if found else np.zeros((3, 0), np.int64)
    return [arcs[0], arcs[1], arcs[2], np.asarray(types, dtype=object)]


def without_forbidden(
    inst: Instance, pledges: list[int], reqs: list[int], lp: IntArray, lr: IntArray
) -> BoolArray:
    """Mask of pairing arcs staff did not forbid (only forbidden pledges are looked at)."""
    keep = np.ones(len(lp), dtype=bool)
    if not inst.forbidden:
        return keep
    suspects = {i for i, p in enumerate(pledges) if inst.pledges[p].id in inst.forbidden_pledges}
    for arc in np.flatnonzero(np.isin(lp, list(suspects))):
        pair = (inst.pledges[pledges[lp[arc]]].id, inst.requirements[reqs[lr[arc]]].id)
        keep[arc] = pair not in inst.forbidden
    return keep


def dense_ids(values: IntArray) -> tuple[IntArray, IntArray]:
    """Distinct values (sorted) and each value's rank: np.unique without sorting n items."""
    present = np.zeros(int(values.max(initial=-1)) + 1, dtype=bool)
    present[values] = True
    rank = np.cumsum(present) - 1
    return np.flatnonzero(present), rank[values]


class Columns:
    """Arc columns built as a list of numpy chunks, then concatenated."""

    NAMES = ("tail", "head", "cap", "kind", "late", "trans", "stab", "pair", "a", "b")

    def __init__(self) -> None:
        self.chunks: dict[str, list[IntArray]] = {k: [] for k in self.NAMES}

    def add(self, n: int, **cols: IntArray | int) -> None:
        for name in self.NAMES:
            default = -1 if name in ("pair", "a", "b") else 0
            value = cols.get(name, default)
            self.chunks[name].append(np.broadcast_to(np.asarray(value, np.int64), (n,)))

    def arrays(self) -> dict[str, IntArray]:
        return {k: np.concatenate(v) for k, v in self.chunks.items()}


def build_net(
    inst: Instance, pledges: list[int], reqs: list[int], previous: dict[tuple[int, int], int]
) -> FlowNet:
    """The network of one component; `previous` maps (pledge, req) to units kept last time."""
    s = side(inst, pledges, reqs)
    lp, lr, tnum, types = pairing_arcs(inst, pledges, reqs, s)
    keep = without_forbidden(inst, pledges, reqs, lp, lr)
    lp, lr, tnum = lp[keep], lr[keep], tnum[keep]
    raw_pair = s.unit[lr] * len(types) + tnum
    pair_values, pair = dense_ids(raw_pair)
    pair_keys = [(s.unit_names[v // len(types)], str(types[v % len(types)])) for v in pair_values]
    big_p = len(pledges)
    cols = Columns()
    route = (s.origin[lp], s.dest[lr])
    cols.add(
        len(lp),
        tail=lp,
        head=big_p + lr,
        cap=np.minimum(s.supply[lp], s.demand[lr]),
        kind=PAIR,
        late=np.maximum(0, s.ready[lp] + s.days[route] - s.needed[lr]),
        trans=s.cost[route],
        pair=pair,
        a=np.asarray(pledges, np.int64)[lp],
        b=np.asarray(reqs, np.int64)[lr],
    )
    pair_of = {k: i for i, k in enumerate(pair_keys)} if previous else {}
    add_kept(inst, cols, previous=previous, pledges=pledges, reqs=reqs, pair_of=pair_of)
    class_node = {k: big_p + len(reqs) + i for i, k in enumerate(PRIORITIES)}
    spare = big_p + len(reqs) + len(PRIORITIES)
    prio = np.asarray([inst.requirements[r].priority for r in reqs], np.int64)
    cols.add(
        len(reqs),
        tail=big_p + np.arange(len(reqs)),
        head=big_p + len(reqs) + prio - 1,
        cap=s.demand,
        kind=MET,
        a=np.asarray(reqs, np.int64),
        b=prio,
    )
    cols.add(
        big_p,
        tail=np.arange(big_p),
        head=spare,
        cap=s.supply,
        kind=SPARE,
        a=np.asarray(pledges, np.int64),
    )
    classes = np.asarray(PRIORITIES, np.int64)
    cols.add(
        len(classes),
        tail=big_p + len(reqs) + classes - 1,
        head=spare,
        cap=int(s.supply.sum()),
        kind=CLASS,
        a=classes,
    )
    supply = np.zeros(spare + 1, np.int64)
    supply[:big_p] = s.supply
    return FlowNet(
        pledges,
        reqs,
        spare + 1,
        **cols.arrays(),
        pair_keys=pair_keys,
        class_node=class_node,
        spare_node=spare,
        supply=supply,
    )


def add_kept(
    inst: Instance,
    cols: Columns,
    *,
    previous: dict[tuple[int, int], int],
    pledges: list[int],
    reqs: list[int],
    pair_of: dict[tuple[str, str], int],
) -> None:
    """Parallel arcs for last plan's pairings: same costs, minus one per unit kept."""
    node_p = {p: i for i, p in enumerate(pledges)}
    node_r = {r: len(pledges) + j for j, r in enumerate(reqs)}
    for (p, r), units in previous.items():
        if p not in node_p or r not in node_r or inst.blocked(p, r) is not None:
            continue
        cap = min(units, inst.supply[p], inst.demand[r])
        route = inst.route(p, r)
        if cap <= 0 or route is None:
            continue
        pair = pair_of[(inst.requirements[r].unit_key, inst.pledges[p].item_type)]
        costs = {"late": inst.late_days(p, r), "trans": route.cost, "stab": -1, "pair": pair}
        cols.add(1, tail=node_p[p], head=node_r[r], cap=cap, kind=DIRECT, a=p, b=r, **costs)
