"""Web pages of the catalogue: what is particular to item types.

Tables, forms and details are drawn by `web/record_pages.py`.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.datastructures import QueryParams

from materiel.catalog import service
from materiel.catalog.io import item_type_fields
from materiel.catalog.model import CAPABILITY_AREAS, ItemType
from materiel.core.paging import Page
from materiel.platform.listing import Sort
from materiel.platform.unit_of_work import UnitOfWork
from materiel.web.forms import FormField
from materiel.web.record_pages import RecordPages, register
from materiel.web.tables import Column, Filter, ListQuery

router = APIRouter(include_in_schema=False)

AREA_OPTIONS = [(a, a) for a in CAPABILITY_AREAS]


def item_type_form(uow: UnitOfWork, new: bool) -> list[FormField]:
    ident = [FormField("id", "Id", required=True, help="e.g. pzh-2000")] if new else []
    return [
        *ident,
        FormField("name", "Name", required=True),
        FormField("category", "Category", required=True, help="e.g. Artillery > Towed howitzer"),
        FormField("family", "Family", required=True, help="types that compete, e.g. 155mm-sph"),
        FormField("capability_area", "Capability area", "select", AREA_OPTIONS, required=True),
        FormField("calibre", "Calibre"),
        FormField("nsn", "NATO Stock Number", help="NNNN-NN-NNN-NNNN"),
        FormField("crew_size", "Crew", "number"),
        FormField("substitutes", "Substitutes", help="item type ids, separated by |"),
        FormField("aliases", "Also known as", help="separated by |"),
        FormField("transport_slots", "Transport slots per unit", "number"),
    ]


def filters(q: QueryParams) -> list[Filter]:
    return [
        Filter("q", "Search name", q.get("q")),
        Filter("family", "Family", q.get("family")),
        Filter("area", "Capability area", q.get("area"), AREA_OPTIONS),
    ]


def search(q: QueryParams, query: ListQuery, uow: UnitOfWork) -> Page[ItemType]:
    return service.list_item_types(
        uow,
        family=q.get("family") or None,
        area=q.get("area") or None,
        search=q.get("q") or None,
        limit=query.limit,
        offset=query.offset,
        sort=Sort(query.sort, query.descending),
    )


ITEM_TYPES = RecordPages[ItemType](
    entity=service.ENTITY,
    noun="item type",
    path="/catalogue",
    title="Catalogue",
    columns=[
        Column("id", "Id", lambda i: i.id, lambda i: f"/catalogue/{i.id}"),
        Column("name", "Name", lambda i: i.name),
        Column("family", "Family", lambda i: i.family),
        Column("capability_area", "Capability area", lambda i: i.capability_area),
        Column("calibre", "Calibre", lambda i: i.calibre),
        Column("substitutes", "Substitutes", lambda i: i.substitutes, sortable=False),
    ],
    filters=filters,
    search=search,
    get=service.get_item_type,
    create=service.create_item_type,
    update=service.update_item_type,
    # Category ids are slug paths; the parser reads them back as the same categories.
    to_fields=lambda item: item_type_fields(item, {}),
    form=item_type_form,
)

register(router, ITEM_TYPES)
