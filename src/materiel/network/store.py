"""Node and link tables and their mapping onto the model."""

from __future__ import annotations

from sqlalchemy import Column, Float, ForeignKey, Integer, String, Table, select
from sqlalchemy.orm import Session

from materiel.network.model import Link, Node, NodeKind, TransportMode
from materiel.platform.column_types import enum_column_type
from materiel.platform.database import mapper_registry, metadata

nodes = Table(
    "nodes",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("kind", enum_column_type(NodeKind), nullable=False),
    Column("country", String(3), nullable=False),
    Column("lat", Float, nullable=False),
    Column("lon", Float, nullable=False),
    Column("operator", String(200)),
    Column("handling_per_day", Integer),
    Column("storage", Integer),
    Column("version", Integer, nullable=False),
)

links = Table(
    "links",
    metadata,
    Column("id", String(200), primary_key=True),
    Column("from_node", String(80), ForeignKey("nodes.id"), nullable=False, index=True),
    Column("to_node", String(80), ForeignKey("nodes.id"), nullable=False, index=True),
    Column("mode", enum_column_type(TransportMode), nullable=False),
    Column("days", Float, nullable=False),
    Column("cost", Float, nullable=False),
    Column("capacity_per_day", Integer),
    Column("version", Integer, nullable=False),
)

mapper_registry.map_imperatively(Node, nodes, version_id_col=nodes.c.version)
mapper_registry.map_imperatively(Link, links, version_id_col=links.c.version)


class NetworkStore:
    """Reads the network within a unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def node(self, node_id: str) -> Node | None:
        return self.session.get(Node, node_id)

    def node_ids(self) -> set[str]:
        return set(self.session.scalars(select(nodes.c.id)))

    def all_nodes(self) -> list[Node]:
        return list(self.session.scalars(select(Node).order_by(nodes.c.id)))

    def all_links(self) -> list[Link]:
        return list(self.session.scalars(select(Link).order_by(links.c.id)))
