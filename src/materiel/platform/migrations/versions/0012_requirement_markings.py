"""need-to-know: plan lines and shipments bear their requirement's marking too

A plan line or shipment names its requirement (the partner's record) as well
as its pledge, so it now also bears the requirement's classification and
releasability (copied here; kept in step by `materiel/donations/markings.py`),
and is shown only to users who may read both markings. Restates
`allocation_marked` and `shipment_visible` of `materiel/access_policy.py`.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 11:00:00
"""

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("plan_allocations", "shipments")
OWN_PLEDGES = "SELECT p.id FROM pledges p WHERE p.donor = materiel_setting('nation')"
PLEDGE_READABLE = f"""materiel_cleared(classification)
  AND (materiel_releasable(releasable_to, '') OR pledge IN ({OWN_PLEDGES}))"""
REQUIREMENT_READABLE = """materiel_cleared(requirement_classification)
  AND materiel_releasable(requirement_releasable_to, 'UKR')"""
PLAN_READERS = "materiel_has_role('coordinator', 'auditor', 'partner_logistics')"
TRANSFER_READERS = (
    "materiel_has_role('coordinator', 'auditor', 'partner_logistics', 'node_operator')"
)
POLICIES = {
    "plan_allocations": f"""materiel_is_system()
  OR ({PLAN_READERS} AND {PLEDGE_READABLE} AND {REQUIREMENT_READABLE})""",
    "shipments": f"""materiel_is_system()
  OR ({TRANSFER_READERS} AND {PLEDGE_READABLE} AND {REQUIREMENT_READABLE})
  OR (materiel_has_role('donor_liaison') AND pledge IN ({OWN_PLEDGES})
      AND {REQUIREMENT_READABLE})""",
}


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column(
                    "requirement_classification",
                    sa.String(32),
                    nullable=False,
                    server_default="NATO UNCLASSIFIED",
                )
            )
            batch.add_column(
                sa.Column(
                    "requirement_releasable_to",
                    sa.JSON(),
                    nullable=False,
                    server_default='["UKR", "NATO"]',
                )
            )
        op.execute(
            f"UPDATE {table} SET"  # noqa: S608 - constants only
            " requirement_classification = (SELECT r.classification FROM requirements r"
            f" WHERE r.id = {table}.requirement),"
            " requirement_releasable_to = (SELECT r.releasable_to FROM requirements r"
            f" WHERE r.id = {table}.requirement)"
        )
    if op.get_bind().dialect.name == "postgresql":
        for table, visible in POLICIES.items():
            _replace(table, visible)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _replace("plan_allocations", _previous("0011_plan_line_markings.py").LINE_POLICY)
        _replace("shipments", _previous("0010_shipment_markings.py").SHIPMENT_POLICY)
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("requirement_releasable_to")
            batch.drop_column("requirement_classification")


def _previous(name: str) -> ModuleType:
    """A revision this one replaced, from its own file (for its policies)."""
    spec = importlib.util.spec_from_file_location(name[:4], Path(__file__).with_name(name))
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _replace(table: str, visible: str) -> None:
    op.execute(f"DROP POLICY IF EXISTS need_to_know ON {table}")
    op.execute(f"CREATE POLICY need_to_know ON {table} USING ({visible}) WITH CHECK (true)")
