"""Use cases of identity: users, passwords, sessions, API tokens, and who a credential is.

Every use case runs in one unit of work. Messages for failed sign-ins never
say whether the username exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from materiel.core.dates import utc_now
from materiel.core.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from materiel.core.markings import Classification
from materiel.core.principal import Principal, Role
from materiel.platform.identity import claims, passwords, rate_limit, tokens
from materiel.platform.identity.claims import ClaimedUser
from materiel.platform.identity.model import (
    ApiToken,
    LoginSession,
    Organisation,
    User,
    aware,
    parse_scopes,
)
from materiel.platform.identity.settings import IdentitySettings
from materiel.platform.identity.store import AttemptStore, IdentityStore
from materiel.platform.unit_of_work import UnitOfWork

WRONG_CREDENTIALS = "username or password is wrong"


@dataclass(frozen=True)
class NewUser:
    username: str
    display_name: str
    organisation: str
    nation: str
    roles: tuple[Role, ...]
    clearance: Classification = Classification.NATO_UNCLASSIFIED
    password: str | None = None


@dataclass(frozen=True)
class IssuedToken:
    """A new token: `secret` is shown once and never stored."""

    token: ApiToken
    secret: str


@dataclass(frozen=True)
class SignedIn:
    """A new browser session: `cookie` is the value to set, never stored."""

    session: LoginSession
    cookie: str
    user: User


def user_snapshot(user: User) -> dict[str, Any]:
    """What the audit log keeps of a user: never the password hash."""
    return {
        "username": user.username,
        "display_name": user.display_name,
        "organisation": user.organisation,
        "nation": user.nation,
        "roles": [role.value for role in user.roles],
        "clearance": user.clearance.label,
        "active": user.active,
        "has_password": user.password_hash is not None,
    }


def token_snapshot(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.id,
        "user": token.user,
        "name": token.name,
        "scopes": list(token.scopes),
        "expires_at": token.expires_at.isoformat(),
        "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None,
    }


def ensure_organisation(
    organisation_id: str, name: str, nation: str, uow: UnitOfWork
) -> Organisation:
    """The organisation with this id, created when missing."""
    with uow:
        store = IdentityStore(uow.session)
        existing = store.organisation(organisation_id)
        if existing is not None:
            return existing
        organisation = Organisation(organisation_id, name, nation)
        uow.session.add(organisation)
        uow.audit("create", "organisation", organisation_id, None, organisation)
        uow.commit()
        return organisation


def create_user(new: NewUser, uow: UnitOfWork) -> User:
    with uow:
        store = IdentityStore(uow.session)
        if store.user(new.username) is not None:
            raise Conflict(f"user '{new.username}' exists already")
        if store.organisation(new.organisation) is None:
            raise NotFound(f"no organisation '{new.organisation}'; create it first")
        user = User(
            username=new.username,
            display_name=new.display_name or new.username,
            organisation=new.organisation,
            nation=new.nation,
            roles=new.roles,
            clearance=new.clearance,
            created_at=utc_now(),
            # None: OIDC only. An empty or blank password is refused, never taken for None.
            password_hash=(
                passwords.hash_password(new.password) if new.password is not None else None
            ),
        )
        uow.session.add(user)
        uow.audit("create", "user", user.username, None, user_snapshot(user))
        uow.commit()
        return user


def set_password(username: str, password: str, uow: UnitOfWork) -> None:
    with uow:
        user = _user(IdentityStore(uow.session), username)
        before = user_snapshot(user)
        user.password_hash = passwords.hash_password(password)
        uow.audit("set-password", "user", username, before, user_snapshot(user))
        uow.commit()


def set_active(username: str, active: bool, uow: UnitOfWork) -> User:
    """Disable (or enable) a user; disabling ends their sessions and refuses their tokens."""
    with uow:
        store = IdentityStore(uow.session)
        user = _user(store, username)
        before = user_snapshot(user)
        user.active = active
        if not active:
            store.end_sessions_of(username)
        uow.audit("enable" if active else "disable", "user", username, before, user_snapshot(user))
        uow.commit()
        return user


def list_users(uow: UnitOfWork) -> list[User]:
    with uow:
        return IdentityStore(uow.session).users()


def get_user(username: str, uow: UnitOfWork) -> User:
    with uow:
        return _user(IdentityStore(uow.session), username)


def authenticate_password(
    username: str,
    password: str,
    address: str | None,
    settings: IdentitySettings,
    uow: UnitOfWork,
) -> SignedIn:
    """Check a password and open a session; failures are counted and rate-limited."""
    now = utc_now()
    keys = [rate_limit.user_key(username), rate_limit.address_key(address)]
    with uow:
        attempts = AttemptStore(uow.session)
        rate_limit.check(attempts, _user_limit(settings), keys[:1], now)
        rate_limit.check(attempts, _address_limit(settings), keys[1:], now)
        store = IdentityStore(uow.session)
        user = store.user(username.strip().lower())
        hashed = user.password_hash if user is not None else None
        # Verify before looking at anything else: an unknown or disabled user costs the
        # same argon2 verification as a wrong password (no enumeration by timing).
        matches = passwords.verify(hashed, password)
        blank = not password.strip()  # never a password, even if one was stored once
        if user is None or not user.active or not matches or blank:
            rate_limit.record(attempts, _user_limit(settings), keys, now)
            uow.commit()
            raise Unauthenticated(WRONG_CREDENTIALS)
        if hashed and passwords.needs_rehash(hashed):
            user.password_hash = passwords.hash_password(password)
        attempts.forget(rate_limit.LOGIN_FAILURE, keys[0])
        signed_in = _open_session(user, settings, now, uow)
        uow.commit()
        return signed_in


def open_session(username: str, settings: IdentitySettings, uow: UnitOfWork) -> SignedIn:
    """A session for a user the identity provider vouched for (OIDC)."""
    with uow:
        user = _user(IdentityStore(uow.session), username)
        user.check_active()
        signed_in = _open_session(user, settings, utc_now(), uow)
        uow.commit()
        return signed_in


def _open_session(
    user: User, settings: IdentitySettings, now: datetime, uow: UnitOfWork
) -> SignedIn:
    cookie = tokens.new_cookie_value()
    session = LoginSession(
        id=tokens.digest(cookie),
        user=user.username,
        created_at=now,
        expires_at=now + timedelta(hours=settings.session_hours),
        last_seen_at=now,
    )
    uow.session.add(session)
    uow.audit("sign-in", "user", user.username, None, None)
    return SignedIn(session, cookie, user)


def end_session(cookie: str, uow: UnitOfWork) -> None:
    """Sign out: the session row goes, so the cookie is worthless even if kept."""
    with uow:
        session = IdentityStore(uow.session).login_session(tokens.digest(cookie))
        if session is not None:
            uow.session.delete(session)
            uow.audit("sign-out", "user", session.user, None, None)
            uow.commit()


def principal_for_session(cookie: str, settings: IdentitySettings, uow: UnitOfWork) -> Principal:
    now = utc_now()
    with uow:
        store = IdentityStore(uow.session)
        session = store.login_session(tokens.digest(cookie))
        if session is None:
            raise Unauthenticated("you are not signed in; sign in at /login")
        session.check_alive(now, settings.idle_minutes)
        user = _user_for_credential(store, session.user)
        if (now - aware(session.last_seen_at)).total_seconds() > 60:
            store.touch_session(session.id, now)
            uow.commit()
        return user.principal()


def principal_for_token(bearer: str, method: str, uow: UnitOfWork) -> Principal:
    """The user behind an API token, if it is known, live and allows this method."""
    now = utc_now()
    with uow:
        store = IdentityStore(uow.session)
        token = store.token_by_hash(tokens.digest(bearer.strip()))
        if token is None:
            raise Unauthenticated(
                "the API token is not one we issued; check it, or issue a new one "
                "(POST /api/auth/tokens or `materiel token issue`)"
            )
        token.check_usable(now)
        token.check_allows(method)
        user = _user_for_credential(store, token.user)
        if token.last_used_at is None or (now - aware(token.last_used_at)).total_seconds() > 60:
            store.touch_token(token.id, now)
            uow.commit()
        return user.principal()


def issue_token(
    username: str,
    name: str,
    scopes: list[str] | tuple[str, ...],
    days: int,
    *,
    settings: IdentitySettings,
    uow: UnitOfWork,
) -> IssuedToken:
    if not 1 <= days <= settings.token_max_days:
        raise InvalidInput(f"a token lives 1 to {settings.token_max_days} days, not {days}")
    if not name.strip():
        raise InvalidInput("give the token a name that says what it is for")
    now = utc_now()
    secret = tokens.new_api_token()
    with uow:
        user = _user(IdentityStore(uow.session), username)
        user.check_active()
        token = ApiToken(
            id=tokens.new_token_id(),
            user=username,
            name=name.strip(),
            token_hash=tokens.digest(secret),
            scopes=parse_scopes(list(scopes)),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        uow.session.add(token)
        uow.audit("issue", "api-token", token.id, None, token_snapshot(token))
        uow.commit()
        return IssuedToken(token, secret)


def check_token_rate(
    username: str, address: str | None, settings: IdentitySettings, uow: UnitOfWork
) -> None:
    """Count one call of the token endpoint; refuse with 429 past the limit."""
    now = utc_now()
    limit = rate_limit.Limit(
        rate_limit.TOKEN_CALL, settings.token_calls_per_user, settings.token_window_seconds
    )
    keys = [rate_limit.user_key(username), rate_limit.address_key(address)]
    with uow:
        attempts = AttemptStore(uow.session)
        rate_limit.check(attempts, limit, keys, now)
        rate_limit.record(attempts, limit, keys, now)
        uow.commit()


def revoke_token(token_id: str, owner: str | None, uow: UnitOfWork) -> ApiToken:
    """Revoke a token; `owner` limits it to that user's tokens (None: any, for the CLI)."""
    with uow:
        token = IdentityStore(uow.session).token(token_id)
        if token is None or (owner is not None and token.user != owner):
            raise NotFound(f"no API token '{token_id}'")
        if token.revoked_at is None:
            before = token_snapshot(token)
            token.revoked_at = utc_now()
            uow.audit("revoke", "api-token", token.id, before, token_snapshot(token))
            uow.commit()
        return token


def list_tokens(owner: str | None, uow: UnitOfWork) -> list[ApiToken]:
    with uow:
        return IdentityStore(uow.session).tokens(owner)


def _user(store: IdentityStore, username: str) -> User:
    user = store.user(username)
    if user is None:
        raise NotFound(f"no user '{username}'")
    return user


def _user_for_credential(store: IdentityStore, username: str) -> User:
    user = store.user(username)
    if user is None:
        raise Unauthenticated("the account behind this credential is gone; sign in again")
    user.check_active()
    return user


def _user_limit(settings: IdentitySettings) -> rate_limit.Limit:
    return rate_limit.Limit(
        rate_limit.LOGIN_FAILURE, settings.login_failures_per_user, settings.login_window_seconds
    )


def _address_limit(settings: IdentitySettings) -> rate_limit.Limit:
    return rate_limit.Limit(
        rate_limit.LOGIN_FAILURE,
        settings.login_failures_per_address,
        settings.login_window_seconds,
    )


def user_for_claims(claimed: ClaimedUser, uow: UnitOfWork) -> User:
    """The user an identity provider vouched for: existing, or provisioned from the claims."""
    with uow:
        store = IdentityStore(uow.session)
        user = store.user(claimed.username)
        if user is not None:
            user.check_active()
            return user
        if not (claimed.nation and claimed.organisation and claimed.roles):
            raise Unauthenticated(
                f"'{claimed.username}' is not a materiel user yet, and the identity provider "
                "did not send their nation, organisation and roles; ask an administrator to add "
                "the user (`materiel user add`) or to map those claims (docs/security.md)"
            )
        org_id = claims.organisation_id(claimed.organisation, claimed.nation)
        if store.organisation(org_id) is None:
            organisation = Organisation(org_id, claimed.organisation, claimed.nation)
            uow.session.add(organisation)
            uow.audit("create", "organisation", org_id, None, organisation)
        user = User(
            username=claimed.username,
            display_name=claimed.display_name,
            organisation=org_id,
            nation=claimed.nation,
            roles=claimed.roles,
            clearance=claimed.clearance,
            created_at=utc_now(),
        )
        uow.session.add(user)
        uow.audit("provision", "user", user.username, None, user_snapshot(user))
        uow.commit()
        return user
