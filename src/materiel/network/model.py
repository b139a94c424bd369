"""The places equipment moves between, and the directed links joining them.

Requirements name a destination node and pledges an origin node; the
allocation planner reads transit days and costs over the links. Shipments
and custody (the `logistics/` capability) build on these.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from materiel.catalog.model import check_slug
from materiel.core.errors import InvalidInput


class NodeKind(StrEnum):
    DEPOT = "depot"
    HUB = "hub"
    HANDOVER = "handover"
    REPAIR = "repair"
    TRAINING = "training"


class TransportMode(StrEnum):
    ROAD = "road"
    RAIL = "rail"
    AIR = "air"
    SEA = "sea"


@dataclass
class Node:
    """A depot, hub, hand-over point, repair facility or training site."""

    id: str
    name: str
    kind: NodeKind
    country: str
    lat: float
    lon: float
    operator: str | None = None
    handling_per_day: int | None = None
    storage: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        check_slug(self.id, "node id")
        if not -90 <= self.lat <= 90 or not -180 <= self.lon <= 180:
            raise InvalidInput(
                f"node '{self.id}': position {self.lat}, {self.lon} is off the globe"
            )


@dataclass
class Link:
    """A directed transport connection; `id` is `from>to:mode`."""

    id: str
    from_node: str
    to_node: str
    mode: TransportMode
    days: float
    cost: float
    capacity_per_day: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        if self.from_node == self.to_node:
            raise InvalidInput(f"link from '{self.from_node}' leads back to itself")
        if self.days < 0 or self.cost < 0:
            raise InvalidInput("link days and cost cannot be negative")

    @staticmethod
    def make_id(from_node: str, to_node: str, mode: TransportMode) -> str:
        return f"{from_node}>{to_node}:{mode.value}"
