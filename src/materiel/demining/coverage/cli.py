"""`materiel demining cover`: plan one machine's coverage path over a GeoJSON area file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from materiel.core.errors import InvalidInput, NotFound

from .geojson import read_area, read_safe_lanes
from .model import DEFAULT_TRANSIT_SPEED_KMH, DEFAULT_WORK_SPEED_KMH, Tool
from .plan import CoveragePlan
from .planner import plan_coverage

console = Console(stderr=True)


def cover(
    area: Annotated[
        Path,
        typer.Option(
            help="GeoJSON (WGS84) Feature/FeatureCollection of the hazard area; "
            'interior rings and features with "nogo": true are no-go zones.'
        ),
    ],
    width: Annotated[float, typer.Option(help="Tool (working) width in metres, e.g. 2.5.")],
    turn_radius: Annotated[
        float, typer.Option(help="Smallest turning radius of the machine in metres.")
    ],
    out: Annotated[Path, typer.Option(help="Where to write the plan (GeoJSON, WGS84).")],
    safe_lanes: Annotated[
        Path | None,
        typer.Option(help="GeoJSON of declared safe lanes (LineStrings or Polygons)."),
    ] = None,
    speed_kmh: Annotated[
        float, typer.Option(help="Working speed in km/h, for the hours figure.")
    ] = DEFAULT_WORK_SPEED_KMH,
    transit_speed_kmh: Annotated[
        float, typer.Option(help="Speed turning and in transit (tool up), km/h.")
    ] = DEFAULT_TRANSIT_SPEED_KMH,
) -> None:
    """Plan headlands, swaths, turns and transits over the area; write them in driving order."""
    tool = Tool(width, turn_radius, speed_kmh, transit_speed_kmh)
    document = _load(area, "area")
    lanes = read_safe_lanes(_load(safe_lanes, "safe lanes")) if safe_lanes else []
    with console.status("planning the coverage path"):
        plan = plan_coverage(read_area(document), tool, lanes)
    try:
        out.write_text(json.dumps(plan.to_geojson()), encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"{out}: cannot write the plan ({exc}); choose a writable path") from exc
    console.print(summary_table(plan, out))


def register(app: typer.Typer) -> None:
    """Add the `cover` command to a Typer app (the `demining` sub-app)."""
    app.command("cover")(cover)


def summary_table(plan: CoveragePlan, out: Path) -> Table:
    """The summary figures and anything the planner could not do."""
    s, f = plan.summary, plan.figures
    table = Table(title=f"Coverage plan -> {out}", show_header=False)
    table.add_row("coverage", f"{s.coverage_pct:.3f} % of {f.clearable_m2:,.0f} m2 clearable")
    table.add_row("overlap", f"{s.overlap_pct:.2f} %")
    table.add_row("work / turns+transits", f"{s.work_m:,.0f} m / {s.nonwork_m:,.0f} m")
    table.add_row(
        "swaths / turns / transits", f"{f.swaths} / {f.turns} ({f.k_turns} K) / {f.transits}"
    )
    table.add_row(
        "leftover (manual clearance)", f"{len(plan.leftover)} pieces, {f.leftover_m2:,.1f} m2"
    )
    table.add_row("hours", f"{s.hours:,.1f}")
    table.add_row("computed in", f"{s.seconds:.2f} s")
    for note in f.notes:
        table.add_row("[yellow]note[/]", note)
    return table


def _load(path: Path | None, what: str) -> Any:
    assert path is not None
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFound(f"{path}: no such {what} file") from exc
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the {what} file ({exc})") from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{path}: the {what} file is not JSON (line {exc.lineno}, column {exc.colno}: "
            f"{exc.msg}); give a GeoJSON file"
        ) from exc
