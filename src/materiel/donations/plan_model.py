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

# Units one pin may name: far above any pledge, and a number every database column stores.
MAX_PIN_UNITS = 1_000_000


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


def refuse_contradiction(
    kind: RuleKind, pledge: str, requirement: str, existing: list[PairingRule]
) -> None:
    """A pairing is pinned or forbidden, never both: the other rule must go first."""
    other_kind = RuleKind.FORBID if kind is RuleKind.PIN else RuleKind.PIN
    other_id = PairingRule.make_id(other_kind, pledge, requirement)
    other = next((r for r in existing if r.id == other_id), None)
    if other is None:
        return
    pair = f"{pledge} → {requirement}"
    if other.kind is RuleKind.FORBID:
        raise Conflict(
            f"cannot pin {pair}: it is forbidden (rule '{other.id}'); remove the ban first, "
            "then pin it"
        )
    raise Conflict(
        f"cannot forbid {pair}: it is pinned ({other.quantity} units, rule '{other.id}'); "
        "remove the pin first, then forbid it"
    )


@dataclass(frozen=True)
class PinLimits:
    """What bounds a pin's units: its pledge's offer, other pins of it, its requirement's ask."""

    offered: int
    asked: int
    pinned_elsewhere: dict[str, int]  # requirement -> units of the same pledge pinned there

    @property
    def most(self) -> int:
        return min(self.offered - sum(self.pinned_elsewhere.values()), self.asked)

    def check(self, pledge: str, requirement: str, quantity: int) -> None:
        """A pin keeps 1 to `most` units; anything else is refused with the limit that binds."""
        if 1 <= quantity <= self.most:
            return
        pinned = sum(self.pinned_elsewhere.values())
        elsewhere = ", ".join(f"{r} ({n})" for r, n in sorted(self.pinned_elsewhere.items()))
        pair = f"{pledge} → {requirement}"
        if self.most < 1:
            raise InvalidInput(
                f"cannot pin {pair}: all {self.offered} units of pledge {pledge} are pinned "
                f"to {elsewhere} already; remove or shrink one of those pins first"
            )
        if quantity < 1:
            limit = "a pin keeps at least 1 unit"
        elif quantity > self.offered:
            limit = f"pledge {pledge} offers {self.offered}"
        elif quantity > self.offered - pinned:
            limit = f"pledge {pledge} offers {self.offered} and {pinned} are pinned to {elsewhere}"
        else:
            limit = f"requirement {requirement} asks for {self.asked}"
        raise InvalidInput(
            f"cannot pin {quantity} units of {pair}: {limit}; pin 1 to {self.most} units"
        )


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
