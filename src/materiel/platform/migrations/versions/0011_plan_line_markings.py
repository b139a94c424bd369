"""need-to-know: allocation plan lines bear their pledge's marking, and are shown by it

Each line of an allocation plan gets the classification and releasability
of its pledge (copied here for the lines there are; kept in step by
`materiel/donations/markings.py` when a pledge is re-marked). Restates
`plan_line_visible` of `materiel/access_policy.py` in SQL: plan readers see a
line only when cleared for its marking and it is releasable to their nation
(or it allocates their own nation's pledge).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READERS = "materiel_has_role('coordinator', 'auditor', 'partner_logistics')"
# Under row-level security this reads only pledges the user sees, and a
# user always sees their own nation's pledges that their clearance shows.
OWN_PLEDGES = "SELECT p.id FROM pledges p WHERE p.donor = materiel_setting('nation')"
LINE_POLICY = f"""
  materiel_is_system()
  OR ({READERS} AND materiel_cleared(classification)
      AND (materiel_releasable(releasable_to, '') OR pledge IN ({OWN_PLEDGES})))
"""
COPY_FROM_PLEDGE = """
  UPDATE plan_allocations SET
    classification = (SELECT p.classification FROM pledges p WHERE p.id = plan_allocations.pledge),
    releasable_to = (SELECT p.releasable_to FROM pledges p WHERE p.id = plan_allocations.pledge)
"""


def upgrade() -> None:
    with op.batch_alter_table("plan_allocations") as batch:
        batch.add_column(
            sa.Column(
                "classification",
                sa.String(32),
                nullable=False,
                server_default="NATO UNCLASSIFIED",
            )
        )
        batch.add_column(
            sa.Column("releasable_to", sa.JSON(), nullable=False, server_default='["UKR", "NATO"]')
        )
    op.execute(COPY_FROM_PLEDGE)
    if op.get_bind().dialect.name == "postgresql":
        _replace(LINE_POLICY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace(f"materiel_is_system() OR {READERS}")
    with op.batch_alter_table("plan_allocations") as batch:
        batch.drop_column("releasable_to")
        batch.drop_column("classification")


def _replace(visible: str) -> None:
    op.execute("DROP POLICY IF EXISTS need_to_know ON plan_allocations")
    op.execute(
        f"CREATE POLICY need_to_know ON plan_allocations USING ({visible}) WITH CHECK (true)"
    )
