"""Web pages of the catalogue: the item type table and each type's detail."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from materiel.catalog import service
from materiel.catalog.model import CAPABILITY_AREAS, ItemType
from materiel.platform.http import UowDep
from materiel.platform.listing import Sort
from materiel.web.rendering import page
from materiel.web.tables import Column, Filter, ListQuery, table_view

router = APIRouter(include_in_schema=False)

COLUMNS: list[Column[ItemType]] = [
    Column("id", "Id", lambda i: i.id, lambda i: f"/catalogue/{i.id}"),
    Column("name", "Name", lambda i: i.name),
    Column("family", "Family", lambda i: i.family),
    Column("capability_area", "Capability area", lambda i: i.capability_area),
    Column("calibre", "Calibre", lambda i: i.calibre),
    Column("substitutes", "Substitutes", lambda i: i.substitutes, sortable=False),
]


@router.get("/catalogue", response_class=HTMLResponse)
def catalogue_page(request: Request, uow: UowDep) -> Response:
    q = request.query_params
    query = ListQuery.of(request)
    found = service.list_item_types(
        uow,
        family=q.get("family") or None,
        area=q.get("area") or None,
        search=q.get("q") or None,
        limit=query.limit,
        offset=query.offset,
        sort=Sort(query.sort, query.descending),
    )
    filters = [
        Filter("q", "Search name", q.get("q")),
        Filter("family", "Family", q.get("family")),
        Filter("area", "Capability area", q.get("area"), [(a, a) for a in CAPABILITY_AREAS]),
    ]
    table = table_view("Catalogue", found, COLUMNS, query, filters=filters)
    return page(request, "list.html", {"table": table})


@router.get("/catalogue/{item_type_id}", response_class=HTMLResponse)
def item_type_page(item_type_id: str, request: Request, uow: UowDep) -> Response:
    item = service.get_item_type(item_type_id, uow)
    paths = service.readable_category_paths(uow)
    details = [
        ("name", item.name),
        ("category", paths.get(item.category_id, item.category_id)),
        ("family", item.family),
        ("capability area", item.capability_area),
        ("calibre", item.calibre or ""),
        ("NATO stock number", item.nsn or ""),
        ("crew", str(item.crew_size or "")),
        ("substitutes", ", ".join(item.substitutes)),
        ("also known as", ", ".join(item.aliases)),
        ("version", str(item.version)),
    ]
    return page(request, "item_type.html", {"item": item, "details": details})
