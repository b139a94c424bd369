"""Logistics tables and their mapping onto the model."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.orm import Session

from materiel.logistics.model import (
    Asset,
    CustodyEvent,
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
mapper_registry.map_imperatively(Discrepancy, discrepancies, version_id_col=discrepancies.c.version)
mapper_registry.map_imperatively(Disruption, disruptions, version_id_col=disruptions.c.version)


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

    def legs(self, shipment_ids: list[str]) -> list[ShipmentLeg]:
        query = select(ShipmentLeg).where(shipment_legs.c.shipment_id.in_(shipment_ids))
        return list(
            self.session.scalars(query.order_by(shipment_legs.c.shipment_id, shipment_legs.c.seq))
        )

    def events(self, shipment_id: str) -> list[ShipmentEvent]:
        query = select(ShipmentEvent).where(shipment_events.c.shipment_id == shipment_id)
        return list(self.session.scalars(query.order_by(shipment_events.c.id)))

    def custody_of(self, serial: str) -> list[CustodyEvent]:
        events = self.session.scalars(select(CustodyEvent).order_by(custody_events.c.id))
        return [e for e in events if serial in e.serials]

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
