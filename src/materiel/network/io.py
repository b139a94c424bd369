"""Reading nodes and links from spreadsheets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from materiel.core.errors import InvalidInput
from materiel.core.nations import NationResolver
from materiel.network.model import Link, Node, NodeKind, TransportMode
from materiel.network.store import NetworkStore, links, nodes
from materiel.platform.imports import (
    ImportSpec,
    cell,
    decimal_number,
    enum_parser,
    optional_cell,
    whole_number,
)
from materiel.platform.tabular import Columns, Row
from materiel.platform.unit_of_work import UnitOfWork

NODE_IMPORT = ImportSpec(
    kind="nodes",
    entity="node",
    columns=Columns(
        names={
            "id": ("node", "node id", "ref"),
            "name": ("node name", "place"),
            "kind": ("type", "node type"),
            "country": ("nation",),
            "lat": ("latitude",),
            "lon": ("longitude", "lng"),
            "operator": ("operated by",),
            "handling_per_day": ("handling", "handling capacity", "throughput per day"),
            "storage": ("storage capacity",),
        },
        required=("id", "name", "kind", "country", "lat", "lon"),
    ),
    id_column=nodes.c.id,
    identity="id",
    stored=lambda _uow: node_fields,
)

LINK_IMPORT = ImportSpec(
    kind="links",
    entity="link",
    columns=Columns(
        names={
            "from": ("from node", "origin", "source"),
            "to": ("to node", "destination", "target"),
            "mode": ("transport mode",),
            "days": ("transit days", "transit"),
            "cost": ("cost per unit",),
            "capacity_per_day": ("capacity", "capacity per day"),
        },
        required=("from", "to", "mode", "days", "cost"),
    ),
    id_column=links.c.id,
    identity=None,  # from, to and mode, all required
    stored=lambda _uow: link_fields,
)


def node_parser(uow: UnitOfWork) -> Callable[[Row], Node]:
    nations = NationResolver()

    def parse(row: Row) -> Node:
        return Node(
            id=cell(row, "id", str),
            name=cell(row, "name", str),
            kind=cell(row, "kind", enum_parser(NodeKind)),
            country=cell(row, "country", nations.resolve),
            lat=cell(row, "lat", decimal_number),
            lon=cell(row, "lon", decimal_number),
            operator=optional_cell(row, "operator", str, None),
            handling_per_day=optional_cell(row, "handling_per_day", whole_number, None),
            storage=optional_cell(row, "storage", whole_number, None),
        )

    return parse


def link_parser(uow: UnitOfWork) -> Callable[[Row], Link]:
    known = NetworkStore(uow.session).node_ids()

    def node_ref(value: object) -> str:
        text = str(value).strip()
        if text not in known:
            raise InvalidInput(f"node '{text}' does not exist; import nodes first")
        return text

    def parse(row: Row) -> Link:
        source, target = cell(row, "from", node_ref), cell(row, "to", node_ref)
        mode = cell(row, "mode", enum_parser(TransportMode))
        return Link(
            id=Link.make_id(source, target, mode),
            from_node=source,
            to_node=target,
            mode=mode,
            days=cell(row, "days", decimal_number),
            cost=cell(row, "cost", decimal_number),
            capacity_per_day=optional_cell(row, "capacity_per_day", whole_number, None),
        )

    return parse


def node_fields(node: Node) -> dict[str, Any]:
    """A node in the import format's columns."""
    return {
        "id": node.id,
        "name": node.name,
        "kind": node.kind,
        "country": node.country,
        "lat": node.lat,
        "lon": node.lon,
        "operator": node.operator,
        "handling_per_day": node.handling_per_day,
        "storage": node.storage,
    }


def link_fields(link: Link) -> dict[str, Any]:
    """A link in the import format's columns."""
    return {
        "from": link.from_node,
        "to": link.to_node,
        "mode": link.mode,
        "days": link.days,
        "cost": link.cost,
        "capacity_per_day": link.capacity_per_day,
    }
