"""The catalogue: item types, the category tree, families and substitutes.

Rules here need no I/O: NSN format, name normalisation for matching what
staff write against catalogue entries, category paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from materiel.core.errors import InvalidInput

CAPABILITY_AREAS: tuple[str, ...] = (
    "air-force",
    "armour",
    "artillery",
    "demining",
    "drones",
    "iamd",
    "it",
    "maritime",
    "infantry-mobility",
    "logistics",
    "engineering",
    "medical",
)

_NSN = re.compile(r"^(\d{4})-?(\d{2})-?(\d{3})-?(\d{4})$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")
_NOISE = str.maketrans({"'": " ", '"': " ", "*": " ", "\ufffd": " ", "\u2019": " "})


@dataclass
class Category:
    """A node in the category tree; `id` is the slug path, e.g. `artillery/towed-howitzer`."""

    id: str
    name: str
    parent_id: str | None = None


@dataclass
class ItemType:
    """One model of equipment, e.g. PzH 2000."""

    id: str
    name: str
    category_id: str
    family: str
    capability_area: str
    calibre: str | None = None
    nsn: str | None = None
    crew_size: int | None = None
    substitutes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    transport_slots: int = 1
    version: int = 1

    def __post_init__(self) -> None:
        check_slug(self.id, "id")
        if self.transport_slots < 1:
            raise InvalidInput("transport slots must be at least 1 (a rail flat car, a truck bed)")
        check_slug(self.family, "family")
        check_capability_area(self.capability_area)
        if not self.name.strip():
            raise InvalidInput("name is empty; give the model's name, e.g. PzH 2000")
        if self.nsn:
            self.nsn = normalize_nsn(self.nsn)
        if self.crew_size is not None and not 0 <= self.crew_size <= 100:
            raise InvalidInput(f"crew size {self.crew_size} is out of range 0..100")
        if self.id in self.substitutes:
            raise InvalidInput(f"item type '{self.id}' cannot be its own substitute")


def normalize_nsn(text: str) -> str:
    """Validate a NATO Stock Number and write it as `NNNN-NN-NNN-NNNN`."""
    match = _NSN.match(text.strip())
    if not match:
        raise InvalidInput(
            f"'{text}' is not a NATO Stock Number; write 13 digits as NNNN-NN-NNN-NNNN"
        )
    return "-".join(match.groups())


def check_slug(value: str, what: str) -> None:
    if not _SLUG.match(value):
        raise InvalidInput(
            f"{what} '{value}' must be lowercase letters, digits, '-' or '.', e.g. 155mm-sph"
        )


def check_capability_area(area: str) -> None:
    if area not in CAPABILITY_AREAS:
        raise InvalidInput(
            f"unknown capability area '{area}'; use one of: {', '.join(CAPABILITY_AREAS)}"
        )


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")


def category_chain(path: str) -> list[Category]:
    """The categories of a path `Artillery > Self-propelled howitzer`, root first."""
    names = [part.strip() for part in re.split(r"[>/]", path) if part.strip()]
    if not names:
        raise InvalidInput("category is empty; write a path such as 'Artillery > Towed howitzer'")
    chain: list[Category] = []
    for name in names:
        parent = chain[-1].id if chain else None
        slug = slugify(name)
        chain.append(
            Category(id=f"{parent}/{slug}" if parent else slug, name=name, parent_id=parent)
        )
    return chain


def category_paths(categories: list[Category]) -> dict[str, str]:
    """Each category's readable path, e.g. `Artillery > Self-propelled howitzer`."""
    by_id = {c.id: c for c in categories}

    def path(category: Category) -> str:
        parent = by_id.get(category.parent_id) if category.parent_id else None
        return f"{path(parent)} > {category.name}" if parent else category.name

    return {c.id: path(c) for c in categories}


def normalize_name(text: str) -> str:
    """The form of a name used for matching: no stray quotes or marks, one case."""
    return " ".join(text.translate(_NOISE).split()).casefold()


@dataclass(frozen=True)
class NameIndex:
    """Resolves what a spreadsheet calls an item to a catalogue id."""

    names: dict[str, str] = field(default_factory=dict)
    refusals: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, item_types: list[ItemType]) -> NameIndex:
        names: dict[str, str] = {}
        for item in item_types:
            for name in (item.id, item.name, *item.aliases):
                names.setdefault(normalize_name(name), item.id)
        return cls(names)

    def with_mapping(self, mapping: dict[str, str], refusals: dict[str, str]) -> NameIndex:
        """Add a user's name mapping (raw name -> id) and names to refuse with a reason."""
        names = {**self.names, **{normalize_name(k): v for k, v in mapping.items()}}
        refused = {normalize_name(k): v for k, v in refusals.items()}
        return NameIndex(names, refused)

    def resolve(self, text: str) -> str:
        key = normalize_name(text)
        if key in self.refusals:
            raise InvalidInput(self.refusals[key])
        if key in self.names:
            return self.names[key]
        raise InvalidInput(
            f"item type '{text.strip()}' is not in the catalogue; add it to the catalogue "
            "or map the name with a --names file"
        )
