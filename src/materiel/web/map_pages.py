"""The map: nodes as APP-6 symbols and links by planned load, on an offline basemap."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from materiel.core.markings import Marking, most_restrictive
from materiel.donations.plan_service import accepted_flows
from materiel.logistics.listing import moving_shipments
from materiel.logistics.model import Disruption, DisruptionKind, Shipment
from materiel.logistics.service import list_disruptions
from materiel.network.model import NodeKind
from materiel.network.service import Flow, link_loads
from materiel.platform.http import UowDep
from materiel.web.rendering import page

router = APIRouter()

# MIL-STD-2525C / APP-6 letter codes: friendly ground, combat service support units;
# 'H' in the modifier position draws the installation frame.
SIDC_BY_KIND = {
    NodeKind.DEPOT: "SFGPUSS---H----",  # supply
    NodeKind.HUB: "SFGPUST---H----",  # transportation
    NodeKind.HANDOVER: "SFGPUSTM--*****",  # movement control
    NodeKind.REPAIR: "SFGPUSX---H----",  # maintenance
    NodeKind.TRAINING: "SFGPUH----H----",  # headquarters-style training site
}


@router.get("/map", response_class=HTMLResponse, include_in_schema=False)
def map_page(request: Request, uow: UowDep) -> Response:
    """The page; its data comes from /api/map, so its banner covers that data (summed in the
    database: the page reads no plan line and only the shipments under way)."""
    flows, moving = accepted_flows(uow), moving_shipments(uow)
    return page(request, "map.html", {}, markings=_markings(flows, moving))


SHIPMENT_SIDC = "SFGPE-----*****"  # friendly ground equipment


@router.get("/api/map", tags=["network"], summary="Nodes, links with planned load, shipments")
def map_data(uow: UowDep) -> dict[str, Any]:
    flows, moving = accepted_flows(uow), moving_shipments(uow)
    nodes, loads = link_loads(flows, uow)
    positions = {n.id: (n.lat, n.lon) for n in nodes}
    closed = _closed_from(list_disruptions(uow))
    return {
        "marking": most_restrictive(_markings(flows, moving)).banner,
        "nodes": [
            {
                "id": n.id,
                "name": n.name,
                "kind": n.kind.value,
                "country": n.country,
                "lat": n.lat,
                "lon": n.lon,
                "sidc": SIDC_BY_KIND[n.kind],
                "closed_from": closed.get(n.id),
            }
            for n in nodes
        ],
        "links": [
            {
                "id": load.link.id,
                "mode": load.link.mode.value,
                "days": load.link.days,
                "capacity_per_day": load.link.capacity_per_day,
                "units": load.units,
                "path": [positions[load.link.from_node], positions[load.link.to_node]],
            }
            for load in loads
        ],
        "shipments": [
            {
                "id": s.id,
                "status": s.status.value,
                "units": s.units,
                "item_type": s.item_type,
                "at": positions[s.location or s.origin],
                "sidc": SHIPMENT_SIDC,
            }
            for s in moving
        ],
    }


def _markings(flows: list[Flow], moving: list[Shipment]) -> list[Marking]:
    return [*(f.marking for f in flows), *(s.marking for s in moving)]


def _closed_from(disruptions: list[Disruption]) -> dict[str, str]:
    """Each closed node and the first day it is closed."""
    closed: dict[str, str] = {}
    for d in disruptions:
        if d.kind is DisruptionKind.NODE_CLOSED:
            day = d.from_date.isoformat()
            closed[d.target] = min(day, closed.get(d.target, day))
    return closed
