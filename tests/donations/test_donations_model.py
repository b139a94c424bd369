"""Unit tests of requirement and pledge rules and life cycles."""

from __future__ import annotations

from datetime import date

import pytest

from materiel.core.errors import Conflict, InvalidInput
from materiel.donations.model import (
    Condition,
    Pledge,
    PledgeStatus,
    Requirement,
    RequirementStatus,
)


def requirement(**changes: object) -> Requirement:
    fields: dict[str, object] = {
        "id": "REQ-1",
        "item_type": "pzh-2000",
        "quantity": 6,
        "priority": 1,
        "needed_by": date(2027, 3, 1),
        "unit": "47th Mechanized Brigade",
        "destination": "lviv",
        "capability_area": "artillery",
    }
    fields.update(changes)
    return Requirement(**fields)  # type: ignore[arg-type]


def pledge(**changes: object) -> Pledge:
    fields: dict[str, object] = {
        "id": "PLG-1",
        "donor": "DEU",
        "item_type": "pzh-2000",
        "quantity": 4,
        "condition": Condition.REFURBISHED,
    }
    fields.update(changes)
    return Pledge(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(("field", "value"), [("quantity", 0), ("priority", 6), ("priority", 0)])
def test_requirement_values_are_checked(field: str, value: int) -> None:
    with pytest.raises(InvalidInput):
        requirement(**{field: value})


def test_requirement_life_cycle() -> None:
    req = requirement()
    req.change_status(RequirementStatus.PARTLY_MET)
    req.change_status(RequirementStatus.MET)
    req.change_status(RequirementStatus.CANCELLED)
    with pytest.raises(Conflict, match="cancelled and cannot become open"):
        req.change_status(RequirementStatus.OPEN)


def test_pledge_life_cycle_refuses_skipping_steps() -> None:
    offer = pledge()
    with pytest.raises(Conflict, match="allowed next: accepted, withdrawn"):
        offer.change_status(PledgeStatus.DELIVERED)
    offer.change_status(PledgeStatus.ACCEPTED)
    offer.change_status(PledgeStatus.ALLOCATED)
    offer.change_status(PledgeStatus.DELIVERED)
    with pytest.raises(Conflict, match="final"):
        offer.change_status(PledgeStatus.WITHDRAWN)


def test_pledge_needs_at_least_one_unit() -> None:
    with pytest.raises(InvalidInput, match="at least 1"):
        pledge(quantity=0)
