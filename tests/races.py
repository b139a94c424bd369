"""Use cases raced on real threads, every run in the interleaving that hurts.

A lost write needs two writers that both decide on the same state: each
reads before either writes. Left to chance, threads rarely do that. Here
each racer runs on its own thread, and the functions named in `pause_after`
(called by the use cases once they have read what they decide on) hold the
first call on each racing thread until every racer has made it. Then all go
on together, to write against the same state, on the real database.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any

import pytest

# How long a racer waits for the others at the pause: one that never gets there
# (refused earlier) lets the others go on after this.
PAUSE_TIMEOUT_S = 10.0
RACE_TIMEOUT_S = 120.0


def race(
    monkeypatch: pytest.MonkeyPatch,
    pause_after: Sequence[tuple[object, str]],
    *calls: Callable[[], Any],
) -> list[Any]:
    """Run `calls` at once; each one's result, or the exception it raised."""
    barrier = threading.Barrier(len(calls), timeout=PAUSE_TIMEOUT_S)
    racer = threading.local()
    for owner, name in pause_after:
        monkeypatch.setattr(owner, name, _pausing(getattr(owner, name), barrier, racer))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        racer.racing = True
        try:
            results[index] = call()
        except Exception as exc:  # the outcome under test
            results[index] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(RACE_TIMEOUT_S)
    assert not any(t.is_alive() for t in threads), "a racer did not finish"
    return results


def _pausing(
    function: Callable[..., Any], barrier: threading.Barrier, racer: threading.local
) -> Callable[..., Any]:
    @functools.wraps(function)
    def paused(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        if getattr(racer, "racing", False) and not getattr(racer, "paused", False):
            racer.paused = True
            with suppress(threading.BrokenBarrierError):
                barrier.wait()
        return result

    return paused


def errors(results: Sequence[Any]) -> list[BaseException]:
    return [r for r in results if isinstance(r, BaseException)]
