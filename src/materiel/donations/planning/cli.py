"""`materiel plan ...`: run the allocation planner on a scenario file, no database needed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from materiel.core.errors import InvalidInput
from materiel.donations.planning.greedy import allocate_greedy
from materiel.donations.planning.plan import Plan, write_plan
from materiel.donations.planning.planner import MAX_TIME_LIMIT_S, MIN_TIME_LIMIT_S, allocate
from materiel.donations.planning.scenario_json import load_scenario
from materiel.platform.progress import run_with_progress

app = typer.Typer(help="Allocation planner: match pledges to requirements from a JSON scenario.")
console = Console(stderr=True)


@app.callback()
def plan_group() -> None:
    """Allocation planner commands (a callback keeps `allocate` a named subcommand)."""


@app.command("allocate")
def allocate_command(
    scenario: Annotated[Path, typer.Option(help="materiel-scenario/1 JSON file to plan.")],
    out: Annotated[Path, typer.Option(help="Where to write the materiel-plan/1 JSON.")],
    time_limit: Annotated[
        float,
        typer.Option(
            min=MIN_TIME_LIMIT_S,
            max=MAX_TIME_LIMIT_S,
            help="Seconds for the commonality search.",
        ),
    ] = 60,
    greedy: Annotated[bool, typer.Option(help="Use the greedy baseline (comparison).")] = False,
) -> None:
    """Plan which pledge fills which requirement and write the plan with its reasons."""
    loaded = load_scenario(scenario)
    for warning in loaded.warnings:
        console.print(f"[yellow]warning[/]: {scenario}: {warning}")
    if greedy:
        plan = allocate_greedy(loaded)
    else:
        plan = run_with_progress(
            console, lambda report: allocate(loaded, time_limit_s=time_limit, progress=report)
        )
    try:
        write_plan(plan, out)
    except OSError as exc:
        raise InvalidInput(f"{out}: cannot write the plan ({exc})") from exc
    console.print(summary(plan, out))


def summary(plan: Plan, out: Path) -> Table:
    """One table: units met per priority, lateness, commonality, transport, solver."""
    o, s = plan.objective, plan.solver
    table = Table(title=f"Allocation plan -> {out}", show_header=False)
    for k, n in sorted(o.met_by_priority.items()):
        table.add_row(f"units met, priority {k}", str(n))
    table.add_row("units unmet", str(sum(u.quantity for u in plan.unmet)))
    table.add_row("unit-days late", str(o.unit_days_late))
    table.add_row("(unit, item type) pairs", f"{o.types_per_unit} (bound {s.bound})")
    table.add_row("transport cost", f"{o.transport_cost:,.2f}")
    table.add_row("units moved from previous plan", str(o.units_moved))
    gap = f", gap {s.gap:.1%}" if s.gap is not None else ""
    table.add_row("solver", f"{s.status}{gap}, {s.seconds:.2f} s")
    if plan.dropped_pins:
        table.add_row("pins dropped", str(len(plan.dropped_pins)))
    return table
