"""Use cases of the network: import and read nodes and links."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from materiel.core.markings import Marking
from materiel.network.io import LINK_IMPORT, NODE_IMPORT, link_parser, node_parser
from materiel.network.model import Link, Node
from materiel.network.routing import Route, routes_from
from materiel.network.store import NetworkStore
from materiel.platform.imports import ImportReport, run_import
from materiel.platform.tabular import Source
from materiel.platform.unit_of_work import UnitOfWork

UNMARKED = Marking()


def import_nodes(
    source: Source, uow: UnitOfWork, *, partial: bool = False, preview: bool = False
) -> ImportReport:
    return run_import(uow, source, NODE_IMPORT, node_parser, partial=partial, preview=preview)


def import_links(
    source: Source, uow: UnitOfWork, *, partial: bool = False, preview: bool = False
) -> ImportReport:
    return run_import(uow, source, LINK_IMPORT, link_parser, partial=partial, preview=preview)


def list_nodes(uow: UnitOfWork) -> list[Node]:
    with uow:
        return NetworkStore(uow.session).all_nodes()


def list_links(uow: UnitOfWork) -> list[Link]:
    with uow:
        return NetworkStore(uow.session).all_links()


@dataclass(frozen=True)
class Flow:
    """Units planned between two nodes; the map routes them over the network."""

    origin: str
    destination: str
    units: int
    marking: Marking = UNMARKED  # of the plan line it comes from: the map's banner covers it


@dataclass(frozen=True)
class LinkLoad:
    link: Link
    units: int


def link_loads(flows: Iterable[Flow], uow: UnitOfWork) -> tuple[list[Node], list[LinkLoad]]:
    """Every node, and every link with the units the flows put on it (fastest routes)."""
    with uow:
        store = NetworkStore(uow.session)
        nodes, links = store.all_nodes(), store.all_links()
    units: Counter[str] = Counter()
    routes: dict[str, dict[str, Route]] = {}
    for flow in flows:
        if flow.origin not in routes:
            routes[flow.origin] = routes_from(flow.origin, links)
        route = routes[flow.origin].get(flow.destination)
        for link_id in route.links if route else ():
            units[link_id] += flow.units
    return nodes, [LinkLoad(link, units[link.id]) for link in links]
