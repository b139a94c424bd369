"""Logistics tables and their mapping onto the model."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Sequence
from datetime import date

from sqlalchemy import (
    JSON,
    Column,
    ColumnElement,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    cast,
    func,
    or_,
    select,
    text,
)
from sqlalchemy.orm import Session

from materiel.core.markings import Classification, Marking, most_restrictive
from materiel.donations.plan_model import PlannedAllocation, PlanStatus, StoredPlan
from materiel.donations.plan_store import plan_allocations, plans
from materiel.logistics.model import (
    MOVING,
    Asset,
    CustodyEvent,
    CustodySerial,
    Discrepancy,
    DiscrepancyKind,
    Disruption,
    DisruptionKind,
    Shipment,
    ShipmentEvent,
    ShipmentLeg,
    ShipmentStatus,
    TransportPlanRecord,
    TransportPlanStatus,
)
from materiel.platform.column_types import ClassificationType, StringList, enum_column_type
from materiel.platform.database import mapper_registry, metadata

transport_plans = Table(
    "transport_plans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("allocation_plan_id", Integer, ForeignKey("plans.id"), nullable=False),
    Column("status", enum_column_type(TransportPlanStatus), nullable=False, index=True),
    Column("created_by", String(120), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("basis_id", Integer, ForeignKey("transport_plans.id")),
    Column("objective", JSON, nullable=False),
    Column("solver", JSON, nullable=False),
    Column("unplanned", JSON, nullable=False),
    Column("changes", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    # One accepted transport plan at a time, even when two accepts race (migration 0016).
    Index(
        "uq_transport_plans_one_accepted",
        "status",
        unique=True,
        sqlite_where=text("status = 'accepted'"),
        postgresql_where=text("status = 'accepted'"),
    ),
)

shipments = Table(
    "shipments",
    metadata,
    Column("id", String(200), primary_key=True),
    Column(
        "transport_plan_id", Integer, ForeignKey("transport_plans.id"), nullable=False, index=True
    ),
    Column("pledge", String(80), ForeignKey("pledges.id"), nullable=False, index=True),
    Column("requirement", String(80), ForeignKey("requirements.id"), nullable=False, index=True),
    Column("item_type", String(80), ForeignKey("item_types.id"), nullable=False),
    Column("units", Integer, nullable=False),
    Column("origin", String(80), ForeignKey("nodes.id"), nullable=False),
    Column("destination", String(80), ForeignKey("nodes.id"), nullable=False),
    Column("planned_arrival", Date, nullable=False),
    Column("days_late", Integer, nullable=False),
    Column("late_reason", Text),
    Column("status", enum_column_type(ShipmentStatus), nullable=False, index=True),
    Column("location", String(80), ForeignKey("nodes.id")),
    Column("units_received", Integer, nullable=False),
    Column("classification", ClassificationType, nullable=False),
    Column("releasable_to", StringList, nullable=False),
    Column("requirement_classification", ClassificationType, nullable=False),
    Column("requirement_releasable_to", StringList, nullable=False),
    Column("version", Integer, nullable=False),
)

shipment_legs = Table(
    "shipment_legs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("shipment_id", String(200), ForeignKey("shipments.id"), nullable=False, index=True),
    Column("seq", Integer, nullable=False),
    Column("link", String(200), nullable=False),
    Column("source", String(80), nullable=False),
    Column("target", String(80), nullable=False),
    Column("mode", String(10), nullable=False),
    Column("depart", Date, nullable=False, index=True),
    Column("arrive", Date, nullable=False),
)

shipment_events = Table(
    "shipment_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("shipment_id", String(200), ForeignKey("shipments.id"), nullable=False, index=True),
    Column("status", enum_column_type(ShipmentStatus), nullable=False),
    Column("node", String(80), ForeignKey("nodes.id")),
    Column("actor", String(120), nullable=False),
    Column("acknowledged_by", String(120)),
    Column("at", DateTime(timezone=True), nullable=False),
)

assets = Table(
    "assets",
    metadata,
    Column("serial", String(80), primary_key=True),
    Column("item_type", String(80), ForeignKey("item_types.id"), nullable=False),
    Column("holder", String(200), nullable=False, index=True),
    Column("location", String(80), ForeignKey("nodes.id")),
    Column("shipment_id", String(200), ForeignKey("shipments.id")),
    Column("condition", String(40), nullable=False),
    Column("version", Integer, nullable=False),
)

custody_events = Table(
    "custody_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("shipment_id", String(200), ForeignKey("shipments.id"), index=True),
    Column("node", String(80), ForeignKey("nodes.id"), nullable=False),
    Column("from_holder", String(200), nullable=False),
    Column("to_holder", String(200), nullable=False),
    Column("serials", JSON, nullable=False),
    Column("condition", String(40), nullable=False),
    Column("recorded_by", String(120), nullable=False),
    Column("acknowledged_by", String(120)),
    Column("at", DateTime(timezone=True), nullable=False),
)

# Each serial a custody event names, with the event's shipment (migration 0017):
# a serial's history is one lookup by serial, not a read of every event.
custody_serials = Table(
    "custody_serials",
    metadata,
    Column("serial", String(80), primary_key=True),
    Column("custody_event_id", Integer, ForeignKey("custody_events.id"), primary_key=True),
    Column("shipment_id", String(200), ForeignKey("shipments.id"), index=True),
)

discrepancies = Table(
    "discrepancies",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("shipment_id", String(200), ForeignKey("shipments.id"), nullable=False, index=True),
    Column("kind", enum_column_type(DiscrepancyKind), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("serials", JSON, nullable=False),
    Column("reason", Text, nullable=False),
    Column("recorded_by", String(120), nullable=False),
    Column("resolved_by", String(120)),
    Column("resolution", Text),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)

disruptions = Table(
    "disruptions",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("kind", enum_column_type(DisruptionKind), nullable=False),
    Column("target", String(200), nullable=False),
    Column("from_date", Date, nullable=False),
    Column("capacity", Integer),
    Column("note", Text, nullable=False),
    Column("version", Integer, nullable=False),
)

mapper_registry.map_imperatively(
    TransportPlanRecord, transport_plans, version_id_col=transport_plans.c.version
)
mapper_registry.map_imperatively(Shipment, shipments, version_id_col=shipments.c.version)
mapper_registry.map_imperatively(ShipmentLeg, shipment_legs)
mapper_registry.map_imperatively(ShipmentEvent, shipment_events)
mapper_registry.map_imperatively(Asset, assets, version_id_col=assets.c.version)
mapper_registry.map_imperatively(CustodyEvent, custody_events)
mapper_registry.map_imperatively(CustodySerial, custody_serials)
mapper_registry.map_imperatively(Discrepancy, discrepancies, version_id_col=discrepancies.c.version)
mapper_registry.map_imperatively(Disruption, disruptions, version_id_col=disruptions.c.version)


# Ids sent in one statement: PostgreSQL takes at most 65,535 bind parameters,
# and SQLite is built with as few as 32,766.
IDS_PER_STATEMENT = 10_000
# Shipments on their way: neither received nor cancelled, nor only proposed by a draft.
ON_THE_WAY = (
    ShipmentStatus.PLANNED,
    ShipmentStatus.DISPATCHED,
    ShipmentStatus.AT_HUB,
    ShipmentStatus.HANDED_OVER,
)


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), IDS_PER_STATEMENT):
        yield ids[start : start + IDS_PER_STATEMENT]


def _counted() -> ColumnElement[bool]:
    """Shipments the board and throughput count: all but proposed and cancelled ones."""
    left_out = [ShipmentStatus.PROPOSED.value, ShipmentStatus.CANCELLED.value]
    return shipments.c.status.not_in(left_out)


class LogisticsStore:
    """Reads shipments, assets and custody within a unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def accepted_plan(self) -> TransportPlanRecord | None:
        query = select(TransportPlanRecord).where(
            transport_plans.c.status == TransportPlanStatus.ACCEPTED.value
        )
        return self.session.scalars(query.order_by(transport_plans.c.id.desc()).limit(1)).first()

    def plans(self) -> list[TransportPlanRecord]:
        query = select(TransportPlanRecord).order_by(transport_plans.c.id.desc())
        return list(self.session.scalars(query))

    def shipments_of(self, plan_id: int) -> list[Shipment]:
        query = select(Shipment).where(shipments.c.transport_plan_id == plan_id)
        return list(self.session.scalars(query.order_by(shipments.c.id)))

    def shipments(self, status: ShipmentStatus | None = None) -> list[Shipment]:
        """Shipments with `status`; by default all but those only proposed by a draft plan."""
        query = select(Shipment)
        if status is not None:
            query = query.where(shipments.c.status == status.value)
        else:
            query = query.where(shipments.c.status != ShipmentStatus.PROPOSED.value)
        return list(self.session.scalars(query.order_by(shipments.c.id)))

    def legs(self, shipment_ids: Sequence[str]) -> list[ShipmentLeg]:
        """The legs of these shipments, by shipment and in order; any number of them.

        The ids go in chunks (one bind parameter each), so that a list longer
        than the database takes in one statement (65,535 on PostgreSQL) works.
        """
        ids = list(dict.fromkeys(shipment_ids))
        found: list[ShipmentLeg] = []
        for chunk in _chunks(ids):
            query = select(ShipmentLeg).where(shipment_legs.c.shipment_id.in_(chunk))
            order = (shipment_legs.c.shipment_id, shipment_legs.c.seq)
            found += self.session.scalars(query.order_by(*order))
        if len(ids) > IDS_PER_STATEMENT:
            found.sort(key=lambda leg: (leg.shipment_id, leg.seq))
        return found

    def on_the_board(self, today: date) -> list[Shipment]:
        """Shipments neither received nor cancelled that are under way or late, by id."""
        c = shipments.c
        listed = or_(
            c.status.in_(sorted(s.value for s in MOVING)),
            c.planned_arrival < today,
            c.days_late > 0,
        )
        query = select(Shipment).where(c.status.in_([s.value for s in ON_THE_WAY]), listed)
        return list(self.session.scalars(query.order_by(c.id)))

    def units_per_node_day(self) -> dict[str, Counter[date]]:
        """Units each node handles per day, leaving it and arriving at it, summed by the database.

        Of every shipment that counts (not proposed, not cancelled), received ones too.
        """
        legs, c = shipment_legs.c, shipments.c
        per_day: dict[str, Counter[date]] = {}
        for node, day in ((legs.source, legs.depart), (legs.target, legs.arrive)):
            query = (
                select(node, day, func.sum(c.units))
                .select_from(ShipmentLeg)
                .join(Shipment, c.id == legs.shipment_id)
                .where(_counted())
                .group_by(node, day)
            )
            for node_id, when, units in self.session.execute(query):
                per_day.setdefault(node_id, Counter())[when] += int(units)
        return per_day

    def counted_markings(self) -> list[Marking]:
        """The markings of the shipments that count (not proposed, not cancelled)."""
        return self.shipment_markings(_counted())

    def shipment_markings(self, where: ColumnElement[bool]) -> list[Marking]:
        """Each shipment's marking (the more restrictive of its pledge's and its requirement's)
        among those `where` selects and the reader sees: each pair of markings once, in the
        order of the first shipment (by id) that bears it. What a banner over them needs."""
        c = shipments.c
        columns = (
            c.classification,
            cast(c.releasable_to, Text),
            c.requirement_classification,
            cast(c.requirement_releasable_to, Text),
        )
        query = (
            select(*columns)
            .select_from(Shipment)
            .where(where)
            .group_by(*columns)
            .order_by(func.min(c.id))
        )
        return [
            most_restrictive(
                (
                    Marking(Classification(level), tuple(json.loads(releasable))),
                    Marking(Classification(r_level), tuple(json.loads(r_releasable))),
                )
            )
            for level, releasable, r_level, r_releasable in self.session.execute(query)
        ]

    def units_received(self, *, requirement: str | None = None, pledge: str | None = None) -> int:
        """Units received so far by the shipments for `requirement` and/or from `pledge`."""
        c = shipments.c
        query = (
            select(func.coalesce(func.sum(c.units_received), 0))
            .select_from(Shipment)
            .where(c.status == ShipmentStatus.RECEIVED.value)
        )
        if requirement is not None:
            query = query.where(c.requirement == requirement)
        if pledge is not None:
            query = query.where(c.pledge == pledge)
        return int(self.session.scalar(query) or 0)

    def allocated_in_accepted_plan(self, pledge: str) -> int:
        """Units of `pledge` the accepted allocation plan (the newest, were there two) allocates."""
        accepted = (
            select(func.max(plans.c.id))
            .select_from(StoredPlan)
            .where(plans.c.status == PlanStatus.ACCEPTED.value)
            .scalar_subquery()
        )
        lines = plan_allocations.c
        query = (
            select(func.coalesce(func.sum(lines.quantity), 0))
            .select_from(PlannedAllocation)
            .where(lines.plan_id == accepted, lines.pledge == pledge)
        )
        return int(self.session.scalar(query) or 0)

    def assets(self, serials: Sequence[str]) -> dict[str, Asset]:
        """The assets with these serials the session's reader sees, by serial."""
        found: dict[str, Asset] = {}
        for chunk in _chunks(list(serials)):
            query = select(Asset).where(assets.c.serial.in_(chunk))
            found.update((asset.serial, asset) for asset in self.session.scalars(query))
        return found

    def recorded_serials(self, serials: Sequence[str]) -> set[str]:
        """Which of these serials are recorded as assets (read as the session's reader)."""
        found: set[str] = set()
        for chunk in _chunks(list(serials)):
            query = select(assets.c.serial).select_from(Asset).where(assets.c.serial.in_(chunk))
            found.update(self.session.scalars(query))
        return found

    def events(self, shipment_id: str) -> list[ShipmentEvent]:
        query = select(ShipmentEvent).where(shipment_events.c.shipment_id == shipment_id)
        return list(self.session.scalars(query.order_by(shipment_events.c.id)))

    def custody_of(self, serial: str) -> list[CustodyEvent]:
        """The custody events that name `serial`, oldest first (found by the serial)."""
        query = (
            select(CustodyEvent)
            .join(CustodySerial, custody_serials.c.custody_event_id == custody_events.c.id)
            .where(custody_serials.c.serial == serial)
        )
        return list(self.session.scalars(query.order_by(custody_events.c.id)))

    def custody_for_shipment(self, shipment_id: str) -> list[CustodyEvent]:
        query = select(CustodyEvent).where(custody_events.c.shipment_id == shipment_id)
        return list(self.session.scalars(query.order_by(custody_events.c.id)))

    def discrepancies(
        self, shipment_id: str | None = None, *, open_only: bool = False
    ) -> list[Discrepancy]:
        query = select(Discrepancy)
        if shipment_id is not None:
            query = query.where(discrepancies.c.shipment_id == shipment_id)
        if open_only:
            query = query.where(discrepancies.c.resolved_by.is_(None))
        return list(self.session.scalars(query.order_by(discrepancies.c.id)))

    def disruptions(self) -> list[Disruption]:
        return list(self.session.scalars(select(Disruption).order_by(disruptions.c.id)))
