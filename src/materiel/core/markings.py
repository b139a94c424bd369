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
NATO = "NATO"
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
        return f"{self.classification.label} // REL TO {', '.join(self.releasable_to)}"


def _parse_releasability(text: str) -> tuple[str, ...]:
    cleaned = text.strip().upper().removeprefix("REL TO").strip()
    parts = [p.strip() for p in cleaned.replace("|", ",").split(",")]
    codes = tuple(dict.fromkeys(p for p in parts if p))
    if not codes:
        raise InvalidInput(f"releasability '{text}' names no nation; write e.g. 'UKR|NATO'")
    return codes


def most_restrictive(markings: Iterable[Marking]) -> Marking:
    """The marking of a collection: highest level, common releasability."""
    level = Classification.NATO_UNCLASSIFIED
    common: list[str] | None = None
    for marking in markings:
        level = max(level, marking.classification)
        if common is None:
            common = list(marking.releasable_to)
        else:
            common = [code for code in common if code in marking.releasable_to]
    return Marking(level, tuple(common) if common is not None else DEFAULT_RELEASABILITY)
