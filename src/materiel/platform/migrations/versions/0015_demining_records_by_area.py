"""need-to-know: records about a hazard area are seen only with their area

Coverage plans, clearance tasks, progress reports, items found and quality
samples name a hazard area and describe it (its shape, its ground, what was
found there), so they are shown only to users who see the area. Restates
`about_visible_area` of `materiel/access_policy.py` in SQL; the sub-select
reads `hazard_areas` under its own policy (migration 0007).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 09:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MINE_ACTION = "materiel_has_role('coordinator', 'auditor', 'mine_action_planner')"
ABOUT_AREA = (
    "progress_reports",
    "items_found",
    "quality_samples",
    "clearance_tasks",
    "coverage_plans",
)
# The sub-select is itself filtered by the hazard areas' policy.
AREAS_SEEN = "SELECT h.id FROM hazard_areas h"
ABOUT_AREA_POLICY = f"materiel_is_system() OR ({MINE_ACTION} AND area_id IN ({AREAS_SEEN}))"
BY_ROLE_POLICY = f"materiel_is_system() OR {MINE_ACTION}"  # as 0007 left them


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ABOUT_AREA:
        _replace(table, ABOUT_AREA_POLICY)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ABOUT_AREA:
        _replace(table, BY_ROLE_POLICY)


def _replace(table: str, visible: str) -> None:
    op.execute(f"DROP POLICY IF EXISTS need_to_know ON {table}")
    op.execute(f"CREATE POLICY need_to_know ON {table} USING ({visible}) WITH CHECK (true)")
