"""audit chain: seq, leaf and chain hashes, append-only triggers, checkpoints

Existing entries are numbered in id order and hashed as new ones are. The
encoding and hashing come from `audit_chain.canonical` and `.merkle`: they are
a published format that must never change, so importing them here is safe.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from materiel.platform.audit_chain import guard
from materiel.platform.audit_chain.canonical import EntryFields, entry_bytes
from materiel.platform.audit_chain.merkle import CHAIN_START, chain_hash, leaf_hash

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_log = sa.table(
    "audit_log",
    sa.column("id", sa.Integer()),
    sa.column("at", sa.DateTime(timezone=True)),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("entity", sa.String()),
    sa.column("entity_id", sa.String()),
    sa.column("before", sa.JSON()),
    sa.column("after", sa.JSON()),
)


def upgrade() -> None:
    op.add_column("audit_log", sa.Column("seq", sa.Integer(), nullable=True))
    op.add_column("audit_log", sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=True))
    op.add_column("audit_log", sa.Column("chain_hash", sa.LargeBinary(length=32), nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        for name in ("leaf_hash", "chain_hash"):
            batch_op.alter_column(name, existing_type=sa.LargeBinary(length=32), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_audit_log_seq"), ["seq"])
    op.create_table(
        "audit_checkpoint",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("tree_size", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("key_id", sa.String(length=40), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signature", sa.LargeBinary(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_checkpoint")),
    )
    guard.install(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    query = sa.select(
        _log.c.id,
        _log.c.at,
        _log.c.actor,
        _log.c.action,
        _log.c.entity,
        _log.c.entity_id,
        sa.cast(_log.c.before, sa.Text).label("before"),
        sa.cast(_log.c.after, sa.Text).label("after"),
    ).order_by(_log.c.id)
    previous, updates = CHAIN_START, []
    for seq, row in enumerate(connection.execute(query).all()):
        fields = EntryFields(
            seq, row.at, row.actor, row.action, row.entity, row.entity_id, row.before, row.after
        )
        leaf = leaf_hash(entry_bytes(fields))
        previous = chain_hash(previous, leaf)
        updates.append({"row_id": row.id, "seq": seq, "leaf": leaf, "chain": previous})
    if updates:
        connection.execute(
            sa.text(
                "UPDATE audit_log SET seq = :seq, leaf_hash = :leaf, chain_hash = :chain "
                "WHERE id = :row_id"
            ).bindparams(
                sa.bindparam("leaf", type_=sa.LargeBinary()),
                sa.bindparam("chain", type_=sa.LargeBinary()),
            ),
            updates,
        )


def downgrade() -> None:
    guard.remove(op.get_bind())
    op.drop_table("audit_checkpoint")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_seq"), type_="unique")
        batch_op.drop_column("chain_hash")
        batch_op.drop_column("leaf_hash")
        batch_op.drop_column("seq")
