"""Records that bear a pledge's marking follow it.

Plan lines and shipments are stored with the marking of the pledge they
concern, and who sees them is decided by that marking. When a pledge is
re-marked, through any path that changes it in a session (form, API,
import), those records are re-marked before the same flush, so none is ever
shown by an out-of-date marking. The user may not see every such record, so
this steps aside from the read filters; the pledge's audit entry records the
change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, event, inspect, update
from sqlalchemy.orm import Session, sessionmaker

from materiel.donations.model import Pledge
from materiel.platform.access.sessions import as_system

MARKING = ("classification", "releasable_to")


def install(factory: sessionmaker[Any], bearers: Sequence[Table]) -> None:
    """In every session `factory` makes, keep the `bearers` (tables with a `pledge`) in step."""

    def follow(session: Session, _context: Any, _instances: Any) -> None:
        follow_pledge_markings(session, bearers)

    event.listen(factory, "before_flush", follow)


def remarked_pledges(session: Session) -> list[Pledge]:
    """Pledges about to be flushed whose classification or releasability changed."""
    return [
        pledge
        for pledge in session.dirty
        if isinstance(pledge, Pledge)
        and any(inspect(pledge).attrs[name].history.has_changes() for name in MARKING)
    ]


def follow_pledge_markings(session: Session, bearers: Sequence[Table]) -> None:
    """Give the records of each re-marked pledge its new marking."""
    remarked = remarked_pledges(session)
    if not remarked:
        return
    with as_system(session):  # inside a flush: statements run at once
        for pledge in remarked:
            marking = {name: getattr(pledge, name) for name in MARKING}
            for table in bearers:
                session.execute(update(table).where(table.c.pledge == pledge.id).values(marking))
    ids = {pledge.id for pledge in remarked}
    for record in list(session.identity_map.values()):
        if getattr(record, "pledge", None) in ids and hasattr(record, "marking"):
            session.expire(record, list(MARKING))
