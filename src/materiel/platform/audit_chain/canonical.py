"""The canonical bytes of an audit entry: what its leaf hash is computed over.

One JSON object, keys in this fixed order, no whitespace, UTF-8:

    {"seq":N,"at":"YYYY-MM-DDTHH:MM:SS.ffffffZ","actor":S,"action":S,
     "entity":S,"entity_id":S,"before":B,"after":A}

S are JSON strings; B and A are the before/after JSON texts exactly as stored
(`null` when absent). Hashing the stored text, not a re-encoding of its parsed
value, makes the bytes identical whichever database stores them: SQLite and
PostgreSQL's `json` type both keep the text verbatim. `at` is UTC with
microseconds (SQLite hands back naive UTC, PostgreSQL an aware time).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True)
class EntryFields:
    """The hashed fields of one entry, as stored (before/after as JSON text)."""

    seq: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: str
    before: str | None
    after: str | None


def json_text(value: Any) -> str | None:
    """The JSON text stored for a before/after snapshot (None stays SQL NULL)."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive time is UTC already (that is how SQLite returns it)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def format_at(moment: datetime) -> str:
    return as_utc(moment).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


# What json.dumps(value, ensure_ascii=False) gives for a str, without its overhead.
_string = json.encoder.encode_basestring


def _stored(text: str | None) -> str:
    return "null" if text is None else text


def entry_bytes(entry: EntryFields) -> bytes:
    """The canonical encoding described above."""
    text = (
        f'{{"seq":{entry.seq},"at":"{format_at(entry.at)}",'
        f'"actor":{_string(entry.actor)},"action":{_string(entry.action)},'
        f'"entity":{_string(entry.entity)},"entity_id":{_string(entry.entity_id)},'
        f'"before":{_stored(entry.before)},"after":{_stored(entry.after)}}}'
    )
    return text.encode("utf-8")
