"""Sliding-window limits on failed logins and on the token endpoint.

Attempts are rows in the database, so several API processes on one
PostgreSQL share the count (an in-memory counter would let an attacker
multiply the limit by the number of processes). Each key is limited on its
own: per username and per client address.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from materiel.core.errors import TooManyRequests
from materiel.platform.identity.model import aware
from materiel.platform.identity.store import AttemptStore

LOGIN_FAILURE = "login-failure"
TOKEN_CALL = "token-call"  # noqa: S105 (a kind of attempt, not a secret)


@dataclass(frozen=True)
class Limit:
    """At most `attempts` of `kind` per key within `window_seconds`."""

    kind: str
    attempts: int
    window_seconds: int

    def start(self, now: datetime) -> datetime:
        return now - timedelta(seconds=self.window_seconds)


def check(store: AttemptStore, limit: Limit, keys: list[str], now: datetime) -> None:
    """Refuse with 429 and the seconds to wait when any key used up its window."""
    for key in keys:
        moments = store.since(limit.kind, key, limit.start(now))
        if len(moments) >= limit.attempts:
            oldest = aware(moments[len(moments) - limit.attempts])
            wait = (oldest + timedelta(seconds=limit.window_seconds) - now).total_seconds()
            raise TooManyRequests(
                "too many attempts; wait and try again later (see Retry-After)",
                retry_after=max(1, math.ceil(wait)),
            )


def record(store: AttemptStore, limit: Limit, keys: list[str], now: datetime) -> None:
    """Count one attempt for each key, dropping the key's attempts that left the window."""
    for key in keys:
        store.forget(limit.kind, key, before=limit.start(now))
        store.add(limit.kind, key, now)


def user_key(username: str) -> str:
    return f"user:{username.strip().lower()}"


def address_key(address: str | None) -> str:
    return f"address:{address or 'unknown'}"
