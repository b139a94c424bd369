"""Coverage planner against a plain boustrophedon baseline on seeded hazard areas.

Areas lie in Kharkiv oblast (around 49.9 N, 36.9 E); their shapes are
synthetic: star-shaped outer boundaries with no-go holes (half as interior
rings, half as "nogo" features). For each size the table shows both methods
from the same run: swaths, coverage, overlap, turn+transit share of the
path, leftover area, seconds, and how many turns or transits cross ground
that was not cleared before (checked exactly, step by step).

    python benchmarks/coverage.py [--sizes 1ha,5ha,50ha,5km2] [--width 2.5] [--turn-radius 3]
"""

from __future__ import annotations

import argparse
import math
import random
import time
from typing import Any

import numpy as np
import shapely
from shapely import LineString, Polygon
from shapely.geometry.base import BaseGeometry

from materiel.demining.coverage import Tool, plan_coverage, read_area
from materiel.demining.coverage.model import Step
from materiel.demining.coverage.projection import Projection
from materiel.demining.coverage.summary import footprints, lengths, measure

CENTRE = (36.9, 49.9)  # lon, lat: Kharkiv oblast
SIZES = {"1ha": (1e4, 0), "5ha": (5e4, 0), "50ha": (5e5, 3), "5km2": (5e6, 20)}


def star(rng: random.Random, centre: tuple[float, float], radius: float, corners: int) -> Polygon:
    angles = sorted(rng.uniform(0, 2 * math.pi) for _ in range(corners))
    return Polygon(
        (centre[0] + radius * r * math.cos(a), centre[1] + radius * r * math.sin(a))
        for a, r in ((a, rng.uniform(0.75, 1.0)) for a in angles)
    )


def generate(size: str, seed: int = 1) -> dict[str, Any]:
    """A GeoJSON FeatureCollection: the area with holes (rings and nogo features)."""
    target, holes = SIZES[size]
    rng = random.Random(f"{size}-{seed}")
    projection = Projection.around(*CENTRE)
    x0, y0 = projection.forward.transform(*CENTRE)
    outer = star(rng, (x0, y0), 1.0, 14)
    outer = shapely.affinity.scale(outer, *(2 * [math.sqrt(target / outer.area)]), origin=(x0, y0))
    placed: list[Polygon] = []
    radius = math.sqrt(target) * 0.04
    inner = outer.buffer(-3 * radius)
    minx, miny, maxx, maxy = inner.bounds
    while len(placed) < holes:
        c = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        hole = star(rng, c, radius * rng.uniform(0.5, 1.5), 7)
        if inner.contains(hole) and all(hole.distance(h) > radius for h in placed):
            placed.append(hole)
    rings, nogo = placed[::2], placed[1::2]
    area = Polygon(outer.exterior.coords, [h.exterior.coords for h in rings])
    features = [_feature(projection.to_wgs84(area), {})]
    features += [_feature(projection.to_wgs84(h), {"nogo": True}) for h in nogo]
    return {"type": "FeatureCollection", "features": features}


def _feature(geometry: BaseGeometry, properties: dict[str, Any]) -> dict[str, Any]:
    mapping = shapely.geometry.mapping(geometry)
    return {"type": "Feature", "properties": properties, "geometry": mapping}


def baseline(field_: BaseGeometry, width: float) -> list[Step]:
    """Plain boustrophedon: east-west swaths clipped to the field, in row order, straight links."""
    minx, miny, maxx, maxy = field_.bounds
    ys = np.arange(miny + width / 2, maxy, width)
    lines = shapely.linestrings([[[minx - 1, y], [maxx + 1, y]] for y in ys])
    shapely.prepare(field_)
    parts, index = shapely.get_parts(shapely.intersection(lines, field_), return_index=True)
    steps: list[Step] = []
    for row in range(len(ys)):
        pieces = [p for p, i in zip(parts, index, strict=True) if i == row and p.length > 0]
        pieces.sort(key=lambda p: p.bounds[0], reverse=row % 2 == 1)
        for piece in pieces:
            coords = shapely.get_coordinates(piece)
            if row % 2 == 1:
                coords = coords[::-1]
            if steps:
                end = shapely.get_coordinates(steps[-1].line)[-1]
                steps.append(Step("turn", LineString([end, coords[0]])))
            steps.append(Step("work", LineString(coords)))
    return steps


def uncleared_crossings(steps: list[Step], width: float) -> int:
    """Turns and transits not lying (within 0.25 m) on work footprints driven before them."""
    work = [i for i, s in enumerate(steps) if s.kind == "work"]
    prints = footprints(steps, width)
    tree = shapely.STRtree(prints)
    bad = 0
    for i, step in enumerate(steps):
        if step.kind == "work":
            continue
        hits = [h for h in tree.query(step.line) if work[h] < i]
        cleared = shapely.union_all(prints[hits]).buffer(0.25) if hits else Polygon()
        bad += int(not cleared.covers(step.line))
    return bad


def field_of(document: dict[str, Any]) -> BaseGeometry:
    area = read_area(document)
    projection = Projection.around(*CENTRE)
    ground = shapely.union_all([projection.to_utm(p) for p in area.polygons])
    return ground.difference(shapely.union_all([projection.to_utm(p) for p in area.nogo]))


def measure_row(
    size: str, method: str, steps: list[Step], *, seconds: float, field_: BaseGeometry, width: float
) -> str:
    areas = measure(field_, steps, width)
    work, other = lengths(steps)
    swaths = sum(1 for s in steps if s.kind == "work")
    return (
        f"{size:>5} {method:<9}{swaths:>7}{100 * areas.covered_m2 / areas.clearable_m2:>10.3f}"
        f"{100 * (areas.footprint_sum_m2 - areas.union_m2) / areas.union_m2:>9.2f}"
        f"{100 * other / (work + other):>10.2f}{areas.leftover_m2:>12,.0f}{seconds:>8.2f}"
        f"{uncleared_crossings(steps, width):>10}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--width", type=float, default=2.5)
    parser.add_argument("--turn-radius", type=float, default=3.0)
    args = parser.parse_args()
    tool = Tool(args.width, args.turn_radius)
    print(f"tool width {tool.width_m} m, turning radius {tool.turn_radius_m} m")
    print(
        f"{'size':>5} {'method':<9}{'swaths':>7}{'cover %':>10}{'overlap%':>9}{'turn+tr%':>10}"
        f"{'leftover m2':>12}{'seconds':>8}{'uncleared':>10}"
    )
    for size in args.sizes.split(","):
        document = generate(size)
        field_ = field_of(document)
        started = time.perf_counter()
        steps = baseline(field_, tool.width_m)
        seconds = time.perf_counter() - started
        print(
            measure_row(size, "baseline", steps, seconds=seconds, field_=field_, width=tool.width_m)
        )
        plan = plan_coverage(read_area(document), tool)
        ours = list(plan.steps)
        print(
            measure_row(
                size,
                "planner",
                ours,
                seconds=plan.summary.seconds,
                field_=field_,
                width=tool.width_m,
            )
        )
        swaths = plan.figures.swaths
        print(
            f"{'':>5} planner: {swaths} swaths, {plan.figures.turns} turns "
            f"({plan.figures.k_turns} K-turns), {plan.figures.transits} transits, "
            f"angle {plan.figures.sweep_angle_deg:.0f} deg; {'; '.join(plan.figures.notes)}"
        )


if __name__ == "__main__":
    main()
