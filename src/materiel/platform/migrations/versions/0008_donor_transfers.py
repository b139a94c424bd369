"""need-to-know: donor liaisons follow their nation's pledges through transfers

Restates `shipment_visible` and `about_visible_shipment` of
`materiel/access_policy.py` in SQL: a donor liaison also sees the shipments
of their nation's pledges (those their clearance shows), and the legs,
events, custody events, assets and discrepancies of those shipments.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 06:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

READERS = "materiel_has_role('coordinator', 'auditor', 'partner_logistics', 'node_operator')"
OWN_PLEDGES = """
  SELECT p.id FROM pledges p
  WHERE p.donor = materiel_setting('nation') AND materiel_cleared(p.classification)
"""
SHIPMENT_POLICY = f"""
  materiel_is_system() OR {READERS}
  OR (materiel_has_role('donor_liaison') AND pledge IN ({OWN_PLEDGES}))
"""
OWN_SHIPMENTS = f"SELECT s.id FROM shipments s WHERE s.pledge IN ({OWN_PLEDGES})"  # noqa: S608 - constants only
ABOUT_SHIPMENT_POLICY = f"""
  materiel_is_system() OR {READERS}
  OR (materiel_has_role('donor_liaison') AND shipment_id IN ({OWN_SHIPMENTS}))
"""
ABOUT_SHIPMENT = ("shipment_legs", "shipment_events", "assets", "custody_events", "discrepancies")


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    _replace("shipments", SHIPMENT_POLICY)
    for table in ABOUT_SHIPMENT:
        _replace(table, ABOUT_SHIPMENT_POLICY)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in ("shipments", *ABOUT_SHIPMENT):
        _replace(table, f"materiel_is_system() OR {READERS}")


def _replace(table: str, visible: str) -> None:
    op.execute(f"DROP POLICY IF EXISTS need_to_know ON {table}")
    op.execute(f"CREATE POLICY need_to_know ON {table} USING ({visible}) WITH CHECK (true)")
