"""The real, messy Oryx list goes through the pledge importer (when shared data is present).

Every one of its 355 rows must end up imported or rejected with a reason a
person would accept; nothing may vanish.
"""

from __future__ import annotations

import csv
from pathlib import Path

from materiel.bootstrap import Runtime
from materiel.catalog.service import import_item_types
from materiel.donations.io import ImportOptions
from materiel.donations.service import import_pledges, list_pledges
from materiel.donations.store import PledgeFilter

MAPPINGS = Path(__file__).resolve().parents[2] / "data" / "mappings" / "oryx"
ORYX_ROWS = 355
ACCEPTABLE_REASONS = (
    "quantity is 0",
    "not to the partner",
    "not a donor nation",
    "no donor is named",
    "not an item",
    "not a model",
    "not one model",
    "not identifiable",
    "appears again",
)


def test_every_oryx_row_is_imported_or_explained(runtime: Runtime, shared_data: Path) -> None:
    source = shared_data / "oryx_donated_vehicles.csv"
    with source.open(encoding="utf-8", errors="replace") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == ORYX_ROWS

    catalog = import_item_types(MAPPINGS / "item_types.csv", runtime.uow("test"))
    assert catalog.rejected == []
    options = ImportOptions(names_file=MAPPINGS / "names.csv", ref_prefix="ORYX-")
    report = import_pledges(source, runtime.uow("test"), options=options, partial=True)

    assert report.accepted + len(report.rejected) == ORYX_ROWS
    assert report.created > 200
    unexplained = [
        str(p) for p in report.rejected if not any(r in p.message for r in ACCEPTABLE_REASONS)
    ]
    assert unexplained == []
    assert all(p.row is not None and p.column for p in report.rejected)
    stored = list_pledges(PledgeFilter(), runtime.uow(), limit=1000)
    assert stored.total == report.created
    assert all(p.id.startswith("ORYX-") and len(p.donor) == 3 for p in stored.items)

    again = import_pledges(source, runtime.uow("test"), options=options, partial=True)
    assert (again.created, again.unchanged) == (0, report.created)
