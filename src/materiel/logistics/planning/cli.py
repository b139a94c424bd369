"""`materiel plan transport`: run the transport planner on a scenario file, no database needed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from materiel.core.errors import InvalidInput, NotFound
from materiel.logistics.planning.greedy import plan_transport_greedy
from materiel.logistics.planning.plan import TransportPlan, write_plan
from materiel.logistics.planning.planner import plan_transport
from materiel.logistics.planning.scenario_json import FORMAT as SCENARIO_FORMAT
from materiel.logistics.planning.scenario_json import load_scenario
from materiel.platform.progress import run_with_progress

console = Console(stderr=True)
MAX_TIME_LIMIT_S = 3600  # as `materiel transport run` and POST /api/transport-plans


def transport_command(
    scenario: Annotated[
        Path, typer.Option(help="The materiel-transport-scenario/1 JSON file to plan.")
    ],
    out: Annotated[Path, typer.Option(help="Where to write the materiel-transport-plan/1 JSON.")],
    time_limit: Annotated[
        float,
        typer.Option(min=1, max=MAX_TIME_LIMIT_S, help="Seconds the planner may take."),
    ] = 60,
    greedy: Annotated[
        bool, typer.Option(help="Use the earliest-departure baseline (comparison).")
    ] = False,
) -> None:
    """Plan shipments and legs for the movements of a scenario and write the plan."""
    if not scenario.exists():  # a missing input file is not found: exit 66, as documented
        raise NotFound(f"{scenario}: no such file; give the path of a {SCENARIO_FORMAT} JSON file")
    loaded = load_scenario(scenario)
    for warning in loaded.warnings:
        console.print(f"[yellow]warning[/]: {scenario}: {warning}")
    if greedy:
        plan = plan_transport_greedy(loaded)
    else:
        plan = run_with_progress(
            console, lambda report: plan_transport(loaded, time_limit_s=time_limit, progress=report)
        )
    try:
        write_plan(plan, out)
    except OSError as exc:
        raise InvalidInput(f"{out}: cannot write the plan ({exc})") from exc
    console.print(summary(plan, out))


def summary(plan: TransportPlan, out: Path) -> Table:
    """One table: units planned and unplanned, lateness, cost, solver."""
    o, s = plan.objective, plan.solver
    table = Table(title=f"Transport plan -> {out}", show_header=False)
    table.add_row("shipments", str(len(plan.shipments)))
    table.add_row("units planned", str(o.units_planned))
    table.add_row("units unplanned", str(o.units_unplanned))
    table.add_row("unit-days late", str(o.unit_days_late))
    table.add_row("cost", f"{o.cost:,.2f}")
    table.add_row("solver", f"{s.status}, {s.seconds:.2f} s, {s.method}")
    for note in s.notes:
        table.add_row("", note)
    for warning in plan.warnings:
        table.add_row("[yellow]warning[/]", warning)
    return table
