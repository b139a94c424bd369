"""The demo's organisations and one user per role, all with one documented password.

Demo only: the password is in the README, so never load the demo into a
database that holds real data.
"""

from __future__ import annotations

from collections.abc import Callable

from materiel.core.markings import Classification
from materiel.core.principal import Role
from materiel.platform.identity import service
from materiel.platform.identity.store import IdentityStore
from materiel.platform.unit_of_work import UnitOfWork

DEMO_PASSWORD = "materiel-demo"  # noqa: S105 (documented demo password, demo data only)

ORGANISATIONS = (
    ("nato-command", "Security assistance command (coordination cell)", "NATO"),
    ("deu-bmvg", "Federal Ministry of Defence", "DEU"),
    ("pol-mon", "Ministry of National Defence", "POL"),
    ("usa-dod", "Department of Defense", "USA"),
    ("gbr-mod", "Ministry of Defence", "GBR"),
    ("ukr-mod", "Ministry of Defence of Ukraine", "UKR"),
    ("pol-rzeszow-hub", "Logistics hub Rzeszów", "POL"),
)

_SECRET = Classification.NATO_SECRET
_RESTRICTED = Classification.NATO_RESTRICTED
USERS = (
    ("coordinator", "nato-command", "NATO", Role.COORDINATOR, _SECRET),
    ("liaison-deu", "deu-bmvg", "DEU", Role.DONOR_LIAISON, _RESTRICTED),
    ("liaison-pol", "pol-mon", "POL", Role.DONOR_LIAISON, _RESTRICTED),
    ("liaison-usa", "usa-dod", "USA", Role.DONOR_LIAISON, _RESTRICTED),
    ("liaison-gbr", "gbr-mod", "GBR", Role.DONOR_LIAISON, _RESTRICTED),
    ("logistics-ukr", "ukr-mod", "UKR", Role.PARTNER_LOGISTICS, _RESTRICTED),
    ("operator-pol", "pol-rzeszow-hub", "POL", Role.NODE_OPERATOR, _RESTRICTED),
    ("repair-deu", "deu-bmvg", "DEU", Role.REPAIR_MANAGER, _RESTRICTED),
    ("training-gbr", "gbr-mod", "GBR", Role.TRAINING_COORDINATOR, _RESTRICTED),
    ("mine-action-ukr", "ukr-mod", "UKR", Role.MINE_ACTION_PLANNER, _RESTRICTED),
    ("auditor", "nato-command", "NATO", Role.AUDITOR, _SECRET),
    ("admin", "nato-command", "NATO", Role.ADMINISTRATOR, _SECRET),
)


def create_demo_users(new_uow: Callable[[], UnitOfWork]) -> list[str]:
    """Create the demo organisations and users that are missing; returns the usernames made."""
    for org_id, name, nation in ORGANISATIONS:
        service.ensure_organisation(org_id, name, nation, new_uow())
    made: list[str] = []
    for username, organisation, nation, role, clearance in USERS:
        with new_uow() as uow:
            exists = IdentityStore(uow.session).user(username) is not None
        if exists:
            continue
        new = service.NewUser(
            username=username,
            display_name=f"{role.value.replace('_', ' ').capitalize()} ({nation})",
            organisation=organisation,
            nation=nation,
            roles=(role,),
            clearance=clearance,
            password=DEMO_PASSWORD,
        )
        service.create_user(new, new_uow())
        made.append(username)
    return made
