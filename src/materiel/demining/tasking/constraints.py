"""The CP-SAT model of tasking: variables, then one function per rule, then the objective.

An asset works an area in at most one *stretch* of consecutive days on its
own calendar (the working days it is available). Its stretches follow one
another in an order chosen by a circuit through its base, so the travel
into each stretch is known: the minutes from the previous area (or from
the base) are taken from the stretch's working time before any work is
done there. Areas need only their totals by the end of the horizon, so
assets are coupled only through the m2 each area still needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from materiel.demining.tasking.instance import RELEASE_FACTOR, Instance


@dataclass
class Block:
    """One (asset, area) pair's optional stretch of work."""

    a: int
    r: int
    present: cp_model.IntVar
    days: cp_model.IntVar  # available working days given to the stretch
    travel: cp_model.IntVar  # minutes, from the previous area or the base
    work: cp_model.IntVar  # m2


@dataclass
class TaskingModel:
    """The model and the handles the hint and the reader need."""

    model: cp_model.CpModel
    blocks: dict[tuple[int, int], Block] = field(default_factory=dict)
    arcs: dict[tuple[int, int, int], cp_model.IntVar] = field(default_factory=dict)
    released: list[cp_model.IntVar] = field(default_factory=list)
    idle: dict[int, cp_model.IntVar] = field(default_factory=dict)


BASE = -1  # the circuit's node for an asset's base, in `arcs` keys


def build_model(inst: Instance) -> TaskingModel:
    """Data -> variables -> rules -> objective."""
    tm = TaskingModel(cp_model.CpModel())
    for a in range(len(inst.assets)):
        for r in inst.candidates(a):
            tm.blocks[a, r] = new_block(tm.model, inst, a, r)
    for a in range(len(inst.assets)):
        one_area_per_day(tm, inst, a)
        travel_between_sites(tm, inst, a)
    for block in tm.blocks.values():
        work_fits_working_time(tm.model, inst, block)
    tm.released = [area_needs(tm, inst, r) for r in range(len(inst.areas))]
    maximise_weighted_release(tm, inst)
    return tm


def new_block(model: cp_model.CpModel, inst: Instance, a: int, r: int) -> Block:
    name = f"{a}_{r}"
    return Block(
        a=a,
        r=r,
        present=model.new_bool_var(f"p{name}"),
        days=model.new_int_var(0, inst.cum[a][-1], f"n{name}"),
        travel=model.new_int_var(0, _max_travel(inst, a, r), f"t{name}"),
        work=model.new_int_var(0, inst.need[r], f"w{name}"),
    )


def _max_travel(inst: Instance, a: int, r: int) -> int:
    return max([inst.base_travel[a][r], *(inst.travel[a][q][r] for q in range(len(inst.areas)))])


def one_area_per_day(tm: TaskingModel, inst: Instance, a: int) -> None:
    """An asset works at most one area a day: its stretches share its available days.

    Only the order of the stretches matters (it sets the travel), so the
    stretches follow each other in that order on the asset's own calendar
    of available days and need no start and end variables.
    """
    mine = [b for (b_a, _), b in tm.blocks.items() if b_a == a]
    available = inst.cum[a][-1]
    tm.model.add(sum(b.days for b in mine) <= available)
    for b in mine:  # present <=> at least one day (linear, so the LP sees it)
        tm.model.add(b.days >= b.present)
        tm.model.add(b.days <= available * b.present)


def travel_between_sites(tm: TaskingModel, inst: Instance, a: int) -> None:
    """Stretches are worked in one order from the base; each starts with the travel into it.

    Node 0 of the circuit is the base; a self-loop leaves an area out (or,
    on the base, leaves the asset idle). An arc `i -> j` puts stretch `j`
    right after stretch `i` and makes the travel into `j` the minutes from `i`.
    """
    model = tm.model
    areas = [r for (b_a, r) in tm.blocks if b_a == a]
    if not areas:
        return
    node = {r: k + 1 for k, r in enumerate(areas)}
    idle = tm.idle[a] = model.new_bool_var(f"idle{a}")
    circuit: list[tuple[int, int, cp_model.LiteralT]] = [(0, 0, idle)]
    incoming: dict[int, list[tuple[cp_model.IntVar, int]]] = {r: [] for r in areas}
    for r in areas:
        present = tm.blocks[a, r].present
        model.add_implication(idle, ~present)
        first = tm.arcs[a, BASE, r] = model.new_bool_var(f"f{a}_{r}")
        last = tm.arcs[a, r, BASE] = model.new_bool_var(f"l{a}_{r}")
        circuit += [(node[r], node[r], ~present), (0, node[r], first), (node[r], 0, last)]
        incoming[r].append((first, inst.base_travel[a][r]))
    for r in areas:
        for q in areas:
            if r != q:
                arc = tm.arcs[a, r, q] = model.new_bool_var(f"x{a}_{r}_{q}")
                circuit.append((node[r], node[q], arc))
                incoming[q].append((arc, inst.travel[a][r][q]))
    model.add_circuit(circuit)
    for r in areas:
        model.add(tm.blocks[a, r].travel == sum(t * lit for lit, t in incoming[r]))


def work_fits_working_time(model: cp_model.CpModel, inst: Instance, block: Block) -> None:
    """Work on a stretch fits its working minutes after travel; an absent stretch does none.

    A present stretch does some work (moving somewhere only to leave again
    never helps when travel times obey the triangle inequality).
    """
    rate = inst.rate[block.a][block.r]
    minutes = block.days * inst.day_minutes - block.travel
    # Plain linear rows, no enforcement: an absent block has no days, no
    # travel (no arc enters it) and no work, so they hold for it too.
    model.add(60 * block.work <= rate * minutes)
    model.add(block.work >= block.present)
    model.add(block.work <= inst.need[block.r] * block.present)


def area_needs(tm: TaskingModel, inst: Instance, r: int) -> cp_model.IntVar:
    """No area gets more work than it needs; it is released only when it gets all of it."""
    released = tm.model.new_bool_var(f"rel{r}")
    work = [b.work for (_, q), b in tm.blocks.items() if q == r]
    tm.model.add(sum(work) <= inst.need[r])
    tm.model.add(sum(work) >= inst.need[r] * released)
    if not work:
        tm.model.add(released == 0)
    return released


def maximise_weighted_release(tm: TaskingModel, inst: Instance) -> None:
    """Priority x m2 of released areas, plus 1/100 of priority x m2 worked (partial progress)."""
    released = sum(
        RELEASE_FACTOR * inst.weight[r] * inst.release_worth(r) * tm.released[r]
        for r in range(len(inst.areas))
    )
    progress = sum(inst.weight[b.r] * b.work for b in tm.blocks.values())
    tm.model.maximize(released + progress)
