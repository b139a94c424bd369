"""Small scenario builders shared by the planner tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from materiel.donations.planning.scenario import (
    Caveats,
    ItemType,
    Link,
    Node,
    Pairing,
    Pledge,
    Requirement,
    Scenario,
)

DAY0 = date(2027, 1, 1)


def req(rid: str = "R1", **kw: Any) -> Requirement:
    values: dict[str, Any] = {
        "item_type": "A",
        "quantity": 5,
        "priority": 1,
        "needed_by": date(2027, 2, 1),
        "destination": "UA",
        "unit": "1 Bde",
        "capability_area": "artillery",
    }
    values.update(kw)
    return Requirement(id=rid, **values)


def pledge(pid: str = "P1", **kw: Any) -> Pledge:
    values: dict[str, Any] = {
        "donor": "DEU",
        "item_type": "A",
        "quantity": 5,
        "available_from": DAY0,
        "origin": "DE",
    }
    values.update(kw)
    return Pledge(id=pid, **values)


def scenario(
    reqs: list[Requirement],
    pledges: list[Pledge],
    *,
    links: list[Link] | None = None,
    previous: list[Pairing] | None = None,
    pins: list[Pairing] | None = None,
    forbidden: list[Pairing] | None = None,
) -> Scenario:
    """Types A, B (family F) and C (family G); nodes DE -> PL -> UA, UB."""
    default_links = [Link("DE", "PL", 3, 10.0), Link("PL", "UA", 2, 5.0), Link("PL", "UB", 4, 1.0)]
    return Scenario(
        item_types=(ItemType("A", "F"), ItemType("B", "F"), ItemType("C", "G")),
        nodes=tuple(Node(n) for n in ("DE", "PL", "UA", "UB", "XX")),
        links=tuple(default_links if links is None else links),
        requirements=tuple(reqs),
        pledges=tuple(pledges),
        previous_plan=tuple(previous or ()),
        pins=tuple(pins or ()),
        forbidden=tuple(forbidden or ()),
    )


__all__ = ["Caveats", "Pairing", "pledge", "req", "scenario"]
