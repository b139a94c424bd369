"""Fifty clients race to change one record through the real server: no write is lost.

Optimistic concurrency end to end: each client sends If-Match with the ETag
it read. Per version exactly one change is accepted and every other client
is told 412 (never a 5xx); the losers re-read and try again until all fifty
changes have landed, and the audit history then lists the accepted changes
in the order of the versions they were made against.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.platform.database import make_engine, make_session_factory
from tests.auth import auth_headers, signed_in_client
from tests.factories import load_reference_data
from tests.server_process import ServerProcess, running_server

CLIENTS = 50
ATTEMPTS_PER_CLIENT = 400
BACKOFF_S = 1.0  # a loser waits up to this long before re-reading: fewer collide again
REFUSED = {409, 412}
REQUIREMENT = {
    "ref": "REQ-RACE",
    "item_type": "pzh-2000",
    "quantity": 1,
    "priority": 2,
    "needed_by": "2027-03-01",
    "unit": "47th Mechanized Brigade",
    "destination": "lviv",
}
URL = "/api/requirements/REQ-RACE"


@dataclass
class Outcomes:
    """What the server answered, gathered from every client thread."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    statuses: list[int] = field(default_factory=list)
    first_round: list[int] = field(default_factory=list)
    accepted: dict[int, int] = field(default_factory=dict)  # version edited -> client
    doubly_accepted: list[tuple[int, int]] = field(default_factory=list)
    given_up: list[int] = field(default_factory=list)

    def record(self, client: int, version: int, status: int, first: bool) -> None:
        with self.lock:
            self.statuses.append(status)
            if first:
                self.first_round.append(status)
            if 200 <= status < 300:
                if version in self.accepted:
                    self.doubly_accepted.append((version, client))
                self.accepted[version] = client


@pytest.fixture
def server(runtime: Runtime, tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    load_reference_data(runtime)
    headers = auth_headers(runtime)  # before the server starts: it may create a user and token
    with running_server(runtime.settings.database_url, tmp_path) as process:
        yield process, headers


def quantity_of(client: int) -> int:
    return 100 + client


def read_version(http: httpx.Client) -> int:
    response = http.get(URL)
    assert response.status_code == 200, response.text
    return int(response.headers["ETag"].strip('"'))


def change(
    http: httpx.Client, client: int, version: int, outcomes: Outcomes, first: bool = False
) -> bool:
    response = http.patch(
        URL,
        json={"quantity": quantity_of(client), "justification": f"client {client}"},
        headers={"If-Match": f'"{version}"'},
    )
    outcomes.record(client, version, response.status_code, first)
    return 200 <= response.status_code < 300


def run_client(
    http: httpx.Client, client: int, first_version: int, start: threading.Barrier, out: Outcomes
) -> None:
    """Send one change with the version all clients read, then re-read and retry until it lands."""
    start.wait()
    if change(http, client, first_version, out, first=True):
        return
    jitter = random.Random(client)
    for _ in range(ATTEMPTS_PER_CLIENT):
        threading.Event().wait(jitter.uniform(0, BACKOFF_S))
        if change(http, client, read_version(http), out):
            return
    with out.lock:
        out.given_up.append(client)


def race(base_url: str, headers: dict[str, str]) -> tuple[Outcomes, int]:
    outcomes = Outcomes()
    # The server closes a connection idle for 5 s; dropping ours sooner means no
    # request is ever sent on a connection the server is closing (a reset, not an answer).
    limits = httpx.Limits(
        max_connections=CLIENTS, max_keepalive_connections=CLIENTS, keepalive_expiry=2.0
    )
    with httpx.Client(base_url=base_url, headers=headers, timeout=120, limits=limits) as http:
        created = http.post("/api/requirements", json=REQUIREMENT)
        assert created.status_code == 201, created.text
        first = read_version(http)
        start = threading.Barrier(CLIENTS)
        threads = [
            threading.Thread(target=run_client, args=(http, i, first, start, outcomes))
            for i in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return outcomes, first


@pytest.mark.slow
def test_fifty_concurrent_updates_one_wins_per_version_and_none_is_lost(
    server: tuple[ServerProcess, dict[str, str]],
) -> None:
    process, headers = server
    outcomes, first = race(process.base_url, headers)
    refused = sum(status in REFUSED for status in outcomes.statuses)
    sent, accepted = len(outcomes.statuses), len(outcomes.accepted)
    print(f"{sent} updates sent, {accepted} accepted, {refused} refused")  # noqa: T201 (with -s)

    assert [s for s in outcomes.statuses if s >= 500] == [], process.log_tail()
    assert set(outcomes.statuses) <= {200} | REFUSED
    assert outcomes.doubly_accepted == []
    assert outcomes.given_up == []
    # the first round: all fifty sent the same version, exactly one was accepted
    assert len(outcomes.first_round) == CLIENTS
    assert outcomes.first_round.count(200) == 1
    assert sorted(outcomes.accepted) == list(range(first, first + CLIENTS))
    assert sorted(outcomes.accepted.values()) == list(range(CLIENTS))

    with httpx.Client(base_url=process.base_url, headers=headers, timeout=30) as http:
        final = http.get(URL)
        history = http.get("/api/audit/requirement/REQ-RACE").json()
    in_version_order = [outcomes.accepted[v] for v in sorted(outcomes.accepted)]
    updates = [entry for entry in history if entry["action"] == "update"]
    assert [entry["action"] for entry in history] == ["create"] + ["update"] * CLIENTS
    assert [entry["before"]["version"] for entry in updates] == sorted(outcomes.accepted)
    assert [entry["after"]["quantity"] for entry in updates] == [
        quantity_of(client) for client in in_version_order
    ]
    assert final.headers["ETag"] == f'"{first + CLIENTS}"'
    assert final.json()["quantity"] == quantity_of(in_version_order[-1])
    assert final.json()["justification"] == f"client {in_version_order[-1]}"


def test_a_stale_form_is_refused_with_a_clear_page_and_the_first_save_is_kept(
    runtime: Runtime,
) -> None:
    load_reference_data(runtime)
    client = signed_in_client(runtime)
    client.post("/api/requirements", json=REQUIREMENT)
    page = client.get("/requirements/REQ-RACE")
    assert 'name="version" value="1"' in page.text

    saved = client.post(
        "/requirements/REQ-RACE", data={"version": "1", "quantity": "8"}, follow_redirects=False
    )
    stale = client.post("/requirements/REQ-RACE", data={"version": "1", "quantity": "9"})

    assert saved.status_code == 303
    assert stale.status_code in {409, 412, 422}
    assert "is at version 2, you edited version 1" in stale.text
    assert client.get(URL).json()["quantity"] == 8


class EditForm(HTMLParser):
    """The values a browser would send from a page's edit form (the form posting to `action`)."""

    def __init__(self, action: str) -> None:
        super().__init__()
        self.action, self.inside, self.values = action, False, dict[str, str]()
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.inside = a.get("action") == self.action
        elif self.inside and tag == "input":
            self.values[a["name"]] = a.get("value", "")
        elif self.inside and tag == "select":
            self._select = a["name"]
            self.values.setdefault(self._select, "")
        elif self.inside and tag == "option" and self._select and "selected" in a:
            self.values[self._select] = a.get("value", "")
        elif self.inside and tag == "textarea":
            self._textarea = a["name"]
            self.values[self._textarea] = ""

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.values[self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        self.inside = self.inside and tag != "form"
        self._select = None if tag == "select" else self._select
        self._textarea = None if tag == "textarea" else self._textarea


def edit_form(html: str) -> dict[str, str]:
    parser = EditForm("/requirements/REQ-RACE")
    parser.feed(html)
    return parser.values


def test_a_stale_form_comes_back_as_stored_so_saving_it_again_loses_nothing(
    runtime: Runtime,
) -> None:
    """Two users open the same form; the second to save is shown the record as it is now,
    at its version now, with what they typed beside the field: pressing Save again on
    that form keeps the first user's change."""
    load_reference_data(runtime)
    client = signed_in_client(runtime)
    client.post("/api/requirements", json=REQUIREMENT)
    seen_by_a = seen_by_b = edit_form(client.get("/requirements/REQ-RACE").text)
    assert seen_by_b["version"] == "1" and seen_by_b["quantity"] == "1"

    saved = client.post("/requirements/REQ-RACE", data={**seen_by_a, "quantity": "9"})
    stale = client.post("/requirements/REQ-RACE", data={**seen_by_b, "unit": "28th Brigade"})

    assert saved.status_code == 200 and "Saved." in saved.text
    assert stale.status_code == 422
    shown = edit_form(stale.text)
    assert (shown["version"], shown["quantity"], shown["unit"]) == ("2", "9", REQUIREMENT["unit"])
    assert "you had typed receiving unit &#39;28th Brigade&#39;" in stale.text
    beside = stale.text.split('id="e-unit"')[1].split("</span>")[0]
    assert "you typed &#39;28th Brigade&#39;" in beside
    assert 'id="e-quantity"' not in stale.text  # the user typed no other quantity

    again = client.post("/requirements/REQ-RACE", data=shown)  # Save, as the form now stands
    assert again.status_code == 200
    stored = client.get(URL).json()
    assert (stored["quantity"], stored["unit"]) == (9, REQUIREMENT["unit"])


@contextmanager
def write_lock_held(runtime: Runtime) -> Iterator[None]:
    """Another writer holding the lock a new requirement needs, until the block ends."""
    with runtime.engine.connect() as other:
        if runtime.engine.url.get_backend_name() == "sqlite":
            other.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            other.exec_driver_sql("LOCK TABLE requirements IN EXCLUSIVE MODE")
        try:
            yield
        finally:
            other.rollback()


def test_a_write_that_waits_too_long_for_a_lock_is_a_503_with_retry_after(
    runtime: Runtime,
) -> None:
    load_reference_data(runtime)
    headers = auth_headers(runtime)
    engine = make_engine(runtime.settings.database_url, lock_timeout_s=0.3)
    impatient = Runtime(runtime.settings, engine, make_session_factory(engine))
    try:
        client = TestClient(create_app(impatient), headers=headers)
        assert client.get("/api/requirements").status_code == 200  # signed in before the lock
        with write_lock_held(runtime):
            refused = client.post("/api/requirements", json=REQUIREMENT)
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"] == "1"
        assert refused.json()["title"] == "Busy"
        assert client.get(URL).status_code == 404  # nothing was written
        assert client.post("/api/requirements", json=REQUIREMENT).status_code == 201
    finally:
        impatient.close()
