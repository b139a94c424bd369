"""Shipments follow their pledge's marking.

A shipment bears the marking of the pledge it moves (set when the transport
plan is stored), and who sees the shipment, its legs and its custody is
decided by that marking. When a pledge is re-marked, through any path that
changes it in a session (form, API, import), its shipments are re-marked
before the same flush, so no shipment is ever shown by an out-of-date
marking. The user may not see every such shipment, so this steps aside
from the read filters; the pledge's audit entry records the change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect, update
from sqlalchemy.orm import Session, sessionmaker

from materiel.donations.model import Pledge
from materiel.logistics.model import Shipment
from materiel.logistics.store import shipments
from materiel.platform.access.sessions import as_system

MARKING = ("classification", "releasable_to")


def install(factory: sessionmaker[Any]) -> None:
    """Keep shipments' markings in step in every session `factory` makes."""
    event.listen(factory, "before_flush", follow_pledge_markings)


def remarked_pledges(session: Session) -> list[Pledge]:
    """Pledges about to be flushed whose classification or releasability changed."""
    return [
        pledge
        for pledge in session.dirty
        if isinstance(pledge, Pledge)
        and any(inspect(pledge).attrs[name].history.has_changes() for name in MARKING)
    ]


def follow_pledge_markings(session: Session, _context: Any, _instances: Any) -> None:
    """Give each re-marked pledge's shipments its new marking."""
    remarked = remarked_pledges(session)
    if not remarked:
        return
    with as_system(session):  # inside a flush: statements run at once
        for pledge in remarked:
            session.execute(
                update(shipments)
                .where(shipments.c.pledge == pledge.id)
                .values(classification=pledge.classification, releasable_to=pledge.releasable_to)
            )
    ids = {pledge.id for pledge in remarked}
    for record in list(session.identity_map.values()):
        if isinstance(record, Shipment) and record.pledge in ids:
            session.expire(record, list(MARKING))
