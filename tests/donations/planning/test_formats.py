"""Scenario parsing errors and warnings, plan JSON round trip, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from materiel.core.errors import InvalidInput, NotFound
from materiel.donations.planning import schemas
from materiel.donations.planning.cli import app
from materiel.donations.planning.plan import plan_from_json, plan_to_json
from materiel.donations.planning.planner import allocate
from materiel.donations.planning.scenario_json import load_scenario, parse_scenario


def document() -> dict[str, Any]:
    return {
        "format": "materiel-scenario/1",
        "item_types": [{"id": "PzH2000", "family": "155SP"}, {"id": "M109", "family": "155SP"}],
        "nodes": [{"id": "DE"}, {"id": "UA"}],
        "links": [{"from": "DE", "to": "UA", "days": 4, "cost": 12.5}],
        "requirements": [
            {
                "id": "R1",
                "item_type": "PzH2000",
                "accepts": ["M109"],
                "quantity": 6,
                "priority": 1,
                "needed_by": "2027-03-01",
                "unit": "43 Bde",
                "destination": "UA",
            },
        ],
        "pledges": [
            {
                "id": "P1",
                "donor": "USA",
                "item_type": "M109",
                "quantity": 4,
                "available_from": "2027-01-01",
                "origin": "DE",
                "caveats": {},
            },
        ],
    }


def test_valid_document_parses() -> None:
    s = parse_scenario(document())
    assert s.requirements[0].accepted_types == ("PzH2000", "M109")
    assert s.warnings == ()


def test_unknown_fields_are_warnings() -> None:
    doc = document()
    doc["requirements"][0]["colour"] = "green"
    doc["pledges"][0]["caveats"]["only_on_tuesdays"] = True
    s = parse_scenario(doc)
    assert "requirements[0].colour: unknown field ignored" in s.warnings
    assert any("caveats.only_on_tuesdays" in w for w in s.warnings)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (lambda d: d["requirements"][0].pop("quantity"), "requirements[0]"),
        (lambda d: d["requirements"][0].update(priority=9), "requirements[0].priority"),
        (lambda d: d["pledges"][0].update(available_from="1 May"), "pledges[0].available_from"),
        (lambda d: d["pledges"][0].update(origin="XX"), "pledges[0].origin"),
        (lambda d: d["requirements"][0].update(accepts=["T72"]), "requirements[0].accepts[0]"),
        (lambda d: d["links"][0].update(days=-1), "links[0].days"),
        (lambda d: d["pledges"].append(dict(d["pledges"][0])), "pledges[1].id"),
    ],
)
def test_errors_name_field_and_index(change: Any, where: str) -> None:
    doc = document()
    change(doc)
    with pytest.raises(InvalidInput) as caught:
        parse_scenario(doc, source="in.json")
    assert caught.value.message.startswith("in.json: ")
    assert where in caught.value.message
    assert caught.value.problems[0].file == "in.json"


def test_missing_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(NotFound, match=r"nope\.json: no such file"):
        load_scenario(tmp_path / "nope.json")


def test_plan_round_trips_and_matches_schema() -> None:
    plan = allocate(parse_scenario(document()))
    doc = plan_to_json(plan)
    assert list(schemas.validator(schemas.PLAN).iter_errors(doc)) == []
    assert plan_to_json(plan_from_json(json.loads(json.dumps(doc)))) == doc


def test_cli_allocate_writes_plan(tmp_path: Path) -> None:
    scenario = tmp_path / "in.json"
    scenario.write_text(json.dumps(document()))
    out = tmp_path / "plan.json"
    for extra in ([], ["--greedy"]):
        args = [
            "allocate",
            "--scenario",
            str(scenario),
            "--out",
            str(out),
            "--time-limit",
            "5",
            *extra,
        ]
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        plan = json.loads(out.read_text())
        assert plan["format"] == "materiel-plan/1"
        assert plan["allocations"][0]["quantity"] == 4


def test_cli_bad_input_raises_invalid_input(tmp_path: Path) -> None:
    scenario = tmp_path / "in.json"
    doc = document()
    doc["requirements"][0]["destination"] = "Mars"
    scenario.write_text(json.dumps(doc))
    result = CliRunner().invoke(app, ["allocate", "--scenario", str(scenario), "--out", "x.json"])
    assert isinstance(result.exception, InvalidInput)
    assert "requirements[0].destination" in str(result.exception)
