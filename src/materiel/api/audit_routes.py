"""HTTP route to read a record's audit history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from materiel.access_policy import AUDITED_RECORDS
from materiel.core.errors import NotFound
from materiel.platform.audit import history
from materiel.platform.audit_access import history_readable
from materiel.platform.http import UowDep, record_json

router = APIRouter(prefix="/api", tags=["audit"])


@router.get("/audit/{entity}/{entity_id}", summary="Every change of one record")
def record_history(entity: str, entity_id: str, uow: UowDep) -> list[dict[str, Any]]:
    """Read as the record is: a record the user may not see has no history for them."""
    with uow:
        entries = history(uow.session, entity, entity_id)
        if not history_readable(uow.session, AUDITED_RECORDS, entity, entity_id, entries):
            raise NotFound(f"{entity} '{entity_id}' does not exist")
        return [record_json(entry) for entry in entries]
