"""Bad input is refused with a message saying what, where and what to do."""

from __future__ import annotations

from typing import Any

import pytest

from materiel.core.errors import InvalidInput
from materiel.demining.coverage import Tool, read_area, read_safe_lanes

SQUARE = [[36.9, 49.9], [36.901, 49.9], [36.901, 49.901], [36.9, 49.901], [36.9, 49.9]]
BOWTIE = [[36.9, 49.9], [36.901, 49.901], [36.901, 49.9], [36.9, 49.901], [36.9, 49.9]]
UTM_METRES = [[500000, 5500000], [500100, 5500000], [500100, 5500100], [500000, 5500000]]


def polygon(rings: list[Any], properties: dict[str, Any] | None = None) -> dict[str, Any]:
    geometry = {"type": "Polygon", "coordinates": rings}
    return {"type": "Feature", "properties": properties or {}, "geometry": geometry}


def collection(*features: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


@pytest.mark.parametrize(
    ("document", "words"),
    [
        ([1, 2], "not a GeoJSON object"),
        ({"type": "Topology"}, "Feature or FeatureCollection"),
        (collection(), "no polygon"),
        (collection(polygon([SQUARE], {"nogo": True})), "no polygon"),
        (
            collection(
                polygon([SQUARE]),
                {"type": "Feature", "geometry": {"type": "Point", "coordinates": [36, 49]}},
            ),
            "feature 1",
        ),
        (
            collection(
                polygon(
                    [[[36.9, 49.9], [36.901, 49.901], [36.901, 49.9], [36.9, 49.901], [36.9, 49.9]]]
                )
            ),
            "not valid",
        ),
        (
            collection(
                polygon(
                    [[[500000, 5500000], [500100, 5500000], [500100, 5500100], [500000, 5500000]]]
                )
            ),
            "WGS84",
        ),
        (collection(polygon([SQUARE[:-1]])), "end where it starts"),
        (collection(polygon([[["a", 1], [2, 2], [3, 3], ["a", 1]]])), "not a [lon, lat]"),
    ],
)
def test_bad_areas_are_refused_with_where_and_what(document: Any, words: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_area(document)
    assert words in refused.value.message


def test_the_error_names_the_feature() -> None:
    with pytest.raises(InvalidInput, match="feature 2"):
        read_area(collection(polygon([SQUARE]), polygon([SQUARE]), polygon([BOWTIE])))


@pytest.mark.parametrize("width", [0.0, -2.5, float("nan")])
def test_a_tool_width_of_zero_or_less_is_refused(width: float) -> None:
    with pytest.raises(InvalidInput, match="--width"):
        Tool(width_m=width, turn_radius_m=3.0)


def test_safe_lanes_accept_lines_and_polygons() -> None:
    line = {"type": "LineString", "coordinates": [[36.9, 49.9], [36.91, 49.9]]}
    lanes = read_safe_lanes(
        collection({"type": "Feature", "properties": {}, "geometry": line}, polygon([SQUARE]))
    )
    assert [lane.geom_type for lane in lanes] == ["LineString", "Polygon"]


def test_interior_rings_and_nogo_features_are_both_no_go() -> None:
    hole = [[36.9004, 49.9004], [36.9006, 49.9004], [36.9006, 49.9006], [36.9004, 49.9004]]
    area = read_area(collection(polygon([SQUARE, hole]), polygon([hole], {"nogo": True})))
    assert len(area.polygons) == 1
    assert len(area.polygons[0].interiors) == 1
    assert len(area.nogo) == 1
