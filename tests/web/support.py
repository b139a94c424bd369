"""What the browser tests share: the site they run against, request records, small helpers."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from openpyxl import Workbook
from playwright.sync_api import Locator, Page, ViewportSize, expect

from materiel.bootstrap import Runtime
from materiel.donations import plan_service

DESKTOP: ViewportSize = {"width": 1280, "height": 800}
TABLET: ViewportSize = {"width": 820, "height": 1180}
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
JOB_TIMEOUT_MS = 90_000  # a planner run is a worker process: start-up, solve, store
PLEDGE_HEADER = ["ref", "donor", "item_type", "quantity", "origin", "available_from"]


@dataclass(frozen=True)
class Site:
    """The running app and what the tests need to know about its data."""

    url: str
    runtime: Runtime
    accepted_plan: int
    restricted_pledge: str

    def current_accepted_plan(self) -> int:
        plans = plan_service.list_plans(self.runtime.uow("web-test"))
        return next(p.id for p in plans if p.status.value == "accepted" and p.id is not None)

    def job_logs(self) -> str:
        folder = self.runtime.data_dir / "job-logs"
        return "\n".join(
            f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}"
            for log in sorted(folder.glob("*.log"))
        )


@dataclass
class Traffic:
    """Every request a browser context made, and those it blocked."""

    seen: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)


def is_local(url: str) -> bool:
    """True for requests that stay on this machine (data: and blob: never leave it)."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "blob", "about"}:
        return True
    return parts.hostname in LOCAL_HOSTS


def cells(row: Locator) -> list[str]:
    return [text.strip() for text in row.locator("td").all_inner_texts()]


def write_pledges(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(PLEDGE_HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def offers(donor_of_second_row: str) -> list[list[object]]:
    """Two offers of the same kind; the second row's donor is the one to get right."""
    return [
        ["WEB-IMPORT-1", "DEU", "caesar", 2, "depot-deu-unterluess", "2027-01-15"],
        ["WEB-IMPORT-2", donor_of_second_row, "caesar", 1, "depot-deu-unterluess", "2027-01-15"],
    ]


def upload(page: Page, file: Path) -> None:
    """On the import page: choose pledges and the file, then ask for the preview."""
    page.get_by_label("What is in the file").select_option("pledges")
    page.get_by_label("File (.csv or .xlsx)").set_input_files(file)
    page.get_by_role("button", name="Preview").click()


def htmx_ready(page: Page) -> None:
    """Wait until htmx has taken over the page (before that, an hx-post form does nothing).

    A plan page is large: its deferred scripts run a while after its buttons show.
    """
    page.wait_for_function("() => window.htmx !== undefined && document.readyState === 'complete'")


def run_planner(page: Page, seconds: str) -> None:
    """Type a short search time and run; the job's progress replaces the form's status."""
    htmx_ready(page)
    page.get_by_label("Search time for fleet commonality (s)").fill(seconds)
    page.get_by_role("button", name="Run the allocation planner").click()
    status = page.locator("#run-status")
    expect(status).to_contain_text(re.compile(r"Planner run \d+"), timeout=30_000)
    expect(status.get_by_label("progress")).to_be_attached()


def follow_job_to_new_plan(page: Page, site: Site, newer_than: int) -> int:
    """Wait until the page, polling the job, is redirected to a plan made after `newer_than`."""
    newer = "|".join(str(n) for n in range(newer_than + 1, newer_than + 10))
    try:
        expect(page).to_have_url(re.compile(rf"/plans/({newer})$"), timeout=JOB_TIMEOUT_MS)
    except AssertionError as error:
        status = page.locator("#run-status").all_inner_texts()
        raise AssertionError(f"{error}\njob status: {status}\n{site.job_logs()}") from None
    match = re.search(r"/plans/(\d+)$", page.url)
    assert match, page.url
    return int(match.group(1))
