"""Importing requirements and pledges against a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from materiel.bootstrap import Runtime
from materiel.core.errors import Conflict, ImportRejected
from materiel.core.markings import Classification
from materiel.core.principal import Principal, Role
from materiel.donations.io import ImportOptions
from materiel.donations.service import (
    create_pledge,
    export_pledges,
    get_pledge,
    import_pledges,
    import_requirements,
    list_requirements,
    summarize,
)
from materiel.donations.store import RequirementFilter
from materiel.platform.audit import history
from tests.factories import load_reference_data, write_csv, write_xlsx

REQUIREMENT_HEADER = [
    "Priority",
    "Item",
    "Qty",
    "Needed by",
    "Receiving unit",
    "Destination",
    "Ref",
]


@pytest.fixture
def loaded(runtime: Runtime) -> Runtime:
    load_reference_data(runtime)
    return runtime


def test_requirements_from_xlsx_with_columns_in_any_order(loaded: Runtime, tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "needs.xlsx",
        [
            ["NATO UNCLASSIFIED"],
            REQUIREMENT_HEADER,
            [1, "PzH 2000", 6, date(2027, 3, 1), "47th Mechanized Brigade", "lviv", "R-1"],
            [2, "Panzerhaubitze 2000", 2, "01.06.2027", "93rd Mechanized Brigade", "lviv", "R-2"],
        ],
    )
    report = import_requirements(path, loaded.uow("test"))
    assert (report.created, report.rejected) == (2, [])
    page = list_requirements(RequirementFilter(priority=1), loaded.uow())
    assert [r.id for r in page.items] == ["R-1"]
    assert page.items[0].capability_area == "artillery"
    assert page.items[0].needed_by == date(2027, 3, 1)


def test_bad_rows_are_reported_with_row_column_and_reason_and_nothing_is_kept(
    loaded: Runtime, tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "needs.csv",
        [
            REQUIREMENT_HEADER,
            [1, "PzH 2000", 6, "2027-03-01", "47th Mechanized Brigade", "lviv", "R-1"],
            [7, "PzH 2000", 6, "2027-03-01", "47th Mechanized Brigade", "lviv", "R-2"],
            [1, "Gepard", 6, "2027-03-01", "47th Mechanized Brigade", "lviv", "R-3"],
            [1, "PzH 2000", 6, "someday", "47th Mechanized Brigade", "nowhere", "R-4"],
        ],
    )
    with pytest.raises(ImportRejected) as caught:
        import_requirements(path, loaded.uow("test"))
    located = {(p.file, p.row, p.column) for p in caught.value.problems}
    assert located == {
        ("needs.csv", 3, "priority"),
        ("needs.csv", 4, "item_type"),
        ("needs.csv", 5, "needed_by"),
    }
    assert list_requirements(RequirementFilter(), loaded.uow()).total == 0


def test_partial_import_keeps_the_good_rows(loaded: Runtime, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "needs.csv",
        [
            REQUIREMENT_HEADER,
            [1, "PzH 2000", 6, "2027-03-01", "47th Mechanized Brigade", "lviv", "R-1"],
            [1, "PzH 2000", 0, "2027-03-01", "47th Mechanized Brigade", "lviv", "R-2"],
        ],
    )
    report = import_requirements(path, loaded.uow("test"), partial=True)
    assert report.created == 1
    assert [str(p) for p in report.rejected] == [
        "needs.csv, row 3, column 'quantity': quantity is 0 (unknown or none); "
        "a line needs at least 1 unit"
    ]


def test_reimporting_the_same_file_creates_no_duplicates(loaded: Runtime, tmp_path: Path) -> None:
    rows: list[list[object]] = [
        ["Donor", "Item", "Quantity", "Origin", "Available from"],
        ["GER", "PzH 2000", 4, "unterluss", "2027-01-15"],
        ["Germany", "CAESAR", 2, "unterluss", "15.01.2027"],
    ]
    path = write_csv(tmp_path / "offers.csv", rows)
    first = import_pledges(path, loaded.uow("test"))
    second = import_pledges(path, loaded.uow("test"))
    assert (first.created, second.created, second.unchanged) == (2, 0, 2)
    assert summarize(loaded.uow()).pledges == 2


def test_a_changed_line_is_updated_and_audited(loaded: Runtime, tmp_path: Path) -> None:
    header = ["ref", "donor", "item_type", "quantity"]
    import_pledges(
        write_csv(tmp_path / "a.csv", [header, ["P-1", "DEU", "pzh-2000", 4]]), loaded.uow("a")
    )
    report = import_pledges(
        write_csv(tmp_path / "b.csv", [header, ["P-1", "DEU", "pzh-2000", 6]]), loaded.uow("b")
    )
    assert report.updated == 1
    pledge = get_pledge("P-1", loaded.uow())
    assert (pledge.quantity, pledge.version) == (6, 2)
    with loaded.uow() as uow:
        entries = history(uow.session, "pledge", "P-1")
    assert [(e.actor, e.action) for e in entries] == [
        ("a", "import-create"),
        ("b", "import-update"),
    ]
    assert entries[1].before is not None and entries[1].after is not None
    assert (entries[1].before["quantity"], entries[1].after["quantity"]) == (4, 6)


def test_a_names_file_maps_and_refuses_names(loaded: Runtime, tmp_path: Path) -> None:
    names = write_csv(
        tmp_path / "names.csv",
        [
            ["name", "item_type", "reason"],
            ["Panzerhaubitze", "pzh-2000", ""],
            ["Ringtausch", "", "not an item: an exchange scheme"],
        ],
    )
    offers = write_csv(
        tmp_path / "offers.csv",
        [
            ["supplier", "vehicle_name", "count", "recipient"],
            ["Germany", "Panzerhaubitze*", 3, "Ukraine"],
            ["Germany", "Ringtausch", 1, "Ukraine"],
            ["Belarus", "PzH 2000", 1, "Russia"],
            ["NATO", "PzH 2000", 1, "Ukraine"],
        ],
    )
    report = import_pledges(
        offers, loaded.uow("t"), options=ImportOptions(names_file=names), partial=True
    )
    assert report.created == 1
    reasons = [p.message for p in report.rejected]
    assert reasons[0] == "not an item: an exchange scheme"
    assert "not to the partner (UKR)" in reasons[1]
    assert "alliance, not a donor nation" in reasons[2]


def test_export_is_marked_and_defused(loaded: Runtime, tmp_path: Path) -> None:
    header = ["ref", "donor", "item_type", "quantity", "caveat_units", "classification"]
    import_pledges(
        write_csv(
            tmp_path / "offers.csv",
            [header, ['=HYPERLINK("x")', "DEU", "pzh-2000", 4, "@SUM(A1)", "NATO RESTRICTED"]],
        ),
        loaded.uow("t"),
    )
    report = export_pledges(tmp_path / "out.xlsx", loaded.uow())
    assert report.marking.banner == "NATO RESTRICTED // REL TO UKR, NATO"
    sheet = load_workbook(tmp_path / "out.xlsx").active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][0] == "NATO RESTRICTED // REL TO UKR, NATO"
    assert values[-1][0] == "NATO RESTRICTED // REL TO UKR, NATO"
    data = dict(zip(values[1], values[2], strict=False))
    assert data["ref"] == '\'=HYPERLINK("x")'
    assert data["caveat_units"] == "'@SUM(A1)"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
    report_csv = export_pledges(tmp_path / "out.csv", loaded.uow())
    assert report_csv.rows == 1
    # the export reads back in as the same record
    again = import_pledges(tmp_path / "out.csv", loaded.uow("t"))
    assert again.unchanged == 1


def test_rows_given_in_memory_may_each_carry_their_own_columns(loaded: Runtime) -> None:
    """Only the second row names a marking: it must still be read, not dropped."""
    rows = [
        {"ref": "P-1", "donor": "DEU", "item_type": "pzh-2000", "quantity": "3",
         "origin": "unterluss"},
        {"ref": "P-2", "donor": "DEU", "item_type": "pzh-2000", "quantity": "2",
         "origin": "unterluss", "classification": "NATO SECRET", "releasable_to": "DEU, UKR"},
    ]  # fmt: skip
    report = import_pledges(("pledges", rows), loaded.uow("test"))
    assert (report.created, report.rejected) == (2, [])
    assert get_pledge("P-1", loaded.uow()).marking.classification.name == "NATO_UNCLASSIFIED"
    marked = get_pledge("P-2", loaded.uow()).marking
    assert (marked.classification.name, set(marked.releasable_to)) == (
        "NATO_SECRET",
        {"DEU", "UKR"},
    )


def test_a_ref_that_cannot_be_an_address_is_refused_by_name(loaded: Runtime) -> None:
    """'/' would split the record's address in the API and on its pages."""
    base = {"donor": "DEU", "item_type": "pzh-2000", "quantity": "3", "origin": "unterluss"}
    rows = [{**base, "ref": "UKR/2024/15"}, {**base, "ref": "P-2"}, {**base, "ref": "x" * 81}]
    report = import_pledges(("pledges", rows), loaded.uow("test"), partial=True)
    assert report.created == 1
    assert [(p.row, p.column) for p in report.rejected] == [(2, "ref"), (4, "ref")]
    assert "write it with '-' instead" in report.rejected[0].message


def test_creating_a_taken_id_says_so_without_the_databases_words(loaded: Runtime) -> None:
    """The id is taken by a pledge the coordinator may not see: the database refuses it."""
    base = {"ref": "P-1", "donor": "DEU", "item_type": "pzh-2000", "quantity": "3"}
    secret = {**base, "classification": "NATO SECRET", "releasable_to": "DEU"}
    create_pledge(secret, loaded.uow("test"))
    coordinator = Principal(
        "coord-r", "NATO", "nato", frozenset({Role.COORDINATOR}), Classification.NATO_RESTRICTED
    )
    with pytest.raises(Conflict) as refused:
        create_pledge({**base, "quantity": "2"}, loaded.uow("coord-r", coordinator))
    assert "exists already (it may be one you may not see)" in refused.value.message
    assert not any(w in refused.value.message.lower() for w in ("unique", "pledges.id", "key ("))


@pytest.mark.parametrize(("search", "found"), [("%", []), ("_", []), ("r-1", ["R-1"])])
def test_a_search_takes_wildcards_as_text(loaded: Runtime, search: str, found: list[str]) -> None:
    rows = [
        {"ref": ref, "item_type": "pzh-2000", "quantity": "1", "priority": "1",
         "needed_by": "2027-06-01", "unit": "47th Brigade", "destination": "lviv"}
        for ref in ("R-1", "R-2")
    ]  # fmt: skip
    import_requirements(("requirements", rows), loaded.uow("test"))
    page = list_requirements(RequirementFilter(search=search), loaded.uow())
    assert [r.id for r in page.items] == found


def test_the_same_offer_made_twice_without_a_ref_is_two_pledges(loaded: Runtime) -> None:
    """A form or API call without a ref means a new pledge, however like another it is."""
    offer = {"donor": "DEU", "item_type": "pzh-2000", "quantity": "2", "origin": "unterluss"}
    first = create_pledge(offer, loaded.uow("test"))
    second = create_pledge(offer, loaded.uow("test"))
    assert second.id == f"{first.id}-2"
    assert get_pledge(second.id, loaded.uow()).quantity == 2
    with pytest.raises(Conflict, match="already exists"):
        create_pledge({**offer, "ref": first.id}, loaded.uow("test"))
