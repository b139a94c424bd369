"""Command line of transfers: plan transport, move shipments, hand over, receive, trace."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.markup import escape

from materiel.console import actor, console, errors, start_runtime
from materiel.core.dates import parse_date
from materiel.core.errors import InvalidInput
from materiel.core.markings import most_restrictive
from materiel.logistics import service, transport_service
from materiel.logistics.model import (
    MAX_UNITS,
    DiscrepancyKind,
    DisruptionKind,
    Finding,
    Receipt,
    ShipmentStatus,
)
from materiel.platform.progress import run_with_progress

transport_app = typer.Typer(
    help="Plan transport for the accepted allocation plan.", no_args_is_help=True
)
shipment_app = typer.Typer(
    help="Move shipments, hand over with serials, receive.", no_args_is_help=True
)
disruption_app = typer.Typer(
    help="Close a node or cut a link, then plan again.", no_args_is_help=True
)

# Bounds of the numbers the commands take, as the API's (logistics/routes.py):
MAX_TIME_LIMIT_S = 3600  # a planner run, as POST /api/transport-plans allows
MAX_RECORD_ID = 2**31 - 1  # a record number is a 32-bit integer column

ShipmentArg = Annotated[
    str, typer.Argument(help="The shipment's id, as `materiel shipment list` shows it.")
]
NodeOption = Annotated[str, typer.Option(help="Id of the node where it happened.")]
FindingsOption = Annotated[
    list[str] | None,
    typer.Option(
        help="A difference of this kind as QUANTITY:REASON, e.g. '1:lost in transit'; "
        "repeat the option for each one."
    ),
]


@transport_app.command("run")
def run(
    time_limit: Annotated[
        float,
        typer.Option(min=1, max=MAX_TIME_LIMIT_S, help="Seconds the planner may search."),
    ] = 60,
    accept: Annotated[bool, typer.Option(help="Accept the new transport plan at once.")] = False,
) -> None:
    """Plan shipments for every allocated unit not yet under way and store them as a draft."""
    runtime = start_runtime()
    record = run_with_progress(
        errors,
        lambda report: transport_service.run_transport(
            runtime.uow(actor()), time_limit_s=time_limit, progress=report
        ),
    )
    console.print(f"transport plan {record.id}: {record.objective}; {len(record.changes)} changes")
    if accept and record.id is not None:
        transport_service.accept_transport_plan(record.id, None, runtime.uow(actor()))
        console.print(f"transport plan {record.id} accepted")


@transport_app.command("accept")
def accept_plan(
    plan_id: Annotated[
        int,
        typer.Argument(
            min=1, max=MAX_RECORD_ID, help="The transport plan's number, as `transport run` said."
        ),
    ],
) -> None:
    """Accept a draft transport plan: its shipments become the live ones."""
    transport_service.accept_transport_plan(plan_id, None, start_runtime().uow(actor()))
    console.print(f"transport plan {plan_id} accepted")


@shipment_app.command("list")
def list_shipments(
    status: Annotated[
        ShipmentStatus | None, typer.Option(help="List only the shipments with this status.")
    ] = None,
) -> None:
    """List shipments with their status, where they are and when they are due.

    Each shipment is on one line, between banners of the most restrictive marking among them.
    """
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
    """Show what is in transit, late or waiting at each hub, open discrepancies and throughput.

    It is printed between banners of the most restrictive marking of the shipments it counts.
    """
    runtime = start_runtime()
    view = service.board(runtime.uow())
    throughput = service.node_throughput(runtime.uow())
    banner = service.board_marking(runtime.uow()).banner
    console.print(banner, highlight=False)
    console.print(f"in transit: {len(view.in_transit)}  late: {len(view.late)}", highlight=False)
    for node, waiting in sorted(view.waiting.items()):
        console.print(f"waiting at {node}: {', '.join(s.id for s in waiting)}", highlight=False)
    for d in view.open_discrepancies:
        console.print(
            f"open discrepancy {d.id} on {d.shipment_id}: {d.kind.value} {d.quantity}, {d.reason}",
            highlight=False,
            markup=False,
        )
    for t in throughput:
        if t.busiest_units:
            cap = t.capacity_per_day if t.capacity_per_day is not None else "unlimited"
            busiest = f"busiest day {t.busiest_day} with {t.busiest_units} units"
            console.print(f"{t.node}: {busiest} (capacity {cap})", highlight=False)
    console.print(banner, highlight=False)


@shipment_app.command("show")
def show(shipment_id: ShipmentArg) -> None:
    """Show a shipment's legs, events, custody and discrepancies, between its marking banners."""
    view = service.shipment_view(shipment_id, start_runtime().uow())
    s = view.shipment
    console.print(s.marking.banner, highlight=False)
    route = f"{s.origin} -> {s.destination}"
    console.print(f"[bold]{escape(s.id)}[/] {s.status.value}: {s.units} x {s.item_type}, {route}")
    for leg in view.legs:
        days = f"{leg.depart} -> {leg.arrive}"
        _plain(f"  leg {leg.seq + 1}: {leg.source} -> {leg.target} by {leg.mode}, {days}")
    for event in view.events:
        where = event.node or "-"
        _plain(f"  {event.at:%Y-%m-%d %H:%M}Z {event.status.value} at {where} by {event.actor}")
    for c in view.custody:
        serials = ", ".join(c.serials)
        _plain(f"  custody {c.from_holder} -> {c.to_holder} at {c.node}: {serials}")
    for d in view.discrepancies:
        state = f"resolved by {d.resolved_by}" if d.resolved_by else "OPEN"
        _plain(f"  discrepancy {d.id}: {d.kind.value} {d.quantity} ({d.reason}) {state}")
    console.print(s.marking.banner, highlight=False)


def _plain(text: str) -> None:
    """A line holding what users typed (reasons, holders, serials): printed as is, no markup."""
    console.print(text, highlight=False, markup=False)


@shipment_app.command("dispatch")
def dispatch(
    shipment_id: ShipmentArg,
    node: Annotated[
        str | None,
        typer.Option(help="Id of the node it leaves; by default where the shipment is."),
    ] = None,
) -> None:
    """Record that the shipment left its origin or the hub where it waited."""
    shipment = service.dispatch(shipment_id, node, None, start_runtime().uow(actor()))
    _plain(f"{shipment.id} dispatched from {shipment.location}")


@shipment_app.command("arrive")
def arrive(shipment_id: ShipmentArg, node: NodeOption) -> None:
    """Record that the shipment reached a hub on its way."""
    shipment = service.arrive(shipment_id, node, None, start_runtime().uow(actor()))
    _plain(f"{shipment.id} at {shipment.location}")


@shipment_app.command("hand-over")
def hand_over(
    shipment_id: ShipmentArg,
    node: NodeOption,
    serials: Annotated[str, typer.Option(help="The serial numbers handed over, comma separated.")],
    from_holder: Annotated[str, typer.Option("--from", help="Who hands the items over.")],
    to_holder: Annotated[str, typer.Option("--to", help="Who takes custody of them.")],
    acknowledged_by: Annotated[
        str | None, typer.Option("--ack", help="Who of the receiving side signed for them.")
    ] = None,
    condition: Annotated[
        str, typer.Option(help="The condition of the items, e.g. serviceable.")
    ] = "serviceable",
) -> None:
    """Record that custody passed at a node: the serial numbers and both sides."""
    handover = service.HandOver(
        node,
        from_holder,
        to_holder,
        [x.strip() for x in serials.split(",") if x.strip()],
        condition,
        acknowledged_by,
    )
    event = service.hand_over(shipment_id, handover, None, start_runtime().uow(actor()))
    _plain(f"custody of {len(event.serials)} items passed to {event.to_holder} at {event.node}")


def _finding(kind: DiscrepancyKind, text: str) -> Finding:
    quantity, _, reason = text.partition(":")
    number = quantity.strip()
    if not (number.isdigit() and 1 <= int(number) <= MAX_UNITS) or not reason.strip():
        raise InvalidInput(
            f"--{kind.value} '{text}': write QUANTITY:REASON with a quantity from 1 to "
            f"{MAX_UNITS:,}, e.g. '1:lost in transit'"
        )
    return Finding(kind, int(number), reason.strip())


@shipment_app.command("receive")
def receive(
    shipment_id: ShipmentArg,
    units: Annotated[int, typer.Option(min=0, max=MAX_UNITS, help="How many units arrived.")],
    acknowledged_by: Annotated[
        str, typer.Option("--ack", help="Who of the receiving unit signs for them.")
    ],
    short: FindingsOption = None,
    damaged: FindingsOption = None,
    over: FindingsOption = None,
    wrong_item: FindingsOption = None,
) -> None:
    """Record what the receiving unit confirms arrived; differences stay open as discrepancies."""
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
    _plain(f"{shipment.id} received: {shipment.units_received} of {shipment.units} units")


def asset_command(
    serial: Annotated[str, typer.Argument(help="The item's serial number, e.g. KH/2024/001.")],
) -> None:
    """Show where a serial-numbered item is, who holds it, and its chain of custody.

    It is printed between banners of the most restrictive marking of the shipments it moved with.
    """
    runtime = start_runtime()
    view = service.where_is(serial, runtime.uow())
    a = view.asset
    moved_with = {sid for sid in (a.shipment_id, *(e.shipment_id for e in view.history)) if sid}
    banner = most_restrictive(
        service.shipment_view(sid, runtime.uow()).shipment.marking for sid in sorted(moved_with)
    ).banner
    console.print(banner, highlight=False)
    console.print(
        f"[bold]{escape(a.serial)}[/] ({a.item_type}) held by {escape(a.holder)} "
        f"at {a.location}, {escape(a.condition)}",
        highlight=False,
    )
    for e in view.history:
        signed = e.acknowledged_by or "-"
        who = f"{e.from_holder} -> {e.to_holder}"
        _plain(f"  {e.at:%Y-%m-%d %H:%M}Z {who} at {e.node} (signed {signed})")
    console.print(banner, highlight=False)


@disruption_app.command("add")
def add(
    kind: Annotated[DisruptionKind, typer.Argument(help="What happened.")],
    target: Annotated[str, typer.Argument(help="The node's id, or the link's as FROM>TO:MODE.")],
    from_date: Annotated[str, typer.Option("--from", help="The first day it applies.")],
    capacity: Annotated[
        int | None,
        typer.Option(
            min=0,
            max=MAX_UNITS,
            help="For a reduced link, the capacity per day that remains (0 closes it).",
        ),
    ] = None,
    note: Annotated[str, typer.Option(help="Why, in a few words.")] = "",
) -> None:
    """Record a disruption, then run `materiel transport run` to plan around it."""
    day: date = parse_date(from_date)
    d = service.add_disruption(
        kind, target, from_date=day, capacity=capacity, note=note, uow=start_runtime().uow(actor())
    )
    _plain(f"disruption {d.id} recorded")


@disruption_app.command("list")
def list_disruptions() -> None:
    """List the disruptions in force."""
    for d in service.list_disruptions(start_runtime().uow()):
        _plain(
            f"{d.id}: {d.kind.value} {d.target} from {d.from_date} capacity {d.capacity} {d.note}"
        )
