"""The demo scenario is deterministic, within its sizes, and every reference in it resolves."""

from __future__ import annotations

from collections import deque
from datetime import date

import pycountry
import pytest

from materiel.catalog.model import CAPABILITY_AREAS
from materiel.demo.scenario import BASE_DATE, DemoScenario, build
from materiel.donations.model import Condition
from materiel.network.model import NodeKind, TransportMode


@pytest.fixture(scope="module")
def scenario() -> DemoScenario:
    return build()


def split(cell: str) -> list[str]:
    return [part for part in cell.split("|") if part]


def test_the_same_seed_builds_the_same_scenario() -> None:
    assert build(7) == build(7)
    assert build() == build(2026)


def test_another_seed_builds_other_requirements_and_pledges() -> None:
    first, second = build(1), build(2)
    assert first.item_types == second.item_types
    assert first.requirements != second.requirements
    assert first.pledges != second.pledges


@pytest.mark.parametrize("seed", [0, 1, 2026, 99999])
def test_counts_are_in_range(seed: int) -> None:
    demo = build(seed)
    assert len(demo.item_types) >= 65
    assert 400 <= len(demo.requirements) <= 600
    assert 400 <= len(demo.pledges) <= 700
    assert len({p["donor"] for p in demo.pledges}) >= 25


def test_every_value_is_a_string(scenario: DemoScenario) -> None:
    for rows in (
        scenario.item_types,
        scenario.nodes,
        scenario.links,
        scenario.requirements,
        scenario.pledges,
    ):
        assert rows
        assert all(isinstance(v, str) for row in rows for v in row.values())


def test_item_types_are_unique_and_their_substitutes_exist(scenario: DemoScenario) -> None:
    ids = [row["id"] for row in scenario.item_types]
    assert len(ids) == len(set(ids))
    by_id = {row["id"]: row for row in scenario.item_types}
    for row in scenario.item_types:
        assert row["capability_area"] in CAPABILITY_AREAS
        assert row["nsn"] == ""
        assert " > " in row["category"]
        for other in split(row["substitutes"]):
            assert other in by_id and other != row["id"]
            assert by_id[other]["family"] == row["family"]


def test_requirements_resolve(scenario: DemoScenario) -> None:
    by_id = {row["id"]: row for row in scenario.item_types}
    nodes = {row["id"]: row for row in scenario.nodes}
    refs = [row["ref"] for row in scenario.requirements]
    assert len(refs) == len(set(refs))
    for req in scenario.requirements:
        item = by_id[req["item_type"]]
        assert set(split(req["accepts"])) <= set(split(item["substitutes"]))
        assert nodes[req["destination"]]["country"] == "UKR"
        assert req["capability_area"] == item["capability_area"]
        assert 1 <= int(req["quantity"]) <= 40
        assert 1 <= int(req["priority"]) <= 5
        assert date.fromisoformat(req["needed_by"]) > BASE_DATE
        assert req["unit"].strip()


def test_pledges_resolve(scenario: DemoScenario) -> None:
    item_ids = {row["id"] for row in scenario.item_types}
    nodes = {row["id"]: row for row in scenario.nodes}
    units = {req["unit"] for req in scenario.requirements}
    for pledge in scenario.pledges:
        assert pledge["item_type"] in item_ids
        assert pycountry.countries.get(alpha_3=pledge["donor"]) is not None
        origin = nodes[pledge["origin"]]
        assert origin["kind"] == "depot" and origin["country"] == pledge["donor"]
        assert Condition(pledge["condition"])
        assert 1 <= int(pledge["quantity"]) <= 40
        assert set(split(pledge["caveat_areas"])) <= set(CAPABILITY_AREAS)
        assert set(split(pledge["caveat_units"])) <= units
        if pledge["caveat_not_before"]:
            available = date.fromisoformat(pledge["available_from"])
            assert date.fromisoformat(pledge["caveat_not_before"]) > available


def test_nations_that_give_no_weapons_pledge_only_support_items(scenario: DemoScenario) -> None:
    areas = {row["id"]: row["capability_area"] for row in scenario.item_types}
    for pledge in scenario.pledges:
        if pledge["donor"] in {"AUT", "IRL"}:
            assert areas[pledge["item_type"]] in {"demining", "logistics", "medical"}


def test_nodes_and_links_are_well_formed(scenario: DemoScenario) -> None:
    ids = [row["id"] for row in scenario.nodes]
    assert len(ids) == len(set(ids))
    for node in scenario.nodes:
        assert NodeKind(node["kind"])
        assert pycountry.countries.get(alpha_3=node["country"]) is not None
        assert -90 <= float(node["lat"]) <= 90 and -180 <= float(node["lon"]) <= 180
    keys = [(link["from"], link["to"], link["mode"]) for link in scenario.links]
    assert len(keys) == len(set(keys))
    for link in scenario.links:
        assert link["from"] in ids and link["to"] in ids and link["from"] != link["to"]
        assert TransportMode(link["mode"])
        assert int(link["days"]) >= 1 and int(link["cost"]) > 0
        assert int(link["capacity_per_day"]) > 0


def reachable(scenario: DemoScenario, start: str) -> set[str]:
    onward: dict[str, list[str]] = {}
    for link in scenario.links:
        onward.setdefault(link["from"], []).append(link["to"])
    seen, queue = {start}, deque([start])
    while queue:
        for nxt in onward.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def test_every_destination_is_reachable_from_every_donor_depot(scenario: DemoScenario) -> None:
    depots = [n["id"] for n in scenario.nodes if n["kind"] == "depot" and n["country"] != "UKR"]
    destinations = {n["id"] for n in scenario.nodes if n["country"] == "UKR"}
    destinations |= {req["destination"] for req in scenario.requirements}
    assert len(depots) >= 15 and len(destinations) >= 6
    for depot in depots:
        missing = destinations - reachable(scenario, depot)
        assert not missing, f"{depot} cannot reach {sorted(missing)}"


def test_air_defence_falls_short_and_vehicles_are_over_pledged(scenario: DemoScenario) -> None:
    family = {row["id"]: row["family"] for row in scenario.item_types}
    required: dict[str, int] = {}
    pledged: dict[str, int] = {}
    for req in scenario.requirements:
        key = family[req["item_type"]]
        required[key] = required.get(key, 0) + int(req["quantity"])
    for pledge in scenario.pledges:
        key = family[pledge["item_type"]]
        pledged[key] = pledged.get(key, 0) + int(pledge["quantity"])
    assert pledged.get("lrad", 0) < required["lrad"]
    assert pledged.get("mrad", 0) < required["mrad"]
    assert pledged["mrap"] > required["mrap"]
