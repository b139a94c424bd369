"""The Content-Security-Policy breaks no page: a real browser reports no violation.

Each main page (and the API docs) is opened signed in; the browser's own
`securitypolicyviolation` events and console errors are collected, and there
must be none. Widths that the server computes (shipment timelines) still
reach the page, through data attributes instead of style attributes.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.auth import TEST_PASSWORD, ensure_user
from tests.web.support import Site

pytestmark = pytest.mark.browser

RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${where}`);
});
"""


def sign_in(page: Page, site: Site) -> None:
    username = ensure_user(site.runtime)
    page.goto(f"{site.url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state("load")
    assert "/login" not in page.url, "signing in failed"


def violations(page: Page) -> list[str]:
    found: list[str] = page.evaluate("window.__violations || []")
    return found


def test_pages_run_under_the_policy_without_violations(page: Page, site: Site) -> None:
    console: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            console.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: console.append(f"{page.url}: {error}"))
    page.add_init_script(RECORD_VIOLATIONS)
    page.set_default_timeout(60_000)  # a dozen pages in a row on a busy 2-core machine
    sign_in(page, site)
    seen: dict[str, list[str]] = {}
    for path in ("/", "/requirements", "/pledges", "/catalogue", "/plans", "/imports"):
        page.goto(site.url + path)
        page.wait_for_load_state("load")
        seen[path] = violations(page)
    page.goto(f"{site.url}/plans/{site.accepted_plan}")
    seen["plan"] = violations(page)
    page.goto(f"{site.url}/map")
    expect(page.locator("#map")).to_have_attribute("data-ready", "true", timeout=20_000)
    seen["/map"] = violations(page)
    page.goto(f"{site.url}/shipments")
    page.locator("a[href^='/shipments/']").first.click()
    bar = page.locator(".timeline-bar").first
    expect(bar).to_be_visible()
    assert bar.evaluate("element => element.style.width").endswith("%")
    seen["shipment"] = violations(page)
    page.goto(f"{site.url}/docs")
    expect(page.locator(".swagger-ui .info")).to_be_visible(timeout=20_000)
    seen["/docs"] = violations(page)
    assert {where: found for where, found in seen.items() if found} == {}
    assert console == []
    # The control: the policy is enforced and reported, so the silence above means something.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<b style=\"color:red\">x</b>')")
    page.wait_for_function("window.__violations.length > 0")
    assert any(v.startswith("style-src") for v in violations(page))
