"""HTTP routes of the catalogue."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from materiel.catalog import service
from materiel.platform.http import (
    IfMatch,
    PagingDep,
    UowDep,
    expected_version,
    page_json,
    record_json,
    with_etag,
)

router = APIRouter(prefix="/api", tags=["catalogue"])


class ItemTypeIn(BaseModel):
    """An item type as sent by a client; the catalogue's rules validate each field."""

    id: str = Field(examples=["pzh-2000"])
    name: str = Field(examples=["PzH 2000"])
    category: str = Field(examples=["Artillery > Self-propelled howitzer"])
    family: str = Field(examples=["155mm-sph"])
    capability_area: str = Field(examples=["artillery"])
    calibre: str | None = Field(default=None, examples=["155mm"])
    nsn: str | None = Field(default=None, examples=["1025-12-345-6789"])
    crew_size: int | None = None
    substitutes: list[str] = []
    aliases: list[str] = []


class ItemTypeChange(BaseModel):
    """Fields to change, and the version you edited (or send If-Match)."""

    version: int | None = None
    name: str | None = None
    category: str | None = None
    family: str | None = None
    capability_area: str | None = None
    calibre: str | None = None
    nsn: str | None = None
    crew_size: int | None = None
    substitutes: list[str] | None = None
    aliases: list[str] | None = None


@router.get("/item-types", summary="List item types")
def list_item_types(
    uow: UowDep,
    paging: PagingDep,
    family: str | None = None,
    area: str | None = None,
    q: str | None = None,
) -> dict[str, Any]:
    page = service.list_item_types(
        uow, family=family, area=area, search=q, limit=paging.limit, offset=paging.offset
    )
    return page_json(page)


@router.get("/item-types/{item_type_id}", summary="One item type")
def get_item_type(item_type_id: str, uow: UowDep, response: Response) -> dict[str, Any]:
    return with_etag(response, service.get_item_type(item_type_id, uow))


@router.post("/item-types", status_code=201, summary="Add an item type")
def create_item_type(body: ItemTypeIn, uow: UowDep, response: Response) -> dict[str, Any]:
    return with_etag(response, service.create_item_type(body.model_dump(), uow))


@router.patch("/item-types/{item_type_id}", summary="Change an item type")
def update_item_type(
    item_type_id: str,
    body: ItemTypeChange,
    uow: UowDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    changes = body.model_dump(exclude_unset=True, exclude={"version"})
    version = expected_version(body.version, if_match)
    return with_etag(response, service.update_item_type(item_type_id, changes, version, uow))


@router.get("/categories", summary="The category tree, flat")
def list_categories(uow: UowDep) -> list[dict[str, Any]]:
    return [record_json(c) for c in service.list_categories(uow)]
