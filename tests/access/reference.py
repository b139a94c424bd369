"""An independent statement of the need-to-know policy, from the issue's words.

It shares no code with `materiel.access_policy`: the leak test compares what
the real endpoints return with what this module says each user may see.
"""

from __future__ import annotations

from dataclasses import dataclass

LEVELS = ("NATO UNCLASSIFIED", "NATO RESTRICTED", "NATO CONFIDENTIAL", "NATO SECRET")
ALLIANCE = {
    "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "ISL", "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR", "POL", "PRT", "ROU", "SVK",
    "SVN", "ESP", "SWE", "TUR", "GBR", "USA",
}  # fmt: skip
PARTNER = "UKR"


@dataclass(frozen=True)
class User:
    username: str
    nation: str
    roles: frozenset[str]
    clearance: int  # index into LEVELS


@dataclass(frozen=True)
class MarkedRecord:
    id: str
    owner: str  # the donor for pledges, the partner for requirements
    level: str
    releasable_to: tuple[str, ...]
    shared: bool = False


def may_read_marking(user: User, record: MarkedRecord) -> bool:
    """Cleared for the level, and the record is releasable to the user's nation (or theirs)."""
    if LEVELS.index(record.level) > user.clearance:
        return False
    if user.nation == record.owner or user.nation in record.releasable_to:
        return True
    in_alliance = user.nation == "NATO" or user.nation in ALLIANCE
    return "NATO" in record.releasable_to and in_alliance


def sees_requirement(user: User, requirement: MarkedRecord) -> bool:
    return may_read_marking(user, requirement)


def sees_pledge(user: User, pledge: MarkedRecord) -> bool:
    if not may_read_marking(user, pledge):
        return False
    return (
        bool(user.roles & {"coordinator", "auditor"})
        or pledge.owner == user.nation
        or pledge.shared
    )


def may_change_pledge(user: User, pledge: MarkedRecord) -> bool:
    if "coordinator" in user.roles:
        return True
    return "donor_liaison" in user.roles and pledge.owner == user.nation


def sees_plans(user: User) -> bool:
    return bool(user.roles & {"coordinator", "auditor", "partner_logistics"})


def sees_transfers(user: User) -> bool:
    return bool(user.roles & {"coordinator", "auditor", "partner_logistics", "node_operator"})
