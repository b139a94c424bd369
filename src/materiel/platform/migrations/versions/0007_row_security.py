"""need-to-know: shared pledges, and row-level security on PostgreSQL

The policies restate `materiel/access_policy.py` in SQL, reading who acts
from transaction-local settings (`platform/access/row_security.py`). With no
settings, they show nothing. They bind roles that do not own the tables:
the application's role (`materiel db grant-app-role`).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from materiel.core.markings import NATO_MEMBERS

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PLAN_READERS = ("coordinator", "auditor", "partner_logistics")
DEMINING_TABLES = (
    "clearance_assets",
    "progress_reports",
    "items_found",
    "quality_samples",
    "tasking_runs",
    "clearance_tasks",
    "coverage_plans",
)
TRANSFER_READERS = ("coordinator", "auditor", "partner_logistics", "node_operator")
ROLE_TABLES: dict[str, tuple[str, ...]] = {
    "plans": PLAN_READERS,
    "plan_allocations": PLAN_READERS,
    "pairing_rules": ("coordinator", "auditor"),
    "transport_plans": TRANSFER_READERS,
    "shipments": TRANSFER_READERS,
    "shipment_legs": TRANSFER_READERS,
    "shipment_events": TRANSFER_READERS,
    "assets": TRANSFER_READERS,
    "custody_events": TRANSFER_READERS,
    "discrepancies": TRANSFER_READERS,
    "disruptions": TRANSFER_READERS,
    "jobs": ("coordinator", "auditor"),
    **dict.fromkeys(DEMINING_TABLES, ("coordinator", "auditor", "mine_action_planner")),
}
# audit_log stays outside row-level security: every writer appends to it and
# reads its head to chain the next entry; the application filters who reads it.

_MEMBERS = ", ".join(f"'{code}'" for code in sorted(NATO_MEMBERS))
FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION materiel_setting(name text) RETURNS text
  LANGUAGE sql STABLE AS $$ SELECT coalesce(current_setting('materiel.' || name, true), '') $$;

CREATE OR REPLACE FUNCTION materiel_is_system() RETURNS boolean
  LANGUAGE sql STABLE AS $$ SELECT materiel_setting('system') = 'on' $$;

CREATE OR REPLACE FUNCTION materiel_has_role(VARIADIC wanted text[]) RETURNS boolean
  LANGUAGE sql STABLE AS $$
    SELECT string_to_array(materiel_setting('roles'), ',') && wanted $$;

CREATE OR REPLACE FUNCTION materiel_cleared(classification text) RETURNS boolean
  LANGUAGE sql STABLE AS $$
    SELECT materiel_setting('clearance') <> '' AND
      (CASE classification
         WHEN 'NATO UNCLASSIFIED' THEN 0 WHEN 'NATO RESTRICTED' THEN 1
         WHEN 'NATO CONFIDENTIAL' THEN 2 WHEN 'NATO SECRET' THEN 3 ELSE 99 END)
      <= materiel_setting('clearance')::int $$;

CREATE OR REPLACE FUNCTION materiel_releasable(releasable_to json, owner text) RETURNS boolean
  LANGUAGE sql STABLE AS $$
    SELECT materiel_setting('nation') <> '' AND (
      owner = materiel_setting('nation')
      OR releasable_to::jsonb ? materiel_setting('nation')
      OR (releasable_to::jsonb ? 'NATO'
          AND materiel_setting('nation') IN ('NATO', {_MEMBERS}))) $$;
"""

REQUIREMENT_POLICY = """
  materiel_is_system() OR (
    materiel_cleared(classification)
    AND materiel_releasable(releasable_to, 'UKR'))
"""
PLEDGE_POLICY = """
  materiel_is_system() OR (
    materiel_cleared(classification)
    AND materiel_releasable(releasable_to, donor)
    AND (materiel_has_role('coordinator', 'auditor')
         OR donor = materiel_setting('nation') OR shared))
"""

HAZARD_AREA_POLICY = """
  materiel_is_system() OR (
    materiel_has_role('coordinator', 'auditor', 'mine_action_planner')
    AND materiel_cleared(classification)
    AND materiel_releasable(releasable_to, 'UKR'))
"""


def upgrade() -> None:
    with op.batch_alter_table("pledges") as batch:
        batch.add_column(
            sa.Column("shared", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTIONS)
    _protect("requirements", REQUIREMENT_POLICY)
    _protect("pledges", PLEDGE_POLICY)
    _protect("hazard_areas", HAZARD_AREA_POLICY)
    for table, roles in ROLE_TABLES.items():
        wanted = ", ".join(f"'{role}'" for role in roles)
        _protect(table, f"materiel_is_system() OR materiel_has_role({wanted})")


def _protect(table: str, visible: str) -> None:
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"CREATE POLICY need_to_know ON {table} USING ({visible}) WITH CHECK (true)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in ("requirements", "pledges", "hazard_areas", *ROLE_TABLES):
            op.execute(f"DROP POLICY IF EXISTS need_to_know ON {table}")
            op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    with op.batch_alter_table("pledges") as batch:
        batch.drop_column("shared")
