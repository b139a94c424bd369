"""HTTP route to read a record's audit history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from materiel.platform.audit import history
from materiel.platform.http import UowDep, record_json

router = APIRouter(prefix="/api", tags=["audit"])


@router.get("/audit/{entity}/{entity_id}", summary="Every change of one record")
def record_history(entity: str, entity_id: str, uow: UowDep) -> list[dict[str, Any]]:
    with uow:
        return [record_json(entry) for entry in history(uow.session, entity, entity_id)]
