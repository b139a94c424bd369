"""Use cases of the catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from materiel.catalog.io import ITEM_TYPE_IMPORT, item_type_fields, item_type_parser
from materiel.catalog.model import Category, ItemType, NameIndex, category_paths
from materiel.catalog.store import CatalogStore
from materiel.core.paging import Page
from materiel.platform.exports import ExportReport, export_records
from materiel.platform.imports import ImportReport, run_import
from materiel.platform.listing import Sort
from materiel.platform.records import create_record, get_record, update_record
from materiel.platform.tabular import Source
from materiel.platform.unit_of_work import UnitOfWork

ENTITY = "item_type"


def import_item_types(
    source: Source, uow: UnitOfWork, *, partial: bool = False, preview: bool = False
) -> ImportReport:
    return run_import(
        uow, source, ITEM_TYPE_IMPORT, item_type_parser, partial=partial, preview=preview
    )


def create_item_type(fields: Mapping[str, Any], uow: UnitOfWork) -> ItemType:
    return create_record(uow, ENTITY, item_type_parser, fields)


def update_item_type(
    item_type_id: str, changes: Mapping[str, Any], expected_version: int | None, uow: UnitOfWork
) -> ItemType:
    return update_record(
        uow,
        model=ItemType,
        entity=ENTITY,
        make_parser=item_type_parser,
        to_fields=lambda item: item_type_fields(item, category_paths_of(uow)),
        record_id=item_type_id,
        changes=changes,
        expected_version=expected_version,
    )


def get_item_type(item_type_id: str, uow: UnitOfWork) -> ItemType:
    with uow:
        return get_record(uow, ItemType, ENTITY, item_type_id)


def list_item_types(
    uow: UnitOfWork,
    *,
    family: str | None = None,
    area: str | None = None,
    search: str | None = None,
    limit: int = 50,
    offset: int = 0,
    sort: Sort = Sort(),
) -> Page[ItemType]:
    with uow:
        items, total = CatalogStore(uow.session).list_item_types(
            family=family, area=area, search=search, limit=limit, offset=offset, sort=sort
        )
        return Page(items, total, limit, offset)


def list_categories(uow: UnitOfWork) -> list[Category]:
    with uow:
        return CatalogStore(uow.session).all_categories()


def category_paths_of(uow: UnitOfWork) -> dict[str, str]:
    """Readable category paths; call inside an open unit of work."""
    return category_paths(CatalogStore(uow.session).all_categories())


def name_index(uow: UnitOfWork) -> NameIndex:
    """Everything the catalogue answers to; call inside an open unit of work."""
    return NameIndex.of(CatalogStore(uow.session).all_item_types())


def export_item_types(path: Path, uow: UnitOfWork) -> ExportReport:
    with uow:
        paths = category_paths_of(uow)
        items = CatalogStore(uow.session).all_item_types()
        return export_records(path, items, lambda item: item_type_fields(item, paths))
