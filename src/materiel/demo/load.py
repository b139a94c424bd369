"""Loading the demo scenario through the same importers staff use."""

from __future__ import annotations

from collections.abc import Callable

from materiel.bootstrap import Runtime
from materiel.demo.scenario import DemoScenario, build
from materiel.donations.io import ImportOptions
from materiel.exchange import KINDS, Mode
from materiel.platform.identity.demo_users import create_demo_users
from materiel.platform.imports import ImportReport

DEMO_ACTOR = "demo-loader"


def load_demo(
    runtime: Runtime, seed: int = 2026, progress: Callable[[ImportReport], None] | None = None
) -> list[ImportReport]:
    """Import every part of the seeded scenario; loading twice changes nothing."""
    scenario = build(seed)
    create_demo_users(lambda: runtime.uow(DEMO_ACTOR))  # one user per role; see README
    reports = []
    for kind, rows in _parts(scenario):
        source = (f"demo {kind}", rows)
        report = KINDS[kind].importer(
            source, runtime.uow(DEMO_ACTOR), ImportOptions(), Mode.ALL_OR_NOTHING
        )
        reports.append(report)
        if progress:
            progress(report)
    return reports


def _parts(scenario: DemoScenario) -> list[tuple[str, list[dict[str, str]]]]:
    return [
        ("item-types", scenario.item_types),
        ("nodes", scenario.nodes),
        ("links", scenario.links),
        ("requirements", scenario.requirements),
        ("pledges", scenario.pledges),
    ]
