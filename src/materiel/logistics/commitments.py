"""What has left each pledge for each requirement, read from shipments for donations.

Installed as `donations.commitments`' reader at start-up, so an allocation
re-plan plans only what has not left and a requirement's status follows its
deliveries, while donations still never imports logistics.
"""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from materiel.donations.commitments import Commitment
from materiel.logistics.model import STARTED, ShipmentStatus
from materiel.logistics.store import shipments
from materiel.platform.access.sessions import elevated


def started_units(session: Session) -> list[Commitment]:
    """Per (pledge, requirement): units sent, arriving (received, or not yet in), received.

    Read as the system: what has left binds every plan, whoever runs it.
    """
    c = shipments.c
    received = c.status == ShipmentStatus.RECEIVED.value
    query = (
        select(
            c.pledge,
            c.requirement,
            func.sum(c.units),
            func.sum(case((received, c.units_received), else_=c.units)),
            func.sum(case((received, c.units_received), else_=0)),
            func.max(c.planned_arrival),
        )
        .where(c.status.in_([s.value for s in STARTED]))
        .group_by(c.pledge, c.requirement)
        .order_by(c.pledge, c.requirement)
    )
    with elevated(session):
        rows = session.execute(query).all()
    return [
        Commitment(pledge, requirement, int(sent), int(arriving), int(got), arrival)
        for pledge, requirement, sent, arriving, got, arrival in rows
    ]
