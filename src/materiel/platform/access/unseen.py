"""How many rows under each key exist that the session's principal may not read.

A record whose figures sum over rows (a plan's totals over its lines) must
not show those sums to a reader who sees only some of the rows: the sums
would carry what the hidden rows are marked to withhold. Callers ask here
which records are seen only in part, and show figures over what is seen.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from materiel.platform.access.sessions import as_system, principal_of


def unseen_rows(
    session: Session, model: type, key: ColumnElement[Any], keys: Collection[Hashable]
) -> dict[Hashable, int]:
    """Rows of `model` per value of its column `key` the principal may not read.

    Keys with none are left out. The count selects from the mapped class, so
    the access filter, or row-level security, applies to the first count.
    """
    if not keys or principal_of(session).is_system:
        return {}
    query = select(key, func.count()).select_from(model).where(key.in_(list(keys))).group_by(key)
    seen: dict[Hashable, int] = dict(session.execute(query).all())
    with as_system(session):
        every: dict[Hashable, int] = dict(session.execute(query).all())
    return {k: n - seen.get(k, 0) for k, n in every.items() if n > seen.get(k, 0)}
