"""Long lists on the pages come a page at a time, with links on, and show what the API does.

On the demo scenario: a plan's allocations, unmet lines and changes, a
transport plan's movements and shipments, and the shipments list are shown
50 rows at a time; each pager counts the whole list and links to the next
and previous pages; the rows of a page are the API's rows at that offset;
the figures and the marking banner still cover the whole plan. In Chromium:
the pager's links lead on and back; the map fetches a coverage path only
when it shows the area closely.
"""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from materiel.api.app import create_app
from materiel.core.markings import most_restrictive
from materiel.donations import plan_service
from materiel.donations.store import DonationsStore
from materiel.logistics import transport_service
from materiel.platform.identity import service as identity
from materiel.platform.identity.store import IdentityStore
from materiel.platform.unit_of_work import UnitOfWork
from tests.demining.support import area_feature
from tests.web.support import Site, Traffic, cells

HTML = {"Accept": "text/html"}


@pytest.fixture
def client(site: Site) -> TestClient:
    """The demo coordinator, through the real app."""
    token = identity.issue_token(
        "coordinator", "paging test", ["read", "write"], 1, settings=site.runtime.settings.identity,
        uow=site.runtime.uow("test"),
    ).secret  # fmt: skip
    client = TestClient(create_app(site.runtime))
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def coordinator(site: Site) -> UnitOfWork:
    with site.runtime.uow() as uow:
        user = IdentityStore(uow.session).user("coordinator")
        assert user is not None
        principal = user.principal()
    return site.runtime.uow(principal=principal)


def rows(page: str, table: str) -> list[list[str]]:
    """The text of each cell of each body row of the table with id `table`."""
    found = re.search(rf'<table id="{table}">.*?<tbody>(.*?)</tbody>', page, re.S)
    assert found, table
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(
            r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", found.group(1), re.S)
    ]  # fmt: skip


def pager(page: str, label: str) -> dict[str, Any]:
    """A pager's 'first–last of total' and its links."""
    found = re.search(rf'<nav class="pager" aria-label="{label}">(.*?)</nav>', page, re.S)
    assert found, label
    text = re.search(r"<span>(.*?)</span>", found.group(1))
    links = {
        name: html.unescape(href)
        for href, name in re.findall(r'<a href="([^"]+)">([^<]+)</a>', found.group(1))
    }
    return {"span": text.group(1) if text else "", **links}


def banner(page: str) -> str:
    found = re.search(r'aria-label="classification">([^<]*)<', page)
    assert found
    return found.group(1)


def test_a_plans_lists_come_a_page_at_a_time_as_the_api_gives_them(
    site: Site, client: TestClient
) -> None:
    plan_id = site.current_accepted_plan()
    api = client.get(f"/api/plans/{plan_id}", params={"limit": 50, "offset": 50}).json()
    counts = api["counts"]
    assert counts["allocations"] > 50 and counts["unmet"] > 50  # more than a page of each
    first = client.get(f"/plans/{plan_id}", headers=HTML).text
    assert len(rows(first, "allocations")) == 50 and len(rows(first, "unmet")) == 50
    shown = pager(first, "pages of allocations")
    assert shown["span"] == f"1–50 of {counts['allocations']:,}" and "← previous" not in shown
    assert shown["next →"].endswith("allocations_offset=50#allocations")
    second = client.get(shown["next →"], headers=HTML).text
    lines = [(row[0], row[3], row[6].split()[0]) for row in rows(second, "allocations")]
    assert lines == [
        (a["pledge"], a["requirement"], str(a["quantity"])) for a in api["allocations"]
    ]
    assert pager(second, "pages of allocations")["span"] == f"51–100 of {counts['allocations']:,}"
    unmet_next = pager(first, "pages of unmet lines")["next →"]
    unmet = [row[0] for row in rows(client.get(unmet_next, headers=HTML).text, "unmet")]
    assert unmet == [u["requirement"] for u in api["unmet"]]

    # The figures and the banner are the whole plan's, whichever page is shown.
    every = client.get(f"/api/plans/{plan_id}", params={"limit": 1000}).json()
    missing = sum(u["quantity"] for u in every["unmet"])
    assert f"units still missing</dt><dd>{missing}</dd>" in first
    uow = coordinator(site)
    view = plan_service.get_plan(plan_id, uow)
    with uow:
        needs = {r.id: r for r in DonationsStore(uow.session).all_requirements()}
    markings = [
        *(a.marking for a in view.allocations),
        *(needs[a.requirement].marking for a in view.allocations if a.requirement in needs),
    ]
    assert banner(first) == banner(second) == most_restrictive(markings).banner


def test_a_transport_plans_lists_come_a_page_at_a_time_as_the_api_gives_them(
    site: Site, client: TestClient
) -> None:
    plan_id = next(
        p["id"] for p in client.get("/api/transport-plans").json() if p["status"] == "accepted"
    )
    api = client.get(f"/api/transport-plans/{plan_id}", params={"offset": 50}).json()
    counts = api["counts"]
    assert counts["changes"] > 50 and counts["shipments"] > 50
    first = client.get(f"/transport-plans/{plan_id}", headers=HTML).text
    for label, name, table in (
        ("pages of what changed", "changes", "changes"),
        ("pages of shipments", "shipments", "plan-shipments"),
    ):
        shown = pager(first, label)
        assert shown["span"] == f"1–50 of {counts[name]:,}", label
        assert shown["next →"].endswith(f"{name}_offset=50#{table}")
        second = client.get(shown["next →"], headers=HTML).text
        listed = [row[0:2] for row in rows(second, table)]
        if name == "changes":
            assert listed == [c["movement"].split(">") for c in api["changes"]]
        else:
            assert [row[0] for row in listed] == [s["id"] for s in api["shipments"]]
    _, _, shipments = transport_service.transport_plan_review(plan_id, coordinator(site))
    assert banner(first) == most_restrictive([s.marking for s in shipments]).banner


def test_the_shipments_list_shows_the_apis_page(site: Site, client: TestClient) -> None:
    api = client.get("/api/shipments", params={"offset": 50}).json()
    shown = client.get("/shipments", params={"offset": 50}, headers=HTML).text
    assert [row[0] for row in rows(shown, "shipments")] == [s["id"] for s in api["items"]]
    assert pager(shown, "pages")["span"] == f"51–100 of {api['total']:,}"


def test_the_pagers_of_a_plan_lead_on_and_back(page: Page, site: Site) -> None:
    page.goto(f"{site.url}/plans/{site.current_accepted_plan()}")
    allocations = page.locator("#allocations tbody tr")
    first = cells(allocations.first)
    pages = page.get_by_role("navigation", name="pages of allocations")
    expect(pages).to_contain_text("1–50 of")
    pages.get_by_role("link", name="next →").click()
    expect(page).to_have_url(re.compile(r"allocations_offset=50#allocations$"))
    expect(page.get_by_role("navigation", name="pages of allocations")).to_contain_text("51–100")
    assert cells(allocations.first) != first
    page.get_by_role("navigation", name="pages of allocations").get_by_role(
        "link", name="← previous"
    ).click()
    expect(page.get_by_role("navigation", name="pages of allocations")).to_contain_text("1–50")
    assert cells(allocations.first) == first


def test_the_map_fetches_a_coverage_path_when_it_shows_the_area_closely(
    page: Page, site: Site, traffic: Traffic, client: TestClient
) -> None:
    """The web scenario has no demining records: an area, a machine and a plan, made here."""
    made = client.post("/api/demining/areas", json=area_feature("WEB-MAP-1", at=(30.52, 50.45)))
    assert made.status_code == 201, made.text
    machine = {"id": "WEB-MV4", "kind": "machine", "name": "DOK-ING MV-4", "tool_width_m": 1.7,
               "turn_radius_m": 3, "speed_kmh": 2, "work_rates": {"default": 900},
               "base": "30.52,50.44"}  # fmt: skip
    assert client.post("/api/demining/assets", json=machine).status_code == 201
    covered = client.post("/api/demining/areas/WEB-MAP-1/coverage", json={"asset_id": "WEB-MV4"})
    assert covered.status_code == 201, covered.text
    layer = client.get("/api/map/demining").json()
    plan = next(p for p in layer["coverage"] if p["area_id"] == "WEB-MAP-1")
    area = next(f for f in layer["areas"]["features"] if f["properties"]["id"] == plan["area_id"])
    ring = area["geometry"]["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    page.goto(f"{site.url}/map")
    expect(page.locator("#map[data-demining-ready=true]")).to_be_attached(timeout=20_000)
    assert not [url for url in traffic.seen if "/api/demining/coverage/" in url]  # not at zoom 5
    drawn = page.locator("#map path.leaflet-interactive").count()
    page.evaluate(
        "([s, w, n, e]) => window.materielMap.fitBounds([[s, w], [n, e]])",
        [min(lats), min(lons), max(lats), max(lons)],
    )
    page.wait_for_function(
        f"() => document.querySelectorAll('#map path.leaflet-interactive').length > {drawn}",
        timeout=20_000,
    )
    fetched = [url for url in traffic.seen if "/api/demining/coverage/" in url]
    assert fetched and all(url.endswith(f"/api/demining/coverage/{plan['id']}") for url in fetched)
