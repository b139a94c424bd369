"""demining: hazard areas, clearance assets, progress, tasking runs, coverage plans

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 17:20:00

Geometry is stored as GeoJSON text (portable across SQLite and PostgreSQL).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hazard_areas",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("geometry", sa.Text(), nullable=False),
        sa.Column("nogo", sa.Text(), nullable=False),
        sa.Column("area_m2", sa.Float(), nullable=False),
        sa.Column("nogo_m2", sa.Float(), nullable=False),
        sa.Column(
            "land_use",
            sa.Enum(
                "farmland",
                "infrastructure",
                "residential",
                "forest",
                name="landuse",
                native_enum=False,
                length=22,
            ),
            nullable=False,
        ),
        sa.Column("oblast", sa.String(length=80), nullable=False),
        sa.Column("raion", sa.String(length=80), nullable=False),
        sa.Column("hromada", sa.String(length=80), nullable=False),
        sa.Column("settlement", sa.String(length=120), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("sha", "cha", name="areakind", native_enum=False, length=11),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "suspected",
                "confirmed",
                "in-clearance",
                "released",
                name="areastatus",
                native_enum=False,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("people_affected", sa.Integer(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column(
            "release_method",
            sa.Enum(
                "cancelled",
                "reduced",
                "cleared",
                name="releasemethod",
                native_enum=False,
                length=17,
            ),
            nullable=True,
        ),
        sa.Column("released_on", sa.Date(), nullable=True),
        sa.Column("handed_over_to", sa.String(length=200), nullable=False),
        sa.Column("certificate", sa.String(length=120), nullable=False),
        sa.Column("classification", sa.String(length=32), nullable=False),
        sa.Column("releasable_to", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_areas")),
    )
    with op.batch_alter_table("hazard_areas", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hazard_areas_oblast"), ["oblast"], unique=False)
        batch_op.create_index(batch_op.f("ix_hazard_areas_status"), ["status"], unique=False)

    op.create_table(
        "clearance_assets",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("machine", "drone", "team", name="assetkind", native_enum=False, length=15),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("item_type", sa.String(length=80), nullable=True),
        sa.Column("serial", sa.String(length=80), nullable=True),
        sa.Column("pledge", sa.String(length=80), nullable=True),
        sa.Column("tool_width_m", sa.Float(), nullable=True),
        sa.Column("turn_radius_m", sa.Float(), nullable=True),
        sa.Column("speed_kmh", sa.Float(), nullable=True),
        sa.Column("clearance_depth_cm", sa.Float(), nullable=True),
        sa.Column("work_rates", sa.JSON(), nullable=False),
        sa.Column("line_spacing_m", sa.Float(), nullable=True),
        sa.Column("endurance_min", sa.Float(), nullable=True),
        sa.Column("available_from", sa.Date(), nullable=True),
        sa.Column("available_to", sa.Date(), nullable=True),
        sa.Column("hours_per_week", sa.Float(), nullable=False),
        sa.Column("base", sa.String(length=120), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_type"], ["item_types.id"], name=op.f("fk_clearance_assets_item_type_item_types")
        ),
        sa.ForeignKeyConstraint(
            ["pledge"], ["pledges.id"], name=op.f("fk_clearance_assets_pledge_pledges")
        ),
        sa.ForeignKeyConstraint(
            ["serial"], ["assets.serial"], name=op.f("fk_clearance_assets_serial_assets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearance_assets")),
    )
    with op.batch_alter_table("clearance_assets", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clearance_assets_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_clearance_assets_pledge"), ["pledge"], unique=False)

    op.create_table(
        "tasking_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("weeks", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("draft", "accepted", name="taskingstatus", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("objective", sa.JSON(), nullable=False),
        sa.Column("solver", sa.JSON(), nullable=False),
        sa.Column("what_if", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasking_runs")),
    )

    op.create_table(
        "progress_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("area_id", sa.String(length=80), nullable=False),
        sa.Column("asset_id", sa.String(length=80), nullable=True),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "cancelled",
                "reduced",
                "cleared",
                name="releasemethod",
                native_enum=False,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("cleared", sa.Text(), nullable=False),
        sa.Column("cleared_m2", sa.Float(), nullable=False),
        sa.Column("recorded_by", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["hazard_areas.id"], name=op.f("fk_progress_reports_area_id_hazard_areas")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["clearance_assets.id"],
            name=op.f("fk_progress_reports_asset_id_clearance_assets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_reports")),
    )
    with op.batch_alter_table("progress_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_reports_area_id"), ["area_id"], unique=False)

    op.create_table(
        "items_found",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("area_id", sa.String(length=80), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "ap-mine",
                "at-mine",
                "uxo",
                "submunition",
                "ied",
                "other",
                name="devicekind",
                native_enum=False,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("depth_cm", sa.Float(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["hazard_areas.id"], name=op.f("fk_items_found_area_id_hazard_areas")
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["progress_reports.id"],
            name=op.f("fk_items_found_report_id_progress_reports"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_items_found")),
    )
    with op.batch_alter_table("items_found", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_items_found_area_id"), ["area_id"], unique=False)

    op.create_table(
        "quality_samples",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("area_id", sa.String(length=80), nullable=False),
        sa.Column(
            "kind",
            sa.Enum("qc", "qa", name="samplekind", native_enum=False, length=10),
            nullable=False,
        ),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("sampled_m2", sa.Float(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("inspector", sa.String(length=120), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["hazard_areas.id"], name=op.f("fk_quality_samples_area_id_hazard_areas")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_samples")),
    )
    with op.batch_alter_table("quality_samples", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quality_samples_area_id"), ["area_id"], unique=False)

    op.create_table(
        "clearance_tasks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.String(length=80), nullable=False),
        sa.Column("asset_id", sa.String(length=80), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("week", sa.Integer(), nullable=False),
        sa.Column("working_days", sa.Integer(), nullable=False),
        sa.Column("travel_hours", sa.Float(), nullable=False),
        sa.Column("m2", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["hazard_areas.id"], name=op.f("fk_clearance_tasks_area_id_hazard_areas")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["clearance_assets.id"],
            name=op.f("fk_clearance_tasks_asset_id_clearance_assets"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["tasking_runs.id"], name=op.f("fk_clearance_tasks_run_id_tasking_runs")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clearance_tasks")),
    )
    with op.batch_alter_table("clearance_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_clearance_tasks_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_clearance_tasks_run_id"), ["run_id"], unique=False)

    op.create_table(
        "coverage_plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("area_id", sa.String(length=80), nullable=False),
        sa.Column("asset_id", sa.String(length=80), nullable=False),
        sa.Column("geojson", sa.JSON(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["area_id"], ["hazard_areas.id"], name=op.f("fk_coverage_plans_area_id_hazard_areas")
        ),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["clearance_assets.id"],
            name=op.f("fk_coverage_plans_asset_id_clearance_assets"),
        ),
        sa.ForeignKeyConstraint(
            ["task_id"],
            ["clearance_tasks.id"],
            name=op.f("fk_coverage_plans_task_id_clearance_tasks"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coverage_plans")),
    )
    with op.batch_alter_table("coverage_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coverage_plans_area_id"), ["area_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_coverage_plans_task_id"), ["task_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("coverage_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coverage_plans_task_id"))
        batch_op.drop_index(batch_op.f("ix_coverage_plans_area_id"))
    op.drop_table("coverage_plans")
    with op.batch_alter_table("clearance_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clearance_tasks_run_id"))
        batch_op.drop_index(batch_op.f("ix_clearance_tasks_area_id"))
    op.drop_table("clearance_tasks")
    with op.batch_alter_table("quality_samples", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quality_samples_area_id"))
    op.drop_table("quality_samples")
    with op.batch_alter_table("items_found", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_items_found_area_id"))
    op.drop_table("items_found")
    with op.batch_alter_table("progress_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_reports_area_id"))
    op.drop_table("progress_reports")
    op.drop_table("tasking_runs")
    with op.batch_alter_table("clearance_assets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_clearance_assets_pledge"))
        batch_op.drop_index(batch_op.f("ix_clearance_assets_kind"))
    op.drop_table("clearance_assets")
    with op.batch_alter_table("hazard_areas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hazard_areas_status"))
        batch_op.drop_index(batch_op.f("ix_hazard_areas_oblast"))
    op.drop_table("hazard_areas")
