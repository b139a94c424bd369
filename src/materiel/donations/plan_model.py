"""Allocation plans as staff see them: versions that are compared, never edited.

A planner run becomes a draft plan; accepting it supersedes the plan that was
accepted before. Pins and forbidden pairings are standing instructions from
staff that every later run takes as input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from materiel.core.dates import utc_now
from materiel.core.errors import Conflict, InvalidInput
from materiel.core.markings import (
    DEFAULT_RELEASABILITY,
    Classification,
    Marking,
    most_restrictive,
)


class PlanStatus(StrEnum):
    DRAFT = "draft"
    ACCEPTED = "accepted"
    SUPERSEDED = "superseded"


class RuleKind(StrEnum):
    PIN = "pin"
    FORBID = "forbid"


@dataclass
class StoredPlan:
    """One planner run's result and its place in the sequence of plans."""

    created_by: str
    objective: dict[str, Any]
    solver: dict[str, Any]
    unmet: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    basis_id: int | None = None
    status: PlanStatus = PlanStatus.DRAFT
    created_at: datetime = field(default_factory=utc_now)
    accepted_at: datetime | None = None
    accepted_by: str | None = None
    id: int | None = None
    version: int = 1

    def ensure_draft(self) -> None:
        if self.status is not PlanStatus.DRAFT:
            raise Conflict(f"plan {self.id} is {self.status.value}; only a draft can be accepted")

    def accept(self, actor: str) -> None:
        self.ensure_draft()
        self.status, self.accepted_at, self.accepted_by = PlanStatus.ACCEPTED, utc_now(), actor

    def supersede(self) -> None:
        self.status = PlanStatus.SUPERSEDED


@dataclass
class PlannedAllocation:
    """Units of one pledge assigned to one requirement within a plan, with why.

    A line bears its pledge's marking and its requirement's, and follows them
    (`donations/markings.py`): whoever sees it may read both.
    """

    plan_id: int
    pledge: str
    requirement: str
    quantity: int
    arrival: date
    days_late: int
    reasons: list[str] = field(default_factory=list)
    pinned: bool = False
    classification: Classification = Classification.NATO_UNCLASSIFIED  # the pledge's
    releasable_to: tuple[str, ...] = DEFAULT_RELEASABILITY
    requirement_classification: Classification = Classification.NATO_UNCLASSIFIED
    requirement_releasable_to: tuple[str, ...] = DEFAULT_RELEASABILITY
    id: int | None = None

    @property
    def marking(self) -> Marking:
        """The banner: the more restrictive of its pledge's and its requirement's markings."""
        return most_restrictive(
            (
                Marking(self.classification, self.releasable_to),
                Marking(self.requirement_classification, self.requirement_releasable_to),
            )
        )


@dataclass
class PairingRule:
    """A standing instruction: keep this pairing (pin) or never use it (forbid)."""

    id: str
    kind: RuleKind
    pledge: str
    requirement: str
    quantity: int = 0
    created_by: str = "system"
    version: int = 1

    def __post_init__(self) -> None:
        if self.kind is RuleKind.PIN and self.quantity < 1:
            raise InvalidInput("a pin needs a quantity of at least 1 unit")

    @staticmethod
    def make_id(kind: RuleKind, pledge: str, requirement: str) -> str:
        return f"{kind.value}:{pledge}>{requirement}"


@dataclass(frozen=True)
class PairingChange:
    pledge: str
    requirement: str
    before: int
    after: int


@dataclass(frozen=True)
class PlanDiff:
    """What a plan changes against another: pairings added, removed, resized."""

    added: list[PairingChange]
    removed: list[PairingChange]
    resized: list[PairingChange]
    unchanged: int

    @property
    def units_moved(self) -> int:
        return sum(c.before for c in self.removed) + sum(
            max(c.before - c.after, 0) for c in self.resized
        )


def compare(old: list[PlannedAllocation], new: list[PlannedAllocation]) -> PlanDiff:
    before = {(a.pledge, a.requirement): a.quantity for a in old}
    after = {(a.pledge, a.requirement): a.quantity for a in new}
    added = [
        PairingChange(p, r, 0, q) for (p, r), q in sorted(after.items()) if (p, r) not in before
    ]
    removed = [
        PairingChange(p, r, q, 0) for (p, r), q in sorted(before.items()) if (p, r) not in after
    ]
    resized = [
        PairingChange(p, r, before[(p, r)], q)
        for (p, r), q in sorted(after.items())
        if (p, r) in before and before[(p, r)] != q
    ]
    unchanged = sum(1 for key, q in after.items() if before.get(key) == q)
    return PlanDiff(added, removed, resized, unchanged)
