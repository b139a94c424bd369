"""Records that bear a pledge's and a requirement's markings follow them.

Plan lines and shipments are stored with the markings of the pledge and the
requirement they concern, and who sees them is decided by both. When either
is re-marked, through any path that changes it in a session (form, API,
import), those records are re-marked before the same flush, so none is ever
shown by an out-of-date marking. The user may not see every such record, so
this steps aside from the read filters; the re-marked record's audit entry
records the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, event, inspect, update
from sqlalchemy.orm import Session, sessionmaker

from materiel.donations.model import Pledge, Requirement
from materiel.platform.access.sessions import as_system

MARKING = ("classification", "releasable_to")
# Which columns of a bearer carry the marking of which record it names.
FOLLOWS: tuple[tuple[type, str, dict[str, str]], ...] = (
    (Pledge, "pledge", {"classification": "classification", "releasable_to": "releasable_to"}),
    (
        Requirement,
        "requirement",
        {
            "requirement_classification": "classification",
            "requirement_releasable_to": "releasable_to",
        },
    ),
)


def install(factory: sessionmaker[Any], bearers: Sequence[Table]) -> None:
    """In every session `factory` makes, keep the `bearers` (tables naming both) in step."""

    def follow(session: Session, _context: Any, _instances: Any) -> None:
        follow_markings(session, bearers)

    event.listen(factory, "before_flush", follow)


def remarked(session: Session, kind: type) -> list[Any]:
    """Records of `kind` about to be flushed whose classification or releasability changed."""
    return [
        record
        for record in session.dirty
        if isinstance(record, kind)
        and any(inspect(record).attrs[name].history.has_changes() for name in MARKING)
    ]


def follow_markings(session: Session, bearers: Sequence[Table]) -> None:
    """Give the records that name each re-marked pledge or requirement its new marking."""
    for kind, column, columns in FOLLOWS:
        changed = remarked(session, kind)
        if not changed:
            continue
        with as_system(session):  # inside a flush: statements run at once
            for record in changed:
                marking = {ours: getattr(record, theirs) for ours, theirs in columns.items()}
                for table in bearers:
                    where = table.c[column] == record.id
                    session.execute(update(table).where(where).values(marking))
        ids = {record.id for record in changed}
        for bearer in list(session.identity_map.values()):
            if getattr(bearer, column, None) in ids and hasattr(bearer, "marking"):
                session.expire(bearer, list(columns))
