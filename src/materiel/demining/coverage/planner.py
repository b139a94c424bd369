"""`plan_coverage`: the path of one machine over one hazard area.

Plain data in, plain data out. Steps: project to UTM; subtract the no-go
zones; choose the sweep angle; per connected part of the field: headland
passes (boundary and holes), swaths in cells, skip-row or K-turns, transits
over cleared ground; then measure coverage and return what is left over.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable

import numpy as np
import shapely
from shapely import LineString, Polygon
from shapely.affinity import rotate
from shapely.geometry.base import BaseGeometry

from materiel.core.errors import InvalidInput

from .cells import decompose
from .geojson import SafeLane
from .headland import offset, passes_needed, plan_headlands, rings
from .model import CoverageArea, Figures, Step, Summary, Tool
from .plan import CoveragePlan
from .projection import Projection
from .summary import footprints, hours, lengths, measure, percent
from .sweep import best_angle, rows
from .transits import Network
from .traverse import TOLERANCE_M, Sweeper

SAFE_SLACK_M = 0.01
MIN_STEP_M = 1e-3  # steps shorter than a millimetre are numerical noise


def plan_coverage(
    area: CoverageArea, tool: Tool, safe_lanes: Iterable[SafeLane] = ()
) -> CoveragePlan:
    """Plan headlands, swaths, turns and transits for `tool` over `area`."""
    started = time.perf_counter()
    projection = _projection(area)
    field_ = _field(area, projection)
    lanes: list[BaseGeometry] = [projection.to_utm(lane) for lane in safe_lanes]
    angle = best_angle(field_)
    origin = field_.centroid
    turned = rotate(field_, -angle, origin=origin, use_radians=True)
    lanes_turned = [rotate(lane, -angle, origin=origin, use_radians=True) for lane in lanes]
    steps: list[Step] = []
    counters = {"swaths": 0, "k_turns": 0, "blocked": 0, "unreached": 0}
    parts = sorted(_reachable_parts(turned, tool.width_m), key=lambda p: -p.area)
    for part in parts:
        steps.extend(_plan_part(part, tool, lanes_turned, counters))
    steps = [s for s in steps if s.line.length > MIN_STEP_M]
    lines = _rotated([s.line for s in steps], angle, (origin.x, origin.y))
    steps = [Step(s.kind, line) for s, line in zip(steps, lines, strict=True)]
    areas = measure(field_, steps, tool.width_m)
    work_m, other_m = lengths(steps)
    notes = _notes(counters, len(parts))
    summary = Summary(
        coverage_pct=percent(areas.covered_m2, areas.clearable_m2),
        overlap_pct=percent(areas.footprint_sum_m2 - areas.union_m2, areas.union_m2)
        if areas.union_m2 > 0
        else 0.0,
        work_m=work_m,
        nonwork_m=other_m,
        hours=hours(work_m, other_m, tool),
        seconds=time.perf_counter() - started,
    )
    figures = Figures(
        field_m2=areas.field_m2,
        clearable_m2=areas.clearable_m2,
        covered_m2=areas.covered_m2,
        leftover_m2=areas.leftover_m2,
        swaths=counters["swaths"],
        turns=sum(1 for s in steps if s.kind == "turn"),
        transits=sum(1 for s in steps if s.kind == "transit"),
        k_turns=counters["k_turns"],
        sweep_angle_deg=math.degrees(angle),
        notes=notes,
    )
    return CoveragePlan(
        steps=tuple(steps),
        leftover=areas.leftover,
        summary=summary,
        figures=figures,
        tool=tool,
        projection=projection,
    )


def _rotated(
    lines: list[LineString], angle: float, origin: tuple[float, float]
) -> list[LineString]:
    """All lines turned by `angle` (radians) about `origin`, in one vectorised pass."""
    cos, sin = math.cos(angle), math.sin(angle)
    ox, oy = origin

    def turn(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0] - ox, xy[:, 1] - oy
        return np.column_stack([ox + cos * x - sin * y, oy + sin * x + cos * y])

    return list(shapely.transform(np.array(lines, dtype=object), turn))


def _projection(area: CoverageArea) -> Projection:
    minx, miny, maxx, maxy = shapely.total_bounds(list(area.polygons))
    return Projection.around((minx + maxx) / 2, (miny + maxy) / 2)


def _field(area: CoverageArea, projection: Projection) -> BaseGeometry:
    """Area minus no-go zones, in UTM metres."""
    polygons = [projection.to_utm(p) for p in area.polygons]
    nogo = [projection.to_utm(p) for p in area.nogo]
    ground = shapely.union_all(polygons)
    if nogo:
        ground = shapely.difference(ground, shapely.union_all(nogo))
    ground = shapely.make_valid(ground)
    polygonal = [p for p in shapely.get_parts(ground) if isinstance(p, Polygon) and p.area > 0]
    if not polygonal:
        raise InvalidInput("the no-go zones cover the whole area: there is nothing to clear")
    return shapely.MultiPolygon(polygonal) if len(polygonal) > 1 else polygonal[0]


def _reachable_parts(field_: BaseGeometry, width: float) -> list[Polygon]:
    """The field split where the tool cannot pass (necks narrower than the tool).

    Each part is what one connected region of tool-centre positions reaches;
    the machine cannot drive from one part to another over cleared ground.
    """
    centres = offset(field_, width / 2)
    parts: list[Polygon] = []
    for centre in shapely.get_parts(centres):
        reach = shapely.intersection(centre.buffer(width / 2, quad_segs=8), field_)
        parts.extend(p for p in shapely.get_parts(reach) if isinstance(p, Polygon) and p.area > 0)
    return parts


def _plan_part(
    part: Polygon, tool: Tool, lanes: list[BaseGeometry], counters: dict[str, int]
) -> list[Step]:
    width, radius = tool.width_m, tool.turn_radius_m
    centre_region = offset(part, width / 2)
    if centre_region.is_empty:
        return []
    safe = centre_region.buffer(SAFE_SLACK_M)
    count = passes_needed(width, radius)
    head = plan_headlands(rings(part, width, count), safe, width)
    counters["unreached"] += len(head.unreached)
    segments, spacing = rows(offset(part, count * width), centre_region, width)
    counters["swaths"] += len(segments)
    if not segments:
        return head.steps
    allowed = _allowed(head.steps, lanes, width)
    skip = max(1, math.ceil(2 * radius / spacing - 1e-9)) if spacing > 0 else 1
    here = _last_point(head.steps) or (segments[0].x0, segments[0].y)
    network = head.network if head.steps else Network()
    sweeper = Sweeper(network, allowed, width, radius, skip, here)
    sweeper.drive(decompose(segments))
    counters["k_turns"] += sweeper.k_turns
    counters["blocked"] += sweeper.blocked
    return head.steps + sweeper.steps


def _allowed(steps: list[Step], lanes: list[BaseGeometry], width: float) -> BaseGeometry:
    """Cleared headland ground plus safe lanes, grown by the tolerance and prepared."""
    pieces = list(footprints(steps, width)) + [
        lane if lane.geom_type.endswith("Polygon") else lane.buffer(1e-3) for lane in lanes
    ]
    region = shapely.union_all(pieces).buffer(TOLERANCE_M, quad_segs=2)
    shapely.prepare(region)
    return region


def _last_point(steps: list[Step]) -> tuple[float, float] | None:
    if not steps:
        return None
    x, y = shapely.get_coordinates(steps[-1].line)[-1]
    return (float(x), float(y))


def _notes(counters: dict[str, int], parts: int) -> tuple[str, ...]:
    notes = []
    if parts > 1:
        notes.append(f"the field falls into {parts} separate parts; each is a plan of its own")
    if counters["unreached"]:
        notes.append(f"{counters['unreached']} headland passes could not be reached")
    if counters["blocked"]:
        notes.append(f"{counters['blocked']} transits found no route over cleared ground")
    return tuple(notes)
