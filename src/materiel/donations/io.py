"""Reading requirements and pledges from spreadsheets as staff send them.

The same parsers validate API bodies, so a field is checked in one place.
Names of items, nations and nodes are resolved against the catalogue, the
alias tables and the network; rows without a `ref` get one derived from
their content, so re-importing the same file creates no duplicates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from materiel.catalog.io import NO_NAMES, capability_area, text_list
from materiel.catalog.model import NameIndex
from materiel.catalog.store import CatalogStore
from materiel.core.errors import InvalidInput
from materiel.core.markings import DEFAULT_RELEASABILITY, Classification, Marking
from materiel.core.nations import PARTNER, NationResolver, load_aliases, nation_name
from materiel.donations.model import Caveats, Condition, Pledge, Requirement
from materiel.donations.store import pledges, requirements
from materiel.network.store import NetworkStore
from materiel.platform.imports import (
    ImportSpec,
    RowError,
    cell,
    enum_parser,
    integer_text,
    optional_cell,
    plausible_date,
    whole_number,
    yes_no,
)
from materiel.platform.tabular import Columns, Row, read_text_table
from materiel.platform.unit_of_work import UnitOfWork

_MARKING_COLUMNS: dict[str, tuple[str, ...]] = {
    "classification": ("class", "classification level", "marking"),
    "releasable_to": ("releasability", "rel to", "releasable"),
}

REQUIREMENT_IMPORT = ImportSpec(
    kind="requirements",
    entity="requirement",
    columns=Columns(
        names={
            "ref": ("id", "requirement id", "reference", "line"),
            "item_type": ("item", "item type", "equipment", "system", "model"),
            "accepts": ("substitutes", "accepted substitutes", "alternatives"),
            "quantity": ("qty", "count", "number", "units required"),
            "priority": ("prio", "precedence"),
            "needed_by": ("need by", "required by", "needed", "due", "rdd"),
            "unit": ("receiving unit", "formation", "brigade"),
            "destination": ("destination node", "deliver to", "to"),
            "capability_area": ("capability", "area", "coalition"),
            "justification": ("reason", "remarks", "comment"),
            **_MARKING_COLUMNS,
        },
        required=("item_type", "quantity", "priority", "needed_by", "unit", "destination"),
    ),
    id_column=requirements.c.id,
    stored=lambda _uow: requirement_fields,
)

PLEDGE_IMPORT = ImportSpec(
    kind="pledges",
    entity="pledge",
    columns=Columns(
        names={
            "ref": ("id", "pledge id", "reference", "offer"),
            "donor": ("supplier", "donor nation", "nation", "country", "donor country"),
            "item_type": ("item", "item type", "equipment", "system", "model", "vehicle name"),
            "quantity": ("qty", "count", "number", "units offered"),
            "condition": ("state",),
            "origin": ("origin node", "depot", "from"),
            "available_from": ("available", "available date", "ready from", "from date"),
            "recipient": ("recipient nation", "to nation"),
            "caveat_areas": ("only for areas", "caveat area"),
            "caveat_units": ("only for units", "caveat unit"),
            "caveat_not_before": ("not before",),
            "shared": ("shared with all", "share"),
            **_MARKING_COLUMNS,
        },
        required=("donor", "item_type", "quantity"),
    ),
    id_column=pledges.c.id,
    stored=lambda _uow: pledge_fields,
)

_NOT_DONORS = {
    "none": "no donor is named; a pledge needs the donor nation",
    "nato": "'NATO' is the alliance, not a donor nation; record the nation that gives",
    "eu": "'EU' is a union, not a donor nation; record the nation that gives",
}


@dataclass(frozen=True)
class ImportOptions:
    """What the user adds to an import: name mappings, nation aliases, a ref prefix."""

    names_file: Path | None = None
    aliases_file: Path | None = None
    ref_prefix: str = ""
    extra_aliases: Mapping[str, str] = field(default_factory=dict)


def read_names_file(path: Path) -> tuple[dict[str, str], dict[str, str]]:
    """A name mapping `name,item_type,reason`: names to map, and names to refuse."""
    try:
        rows = read_text_table(path.read_text("utf-8-sig"))
    except OSError as exc:
        raise InvalidInput(f"cannot read names file {path}: {exc.strerror}") from exc
    mapped, refused = {}, {}
    for number, row in enumerate(rows, start=2):
        name, item = (row.get("name") or "").strip(), (row.get("item_type") or "").strip()
        reason = (row.get("reason") or "").strip()
        if not name or not (item or reason):
            raise InvalidInput(f"{path}, row {number}: need 'name' and 'item_type' or 'reason'")
        if item:
            mapped[name] = item
        else:
            refused[name] = reason
    return mapped, refused


@dataclass
class _Context:
    """What the parsers look names up in, loaded once per import."""

    items: NameIndex
    item_areas: dict[str, str]
    nations: NationResolver
    nodes: set[str]
    ref_prefix: str

    @classmethod
    def load(cls, uow: UnitOfWork, options: ImportOptions) -> _Context:
        catalog = CatalogStore(uow.session).all_item_types()
        items = NameIndex.of(catalog)
        if options.names_file:
            items = items.with_mapping(*read_names_file(options.names_file))
        aliases = dict(options.extra_aliases)
        if options.aliases_file:
            aliases |= load_aliases(options.aliases_file)
        return cls(
            items=items,
            item_areas={item.id: item.capability_area for item in catalog},
            nations=NationResolver(aliases),
            nodes=NetworkStore(uow.session).node_ids(),
            ref_prefix=options.ref_prefix,
        )

    def item(self, value: Any) -> str:
        item_id = self.items.resolve(str(value))
        if item_id not in self.item_areas:
            raise InvalidInput(f"'{value}' maps to '{item_id}', which is not in the catalogue")
        return item_id

    def items_list(self, value: Any) -> tuple[str, ...]:
        return tuple(self.item(name) for name in text_list(value))

    def node(self, value: Any) -> str:
        node_id = str(value).strip()
        if node_id not in self.nodes:
            raise InvalidInput(f"node '{node_id}' does not exist; import the network first")
        return node_id

    def donor(self, value: Any) -> str:
        text = str(value).strip()
        if text.casefold() in _NOT_DONORS:
            raise InvalidInput(_NOT_DONORS[text.casefold()])
        return self.nations.resolve(text)

    def ref(self, row: Row, prefix: str) -> str:
        given = optional_cell(row, "ref", _ref_text, None)
        if given is not None:
            return checked_ref(f"{self.ref_prefix}{given}")
        content = "|".join(f"{k}={row.cells[k]}" for k in sorted(row.cells))
        return f"{prefix}-{hashlib.sha256(content.encode()).hexdigest()[:12]}"


MAX_REF = 80  # the id columns' length


def _ref_text(value: Any) -> str:
    ref = str(value).strip()
    return ref[:-2] if ref.endswith(".0") else ref  # spreadsheets turn 7 into 7.0


def checked_ref(ref: str) -> str:
    """A ref fit to be a record's id in every address: the API, the pages, the shipments'.

    A '/' would split the address of the record (and of its shipments), so it
    is refused with what to do rather than changed behind the user's back.
    """
    if "/" in ref or not ref.isprintable():
        raise RowError(
            "ref",
            f"ref '{ref}' holds a '/' or an invisible character, which a record id cannot; "
            "write it with '-' instead (e.g. UKR-2024-15)",
        )
    if len(ref) > MAX_REF:
        raise RowError("ref", f"ref '{ref[:20]}…' is {len(ref)} characters; at most {MAX_REF}")
    return ref


def positive_quantity(value: Any) -> int:
    number = whole_number(value)
    if number == 0:
        raise InvalidInput("quantity is 0 (unknown or none); a line needs at least 1 unit")
    return number


def priority(value: Any) -> int:
    text = value if isinstance(value, int | float) else str(value).strip().upper()
    number = integer_text(text.removeprefix("P") if isinstance(text, str) else text)
    if not 1 <= number <= 5:
        raise InvalidInput(f"priority {number} must be 1 (highest) to 5")
    return number


def _marking(row: Row) -> Marking:
    return Marking(
        optional_cell(row, "classification", Classification.parse, Marking.classification),
        optional_cell(row, "releasable_to", _releasability, DEFAULT_RELEASABILITY),
    )


def _releasability(value: Any) -> tuple[str, ...]:
    return Marking.parse(None, "|".join(text_list(value))).releasable_to


def requirement_parser(
    options: ImportOptions = ImportOptions(),
) -> Callable[[UnitOfWork], Callable[[Row], Requirement]]:
    def make(uow: UnitOfWork) -> Callable[[Row], Requirement]:
        ctx = _Context.load(uow, options)

        def parse(row: Row) -> Requirement:
            item = cell(row, "item_type", ctx.item)
            marking = _marking(row)
            return Requirement(
                id=ctx.ref(row, "REQ"),
                item_type=item,
                accepts=optional_cell(row, "accepts", ctx.items_list, NO_NAMES),
                quantity=cell(row, "quantity", positive_quantity),
                priority=cell(row, "priority", priority),
                needed_by=cell(row, "needed_by", plausible_date),
                unit=cell(row, "unit", lambda v: " ".join(str(v).split())),
                destination=cell(row, "destination", ctx.node),
                capability_area=optional_cell(
                    row, "capability_area", capability_area, ctx.item_areas[item]
                ),
                justification=optional_cell(row, "justification", str, None),
                classification=marking.classification,
                releasable_to=marking.releasable_to,
            )

        return parse

    return make


def pledge_parser(
    options: ImportOptions = ImportOptions(),
) -> Callable[[UnitOfWork], Callable[[Row], Pledge]]:
    def make(uow: UnitOfWork) -> Callable[[Row], Pledge]:
        ctx = _Context.load(uow, options)

        def parse(row: Row) -> Pledge:
            optional_cell(row, "recipient", lambda v: _check_recipient(ctx, v), None)
            marking = _marking(row)
            return Pledge(
                id=ctx.ref(row, "PLG"),
                donor=cell(row, "donor", ctx.donor),
                item_type=cell(row, "item_type", ctx.item),
                quantity=cell(row, "quantity", positive_quantity),
                condition=optional_cell(
                    row, "condition", enum_parser(Condition), Condition.USED_SERVICEABLE
                ),
                origin=optional_cell(row, "origin", ctx.node, None),
                available_from=optional_cell(row, "available_from", plausible_date, None),
                caveats=_caveats(row),
                classification=marking.classification,
                releasable_to=marking.releasable_to,
                shared=optional_cell(row, "shared", yes_no, False),
            )

        return parse

    return make


def _check_recipient(ctx: _Context, value: Any) -> None:
    code = ctx.nations.resolve(str(value))
    if code != PARTNER:
        raise InvalidInput(
            f"pledged to {nation_name(code)} ({code}), not to the partner ({PARTNER}); "
            "not a pledge for this command"
        )


def _caveats(row: Row) -> Caveats:
    return Caveats(
        areas=optional_cell(row, "caveat_areas", _areas, NO_NAMES),
        units=optional_cell(row, "caveat_units", text_list, NO_NAMES),
        not_before=optional_cell(row, "caveat_not_before", plausible_date, None),
    )


def _areas(value: Any) -> tuple[str, ...]:
    return tuple(capability_area(area) for area in text_list(value))


def requirement_fields(req: Requirement) -> dict[str, Any]:
    """A requirement in the import format's columns: for export and for edits."""
    return {
        "ref": req.id,
        "item_type": req.item_type,
        "accepts": req.accepts,
        "quantity": req.quantity,
        "priority": req.priority,
        "needed_by": req.needed_by,
        "unit": req.unit,
        "destination": req.destination,
        "capability_area": req.capability_area,
        "justification": req.justification,
        "classification": req.classification,
        "releasable_to": req.releasable_to,
        "status": req.status,
    }


def pledge_fields(pledge: Pledge) -> dict[str, Any]:
    """A pledge in the import format's columns: for export and for edits."""
    return {
        "ref": pledge.id,
        "donor": pledge.donor,
        "item_type": pledge.item_type,
        "quantity": pledge.quantity,
        "condition": pledge.condition,
        "origin": pledge.origin,
        "available_from": pledge.available_from,
        "caveat_areas": pledge.caveats.areas,
        "caveat_units": pledge.caveats.units,
        "caveat_not_before": pledge.caveats.not_before,
        "classification": pledge.classification,
        "releasable_to": pledge.releasable_to,
        "shared": pledge.shared,
        "status": pledge.status,
    }
