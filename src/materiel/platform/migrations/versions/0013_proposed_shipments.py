"""transfers: a draft transport plan's shipments are proposed, not planned

Shipments of a transport plan that is not accepted become `proposed`: they
are not live (lists, board, throughput leave them out) and cannot be
dispatched until their plan is accepted, which turns them `planned`. Before,
every draft's shipments were `planned`, so they could be dispatched next to
the accepted plan's, moving the same units twice.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PROPOSE = """UPDATE shipments SET status = 'proposed'
WHERE status = 'planned'
  AND transport_plan_id IN (SELECT id FROM transport_plans WHERE status <> 'accepted')"""


def upgrade() -> None:
    op.execute(sa.text(PROPOSE))


def downgrade() -> None:
    op.execute(sa.text("UPDATE shipments SET status = 'planned' WHERE status = 'proposed'"))
