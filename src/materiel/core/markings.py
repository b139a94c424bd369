"""Security markings: a classification level plus releasability.

Every record and every export carries one. When records are combined (a
page, an export file) the result carries the most restrictive marking: the
highest classification and only the nations every record is releasable to.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntEnum

from materiel.core.errors import InvalidInput
from materiel.core.nations import ACCEPTED_CODES, NATO, is_nation_code


class Classification(IntEnum):
    """NATO classification levels, ordered from least to most restrictive."""

    NATO_UNCLASSIFIED = 0
    NATO_RESTRICTED = 1
    NATO_CONFIDENTIAL = 2
    NATO_SECRET = 3

    @property
    def label(self) -> str:
        return self.name.replace("_", " ")

    @classmethod
    def parse(cls, text: str | Classification) -> Classification:
        if isinstance(text, Classification):
            return text
        key = " ".join(text.strip().upper().replace("_", " ").split())
        if key and not key.startswith("NATO "):
            key = f"NATO {key}"
        for level in cls:
            if level.label == key:
                return level
        allowed = ", ".join(level.label for level in cls)
        raise InvalidInput(f"unknown classification '{text}'; use one of: {allowed}")


DEFAULT_RELEASABILITY: tuple[str, ...] = ("UKR", "NATO")

# "REL TO NATO" releases a record to the Alliance's bodies (nation code NATO) and members.
NATO_MEMBERS: frozenset[str] = frozenset(
    {
        "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU",
        "GRC", "HUN", "ISL", "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR",
        "POL", "PRT", "ROU", "SVK", "SVN", "ESP", "SWE", "TUR", "GBR", "USA",
    }
)  # fmt: skip


def release_groups(nation: str) -> tuple[str, ...]:
    """The codes under which a record may be released to `nation`: itself and its alliance."""
    if nation == NATO or nation in NATO_MEMBERS:
        return (nation, NATO) if nation != NATO else (NATO,)
    return (nation,)


@dataclass(frozen=True)
class Marking:
    """Classification and the nations (or bodies) a record may be released to."""

    classification: Classification = Classification.NATO_UNCLASSIFIED
    releasable_to: tuple[str, ...] = DEFAULT_RELEASABILITY

    @classmethod
    def parse(cls, classification: str | None, releasable_to: str | None) -> Marking:
        level = Classification.parse(classification) if classification else cls.classification
        rel = _parse_releasability(releasable_to) if releasable_to else DEFAULT_RELEASABILITY
        return cls(level, rel)

    @property
    def banner(self) -> str:
        """The line shown on pages and printed on exports."""
        nations = ", ".join(self.releasable_to) or "NO NATION IN COMMON"
        return f"{self.classification.label} // REL TO {nations}"


def _parse_releasability(text: str) -> tuple[str, ...]:
    """The codes of 'UKR|NATO', 'REL TO UKR, NATO' and the like; an unknown code is refused.

    A code nobody holds (a typo, `XYZ`, `EU`) would release the record to no
    one: it would vanish for everyone but its owner without a word.
    """
    cleaned = text.strip().upper().removeprefix("REL TO").strip()
    parts = [p.strip() for p in cleaned.replace("|", ",").split(",")]
    codes = tuple(dict.fromkeys(p for p in parts if p))
    if not codes:
        raise InvalidInput(f"releasability '{text}' names no nation; write e.g. 'UKR|NATO'")
    unknown = [code for code in codes if not is_nation_code(code)]
    if unknown:
        named = ", ".join(f"'{code}'" for code in unknown)
        raise InvalidInput(
            f"releasability '{text}' names {named}, not a nation code; use {ACCEPTED_CODES}, "
            "separated by '|' or ',' (e.g. 'UKR|NATO')"
        )
    return codes


def most_restrictive(markings: Iterable[Marking]) -> Marking:
    """The marking of a collection: highest level, the releasability every part allows.

    A member nation named by one part is allowed by another part's NATO, so
    REL TO DEU with REL TO UKR, NATO gives REL TO DEU.
    """
    level = Classification.NATO_UNCLASSIFIED
    common: tuple[str, ...] | None = None
    for marking in markings:
        level = max(level, marking.classification)
        common = marking.releasable_to if common is None else _common(common, marking.releasable_to)
    return Marking(level, common if common is not None else DEFAULT_RELEASABILITY)


def _common(one: tuple[str, ...], other: tuple[str, ...]) -> tuple[str, ...]:
    """The codes both releasabilities release to, in the order they are named."""

    def allows(codes: tuple[str, ...], code: str) -> bool:
        return any(group in codes for group in release_groups(code))

    both = [code for code in one if allows(other, code)]
    both += [code for code in other if code not in both and allows(one, code)]
    return tuple(both)
