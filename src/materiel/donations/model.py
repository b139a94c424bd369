"""Requirements and pledges, and the rules of their life cycles.

A requirement is one line of the partner's need; a pledge is one donor's
offer. Both move through a status life cycle; a change that the cycle does
not allow is refused with the allowed next states in the message.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TypeVar

from materiel.core.errors import Conflict, InvalidInput
from materiel.core.markings import DEFAULT_RELEASABILITY, Classification, Marking

PRIORITIES = range(1, 6)


class RequirementStatus(StrEnum):
    OPEN = "open"
    PARTLY_MET = "partly-met"
    MET = "met"
    CANCELLED = "cancelled"


class PledgeStatus(StrEnum):
    OFFERED = "offered"
    ACCEPTED = "accepted"
    ALLOCATED = "allocated"
    DELIVERED = "delivered"
    WITHDRAWN = "withdrawn"


class Condition(StrEnum):
    NEW = "new"
    REFURBISHED = "refurbished"
    USED_SERVICEABLE = "used-serviceable"
    NEEDS_REPAIR = "needs-repair"


REQUIREMENT_TRANSITIONS: dict[RequirementStatus, frozenset[RequirementStatus]] = {
    RequirementStatus.OPEN: frozenset(
        {RequirementStatus.PARTLY_MET, RequirementStatus.MET, RequirementStatus.CANCELLED}
    ),
    RequirementStatus.PARTLY_MET: frozenset(
        {RequirementStatus.OPEN, RequirementStatus.MET, RequirementStatus.CANCELLED}
    ),
    RequirementStatus.MET: frozenset(
        {RequirementStatus.OPEN, RequirementStatus.PARTLY_MET, RequirementStatus.CANCELLED}
    ),
    RequirementStatus.CANCELLED: frozenset(),
}

PLEDGE_TRANSITIONS: dict[PledgeStatus, frozenset[PledgeStatus]] = {
    PledgeStatus.OFFERED: frozenset({PledgeStatus.ACCEPTED, PledgeStatus.WITHDRAWN}),
    PledgeStatus.ACCEPTED: frozenset({PledgeStatus.ALLOCATED, PledgeStatus.WITHDRAWN}),
    PledgeStatus.ALLOCATED: frozenset(
        {PledgeStatus.ACCEPTED, PledgeStatus.DELIVERED, PledgeStatus.WITHDRAWN}
    ),
    PledgeStatus.DELIVERED: frozenset(),
    PledgeStatus.WITHDRAWN: frozenset(),
}


S = TypeVar("S", bound=StrEnum)


def check_transition(
    kind: str, record_id: str, current: S, new: S, allowed: dict[S, frozenset[S]]
) -> None:
    if new == current:
        return
    if new not in allowed[current]:
        options = ", ".join(sorted(s.value for s in allowed[current])) or "none, it is final"
        raise Conflict(
            f"{kind} '{record_id}' is {current.value} and cannot become {new.value}; "
            f"allowed next: {options}"
        )


@dataclass(frozen=True)
class Caveats:
    """A donor's conditions on a pledge; empty means none."""

    areas: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    not_before: date | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {}
        if self.areas:
            out["areas"] = list(self.areas)
        if self.units:
            out["units"] = list(self.units)
        if self.not_before:
            out["not_before"] = self.not_before.isoformat()
        return out


@dataclass
class Requirement:
    """One line of the partner's need."""

    id: str
    item_type: str
    quantity: int
    priority: int
    needed_by: date
    unit: str
    destination: str
    capability_area: str
    accepts: tuple[str, ...] = ()
    justification: str | None = None
    classification: Classification = Classification.NATO_UNCLASSIFIED
    releasable_to: tuple[str, ...] = DEFAULT_RELEASABILITY
    status: RequirementStatus = RequirementStatus.OPEN
    version: int = 1

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise InvalidInput(f"quantity {self.quantity} must be at least 1")
        if self.priority not in PRIORITIES:
            raise InvalidInput(f"priority {self.priority} must be 1 (highest) to 5")
        if not self.unit.strip():
            raise InvalidInput("receiving unit is empty; name the formation, e.g. 47th Brigade")

    @property
    def marking(self) -> Marking:
        return Marking(self.classification, self.releasable_to)

    def change_status(self, new: RequirementStatus) -> None:
        check_transition("requirement", self.id, self.status, new, REQUIREMENT_TRANSITIONS)
        self.status = new


@dataclass
class Pledge:
    """One donor's offer.

    Donors often pledge before they name the depot or the date: an unknown
    `origin` cannot be routed yet, an unknown `available_from` means now.
    """

    id: str
    donor: str
    item_type: str
    quantity: int
    condition: Condition
    origin: str | None = None
    available_from: date | None = None
    caveats: Caveats = field(default_factory=Caveats)
    classification: Classification = Classification.NATO_UNCLASSIFIED
    releasable_to: tuple[str, ...] = DEFAULT_RELEASABILITY
    # Shared pledges are seen by every participant cleared for their marking, not
    # only by the donor and the coordinators (need-to-know, see access_policy).
    shared: bool = False
    status: PledgeStatus = PledgeStatus.OFFERED
    version: int = 1

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise InvalidInput(f"quantity {self.quantity} must be at least 1")

    @property
    def marking(self) -> Marking:
        return Marking(self.classification, self.releasable_to)

    def change_status(self, new: PledgeStatus) -> None:
        check_transition("pledge", self.id, self.status, new, PLEDGE_TRANSITIONS)
        self.status = new
