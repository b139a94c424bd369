"""The scenario turned into indexed data the solvers share.

Integer day numbers instead of dates, routes per origin, the residual
supply and demand after pins, and the connected components (sets of item
types linked by requirements that accept several of them), which are
solved independently.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from materiel.donations.planning import candidates
from materiel.donations.planning.network import Route, all_routes
from materiel.donations.planning.scenario import Pairing, Pledge, Requirement, Scenario


@dataclass(frozen=True)
class DroppedPin:
    """A pin (or part of it) that could not be kept, and why."""

    pin: Pairing
    quantity: int
    reason: str


@dataclass
class Instance:
    """Indexed view of a scenario; pledges and requirements by position."""

    scenario: Scenario
    routes: dict[str, dict[str, Route]]
    family: dict[str, str]
    forbidden: frozenset[tuple[str, str]]
    supply: list[int]
    demand: list[int]
    pinned: list[tuple[int, int, int]] = field(default_factory=list)
    dropped: list[DroppedPin] = field(default_factory=list)
    pledge_index: dict[str, int] = field(default_factory=dict)
    req_index: dict[str, int] = field(default_factory=dict)

    @property
    def pledges(self) -> tuple[Pledge, ...]:
        return self.scenario.pledges

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        return self.scenario.requirements

    def route(self, p: int, r: int) -> Route | None:
        """Fastest route from pledge p's origin to requirement r's destination."""
        return self.routes[self.pledges[p].origin].get(self.requirements[r].destination)

    def blocked(self, p: int, r: int) -> str | None:
        """Why pledge p may not fill requirement r (None if it may)."""
        pledge, req = self.pledges[p], self.requirements[r]
        return candidates.blocked(pledge, req, self.routes[pledge.origin], self.forbidden)

    @property
    def forbidden_pledges(self) -> set[str]:
        """Pledges named in at least one forbidden pairing."""
        return {p for p, _ in self.forbidden}

    def usable(self, p: int, r: int) -> bool:
        """Fast form of `blocked(p, r) is None` for scans (caveats, staff, route)."""
        pledge, req = self.pledges[p], self.requirements[r]
        caveats = pledge.caveats
        return (
            not candidates.area_blocked(caveats, req)
            and not candidates.unit_blocked(caveats, req)
            and (pledge.id, req.id) not in self.forbidden
            and req.destination in self.routes[pledge.origin]
        )

    def late_days(self, p: int, r: int) -> int:
        route = self.route(p, r)
        assert route is not None
        return candidates.days_late(
            candidates.arrival(self.pledges[p], route), self.requirements[r]
        )


def build_instance(scenario: Scenario) -> Instance:
    """Index the scenario and apply the pins."""
    inst = Instance(
        scenario=scenario,
        routes=all_routes((p.origin for p in scenario.pledges), scenario.links),
        family={t.id: t.family for t in scenario.item_types},
        forbidden=frozenset((f.pledge, f.requirement) for f in scenario.forbidden),
        supply=[p.quantity for p in scenario.pledges],
        demand=[r.quantity for r in scenario.requirements],
        pledge_index={p.id: i for i, p in enumerate(scenario.pledges)},
        req_index={r.id: i for i, r in enumerate(scenario.requirements)},
    )
    for pin in scenario.pins:
        apply_pin(inst, pin)
    return inst


def apply_pin(inst: Instance, pin: Pairing) -> None:
    """Keep as much of the pin as is still feasible; report the rest as dropped."""
    p, r = inst.pledge_index.get(pin.pledge), inst.req_index.get(pin.requirement)
    if p is None or r is None:
        missing = f"pledge {pin.pledge}" if p is None else f"requirement {pin.requirement}"
        inst.dropped.append(DroppedPin(pin, pin.quantity, f"{missing} no longer exists"))
        return
    reason = inst.blocked(p, r)
    if reason is not None:
        inst.dropped.append(DroppedPin(pin, pin.quantity, reason))
        return
    kept = min(pin.quantity, inst.supply[p], inst.demand[r])
    if kept < pin.quantity:
        why = (
            f"pledge {pin.pledge} has only {inst.supply[p]} units left"
            if inst.supply[p] < inst.demand[r]
            else f"requirement {pin.requirement} needs only {inst.demand[r]} more units"
        )
        inst.dropped.append(DroppedPin(pin, pin.quantity - kept, why))
    if kept > 0:
        inst.supply[p] -= kept
        inst.demand[r] -= kept
        inst.pinned.append((p, r, kept))


def components(inst: Instance) -> list[tuple[list[int], list[int]]]:
    """(pledges, requirements) per group of item types that interact."""
    parent: dict[str, str] = {t: t for t in inst.family}

    def find(t: str) -> str:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    for req in inst.requirements:
        first = find(req.item_type)
        for other in req.accepts:
            parent[find(other)] = first
    pledges: dict[str, list[int]] = defaultdict(list)
    reqs: dict[str, list[int]] = defaultdict(list)
    for p, pledge in enumerate(inst.pledges):
        if inst.supply[p] > 0:
            pledges[find(pledge.item_type)].append(p)
    for r, req in enumerate(inst.requirements):
        if inst.demand[r] > 0:
            reqs[find(req.item_type)].append(r)
    return [(pledges[root], reqs[root]) for root in reqs if pledges.get(root)]
