"""Exports never hand a spreadsheet a formula, and re-import as the same values.

Any text that starts with = + - @ (after blanks or not) or with a control
character is written with a leading quote in both .csv and .xlsx exports;
the importer takes the quote off again, so exporting and re-importing
changes nothing.
"""

from __future__ import annotations

import csv
import io
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from materiel.bootstrap import Runtime
from materiel.core.markings import Marking
from materiel.platform.spreadsheets import write_table
from materiel.platform.tabular import clean_cell, defuse, starts_formula
from tests.auth import signed_in_client
from tests.factories import ITEM_TYPES, write_csv

CONTROLS = [chr(c) for c in range(0x20)] + ["\x7f"]
STARTS = ["=", "+", "-", "@", "\uff1d", " =", "\t=", "\r\n+", " \x01@", *CONTROLS]
DDE = ["=cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0"]

dangerous = st.builds(lambda start, rest: start + rest, st.sampled_from(STARTS), st.text())
any_text = st.one_of(dangerous, st.text(), st.sampled_from(DDE))


def exported_cells(suffix: str, values: list[str]) -> list[str]:
    """Write the values as one column through the real exporter; read the raw cells back."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export{suffix}"
        write_table(path, ["text"], ([v] for v in values), Marking())
        if suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.reader(handle))
            return [row[0] for row in rows[2:-1]]
        workbook = load_workbook(path)
        sheet = workbook.worksheets[0]
        cells = [row[0] for row in sheet.iter_rows(min_row=3, max_row=sheet.max_row - 1)]
        assert all(cell.data_type != "f" for cell in cells)
        return ["" if cell.value is None else str(cell.value) for cell in cells]


@given(st.lists(any_text, min_size=1, max_size=20))
def test_csv_export_neutralises_and_round_trips(values: list[str]) -> None:
    cells = exported_cells(".csv", values)
    for value, cell in zip(values, cells, strict=True):
        assert not starts_formula(cell)
        if starts_formula(value):
            assert cell == "'" + value
        assert clean_cell(cell) == clean_cell(value)


@settings(max_examples=40, deadline=None)  # a workbook per example: slow to write and read
@given(st.lists(any_text, min_size=1, max_size=20))
def test_xlsx_export_neutralises_and_round_trips(values: list[str]) -> None:
    cells = exported_cells(".xlsx", values)
    for value, cell in zip(values, cells, strict=True):
        assert not starts_formula(cell)
        # A workbook cannot hold most control characters, and XML reads CR LF and CR as LF.
        storable = ILLEGAL_CHARACTERS_RE.sub("", value).replace("\r\n", "\n").replace("\r", "\n")
        if starts_formula(storable):
            assert cell == "'" + storable
        assert clean_cell(cell) == clean_cell(storable)


@given(any_text)
def test_defused_text_imports_as_the_text_would(value: str) -> None:
    assert clean_cell(defuse(value)) == clean_cell(value)


def test_every_listed_start_is_neutralised() -> None:
    for start in ["=", "+", "-", "@", "\t", "\r", "\n", "\x00", "\x1b", " =", "\t-", "\uff20"]:
        assert defuse(start + "1+1") == "'" + start + "1+1"
    for harmless in ["PzH 2000", "'=quoted already", "a=b", "155mm", " plain", ""]:
        assert defuse(harmless) == harmless


def test_api_export_is_neutralised_and_reimports_unchanged(
    runtime: Runtime, tmp_path: Path
) -> None:
    client = signed_in_client(runtime)
    hostile = [
        {**ITEM_TYPES[0], "name": '=HYPERLINK("http://example.org","PzH")'},
        {**ITEM_TYPES[1], "name": "@SUM(1+1)*cmd|' /C calc'!A0"},
        {**ITEM_TYPES[2], "name": "-2+3", "aliases": "+MV-4"},
    ]
    source = write_csv(tmp_path / "types.csv", [list(ITEM_TYPES[0]), *_rows(hostile)])
    files = {"file": ("types.csv", source.read_bytes())}
    imported = client.post("/api/imports/item-types", files=files)
    assert imported.status_code == 200, imported.json()
    for fmt in ("csv", "xlsx"):
        exported = client.get(f"/api/exports/item-types?format={fmt}")
        assert exported.status_code == 200
        cells = _cells(fmt, exported.content)
        names = {item["name"] for item in hostile}
        assert {"'" + name for name in names} <= cells
        assert not any(starts_formula(cell) for cell in cells)
        again = client.post(
            "/api/imports/item-types", files={"file": (f"types.{fmt}", exported.content)}
        )
        body = again.json()
        assert again.status_code == 200, body
        assert (body["created"], body["updated"], body["unchanged"]) == (0, 0, len(hostile))


def _rows(items: list[dict[str, str]]) -> list[list[object]]:
    header = list(ITEM_TYPES[0])
    return [[item.get(column, "") for column in header] for item in items]


def _cells(fmt: str, content: bytes) -> set[str]:
    if fmt == "csv":
        return {cell for row in csv.reader(io.StringIO(content.decode())) for cell in row}
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return {str(cell) for row in sheet.iter_rows(values_only=True) for cell in row if cell}
