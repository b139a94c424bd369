"""Identity tables and their mapping onto the model."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    TypeDecorator,
    delete,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from materiel.core.principal import Role
from materiel.platform.column_types import ClassificationType, StringList
from materiel.platform.database import mapper_registry, metadata
from materiel.platform.identity.model import ApiToken, LoginSession, Organisation, User


class RoleList(TypeDecorator[tuple[Role, ...]]):
    """Roles stored as a JSON list of their names."""

    impl = StringList
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return [role.value for role in value or ()]

    def process_result_value(self, value: Any, dialect: Dialect) -> tuple[Role, ...]:
        return tuple(Role(v) for v in value or ())


organisations = Table(
    "organisations",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("nation", String(4), nullable=False),
    Column("version", Integer, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("username", String(80), primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("organisation", String(80), ForeignKey("organisations.id"), nullable=False),
    Column("nation", String(4), nullable=False),
    Column("roles", RoleList, nullable=False),
    Column("clearance", ClassificationType, nullable=False),
    Column("password_hash", String(200)),
    Column("active", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("version", Integer, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user", String(80), ForeignKey("users.username"), nullable=False, index=True),
    Column("name", String(120), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("scopes", StringList, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_used_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
)

login_sessions = Table(
    "login_sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user", String(80), ForeignKey("users.username"), nullable=False, index=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("last_seen_at", DateTime(timezone=True), nullable=False),
)

# Failed logins and token-endpoint calls, kept in the database so that every API
# process behind a load balancer counts the same attempts.
auth_attempts = Table(
    "auth_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("key", String(200), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_auth_attempts_kind_key_at", "kind", "key", "at"),
)

mapper_registry.map_imperatively(
    Organisation, organisations, version_id_col=organisations.c.version
)
mapper_registry.map_imperatively(User, users, version_id_col=users.c.version)
mapper_registry.map_imperatively(ApiToken, api_tokens, version_id_col=api_tokens.c.version)
mapper_registry.map_imperatively(LoginSession, login_sessions)


class IdentityStore:
    """Reads and writes identity records within a unit of work's session."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def organisation(self, organisation_id: str) -> Organisation | None:
        return self.session.get(Organisation, organisation_id)

    def user(self, username: str) -> User | None:
        return self.session.get(User, username)

    def users(self) -> list[User]:
        return list(self.session.scalars(select(User).order_by(users.c.username)))

    def token_by_hash(self, token_hash: str) -> ApiToken | None:
        return self.session.scalars(
            select(ApiToken).where(api_tokens.c.token_hash == token_hash)
        ).one_or_none()

    def token(self, token_id: str) -> ApiToken | None:
        return self.session.get(ApiToken, token_id)

    def tokens(self, username: str | None) -> list[ApiToken]:
        query = select(ApiToken).order_by(api_tokens.c.created_at.desc(), api_tokens.c.id)
        if username is not None:
            query = query.where(api_tokens.c.user == username)
        return list(self.session.scalars(query))

    def login_session(self, session_id: str) -> LoginSession | None:
        return self.session.get(LoginSession, session_id)

    def end_sessions_of(self, username: str) -> None:
        self.session.execute(delete(login_sessions).where(login_sessions.c.user == username))

    def touch_token(self, token_id: str, now: datetime) -> None:
        self.session.execute(
            update(api_tokens).where(api_tokens.c.id == token_id).values(last_used_at=now)
        )

    def touch_session(self, session_id: str, now: datetime) -> None:
        self.session.execute(
            update(login_sessions).where(login_sessions.c.id == session_id).values(last_seen_at=now)
        )


class AttemptStore:
    """Counts attempts per key in a sliding window."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def since(self, kind: str, key: str, start: datetime) -> list[datetime]:
        """Moments of the attempts at or after `start`, oldest first."""
        rows = self.session.scalars(
            select(auth_attempts.c.at)
            .where(
                auth_attempts.c.kind == kind,
                auth_attempts.c.key == key,
                auth_attempts.c.at >= start,
            )
            .order_by(auth_attempts.c.at)
        )
        return list(rows)

    def count_since(self, kind: str, key: str, start: datetime) -> int:
        query = select(func.count()).where(
            auth_attempts.c.kind == kind, auth_attempts.c.key == key, auth_attempts.c.at >= start
        )
        return int(self.session.scalar(query) or 0)

    def add(self, kind: str, key: str, at: datetime) -> None:
        self.session.execute(insert(auth_attempts).values(kind=kind, key=key, at=at))

    def forget(self, kind: str, key: str, before: datetime | None = None) -> None:
        """Drop a key's attempts (all, or those older than `before`: out of the window)."""
        query = delete(auth_attempts).where(
            auth_attempts.c.kind == kind, auth_attempts.c.key == key
        )
        if before is not None:
            query = query.where(auth_attempts.c.at < before)
        self.session.execute(query)
