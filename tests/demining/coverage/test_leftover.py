"""What the tool cannot reach comes back as leftover polygons, never silently dropped."""

from __future__ import annotations

import itertools
import json
from typing import Any

import shapely
from shapely import Point, Polygon

from materiel.demining.coverage import Tool, plan_coverage, read_area

from .rules import Published, overlay_violations, sampled_accounting, sampled_violations
from .test_rules import X0, Y0, _feature


def plan_of(polygon: Polygon, tool: Tool) -> tuple[dict[str, Any], Published]:
    area = {"type": "FeatureCollection", "features": [_feature(polygon, {})]}
    plan = plan_coverage(read_area(area), tool)
    document = json.loads(json.dumps(plan.to_geojson()))
    return document, Published.read(area, document, None)


def leftover_in(published: Published, region: Polygon) -> float:
    return sum(p.intersection(region).area for p in published.leftover)


def test_a_neck_narrower_than_the_tool_is_left_for_manual_clearance() -> None:
    # two 40 m squares joined by a 1.5 m wide, 10 m long neck; the tool is 2.5 m wide
    left = shapely.box(X0, Y0, X0 + 40, Y0 + 40)
    neck = shapely.box(X0 + 40, Y0 + 19.25, X0 + 50, Y0 + 20.75)
    right = shapely.box(X0 + 50, Y0, X0 + 90, Y0 + 40)
    area = shapely.union_all([left, neck, right])
    document, published = plan_of(area, Tool(width_m=2.5, turn_radius_m=2.0))
    assert leftover_in(published, neck) > 0.9 * neck.area
    assert overlay_violations(published) == []
    assert sampled_violations(published) == []
    _, lost = sampled_accounting(published, 3000)
    assert lost <= 0.002
    assert document["summary"]["coverage_pct"] >= 99.9


def test_a_sharp_corner_is_left_for_manual_clearance() -> None:
    # a 10-degree spike: its tip is narrower than the tool
    area = Polygon([(X0, Y0), (X0 + 120, Y0 + 10), (X0 + 40, Y0 + 40), (X0, Y0 + 40)])
    document, published = plan_of(area, Tool(width_m=2.5, turn_radius_m=3.0))
    assert leftover_in(published, Point(X0 + 120, Y0 + 10).buffer(8)) > 1.0
    assert overlay_violations(published) == []
    leftovers = [f for f in document["features"] if f["properties"]["kind"] == "leftover"]
    assert all(f["geometry"]["type"] == "Polygon" for f in leftovers)
    assert document["summary"]["coverage_pct"] >= 99.9


def test_the_plan_lists_features_in_driving_order_with_the_fixed_kinds() -> None:
    document, _ = plan_of(shapely.box(X0, Y0, X0 + 60, Y0 + 50), Tool(2.5, 3.0))
    kinds = [f["properties"]["kind"] for f in document["features"]]
    assert set(kinds) <= {"work", "turn", "transit", "leftover"}
    lines = [f for f in document["features"] if f["properties"]["kind"] != "leftover"]
    assert all(f["geometry"]["type"] == "LineString" for f in lines)
    ends = [(f["geometry"]["coordinates"][0], f["geometry"]["coordinates"][-1]) for f in lines]
    for (_, end), (start, _) in itertools.pairwise(ends):
        assert abs(end[0] - start[0]) < 1e-7 and abs(end[1] - start[1]) < 1e-7
    summary = document["summary"]
    assert set(summary) == {
        "coverage_pct",
        "overlap_pct",
        "work_m",
        "nonwork_m",
        "hours",
        "seconds",
    }
    assert summary["hours"] > summary["work_m"] / 1000 / 1.0 - 1e-6  # at 1 km/h working
