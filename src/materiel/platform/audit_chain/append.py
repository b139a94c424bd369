"""Appending entries to the log: number them, hash them, insert them in one go.

Appends are serialised so that two transactions never take the same `seq` or
chain from the same head: PostgreSQL through a transaction-level advisory
lock, SQLite through its single write lock, both taken before the head is
read. Hashing is done in Python over the batch; the insert is one executemany.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, ColumnElement, Insert, Text, bindparam, cast, insert, select, text
from sqlalchemy.orm import Session

from materiel.platform.audit import audit_log
from materiel.platform.audit_chain.canonical import EntryFields, as_utc, entry_bytes, json_text
from materiel.platform.audit_chain.merkle import CHAIN_START, chain_hash, leaf_hash

# Any constant works; it only has to be the same in every process that appends.
APPEND_LOCK_KEY = 0x6D61_7465_7269_656C  # "materiel"
_JSON_COLUMNS = ("before", "after")


def append_entries(session: Session, entries: Sequence[Mapping[str, Any]]) -> None:
    """Append entries (keys: at, actor, action, entity, entity_id, before, after)."""
    if not entries:
        return
    _hold_append_lock(session)
    next_seq, previous = _head(session)
    rows = []
    for offset, entry in enumerate(entries):
        fields = EntryFields(
            seq=next_seq + offset,
            at=as_utc(entry["at"]),
            actor=entry["actor"],
            action=entry["action"],
            entity=entry["entity"],
            entity_id=entry["entity_id"],
            before=json_text(entry["before"]),
            after=json_text(entry["after"]),
        )
        leaf = leaf_hash(entry_bytes(fields))
        previous = chain_hash(previous, leaf)
        rows.append({**vars(fields), "leaf_hash": leaf, "chain_hash": previous})
    session.execute(_insert(session.get_bind().dialect.name), rows)


def _hold_append_lock(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK_KEY})
    else:
        # A write that matches no row still takes SQLite's write lock for this
        # transaction, so the head read next is the newest and stays so.
        session.execute(text("DELETE FROM audit_log WHERE 1 = 0"))


def _head(session: Session) -> tuple[int, bytes]:
    """The next free seq and the chain hash of the last entry."""
    last = session.execute(
        select(audit_log.c.seq, audit_log.c.chain_hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    if last is None:
        return 0, CHAIN_START
    return last.seq + 1, bytes(last.chain_hash)


def _insert(dialect: str) -> Insert:
    """An insert taking before/after as ready JSON text, so the stored text is what was hashed."""
    return insert(audit_log).values({name: _json_param(name, dialect) for name in _JSON_COLUMNS})


def _json_param(name: str, dialect: str) -> ColumnElement[Any]:
    param = bindparam(name, type_=Text())
    # PostgreSQL's json takes the text verbatim through a cast; SQLite stores text as it is.
    return cast(param, JSON) if dialect == "postgresql" else param
