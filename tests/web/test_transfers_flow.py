"""Recording a shipment's journey in the browser: dispatch, hand-over, receipt, discrepancy."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from materiel.logistics.model import ShipmentStatus
from materiel.logistics.service import list_shipments
from tests.web.support import Site

pytestmark = pytest.mark.browser


def test_hand_over_and_receipt_with_a_discrepancy(page: Page, site: Site) -> None:
    shipment = next(
        s for s in list_shipments(site.runtime.uow(), ShipmentStatus.PLANNED) if s.units >= 2
    )
    page.goto(f"{site.url}/shipments")
    page.get_by_role("link", name=shipment.id, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(shipment.id)
    expect(page.locator("#legs li").first).to_contain_text(shipment.origin)

    page.get_by_role("button", name="Dispatch").click()
    expect(page.get_by_role("status")).to_have_text("Recorded.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("dispatched")

    serials = [f"WEB-{n:03d}" for n in range(shipment.units)]
    page.get_by_label("From (holder)").fill("DEU")
    page.get_by_label("To (holder)").fill("47th Mechanized Brigade")
    page.get_by_label("Serial numbers").fill("\n".join(serials))
    page.get_by_label("Signed by (receiving side)").fill("Capt. Shevchenko")
    page.get_by_role("button", name="Record hand-over").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("handed-over")
    expect(page.locator("#custody")).to_contain_text("DEU → 47th Mechanized Brigade")

    page.get_by_label("Units received").fill(str(shipment.units - 1))
    page.get_by_label("Signed by (receiving unit)").fill("Capt. Shevchenko")
    page.get_by_label("Discrepancy").select_option("damaged")
    page.get_by_label("Units concerned").fill("1")
    page.get_by_label("Reason").fill("hydraulics damaged on the flat car")
    page.get_by_role("button", name="Record receipt").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("received")
    expect(page.locator("#discrepancies")).to_contain_text("open")

    page.get_by_label("Resolution").fill("repaired at the hub, forwarded")
    page.get_by_role("button", name="Resolve").click()
    expect(page.get_by_role("status")).to_have_text("Discrepancy resolved.")
    expect(page.locator("#discrepancies")).to_contain_text("resolved by")

    page.get_by_role("link", name=serials[0]).first.click()
    expect(page).to_have_url(re.compile(rf"/assets/{serials[0]}$"))
    expect(page.locator("main")).to_contain_text("Held by 47th Mechanized Brigade")
