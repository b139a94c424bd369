"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 02:01:01.084470
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=80), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_entity_id"), ["entity_id"], unique=False)

    op.create_table(
        "categories",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("parent_id", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["categories.id"], name=op.f("fk_categories_parent_id_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_categories")),
    )
    op.create_table(
        "nodes",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "depot",
                "hub",
                "handover",
                "repair",
                "training",
                name="nodekind",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("country", sa.String(length=3), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("operator", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nodes")),
    )
    op.create_table(
        "item_types",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("category_id", sa.String(length=200), nullable=False),
        sa.Column("family", sa.String(length=80), nullable=False),
        sa.Column("capability_area", sa.String(length=40), nullable=False),
        sa.Column("calibre", sa.String(length=40), nullable=True),
        sa.Column("nsn", sa.String(length=16), nullable=True),
        sa.Column("crew_size", sa.Integer(), nullable=True),
        sa.Column("substitutes", sa.JSON(), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"], ["categories.id"], name=op.f("fk_item_types_category_id_categories")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_types")),
    )
    with op.batch_alter_table("item_types", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_item_types_family"), ["family"], unique=False)

    op.create_table(
        "links",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("from_node", sa.String(length=80), nullable=False),
        sa.Column("to_node", sa.String(length=80), nullable=False),
        sa.Column(
            "mode",
            sa.Enum(
                "road", "rail", "air", "sea", name="transportmode", native_enum=False, length=12
            ),
            nullable=False,
        ),
        sa.Column("days", sa.Float(), nullable=False),
        sa.Column("cost", sa.Float(), nullable=False),
        sa.Column("capacity_per_day", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["from_node"], ["nodes.id"], name=op.f("fk_links_from_node_nodes")),
        sa.ForeignKeyConstraint(["to_node"], ["nodes.id"], name=op.f("fk_links_to_node_nodes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_links")),
    )
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_links_from_node"), ["from_node"], unique=False)
        batch_op.create_index(batch_op.f("ix_links_to_node"), ["to_node"], unique=False)

    op.create_table(
        "pledges",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("donor", sa.String(length=3), nullable=False),
        sa.Column("item_type", sa.String(length=80), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column(
            "condition",
            sa.Enum(
                "new",
                "refurbished",
                "used-serviceable",
                "needs-repair",
                name="condition",
                native_enum=False,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("origin", sa.String(length=80), nullable=True),
        sa.Column("available_from", sa.Date(), nullable=True),
        sa.Column("caveats", sa.JSON(), nullable=False),
        sa.Column(
            "classification",
            sa.String(length=32),
            nullable=False,
        ),
        sa.Column("releasable_to", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "offered",
                "accepted",
                "allocated",
                "delivered",
                "withdrawn",
                name="pledgestatus",
                native_enum=False,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_type"], ["item_types.id"], name=op.f("fk_pledges_item_type_item_types")
        ),
        sa.ForeignKeyConstraint(["origin"], ["nodes.id"], name=op.f("fk_pledges_origin_nodes")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pledges")),
    )
    with op.batch_alter_table("pledges", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pledges_donor"), ["donor"], unique=False)
        batch_op.create_index(batch_op.f("ix_pledges_item_type"), ["item_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_pledges_status"), ["status"], unique=False)

    op.create_table(
        "requirements",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("item_type", sa.String(length=80), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("needed_by", sa.Date(), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("destination", sa.String(length=80), nullable=False),
        sa.Column("capability_area", sa.String(length=40), nullable=False),
        sa.Column("accepts", sa.JSON(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column(
            "classification",
            sa.String(length=32),
            nullable=False,
        ),
        sa.Column("releasable_to", sa.JSON(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "partly-met",
                "met",
                "cancelled",
                name="requirementstatus",
                native_enum=False,
                length=18,
            ),
            nullable=False,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["destination"], ["nodes.id"], name=op.f("fk_requirements_destination_nodes")
        ),
        sa.ForeignKeyConstraint(
            ["item_type"], ["item_types.id"], name=op.f("fk_requirements_item_type_item_types")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requirements")),
    )
    with op.batch_alter_table("requirements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_requirements_capability_area"), ["capability_area"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_requirements_item_type"), ["item_type"], unique=False)
        batch_op.create_index(batch_op.f("ix_requirements_priority"), ["priority"], unique=False)
        batch_op.create_index(batch_op.f("ix_requirements_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_requirements_unit"), ["unit"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("requirements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requirements_unit"))
        batch_op.drop_index(batch_op.f("ix_requirements_status"))
        batch_op.drop_index(batch_op.f("ix_requirements_priority"))
        batch_op.drop_index(batch_op.f("ix_requirements_item_type"))
        batch_op.drop_index(batch_op.f("ix_requirements_capability_area"))

    op.drop_table("requirements")
    with op.batch_alter_table("pledges", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pledges_status"))
        batch_op.drop_index(batch_op.f("ix_pledges_item_type"))
        batch_op.drop_index(batch_op.f("ix_pledges_donor"))

    op.drop_table("pledges")
    with op.batch_alter_table("links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_links_to_node"))
        batch_op.drop_index(batch_op.f("ix_links_from_node"))

    op.drop_table("links")
    with op.batch_alter_table("item_types", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_item_types_family"))

    op.drop_table("item_types")
    op.drop_table("nodes")
    op.drop_table("categories")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_entity_id"))

    op.drop_table("audit_log")
