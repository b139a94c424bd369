"""Requirement and pledge tables and their mapping onto the model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    TypeDecorator,
    false,
    func,
    select,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from materiel.donations.model import (
    Caveats,
    Condition,
    Pledge,
    PledgeStatus,
    Requirement,
    RequirementStatus,
)
from materiel.platform.column_types import ClassificationType, StringList, enum_column_type
from materiel.platform.database import mapper_registry, metadata
from materiel.platform.listing import Sort, ordering, page_of


class CaveatsType(TypeDecorator[Caveats]):
    """A pledge's caveats as a small JSON object."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return value.as_dict() if value is not None else {}

    def process_result_value(self, value: Any, dialect: Dialect) -> Caveats:
        data = value or {}
        not_before = data.get("not_before")
        return Caveats(
            areas=tuple(data.get("areas", ())),
            units=tuple(data.get("units", ())),
            not_before=date.fromisoformat(not_before) if not_before else None,
        )


requirements = Table(
    "requirements",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("item_type", String(80), ForeignKey("item_types.id"), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    Column("priority", Integer, nullable=False, index=True),
    Column("needed_by", Date, nullable=False),
    Column("unit", String(200), nullable=False, index=True),
    Column("destination", String(80), ForeignKey("nodes.id"), nullable=False),
    Column("capability_area", String(40), nullable=False, index=True),
    Column("accepts", StringList, nullable=False),
    Column("justification", Text),
    Column("classification", ClassificationType, nullable=False),
    Column("releasable_to", StringList, nullable=False),
    Column("status", enum_column_type(RequirementStatus), nullable=False, index=True),
    Column("version", Integer, nullable=False),
)

pledges = Table(
    "pledges",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("donor", String(3), nullable=False, index=True),
    Column("item_type", String(80), ForeignKey("item_types.id"), nullable=False, index=True),
    Column("quantity", Integer, nullable=False),
    Column("condition", enum_column_type(Condition), nullable=False),
    Column("origin", String(80), ForeignKey("nodes.id"), nullable=True),
    Column("available_from", Date, nullable=True),
    Column("caveats", CaveatsType, nullable=False),
    Column("classification", ClassificationType, nullable=False),
    Column("releasable_to", StringList, nullable=False),
    Column("shared", Boolean, nullable=False, server_default=false()),
    Column("status", enum_column_type(PledgeStatus), nullable=False, index=True),
    Column("version", Integer, nullable=False),
)

mapper_registry.map_imperatively(Requirement, requirements, version_id_col=requirements.c.version)
mapper_registry.map_imperatively(Pledge, pledges, version_id_col=pledges.c.version)


@dataclass(frozen=True)
class RequirementFilter:
    priority: int | None = None
    status: RequirementStatus | None = None
    unit: str | None = None
    item_type: str | None = None
    capability_area: str | None = None
    search: str | None = None


@dataclass(frozen=True)
class PledgeFilter:
    donor: str | None = None
    status: PledgeStatus | None = None
    item_type: str | None = None
    search: str | None = None


class DonationsStore:
    """Reads requirements and pledges within a unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def requirements_page(
        self, where: RequirementFilter, limit: int, offset: int, sort: Sort = Sort()
    ) -> tuple[Sequence[Requirement], int]:
        query = select(Requirement)
        t = requirements.c
        for column, value in (
            (t.priority, where.priority),
            (t.status, where.status),
            (t.unit, where.unit),
            (t.item_type, where.item_type),
            (t.capability_area, where.capability_area),
        ):
            if value is not None:
                query = query.where(column == value)
        if where.search:
            text = func.lower(t.id + " " + t.unit + " " + t.item_type)
            query = query.where(text.contains(where.search.casefold(), autoescape=True))
        order = ordering(t, sort, (t.priority, t.needed_by, t.id))
        return page_of(self.session, query, order, limit, offset)

    def pledges_page(
        self, where: PledgeFilter, limit: int, offset: int, sort: Sort = Sort()
    ) -> tuple[Sequence[Pledge], int]:
        query = select(Pledge)
        t = pledges.c
        for column, value in (
            (t.donor, where.donor),
            (t.status, where.status),
            (t.item_type, where.item_type),
        ):
            if value is not None:
                query = query.where(column == value)
        if where.search:
            text = func.lower(t.id + " " + t.donor + " " + t.item_type)
            query = query.where(text.contains(where.search.casefold(), autoescape=True))
        return page_of(
            self.session, query, ordering(t, sort, (t.available_from, t.id)), limit, offset
        )

    def all_requirements(self) -> list[Requirement]:
        return list(self.session.scalars(select(Requirement).order_by(requirements.c.id)))

    def all_pledges(self) -> list[Pledge]:
        return list(self.session.scalars(select(Pledge).order_by(pledges.c.id)))

    # Summaries select FROM the mapped classes (not the bare tables), so the
    # access policy's criteria apply to them: counts never leak.
    def unit_totals(self) -> list[tuple[int, str, int]]:
        """(priority, status, units) over all requirements."""
        t = requirements.c
        query = (
            select(t.priority, t.status, func.sum(t.quantity))
            .select_from(Requirement)
            .group_by(t.priority, t.status)
        )
        return [(int(p), str(s), int(q or 0)) for p, s, q in self.session.execute(query)]

    def counts(self) -> tuple[int, int, int]:
        """(requirement lines, pledges, distinct donors)."""
        lines = self.session.scalar(select(func.count()).select_from(Requirement)) or 0
        offers = self.session.scalar(select(func.count()).select_from(Pledge)) or 0
        donors = (
            self.session.scalar(select(func.count(pledges.c.donor.distinct())).select_from(Pledge))
            or 0
        )
        return lines, offers, donors

    def priorities(self) -> dict[str, int]:
        """Each requirement line's priority, by id."""
        t = requirements.c
        query = select(t.id, t.priority).select_from(Requirement)
        return {str(i): int(p) for i, p in self.session.execute(query)}
