"""PostgreSQL row-level security: the second wall behind the application's filters.

Each transaction tells the database who acts, in transaction-local settings
(`materiel.user`, `.nation`, `.roles`, `.clearance`, `.system`) that the
policies created by migrations 0007, 0008, 0010 to 0012, 0015 and 0017 read. With
nothing set, they show nothing. The application connects through a role that does not own the
tables (`materiel db grant-app-role`), so the policies apply to it.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from materiel.core.errors import InvalidInput
from materiel.core.principal import Principal

_SET = text(
    "SELECT set_config('materiel.user', :user, true), "
    "set_config('materiel.nation', :nation, true), "
    "set_config('materiel.roles', :roles, true), "
    "set_config('materiel.clearance', :clearance, true), "
    "set_config('materiel.system', :system, true)"
)


def settings_for(principal: Principal) -> dict[str, Any]:
    return {
        "user": principal.username,
        "nation": principal.nation,
        "roles": ",".join(sorted(role.value for role in principal.roles)),
        "clearance": str(int(principal.clearance)),
        "system": "on" if principal.is_system else "off",
    }


def announce_on(connection: Connection, principal: Principal) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(_SET, settings_for(principal))


def announce(session: Session, principal: Principal) -> None:
    """Re-announce inside an open transaction (after elevating or stepping down)."""
    if session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.connection().execute(_SET, settings_for(principal))


_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_app_role(engine: Engine, role: str) -> None:
    """Let `role` (which must not own the tables) work the data, under row-level security.

    It may read and write records, append to the audit log but never change
    or remove an entry, and only read the schema version.
    """
    if engine.dialect.name != "postgresql":
        raise InvalidInput("row-level security needs PostgreSQL; SQLite has no roles")
    if not _ROLE_NAME.match(role):
        raise InvalidInput(f"role name '{role}' must be lower-case letters, digits and _")
    with engine.begin() as connection:
        for statement in (
            f"GRANT USAGE ON SCHEMA public TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
            f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {role}",
            f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {role}",
            f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_checkpoint FROM {role}",
            f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}",
        ):
            connection.execute(text(statement))
