"""The transport planner's input: plain frozen dataclasses, no I/O.

A `TransportScenario` is everything one transport run needs: the network
(nodes with their daily handling and storage capacity, directed links
with transit days, cost and daily capacity), the disruptions (a node
closed from a date, a link's capacity cut from a date), the movements to
plan (allocation lines aggregated by origin, destination and item group)
and the legs already dispatched, which keep their days and use capacity.
Parsing and validation live in `scenario_json.py`.

Units are whole items; link capacity is in slots, and one unit of an item
group takes `slots_per_unit` slots, so groups share the links. Node
capacities count units.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Node:
    """A place in the network; `None` capacities are unlimited.

    `handling_per_day` counts units arriving plus units departing on a day;
    `storage` counts units held at the end of a day by shipments passing
    through (units waiting at their own origin do not count: they were
    there before the plan). From `closed_from` on, nothing arrives or departs.
    """

    id: str
    handling_per_day: int | None = None
    storage: int | None = None
    closed_from: date | None = None


@dataclass(frozen=True)
class Link:
    """A directed connection; `cost` is per slot moved, capacity in slots departing per day.

    From `reduced_from` on, `reduced_capacity` replaces `capacity_per_day`
    (`None` there means the link is cut: no departures at all).
    """

    id: str
    source: str
    target: str
    mode: str
    days: int
    cost: float
    capacity_per_day: int | None = None
    reduced_from: date | None = None
    reduced_capacity: int | None = None


@dataclass(frozen=True)
class Movement:
    """One group of units to move from `origin` to `destination`, not before `release`."""

    id: str
    origin: str
    destination: str
    units: int
    slots_per_unit: int
    release: date
    due: date
    item_group: str


@dataclass(frozen=True)
class FixedLeg:
    """Part of a shipment already dispatched: it keeps its days and uses capacity."""

    shipment: str
    link: str
    depart: date
    units: int
    slots_per_unit: int


@dataclass(frozen=True)
class TransportScenario:
    """Everything one transport run needs, already validated."""

    start: date
    horizon_days: int
    nodes: tuple[Node, ...]
    links: tuple[Link, ...]
    movements: tuple[Movement, ...]
    fixed: tuple[FixedLeg, ...] = ()
    warnings: tuple[str, ...] = ()
