"""custody: each serial a hand-over names, so that a serial's history is found by it

"Where is serial X, and through whose hands did it pass" read every custody
event ever recorded and looked for the serial in each event's JSON list of
serials. `custody_serials` holds one row per serial and custody event, with
the event's shipment; every hand-over fills it, and this migration fills it
from the events already recorded (their `serials` stay as they were signed).

On PostgreSQL its rows are seen with their shipment, as custody events are:
row-level security restates `about_visible_shipment` of
`materiel/access_policy.py` (the custody events' policy as migration 0010
left it), and a role granted the custody events (`materiel db
grant-app-role`, run before this upgrade) is granted the new table alike.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 15:00:00
"""

import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "custody_serials"
EVENTS_PER_BATCH = 5_000
READERS = "materiel_has_role('coordinator', 'auditor', 'partner_logistics', 'node_operator')"
# The sub-select is itself filtered by the shipments' policy (migration 0012).
ABOUT_SHIPMENT_POLICY = (
    "materiel_is_system() OR shipment_id IN (SELECT s.id FROM shipments s)"  # noqa: S608 - constants only
    f" OR ({READERS} AND shipment_id IS NULL)"
)
# Roles other than the owner that may write custody events get the same on the new table.
GRANT_AS_CUSTODY_EVENTS = """
DO $$
DECLARE role_name text;
BEGIN
  FOR role_name IN
    SELECT DISTINCT r.rolname
    FROM pg_class c
    CROSS JOIN LATERAL aclexplode(c.relacl) a
    JOIN pg_roles r ON r.oid = a.grantee
    WHERE c.oid = 'custody_events'::regclass AND a.privilege_type = 'INSERT'
      AND a.grantee <> c.relowner
  LOOP
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON custody_serials TO %I', role_name);
  END LOOP;
END $$
"""

events = sa.table(
    "custody_events",
    sa.column("id", sa.Integer),
    sa.column("shipment_id", sa.String),
    sa.column("serials", sa.JSON),
)
named = sa.table(
    TABLE,
    sa.column("serial", sa.String),
    sa.column("custody_event_id", sa.Integer),
    sa.column("shipment_id", sa.String),
)


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("serial", sa.String(length=80), nullable=False),
        sa.Column("custody_event_id", sa.Integer(), nullable=False),
        sa.Column("shipment_id", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["custody_event_id"],
            ["custody_events.id"],
            name=op.f("fk_custody_serials_custody_event_id_custody_events"),
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_custody_serials_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("serial", "custody_event_id", name=op.f("pk_custody_serials")),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_custody_serials_shipment_id"), ["shipment_id"], unique=False
        )
    _fill_from_events()
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE {TABLE} ENABLE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY need_to_know ON {TABLE} USING ({ABOUT_SHIPMENT_POLICY}) WITH CHECK (true)"
    )
    op.execute(GRANT_AS_CUSTODY_EVENTS)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP POLICY IF EXISTS need_to_know ON {TABLE}")
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_custody_serials_shipment_id"))
    op.drop_table(TABLE)


def _fill_from_events() -> None:
    """One row per serial each recorded custody event names, a batch of events at a time."""
    connection = op.get_bind()
    after = 0
    while True:
        batch = connection.execute(
            sa.select(events.c.id, events.c.shipment_id, events.c.serials)
            .where(events.c.id > after)
            .order_by(events.c.id)
            .limit(EVENTS_PER_BATCH)
        ).all()
        if not batch:
            return
        rows = [
            {"serial": serial, "custody_event_id": event_id, "shipment_id": shipment_id}
            for event_id, shipment_id, serials in batch
            for serial in _each_once(serials)
        ]
        if rows:
            connection.execute(named.insert(), rows)
        after = batch[-1][0]


def _each_once(serials: Any) -> list[str]:
    """The serials an event names, each once (as stored: a JSON list of strings)."""
    if isinstance(serials, str):
        serials = json.loads(serials)
    return list(dict.fromkeys(s for s in serials or () if isinstance(s, str)))
