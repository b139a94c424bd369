"""Screenshots of the main pages at 1280x800, for the documentation.

They are always taken (so the pages are checked to render at that size), but
written to docs/screenshots/ only with MATERIEL_SCREENSHOTS=1:

    MATERIEL_SCREENSHOTS=1 .venv/bin/pytest tests/web/test_screenshots.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.web.support import Site, offers, upload, write_pledges

pytestmark = pytest.mark.browser

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAX_BYTES = 400_000


def test_screenshots_of_the_main_pages(page: Page, site: Site, tmp_path: Path) -> None:
    folder = DOCS_SCREENSHOTS if os.environ.get("MATERIEL_SCREENSHOTS") == "1" else tmp_path
    folder.mkdir(parents=True, exist_ok=True)
    page.emulate_media(reduced_motion="reduce")
    shots: list[Path] = []

    def shoot(name: str) -> None:
        path = folder / name
        page.screenshot(path=path, full_page=False, animations="disabled", caret="hide")
        shots.append(path)

    page.goto(site.url + "/")
    page.wait_for_function(
        "() => window.Chart && ['chart-unmet', 'chart-area', 'chart-donor']"
        ".every((id) => Chart.getChart(id))"
    )
    shoot("overview.png")

    page.goto(site.url + "/requirements")
    expect(page.locator("#results tbody tr")).to_have_count(50)
    shoot("requirements.png")

    page.goto(site.url + "/shipments")
    page.locator("#shipments tbody tr a").nth(5).click()
    expect(page.locator(".timeline-bar").first).to_be_visible()
    shoot("shipment.png")

    plan = site.current_accepted_plan()
    page.goto(f"{site.url}/plans/{plan}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Plan {plan} accepted")
    shoot("plan.png")

    page.goto(site.url + "/map")
    expect(page.locator("#map[data-ready=true]")).to_be_attached()
    expect(page.locator("#map .leaflet-marker-icon").first).to_be_visible()
    shoot("map.png")

    page.goto(site.url + "/imports")
    upload(page, write_pledges(tmp_path / "offers.xlsx", offers("Atlantis")))
    expect(page.locator("#rejected tbody tr")).to_have_count(1)
    shoot("import-preview.png")

    page.goto(site.url + "/requirements/REQ-0001")
    quantity = page.get_by_label("Quantity")
    quantity.fill("0")
    page.get_by_role("button", name="Save changes").click()
    error = page.locator("#e-quantity")
    expect(error).to_be_visible()
    edit = page.get_by_role("heading", name="Edit", exact=True)
    edit.evaluate("(heading) => heading.scrollIntoView({block: 'start'})")
    expect(error).to_be_in_viewport()
    shoot("requirement-form-error.png")

    for path in shots:
        size = path.stat().st_size
        assert 10_000 < size < MAX_BYTES, f"{path.name}: {size} bytes"
