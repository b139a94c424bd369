"""Shipments, their legs and life, serial-numbered assets and their chain of custody.

Rules that need no I/O: the shipment life cycle, what a hand-over and a
receipt must say, how a discrepancy is opened and resolved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from materiel.core.dates import utc_now
from materiel.core.errors import Conflict, InvalidInput
from materiel.core.markings import (
    DEFAULT_RELEASABILITY,
    Classification,
    Marking,
    most_restrictive,
)


class ShipmentStatus(StrEnum):
    PROPOSED = "proposed"  # in a draft transport plan: not live until the plan is accepted
    PLANNED = "planned"
    DISPATCHED = "dispatched"
    AT_HUB = "at-hub"
    HANDED_OVER = "handed-over"
    RECEIVED = "received"
    CANCELLED = "cancelled"


SHIPMENT_TRANSITIONS: dict[ShipmentStatus, frozenset[ShipmentStatus]] = {
    ShipmentStatus.PROPOSED: frozenset({ShipmentStatus.PLANNED, ShipmentStatus.CANCELLED}),
    ShipmentStatus.PLANNED: frozenset({ShipmentStatus.DISPATCHED, ShipmentStatus.CANCELLED}),
    ShipmentStatus.DISPATCHED: frozenset({ShipmentStatus.AT_HUB, ShipmentStatus.HANDED_OVER}),
    ShipmentStatus.AT_HUB: frozenset({ShipmentStatus.DISPATCHED, ShipmentStatus.HANDED_OVER}),
    ShipmentStatus.HANDED_OVER: frozenset({ShipmentStatus.RECEIVED}),
    ShipmentStatus.RECEIVED: frozenset(),
    ShipmentStatus.CANCELLED: frozenset(),
}

MAX_UNITS = 1_000_000  # units, quantities, capacities per day: far above any real shipment

MOVING = frozenset({ShipmentStatus.DISPATCHED, ShipmentStatus.AT_HUB})
STARTED = frozenset(
    {
        ShipmentStatus.DISPATCHED,
        ShipmentStatus.AT_HUB,
        ShipmentStatus.HANDED_OVER,
        ShipmentStatus.RECEIVED,
    }
)


class TransportPlanStatus(StrEnum):
    DRAFT = "draft"
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"


class DiscrepancyKind(StrEnum):
    SHORT = "short"
    OVER = "over"
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong-item"


class DisruptionKind(StrEnum):
    NODE_CLOSED = "node-closed"
    LINK_REDUCED = "link-reduced"


@dataclass
class TransportPlanRecord:
    """One transport planner run for an accepted allocation plan."""

    allocation_plan_id: int
    created_by: str
    objective: dict[str, Any]
    solver: dict[str, Any]
    unplanned: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    basis_id: int | None = None
    status: TransportPlanStatus = TransportPlanStatus.DRAFT
    created_at: datetime = field(default_factory=utc_now)
    id: int | None = None
    version: int = 1

    def ensure_draft(self) -> None:
        if self.status is not TransportPlanStatus.DRAFT:
            raise Conflict(
                f"transport plan {self.id} is {self.status.value} already; "
                "only a draft can be accepted"
            )

    def accept(self) -> None:
        self.ensure_draft()
        self.status = TransportPlanStatus.ACCEPTED


@dataclass
class Shipment:
    """Units of one allocation (pledge -> requirement) moving together along legs.

    It bears its pledge's marking and its requirement's, and follows them when
    they are re-marked (`donations/markings.py`): whoever sees it may read both.
    """

    id: str
    transport_plan_id: int
    pledge: str
    requirement: str
    item_type: str
    units: int
    origin: str
    destination: str
    planned_arrival: date
    days_late: int
    status: ShipmentStatus = ShipmentStatus.PROPOSED
    late_reason: str | None = None  # transit times alone, or which capacity was full
    location: str | None = None
    units_received: int = 0
    classification: Classification = Classification.NATO_UNCLASSIFIED  # the pledge's
    releasable_to: tuple[str, ...] = DEFAULT_RELEASABILITY
    requirement_classification: Classification = Classification.NATO_UNCLASSIFIED
    requirement_releasable_to: tuple[str, ...] = DEFAULT_RELEASABILITY
    version: int = 1

    @property
    def marking(self) -> Marking:
        """The banner: the more restrictive of its pledge's and its requirement's markings."""
        return most_restrictive(
            (
                Marking(self.classification, self.releasable_to),
                Marking(self.requirement_classification, self.requirement_releasable_to),
            )
        )

    def move(self, status: ShipmentStatus, node: str | None) -> None:
        allowed = SHIPMENT_TRANSITIONS[self.status]
        if self.status is ShipmentStatus.PROPOSED and status not in allowed:
            raise Conflict(
                f"shipment {self.id} is only proposed: transport plan {self.transport_plan_id} "
                "is not accepted; accept that plan first, or act on the accepted plan's shipments"
            )
        if status not in allowed:
            named = ", ".join(sorted(s.value for s in allowed))
            raise Conflict(
                f"shipment {self.id} is {self.status.value} and cannot become {status.value}; "
                f"allowed next: {named or 'none, it is final'}"
            )
        if status in (ShipmentStatus.AT_HUB, ShipmentStatus.HANDED_OVER) and not node:
            raise InvalidInput(f"say at which node shipment {self.id} is {status.value}")
        self.status = status
        self.location = node or self.location


@dataclass
class ShipmentLeg:
    shipment_id: str
    seq: int
    link: str
    source: str
    target: str
    mode: str
    depart: date
    arrive: date
    id: int | None = None


@dataclass
class ShipmentEvent:
    """A step in a shipment's life: what happened, where, when, recorded by whom."""

    shipment_id: str
    status: ShipmentStatus
    node: str | None
    actor: str
    acknowledged_by: str | None = None  # who signed for it: a receipt's signature
    at: datetime = field(default_factory=utc_now)
    id: int | None = None


@dataclass
class Asset:
    """One serial-numbered major end item."""

    serial: str
    item_type: str
    holder: str
    location: str | None
    shipment_id: str | None = None
    condition: str = "serviceable"
    version: int = 1


@dataclass
class CustodyEvent:
    """A signed hand-over of assets from one holder to another, at a node, at a time."""

    shipment_id: str | None
    node: str
    from_holder: str
    to_holder: str
    serials: list[str]
    condition: str
    recorded_by: str
    acknowledged_by: str | None = None
    at: datetime = field(default_factory=utc_now)
    id: int | None = None

    def __post_init__(self) -> None:
        self.serials = [serial.strip() for serial in self.serials]
        self.from_holder, self.to_holder = self.from_holder.strip(), self.to_holder.strip()
        if not self.serials:
            raise InvalidInput("a hand-over names at least one serial number")
        if "" in self.serials:
            raise InvalidInput(
                f"serial number {self.serials.index('') + 1} of this hand-over is blank; "
                "name each serial once"
            )
        if len(set(self.serials)) != len(self.serials):
            raise InvalidInput("a serial number appears twice in this hand-over")
        for side, holder in (("from", self.from_holder), ("to", self.to_holder)):
            if not holder:
                raise InvalidInput(f"say who the items pass {side}: '{side}' holder is empty")
        if self.from_holder == self.to_holder:
            raise InvalidInput("a hand-over goes from one holder to another")
        if not (self.acknowledged_by or "").strip():
            raise InvalidInput(
                "a hand-over is acknowledged by a named person of the receiving side; "
                "fill 'acknowledged by'"
            )


@dataclass
class CustodySerial:
    """A serial a custody event names: a serial's history is found by it, not by reading all.

    Written with its event, never changed; it bears the event's shipment, so
    it is seen with that shipment, as the event is.
    """

    serial: str
    custody_event_id: int
    shipment_id: str | None


@dataclass
class Discrepancy:
    """A difference between what was sent and what was received; open until resolved."""

    shipment_id: str
    kind: DiscrepancyKind
    quantity: int
    reason: str
    recorded_by: str
    serials: list[str] = field(default_factory=list)
    resolved_by: str | None = None
    resolution: str | None = None
    at: datetime = field(default_factory=utc_now)
    id: int | None = None
    version: int = 1

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise InvalidInput("a discrepancy concerns at least 1 unit")
        if not self.reason.strip():
            raise InvalidInput("say why: a discrepancy needs a reason")

    @property
    def open(self) -> bool:
        return self.resolved_by is None

    def resolve(self, actor: str, resolution: str) -> None:
        if not self.open:
            raise Conflict(f"discrepancy {self.id} was already resolved by {self.resolved_by}")
        if not resolution.strip():
            raise InvalidInput("say how the discrepancy was resolved")
        self.resolved_by, self.resolution = actor, resolution


@dataclass(frozen=True)
class Finding:
    """A difference found on receipt."""

    kind: DiscrepancyKind
    quantity: int
    reason: str
    serials: tuple[str, ...] = ()

    def discrepancy(self, shipment_id: str, recorded_by: str) -> Discrepancy:
        return Discrepancy(
            shipment_id, self.kind, self.quantity, self.reason, recorded_by, list(self.serials)
        )


@dataclass(frozen=True)
class Receipt:
    """What the receiving unit confirms: units that arrived, differences, who signs."""

    units_received: int
    acknowledged_by: str
    findings: tuple[Finding, ...] = ()

    def check(self, units_sent: int) -> None:
        if not self.acknowledged_by.strip():
            raise InvalidInput("a receipt is acknowledged by a named person of the receiving unit")
        over = sum(f.quantity for f in self.findings if f.kind is DiscrepancyKind.OVER)
        if not 0 <= self.units_received <= units_sent + over:
            raise InvalidInput(
                f"{self.units_received} units received does not fit a shipment of {units_sent}; "
                "record surplus units as an 'over' discrepancy"
            )
        surplus = max(0, self.units_received - units_sent)
        if over and over != surplus:
            raise InvalidInput(
                f"an 'over' discrepancy counts the units received beyond the {units_sent} sent: "
                f"{surplus} here, not {over}"
            )
        missing = units_sent - self.units_received
        explained = sum(f.quantity for f in self.findings if f.kind is not DiscrepancyKind.OVER)
        if missing > explained:
            raise InvalidInput(
                f"{missing} units fewer than sent but {explained} explained: record a 'short', "
                "'damaged' or 'wrong-item' discrepancy with the reason"
            )
        if explained > units_sent:
            raise InvalidInput(
                f"the discrepancies concern {explained} units, but only {units_sent} were sent"
            )


@dataclass
class Disruption:
    """A node closed or a link's capacity cut from a date; planners take it as input."""

    id: str
    kind: DisruptionKind
    target: str
    from_date: date
    capacity: int | None = None
    note: str = ""
    version: int = 1
