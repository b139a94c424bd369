"""The audit log: who changed what, when, with the record before and after.

Entries are added to the same session as the change, so they commit or
roll back together with it. The log is append-only and tamper-evident: each
entry carries its place `seq`, its RFC 9162 leaf hash and a chain hash over
every entry before it (see `audit_chain/`); `audit_checkpoint` keeps signed
tree heads.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    select,
)
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
    seq: int | None = None  # place in the tamper-evident log: the Merkle leaf index


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
    Column("seq", Integer, nullable=False, unique=True),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    Column("chain_hash", LargeBinary(32), nullable=False),
)

# Signed tree heads, as also written to files held outside the database.
audit_checkpoint = Table(
    "audit_checkpoint",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("tree_size", Integer, nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("key_id", String(40), nullable=False),
    Column("note", Text, nullable=False),  # the signed text: origin, size, root, time
    Column("signature", LargeBinary(64), nullable=False),
)

mapper_registry.map_imperatively(
    AuditEntry, audit_log, exclude_properties=["leaf_hash", "chain_hash"]
)


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
