"""Seeded synthetic transport scenarios for the benchmark and the tests.

Donor depots send by rail (slow, cheap, capacity-limited) or road (fast,
dear) to logistics hubs in neighbouring countries; hubs exchange among
themselves and forward by road to hand-over points at the border. Hubs
have limited handling and storage, hand-over points limited handling.
Movements are allocation lines aggregated by (origin depot, hand-over
point, item group), released over the first half of the horizon and due
two to six weeks later; demand is sized so that hub handling binds and
some units are late even in the best plan.

The large size is 30 depots, 6 hubs, 20 hand-over points, 90 days and 25
item groups: 270 links, so the naive time-expanded model (links x days x
groups) has about 0.6 million flow variables.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from materiel.logistics.planning.scenario import Link, Movement, Node, TransportScenario

START = date(2027, 3, 1)


@dataclass(frozen=True)
class Size:
    depots: int
    hubs: int
    handovers: int
    days: int
    groups: int
    movements: int


SIZES = {
    "small": Size(depots=8, hubs=3, handovers=5, days=45, groups=8, movements=60),
    "large": Size(depots=30, hubs=6, handovers=20, days=90, groups=25, movements=600),
}


def network(size: Size, rng: random.Random) -> tuple[list[Node], list[Link]]:
    """Depots -> 3 hubs by rail and road; hubs <-> hubs; 3 hubs -> each hand-over point."""
    depots = [Node(f"depot-{i:02d}") for i in range(size.depots)]
    hubs = [
        Node(f"hub-{i}", handling_per_day=rng.randint(100, 160), storage=rng.randint(200, 400))
        for i in range(size.hubs)
    ]
    handovers = [
        Node(f"ho-{i:02d}", handling_per_day=rng.randint(20, 35)) for i in range(size.handovers)
    ]
    links: list[Link] = []

    def link(source: Node, target: Node, mode: str, spec: tuple[int, float, int | None]) -> None:
        days, cost, cap = spec
        links.append(Link(f"L{len(links):03d}", source.id, target.id, mode, days, cost, cap))

    for depot in depots:
        for hub in rng.sample(hubs, min(3, len(hubs))):
            rail = rng.randint(4, 8)
            link(depot, hub, "rail", (rail, round(rng.uniform(1, 3), 2), rng.randint(20, 60)))
            road = max(2, rail - rng.randint(2, 3))
            link(depot, hub, "road", (road, round(rng.uniform(5, 9), 2), None))
    for a in hubs:
        for b in hubs:
            if a is not b:
                link(
                    a,
                    b,
                    "road",
                    (rng.randint(1, 3), round(rng.uniform(2, 4), 2), rng.randint(40, 80)),
                )
    for ho in handovers:
        for hub in rng.sample(hubs, min(3, len(hubs))):
            link(
                hub,
                ho,
                "road",
                (rng.randint(1, 3), round(rng.uniform(2, 6), 2), rng.randint(30, 60)),
            )
    return depots + hubs + handovers, links


def generate(size_name: str, seed: int = 1) -> TransportScenario:
    """A reproducible scenario of the named size."""
    size = SIZES[size_name]
    rng = random.Random(seed)
    nodes, links = network(size, rng)
    depots = [n.id for n in nodes if n.id.startswith("depot")]
    handovers = [n.id for n in nodes if n.id.startswith("ho")]
    slots = {f"G{g:02d}": rng.choice((1, 1, 2, 2, 3, 4, 6)) for g in range(size.groups)}
    seen: set[tuple[str, str, str]] = set()
    movements: list[Movement] = []
    while len(movements) < size.movements:
        origin, dest, group = rng.choice(depots), rng.choice(handovers), rng.choice(list(slots))
        if (origin, dest, group) in seen:
            continue
        seen.add((origin, dest, group))
        release = START + timedelta(days=rng.randint(0, size.days // 2))
        due = release + timedelta(days=rng.randint(6, 30))
        units = rng.randint(4, 44)
        movements.append(
            Movement(
                f"M{len(movements):04d}", origin, dest, units, slots[group], release, due, group
            )
        )
    return TransportScenario(START, size.days, tuple(nodes), tuple(links), tuple(movements))
