"""Command line of transfers: plan transport, move shipments, hand over, receive, trace."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from materiel.console import actor, console, start_runtime
from materiel.core.dates import parse_date
from materiel.core.errors import InvalidInput
from materiel.core.markings import most_restrictive
from materiel.logistics import service, transport_service
from materiel.logistics.model import (
    DiscrepancyKind,
    DisruptionKind,
    Finding,
    Receipt,
    ShipmentStatus,
)

transport_app = typer.Typer(
    help="Plan transport for the accepted allocation plan.", no_args_is_help=True
)
shipment_app = typer.Typer(
    help="Move shipments, hand over with serials, receive.", no_args_is_help=True
)
disruption_app = typer.Typer(
    help="Close a node or cut a link, then plan again.", no_args_is_help=True
)

NodeOption = Annotated[str, typer.Option(help="node id where it happened")]


@transport_app.command("run")
def run(
    time_limit: Annotated[float, typer.Option(help="seconds the planner may search")] = 60,
    accept: Annotated[bool, typer.Option(help="accept the new transport plan at once")] = False,
) -> None:
    """Plan shipments for every allocated unit not yet under way; store a draft."""
    runtime = start_runtime()
    record = transport_service.run_transport(runtime.uow(actor()), time_limit_s=time_limit)
    console.print(f"transport plan {record.id}: {record.objective}; {len(record.changes)} changes")
    if accept and record.id is not None:
        transport_service.accept_transport_plan(record.id, None, runtime.uow(actor()))
        console.print(f"transport plan {record.id} accepted")


@transport_app.command("accept")
def accept_plan(plan_id: Annotated[int, typer.Argument(help="transport plan number")]) -> None:
    """Accept a draft transport plan: its shipments become the live ones."""
    transport_service.accept_transport_plan(plan_id, None, start_runtime().uow(actor()))
    console.print(f"transport plan {plan_id} accepted")


@shipment_app.command("list")
def list_shipments(
    status: Annotated[ShipmentStatus | None, typer.Option(help="only this status")] = None,
) -> None:
    """Shipments with status, where they are and when they are due, one per line,
    between banners of the most restrictive marking among them."""
    shipments = service.list_shipments(start_runtime().uow(), status)
    banner = most_restrictive(s.marking for s in shipments).banner
    console.print(banner, highlight=False)
    for s in shipments:
        where = f" at {s.location}" if s.location else ""
        late = f", {s.days_late} days late" if s.days_late else ""
        console.print(
            f"{s.id}  {s.status.value}  {s.units} x {s.item_type}  {s.origin} -> {s.destination}"
            f"{where}  due {s.planned_arrival.isoformat()}{late}",
            highlight=False,
        )
    console.print(banner, highlight=False)


@shipment_app.command("board")
def board_command() -> None:
    """What is in transit, late, waiting at each hub; open discrepancies; node throughput."""
    runtime = start_runtime()
    view = service.board(runtime.uow())
    console.print(f"in transit: {len(view.in_transit)}  late: {len(view.late)}", highlight=False)
    for node, waiting in sorted(view.waiting.items()):
        console.print(f"waiting at {node}: {', '.join(s.id for s in waiting)}", highlight=False)
    for d in view.open_discrepancies:
        console.print(
            f"open discrepancy {d.id} on {d.shipment_id}: {d.kind.value} {d.quantity}, {d.reason}"
        )
    for t in service.node_throughput(runtime.uow()):
        if t.busiest_units:
            cap = t.capacity_per_day if t.capacity_per_day is not None else "unlimited"
            busiest = f"busiest day {t.busiest_day} with {t.busiest_units} units"
            console.print(f"{t.node}: {busiest} (capacity {cap})", highlight=False)


@shipment_app.command("show")
def show(shipment_id: str) -> None:
    """A shipment's legs, events, custody and discrepancies."""
    view = service.shipment_view(shipment_id, start_runtime().uow())
    s = view.shipment
    console.print(s.marking.banner, highlight=False)
    route = f"{s.origin} -> {s.destination}"
    console.print(f"[bold]{s.id}[/] {s.status.value}: {s.units} x {s.item_type}, {route}")
    for leg in view.legs:
        days = f"{leg.depart} -> {leg.arrive}"
        console.print(f"  leg {leg.seq + 1}: {leg.source} -> {leg.target} by {leg.mode}, {days}")
    for event in view.events:
        where = event.node or "-"
        console.print(
            f"  {event.at:%Y-%m-%d %H:%M}Z {event.status.value} at {where} by {event.actor}"
        )
    for c in view.custody:
        serials = ", ".join(c.serials)
        console.print(f"  custody {c.from_holder} -> {c.to_holder} at {c.node}: {serials}")
    for d in view.discrepancies:
        state = f"resolved by {d.resolved_by}" if d.resolved_by else "OPEN"
        console.print(f"  discrepancy {d.id}: {d.kind.value} {d.quantity} ({d.reason}) {state}")
    console.print(s.marking.banner, highlight=False)


@shipment_app.command("dispatch")
def dispatch(
    shipment_id: str, node: Annotated[str | None, typer.Option(help="node it leaves")] = None
) -> None:
    """The shipment leaves its origin or a hub."""
    shipment = service.dispatch(shipment_id, node, None, start_runtime().uow(actor()))
    console.print(f"{shipment.id} dispatched from {shipment.location}")


@shipment_app.command("arrive")
def arrive(shipment_id: str, node: NodeOption) -> None:
    """The shipment reached a hub on its way."""
    shipment = service.arrive(shipment_id, node, None, start_runtime().uow(actor()))
    console.print(f"{shipment.id} at {shipment.location}")


@shipment_app.command("hand-over")
def hand_over(
    shipment_id: str,
    node: NodeOption,
    serials: Annotated[str, typer.Option(help="serial numbers, comma separated")],
    from_holder: Annotated[str, typer.Option("--from", help="who hands over")],
    to_holder: Annotated[str, typer.Option("--to", help="who takes custody")],
    acknowledged_by: Annotated[str | None, typer.Option("--ack", help="who signed for it")] = None,
    condition: Annotated[str, typer.Option(help="condition of the items")] = "serviceable",
) -> None:
    """Custody passes at a node: record the serials and both sides."""
    handover = service.HandOver(
        node,
        from_holder,
        to_holder,
        [x.strip() for x in serials.split(",") if x.strip()],
        condition,
        acknowledged_by,
    )
    event = service.hand_over(shipment_id, handover, None, start_runtime().uow(actor()))
    console.print(
        f"custody of {len(event.serials)} items passed to {event.to_holder} at {event.node}"
    )


def _finding(kind: DiscrepancyKind, text: str) -> Finding:
    quantity, _, reason = text.partition(":")
    if not quantity.strip().isdigit() or not reason.strip():
        raise InvalidInput(
            f"write a {kind.value} discrepancy as QUANTITY:REASON, e.g. 1:lost in transit"
        )
    return Finding(kind, int(quantity), reason.strip())


@shipment_app.command("receive")
def receive(
    shipment_id: str,
    units: Annotated[int, typer.Option(help="units that arrived")],
    acknowledged_by: Annotated[str, typer.Option("--ack", help="who of the receiving unit signs")],
    short: Annotated[list[str] | None, typer.Option(help="QUANTITY:REASON, repeatable")] = None,
    damaged: Annotated[list[str] | None, typer.Option(help="QUANTITY:REASON, repeatable")] = None,
    over: Annotated[list[str] | None, typer.Option(help="QUANTITY:REASON, repeatable")] = None,
    wrong_item: Annotated[
        list[str] | None, typer.Option(help="QUANTITY:REASON, repeatable")
    ] = None,
) -> None:
    """The receiving unit confirms what arrived; differences stay open as discrepancies."""
    findings = tuple(
        _finding(kind, text)
        for kind, texts in (
            (DiscrepancyKind.SHORT, short),
            (DiscrepancyKind.DAMAGED, damaged),
            (DiscrepancyKind.OVER, over),
            (DiscrepancyKind.WRONG_ITEM, wrong_item),
        )
        for text in texts or []
    )
    shipment = service.receive(
        shipment_id, Receipt(units, acknowledged_by, findings), None, start_runtime().uow(actor())
    )
    console.print(f"{shipment.id} received: {shipment.units_received} of {shipment.units} units")


def asset_command(serial: Annotated[str, typer.Argument(help="serial number")]) -> None:
    """Where a serial-numbered item is, who holds it, and its chain of custody."""
    view = service.where_is(serial, start_runtime().uow())
    a = view.asset
    console.print(
        f"[bold]{a.serial}[/] ({a.item_type}) held by {a.holder} at {a.location}, {a.condition}"
    )
    for e in view.history:
        signed = e.acknowledged_by or "-"
        who = f"{e.from_holder} -> {e.to_holder}"
        console.print(f"  {e.at:%Y-%m-%d %H:%M}Z {who} at {e.node} (signed {signed})")


@disruption_app.command("add")
def add(
    kind: Annotated[DisruptionKind, typer.Argument(help="node-closed or link-reduced")],
    target: Annotated[str, typer.Argument(help="node id, or link id as FROM>TO:MODE")],
    from_date: Annotated[str, typer.Option("--from", help="first day it applies")],
    capacity: Annotated[
        int | None, typer.Option(help="capacity per day that remains (links)")
    ] = None,
    note: Annotated[str, typer.Option(help="why")] = "",
) -> None:
    """Record a disruption; run `materiel transport run` to re-plan around it."""
    day: date = parse_date(from_date)
    d = service.add_disruption(
        kind, target, from_date=day, capacity=capacity, note=note, uow=start_runtime().uow(actor())
    )
    console.print(f"disruption {d.id} recorded")


@disruption_app.command("list")
def list_disruptions() -> None:
    """Disruptions in force."""
    for d in service.list_disruptions(start_runtime().uow()):
        console.print(
            f"{d.id}: {d.kind.value} {d.target} from {d.from_date} capacity {d.capacity} {d.note}"
        )
