"""Seeded synthetic allocation scenarios for the benchmark and the tests.

Sixty item types in fifteen families; a requirement accepts one to three
types of its family, so it is compatible with about 1.7 to 5 % of the
pledges. Donors have policies (caveats on areas or units) shared by all
their pledges, some pledges carry a not-before date, and a few
destinations cannot be reached from every depot. Supply is about 85 % of
demand, so priorities matter.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from materiel.donations.planning.scenario import (
    Caveats,
    ItemType,
    Link,
    Node,
    Pledge,
    Requirement,
    Scenario,
)

FAMILIES = 15
TYPES_PER_FAMILY = 4
DEPOTS, HUBS, DESTINATIONS, DONORS = 20, 5, 30, 30
AREAS = ("artillery", "armour", "air defence", "drones", "demining", "infantry mobility")
START = date(2027, 1, 1)


def network(rng: random.Random) -> tuple[list[Node], list[Link]]:
    """Depots -> hubs -> destinations; hub 4 does not serve the last destinations."""
    depots = [f"depot-{i}" for i in range(DEPOTS)]
    hubs = [f"hub-{i}" for i in range(HUBS)]
    dests = [f"dest-{i}" for i in range(DESTINATIONS)]
    links = []
    for depot in depots:
        for hub in rng.sample(hubs, 2):
            links.append(Link(depot, hub, rng.randint(2, 8), rng.randint(5, 40)))
    for hub in hubs:
        served = dests if hub != "hub-4" else dests[: DESTINATIONS - 5]
        for dest in served:
            links.append(Link(hub, dest, rng.randint(1, 5), rng.randint(2, 12)))
    nodes = [Node(n) for n in depots + hubs + dests]
    return nodes, links


def policies(rng: random.Random, units: list[str]) -> list[Caveats]:
    """One caveat policy per donor: most none, some areas, some units."""
    found = []
    for _ in range(DONORS):
        roll = rng.random()
        if roll < 0.15:
            found.append(Caveats(areas=frozenset(rng.sample(AREAS, 3))))
        elif roll < 0.25:
            found.append(Caveats(units=frozenset(rng.sample(units, max(1, len(units) // 3)))))
        else:
            found.append(Caveats())
    return found


def generate(n_requirements: int, n_pledges: int, seed: int = 1) -> Scenario:
    """A scenario with the given numbers of requirement lines and pledges."""
    rng = random.Random(seed)
    nodes, links = network(rng)
    families = [f"family-{f}" for f in range(FAMILIES)]
    types = [
        ItemType(f"type-{f}-{t}", families[f])
        for f in range(FAMILIES)
        for t in range(TYPES_PER_FAMILY)
    ]
    units = [f"unit-{u}" for u in range(max(20, n_requirements // 50))]
    home = {u: f"dest-{rng.randrange(DESTINATIONS)}" for u in units}
    reqs = [requirement(rng, i, units, home) for i in range(n_requirements)]
    demand = sum(r.quantity for r in reqs)
    mean = max(1.0, 0.85 * demand / n_pledges)
    donor_policy = policies(rng, units)
    pledges = [pledge(rng, i, mean, donor_policy) for i in range(n_pledges)]
    return Scenario(tuple(types), tuple(nodes), tuple(links), tuple(reqs), tuple(pledges))


def requirement(rng: random.Random, i: int, units: list[str], home: dict[str, str]) -> Requirement:
    family = rng.randrange(FAMILIES)
    chosen = rng.sample(range(TYPES_PER_FAMILY), rng.randint(1, 3))
    unit = rng.choice(units)
    return Requirement(
        id=f"R{i}",
        item_type=f"type-{family}-{chosen[0]}",
        accepts=tuple(f"type-{family}-{t}" for t in chosen[1:]),
        quantity=rng.randint(1, 20),
        priority=rng.choices((1, 2, 3, 4, 5), weights=(15, 25, 30, 20, 10))[0],
        needed_by=START + timedelta(days=rng.randint(0, 240)),
        destination=home[unit],
        unit=unit,
        capability_area=AREAS[family % len(AREAS)],
    )


def pledge(rng: random.Random, i: int, mean: float, donor_policy: list[Caveats]) -> Pledge:
    donor = rng.randrange(DONORS)
    caveats = donor_policy[donor]
    if rng.random() < 0.1:
        later = START + timedelta(days=rng.randint(30, 200))
        caveats = Caveats(caveats.areas, caveats.units, later)
    return Pledge(
        id=f"P{i}",
        donor=f"D{donor:02d}",
        item_type=f"type-{rng.randrange(FAMILIES)}-{rng.randrange(TYPES_PER_FAMILY)}",
        quantity=rng.randint(1, max(1, round(2 * mean) - 1)),
        available_from=START + timedelta(days=rng.randint(-30, 200)),
        origin=f"depot-{donor % DEPOTS}",
        caveats=caveats,
    )
