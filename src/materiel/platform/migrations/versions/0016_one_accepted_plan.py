"""plans: at most one accepted allocation plan and one accepted transport plan

Two accepts sent at the same moment both read "no other plan accepted" and
both stored `accepted`: two accepted transport plans planned every shipment
twice. A partial unique index on `status = 'accepted'` of each plan table
makes the database refuse the second (the unit of work turns it into a 409).

A database the race already hit keeps its newest accepted plan, the one the
application read as accepted: the older ones are superseded and their
shipments not yet under way are cancelled, as accepting the newer plan would
have done (with a `cancelled` event each, signed by this migration).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 12:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {"plans": "uq_plans_one_accepted", "transport_plans": "uq_transport_plans_one_accepted"}
ACCEPTED = "status = 'accepted'"
ACTOR = "migration 0016"


def _table(name: str, *columns: str) -> sa.TableClause:
    return sa.table(name, *(sa.column(c) for c in columns))


shipments = _table("shipments", "id", "status", "version", "transport_plan_id")
events = sa.table(
    "shipment_events",
    sa.column("shipment_id"),
    sa.column("status"),
    sa.column("actor"),
    sa.column("at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    _keep_newest_accepted()
    for table, name in INDEXES.items():
        with op.batch_alter_table(table) as batch:
            batch.create_index(
                name,
                ["status"],
                unique=True,
                sqlite_where=sa.text(ACCEPTED),
                postgresql_where=sa.text(ACCEPTED),
            )


def downgrade() -> None:
    for table, name in INDEXES.items():
        with op.batch_alter_table(table) as batch:
            batch.drop_index(name)


def _keep_newest_accepted() -> None:
    """Supersede all but the newest accepted plan of each table (only the race made more)."""
    older_transport = _older_accepted("transport_plans")
    unstarted = sa.and_(
        shipments.c.status.in_(["proposed", "planned"]),
        shipments.c.transport_plan_id.in_(older_transport),
    )
    now = sa.literal(datetime.now(UTC), sa.DateTime(timezone=True))
    cancelled = sa.select(shipments.c.id, sa.literal("cancelled"), sa.literal(ACTOR), now)
    op.execute(
        events.insert().from_select(
            ["shipment_id", "status", "actor", "at"], cancelled.where(unstarted)
        )
    )
    op.execute(
        shipments.update()
        .where(unstarted)
        .values(status="cancelled", version=shipments.c.version + 1)
    )
    for table in INDEXES:
        plans = _table(table, "id", "status", "version")
        op.execute(
            plans.update()
            .where(plans.c.id.in_(_older_accepted(table)))
            .values(status="superseded", version=plans.c.version + 1)
        )


def _older_accepted(table: str) -> sa.Select[tuple[int]]:
    older, newer = (_table(table, "id", "status").alias(name) for name in ("older", "newer"))
    newest = sa.select(sa.func.max(newer.c.id)).where(newer.c.status == "accepted")
    return sa.select(older.c.id).where(
        older.c.status == "accepted", older.c.id < newest.scalar_subquery()
    )
