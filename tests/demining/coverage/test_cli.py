"""`materiel demining cover` end to end on files."""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from typer.testing import CliRunner

from materiel.cli import app

from .rules import Published, overlay_violations
from .test_rules import X0, Y0, _feature

runner = CliRunner()


def test_cover_writes_a_plan_that_keeps_the_rules(tmp_path: Path) -> None:
    square = shapely.box(X0, Y0, X0 + 70, Y0 + 50)
    hole = shapely.box(X0 + 30, Y0 + 20, X0 + 38, Y0 + 28)
    area = {
        "type": "FeatureCollection",
        "features": [_feature(square, {}), _feature(hole, {"nogo": True})],
    }
    lane = shapely.LineString([(X0 - 20, Y0 - 1), (X0 + 90, Y0 - 1)])
    lanes = _feature(lane, {})
    (tmp_path / "area.geojson").write_text(json.dumps(area))
    (tmp_path / "lanes.geojson").write_text(json.dumps(lanes))
    out = tmp_path / "plan.geojson"
    result = runner.invoke(
        app,
        [
            "demining",
            "cover",
            "--area",
            str(tmp_path / "area.geojson"),
            "--width",
            "2.5",
            "--turn-radius",
            "3",
            "--safe-lanes",
            str(tmp_path / "lanes.geojson"),
            "--speed-kmh",
            "2",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    plan = json.loads(out.read_text())
    assert plan["type"] == "FeatureCollection"
    assert plan["summary"]["coverage_pct"] >= 99.9
    assert plan["tool"]["speed_kmh"] == 2.0
    published = Published.read(area, plan, json.loads(json.dumps(lanes)))
    assert overlay_violations(published) == []


def test_cover_refuses_a_file_that_is_not_json(tmp_path: Path) -> None:
    bad = tmp_path / "area.geojson"
    bad.write_text("POLYGON((0 0, 1 0, 1 1, 0 0))")
    result = runner.invoke(
        app,
        [
            "demining",
            "cover",
            "--area",
            str(bad),
            "--width",
            "2.5",
            "--turn-radius",
            "3",
            "--out",
            str(tmp_path / "plan.geojson"),
        ],
    )
    assert result.exit_code != 0
    assert "not JSON" in str(result.exception)
