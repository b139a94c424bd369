"""transfers: a shipment's events keep who signed, so a receipt's signature is kept

A receipt is signed by a named person of the receiving unit. The name was
kept only on the discrepancies a receipt opened (as `recorded_by`), so a
receipt without any was stored unsigned. The `received` event now keeps it,
and a discrepancy's `recorded_by` is the user who recorded it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("shipment_events") as batch:
        batch.add_column(sa.Column("acknowledged_by", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("shipment_events") as batch:
        batch.drop_column("acknowledged_by")
