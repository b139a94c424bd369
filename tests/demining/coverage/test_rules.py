"""Hard rules on random areas with holes: two independent checks of the published plan."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import shapely
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pyproj import Transformer
from shapely import Polygon

from materiel.demining.coverage import Tool, plan_coverage, read_area, read_safe_lanes

from .rules import Published, overlay_violations, sampled_accounting, sampled_violations

TO_M = Transformer.from_crs(4326, 32637, always_xy=True)
TO_DEG = Transformer.from_crs(32637, 4326, always_xy=True)
X0, Y0 = TO_M.transform(36.9, 49.9)


def star(cx: float, cy: float, radius: float, radii: list[float], turn: float) -> Polygon:
    step = 2 * math.pi / len(radii)
    return Polygon(
        (cx + radius * r * math.cos(turn + i * step), cy + radius * r * math.sin(turn + i * step))
        for i, r in enumerate(radii)
    )


@st.composite
def areas(draw: st.DrawFn) -> dict[str, Any]:
    """A star-shaped area of 0.1-2 ha with up to three holes, as rings or nogo features."""
    radius = draw(st.floats(20, 80))
    radii = draw(st.lists(st.floats(0.55, 1.0), min_size=4, max_size=11))
    outer = star(X0, Y0, radius, radii, draw(st.floats(0, math.pi)))
    holes = []
    for _ in range(draw(st.integers(0, 3))):
        fx, fy = draw(st.floats(-0.5, 0.5)), draw(st.floats(-0.5, 0.5))
        hole_radii = draw(st.lists(st.floats(0.6, 1.0), min_size=3, max_size=7))
        hole = star(X0 + fx * radius, Y0 + fy * radius, draw(st.floats(2, 8)), hole_radii, 0.3)
        if outer.buffer(-1).contains(hole) and all(hole.distance(h) > 1 for h in holes):
            holes.append(hole)
    as_ring = draw(st.booleans())
    area = Polygon(outer.exterior.coords, [h.exterior.coords for h in holes] if as_ring else [])
    features = [_feature(area, {})]
    if not as_ring:
        features += [_feature(h, {"nogo": True}) for h in holes]
    return {"type": "FeatureCollection", "features": features}


def _feature(polygon: Polygon, properties: dict[str, Any]) -> dict[str, Any]:
    wgs = shapely.transform(
        polygon, lambda xy: np.column_stack(TO_DEG.transform(xy[:, 0], xy[:, 1]))
    )
    document: dict[str, Any] = json.loads(json.dumps(shapely.geometry.mapping(wgs)))
    return {"type": "Feature", "properties": properties, "geometry": document}


def check(area_doc: dict[str, Any], tool: Tool, lanes_doc: dict[str, Any] | None = None) -> None:
    lanes = read_safe_lanes(lanes_doc) if lanes_doc else []
    plan = plan_coverage(read_area(area_doc), tool, lanes)
    plan_doc = json.loads(json.dumps(plan.to_geojson()))
    published = Published.read(area_doc, plan_doc, lanes_doc)
    assert overlay_violations(published) == []
    assert sampled_violations(published) == []
    covered, lost = sampled_accounting(published, 3000)
    assert lost <= 0.002, f"{lost:.2%} of the field neither covered nor returned as leftover"
    assert abs(covered * 100 - plan.summary.coverage_pct) < 3.0


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # shrinking takes minutes here
)
@given(
    area=areas(),
    width=st.floats(1.5, 2.5),
    radius=st.floats(0.0, 4.0),
)
def test_random_areas_keep_the_hard_rules(
    area: dict[str, Any], width: float, radius: float
) -> None:
    check(area, Tool(width_m=width, turn_radius_m=radius))


def test_a_large_turning_radius_still_keeps_the_rules() -> None:
    area = {
        "type": "Feature",
        "properties": {},
        "geometry": _feature(star(X0, Y0, 60, [1, 0.8, 0.9, 1, 0.7, 0.95], 0.2), {})["geometry"],
    }
    check(area, Tool(width_m=2.0, turn_radius_m=8.0))


def test_safe_lanes_count_as_cleared_ground() -> None:
    square = Polygon([(X0, Y0), (X0 + 80, Y0), (X0 + 80, Y0 + 60), (X0, Y0 + 60)])
    lane = Polygon([(X0 - 10, Y0 - 10), (X0 + 90, Y0 - 10), (X0 + 90, Y0 - 2), (X0 - 10, Y0 - 2)])
    area = {"type": "FeatureCollection", "features": [_feature(square, {})]}
    lanes = {"type": "FeatureCollection", "features": [_feature(lane, {})]}
    check(area, Tool(width_m=2.5, turn_radius_m=3.0), lanes)
