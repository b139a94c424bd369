"""jobs and allocation plans

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 02:24:47.051135
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from procrastinate.schema import SchemaManager

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    _create_tables()
    if op.get_bind().dialect.name == "postgresql":
        # The job queue lives in the same PostgreSQL database (procrastinate's schema as
        # shipped with the pinned version; its later migrations get revisions of their own).
        op.execute(SchemaManager.get_schema())


def _create_tables() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=60), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "queued",
                "running",
                "succeeded",
                "failed",
                "cancelled",
                name="jobstatus",
                native_enum=False,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_status"), ["status"], unique=False)

    op.create_table(
        "plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft", "accepted", "superseded", name="planstatus", native_enum=False, length=18
            ),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_by", sa.String(length=120), nullable=True),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("basis_id", sa.Integer(), nullable=True),
        sa.Column("objective", sa.JSON(), nullable=False),
        sa.Column("solver", sa.JSON(), nullable=False),
        sa.Column("unmet", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["basis_id"], ["plans.id"], name=op.f("fk_plans_basis_id_plans")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plans")),
    )
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plans_status"), ["status"], unique=False)

    op.create_table(
        "pairing_rules",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("pin", "forbid", name="rulekind", native_enum=False, length=14),
            nullable=False,
        ),
        sa.Column("pledge", sa.String(length=80), nullable=False),
        sa.Column("requirement", sa.String(length=80), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["pledge"], ["pledges.id"], name=op.f("fk_pairing_rules_pledge_pledges")
        ),
        sa.ForeignKeyConstraint(
            ["requirement"],
            ["requirements.id"],
            name=op.f("fk_pairing_rules_requirement_requirements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pairing_rules")),
    )
    op.create_table(
        "plan_allocations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("pledge", sa.String(length=80), nullable=False),
        sa.Column("requirement", sa.String(length=80), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("arrival", sa.Date(), nullable=False),
        sa.Column("days_late", sa.Integer(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plans.id"], name=op.f("fk_plan_allocations_plan_id_plans")
        ),
        sa.ForeignKeyConstraint(
            ["pledge"], ["pledges.id"], name=op.f("fk_plan_allocations_pledge_pledges")
        ),
        sa.ForeignKeyConstraint(
            ["requirement"],
            ["requirements.id"],
            name=op.f("fk_plan_allocations_requirement_requirements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_allocations")),
    )
    with op.batch_alter_table("plan_allocations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_allocations_plan_id"), ["plan_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_allocations_pledge"), ["pledge"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_plan_allocations_requirement"), ["requirement"], unique=False
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in (
            "procrastinate_events",
            "procrastinate_periodic_defers",
            "procrastinate_jobs",
            "procrastinate_workers",
        ):
            op.execute(f"DROP TABLE IF EXISTS {name} CASCADE")
    with op.batch_alter_table("plan_allocations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_allocations_requirement"))
        batch_op.drop_index(batch_op.f("ix_plan_allocations_pledge"))
        batch_op.drop_index(batch_op.f("ix_plan_allocations_plan_id"))

    op.drop_table("plan_allocations")
    op.drop_table("pairing_rules")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plans_status"))

    op.drop_table("plans")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_jobs_status"))

    op.drop_table("jobs")
