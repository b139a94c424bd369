"""Reading item types from spreadsheets (and API bodies, which share the rules)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from materiel.catalog.model import (
    ItemType,
    category_chain,
    category_paths,
    check_capability_area,
    check_slug,
    normalize_nsn,
    slugify,
)
from materiel.catalog.store import CatalogStore, item_types
from materiel.platform.imports import ImportSpec, cell, optional_cell, whole_number
from materiel.platform.tabular import Columns, Row
from materiel.platform.unit_of_work import UnitOfWork


def stored_item_type_fields(uow: UnitOfWork) -> Callable[[ItemType], Mapping[str, Any]]:
    """Stored item types as import columns, the category paths read once when first needed."""
    paths: dict[str, str] = {}

    def fields(item: ItemType) -> Mapping[str, Any]:
        if not paths:
            paths.update(category_paths(CatalogStore(uow.session).all_categories()))
        return item_type_fields(item, paths)

    return fields


ITEM_TYPE_IMPORT = ImportSpec(
    kind="item-types",
    entity="item_type",
    columns=Columns(
        names={
            "id": ("item type id", "item id", "code"),
            "name": ("item type", "model", "designation"),
            "category": ("category path",),
            "family": ("fleet family",),
            "calibre": ("caliber",),
            "nsn": ("nato stock number", "stock number"),
            "crew_size": ("crew",),
            "capability_area": ("capability", "area", "coalition"),
            "substitutes": ("substitute", "accepted substitutes"),
            "aliases": ("also known as", "other names"),
            "transport_slots": ("slots", "transport slots", "slots per unit"),
        },
        required=("id", "name", "category", "family", "capability_area"),
    ),
    id_column=item_types.c.id,
    identity="id",
    stored=stored_item_type_fields,
)

_AREA_ALIASES = {
    "air-defence": "iamd",
    "air-defense": "iamd",
    "integrated-air-and-missile-defence": "iamd",
    "armor": "armour",
    "mine-action": "demining",
    "uav": "drones",
    "navy": "maritime",
    "mobility": "infantry-mobility",
}


def capability_area(value: Any) -> str:
    slug = slugify(str(value))
    area = _AREA_ALIASES.get(slug, slug)
    check_capability_area(area)
    return area


NO_NAMES: tuple[str, ...] = ()


def slug(value: Any, what: str) -> str:
    text = str(value).strip().casefold()
    check_slug(text, what)
    return text


def text_list(value: Any) -> tuple[str, ...]:
    """A list cell: values separated by `|` (or `;`), or a JSON list from the API."""
    parts = value if isinstance(value, list | tuple) else str(value).replace(";", "|").split("|")
    return tuple(dict.fromkeys(str(p).strip() for p in parts if str(p).strip()))


def item_type_parser(uow: UnitOfWork) -> Callable[[Row], ItemType]:
    store = CatalogStore(uow.session)
    known_categories = {c.id for c in store.all_categories()}

    def ensure_categories(path: Any) -> str:
        chain = category_chain(str(path))
        for category in chain:
            if category.id not in known_categories:
                store.add(category)
                uow.audit("create", "category", category.id, None, category)
                known_categories.add(category.id)
        return chain[-1].id

    def parse(row: Row) -> ItemType:
        return ItemType(
            id=cell(row, "id", lambda v: slug(v, "id")),
            name=cell(row, "name", str),
            category_id=cell(row, "category", ensure_categories),
            family=cell(row, "family", lambda v: slug(v, "family")),
            capability_area=cell(row, "capability_area", capability_area),
            calibre=optional_cell(row, "calibre", str, None),
            nsn=optional_cell(row, "nsn", lambda v: normalize_nsn(str(v)), None),
            crew_size=optional_cell(row, "crew_size", whole_number, None),
            substitutes=optional_cell(row, "substitutes", text_list, NO_NAMES),
            aliases=optional_cell(row, "aliases", text_list, NO_NAMES),
            transport_slots=optional_cell(row, "transport_slots", whole_number, 1),
        )

    return parse


def item_type_fields(item: ItemType, category_paths: dict[str, str]) -> dict[str, Any]:
    """An item type in the import format's columns: for export and for edits."""
    return {
        "id": item.id,
        "name": item.name,
        "category": category_paths.get(item.category_id, item.category_id),
        "family": item.family,
        "calibre": item.calibre,
        "nsn": item.nsn,
        "crew_size": item.crew_size,
        "capability_area": item.capability_area,
        "substitutes": item.substitutes,
        "aliases": item.aliases,
        "transport_slots": item.transport_slots,
    }
