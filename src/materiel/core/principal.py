"""Who is acting: a user of an organisation of a nation, with roles and a clearance.

Authentication (platform/identity) produces a Principal for each request or
command; the access policy (platform/access) decides from it what may be
seen and changed. Command-line work runs as the `system` principal: whoever
can run the command can already open the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from materiel.core.markings import Classification


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
