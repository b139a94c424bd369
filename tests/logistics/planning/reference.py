"""Independent references for the transport planner's tests.

Nothing here imports the planner's modules except the scenario and plan
dataclasses: the feasibility check reads the rules straight from the
scenario, and the optimum comes from an arc-based time-expanded integer
program (CP-SAT), one flow variable per movement, link and day.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from ortools.sat.python import cp_model

from materiel.logistics.planning.plan import TransportPlan
from materiel.logistics.planning.scenario import TransportScenario


def link_cap(s: TransportScenario, link_id: str, day: date) -> float:
    k = next(k for k in s.links if k.id == link_id)
    if k.reduced_from is not None and day >= k.reduced_from:
        return k.reduced_capacity or 0
    return float("inf") if k.capacity_per_day is None else k.capacity_per_day


def violations(s: TransportScenario, plan: TransportPlan) -> list[str]:  # noqa: PLR0912 (one direct reading of every rule, on purpose in one place)
    """Every broken rule of the plan, in words (empty when the plan is feasible)."""
    problems: list[str] = []
    nodes = {n.id: n for n in s.nodes}
    links = {k.id: k for k in s.links}
    moves = {m.id: m for m in s.movements}
    end = s.start + timedelta(days=s.horizon_days - 1)
    slots_used: dict[tuple[str, date], float] = defaultdict(float)
    handled: dict[tuple[str, date], float] = defaultdict(float)
    stored: dict[tuple[str, date], float] = defaultdict(float)
    planned: dict[str, int] = defaultdict(int)

    def use(legs: list[tuple[str, date]], units: int, slots: int) -> None:
        """Add the usage of `units` travelling `legs` to the three tallies."""
        for i, (link_id, depart) in enumerate(legs):
            k = links[link_id]
            arrive = depart + timedelta(days=k.days)
            slots_used[(k.id, depart)] += units * slots
            handled[(k.source, depart)] += units
            handled[(k.target, arrive)] += units
            if i + 1 < len(legs):
                day = arrive
                while day < legs[i + 1][1]:
                    stored[(k.target, day)] += units
                    day += timedelta(days=1)

    by_shipment: dict[str, list[tuple[str, date, int, int]]] = defaultdict(list)
    for f in s.fixed:
        by_shipment[f.shipment].append((f.link, f.depart, f.units, f.slots_per_unit))
    for legs in by_shipment.values():
        legs.sort(key=lambda x: x[1])
        use([(x[0], x[1]) for x in legs], legs[0][2], legs[0][3])
    # Dispatched legs may already overrun a capacity cut after they left: the
    # plan is only held to what they leave (never below zero).
    fixed_slots, fixed_handled, fixed_stored = dict(slots_used), dict(handled), dict(stored)
    slots_used.clear()
    handled.clear()
    stored.clear()

    for sh in plan.shipments:
        m = moves[sh.movement]
        planned[m.id] += sh.units
        if sh.units <= 0:
            problems.append(f"{sh.id}: no units")
        if not sh.legs:
            if m.origin != m.destination:
                problems.append(f"{sh.id}: no legs")
            continue
        if sh.legs[0].source != m.origin or sh.legs[-1].target != m.destination:
            problems.append(f"{sh.id}: does not run from origin to destination")
        if sh.legs[0].depart < m.release or sh.legs[0].depart < s.start:
            problems.append(f"{sh.id}: departs before release or start")
        if sh.arrival != sh.legs[-1].arrive or sh.arrival > end:
            problems.append(f"{sh.id}: arrival wrong or after the horizon")
        if sh.days_late != max(0, (sh.arrival - m.due).days):
            problems.append(f"{sh.id}: days late wrong")
        for a, b in zip(sh.legs, sh.legs[1:], strict=False):
            if a.target != b.source or a.arrive > b.depart:
                problems.append(f"{sh.id}: legs not connected in space and time")
        for leg in sh.legs:
            k = links[leg.link]
            if (k.source, k.target, k.mode) != (leg.source, leg.target, leg.mode):
                problems.append(f"{sh.id}: leg does not match link {k.id}")
            if leg.arrive != leg.depart + timedelta(days=k.days):
                problems.append(f"{sh.id}: leg transit time wrong")
            for place, day in ((k.source, leg.depart), (k.target, leg.arrive)):
                closed = nodes[place].closed_from
                if closed is not None and day >= closed:
                    problems.append(f"{sh.id}: uses closed node {place} on {day}")
        use([(leg.link, leg.depart) for leg in sh.legs], sh.units, m.slots_per_unit)

    for (link_id, day), used in slots_used.items():
        room = max(0.0, link_cap(s, link_id, day) - fixed_slots.get((link_id, day), 0))
        if s.start <= day <= end and used > room:
            problems.append(f"link {link_id} over capacity on {day}: {used}")
    for (node, day), used in handled.items():
        cap = nodes[node].handling_per_day
        room = None if cap is None else max(0, cap - fixed_handled.get((node, day), 0))
        if room is not None and s.start <= day <= end and used > room:
            problems.append(f"node {node} handling over capacity on {day}: {used}")
    for (node, day), used in stored.items():
        cap = nodes[node].storage
        room = None if cap is None else max(0, cap - fixed_stored.get((node, day), 0))
        if room is not None and s.start <= day <= end and used > room:
            problems.append(f"node {node} storage over capacity on {day}: {used}")
    unplanned: dict[str, int] = defaultdict(int)
    for u in plan.unplanned:
        unplanned[u.movement] += u.units
    for m in s.movements:
        if planned[m.id] + unplanned[m.id] != m.units:
            problems.append(f"{m.id}: {planned[m.id]} + {unplanned[m.id]} != {m.units}")
    return problems


def optimum(s: TransportScenario) -> tuple[int, int, float]:  # noqa: PLR0912 (the whole model in one place)
    """(units unplanned, unit-days late, cost) of the lexicographic optimum, by CP-SAT."""
    h = s.horizon_days
    nodes = {n.id: n for n in s.nodes}
    model = cp_model.CpModel()
    arcs: dict[tuple[str, str, int], cp_model.IntVar] = {}
    link_use: dict[tuple[str, int], list[tuple[int, cp_model.IntVar]]] = defaultdict(list)
    handle: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
    store: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)

    def closed(node: str, t: int) -> bool:
        c = nodes[node].closed_from
        return c is not None and t >= (c - s.start).days

    unplanned, late_terms, cost_terms = [], [], []
    for m in s.movements:
        release = max(0, (m.release - s.start).days)
        due = (m.due - s.start).days
        hold = {
            (n, t): model.new_int_var(0, 0 if n == m.destination else m.units, "")
            for n in nodes
            for t in range(h)
        }
        delivered = [model.new_int_var(0, m.units, "") for _ in range(h)]
        inflow: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        outflow: dict[tuple[str, int], list[cp_model.IntVar]] = defaultdict(list)
        for k in s.links:
            for t in range(h):
                if t + k.days >= h or closed(k.source, t) or closed(k.target, t + k.days):
                    continue
                day = s.start + timedelta(days=t)
                if link_cap(s, k.id, day) <= 0:
                    continue
                f = model.new_int_var(0, m.units, "")
                arcs[(m.id, k.id, t)] = f
                outflow[(k.source, t)].append(f)
                inflow[(k.target, t + k.days)].append(f)
                link_use[(k.id, t)].append((m.slots_per_unit, f))
                cost_terms.append(round(100 * k.cost) * m.slots_per_unit * f)
                handle[(k.source, t)].append(f)
                handle[(k.target, t + k.days)].append(f)
        for n in nodes:
            for t in range(h):
                supply = m.units if (n == m.origin and t == release) else 0
                before = hold[(n, t - 1)] if t > 0 else 0
                out = sum(outflow[(n, t)]) + hold[(n, t)]
                if n == m.destination:
                    out += delivered[t]
                model.add(sum(inflow[(n, t)]) + before + supply == out)
                if n != m.origin and t < h:
                    store[(n, t)].append(hold[(n, t)])
        for n in nodes:
            if n != m.origin:
                model.add(hold[(n, h - 1)] == 0)
        left = hold[(m.origin, h - 1)] if m.origin != m.destination else 0
        if m.origin == m.destination:
            model.add(delivered[release] == m.units) if release < h else None
        unplanned.append(left)
        late_terms += [max(0, t - due) * delivered[t] for t in range(h) if t > due]
    fixed_slots: dict[tuple[str, int], int] = defaultdict(int)
    fixed_handle: dict[tuple[str, int], int] = defaultdict(int)
    links = {k.id: k for k in s.links}
    for f in s.fixed:
        t, k = (f.depart - s.start).days, links[f.link]
        fixed_slots[(k.id, t)] += f.units * f.slots_per_unit
        fixed_handle[(k.source, t)] += f.units
        fixed_handle[(k.target, t + k.days)] += f.units
    for (link_id, t), terms in link_use.items():
        cap = link_cap(s, link_id, s.start + timedelta(days=t))
        if cap != float("inf"):
            model.add(sum(a * f for a, f in terms) <= max(0, int(cap) - fixed_slots[(link_id, t)]))
    for (n, t), terms in handle.items():
        cap = nodes[n].handling_per_day
        if cap is not None:
            model.add(sum(terms) <= max(0, cap - fixed_handle[(n, t)]))
    for (n, _), terms in store.items():
        cap = nodes[n].storage
        if cap is not None:
            model.add(sum(terms) <= cap)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    model.minimize(sum(unplanned))
    assert solver.solve(model) == cp_model.OPTIMAL
    best_unplanned = round(solver.objective_value)
    model.add(sum(unplanned) <= best_unplanned)
    model.minimize(sum(late_terms))
    assert solver.solve(model) == cp_model.OPTIMAL
    best_late = round(solver.objective_value)
    model.add(sum(late_terms) <= best_late)
    model.minimize(sum(cost_terms))
    assert solver.solve(model) == cp_model.OPTIMAL
    return best_unplanned, best_late, solver.objective_value / 100
