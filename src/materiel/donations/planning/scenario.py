"""The planner's input: plain frozen dataclasses, no I/O.

A `Scenario` is everything one allocation run needs: the catalogue slice
(item types and their families), the transport network, the partner's
requirements, the donors' pledges, and the staff's decisions (previous
plan, pins, forbidden pairings). Parsing and validation live in
`scenario_json.py`; this module only says what the data is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

PRIORITIES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class ItemType:
    """One model of equipment; commonality is counted inside its family."""

    id: str
    family: str


@dataclass(frozen=True)
class Node:
    """A place in the network (depot, hub, hand-over point)."""

    id: str


@dataclass(frozen=True)
class Link:
    """A directed transport connection; `cost` is per unit moved."""

    source: str
    target: str
    days: int
    cost: float


@dataclass(frozen=True)
class Requirement:
    """One line of the partner's need."""

    id: str
    item_type: str
    quantity: int
    priority: int
    needed_by: date
    destination: str
    accepts: tuple[str, ...] = ()
    unit: str | None = None
    capability_area: str | None = None

    @property
    def accepted_types(self) -> tuple[str, ...]:
        """The named item type first, then the substitutes it accepts."""
        return (self.item_type, *(t for t in self.accepts if t != self.item_type))

    @property
    def unit_key(self) -> str:
        """The receiving unit; a line without one counts as its own unit."""
        return self.unit if self.unit is not None else f"(requirement {self.id})"


@dataclass(frozen=True)
class Caveats:
    """A donor's conditions on a pledge; `None` means no restriction."""

    areas: frozenset[str] | None = None
    units: frozenset[str] | None = None
    not_before: date | None = None


@dataclass(frozen=True)
class Pledge:
    """One donor offer."""

    id: str
    donor: str
    item_type: str
    quantity: int
    available_from: date
    origin: str
    caveats: Caveats = field(default_factory=Caveats)


@dataclass(frozen=True)
class Pairing:
    """A (pledge, requirement) pair; `quantity` is 0 for forbidden pairings."""

    pledge: str
    requirement: str
    quantity: int = 0


@dataclass(frozen=True)
class Scenario:
    """Everything one allocation run needs, already validated."""

    item_types: tuple[ItemType, ...]
    nodes: tuple[Node, ...]
    links: tuple[Link, ...]
    requirements: tuple[Requirement, ...]
    pledges: tuple[Pledge, ...]
    previous_plan: tuple[Pairing, ...] = ()
    pins: tuple[Pairing, ...] = ()
    forbidden: tuple[Pairing, ...] = ()
    warnings: tuple[str, ...] = ()
