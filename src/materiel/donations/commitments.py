"""Units already given: what has left a pledge for a requirement, and what arrived.

An allocation re-plan must not give again what is under way or received
(hard rule 1: a pledge gives no more than it offers, a requirement receives
no more than it asks for), and a requirement's status follows its deliveries
once a unit has arrived. Those facts live in logistics, which donations may
not read (DESIGN.md: dependencies run downstream only); so logistics installs
a reader at start-up (`bootstrap`), and without one nothing has left yet.

The re-plan then plans only what is left: a pledge less the units that left
it, a requirement less the units received or still on their way to it (units
reported lost become a gap again). The committed units come back into the
plan as lines of their own, so the plan still says where every unit goes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy.orm import Session

from materiel.donations.model import RequirementStatus
from materiel.donations.planning.plan import Allocation, Plan


@dataclass(frozen=True)
class Commitment:
    """Units of one pledge that have left for one requirement."""

    pledge: str
    requirement: str
    sent: int  # left the pledge's origin
    arriving: int  # of those, received or still on their way (not reported lost)
    received: int
    arrival: date  # latest arrival, planned or recorded

    @property
    def on_the_way(self) -> int:
        return max(0, self.arriving - self.received)


@dataclass(frozen=True)
class Need:
    """What a planned requirement's committed lines are measured against."""

    quantity: int
    priority: int
    needed_by: date


Reader = Callable[[Session], Sequence[Commitment]]


_readers: list[Reader] = []  # the one installed, if any


def install(reader: Reader) -> None:
    """Read commitments with `reader` from now on (logistics' shipments)."""
    _readers[:] = [reader]


def read(session: Session) -> list[Commitment]:
    """Every (pledge, requirement) pair with units that have left, as recorded now."""
    return [c for reader in _readers for c in reader(session)]


def sent_by_pledge(given: Iterable[Commitment]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for c in given:
        totals[c.pledge] += c.sent
    return dict(totals)


def arriving_by_requirement(given: Iterable[Commitment]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for c in given:
        totals[c.requirement] += c.arriving
    return dict(totals)


def received_by_requirement(given: Iterable[Commitment]) -> dict[str, int]:
    totals: dict[str, int] = defaultdict(int)
    for c in given:
        totals[c.requirement] += c.received
    return dict(totals)


def sent_by_pair(given: Iterable[Commitment]) -> dict[tuple[str, str], int]:
    return {(c.pledge, c.requirement): c.sent for c in given}


def requirement_status(quantity: int, allocated: int, received: int) -> RequirementStatus:
    """Until a unit has arrived the allocation decides (met: fully allocated); then deliveries."""
    units = received if received > 0 else allocated
    if units >= quantity:
        return RequirementStatus.MET
    return RequirementStatus.PARTLY_MET if units else RequirementStatus.OPEN


def with_commitments(plan: Plan, given: Sequence[Commitment], needs: Mapping[str, Need]) -> Plan:
    """The planner's plan of what was left, with the units already given as lines again.

    A pair's line counts the units that left it (what its shipments carried),
    so transport plans only the rest; `met_by_priority` counts the units that
    reach the requirement.
    """
    lines = {(a.pledge, a.requirement): a for a in plan.allocations}
    met = dict(plan.objective.met_by_priority)
    for c in given:
        need = needs.get(c.requirement)
        if need is None or c.sent <= 0:
            continue
        met[need.priority] = met.get(need.priority, 0) + c.arriving
        lines[c.pledge, c.requirement] = _merged(lines.get((c.pledge, c.requirement)), c, need)
    return replace(
        plan,
        allocations=tuple(lines[key] for key in sorted(lines)),
        objective=replace(plan.objective, met_by_priority=met),
    )


def _merged(planned: Allocation | None, c: Commitment, need: Need) -> Allocation:
    lost = c.sent - c.arriving
    said = f"{c.sent} units already left: {c.received} received" + (
        f", {lost} reported lost" if lost > 0 else ""
    )
    if planned is None:
        days_late = max(0, (c.arrival - need.needed_by).days)
        return Allocation(c.pledge, c.requirement, c.sent, c.arrival, days_late, (said,))
    arrival = max(planned.arrival, c.arrival)
    return replace(
        planned,
        quantity=planned.quantity + c.sent,
        arrival=arrival,
        days_late=max(0, (arrival - need.needed_by).days),
        reasons=(said, *planned.reasons),
    )


def warnings(
    given: Sequence[Commitment],
    needs: Mapping[str, Need],
    offers: Mapping[str, int],
) -> list[str]:
    """What staff must decide: units on their way to lines no longer planned, or past a record.

    `needs` are the planned requirements, `offers` the planned pledges'
    quantities.
    """
    notes = [
        f"{c.on_the_way} units of pledge {c.pledge} are on their way to requirement "
        f"{c.requirement}, which is no longer planned (cancelled): decide where they go"
        for c in given
        if c.requirement not in needs and c.on_the_way
    ]
    notes += [
        f"{c.on_the_way} units of pledge {c.pledge}, which is no longer planned (withdrawn "
        f"or delivered), are on their way to requirement {c.requirement}; they count toward it"
        for c in given
        if c.pledge not in offers and c.requirement in needs and c.on_the_way
    ]
    arriving = arriving_by_requirement(given)
    notes += [
        f"requirement {r} asks for {need.quantity} units but {arriving[r]} are received "
        "or on their way to it"
        for r, need in needs.items()
        if arriving.get(r, 0) > need.quantity
    ]
    sent = sent_by_pledge(given)
    notes += [
        f"pledge {p} offers {quantity} units but {sent[p]} have left it"
        for p, quantity in offers.items()
        if sent.get(p, 0) > quantity
    ]
    return notes


def left_since(plan_lines: Mapping[tuple[str, str], int], given: Sequence[Commitment]) -> list[str]:
    """Pairs whose units that left now exceed the plan's line: the plan was made before."""
    return [
        f"{c.pledge} → {c.requirement}: {c.sent} units have left, the plan gives "
        f"{plan_lines.get((c.pledge, c.requirement), 0)}"
        for c in given
        if c.sent > plan_lines.get((c.pledge, c.requirement), 0)
    ]
