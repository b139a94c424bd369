"""The audit log: who changed what, when, with the record before and after.

Entries are added to the same session as the change, so they commit or
roll back together with it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, select
from sqlalchemy.orm import Session

from materiel.core.dates import utc_now
from materiel.platform.database import mapper_registry, metadata


@dataclass
class AuditEntry:
    actor: str
    action: str
    entity: str
    entity_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    at: datetime = dataclasses.field(default_factory=utc_now)
    id: int | None = None


audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(120), nullable=False),
    Column("action", String(40), nullable=False),
    Column("entity", String(40), nullable=False),
    Column("entity_id", String(80), nullable=False, index=True),
    Column("before", JSON),
    Column("after", JSON),
)

mapper_registry.map_imperatively(AuditEntry, audit_log)


def snapshot(record: Any) -> dict[str, Any]:
    """A JSON-ready copy of a model dataclass, for the before/after columns."""
    return {
        field.name: _plain(getattr(record, field.name))
        for field in dataclasses.fields(record)
        if not field.name.startswith("_")
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.label if hasattr(value, "label") else value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return snapshot(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def history(session: Session, entity: str, entity_id: str) -> list[AuditEntry]:
    """Every change of one record, oldest first."""
    query = (
        select(AuditEntry)
        .where(audit_log.c.entity == entity, audit_log.c.entity_id == entity_id)
        .order_by(audit_log.c.id)
    )
    return list(session.scalars(query))


@dataclass(frozen=True)
class HistoryLine:
    """One audited change, told as a person reads it."""

    at: datetime
    actor: str
    action: str
    changed: str


def history_lines(session: Session, entity: str, entity_id: str) -> list[HistoryLine]:
    lines = []
    for entry in history(session, entity, entity_id):
        before, after = entry.before or {}, entry.after or {}
        changes = [
            f"{key}: {before.get(key)} → {after.get(key)}"
            for key in after
            if key != "version" and before and before.get(key) != after.get(key)
        ]
        text = "; ".join(changes) if before else "created"
        lines.append(HistoryLine(entry.at, entry.actor, entry.action, text))
    return lines
