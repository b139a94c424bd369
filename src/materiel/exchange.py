"""Every kind of record that can be imported or exported, in one table.

The CLI, the API and the demo loader all go through these, so a kind is
added in one place.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from materiel.catalog import service as catalog
from materiel.donations import service as donations
from materiel.donations.io import ImportOptions
from materiel.network import service as network
from materiel.platform.exports import ExportReport
from materiel.platform.imports import ImportReport
from materiel.platform.tabular import Source
from materiel.platform.unit_of_work import UnitOfWork


class Mode(StrEnum):
    """How an import treats rejected rows: refuse all, keep the good ones, or only preview."""

    ALL_OR_NOTHING = "all-or-nothing"
    PARTIAL = "partial"
    PREVIEW = "preview"

    @property
    def flags(self) -> dict[str, bool]:
        return {"partial": self is Mode.PARTIAL, "preview": self is Mode.PREVIEW}


Importer = Callable[[Source, UnitOfWork, ImportOptions, Mode], ImportReport]
Exporter = Callable[[Path, UnitOfWork], ExportReport]


@dataclass(frozen=True)
class Kind:
    name: str
    help: str
    importer: Importer
    exporter: Exporter | None = None


KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        Kind(
            "item-types",
            "catalogue entries: id, name, category path, family, capability area, ...",
            lambda src, uow, _opts, mode: catalog.import_item_types(src, uow, **mode.flags),
            catalog.export_item_types,
        ),
        Kind(
            "nodes",
            "depots, hubs, hand-over points: id, name, kind, country, lat, lon",
            lambda src, uow, _opts, mode: network.import_nodes(src, uow, **mode.flags),
        ),
        Kind(
            "links",
            "directed transport links: from, to, mode, days, cost",
            lambda src, uow, _opts, mode: network.import_links(src, uow, **mode.flags),
        ),
        Kind(
            "requirements",
            "the partner's needs: item type, quantity, priority, needed by, unit, destination",
            lambda src, uow, opts, mode: donations.import_requirements(
                src, uow, options=opts, **mode.flags
            ),
            donations.export_requirements,
        ),
        Kind(
            "pledges",
            "donor offers: donor, item type, quantity, condition, origin, available from",
            lambda src, uow, opts, mode: donations.import_pledges(
                src, uow, options=opts, **mode.flags
            ),
            donations.export_pledges,
        ),
    )
}
