"""Transport scenario parsing errors and warnings, plan JSON round trip, and the command."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from materiel.core.errors import InvalidInput
from materiel.logistics.planning import schemas
from materiel.logistics.planning.cli import transport_command
from materiel.logistics.planning.plan import plan_from_json, plan_to_json
from materiel.logistics.planning.planner import plan_transport
from materiel.logistics.planning.scenario_json import load_scenario, parse_scenario


def document() -> dict[str, Any]:
    return {
        "format": "materiel-transport-scenario/1",
        "start": "2027-03-01",
        "horizon_days": 20,
        "nodes": [
            {"id": "DE-depot"},
            {"id": "PL-hub", "handling_per_day": 40, "storage": 100},
            {"id": "UA-border", "closed_from": None},
        ],
        "links": [
            {"id": "L1", "from": "DE-depot", "to": "PL-hub", "mode": "rail", "days": 3,
             "cost": 1.5, "capacity_per_day": 12},
            {"id": "L2", "from": "PL-hub", "to": "UA-border", "mode": "road", "days": 1,
             "cost": 4},
        ],
        "movements": [
            {"id": "M1", "origin": "DE-depot", "destination": "UA-border", "units": 6,
             "slots_per_unit": 2, "release": "2027-03-02", "due": "2027-03-08",
             "item_group": "155SP"},
        ],
        "fixed": [
            {"shipment": "S0", "link": "L1", "depart": "2027-03-01", "units": 2,
             "slots_per_unit": 2},
        ],
    }  # fmt: skip


def test_valid_document_parses() -> None:
    s = parse_scenario(document())
    assert s.nodes[1].handling_per_day == 40
    assert s.links[0].capacity_per_day == 12
    assert s.fixed[0].units == 2
    assert s.warnings == ()


def test_unknown_fields_are_warnings() -> None:
    doc = document()
    doc["movements"][0]["colour"] = "green"
    doc["extra"] = 1
    assert parse_scenario(doc).warnings == (
        "extra: unknown field ignored",
        "movements[0].colour: unknown field ignored",
    )


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["movements"][0].update(units=0), "movements[0].units"),
        (lambda d: d["links"][1].update(to="nowhere"), "links[1].to"),
        (lambda d: d["links"][0].update(days=0), "links[0].days"),
        (lambda d: d["movements"][0].update(due="March"), "movements[0].due"),
        (lambda d: d["fixed"][0].update(link="L9"), "fixed[0].link"),
        (lambda d: d["nodes"].append({"id": "PL-hub"}), "nodes[3].id"),
    ],
)
def test_errors_name_file_field_and_index(change: Any, where: str, tmp_path: Path) -> None:
    doc = document()
    change(doc)
    path = tmp_path / "in.json"
    path.write_text(json.dumps(doc))
    with pytest.raises(InvalidInput) as caught:
        load_scenario(path)
    assert str(path) in caught.value.message
    assert where in caught.value.message


def test_an_overdue_movement_is_planned_late_from_its_due_date() -> None:
    doc = document()
    doc["movements"][0].update(due="2027-02-25")  # overdue before its release on 03-02
    (shipment,) = plan_transport(parse_scenario(doc)).shipments
    assert shipment.days_late == (shipment.arrival - date(2027, 2, 25)).days > 0


def test_plan_round_trip_and_schema() -> None:
    plan = plan_transport(parse_scenario(document()))
    doc = plan_to_json(plan)
    assert list(schemas.validator(schemas.PLAN).iter_errors(doc)) == []
    again = plan_from_json(json.loads(json.dumps(doc)))
    assert again.shipments == plan.shipments
    assert again.objective.unit_days_late == plan.objective.unit_days_late


def test_command_writes_the_plan(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(transport_command)
    scenario, out = tmp_path / "in.json", tmp_path / "plan.json"
    scenario.write_text(json.dumps(document()))
    for extra in ([], ["--greedy"]):
        result = CliRunner().invoke(app, ["--scenario", str(scenario), "--out", str(out), *extra])
        assert result.exit_code == 0, result.output
        written = json.loads(out.read_text())
        assert written["format"] == "materiel-transport-plan/1"
        assert sum(s["units"] for s in written["shipments"]) == 6
