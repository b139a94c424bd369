"""Binding a principal to a session, and filtering every ORM query of it.

A session bound to a principal gets the policy's loader criteria on each
ORM SELECT (lists, counts over them, `session.get`, relationship loads), so
a forgotten filter in a store cannot leak rows. Statements on bare tables
(Core) are not filtered: stores query protected records through their
mapped classes. Sessions that were not bound (background jobs, the command
line) act as the system principal.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from materiel.core.principal import Principal
from materiel.platform.access import row_security
from materiel.platform.access.policy import Policy, Snapshot

_PRINCIPAL = "principal"
_POLICY = "access_policy"
_APP_FILTER = "access_app_filter"


def install(factory: sessionmaker[Any], policy: Policy, *, app_filter: bool = True) -> None:
    """Apply `policy` to every session `factory` makes.

    `app_filter=False` leaves reads to PostgreSQL's row-level security alone;
    the leak test uses it to prove that the second wall holds by itself.
    """
    factory.configure(info={_POLICY: policy, _APP_FILTER: app_filter})
    event.listen(factory, "do_orm_execute", _filter_reads)
    event.listen(factory, "after_begin", _announce_principal)


def bind(session: Session, principal: Principal) -> None:
    session.info[_PRINCIPAL] = principal


def principal_of(session: Session) -> Principal:
    principal = session.info.get(_PRINCIPAL)
    return principal if isinstance(principal, Principal) else Principal.system()


def check_change(
    session: Session, entity: str, before: Snapshot | None, after: Snapshot | None
) -> None:
    """Refuse a change the session's principal may not make (no policy: nothing to check)."""
    policy = session.info.get(_POLICY)
    if isinstance(policy, Policy):
        policy.check_change(principal_of(session), entity, before, after)


@contextmanager
def elevated(session: Session) -> Iterator[None]:
    """Act as the system for consequences a user's action has on records they cannot see.

    Example: a receipt by the partner marks the donor's pledge delivered. The
    audit entries still name the user; only the filters and checks step aside.
    What is written inside is flushed inside: under row-level security an
    UPDATE sees only the rows its principal may see.
    """
    session.flush()  # the user's own changes, as the user
    with as_system(session):
        yield
        session.flush()


@contextmanager
def as_system(session: Session) -> Iterator[None]:
    """The system's principal for what runs inside, with no flush (safe inside one)."""
    user = principal_of(session)
    bind(session, Principal.system(user.username))
    row_security.announce(session, Principal.system(user.username))
    try:
        yield
    finally:
        bind(session, user)
        row_security.announce(session, user)


def _filter_reads(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    session = state.session
    policy = session.info.get(_POLICY)
    principal = principal_of(session)
    if not isinstance(policy, Policy) or principal.is_system or not session.info.get(_APP_FILTER):
        return
    state.statement = state.statement.options(*policy.criteria(principal))


def _announce_principal(session: Session, _transaction: Any, connection: Any) -> None:
    row_security.announce_on(connection, principal_of(session))
