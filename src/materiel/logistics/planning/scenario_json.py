"""Read a `materiel-transport-scenario/1` document into a validated `TransportScenario`.

Two passes, as for the allocation scenario: the JSON Schema catches shape
errors, then references between records are checked (a link naming an
unknown node, a fixed leg on an unknown link, duplicate ids, a due date
before the release). Every error names the file, the field and the index,
e.g. `movements[3].destination`. Unknown fields are left out of the model
and reported as warnings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from materiel.core.errors import Problem
from materiel.logistics.planning import schemas
from materiel.logistics.planning.scenario import (
    FixedLeg,
    Link,
    Movement,
    Node,
    TransportScenario,
)
from materiel.platform.json_documents import (
    duplicate_problems,
    raise_problems,
    read_json,
    schema_problems,
    unknown_fields,
)

FORMAT = "materiel-transport-scenario/1"

WHAT = "transport scenario"
KNOWN_FIELDS: dict[str, frozenset[str]] = {
    "": frozenset({"format", "start", "horizon_days", "nodes", "links", "movements", "fixed"}),
    "nodes": frozenset({"id", "handling_per_day", "storage", "closed_from"}),
    "links": frozenset(
        {
            "id",
            "from",
            "to",
            "mode",
            "days",
            "cost",
            "capacity_per_day",
            "reduced_from",
            "reduced_capacity",
        }
    ),
    "movements": frozenset(
        {"id", "origin", "destination", "units", "slots_per_unit", "release", "due", "item_group"}
    ),
    "fixed": frozenset({"shipment", "link", "depart", "units", "slots_per_unit"}),
}


def load_scenario(path: Path) -> TransportScenario:
    """Read and validate a transport scenario file; errors name the file and the field."""
    return parse_scenario(read_json(path), source=str(path))


def parse_scenario(document: Any, *, source: str = "scenario") -> TransportScenario:
    """Validate a decoded JSON document and build the scenario."""
    problems = schema_problems(schemas.validator(schemas.SCENARIO), document, source)
    if problems:
        raise_problems(problems, source, WHAT)
    scenario = build(document)
    problems = reference_problems(scenario, source)
    if problems:
        raise_problems(problems, source, WHAT)
    warnings = tuple(unknown_field_warnings(document))
    return TransportScenario(**{**scenario.__dict__, "warnings": warnings})


def as_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def build(doc: Mapping[str, Any]) -> TransportScenario:
    """Map the (shape-valid) document onto the dataclasses."""
    return TransportScenario(
        start=date.fromisoformat(doc["start"]),
        horizon_days=doc["horizon_days"],
        nodes=tuple(
            Node(
                n["id"], n.get("handling_per_day"), n.get("storage"), as_date(n.get("closed_from"))
            )
            for n in doc["nodes"]
        ),
        links=tuple(
            Link(
                k["id"],
                k["from"],
                k["to"],
                k["mode"],
                k["days"],
                float(k["cost"]),
                k.get("capacity_per_day"),
                as_date(k.get("reduced_from")),
                k.get("reduced_capacity"),
            )
            for k in doc["links"]
        ),
        movements=tuple(
            Movement(
                m["id"],
                m["origin"],
                m["destination"],
                m["units"],
                m["slots_per_unit"],
                date.fromisoformat(m["release"]),
                date.fromisoformat(m["due"]),
                m["item_group"],
            )
            for m in doc["movements"]
        ),
        fixed=tuple(
            FixedLeg(
                f["shipment"],
                f["link"],
                date.fromisoformat(f["depart"]),
                f["units"],
                f["slots_per_unit"],
            )
            for f in doc.get("fixed") or ()
        ),
    )


def reference_problems(s: TransportScenario, source: str) -> list[Problem]:
    """Ids unique, references resolve.

    A movement may be due before its release: a requirement already overdue
    (the database plans those every day); its units are late from its due date.
    """
    problems = duplicate_problems("nodes", [n.id for n in s.nodes], source)
    problems += duplicate_problems("links", [k.id for k in s.links], source)
    problems += duplicate_problems("movements", [m.id for m in s.movements], source)
    nodes, links = {n.id for n in s.nodes}, {k.id for k in s.links}

    def check(ok: bool, where: str, index: int, message: str) -> None:
        if not ok:
            problems.append(Problem(message, source, index, where))

    for i, k in enumerate(s.links):
        check(k.source in nodes, f"links[{i}].from", i, f"unknown node '{k.source}'")
        check(k.target in nodes, f"links[{i}].to", i, f"unknown node '{k.target}'")
    for i, m in enumerate(s.movements):
        check(m.origin in nodes, f"movements[{i}].origin", i, f"unknown node '{m.origin}'")
        check(
            m.destination in nodes,
            f"movements[{i}].destination",
            i,
            f"unknown node '{m.destination}'",
        )
    for i, f in enumerate(s.fixed):
        check(f.link in links, f"fixed[{i}].link", i, f"unknown link '{f.link}'")
    return problems


def unknown_field_warnings(doc: Mapping[str, Any]) -> Iterable[str]:
    """Warnings for fields this version does not know (they are ignored)."""
    yield from unknown_fields(doc, KNOWN_FIELDS[""], "")
    for kind, known in KNOWN_FIELDS.items():
        if kind:
            for index, record in enumerate(doc.get(kind) or ()):
                yield from unknown_fields(record, known, f"{kind}[{index}]")


def scenario_to_json(s: TransportScenario) -> dict[str, Any]:
    """The `materiel-transport-scenario/1` document of a scenario (for tests and tools)."""

    def iso(d: date | None) -> str | None:
        return d.isoformat() if d else None

    return {
        "format": FORMAT,
        "start": s.start.isoformat(),
        "horizon_days": s.horizon_days,
        "nodes": [
            {
                "id": n.id,
                "handling_per_day": n.handling_per_day,
                "storage": n.storage,
                "closed_from": iso(n.closed_from),
            }
            for n in s.nodes
        ],
        "links": [
            {
                "id": k.id,
                "from": k.source,
                "to": k.target,
                "mode": k.mode,
                "days": k.days,
                "cost": k.cost,
                "capacity_per_day": k.capacity_per_day,
                "reduced_from": iso(k.reduced_from),
                "reduced_capacity": k.reduced_capacity,
            }
            for k in s.links
        ],
        "movements": [
            {
                "id": m.id,
                "origin": m.origin,
                "destination": m.destination,
                "units": m.units,
                "slots_per_unit": m.slots_per_unit,
                "release": m.release.isoformat(),
                "due": m.due.isoformat(),
                "item_group": m.item_group,
            }
            for m in s.movements
        ],
        "fixed": [
            {
                "shipment": f.shipment,
                "link": f.link,
                "depart": f.depart.isoformat(),
                "units": f.units,
                "slots_per_unit": f.slots_per_unit,
            }
            for f in s.fixed
        ],
    }
