"""Transfers on a big database: what one receipt, one hand-over and the board's reads cost.

Works on a copy of the SQLite database it is given (the original is never
written), or on a PostgreSQL database made for it (written), signed in as a
coordinator (the need-to-know filters apply), and prints seconds and SQL
statements for each step:

- schema upgrade of the copy (with migration 0017, filling `custody_serials`);
- `node_throughput` (`/api/throughput`), `board` (`/api/board`), and the
  `materiel shipment board` command in process (start-up imports excluded);
- for the `--shipments` planned shipments with the most units: dispatch, a
  hand-over naming one serial per unit, and the receipt (median, and the
  statements of the largest hand-over per serial);
- `where_is` of a serial just handed over, after `--extra-custody-events`
  custody events of five serials each were added (about a year of hand-overs).

    python benchmarks/transfers_at_scale.py big.db [--shipments 20] [--extra-custody-events 30000]
    python benchmarks/transfers_at_scale.py postgresql://postgres@127.0.0.1/bench_copy

The QA's 10x database (5,000 requirement lines, 11,530 shipments, 55,078 legs)
is made by `materiel demo` with more lines, `plan run --accept` and
`transport run --accept`.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, select

from materiel.bootstrap import Runtime
from materiel.console import console
from materiel.core.markings import Classification
from materiel.core.principal import Principal, Role
from materiel.logistics import cli, service
from materiel.logistics.model import Receipt, ShipmentStatus
from materiel.logistics.store import custody_events, shipments
from materiel.platform.settings import Settings
from materiel.platform.unit_of_work import UnitOfWork

STATEMENTS = {"n": 0}


def _count(*_args: Any) -> None:
    STATEMENTS["n"] += 1


def measured(call: Callable[[], Any]) -> tuple[float, int, Any]:
    """Seconds, SQL statements and the result of one call."""
    before, start = STATEMENTS["n"], time.perf_counter()
    result = call()
    return time.perf_counter() - start, STATEMENTS["n"] - before, result


def add_custody_events(runtime: Runtime, count: int) -> None:
    """`count` synthetic hand-overs of five serials each, on real shipments and nodes."""
    if not count:
        return
    with runtime.engine.begin() as connection:
        moved = select(shipments.c.id, shipments.c.destination).limit(1000)
        targets = connection.execute(moved).all()
        now = datetime.now(UTC)
        rows = [
            {
                "shipment_id": targets[n % len(targets)][0],
                "node": targets[n % len(targets)][1],
                "from_holder": "depot",
                "to_holder": "unit",
                "serials": [f"SYN-{n}-{k}" for k in range(5)],
                "condition": "serviceable",
                "recorded_by": "benchmark",
                "acknowledged_by": "Lt Bench",
                "at": now,
            }
            for n in range(count)
        ]
        connection.execute(insert(custody_events), rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "database",
        help="a SQLite file (copied, never written), or the URL of a PostgreSQL database "
        "made for the benchmark (written: it ends with the shipments moved)",
    )
    parser.add_argument("--shipments", type=int, default=20)
    parser.add_argument("--extra-custody-events", type=int, default=30_000)
    args = parser.parse_args()
    event.listen(Engine, "before_cursor_execute", _count)
    with tempfile.TemporaryDirectory() as work:
        url = args.database
        if not url.startswith("postgresql"):
            copy = Path(work) / "copy.db"
            source = sqlite3.connect(f"file:{args.database}?mode=ro", uri=True)
            with closing(source), closing(sqlite3.connect(copy)) as target:
                source.backup(target)  # through the write-ahead log, never writing the original
            url = f"sqlite:///{copy}"
        os.environ["MATERIEL_DATABASE_URL"] = url  # the board command starts its own runtime
        runtime = Runtime.start(Settings(database_url=url))
        add_custody_events(runtime, args.extra_custody_events)
        seconds, statements, _ = measured(runtime.upgrade_schema)
        print(f"upgrade (incl. custody_serials fill): {seconds:.2f} s, {statements} statements")
        run(runtime, args.shipments)
        runtime.close()


def run(runtime: Runtime, count: int) -> None:
    principal = Principal(
        "coordinator", "NATO", "cell", frozenset({Role.COORDINATOR}), Classification.NATO_SECRET
    )

    def uow() -> UnitOfWork:
        return runtime.uow("coordinator", principal)

    def as_coordinator(use_case: Callable[..., Any], *args: Any) -> Callable[[], Any]:
        """The use case with these arguments and a fresh unit of work, called later."""
        return lambda: use_case(*args, uow())

    reads: list[tuple[str, Callable[[], Any]]] = [
        ("node_throughput", lambda: service.node_throughput(uow())),
        ("board", lambda: service.board(uow())),
        ("cli board", _cli_board),
    ]
    for name, call in reads:
        call()  # warm: the second of two is measured, as the QA did
        seconds, statements, _ = measured(call)
        print(f"{name}: {seconds:.2f} s, {statements} statements")

    planned = service.list_shipments(uow(), ShipmentStatus.PLANNED)
    chosen = sorted(planned, key=lambda s: (-s.units, s.id))[:count]
    costs: dict[str, list[tuple[float, int]]] = {"dispatch": [], "hand-over": [], "receipt": []}
    serial, most = "", (0, 0, 0.0)
    for shipment in chosen:
        legs = service.shipment_view(shipment.id, uow()).legs
        serials = [f"BENCH-{shipment.id}-{n}" for n in range(shipment.units)]
        handover = service.HandOver(
            legs[-1].source, "donor", "unit", serials, acknowledged_by="Lt Bench"
        )
        receipt = Receipt(shipment.units, "Capt B")
        steps = [
            ("dispatch", as_coordinator(service.dispatch, shipment.id, None, None)),
            ("hand-over", as_coordinator(service.hand_over, shipment.id, handover, None)),
            ("receipt", as_coordinator(service.receive, shipment.id, receipt, None)),
        ]
        for name, call in steps:
            seconds, statements, _ = measured(call)
            costs[name].append((seconds, statements))
            if name == "hand-over" and len(serials) > most[0]:
                most = (len(serials), statements, seconds)
        serial = serials[0]
    for name, values in costs.items():
        if values:
            times, counts = zip(*values, strict=True)
            print(
                f"{name}: median {statistics.median(times):.3f} s, max {max(times):.3f} s; "
                f"median {statistics.median(counts):.0f} statements (n={len(values)})"
            )
    if most[0]:
        print(f"largest hand-over: {most[0]} serials, {most[1]} statements, {most[2]:.3f} s")
    if serial:
        service.where_is(serial, uow())
        seconds, statements, view = measured(lambda: service.where_is(serial, uow()))
        print(f"where_is: {seconds:.3f} s, {statements} statements, {len(view.history)} events")


def _cli_board() -> None:
    with console.capture():
        cli.board_command()


if __name__ == "__main__":
    main()
