"""Who is acting: a user of an organisation of a nation, with roles and a clearance.

Authentication (platform/identity) produces a Principal for each request or
command; the access policy (platform/access) decides from it what may be
seen and changed. Command-line work runs as the `system` principal: whoever
can run the command can already open the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from materiel.core.markings import Classification, Marking, release_groups


class Role(StrEnum):
    """What a user does in the system (DESIGN.md section 2)."""

    COORDINATOR = "coordinator"
    DONOR_LIAISON = "donor_liaison"
    PARTNER_LOGISTICS = "partner_logistics"
    NODE_OPERATOR = "node_operator"
    REPAIR_MANAGER = "repair_manager"
    TRAINING_COORDINATOR = "training_coordinator"
    MINE_ACTION_PLANNER = "mine_action_planner"
    AUDITOR = "auditor"
    ADMINISTRATOR = "administrator"


@dataclass(frozen=True)
class Principal:
    """The acting user as the access policy sees them."""

    username: str
    nation: str
    organisation: str
    roles: frozenset[Role]
    clearance: Classification
    is_system: bool = False

    def has(self, *roles: Role) -> bool:
        """True when the principal holds any of these roles."""
        return bool(self.roles.intersection(roles))

    def may_read(self, marking: Marking, owner: str) -> bool:
        """Cleared for the marking, and it releases to the user's nation (or it owns it).

        The rule `access_policy.cleared` and `releasable` state in SQL, for a
        marked entry held inside another record's document.
        """
        if self.is_system:
            return True
        if marking.classification > self.clearance:
            return False
        codes = release_groups(self.nation)
        return owner == self.nation or any(code in marking.releasable_to for code in codes)

    @classmethod
    def system(cls, name: str = "system") -> Principal:
        """The command line and background jobs: every role, highest clearance."""
        return cls(
            username=name,
            nation="NATO",
            organisation="system",
            roles=frozenset(Role),
            clearance=max(Classification),
            is_system=True,
        )
