"""Read a `materiel-scenario/1` document into a validated `Scenario`.

Two passes: the JSON Schema catches shape errors (missing field, wrong
type), then the references between records are checked (a requirement
naming an unknown node, duplicate ids). Every error names the field and
the index, e.g. `requirements[3].destination`. Unknown fields are kept
out of the model and reported as warnings, so a newer producer can talk
to an older planner.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from materiel.core.errors import Problem
from materiel.donations.planning import schemas
from materiel.donations.planning.scenario import (
    Caveats,
    ItemType,
    Link,
    Node,
    Pairing,
    Pledge,
    Requirement,
    Scenario,
)
from materiel.platform.json_documents import (
    duplicate_problems,
    raise_problems,
    read_json,
    schema_problems,
    unknown_fields,
)

FORMAT = "materiel-scenario/1"

# Known fields per record kind; everything else becomes a warning.
WHAT = "scenario"
KNOWN_FIELDS: dict[str, frozenset[str]] = {
    "": frozenset(
        {
            "format",
            "item_types",
            "nodes",
            "links",
            "requirements",
            "pledges",
            "previous_plan",
            "pins",
            "forbidden",
        }
    ),
    "item_types": frozenset({"id", "family"}),
    "nodes": frozenset({"id"}),
    "links": frozenset({"from", "to", "days", "cost"}),
    "requirements": frozenset(
        {
            "id",
            "item_type",
            "accepts",
            "quantity",
            "priority",
            "needed_by",
            "unit",
            "capability_area",
            "destination",
        }
    ),
    "pledges": frozenset(
        {"id", "donor", "item_type", "quantity", "available_from", "origin", "caveats"}
    ),
    "caveats": frozenset({"areas", "units", "not_before"}),
    "previous_plan": frozenset({"pledge", "requirement", "quantity"}),
    "pins": frozenset({"pledge", "requirement", "quantity"}),
    "forbidden": frozenset({"pledge", "requirement"}),
}


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file; errors name the file and the field."""
    return parse_scenario(read_json(path), source=str(path))


def parse_scenario(document: Any, *, source: str = "scenario") -> Scenario:
    """Validate a decoded JSON document and build the `Scenario`."""
    problems = schema_problems(schemas.validator(schemas.SCENARIO), document, source)
    if problems:
        raise_problems(problems, source, WHAT)
    scenario = build(document)
    problems = reference_problems(scenario, source)
    if problems:
        raise_problems(problems, source, WHAT)
    warnings = tuple(unknown_field_warnings(document))
    return Scenario(**{**scenario.__dict__, "warnings": warnings})


def as_date(text: str) -> date:
    """ISO `YYYY-MM-DD` (already checked by the schema)."""
    return date.fromisoformat(text)


def build(doc: Mapping[str, Any]) -> Scenario:
    """Map the (shape-valid) document onto the dataclasses."""
    return Scenario(
        item_types=tuple(ItemType(t["id"], t["family"]) for t in doc["item_types"]),
        nodes=tuple(Node(n["id"]) for n in doc["nodes"]),
        links=tuple(Link(k["from"], k["to"], k["days"], float(k["cost"])) for k in doc["links"]),
        requirements=tuple(build_requirement(r) for r in doc["requirements"]),
        pledges=tuple(build_pledge(p) for p in doc["pledges"]),
        previous_plan=build_pairings(doc.get("previous_plan")),
        pins=build_pairings(doc.get("pins")),
        forbidden=build_pairings(doc.get("forbidden")),
    )


def build_requirement(r: Mapping[str, Any]) -> Requirement:
    return Requirement(
        id=r["id"],
        item_type=r["item_type"],
        quantity=r["quantity"],
        priority=r["priority"],
        needed_by=as_date(r["needed_by"]),
        destination=r["destination"],
        accepts=tuple(r.get("accepts") or ()),
        unit=r.get("unit"),
        capability_area=r.get("capability_area"),
    )


def build_pledge(p: Mapping[str, Any]) -> Pledge:
    caveats = p.get("caveats") or {}
    areas, units = caveats.get("areas"), caveats.get("units")
    not_before = caveats.get("not_before")
    return Pledge(
        id=p["id"],
        donor=p["donor"],
        item_type=p["item_type"],
        quantity=p["quantity"],
        available_from=as_date(p["available_from"]),
        origin=p["origin"],
        caveats=Caveats(
            areas=frozenset(areas) if areas is not None else None,
            units=frozenset(units) if units is not None else None,
            not_before=as_date(not_before) if not_before else None,
        ),
    )


def build_pairings(items: Sequence[Mapping[str, Any]] | None) -> tuple[Pairing, ...]:
    return tuple(Pairing(i["pledge"], i["requirement"], i.get("quantity", 0)) for i in items or ())


def reference_problems(s: Scenario, source: str) -> list[Problem]:
    """Ids unique, and every reference points at a record that exists."""
    problems = duplicate_problems("item_types", [t.id for t in s.item_types], source)
    problems += duplicate_problems("nodes", [n.id for n in s.nodes], source)
    problems += duplicate_problems("requirements", [r.id for r in s.requirements], source)
    problems += duplicate_problems("pledges", [p.id for p in s.pledges], source)
    types = {t.id for t in s.item_types}
    nodes = {n.id for n in s.nodes}

    def check(ok: bool, kind: str, index: int, name: str, *, what: str, value: str) -> None:
        if not ok:
            message = f"unknown {what} '{value}'"
            problems.append(Problem(message, source, index, f"{kind}[{index}].{name}"))

    for i, k in enumerate(s.links):
        check(k.source in nodes, "links", i, "from", what="node", value=k.source)
        check(k.target in nodes, "links", i, "to", what="node", value=k.target)
    for i, r in enumerate(s.requirements):
        check(
            r.item_type in types,
            "requirements",
            i,
            "item_type",
            what="item type",
            value=r.item_type,
        )
        check(
            r.destination in nodes,
            "requirements",
            i,
            "destination",
            what="node",
            value=r.destination,
        )
        for j, t in enumerate(r.accepts):
            check(t in types, "requirements", i, f"accepts[{j}]", what="item type", value=t)
    for i, p in enumerate(s.pledges):
        check(p.item_type in types, "pledges", i, "item_type", what="item type", value=p.item_type)
        check(p.origin in nodes, "pledges", i, "origin", what="node", value=p.origin)
    return problems


def unknown_field_warnings(doc: Mapping[str, Any]) -> Iterable[str]:
    """Warnings for fields this version does not know (they are ignored)."""
    yield from unknown_fields(doc, KNOWN_FIELDS[""], "")
    for kind, known in KNOWN_FIELDS.items():
        if not kind or kind == "caveats":
            continue
        for index, record in enumerate(doc.get(kind) or ()):
            yield from unknown_fields(record, known, f"{kind}[{index}]")
            if kind == "pledges" and isinstance(record.get("caveats"), Mapping):
                caveats, where = record["caveats"], f"pledges[{index}].caveats"
                yield from unknown_fields(caveats, KNOWN_FIELDS["caveats"], where)
