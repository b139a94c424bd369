"""Hostile spreadsheets are refused before any parser reads them, and nothing is imported.

Each hostile file is built here, byte by byte, from a small good workbook or
CSV of nodes. It goes through the real API upload endpoint (and some through
the command line), on SQLite and PostgreSQL, and must come back as a 4xx
problem (or exit code 65) whose message says what was wrong, with the
nodes table still empty.
"""

from __future__ import annotations

import io
import subprocess
import tracemalloc
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import func, select

from materiel.bootstrap import Runtime
from materiel.core.errors import ImportRejected, UploadTooLarge
from materiel.network.store import nodes
from materiel.platform.upload_safety import OLE2_SIGNATURE, UploadLimits, check_upload
from tests.auth import signed_in_client
from tests.cli_process import run_materiel

HEADER = ["id", "name", "kind", "country", "lat", "lon"]
NODE = ["hub-rzeszow", "Rzeszow logistics hub", "hub", "POL", 50.11, 22.02]
MIB = 1024 * 1024


def good_xlsx(rows: int = 1) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for n in range(rows):
        sheet.append([f"{NODE[0]}-{n}", *NODE[1:]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def good_csv(rows: int = 1) -> bytes:
    lines = [",".join(HEADER)] + [f"hub-{n},Hub {n},hub,POL,50.1,22.0" for n in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def rewritten(workbook: bytes, changes: dict[str, bytes]) -> bytes:
    """The workbook with some parts replaced or added (the zip written anew)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(workbook)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename not in changes:
                target.writestr(info.filename, source.read(info))
        for name, data in changes.items():
            target.writestr(name, data)
    return out.getvalue()


def sheet_xml(workbook: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return archive.read("xl/worksheets/sheet1.xml")


def zip_bomb() -> bytes:
    """A part of 64 MiB of zeros that deflates to about 64 KiB (ratio about 1,000)."""
    return rewritten(good_xlsx(), {"xl/media/image1.bin": bytes(64 * MIB)})


def billion_laughs() -> bytes:
    """Nested entities in the worksheet: 10^9 'lol's if a parser expanded them."""
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    doctype = f"<!DOCTYPE worksheet [{''.join(entities)}]>".encode()
    xml = sheet_xml(good_xlsx()).replace(b"<t>Rzeszow logistics hub</t>", b"<t>&lol9;</t>")
    return rewritten(good_xlsx(), {"xl/worksheets/sheet1.xml": doctype + xml})


def external_entity() -> bytes:
    """An external entity in the workbook part, read when the workbook is opened."""
    with zipfile.ZipFile(io.BytesIO(good_xlsx())) as archive:
        xml = archive.read("xl/workbook.xml")
    doctype = b'<!DOCTYPE workbook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return rewritten(good_xlsx(), {"xl/workbook.xml": doctype + xml})


def with_macros() -> bytes:
    return rewritten(good_xlsx(), {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 fake VBA project"})


def macro_content_type() -> bytes:
    with zipfile.ZipFile(io.BytesIO(good_xlsx())) as archive:
        types = archive.read("[Content_Types].xml")
    main = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    macro = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
    return rewritten(good_xlsx(), {"[Content_Types].xml": types.replace(main, macro)})


def encrypted() -> bytes:
    """How a password-protected .xlsx looks: an OLE2 compound file, not a zip."""
    return OLE2_SIGNATURE + bytes(4096 - len(OLE2_SIGNATURE))


def forged_row_index() -> bytes:
    """One row claiming index 2,000,000: a parser would fill in the rows before it."""
    xml = sheet_xml(good_xlsx()).replace(b'<row r="2">', b'<row r="2000000">')
    xml = xml.replace(b'r="A2"', b'r="A2000000"')
    return rewritten(good_xlsx(), {"xl/worksheets/sheet1.xml": xml})


HOSTILE: dict[str, tuple[str, bytes | None, int, str]] = {
    # case: (file name, content or None when built lazily, status, words in the message)
    "zip bomb": ("nodes.xlsx", None, 422, "zip bomb"),
    "billion laughs": ("nodes.xlsx", None, 422, "declares entities"),
    "external entity": ("nodes.xlsx", None, 422, "declares entities"),
    "vba project": ("nodes.xlsx", None, 422, "contains macros; save it as .xlsx without macros"),
    "macro content type": ("nodes.xlsx", None, 422, "contains macros"),
    "encrypted": ("nodes.xlsx", None, 422, "password-protected (encrypted)"),
    "not a zip": ("nodes.xlsx", b"id,name\nhub,x\n", 422, "not an .xlsx workbook"),
    "forged row index": ("nodes.xlsx", None, 413, "more than 1,000,000 rows"),
    "nul bytes": ("nodes.csv", b"id,name\n" + bytes(5000), 422, "binary data (NUL bytes)"),
    "utf-16": ("nodes.csv", "id,name\n".encode("utf-16"), 422, "UTF-16 text"),
    "not utf-8": ("nodes.csv", "id,name\nhub,Rzesz\xf3w\n".encode("cp1250"), 422, "line 2 is not"),
    "endless line": ("nodes.csv", b"id,name\n" + b"x" * (MIB + 10), 422, "a line longer than"),
}
BUILDERS = {
    "zip bomb": zip_bomb,
    "billion laughs": billion_laughs,
    "external entity": external_entity,
    "vba project": with_macros,
    "macro content type": macro_content_type,
    "encrypted": encrypted,
    "forged row index": forged_row_index,
}


def hostile(case: str) -> tuple[str, bytes, int, str]:
    name, content, status, words = HOSTILE[case]
    return name, content if content is not None else BUILDERS[case](), status, words


def node_count(runtime: Runtime) -> int:
    with runtime.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(nodes)).scalar_one())


def upload(client: TestClient, name: str, content: bytes) -> tuple[int, dict[str, object]]:
    response = client.post("/api/imports/nodes", files={"file": (name, content)})
    return response.status_code, response.json()


@pytest.fixture
def client(runtime: Runtime) -> TestClient:
    return signed_in_client(runtime)


@pytest.fixture
def limited(runtime: Runtime) -> Iterator[Runtime]:
    """The same database, with an upload limit of 64 KiB and a row limit of 100."""
    settings = replace(runtime.settings, max_upload_bytes=64 * 1024, max_import_rows=100)
    small = Runtime.start(settings)
    yield small
    small.close()


def test_openpyxl_parses_workbooks_through_defusedxml() -> None:
    assert openpyxl.DEFUSEDXML is True


def test_good_files_still_import(client: TestClient, runtime: Runtime) -> None:
    for name, content in (("nodes.xlsx", good_xlsx(3)), ("nodes.csv", good_csv(3))):
        status, body = upload(client, name, content)
        assert status == 200, body
    assert node_count(runtime) == 6


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_upload_is_refused_and_nothing_imported(
    case: str, client: TestClient, runtime: Runtime
) -> None:
    name, content, status, words = hostile(case)
    got, body = upload(client, name, content)
    assert got == status, body
    assert words in str(body["detail"])
    assert body["problems"] == [
        {"message": body["problems"][0]["message"], "file": name, "row": None, "field": None}  # type: ignore[index]
    ]
    assert node_count(runtime) == 0


def test_oversized_upload_is_refused_while_it_is_saved(limited: Runtime) -> None:
    client = signed_in_client(limited)
    status, body = upload(client, "nodes.csv", good_csv(3000))  # ~100 KiB > 64 KiB
    assert status == 413, body
    assert "larger than the limit of 0.0625 MiB (MATERIEL_MAX_UPLOAD_BYTES)" in str(body["detail"])
    assert node_count(limited) == 0


def test_body_far_over_the_limit_is_cut_off_before_the_handler(limited: Runtime) -> None:
    client = signed_in_client(limited)
    status, body = upload(client, "nodes.csv", good_csv(3000) + b"x" * (2 * MIB))
    assert status == 413, body
    assert body["title"] == "Upload too large"
    assert node_count(limited) == 0


def test_file_over_the_row_limit_is_refused(limited: Runtime) -> None:
    client = signed_in_client(limited)
    for name, content in (("nodes.csv", good_csv(150)), ("nodes.xlsx", good_xlsx(150))):
        status, body = upload(client, name, content)
        assert status == 413, body
        assert "more than 100 rows, the limit (MATERIEL_MAX_IMPORT_ROWS)" in str(body["detail"])
    assert node_count(limited) == 0


def test_web_upload_shows_the_refusal_on_the_form(runtime: Runtime) -> None:
    client = signed_in_client(runtime)
    waiting = set((runtime.data_dir / "uploads").glob("*/*"))  # other tests' may come and go
    response = client.post(
        "/imports/preview",
        data={"kind": "nodes"},
        files={"file": ("nodes.xlsx", with_macros())},
    )
    assert response.status_code == 422
    assert "this workbook contains macros" in response.text
    assert node_count(runtime) == 0
    assert set((runtime.data_dir / "uploads").glob("*/*")) <= waiting


def test_million_row_csv_is_refused_in_bounded_memory(tmp_path: Path) -> None:
    """1,000,001 short rows (about 13 MB) against the default limit: read in chunks."""
    path = tmp_path / "million.csv"
    with path.open("wb") as out:
        out.write(b"id,name\n")
        out.writelines(b"hub-%07d,x\n" % n for n in range(1_000_001))
    tracemalloc.start()
    try:
        with pytest.raises(UploadTooLarge, match="more than 1,000,000 rows"):
            check_upload(path, UploadLimits())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2 * MIB, f"peak {peak / MIB:.1f} MiB for a {path.stat().st_size} byte file"


def test_workbook_check_reads_no_more_than_the_central_directory_for_a_bomb(
    tmp_path: Path,
) -> None:
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(zip_bomb())
    tracemalloc.start()
    try:
        with pytest.raises(ImportRejected, match="zip bomb"):
            check_upload(path, UploadLimits())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MIB


def materiel(runtime: Runtime, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    url = runtime.settings.database_url
    return run_materiel(tmp_path, url, *args, env={"MATERIEL_MAX_IMPORT_ROWS": "100"})


def test_cli_import_refuses_hostile_files_with_exit_65(runtime: Runtime, tmp_path: Path) -> None:
    """The command line runs the same check (a few cases: each run starts a process)."""
    files = [
        ("encrypted", *hostile("encrypted")[:2]),
        ("macro suffix", "nodes.xlsm", good_xlsx()),
        ("rows", "many.csv", good_csv(150)),
    ]
    for case, name, content in files:
        path = tmp_path / case.replace(" ", "-") / name
        path.parent.mkdir()
        path.write_bytes(content)
        result = materiel(runtime, tmp_path, "import", "nodes", str(path))
        assert result.returncode == 65, (case, result.stdout, result.stderr)
        assert name in result.stderr, (case, result.stderr)
    assert node_count(runtime) == 0
