"""Crash cycles: clients write, the server is SIGKILLed and restarted, nothing acknowledged is lost.

Shared by the short test in the suite (tests/platform/test_crash_recovery.py)
and the long soak (tests/soak/test_crash_soak.py). A write counts as
acknowledged only when the client received a 2xx; a request cut off by the
kill is not acknowledged (it may or may not have been committed, both are
correct). After every restart each acknowledged record must be readable
through the API and present in the database, with its audit entry (the
record and its audit entry commit together or not at all).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

import httpx
from sqlalchemy import text

from materiel.bootstrap import Runtime
from materiel.core.paging import MAX_PAGE_SIZE
from tests.server_process import ServerProcess

CLIENTS = 6


@dataclass
class CrashFigures:
    """What the cycles did and found, for assertions and for the soak's printout."""

    backend: str
    cycles: int = 0
    attempted: int = 0
    acknowledged: set[str] = field(default_factory=set)
    server_errors: list[int] = field(default_factory=list)  # 5xx answers: must stay empty
    checked: int = 0  # acknowledged writes looked up after restarts (summed over restarts)
    found: int = 0  # acknowledged writes present at the last check
    lost: set[str] = field(default_factory=set)
    committed_unacknowledged: int = 0  # in flight at the kill, committed but never answered

    def summary(self) -> str:
        return (
            f"{self.backend}: {self.cycles} crash cycles survived, "
            f"{self.attempted} writes attempted, {len(self.acknowledged)} acknowledged, "
            f"{self.found} found, {self.checked} acknowledged-write checks after restarts, "
            f"{self.committed_unacknowledged} committed without acknowledgement, "
            f"lost = {len(self.lost)}, 5xx = {len(self.server_errors)}"
        )


def requirement(ref: str) -> dict[str, object]:
    return {
        "ref": ref,
        "item_type": "pzh-2000",
        "quantity": 1 + len(ref) % 7,
        "priority": 3,
        "needed_by": "2027-06-01",
        "unit": "47th Mechanized Brigade",
        "destination": "lviv",
    }


class Writers:
    """Client threads creating records with distinct refs until the server goes away."""

    def __init__(self, base_url: str, headers: dict[str, str], prefix: str) -> None:
        self.base_url, self.headers, self.prefix = base_url, headers, prefix
        self.lock = threading.Lock()
        self.attempted = 0
        self.acknowledged: set[str] = set()
        self.server_errors: list[int] = []

    def run(self, client: int) -> None:
        with httpx.Client(base_url=self.base_url, headers=self.headers, timeout=60) as http:
            for n in range(1_000_000):
                ref = f"{self.prefix}-{client}-{n}"
                with self.lock:
                    self.attempted += 1
                try:
                    response = http.post("/api/requirements", json=requirement(ref))
                except httpx.TransportError:
                    return  # the server is gone: this write is not acknowledged
                with self.lock:
                    if 200 <= response.status_code < 300:
                        self.acknowledged.add(ref)
                    elif response.status_code >= 500:
                        self.server_errors.append(response.status_code)


def crash_cycle(
    server: ServerProcess,
    headers: dict[str, str],
    prefix: str,
    rng: random.Random,
    figures: CrashFigures,
) -> None:
    """Write from several clients, SIGKILL the server at a random moment, wait for the clients."""
    writers = Writers(server.base_url, headers, prefix)
    threads = [threading.Thread(target=writers.run, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    threading.Event().wait(rng.uniform(0.3, 1.5))
    server.kill()
    for thread in threads:
        thread.join(timeout=120)
    figures.cycles += 1
    figures.attempted += writers.attempted
    figures.acknowledged |= writers.acknowledged
    figures.server_errors += writers.server_errors


def refs_from_api(base_url: str, headers: dict[str, str]) -> set[str]:
    found: set[str] = set()
    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
        while True:
            page = http.get(
                "/api/requirements", params={"limit": MAX_PAGE_SIZE, "offset": len(found)}
            )
            assert page.status_code == 200, page.text
            items = page.json()["items"]
            found |= {item["id"] for item in items}
            if not items or len(found) >= page.json()["total"]:
                return found


def refs_in_database(runtime: Runtime) -> tuple[set[str], set[str]]:
    """The stored requirement ids, and those with a 'create' audit entry, read directly."""
    with runtime.engine.connect() as connection:
        stored = set(connection.scalars(text("SELECT id FROM requirements")))
        audited = set(
            connection.scalars(
                text(
                    "SELECT entity_id FROM audit_log "
                    "WHERE entity = 'requirement' AND action = 'create'"
                )
            )
        )
    return stored, audited


def check_after_restart(
    server: ServerProcess, headers: dict[str, str], runtime: Runtime, figures: CrashFigures
) -> None:
    """Every acknowledged write is there, through the API and in the database, with its audit."""
    through_api = refs_from_api(server.base_url, headers)
    stored, audited = refs_in_database(runtime)
    assert through_api == stored, "the API and the database disagree"
    assert stored == audited, f"records without their audit entry: {stored ^ audited}"
    figures.checked += len(figures.acknowledged)
    figures.lost |= figures.acknowledged - stored
    figures.found = len(figures.acknowledged & stored)
    figures.committed_unacknowledged = len(stored - figures.acknowledged)


def integrity_problems(runtime: Runtime) -> list[str]:
    """SQLite's own check of the file (pages, indexes, free list); PostgreSQL has none to run."""
    if runtime.engine.url.get_backend_name() != "sqlite":
        return []
    with runtime.engine.connect() as connection:
        rows = [str(row) for row in connection.scalars(text("PRAGMA integrity_check"))]
    return [] if rows == ["ok"] else rows


def run_crash_cycles(
    runtime: Runtime,
    server: ServerProcess,
    headers: dict[str, str],
    cycles: int,
    seed: int,
    *,
    figures: CrashFigures | None = None,
) -> CrashFigures:
    """`cycles` times: (re)start, check, write, kill; then a last restart and check.

    Pass `figures` to keep what was counted when a cycle fails half-way.
    """
    figures = figures or CrashFigures(runtime.engine.url.get_backend_name())
    rng = random.Random(seed)
    for cycle in range(cycles):
        server.start()
        check_after_restart(server, headers, runtime, figures)
        crash_cycle(server, headers, f"CRASH-{cycle}", rng, figures)
    server.start()
    check_after_restart(server, headers, runtime, figures)
    server.stop()
    return figures
