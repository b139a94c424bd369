"""Import rules found wanting by exploratory QA, through the real interfaces.

A file changes only the columns it has; whole numbers and dates stay within
what the system can store and plan with; a ref hidden from the user refuses
its row, not the upload; two columns for one field refuse the file; messages
name the cell and say what to do; the web form's uploads do not outlive
their import. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import io
import os
import shutil
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from materiel.api.app import create_app
from materiel.bootstrap import Runtime
from materiel.catalog.service import get_item_type, import_item_types
from materiel.core.errors import ImportRejected
from materiel.core.markings import Classification
from materiel.core.principal import Principal, Role
from materiel.donations.model import Caveats
from materiel.donations.service import (
    get_pledge,
    import_pledges,
    import_requirements,
    summarize,
)
from materiel.network.service import import_nodes, list_nodes
from tests.access import reference
from tests.access.test_need_to_know import app_role_runtime, make_user
from tests.auth import signed_in_client
from tests.cli_process import run_materiel
from tests.factories import ITEM_TYPES, NODES, load_reference_data, write_csv

REPO = Path(__file__).resolve().parents[2]
ORYX_ITEM_TYPES = REPO / "data" / "mappings" / "oryx" / "item_types.csv"
SHORT = ["ref", "donor", "item_type", "quantity", "condition", "origin", "available_from"]
LINE = ["P-1", "DEU", "pzh-2000", 4, "used-serviceable", "unterluss", "2027-01-15"]
REQUIREMENT = ["item_type", "quantity", "priority", "needed_by", "unit", "destination", "ref"]


@pytest.fixture
def loaded(runtime: Runtime) -> Runtime:
    load_reference_data(runtime)
    return runtime


def csv_bytes(rows: list[list[object]]) -> bytes:
    return "".join(",".join(str(cell) for cell in row) + "\n" for row in rows).encode()


def problems_of(refused: ImportRejected) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.message) for p in refused.problems]


# --- 1. a column the file lacks keeps the stored value ------------------------------


def test_reimport_without_optional_columns_keeps_marking_and_caveats(
    loaded: Runtime, tmp_path: Path
) -> None:
    full = write_csv(
        tmp_path / "full.csv",
        [
            [*SHORT, "classification", "caveat_units"],
            [*LINE, "NATO RESTRICTED", "1 OMBr"],
        ],
    )
    import_pledges(full, loaded.uow("a"))
    short = write_csv(tmp_path / "short.csv", [SHORT, LINE])

    again = import_pledges(short, loaded.uow("b"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)

    changed = write_csv(tmp_path / "changed.csv", [SHORT, [*LINE[:3], 6, *LINE[4:]]])
    report = import_pledges(changed, loaded.uow("c"))
    assert report.updated == 1
    pledge = get_pledge("P-1", loaded.uow())
    assert pledge.quantity == 6
    assert pledge.classification is Classification.NATO_RESTRICTED
    assert pledge.caveats == Caveats(units=("1 OMBr",))
    assert report.sample[0]["classification"] == "NATO RESTRICTED"  # the preview shows it


def test_an_empty_cell_of_a_present_column_still_clears_and_new_rows_get_defaults(
    loaded: Runtime, tmp_path: Path
) -> None:
    import_pledges(
        write_csv(tmp_path / "a.csv", [[*SHORT, "caveat_units"], [*LINE, "1 OMBr"]]),
        loaded.uow("a"),
    )
    cleared = write_csv(
        tmp_path / "b.csv",
        [[*SHORT, "caveat_units"], [*LINE, ""], ["P-2", "POL", "caesar", 1, "", "", ""]],
    )
    report = import_pledges(cleared, loaded.uow("b"))
    assert (report.created, report.updated) == (1, 1)
    assert get_pledge("P-1", loaded.uow()).caveats == Caveats()
    new = get_pledge("P-2", loaded.uow())
    assert new.classification is Classification.NATO_UNCLASSIFIED and new.origin is None


def test_readme_oryx_item_types_keep_their_transport_slots(loaded: Runtime) -> None:
    """The README's Oryx step on a catalogue whose PzH 2000 takes two transport slots."""
    two_slots = [{**ITEM_TYPES[0], "transport_slots": "2"}]
    import_item_types(("catalogue", two_slots), loaded.uow("setup"))
    assert get_item_type("pzh-2000", loaded.uow()).transport_slots == 2

    report = import_item_types(ORYX_ITEM_TYPES, loaded.uow("oryx"))
    assert report.rejected == []
    item = get_item_type("pzh-2000", loaded.uow())
    assert item.transport_slots == 2
    assert item.name == "PzH 2000" and "caesar-8x8" in item.substitutes  # the file's columns
    assert get_item_type("caesar-8x8", loaded.uow()).transport_slots == 1  # new: the default


def test_nodes_reimported_without_operator_keep_it(loaded: Runtime, tmp_path: Path) -> None:
    with_operator = [{**NODES[0], "operator": "Rheinmetall", "storage": "400"}]
    import_nodes(("nodes", with_operator), loaded.uow("a"))
    bare = write_csv(
        tmp_path / "nodes.csv",
        [list(NODES[0]), list(NODES[0].values())],
    )
    report = import_nodes(bare, loaded.uow("b"))
    assert report.unchanged == 1
    node = next(n for n in list_nodes(loaded.uow()) if n.id == "unterluss")
    assert (node.operator, node.storage) == ("Rheinmetall", 400)


# --- 2. whole numbers: bounded, digits only, read as written -------------------------


def test_huge_quantity_is_a_rejected_cell_on_the_command_line(
    loaded: Runtime, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "f.csv", [SHORT, [*LINE[:3], "99999999999999999999999", *LINE[4:]]])
    result = run_materiel(tmp_path, loaded.settings.database_url, "import", "pledges", str(path))
    assert result.returncode == 65, result.stderr
    assert "Traceback" not in result.stderr
    assert "f.csv, row 2, column 'quantity'" in result.stderr
    assert "more than 1,000,000" in result.stderr


def test_huge_quantity_through_the_api_and_the_web_preview_is_a_rejected_row(
    loaded: Runtime,
) -> None:
    client = signed_in_client(loaded)
    content = csv_bytes([SHORT, [*LINE[:3], "9223372036854775807", *LINE[4:]]])
    answer = client.post("/api/imports/pledges", files={"file": ("f.csv", content)})
    assert answer.status_code == 422, answer.text
    assert answer.json()["problems"][0]["row"] == 2
    assert answer.json()["problems"][0]["field"] == "quantity"

    preview = client.post(
        "/imports/preview", data={"kind": "pledges"}, files={"file": ("f.csv", content)}
    )
    assert preview.status_code == 200, preview.text
    assert "more than 1,000,000" in preview.text


def test_whole_numbers_are_read_as_written(loaded: Runtime) -> None:
    rows = [
        {"ref": "R-1", "priority": "99999999999999999999"},
        {"ref": "R-2", "quantity": "1e3"},
        {"ref": "R-3", "quantity": "1,000"},
        {"ref": "R-4", "quantity": "-3"},
        {"ref": "R-5", "quantity": "2.0"},  # what a spreadsheet wrote for 2
    ]
    base = {
        "item_type": "pzh-2000",
        "quantity": "2",
        "priority": "1",
        "needed_by": "2027-03-01",
        "unit": "47th Mechanized Brigade",
        "destination": "lviv",
    }
    report = import_requirements(
        ("needs", [{**base, **row} for row in rows]), loaded.uow("t"), partial=True
    )
    assert report.created == 1
    found = {p.row: (p.column, p.message) for p in report.rejected}
    assert found[2][0] == "priority" and "99999999999999999999 must be 1" in found[2][1]
    assert "100000000000000000000" not in found[2][1]
    assert found[3][0] == "quantity" and "'1e3' is not a whole number" in found[3][1]
    assert found[4][0] == "quantity" and "'1,000' is not a whole number" in found[4][1]
    assert found[5][0] == "quantity"


# --- 3. dates within the years plans cover ------------------------------------------


def test_far_future_and_past_dates_are_refused_at_their_cell(loaded: Runtime) -> None:
    rows = [
        {"ref": "P-1", "available_from": "9999-12-31"},
        {"ref": "P-2", "available_from": "1899-12-31"},
        {"ref": "P-3", "caveat_not_before": "31.12.2999"},
        {"ref": "P-4", "available_from": "2027-02-01"},
    ]
    base = {"donor": "DEU", "item_type": "caesar", "quantity": "1"}
    report = import_pledges(
        ("offers", [{**base, **row} for row in rows]), loaded.uow("t"), partial=True
    )
    assert report.created == 1
    located = {(p.row, p.column) for p in report.rejected}
    assert located == {(2, "available_from"), (3, "available_from"), (4, "caveat_not_before")}
    assert all("years 2000 to 2100" in p.message for p in report.rejected)
    assert get_pledge("P-4", loaded.uow()).available_from == date(2027, 2, 1)


# --- 4. a ref held by a record the user may not see ----------------------------------


def test_a_ref_hidden_from_the_user_refuses_its_row_not_the_upload(loaded: Runtime) -> None:
    secret = {"ref": "P-SECRET", "donor": "DEU", "item_type": "caesar", "quantity": "1"}
    secret |= {"classification": "NATO SECRET", "releasable_to": "DEU"}
    import_pledges(("deu offers", [secret]), loaded.uow("deu"))
    client = signed_in_client(loaded)  # a NATO coordinator: not releasable to them
    assert client.get("/api/pledges/P-SECRET").status_code == 404

    content = csv_bytes(
        [
            ["ref", "donor", "item_type", "quantity"],
            ["P-SECRET", "POL", "caesar", 2],
            ["P-OPEN", "POL", "caesar", 3],
        ]
    )
    whole = client.post("/api/imports/pledges", files={"file": ("f.csv", content)})
    assert whole.status_code == 422, whole.text
    assert whole.json()["problems"] == [
        {
            "message": "ref 'P-SECRET' is taken by a record you may not see; "
            "give this line another ref",
            "file": "f.csv",
            "row": 2,
            "field": "ref",
        }
    ]
    preview = client.post(
        "/imports/preview", data={"kind": "pledges"}, files={"file": ("f.csv", content)}
    )
    assert preview.status_code == 200 and "Import the 1 good rows, skip 1" in preview.text
    shutil.rmtree(upload_folder(loaded, token_of(preview.text)))  # not confirmed here

    good = client.post(
        "/api/imports/pledges", params={"partial": True}, files={"file": ("f.csv", content)}
    )
    assert good.status_code == 200, good.text
    assert (good.json()["created"], len(good.json()["rejected"])) == (1, 1)
    hidden = get_pledge("P-SECRET", loaded.uow())
    assert (hidden.donor, hidden.quantity) == ("DEU", 1)


@pytest.mark.postgres
def test_a_hidden_ref_is_refused_at_its_row_under_row_security_alone(postgres_url: str) -> None:
    """PostgreSQL through a role that owns no tables, the application's filter off."""
    with app_role_runtime(postgres_url) as (app, owner):
        load_reference_data(owner)
        secret = {"ref": "P-SECRET", "donor": "DEU", "item_type": "caesar", "quantity": "1"}
        secret |= {"classification": "NATO SECRET", "releasable_to": "DEU"}
        import_pledges(("deu offers", [secret]), owner.uow("deu"))
        coordinator = reference.User("rls-coordinator", "NATO", frozenset({Role.COORDINATOR}), 3)
        headers = {"Authorization": f"Bearer {make_user(owner, coordinator)}"}
        content = csv_bytes(
            [
                ["ref", "donor", "item_type", "quantity"],
                ["P-SECRET", "POL", "caesar", 2],
                ["P-OPEN", "POL", "caesar", 3],
            ]
        )
        answer = TestClient(create_app(app)).post(
            "/api/imports/pledges",
            params={"partial": True},
            files={"file": ("f.csv", content)},
            headers=headers,
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["created"] == 1
        assert [(p["row"], p["field"]) for p in answer.json()["rejected"]] == [(2, "ref")]
        assert get_pledge("P-SECRET", owner.uow()).quantity == 1


# --- 5. two columns for one field ---------------------------------------------------


def test_two_columns_for_one_field_refuse_the_file(loaded: Runtime, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "offers.csv",
        [
            ["ref", "donor", "donor", "item_type", "qty", "count"],
            ["P-1", "DEU", "POL", "caesar", 1, 5],
        ],
    )
    with pytest.raises(ImportRejected) as refused:
        import_pledges(path, loaded.uow("t"))
    messages = [m for _row, _column, m in problems_of(refused.value)]
    assert [column for _row, column, _m in problems_of(refused.value)] == ["donor", "quantity"]
    assert "'donor' (B) and 'donor' (C) both give donor; keep one" in messages[0]
    assert "'qty' (E) and 'count' (F) both give quantity; keep one" in messages[1]
    assert summarize(loaded.uow()).pledges == 0


# --- 6. messages that name the cell and say what to do ------------------------------


def workbook_with_formula(cached: str | None) -> bytes:
    """A pledge whose quantity is =2+3, with or without the value a spreadsheet would save."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["ref", "donor", "item_type", "quantity"])
    sheet.append(["P-1", "DEU", "caesar", "=2+3"])
    out = io.BytesIO()
    workbook.save(out)
    if cached is None:
        return out.getvalue()  # openpyxl saves formulas without their values
    rewritten = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(out.getvalue())) as source,
        zipfile.ZipFile(rewritten, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>2+3</f><v />", f"<f>2+3</f><v>{cached}</v>".encode())
                assert f"<v>{cached}</v>".encode() in data
            target.writestr(info, data)
    return rewritten.getvalue()


def test_a_formula_saved_without_its_value_is_named_as_such(
    loaded: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "offers.xlsx"
    path.write_bytes(workbook_with_formula(None))
    with pytest.raises(ImportRejected) as refused:
        import_pledges(path, loaded.uow("t"))
    [(row, column, message)] = problems_of(refused.value)
    assert (row, column) == (2, "quantity")
    assert "formula =2+3" in message and "does not hold its value" in message
    assert "missing" not in message

    path.write_bytes(workbook_with_formula("5"))
    assert import_pledges(path, loaded.uow("t")).created == 1
    assert get_pledge("P-1", loaded.uow()).quantity == 5


def test_a_formula_in_a_csv_cell_is_named_as_such(loaded: Runtime, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "f.csv", [["donor", "item_type", "quantity"], ["DEU", "caesar", "=1+1"]]
    )
    with pytest.raises(ImportRejected) as refused:
        import_pledges(path, loaded.uow("t"))
    [(row, column, message)] = problems_of(refused.value)
    assert (row, column) == (2, "quantity")
    assert "the formula '=1+1', not a value" in message and "float" not in message


def test_a_latin_1_line_is_named(loaded: Runtime, tmp_path: Path) -> None:
    path = tmp_path / "offers.csv"
    path.write_bytes("donor,item_type,quantity,origin\nDEU,caesar,1,Unterlüß\n".encode("latin-1"))
    with pytest.raises(ImportRejected) as refused:
        import_pledges(path, loaded.uow("t"))
    [(row, _column, message)] = problems_of(refused.value)
    assert row == 2 and "line 2 is not UTF-8" in message and "'CSV UTF-8'" in message


def test_a_bad_caveat_area_names_its_column(loaded: Runtime) -> None:
    row = {"donor": "DEU", "item_type": "caesar", "quantity": "1", "caveat_areas": "space"}
    with pytest.raises(ImportRejected) as refused:
        import_pledges(("offers", [row]), loaded.uow("t"))
    assert [(r, c) for r, c, _m in problems_of(refused.value)] == [(2, "caveat_areas")]


# --- 7 and 8. the web page's advice, and uploads that do not stay -------------------


def upload_folder(runtime: Runtime, token: str) -> Path:
    return runtime.data_dir / "uploads" / token


def token_of(page: str) -> str:
    return page.split('name="token" value="')[1].split('"', maxsplit=1)[0]


def test_a_refused_web_import_offers_what_the_page_can_do_and_leaves_no_file(
    loaded: Runtime,
) -> None:
    client = signed_in_client(loaded)
    content = csv_bytes([["ref", "donor", "item_type", "quantity"], ["P-LATE", "POL", "caesar", 2]])
    preview = client.post(
        "/imports/preview", data={"kind": "pledges"}, files={"file": ("f.csv", content)}
    )
    assert "Import 1 rows" in preview.text
    token = token_of(preview.text)
    assert upload_folder(loaded, token).is_dir()

    # Meanwhile a record the coordinator may not see takes the ref: the row is now refused.
    secret = {"ref": "P-LATE", "donor": "DEU", "item_type": "caesar", "quantity": "1"}
    secret |= {"classification": "NATO SECRET", "releasable_to": "DEU"}
    import_pledges(("deu offers", [secret]), loaded.uow("deu"))

    refused = client.post("/imports/confirm", data={"kind": "pledges", "token": token})
    assert refused.status_code == 422
    assert "--partial" not in refused.text
    assert "offers to import only the good ones" in refused.text
    assert "taken by a record you may not see" in refused.text  # the row, in the table
    assert not upload_folder(loaded, token).exists()


def test_web_uploads_are_removed_when_imported_or_with_nothing_to_import(
    loaded: Runtime,
) -> None:
    client = signed_in_client(loaded)
    good = csv_bytes([["ref", "donor", "item_type", "quantity"], ["P-1", "POL", "caesar", 2]])
    preview = client.post(
        "/imports/preview", data={"kind": "pledges"}, files={"file": ("f.csv", good)}
    )
    token = token_of(preview.text)
    done = client.post("/imports/confirm", data={"kind": "pledges", "token": token})
    assert "1 new" in done.text
    assert not upload_folder(loaded, token).exists()

    bad = csv_bytes([["donor", "item_type", "quantity"], ["Atlantis", "caesar", 2]])
    nothing = client.post(
        "/imports/preview", data={"kind": "pledges"}, files={"file": ("f.csv", bad)}
    )
    assert nothing.status_code == 200 and "Atlantis" in nothing.text
    assert not upload_folder(loaded, token_of(nothing.text)).exists()


def test_an_upload_left_waiting_for_a_day_is_removed_when_a_new_one_arrives(
    loaded: Runtime,
) -> None:
    client = signed_in_client(loaded)
    old = upload_folder(loaded, f"left-{os.getpid()}-{time.time_ns()}")
    old.mkdir(parents=True)
    (old / "offers.csv").write_text("donor,item_type,quantity\nDEU,caesar,1\n")
    two_days_ago = time.time() - 2 * 24 * 60 * 60
    os.utime(old, (two_days_ago, two_days_ago))

    gone = client.post("/imports/confirm", data={"kind": "pledges", "token": old.name})
    assert gone.status_code == 422 and "waited more than a day" in gone.text
    assert "expired" not in gone.text
    assert not old.exists()

    old.mkdir(parents=True)
    (old / "offers.csv").write_text("donor,item_type,quantity\nDEU,caesar,1\n")
    os.utime(old, (two_days_ago, two_days_ago))
    content = csv_bytes([["donor", "item_type", "quantity"], ["POL", "caesar", 2]])
    preview = client.post(
        "/imports/preview", data={"kind": "pledges"}, files={"file": ("f.csv", content)}
    )
    assert not old.exists()
    shutil.rmtree(upload_folder(loaded, token_of(preview.text)))  # not confirmed here


def test_a_workbook_upload_with_a_formula_is_explained_on_the_preview(loaded: Runtime) -> None:
    client = signed_in_client(loaded)
    content = workbook_with_formula(None)
    preview = client.post(
        "/imports/preview", data={"kind": "pledges"}, files={"file": ("f.xlsx", content)}
    )
    assert preview.status_code == 200
    assert "does not hold its value" in preview.text


def test_a_row_the_user_may_not_write_is_refused_by_itself(runtime: Runtime) -> None:
    """A DEU liaison's file names a POL pledge: that row is refused, the DEU one imported."""
    load_reference_data(runtime)
    liaison = Principal(
        "deu-liaison", "DEU", "deu", frozenset({Role.DONOR_LIAISON}), Classification.NATO_SECRET
    )
    base = {"item_type": "pzh-2000", "quantity": "2", "origin": "unterluss"}
    rows = [{**base, "ref": "DEU-1", "donor": "DEU"}, {**base, "ref": "POL-1", "donor": "POL"}]
    with pytest.raises(ImportRejected) as refused:
        import_pledges(("pledges", rows), runtime.uow("deu-liaison", liaison))
    assert [p.row for p in refused.value.problems] == [3]
    report = import_pledges(("pledges", rows), runtime.uow("deu-liaison", liaison), partial=True)
    assert (report.created, [p.row for p in report.rejected]) == (1, [3])
