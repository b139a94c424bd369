"""The command line: thin commands that parse, call one use case and print.

Errors from our hierarchy are printed as what went wrong and where, and
mapped once to exit codes (sysexits-style) below.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from materiel.audit_cli import audit_app
from materiel.console import actor, console, errors, print_problems, start_runtime
from materiel.core.errors import (
    Conflict,
    Forbidden,
    InvalidInput,
    MaterielError,
    NotFound,
    PlanningFailed,
    Unauthenticated,
)
from materiel.demining.cli import app as demining_app
from materiel.donations import plan_service
from materiel.donations.io import ImportOptions
from materiel.donations.planning.cli import app as plan_app
from materiel.donations.planning.planner import MAX_TIME_LIMIT_S, MIN_TIME_LIMIT_S
from materiel.donations.service import ScenarioSummary, summarize
from materiel.exchange import KINDS, Kind, Mode
from materiel.handlers import HANDLERS
from materiel.logistics import cli as logistics_cli
from materiel.logistics import transport_service
from materiel.logistics.planning.cli import transport_command
from materiel.platform.access import row_security
from materiel.platform.identity import cli as identity_cli
from materiel.platform.imports import ImportReport
from materiel.platform.jobs.execution import execute_job
from materiel.platform.jobs.runners import QueueRunner
from materiel.platform.jobs.worker import run_queued, serve_queue
from materiel.platform.upload_safety import UploadLimits, check_upload

EXIT_CODES: tuple[tuple[type[MaterielError], int], ...] = (
    (Unauthenticated, 77),  # EX_NOPERM: credentials missing or wrong
    (Forbidden, 77),  # EX_NOPERM: not allowed to do this
    (InvalidInput, 65),  # EX_DATAERR: the input file or value is wrong
    (NotFound, 66),  # EX_NOINPUT: a referenced record or file does not exist
    (Conflict, 75),  # EX_TEMPFAIL: clashes with current state; reload and retry
    (PlanningFailed, 70),  # EX_SOFTWARE-like: the planner could not finish
    (MaterielError, 1),
)

app = typer.Typer(
    name="materiel",
    help="Coordinate security assistance: catalogue, requirements, pledges, plans.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Manage the database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(plan_app, name="plan", help="Allocation planner: on a JSON file or on the database.")
app.add_typer(logistics_cli.transport_app, name="transport")
app.add_typer(logistics_cli.shipment_app, name="shipment")
app.add_typer(logistics_cli.disruption_app, name="disruption")
app.add_typer(demining_app, name="demining")
app.add_typer(audit_app, name="audit")
app.add_typer(identity_cli.user_app, name="user")
app.add_typer(identity_cli.token_app, name="token")
app.command("asset")(logistics_cli.asset_command)
plan_app.command("transport")(transport_command)

KindArg = Annotated[str, typer.Argument(help=f"one of: {', '.join(KINDS)}")]


@db_app.command("grant-app-role")
def db_grant_app_role(
    role: Annotated[str, typer.Argument(help="an existing PostgreSQL role that owns no tables")],
) -> None:
    """Let the application's PostgreSQL role work the data under row-level security.

    Run as the tables' owner after `db upgrade`; then point MATERIEL_DATABASE_URL
    at the role and MATERIEL_OWNER_DATABASE_URL at the owner (see docs/security.md).
    """
    runtime = start_runtime()
    row_security.grant_app_role(runtime.engine, role)
    console.print(f"[green]granted[/] {role} the data under row-level security")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database schema to the newest version.

    The database is the embedded SQLite file var/materiel.db unless
    MATERIEL_DATABASE_URL names another (e.g. postgresql://user@host/db).
    """
    runtime = start_runtime()
    console.print(f"[green]schema up to date[/] on {runtime.engine.url.render_as_string()}")


@app.command("import")
def import_command(
    kind: KindArg,
    file: Annotated[Path, typer.Argument(help=".csv or .xlsx file with a header row")],
    partial: Annotated[
        bool, typer.Option(help="import the good rows even when some are rejected")
    ] = False,
    names: Annotated[
        Path | None, typer.Option(help="CSV name,item_type,reason mapping item names")
    ] = None,
    aliases: Annotated[
        Path | None, typer.Option(help="CSV alias,code adding nation spellings")
    ] = None,
    ref_prefix: Annotated[str, typer.Option(help="prefix added to the file's refs")] = "",
) -> None:
    """Import a spreadsheet. All or nothing unless --partial; re-importing changes nothing.

    Every rejected row is listed with its row, column and reason.
    """
    runtime = start_runtime()
    kind_spec = _kind(kind)
    options = ImportOptions(
        names_file=names,
        aliases_file=aliases or runtime.settings.nation_aliases,
        ref_prefix=ref_prefix,
    )
    mode = Mode.PARTIAL if partial else Mode.ALL_OR_NOTHING
    check_upload(file, UploadLimits.from_settings(runtime.settings))  # before any parser
    report = kind_spec.importer(file, runtime.uow(actor()), options, mode)
    print_import_report(report)


@app.command("export")
def export_command(
    kind: KindArg,
    file: Annotated[Path, typer.Argument(help="target .csv or .xlsx file")],
) -> None:
    """Export records to a spreadsheet that carries their marking and runs no formulas."""
    runtime = start_runtime()
    exporter = _kind(kind).exporter
    if exporter is None:
        raise NotFound(f"'{kind}' cannot be exported yet")
    report = exporter(file, runtime.uow(actor()))
    console.print(f"wrote {report.rows} rows to {file} marked [bold]{report.marking.banner}[/]")


@app.command("demo")
def demo_command(
    seed: Annotated[int, typer.Option(help="seed of the synthetic quantities")] = 2026,
    plan: Annotated[
        bool, typer.Option(help="run the allocation planner and accept its plan")
    ] = True,
) -> None:
    """Load the demo scenario (public facts, synthetic quantities) into the database.

    Then, unless --no-plan, run the allocation and transport planners and accept
    their plans, as the coordination cell would each morning.
    """
    # The demo generators load only here, like the web app for serve.
    from materiel.demo.demining import load_demining  # noqa: PLC0415
    from materiel.demo.load import load_demo  # noqa: PLC0415

    runtime = start_runtime()
    load_demo(runtime, seed, progress=print_import_report)
    if plan:
        stored = plan_service.run_allocation(runtime.uow(actor()), time_limit_s=20)
        assert stored.id is not None
        plan_service.accept_plan(stored.id, None, runtime.uow(actor()))
        console.print(f"allocation plan {stored.id} made and accepted ({stored.solver['status']})")
        moved = transport_service.run_transport(runtime.uow(actor()), time_limit_s=30)
        assert moved.id is not None
        transport_service.accept_transport_plan(moved.id, None, runtime.uow(actor()))
        console.print(f"transport plan {moved.id} made and accepted: {moved.objective}")
    load_demining(runtime, seed, say=console.print)
    print_summary(summarize(runtime.uow()))
    console.print(identity_cli.demo_sign_in_text())


@plan_app.command("run")
def plan_run_command(
    time_limit: Annotated[
        float,
        typer.Option(
            min=MIN_TIME_LIMIT_S, max=MAX_TIME_LIMIT_S, help="seconds for the commonality search"
        ),
    ] = 60,
    accept: Annotated[bool, typer.Option(help="accept the new plan at once")] = False,
) -> None:
    """Run the allocation planner on the database now and store the plan as a draft."""
    runtime = start_runtime()
    stored = plan_service.run_allocation(runtime.uow(actor()), time_limit_s=time_limit)
    assert stored.id is not None
    console.print(f"plan {stored.id} stored as draft: {stored.objective}")
    if accept:
        plan_service.accept_plan(stored.id, None, runtime.uow(actor()))
        console.print(f"plan {stored.id} accepted")


@plan_app.command("accept")
def plan_accept_command(plan_id: Annotated[int, typer.Argument(help="plan number")]) -> None:
    """Accept a draft plan: it supersedes the accepted one and sets statuses."""
    plan = plan_service.accept_plan(plan_id, None, start_runtime().uow(actor()))
    console.print(f"plan {plan.id} accepted")


@plan_app.command("list")
def plan_list_command() -> None:
    """List plan versions, newest first."""
    table = Table("plan", "status", "made", "by", "met by priority", "unit-days late", "solver")
    for plan in plan_service.list_plans(start_runtime().uow()):
        met = plan.objective.get("met_by_priority", {})
        table.add_row(
            str(plan.id),
            plan.status.value,
            f"{plan.created_at:%Y-%m-%d %H:%M}",
            plan.created_by,
            " ".join(f"P{k}:{v}" for k, v in sorted(met.items())),
            str(plan.objective.get("unit_days_late")),
            str(plan.solver.get("status")),
        )
    console.print(table)


@app.command("worker")
def worker_command(
    job: Annotated[int | None, typer.Option(help="run this one job and stop")] = None,
    once: Annotated[bool, typer.Option(help="stop when no job is waiting")] = False,
) -> None:
    """Run background jobs (planner runs).

    On PostgreSQL this works the shared job queue until stopped (several
    workers on several machines may share it). On the embedded SQLite database
    the web server starts a worker per job itself; run this to finish jobs left
    queued.
    """
    runtime = start_runtime()
    if job is not None:
        finished = execute_job(runtime.session_factory, job, HANDLERS)
        console.print(
            f"job {finished.id} {finished.status.value}: {finished.error or finished.message}"
        )
    elif isinstance(runtime.runner, QueueRunner):
        console.print(
            "working the PostgreSQL job queue" + (" until empty" if once else " (Ctrl-C stops)")
        )
        serve_queue(runtime.settings.database_url, runtime.session_factory, HANDLERS, once=once)
    else:
        done = run_queued(runtime.session_factory, HANDLERS)
        console.print(f"ran {len(done)} queued job(s)")


@app.command("summary")
def summary_command() -> None:
    """Print how many requirements, pledges and donors, and units unmet by priority."""
    print_summary(summarize(start_runtime().uow()))


@app.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
) -> None:
    """Serve the API (and its OpenAPI docs at /docs)."""
    runtime = start_runtime()
    print_summary(summarize(runtime.uow()))
    console.print(f"\nmateriel is serving on [bold]http://{host}:{port}[/]  (API docs: /docs)")
    # The web app and server load only here: every other command starts seconds sooner.
    import uvicorn  # noqa: PLC0415

    from materiel.api.app import create_app  # noqa: PLC0415

    uvicorn.run(create_app(runtime), host=host, port=port, log_level="warning")


def _kind(name: str) -> Kind:
    if name not in KINDS:
        raise InvalidInput(f"no kind '{name}'; use one of: {', '.join(KINDS)}")
    return KINDS[name]


def print_import_report(report: ImportReport) -> None:
    state = "[green]imported[/]" if report.committed else "[red]not imported[/]"
    console.print(
        f"{report.file}: {state} {report.kind}: {report.created} new, {report.updated} changed, "
        f"{report.unchanged} unchanged, {len(report.rejected)} rejected"
    )
    if report.ignored_columns:
        console.print(f"  columns not used: {', '.join(report.ignored_columns)}")
    print_problems(report.rejected)


def print_summary(summary: ScenarioSummary) -> None:
    console.print(
        f"[bold]{summary.requirements}[/] requirement lines, [bold]{summary.pledges}[/] pledges "
        f"from [bold]{summary.donors}[/] donors, {summary.item_types} item types, "
        f"{summary.nodes} nodes"
    )
    source = f"accepted plan {summary.accepted_plan}" if summary.accepted_plan else "no plan yet"
    table = Table(
        "priority", "units required", "units unmet", title=f"Units by priority ({source})"
    )
    for priority, required in summary.units_required_by_priority.items():
        table.add_row(f"P{priority}", str(required), str(summary.units_unmet_by_priority[priority]))
    console.print(table)


def exit_code_for(error: MaterielError) -> int:
    return next(code for kind, code in EXIT_CODES if isinstance(error, kind))


def main() -> None:
    """Entry point: run the app, turning our errors into a message and an exit code."""
    try:
        code = app(standalone_mode=False)
    except MaterielError as error:
        errors.print(f"[red]error:[/] {error.message}", highlight=False)
        print_problems(error.problems)
        sys.exit(exit_code_for(error))
    except typer.Abort:
        sys.exit(130)
    except typer.TyperException as error:  # the command line itself is wrong: exit 2, usage shown
        show_usage_error(error)
        sys.exit(error.exit_code)
    sys.exit(code if isinstance(code, int) else 0)  # `typer.Exit(n)` and Ctrl-C (130) come back


def show_usage_error(error: typer.TyperException) -> None:
    """What click says about a command line it cannot parse, with the usage and `--help` hint."""
    show = getattr(error, "show", None)
    if callable(show):
        show()
    else:
        errors.print(f"[red]error:[/] {error.format_message()}", highlight=False, markup=False)
