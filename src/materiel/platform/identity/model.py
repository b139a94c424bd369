"""Organisations, users, API tokens and browser sessions, and the rules on them.

No database or web imports: the store maps these dataclasses, the service
combines them with storage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from materiel.core.errors import Forbidden, InvalidInput, Unauthenticated
from materiel.core.markings import Classification
from materiel.core.nations import check_nation_code
from materiel.core.principal import Principal, Role

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,79}$")
ORGANISATION_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Scope(StrEnum):
    """What an API token may do: `read` allows only GET and HEAD."""

    READ = "read"
    WRITE = "write"


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every moment we store is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def check_nation(nation: str) -> str:
    """The nation in capitals: an ISO 3166-1 alpha-3 country code, or NATO; else refused."""
    return check_nation_code(nation)


@dataclass
class Organisation:
    """A ministry, command or agency of one nation (or NATO) that users belong to."""

    id: str
    name: str
    nation: str
    version: int = 1

    def __post_init__(self) -> None:
        if not ORGANISATION_ID.match(self.id):
            raise InvalidInput(
                f"organisation id '{self.id}' must be lower-case letters, digits and dashes"
            )
        self.nation = check_nation(self.nation)


@dataclass
class User:
    """A person who signs in; `password_hash` is None for users who sign in through OIDC."""

    username: str
    display_name: str
    organisation: str
    nation: str
    roles: tuple[Role, ...]
    clearance: Classification
    created_at: datetime
    password_hash: str | None = None
    active: bool = True
    version: int = 1

    def __post_init__(self) -> None:
        if not USERNAME.match(self.username):
            raise InvalidInput(
                f"username '{self.username}' must be 1-80 lower-case letters, digits or ._@-"
            )
        self.nation = check_nation(self.nation)
        if not self.roles:
            raise InvalidInput(f"user '{self.username}' needs at least one role")

    def principal(self) -> Principal:
        return Principal(
            username=self.username,
            nation=self.nation,
            organisation=self.organisation,
            roles=frozenset(self.roles),
            clearance=self.clearance,
        )

    def check_active(self) -> None:
        if not self.active:
            raise Unauthenticated(
                f"the account '{self.username}' is disabled; ask an administrator to enable "
                f"it again (`materiel user enable {self.username}`)"
            )


@dataclass
class ApiToken:
    """A scoped, expiring, revocable API credential; only its SHA-256 is stored."""

    id: str
    user: str
    name: str
    token_hash: str
    scopes: tuple[str, ...]
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    last_used_at: datetime | None = None
    version: int = 1

    def check_usable(self, now: datetime) -> None:
        if self.revoked_at is not None:
            raise Unauthenticated(
                f"API token '{self.name}' was revoked; issue a new one (POST /api/auth/tokens)"
            )
        if aware(self.expires_at) <= now:
            raise Unauthenticated(
                f"API token '{self.name}' expired on {aware(self.expires_at):%Y-%m-%d %H:%M}Z; "
                "issue a new one (POST /api/auth/tokens)"
            )

    def check_allows(self, method: str) -> None:
        if Scope.WRITE not in self.scopes and method.upper() not in SAFE_METHODS:
            raise Forbidden(
                f"API token '{self.name}' is read-only; use a token with the 'write' scope "
                f"for {method.upper()} requests"
            )


@dataclass
class LoginSession:
    """A browser sign-in; `id` is the SHA-256 of the cookie value, never the value itself."""

    id: str
    user: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def check_alive(self, now: datetime, idle_minutes: int) -> None:
        idle_since = (now - aware(self.last_seen_at)).total_seconds()
        if aware(self.expires_at) <= now or idle_since > idle_minutes * 60:
            raise Unauthenticated("your session has ended; sign in again at /login")


def parse_roles(values: list[str] | tuple[str, ...]) -> tuple[Role, ...]:
    """Role names as written by people or identity providers (`donor-liaison` works too)."""
    roles: list[Role] = []
    known = ", ".join(role.value for role in Role)
    for value in values:
        text = value.strip().lower().replace("-", "_").replace(" ", "_")
        try:
            role = Role(text)
        except ValueError:
            raise InvalidInput(f"no role '{value}'; use one of: {known}") from None
        if role not in roles:
            roles.append(role)
    return tuple(roles)


def parse_scopes(values: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    scopes: list[str] = []
    for value in values:
        try:
            scopes.append(Scope(value.strip().lower()).value)
        except ValueError:
            raise InvalidInput(f"no token scope '{value}'; use 'read' or 'write'") from None
    if not scopes:
        raise InvalidInput("a token needs a scope: 'read' or 'write'")
    return tuple(sorted(set(scopes)))
