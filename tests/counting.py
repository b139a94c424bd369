"""What a use case reads: records the ORM builds and statements sent, counted in a block.

Tests of reads that must not grow with the data count these instead of
timing them (no timing assertions: machines are shared and noisy).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from materiel.bootstrap import Runtime


@contextmanager
def hydrated(*models: type) -> Iterator[Counter[str]]:
    """How many records of each model the ORM builds from rows inside the block."""
    counts: Counter[str] = Counter()
    listeners = []
    for model in models:

        def loaded(_target: Any, _context: Any, name: str = model.__name__) -> None:
            counts[name] += 1

        event.listen(model, "load", loaded)
        listeners.append((model, loaded))
    try:
        yield counts
    finally:
        for model, loaded in listeners:
            event.remove(model, "load", loaded)


@contextmanager
def statements(runtime: Runtime) -> Iterator[list[str]]:
    """The SQL statements sent to the database inside the block."""
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        sent.append(sql)

    event.listen(runtime.engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(runtime.engine, "before_cursor_execute", record)
