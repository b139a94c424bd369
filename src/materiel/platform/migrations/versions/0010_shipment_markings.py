"""need-to-know: shipments bear their pledge's marking, and are shown by it

Each shipment gets the classification and releasability of the pledge it
moves (copied here for the shipments there are; kept in step by
`materiel/donations/markings.py` when a pledge is re-marked). Restates
`shipment_visible` and `about_visible_shipment` of
`materiel/access_policy.py` in SQL: transfer staff see a shipment only
when cleared for its marking and it is releasable to their nation (or it
moves their own nation's pledge); legs, events, custody events, assets and
discrepancies of a shipment are seen with it.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:30:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READERS = "materiel_has_role('coordinator', 'auditor', 'partner_logistics', 'node_operator')"
# Under row-level security this reads only pledges the user sees, and a
# user always sees their own nation's pledges that their clearance shows.
OWN_PLEDGES = "SELECT p.id FROM pledges p WHERE p.donor = materiel_setting('nation')"
SHIPMENT_POLICY = f"""
  materiel_is_system()
  OR ({READERS} AND materiel_cleared(classification)
      AND (materiel_releasable(releasable_to, '') OR pledge IN ({OWN_PLEDGES})))
  OR (materiel_has_role('donor_liaison') AND pledge IN ({OWN_PLEDGES}))
"""
# The sub-select is itself filtered by the shipments' policy above.
ABOUT_SHIPMENT_POLICY = (
    "materiel_is_system() OR shipment_id IN (SELECT s.id FROM shipments s)"  # noqa: S608 - constants only
    f" OR ({READERS} AND shipment_id IS NULL)"
)
ABOUT_SHIPMENT = ("shipment_legs", "shipment_events", "assets", "custody_events", "discrepancies")
COPY_FROM_PLEDGE = """
  UPDATE shipments SET
    classification = (SELECT p.classification FROM pledges p WHERE p.id = shipments.pledge),
    releasable_to = (SELECT p.releasable_to FROM pledges p WHERE p.id = shipments.pledge)
"""


def upgrade() -> None:
    with op.batch_alter_table("shipments") as batch:
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
    if op.get_bind().dialect.name != "postgresql":
        return
    _replace("shipments", SHIPMENT_POLICY)
    for table in ABOUT_SHIPMENT:
        _replace(table, ABOUT_SHIPMENT_POLICY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        before = _revision_0008()
        _replace("shipments", before.SHIPMENT_POLICY)
        for table in ABOUT_SHIPMENT:
            _replace(table, before.ABOUT_SHIPMENT_POLICY)
    with op.batch_alter_table("shipments") as batch:
        batch.drop_column("releasable_to")
        batch.drop_column("classification")


def _revision_0008() -> ModuleType:
    """The policies this revision replaced, from their own file."""
    path = Path(__file__).with_name("0008_donor_transfers.py")
    spec = importlib.util.spec_from_file_location("revision_0008", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replace(table: str, visible: str) -> None:
    op.execute(f"DROP POLICY IF EXISTS need_to_know ON {table}")
    op.execute(f"CREATE POLICY need_to_know ON {table} USING ({visible}) WITH CHECK (true)")
