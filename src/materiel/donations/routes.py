"""HTTP routes of requirements and pledges."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, Field

from materiel.donations import service
from materiel.donations.model import PledgeStatus, RequirementStatus
from materiel.donations.store import PledgeFilter, RequirementFilter
from materiel.platform.http import (
    IfMatch,
    PagingDep,
    UowDep,
    expected_version,
    page_json,
    with_etag,
)

router = APIRouter(prefix="/api", tags=["requirements and pledges"])


class MarkingIn(BaseModel):
    classification: str | None = Field(default=None, examples=["NATO UNCLASSIFIED"])
    releasable_to: list[str] | None = Field(default=None, examples=[["UKR", "NATO"]])


class RequirementIn(MarkingIn):
    """A requirement line; `ref` is derived from the content when absent."""

    ref: str | None = Field(default=None, examples=["REQ-0001"])
    item_type: str = Field(examples=["pzh-2000"])
    accepts: list[str] = []
    quantity: int = Field(examples=[6])
    priority: int = Field(examples=[1], ge=1, le=5)
    needed_by: date
    unit: str = Field(examples=["47th Mechanized Brigade"])
    destination: str = Field(examples=["lviv"])
    capability_area: str | None = None
    justification: str | None = None


class RequirementChange(MarkingIn):
    version: int | None = None
    item_type: str | None = None
    accepts: list[str] | None = None
    quantity: int | None = None
    priority: int | None = None
    needed_by: date | None = None
    unit: str | None = None
    destination: str | None = None
    capability_area: str | None = None
    justification: str | None = None


class PledgeIn(MarkingIn):
    """A donor's offer; `ref` is derived from the content when absent."""

    ref: str | None = Field(default=None, examples=["PLG-0001"])
    donor: str = Field(examples=["DEU"])
    item_type: str = Field(examples=["pzh-2000"])
    quantity: int = Field(examples=[4])
    condition: str | None = Field(default=None, examples=["refurbished"])
    origin: str | None = None
    available_from: date | None = None
    caveat_areas: list[str] = []
    caveat_units: list[str] = []
    caveat_not_before: date | None = None
    shared: bool = Field(default=False, description="seen by all participants, not only the donor")


class PledgeChange(MarkingIn):
    version: int | None = None
    donor: str | None = None
    item_type: str | None = None
    quantity: int | None = None
    condition: str | None = None
    origin: str | None = None
    available_from: date | None = None
    caveat_areas: list[str] | None = None
    caveat_units: list[str] | None = None
    caveat_not_before: date | None = None
    shared: bool | None = None


class RequirementStatusChange(BaseModel):
    status: RequirementStatus
    version: int | None = None


class PledgeStatusChange(BaseModel):
    status: PledgeStatus
    version: int | None = None


def _fields(body: BaseModel) -> dict[str, Any]:
    """A new record's fields: what was sent (defaults apply to the rest)."""
    return body.model_dump(exclude_none=True)


def _changes(body: BaseModel) -> dict[str, Any]:
    """The fields a client changed; an explicit null clears an optional field."""
    return body.model_dump(exclude_unset=True, exclude={"version"})


@router.get("/requirements", summary="List requirement lines")
def list_requirements(
    uow: UowDep,
    paging: PagingDep,
    priority: Annotated[int | None, Query(ge=1, le=5)] = None,
    status: RequirementStatus | None = None,
    unit: str | None = None,
    item_type: str | None = None,
    capability_area: str | None = None,
    q: str | None = None,
) -> dict[str, Any]:
    where = RequirementFilter(priority, status, unit, item_type, capability_area, q)
    page = service.list_requirements(where, uow, limit=paging.limit, offset=paging.offset)
    return page_json(page)


@router.get("/requirements/{requirement_id}", summary="One requirement line")
def get_requirement(requirement_id: str, uow: UowDep, response: Response) -> dict[str, Any]:
    return with_etag(response, service.get_requirement(requirement_id, uow))


@router.post("/requirements", status_code=201, summary="Add a requirement line")
def create_requirement(body: RequirementIn, uow: UowDep, response: Response) -> dict[str, Any]:
    return with_etag(response, service.create_requirement(_fields(body), uow))


@router.patch("/requirements/{requirement_id}", summary="Change a requirement line")
def update_requirement(
    requirement_id: str,
    body: RequirementChange,
    uow: UowDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    version = expected_version(body.version, if_match)
    record = service.update_requirement(requirement_id, _changes(body), version, uow)
    return with_etag(response, record)


@router.post("/requirements/{requirement_id}/status", summary="Move a requirement on")
def change_requirement_status(
    requirement_id: str,
    body: RequirementStatusChange,
    uow: UowDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    version = expected_version(body.version, if_match)
    record = service.change_requirement_status(requirement_id, body.status, version, uow)
    return with_etag(response, record)


@router.get("/pledges", summary="List pledges")
def list_pledges(
    uow: UowDep,
    paging: PagingDep,
    donor: str | None = None,
    status: PledgeStatus | None = None,
    item_type: str | None = None,
    q: str | None = None,
) -> dict[str, Any]:
    where = PledgeFilter(donor.upper() if donor else None, status, item_type, q)
    page = service.list_pledges(where, uow, limit=paging.limit, offset=paging.offset)
    return page_json(page)


@router.get("/pledges/{pledge_id}", summary="One pledge")
def get_pledge(pledge_id: str, uow: UowDep, response: Response) -> dict[str, Any]:
    return with_etag(response, service.get_pledge(pledge_id, uow))


@router.post("/pledges", status_code=201, summary="Add a pledge")
def create_pledge(body: PledgeIn, uow: UowDep, response: Response) -> dict[str, Any]:
    return with_etag(response, service.create_pledge(_fields(body), uow))


@router.patch("/pledges/{pledge_id}", summary="Change a pledge")
def update_pledge(
    pledge_id: str,
    body: PledgeChange,
    uow: UowDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    version = expected_version(body.version, if_match)
    return with_etag(response, service.update_pledge(pledge_id, _changes(body), version, uow))


@router.post("/pledges/{pledge_id}/status", summary="Move a pledge on")
def change_pledge_status(
    pledge_id: str,
    body: PledgeStatusChange,
    uow: UowDep,
    response: Response,
    if_match: IfMatch = None,
) -> dict[str, Any]:
    version = expected_version(body.version, if_match)
    record = service.change_pledge_status(pledge_id, body.status, version, uow)
    return with_etag(response, record)


@router.get("/summary", summary="The scenario at a glance")
def summary(uow: UowDep) -> dict[str, Any]:
    return service.summarize(uow).__dict__
