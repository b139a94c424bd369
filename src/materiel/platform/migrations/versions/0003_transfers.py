"""transfers: shipments, custody, capacities

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 02:39:15.503448
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "disruptions",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "node-closed", "link-reduced", name="disruptionkind", native_enum=False, length=20
            ),
            nullable=False,
        ),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disruptions")),
    )
    op.create_table(
        "transport_plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("allocation_plan_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "accepted",
                "superseded",
                name="transportplanstatus",
                native_enum=False,
                length=18,
            ),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("basis_id", sa.Integer(), nullable=True),
        sa.Column("objective", sa.JSON(), nullable=False),
        sa.Column("solver", sa.JSON(), nullable=False),
        sa.Column("unplanned", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["allocation_plan_id"],
            ["plans.id"],
            name=op.f("fk_transport_plans_allocation_plan_id_plans"),
        ),
        sa.ForeignKeyConstraint(
            ["basis_id"],
            ["transport_plans.id"],
            name=op.f("fk_transport_plans_basis_id_transport_plans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transport_plans")),
    )
    with op.batch_alter_table("transport_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_transport_plans_status"), ["status"], unique=False)

    op.create_table(
        "shipments",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("transport_plan_id", sa.Integer(), nullable=False),
        sa.Column("pledge", sa.String(length=80), nullable=False),
        sa.Column("requirement", sa.String(length=80), nullable=False),
        sa.Column("item_type", sa.String(length=80), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("origin", sa.String(length=80), nullable=False),
        sa.Column("destination", sa.String(length=80), nullable=False),
        sa.Column("planned_arrival", sa.Date(), nullable=False),
        sa.Column("days_late", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "dispatched",
                "at-hub",
                "handed-over",
                "received",
                "cancelled",
                name="shipmentstatus",
                native_enum=False,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column("location", sa.String(length=80), nullable=True),
        sa.Column("units_received", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["destination"], ["nodes.id"], name=op.f("fk_shipments_destination_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["item_type"], ["item_types.id"], name=op.f("fk_shipments_item_type_item_types")
        ),
        sa.ForeignKeyConstraint(
            ["location"], ["nodes.id"], name=op.f("fk_shipments_location_nodes")
        ),
        sa.ForeignKeyConstraint(["origin"], ["nodes.id"], name=op.f("fk_shipments_origin_nodes")),
        sa.ForeignKeyConstraint(
            ["pledge"], ["pledges.id"], name=op.f("fk_shipments_pledge_pledges")
        ),
        sa.ForeignKeyConstraint(
            ["requirement"], ["requirements.id"], name=op.f("fk_shipments_requirement_requirements")
        ),
        sa.ForeignKeyConstraint(
            ["transport_plan_id"],
            ["transport_plans.id"],
            name=op.f("fk_shipments_transport_plan_id_transport_plans"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipments")),
    )
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipments_pledge"), ["pledge"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipments_requirement"), ["requirement"], unique=False)
        batch_op.create_index(batch_op.f("ix_shipments_status"), ["status"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_shipments_transport_plan_id"), ["transport_plan_id"], unique=False
        )

    op.create_table(
        "assets",
        sa.Column("serial", sa.String(length=80), nullable=False),
        sa.Column("item_type", sa.String(length=80), nullable=False),
        sa.Column("holder", sa.String(length=200), nullable=False),
        sa.Column("location", sa.String(length=80), nullable=True),
        sa.Column("shipment_id", sa.String(length=200), nullable=True),
        sa.Column("condition", sa.String(length=40), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_type"], ["item_types.id"], name=op.f("fk_assets_item_type_item_types")
        ),
        sa.ForeignKeyConstraint(["location"], ["nodes.id"], name=op.f("fk_assets_location_nodes")),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_assets_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("serial", name=op.f("pk_assets")),
    )
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_assets_holder"), ["holder"], unique=False)

    op.create_table(
        "custody_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("shipment_id", sa.String(length=200), nullable=True),
        sa.Column("node", sa.String(length=80), nullable=False),
        sa.Column("from_holder", sa.String(length=200), nullable=False),
        sa.Column("to_holder", sa.String(length=200), nullable=False),
        sa.Column("serials", sa.JSON(), nullable=False),
        sa.Column("condition", sa.String(length=40), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=120), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["node"], ["nodes.id"], name=op.f("fk_custody_events_node_nodes")),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_custody_events_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_events")),
    )
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custody_events_shipment_id"), ["shipment_id"], unique=False
        )

    op.create_table(
        "discrepancies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("shipment_id", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "short",
                "over",
                "damaged",
                "wrong-item",
                name="discrepancykind",
                native_enum=False,
                length=18,
            ),
            nullable=False,
        ),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("serials", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("resolved_by", sa.String(length=120), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_discrepancies_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_discrepancies")),
    )
    with op.batch_alter_table("discrepancies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_discrepancies_shipment_id"), ["shipment_id"], unique=False
        )

    op.create_table(
        "shipment_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("shipment_id", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "dispatched",
                "at-hub",
                "handed-over",
                "received",
                "cancelled",
                name="shipmentstatus",
                native_enum=False,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column("node", sa.String(length=80), nullable=True),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["node"], ["nodes.id"], name=op.f("fk_shipment_events_node_nodes")),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_shipment_events_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_events")),
    )
    with op.batch_alter_table("shipment_events", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shipment_events_shipment_id"), ["shipment_id"], unique=False
        )

    op.create_table(
        "shipment_legs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("shipment_id", sa.String(length=200), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("link", sa.String(length=200), nullable=False),
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("target", sa.String(length=80), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("depart", sa.Date(), nullable=False),
        sa.Column("arrive", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_shipment_legs_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipment_legs")),
    )
    with op.batch_alter_table("shipment_legs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shipment_legs_depart"), ["depart"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_shipment_legs_shipment_id"), ["shipment_id"], unique=False
        )

    with op.batch_alter_table("item_types", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("transport_slots", sa.Integer(), server_default="1", nullable=False)
        )

    with op.batch_alter_table("nodes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("handling_per_day", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("storage", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("nodes", schema=None) as batch_op:
        batch_op.drop_column("storage")
        batch_op.drop_column("handling_per_day")

    with op.batch_alter_table("item_types", schema=None) as batch_op:
        batch_op.drop_column("transport_slots")

    with op.batch_alter_table("shipment_legs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_legs_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_shipment_legs_depart"))

    op.drop_table("shipment_legs")
    with op.batch_alter_table("shipment_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipment_events_shipment_id"))

    op.drop_table("shipment_events")
    with op.batch_alter_table("discrepancies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_discrepancies_shipment_id"))

    op.drop_table("discrepancies")
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custody_events_shipment_id"))

    op.drop_table("custody_events")
    with op.batch_alter_table("assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assets_holder"))

    op.drop_table("assets")
    with op.batch_alter_table("shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shipments_transport_plan_id"))
        batch_op.drop_index(batch_op.f("ix_shipments_status"))
        batch_op.drop_index(batch_op.f("ix_shipments_requirement"))
        batch_op.drop_index(batch_op.f("ix_shipments_pledge"))

    op.drop_table("shipments")
    with op.batch_alter_table("transport_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_transport_plans_status"))

    op.drop_table("transport_plans")
    op.drop_table("disruptions")
