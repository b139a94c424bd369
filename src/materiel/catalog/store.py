"""Catalogue tables and their mapping onto the model."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, ForeignKey, Integer, String, Table, func, select
from sqlalchemy.orm import Session

from materiel.catalog.model import Category, ItemType
from materiel.platform.column_types import StringList
from materiel.platform.database import mapper_registry, metadata
from materiel.platform.listing import Sort, ordering, page_of

categories = Table(
    "categories",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("parent_id", String(200), ForeignKey("categories.id"), nullable=True),
)

item_types = Table(
    "item_types",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("category_id", String(200), ForeignKey("categories.id"), nullable=False),
    Column("family", String(80), nullable=False, index=True),
    Column("capability_area", String(40), nullable=False),
    Column("calibre", String(40)),
    Column("nsn", String(16)),
    Column("crew_size", Integer),
    Column("substitutes", StringList, nullable=False),
    Column("aliases", StringList, nullable=False),
    Column("transport_slots", Integer, nullable=False, server_default="1"),
    Column("version", Integer, nullable=False),
)

mapper_registry.map_imperatively(Category, categories)
mapper_registry.map_imperatively(ItemType, item_types, version_id_col=item_types.c.version)


class CatalogStore:
    """Reads and adds catalogue records within a unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def item_type(self, item_type_id: str) -> ItemType | None:
        return self.session.get(ItemType, item_type_id)

    def all_item_types(self) -> list[ItemType]:
        return list(self.session.scalars(select(ItemType).order_by(item_types.c.id)))

    def item_type_ids(self) -> set[str]:
        return set(self.session.scalars(select(item_types.c.id)))

    def list_item_types(
        self,
        *,
        family: str | None,
        area: str | None,
        search: str | None,
        limit: int,
        offset: int,
        sort: Sort = Sort(),
    ) -> tuple[Sequence[ItemType], int]:
        query = select(ItemType)
        if family:
            query = query.where(item_types.c.family == family)
        if area:
            query = query.where(item_types.c.capability_area == area)
        if search:
            query = query.where(
                func.lower(item_types.c.name).contains(search.casefold(), autoescape=True)
            )
        order = ordering(item_types.c, sort, (item_types.c.id,))
        return page_of(self.session, query, order, limit, offset)

    def category(self, category_id: str) -> Category | None:
        return self.session.get(Category, category_id)

    def all_categories(self) -> list[Category]:
        return list(self.session.scalars(select(Category).order_by(categories.c.id)))

    def add(self, record: Category | ItemType) -> None:
        self.session.add(record)
