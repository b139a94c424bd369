"""Small, readable test data loaded through the real importers."""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook

from materiel.bootstrap import Runtime
from materiel.catalog.service import import_item_types
from materiel.network.service import import_links, import_nodes

ITEM_TYPES = [
    {
        "id": "pzh-2000",
        "name": "PzH 2000",
        "category": "Artillery > Self-propelled howitzer",
        "family": "155mm-sph",
        "capability_area": "artillery",
        "calibre": "155mm",
        "crew_size": "5",
        "substitutes": "caesar",
        "aliases": "Panzerhaubitze 2000",
    },
    {
        "id": "caesar",
        "name": "CAESAR",
        "category": "Artillery > Self-propelled howitzer",
        "family": "155mm-sph",
        "capability_area": "artillery",
        "calibre": "155mm",
        "crew_size": "5",
    },
    {
        "id": "mv-4",
        "name": "DOK-ING MV-4",
        "category": "Engineering > Mine clearing vehicle",
        "family": "mine-clearing-vehicle",
        "capability_area": "demining",
    },
]

NODES = [
    {
        "id": "unterluss",
        "name": "Unterlüß depot",
        "kind": "depot",
        "country": "DEU",
        "lat": "52.83",
        "lon": "10.29",
    },
    {
        "id": "rzeszow",
        "name": "Rzeszów-Jasionka",
        "kind": "hub",
        "country": "POL",
        "lat": "50.11",
        "lon": "22.02",
    },
    {
        "id": "lviv",
        "name": "Lviv",
        "kind": "handover",
        "country": "UKR",
        "lat": "49.84",
        "lon": "24.03",
    },
]

LINKS = [
    {"from": "unterluss", "to": "rzeszow", "mode": "rail", "days": "3", "cost": "10"},
    {"from": "rzeszow", "to": "lviv", "mode": "road", "days": "1", "cost": "4"},
]


def load_reference_data(runtime: Runtime) -> None:
    """Catalogue and network that requirement and pledge tests stand on."""
    import_item_types(("item types", ITEM_TYPES), runtime.uow("test"))
    import_nodes(("nodes", NODES), runtime.uow("test"))
    import_links(("links", LINKS), runtime.uow("test"))


def write_csv(path: Path, rows: list[list[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path
