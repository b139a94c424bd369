"""`materiel demining import|export|assets|rank|task|plan-coverage|progress|release...`.

Thin commands: parse, call one use case, print. `register(app)` adds them to
the `demining` command group.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.table import Table

from materiel.console import actor, console, start_runtime
from materiel.core.errors import NotFound
from materiel.demining import planning_service as planning
from materiel.demining import service
from materiel.demining.model import AreaStatus, LandRelease, ReleaseMethod
from materiel.platform.audit import snapshot

FORMATS: dict[str, Literal["geojson", "kml"]] = {
    ".geojson": "geojson",
    ".json": "geojson",
    ".kml": "kml",
}


def register(app: typer.Typer) -> None:
    app.command("import")(import_command)
    app.command("export")(export_command)
    app.command("assets")(assets_command)
    app.command("rank")(rank_command)
    app.command("task")(task_command)
    app.command("plan-coverage")(plan_coverage_command)
    app.command("progress")(progress_command)
    app.command("status")(status_command)
    app.command("release")(release_command)
    app.command("release-report")(release_report_command)


def _format(path: Path) -> Literal["geojson", "kml"]:
    found = FORMATS.get(path.suffix.lower())
    if found is None:
        raise typer.BadParameter(f"{path.name}: use a .geojson, .json or .kml file")
    return found


def import_command(
    file: Annotated[Path, typer.Argument(help="hazard areas: .geojson or .kml (WGS84)")],
) -> None:
    """Import hazard areas, all or nothing; every problem is listed by feature and field."""
    if not file.is_file():
        raise NotFound(f"no file {file}")
    runtime = start_runtime()
    result = service.import_areas(file.read_bytes(), file.name, _format(file), runtime.uow(actor()))
    console.print(
        f"{file}: [green]imported[/] hazard areas: {len(result.created)} new, "
        f"{len(result.updated)} changed, {len(result.unchanged)} unchanged"
    )


def export_command(
    out: Annotated[Path, typer.Option(help="file to write")],
    format: Annotated[str, typer.Option(help="geojson or kml")] = "geojson",
    status: Annotated[AreaStatus | None, typer.Option(help="only areas of this status")] = None,
) -> None:
    """Export hazard areas and their no-go ground as GeoJSON or KML, marked."""
    if format not in ("geojson", "kml"):
        raise typer.BadParameter("format is geojson or kml")
    fmt: Literal["geojson", "kml"] = "kml" if format == "kml" else "geojson"
    text = service.export_areas(fmt, start_runtime().uow(actor()), status)
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote hazard areas to {out} ({format})")


def assets_command(
    from_pledges: Annotated[
        bool, typer.Option(help="register one asset per pledged MV-4, Bozena 5, GCS-200 unit")
    ] = False,
) -> None:
    """List clearance assets; with --from-pledges, first register the pledged machines."""
    runtime = start_runtime()
    if from_pledges:
        made = service.register_pledged_assets(runtime.uow(actor()))
        console.print(f"{len(made)} clearance assets registered from pledges")
    table = Table("asset", "kind", "item type", "serial", "pledge", "width m", "available from")
    for a in service.list_assets(runtime.uow()):
        table.add_row(
            a.id,
            a.kind.value,
            a.item_type or "",
            a.serial or "",
            a.pledge or "",
            f"{a.tool_width_m or ''}",
            str(a.available_from or ""),
        )
    console.print(table)


def rank_command(
    weights: Annotated[
        list[str] | None, typer.Option("--weights", help="criterion=weight, e.g. people=3")
    ] = None,
) -> None:
    """Rank hazard areas by priority; every score is shown with its parts and reasons."""
    ranked = planning.rank_areas(planning.parse_weights(weights or []), start_runtime().uow())
    table = Table("rank", "area", "status", "score", "parts", "why")
    for r in ranked:
        parts = " ".join(f"{k}={p.contribution:.2f}" for k, p in r.score.parts.items())
        table.add_row(
            str(r.score.rank or "-"),
            f"{r.area.id} {r.area.name}",
            r.area.status.value,
            f"{r.score.score:.2f}",
            parts,
            "; ".join(r.score.reasons[:2]),
        )
    console.print(table)


def task_command(  # noqa: PLR0917  Typer commands take one parameter per option
    weeks: Annotated[int, typer.Option(min=1, max=26, help="weeks to plan")] = 4,
    start: Annotated[str | None, typer.Option(help="first day, YYYY-MM-DD (default today)")] = None,
    what_if_add: Annotated[
        str | None, typer.Option(help="compare with one more machine of this item type")
    ] = None,
    what_if_remove: Annotated[
        str | None, typer.Option(help="compare without this clearance asset")
    ] = None,
    weights: Annotated[list[str] | None, typer.Option("--weights", help="name=value")] = None,
    time_limit: Annotated[float, typer.Option(min=1, max=300, help="seconds for the solver")] = 10,
    repeatable: Annotated[
        bool, typer.Option(help="spend the limit as solver work on one core: same input, same plan")
    ] = False,
) -> None:
    """Task the machines over the coming weeks (CP-SAT) and store the run."""
    request = planning.TaskingRequest(
        date.fromisoformat(start) if start else date.today(),
        weeks,
        planning.parse_weights(weights or []),
        what_if_add,
        what_if_remove,
        time_limit,
        repeatable,
    )
    run = planning.run_tasking(request, start_runtime().uow(actor()))
    assert run.id is not None
    run, tasks = planning.tasking_view(run.id, start_runtime().uow())
    console.print(
        f"tasking run {run.id}: {len(tasks)} tasks, {run.objective['released_m2']:,} m2 "
        f"released in plan ({run.solver['status']})"
    )
    table = Table("asset", *(f"week {w}" for w in range(1, run.weeks + 1)))
    for asset, by_week in planning.week_table(run, tasks).items():
        table.add_row(asset, *(", ".join(by_week[w]) for w in range(1, run.weeks + 1)))
    console.print(table)
    for change in run.what_if:
        console.print(
            f"what if {change['change']}: {change['released_m2_delta']:+,} m2 released; "
            f"newly released: {', '.join(change['newly_released']) or 'none'}"
        )


def plan_coverage_command(
    task: Annotated[int, typer.Argument(help="task number (see `materiel demining task`)")],
    out: Annotated[Path | None, typer.Option(help="write the plan's GeoJSON here")] = None,
) -> None:
    """Plan the coverage path of a task's machine over its area and store it."""
    record = planning.plan_task_coverage(task, start_runtime().uow(actor()))
    console.print(f"coverage plan {record.id} for task {task}: {record.summary}")
    if out:
        out.write_text(json.dumps(record.geojson), encoding="utf-8")
        console.print(f"wrote {out}")


def progress_command(
    area: Annotated[str, typer.Argument(help="hazard area id")],
    cleared: Annotated[Path, typer.Option(help="GeoJSON of cleared polygons and/or tracks")],
    asset: Annotated[str | None, typer.Option(help="the asset that drove the tracks")] = None,
    on: Annotated[str | None, typer.Option(help="day of the work, YYYY-MM-DD")] = None,
    method: Annotated[ReleaseMethod, typer.Option(help="how the ground was released")] = (
        ReleaseMethod.CLEARED
    ),
) -> None:
    """Record ground cleared in the field (tracks count at the machine's tool width)."""
    report = service.ProgressIn(
        area,
        date.fromisoformat(on) if on else date.today(),
        json.loads(cleared.read_text(encoding="utf-8")),
        method,
        asset,
    )
    stored = service.record_progress(report, start_runtime().uow(actor()))
    console.print(f"progress {stored.id}: {stored.cleared_m2:,.0f} m2 {method.value} on {area}")


def status_command(
    area: Annotated[str, typer.Argument(help="hazard area id")],
    status: Annotated[AreaStatus, typer.Argument(help="confirmed or in-clearance")],
) -> None:
    """Confirm an area or start (stop) its clearance."""
    changed = service.change_status(area, status, None, start_runtime().uow(actor()))
    console.print(f"{changed.id} is now {changed.status.value}")


def release_command(
    area: Annotated[str, typer.Argument(help="hazard area id")],
    method: Annotated[ReleaseMethod, typer.Option(help="cancelled, reduced or cleared")],
    on: Annotated[str | None, typer.Option(help="YYYY-MM-DD, default today")] = None,
    handed_over_to: Annotated[str, typer.Option(help="who received the land")] = "",
    certificate: Annotated[str, typer.Option(help="handover certificate number")] = "",
) -> None:
    """Release the land (IMAS 07.11) and record its handover."""
    release = service.Release(
        method, date.fromisoformat(on) if on else date.today(), handed_over_to, certificate
    )
    changed = service.release_area(area, release, None, start_runtime().uow(actor()))
    console.print(f"{changed.id} released ({method.value})")


def release_report_command(
    area: Annotated[str, typer.Argument(help="hazard area id")],
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """The land release report of an area (GICHD minimum data)."""
    report = service.land_release_report(area, start_runtime().uow())
    if as_json:
        console.print_json(json.dumps(snapshot(report)))
        return
    print_report(report)


def print_report(r: LandRelease) -> None:
    table = Table("field", "value", title=f"Land release report {r.area_id} ({r.marking.banner})")
    methods = "; ".join(f"{m.method.value}: {m.area_m2:,.0f} m2" for m in r.released_by_method)
    rows = [
        ("area", f"{r.area_id} {r.area_name} ({r.hazard_kind.value.upper()}), {r.status.value}"),
        (
            "location",
            " / ".join((r.admin.oblast, r.admin.raion, r.admin.hromada, r.admin.settlement)),
        ),
        ("centroid (lon, lat)", f"{r.centroid[0]}, {r.centroid[1]}"),
        ("land use, people affected", f"{r.land_use.value}, {r.people_affected}"),
        ("organisation", r.organisation),
        ("area m2", f"{r.area_m2:,.0f}; remaining {r.remaining_m2:,.0f}"),
        ("released by method", methods or "nothing yet"),
        ("release", r.release_method.value if r.release_method else "not released"),
        ("dates", f"{r.start_date or ''} to {r.end_date or ''}"),
        ("assets", ", ".join(r.assets_used)),
        ("items found", ", ".join(f"{k}: {v}" for k, v in r.items_found.items()) or "none"),
        ("deepest item cm", str(r.deepest_item_cm or "")),
        ("QC / QA", f"QC {r.qc_passed}/{r.qc_samples}, QA {r.qa_passed}/{r.qa_samples} passed"),
        ("handover", f"{r.handed_over_to} {r.certificate}".strip()),
        ("source", r.source),
    ]
    for name, value in rows:
        table.add_row(name, value)
    console.print(table)
