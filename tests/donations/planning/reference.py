"""An independent reference for the planner: brute-force rules, CP-SAT lexicographic solve.

Nothing here imports the planner's modules except the scenario dataclasses:
routes come from Floyd-Warshall, candidates from a direct reading of the
rules, and the lexicographic optimum from CP-SAT, one level at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from ortools.sat.python import cp_model

from materiel.donations.planning.scenario import Scenario

INF = 10**9


@dataclass(frozen=True)
class Cand:
    pledge: str
    requirement: str
    late: int


def fastest(s: Scenario) -> dict[tuple[str, str], tuple[int, int]]:
    """(days, cost in hundredths) of the fastest-then-cheapest route, Floyd-Warshall."""
    nodes = [n.id for n in s.nodes]
    dist = {(a, b): (0, 0) if a == b else (INF, INF) for a in nodes for b in nodes}
    for k in s.links:
        dist[(k.source, k.target)] = min(dist[(k.source, k.target)], (k.days, round(k.cost * 100)))
    for m in nodes:
        for a in nodes:
            for b in nodes:
                via = (dist[(a, m)][0] + dist[(m, b)][0], dist[(a, m)][1] + dist[(m, b)][1])
                dist[(a, b)] = min(dist[(a, b)], via)
    return {k: v for k, v in dist.items() if v[0] < INF}


def candidate_pairs(s: Scenario) -> list[Cand]:
    """Every (pledge, requirement) the hard rules allow, with its days late."""
    routes = fastest(s)
    banned = {(f.pledge, f.requirement) for f in s.forbidden}
    found = []
    for p in s.pledges:
        for r in s.requirements:
            c = p.caveats
            if p.item_type != r.item_type and p.item_type not in r.accepts:
                continue
            if c.areas is not None and r.capability_area not in c.areas:
                continue
            if c.units is not None and r.unit not in c.units:
                continue
            if (p.id, r.id) in banned or (p.origin, r.destination) not in routes:
                continue
            ready = max(p.available_from, c.not_before or p.available_from)
            arrival = ready.toordinal() + routes[(p.origin, r.destination)][0]
            found.append(Cand(p.id, r.id, max(0, arrival - r.needed_by.toordinal())))
    return found


@dataclass(frozen=True)
class Optimum:
    met: dict[int, int]
    late: int
    moved: int


def lexicographic_optimum(s: Scenario) -> Optimum:
    """Levels 1 (per priority), 2 and stability, solved one after another with CP-SAT."""
    return lexicographic_model(s)[2]


def fewest_pairs(s: Scenario) -> int:
    """Level 3: fewest (receiving unit, item type) pairs with levels 1, 2, stability held."""
    model, x, _ = lexicographic_model(s)
    units = {r.id: r.unit_key for r in s.requirements}
    kinds = {p.id: p.item_type for p in s.pledges}
    qty = {p.id: p.quantity for p in s.pledges}
    used: dict[tuple[str, str], cp_model.IntVar] = {}
    for (p, r), v in x.items():
        key = (units[r], kinds[p])
        if key not in used:
            used[key] = model.new_bool_var("")
        model.add(v <= qty[p] * used[key])
    return fix(model, sum(used.values()), maximize=False)


def lexicographic_model(
    s: Scenario,
) -> tuple[cp_model.CpModel, dict[tuple[str, str], cp_model.IntVar], Optimum]:
    """The CP-SAT model with levels 1, 2 and stability fixed at their optimum."""
    cands = candidate_pairs(s)
    model = cp_model.CpModel()
    qty_p = {p.id: p.quantity for p in s.pledges}
    qty_r = {r.id: r.quantity for r in s.requirements}
    prio = {r.id: r.priority for r in s.requirements}
    x = {(c.pledge, c.requirement): model.new_int_var(0, qty_p[c.pledge], "") for c in cands}
    for pid, q in qty_p.items():
        model.add(sum(v for (p, _), v in x.items() if p == pid) <= q)
    for rid, q in qty_r.items():
        model.add(sum(v for (_, r), v in x.items() if r == rid) <= q)
    previous: dict[tuple[str, str], int] = {}
    for e in s.previous_plan:
        previous[(e.pledge, e.requirement)] = (
            previous.get((e.pledge, e.requirement), 0) + e.quantity
        )
    kept = []
    for pair, q in previous.items():
        k = model.new_int_var(0, q, "")
        if pair in x:
            model.add(k <= x[pair])
        else:
            model.add(k == 0)
        kept.append(k)
    met = {}
    for k in range(1, 6):
        expr = sum(v for (_, r), v in x.items() if prio[r] == k)
        met[k] = fix(model, expr, maximize=True)
    lateness = sum(c.late * x[(c.pledge, c.requirement)] for c in cands)
    late = fix(model, lateness, maximize=False)
    moved = sum(previous.values()) - fix(model, sum(kept), maximize=True)
    return model, x, Optimum(met, late, moved)


def fix(model: cp_model.CpModel, expr: object, *, maximize: bool) -> int:
    """Optimise one level, then hold it at its optimum for the next."""
    if isinstance(expr, int):
        return expr
    (model.maximize if maximize else model.minimize)(expr)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    assert status == cp_model.OPTIMAL
    value = round(solver.objective_value)
    model.add(expr == value)  # type: ignore[arg-type]
    return value
