"""Who may read a record's audit history: whoever may read the record.

An audit entry holds whole snapshots of the record before and after a
change, so reading the history of a record one may not see would show it.
The history is read as the record is: through the user's own filter (and
row-level security). A record that no longer exists is judged by the
markings its snapshots bear.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session

from materiel.core.markings import Marking
from materiel.core.nations import PARTNER
from materiel.platform.access.sessions import as_system, principal_of
from materiel.platform.audit import AuditEntry

MARKINGS = (  # (classification, releasability, owner) fields a snapshot may bear
    ("classification", "releasable_to", "donor"),
    ("requirement_classification", "requirement_releasable_to", None),
)


def history_readable(
    session: Session,
    records: Mapping[str, type],
    entity: str,
    entity_id: str,
    entries: list[AuditEntry],
) -> bool:
    """Whether the session's principal may read the history of `entity` `entity_id`."""
    model = records.get(entity)
    key = _key(model, entity_id) if model is not None else None
    if model is None or key is None:
        return True  # an entity with no marked record: the log's own readers read it
    if session.get(model, key) is not None:
        return True
    with as_system(session):
        exists = session.get(model, key) is not None
    return not exists and all(_snapshot_readable(session, e) for e in entries)


def _key(model: type, entity_id: str) -> Any:
    """The record's primary key from its id as the log writes it; None if it cannot be one."""
    column: Any = inspect(model).primary_key[0]
    if column.type.python_type is int:
        return int(entity_id) if entity_id.isdigit() else None
    return entity_id


def _snapshot_readable(session: Session, entry: AuditEntry) -> bool:
    principal = principal_of(session)
    for snapshot in (entry.before or {}, entry.after or {}):
        for level, releasable, owner in MARKINGS:
            if level in snapshot:
                marking = Marking.parse(snapshot[level], ", ".join(snapshot.get(releasable) or []))
                holder = snapshot.get(owner, "") if owner else PARTNER
                if not principal.may_read(marking, str(holder)):
                    return False
    return True
