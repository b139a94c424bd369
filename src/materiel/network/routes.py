"""HTTP routes of the network."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from materiel.network import service
from materiel.platform.http import UowDep, record_json

router = APIRouter(prefix="/api", tags=["network"])


@router.get("/nodes", summary="Depots, hubs, hand-over points")
def list_nodes(uow: UowDep) -> list[dict[str, Any]]:
    return [record_json(node) for node in service.list_nodes(uow)]


@router.get("/links", summary="Directed transport links")
def list_links(uow: UowDep) -> list[dict[str, Any]]:
    return [record_json(link) for link in service.list_links(uow)]
