"""`plan_coverage`: the path of one machine over one hazard area.

Plain data in, plain data out. Steps: project to UTM; subtract the no-go
zones; choose the sweep angle; per connected part of the field: headland
passes (boundary and holes), swaths in cells, skip-row or K-turns, transits
over cleared ground; then measure coverage and return what is left over.
Coverage is measured in the sweep frame, on the headland footprints and the
cells' swath unions (built without overlay), not on thousands of footprints.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import TypeVar

import numpy as np
import shapely
from shapely import Polygon
from shapely.affinity import rotate
from shapely.geometry.base import BaseGeometry

from materiel.core.errors import InvalidInput

from .cells import decompose
from .cleared import swath_unions
from .collector import collector_paused
from .geojson import SafeLane
from .headland import offset, passes_needed, plan_headlands, rings
from .model import CoverageArea, Figures, Step, Summary, Tool
from .plan import CoveragePlan
from .projection import Projection
from .summary import Areas, footprints, hours, lengths, measure_union, percent
from .sweep import best_angle, rows
from .transits import Network
from .traverse import TOLERANCE_M, Sweeper, order_ways

SAFE_SLACK_M = 0.01
MIN_STEP_M = 1e-3  # steps shorter than a millimetre are numerical noise

G = TypeVar("G", bound=BaseGeometry)


def plan_coverage(
    area: CoverageArea, tool: Tool, safe_lanes: Iterable[SafeLane] = ()
) -> CoveragePlan:
    """Plan headlands, swaths, turns and transits for `tool` over `area`."""
    started = time.perf_counter()
    with collector_paused():
        return _plan(area, tool, safe_lanes, started)


def _plan(
    area: CoverageArea, tool: Tool, safe_lanes: Iterable[SafeLane], started: float
) -> CoveragePlan:
    projection = _projection(area)
    field_ = _field(area, projection)
    lanes: list[BaseGeometry] = [projection.to_utm(lane) for lane in safe_lanes]
    angle = best_angle(field_)
    origin = field_.centroid
    turned = rotate(field_, -angle, origin=origin, use_radians=True)
    lanes_turned = [rotate(lane, -angle, origin=origin, use_radians=True) for lane in lanes]
    counters = {"swaths": 0, "k_turns": 0, "blocked": 0, "unreached": 0}
    parts = sorted(_reachable_parts(turned, tool.width_m), key=lambda p: -p.area)
    planned = [_plan_part(part, tool, lanes_turned, counters) for part in parts]
    steps = [s for p in planned for s in p.steps]
    long = shapely.length(np.array([s.line for s in steps], dtype=object)) > MIN_STEP_M
    steps = [s for s, keep in zip(steps, long.tolist(), strict=True) if keep]
    back = _turner(angle, (origin.x, origin.y))
    # Joined pieces can repeat a vertex: a zero-length segment that readers
    # of the published plan should not have to guard against.
    lines = shapely.remove_repeated_points(np.array(back([s.line for s in steps]), object), 1e-9)
    steps = [Step(s.kind, line) for s, line in zip(steps, lines, strict=True)]
    measured = _measure(turned, planned, tool.width_m)
    measured = replace(measured, leftover=tuple(back(list(measured.leftover))))
    work_m, other_m = lengths(steps)
    notes = _notes(counters, len(parts))
    summary = Summary(
        coverage_pct=percent(measured.covered_m2, measured.clearable_m2),
        overlap_pct=percent(measured.footprint_sum_m2 - measured.union_m2, measured.union_m2)
        if measured.union_m2 > 0
        else 0.0,
        work_m=work_m,
        nonwork_m=other_m,
        hours=hours(work_m, other_m, tool),
        seconds=time.perf_counter() - started,
    )
    figures = Figures(
        field_m2=measured.field_m2,
        clearable_m2=measured.clearable_m2,
        covered_m2=measured.covered_m2,
        leftover_m2=measured.leftover_m2,
        swaths=counters["swaths"],
        turns=sum(1 for s in steps if s.kind == "turn"),
        transits=sum(1 for s in steps if s.kind == "transit"),
        k_turns=counters["k_turns"],
        sweep_angle_deg=math.degrees(angle),
        notes=notes,
    )
    return CoveragePlan(
        steps=tuple(steps),
        leftover=measured.leftover,
        summary=summary,
        figures=figures,
        tool=tool,
        projection=projection,
    )


def _turner(angle: float, origin: tuple[float, float]) -> Callable[[list[G]], list[G]]:
    """Turns geometries by `angle` (radians) about `origin`, all in one vectorised pass."""
    cos, sin = math.cos(angle), math.sin(angle)
    ox, oy = origin

    def turn(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0] - ox, xy[:, 1] - oy
        return np.column_stack([ox + cos * x - sin * y, oy + sin * x + cos * y])

    def apply(geometries: list[G]) -> list[G]:
        return list(shapely.transform(np.array(geometries, dtype=object), turn))

    return apply


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


@dataclass(frozen=True)
class _PartPlan:
    """One part's steps, the union of their work footprints (steps under a millimetre
    left out, as in the plan) and the sum of those footprints' areas."""

    steps: list[Step]
    cleared: BaseGeometry
    footprint_m2: float


def _plan_part(
    part: Polygon, tool: Tool, lanes: list[BaseGeometry], counters: dict[str, int]
) -> _PartPlan:
    width, radius = tool.width_m, tool.turn_radius_m
    centre_region = offset(part, width / 2)
    if centre_region.is_empty:
        return _PartPlan([], Polygon(), 0.0)
    count = passes_needed(width, radius)
    head = plan_headlands(rings(part, width, count), centre_region.buffer(SAFE_SLACK_M), width)
    counters["unreached"] += len(head.unreached)
    # GEOS lets go of the GIL: its overlays run on a second core beside the Python work
    with ThreadPoolExecutor(max_workers=1) as helper:
        worked = helper.submit(_headland_ground, head.steps, width)
        segments, spacing = rows(offset(part, count * width), centre_region, width)
        counters["swaths"] += len(segments)
        if not segments:
            return _PartPlan(head.steps, *worked.result()[1])
        cells = decompose(segments)
        swept = [u for c in cells for u in swath_unions(c.segments, width / 2, MIN_STEP_M)]
        here = _last_point(head.steps) or (segments[0].x0, segments[0].y)
        network = head.network if head.steps else Network()
        skip = max(1, math.ceil(2 * radius / spacing - 1e-9)) if spacing > 0 else 1
        ways = order_ways(cells, network, here, skip, radius)
        ground, (kept, kept_m2) = worked.result()
        cleared = helper.submit(shapely.union_all, [kept, *swept])
        sweeper = Sweeper(network, _allowed(head.steps, ground, lanes, width), width, radius, here)
        sweeper.drive(ways)
    counters["k_turns"] += sweeper.k_turns
    counters["blocked"] += sweeper.blocked
    swept_m2 = width * sum(s.x1 - s.x0 for s in segments if s.x1 - s.x0 > MIN_STEP_M)
    return _PartPlan(head.steps + sweeper.steps, cleared.result(), kept_m2 + swept_m2)


def _headland_ground(
    steps: list[Step], width: float
) -> tuple[BaseGeometry, tuple[BaseGeometry, float]]:
    """The union of the headland's work footprints (for the turn and transit checks), and
    that union and the footprints' area without steps under a millimetre (for the figures,
    as the plan leaves those out)."""
    ground, ground_m2 = _worked(steps, width)
    if any(s.line.length <= MIN_STEP_M for s in steps if s.kind == "work"):
        return ground, _worked([s for s in steps if s.line.length > MIN_STEP_M], width)
    return ground, (ground, ground_m2)


def _worked(steps: list[Step], width: float) -> tuple[BaseGeometry, float]:
    """The union of the work footprints of `steps` and the sum of their areas."""
    prints = footprints(steps, width)
    return shapely.union_all(prints), float(shapely.area(prints).sum())


def _measure(field_: BaseGeometry, planned: list[_PartPlan], width: float) -> Areas:
    """Coverage over the field from the parts' cleared ground (all in the rotated frame)."""
    cleared = [p.cleared for p in planned]
    union = cleared[0] if len(cleared) == 1 else shapely.union_all(cleared)
    return measure_union(field_, union, sum(p.footprint_m2 for p in planned), width)


def _allowed(
    steps: list[Step], ground: BaseGeometry, lanes: list[BaseGeometry], width: float
) -> BaseGeometry:
    """Cleared headland `ground` plus safe lanes, grown by the tolerance and prepared."""
    if lanes:
        pieces = list(footprints(steps, width)) + [
            lane if lane.geom_type.endswith("Polygon") else lane.buffer(1e-3) for lane in lanes
        ]
        ground = shapely.union_all(pieces)
    region = ground.buffer(TOLERANCE_M, quad_segs=2)
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
