"""Plan, allocation and pairing-rule tables and their mapping onto the model."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    select,
    text,
)
from sqlalchemy.orm import Session

from materiel.donations.plan_model import (
    PairingRule,
    PlannedAllocation,
    PlanStatus,
    RuleKind,
    StoredPlan,
)
from materiel.platform.column_types import ClassificationType, StringList, enum_column_type
from materiel.platform.database import mapper_registry, metadata

plans = Table(
    "plans",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("status", enum_column_type(PlanStatus), nullable=False, index=True),
    Column("created_by", String(120), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("accepted_by", String(120)),
    Column("accepted_at", DateTime(timezone=True)),
    Column("basis_id", Integer, ForeignKey("plans.id")),
    Column("objective", JSON, nullable=False),
    Column("solver", JSON, nullable=False),
    Column("unmet", JSON, nullable=False),
    Column("notes", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    # One accepted plan at a time, even when two accepts race (migration 0016).
    Index(
        "uq_plans_one_accepted",
        "status",
        unique=True,
        sqlite_where=text("status = 'accepted'"),
        postgresql_where=text("status = 'accepted'"),
    ),
)

plan_allocations = Table(
    "plan_allocations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("plan_id", Integer, ForeignKey("plans.id"), nullable=False, index=True),
    Column("pledge", String(80), ForeignKey("pledges.id"), nullable=False, index=True),
    Column("requirement", String(80), ForeignKey("requirements.id"), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    Column("arrival", Date, nullable=False),
    Column("days_late", Integer, nullable=False),
    Column("reasons", JSON, nullable=False),
    Column("pinned", Boolean, nullable=False),
    Column("classification", ClassificationType, nullable=False),
    Column("releasable_to", StringList, nullable=False),
    Column("requirement_classification", ClassificationType, nullable=False),
    Column("requirement_releasable_to", StringList, nullable=False),
)

pairing_rules = Table(
    "pairing_rules",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("kind", enum_column_type(RuleKind), nullable=False),
    Column("pledge", String(80), ForeignKey("pledges.id"), nullable=False),
    Column("requirement", String(80), ForeignKey("requirements.id"), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("created_by", String(120), nullable=False),
    Column("version", Integer, nullable=False),
)

mapper_registry.map_imperatively(StoredPlan, plans, version_id_col=plans.c.version)
mapper_registry.map_imperatively(PlannedAllocation, plan_allocations)
mapper_registry.map_imperatively(PairingRule, pairing_rules, version_id_col=pairing_rules.c.version)


class PlanStore:
    """Reads plans within a unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def plan(self, plan_id: int) -> StoredPlan | None:
        return self.session.get(StoredPlan, plan_id)

    def accepted(self) -> StoredPlan | None:
        query = select(StoredPlan).where(plans.c.status == PlanStatus.ACCEPTED.value)
        return self.session.scalars(query.order_by(plans.c.id.desc()).limit(1)).first()

    def all_plans(self) -> list[StoredPlan]:
        return list(self.session.scalars(select(StoredPlan).order_by(plans.c.id.desc())))

    def allocations(self, plan_id: int) -> list[PlannedAllocation]:
        query = select(PlannedAllocation).where(plan_allocations.c.plan_id == plan_id)
        return list(self.session.scalars(query.order_by(plan_allocations.c.id)))

    def rules(self) -> list[PairingRule]:
        return list(self.session.scalars(select(PairingRule).order_by(pairing_rules.c.id)))
