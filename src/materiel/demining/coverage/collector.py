"""Python's cyclic garbage collector, paused while a plan is made.

A plan allocates some 10^5 small containers (graph vertices and edges,
geometries, heap entries) in no reference cycles; reference counting frees
them all. The collector's passes over them, and over the whole heap once
enough of them live long, cost up to a tenth of the planning time.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block; the collector's state is restored after it,
    on errors too (left alone if it was already off, e.g. paused by another thread)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
