"""Browser tests: the real app served by uvicorn, driven by Debian's Chromium.

One server per test process (pytest-xdist worker): a SQLite file in a tmp dir
with the demo scenario, a few extra priority 1 lines (so that a filtered list
has a second page) and an accepted allocation plan. Every browser context
blocks and records any request that would leave 127.0.0.1.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Page,
    Playwright,
    Route,
    StorageState,
    ViewportSize,
    sync_playwright,
)

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.demo.load import load_demo
from materiel.donations import plan_service
from materiel.donations.service import import_requirements, list_pledges
from materiel.donations.store import PledgeFilter
from materiel.logistics import transport_service
from materiel.platform.identity.demo_users import DEMO_PASSWORD
from materiel.platform.settings import Settings
from tests import conftest as root
from tests.web.support import DESKTOP, Site, Traffic, is_local

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
EXTRA_P1_LINES = 12  # the demo has exactly 50 priority 1 lines: one page; these make a second


def _extra_p1_lines() -> list[dict[str, str]]:
    return [
        {
            "ref": f"WEB-P1-{n:02d}",
            "item_type": "pzh-2000",
            "quantity": str(n),
            "priority": "1",
            "needed_by": "2027-06-01",
            "unit": "Web test artillery brigade",
            "destination": "hub-rzeszow",
        }
        for n in range(1, EXTRA_P1_LINES + 1)
    ]


def _prepare(folder: Path) -> Site:
    runtime = Runtime.start(Settings(database_url=f"sqlite:///{folder / 'web.db'}"))
    runtime.upgrade_schema()
    load_demo(runtime)
    import_requirements(("web test lines", _extra_p1_lines()), runtime.uow("web-test"))
    plan = plan_service.run_allocation(runtime.uow("web-test"), time_limit_s=5)
    assert plan.id is not None
    plan_service.accept_plan(plan.id, None, runtime.uow("web-test"))
    moved = transport_service.run_transport(runtime.uow("web-test"), time_limit_s=5)
    assert moved.id is not None
    transport_service.accept_transport_plan(moved.id, None, runtime.uow("web-test"))
    pledges = list_pledges(PledgeFilter(), runtime.uow(), limit=10_000).items
    restricted = next(p.id for p in pledges if p.marking.classification.name == "NATO_RESTRICTED")
    return Site("", runtime, plan.id, restricted)


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The app on 127.0.0.1 and a free port, in a thread of this test process."""
    assets = Settings(database_url="sqlite://").assets_dir
    root.require_or_skip(
        (assets / "htmx.org").is_dir(),
        f"the front-end packages are not installed in {assets}; run `make test` (npm ci)",
    )
    folder = tmp_path_factory.mktemp("web")
    prepared = _prepare(folder)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(prepared.runtime), log_level="warning", lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive(), "the web server stopped while starting"
        assert time.monotonic() < deadline, "the web server did not start in 20 s"
        time.sleep(0.05)
    try:
        yield Site(
            f"http://127.0.0.1:{port}",
            prepared.runtime,
            prepared.accepted_plan,
            prepared.restricted_pledge,
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        prepared.runtime.close()
        shutil.rmtree(folder / "uploads", ignore_errors=True)


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    root.require_or_skip(
        CHROMIUM.exists(),
        f"browser tests need Debian's Chromium at {CHROMIUM} "
        "(apt-get install chromium); Playwright never downloads a browser here",
    )
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def signed_in(browser: Browser, site: Site) -> StorageState:
    """Sign in once per test process through the real /login form, as the demo coordinator."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{site.url}/login")
    page.get_by_label("Username").fill("coordinator")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{site.url}/")
    state = context.storage_state()
    context.close()
    assert any(cookie["name"] == "materiel_session" for cookie in state["cookies"]), state
    return state


def new_context(
    browser: Browser,
    traffic: Traffic,
    viewport: ViewportSize,
    storage_state: StorageState | None = None,
) -> BrowserContext:
    """A context that records every request and aborts any that would leave 127.0.0.1."""
    context = browser.new_context(viewport=viewport, storage_state=storage_state)
    context.set_default_timeout(10_000)

    def guard(route: Route) -> None:
        url = route.request.url
        traffic.seen.append(url)
        if is_local(url):
            route.continue_()
        else:
            traffic.blocked.append(url)
            route.abort("blockedbyclient")

    context.route("**/*", guard)
    context.on("request", lambda request: traffic.seen.append(request.url))
    return context


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def context(
    browser: Browser, traffic: Traffic, signed_in: StorageState
) -> Iterator[BrowserContext]:
    context = new_context(browser, traffic, DESKTOP, signed_in)
    yield context
    context.close()
    assert not traffic.blocked, f"requests tried to leave 127.0.0.1: {traffic.blocked}"


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A desktop-sized page (1280x800)."""
    return context.new_page()
