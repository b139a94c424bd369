"""From the solver's variables to stretches and back: the hint and the reader."""

from __future__ import annotations

from ortools.sat.python import cp_model

from materiel.demining.tasking.constraints import BASE, TaskingModel
from materiel.demining.tasking.instance import Instance
from materiel.demining.tasking.stretches import Stretch, fit, sequence, work_by_area


def add_hint(tm: TaskingModel, inst: Instance, stretches: list[Stretch]) -> None:
    """Give the solver a complete starting solution (absent blocks, arcs and releases too)."""
    model = tm.model
    chosen = {(s.a, s.r): s for s in stretches}
    for (a, r), block in tm.blocks.items():
        s = chosen.get((a, r))
        model.add_hint(block.present, s is not None)
        model.add_hint(block.days, s.days if s else 0)
        model.add_hint(block.travel, s.travel if s else 0)
        model.add_hint(block.work, s.work if s else 0)
    arcs_used = set()
    for a, idle in tm.idle.items():
        previous = BASE
        for s in sequence(stretches, a):
            arcs_used.add((a, previous, s.r))
            previous = s.r
        arcs_used.add((a, previous, BASE))
        model.add_hint(idle, previous == BASE)
    for key, arc in tm.arcs.items():
        model.add_hint(arc, key in arcs_used)
    work = work_by_area(inst, stretches)
    for r, released in enumerate(tm.released):
        model.add_hint(released, work[r] >= inst.need[r])


def read_stretches(tm: TaskingModel, inst: Instance, solver: cp_model.CpSolver) -> list[Stretch]:
    """Each asset's stretches in circuit order, back to back, trimmed to the days they take."""
    stretches = []
    for a in tm.idle:
        after = {p: q for (b, p, q), arc in tm.arcs.items() if b == a and solver.boolean_value(arc)}
        day, here = 0, after.get(BASE, BASE)
        while here != BASE:
            block = tm.blocks[a, here]
            taken = fit(
                inst,
                a,
                here,
                start=day,
                travel=solver.value(block.travel),
                work=solver.value(block.work),
            )
            assert taken is not None and taken.work == solver.value(block.work)
            stretches.append(taken)
            day, here = taken.last + 1, after[here]
    return stretches
