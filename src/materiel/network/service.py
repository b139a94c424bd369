"""Use cases of the network: import and read nodes and links."""

from __future__ import annotations

from materiel.network.io import LINK_IMPORT, NODE_IMPORT, link_parser, node_parser
from materiel.network.model import Link, Node
from materiel.network.store import NetworkStore
from materiel.platform.imports import ImportReport, run_import
from materiel.platform.tabular import Source
from materiel.platform.unit_of_work import UnitOfWork


def import_nodes(source: Source, uow: UnitOfWork, *, partial: bool = False) -> ImportReport:
    return run_import(uow, source, NODE_IMPORT, node_parser, partial=partial)


def import_links(source: Source, uow: UnitOfWork, *, partial: bool = False) -> ImportReport:
    return run_import(uow, source, LINK_IMPORT, link_parser, partial=partial)


def list_nodes(uow: UnitOfWork) -> list[Node]:
    with uow:
        return NetworkStore(uow.session).all_nodes()


def list_links(uow: UnitOfWork) -> list[Link]:
    with uow:
        return NetworkStore(uow.session).all_links()
