"""Deciding whether an uploaded file is safe to parse, before any parser touches it.

Spreadsheets arrive from outside (web form, API, command line). Before the
importer opens one, it is checked here using only its bytes and its zip
central directory: too large, too many rows, a zip bomb, macros, a
password-protected (encrypted) workbook, binary or undecodable CSV. Each
refusal says what was wrong and what to do. XML attacks inside a workbook
(entity expansion, external entities) are refused by the parser itself,
which openpyxl runs through defusedxml; `unsafe_xml` words that refusal.
"""

from __future__ import annotations

import codecs
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import openpyxl
from defusedxml import DefusedXmlException

from materiel.core.errors import ImportRejected, Problem, UploadTooLarge
from materiel.platform.settings import Settings

MIB = 1024 * 1024
CHUNK_BYTES = 64 * 1024
OLE2_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
MACRO_SUFFIXES = (".xlsm", ".xlsb", ".xltm", ".xlam", ".xla")
MACRO_MESSAGE = "this workbook contains macros; save it as .xlsx without macros and upload again"
ENCRYPTED_MESSAGE = (
    "this file is password-protected (encrypted) or an old binary Excel workbook (.xls); "
    "remove the password, save it as .xlsx and upload again"
)
# A worksheet's <row> elements, with or without a namespace prefix, and their index.
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row\b([^>]{0,2000})")
_ROW_INDEX = re.compile(rb'\br="(\d{1,10})"')
_TAG_OVERLAP = 2100  # bytes kept between chunks so that no row tag is cut in two


@dataclass(frozen=True)
class UploadLimits:
    """How much a file may hold; sizes in bytes."""

    max_bytes: int = 50 * MIB
    max_rows: int = 1_000_000
    max_members: int = 1_000  # a workbook has a few dozen parts
    max_uncompressed_bytes: int = 1024 * MIB
    max_ratio: int = 100  # real sheets compress 5 to 30 times; bombs thousands of times
    ratio_floor_bytes: int = MIB  # smaller parts may compress better: harmless
    max_line_bytes: int = MIB

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadLimits:
        return cls(max_bytes=settings.max_upload_bytes, max_rows=settings.max_import_rows)


def refused(name: str, message: str) -> ImportRejected:
    """An import refused as a whole because of what the file is, not what a row says."""
    return ImportRejected(f"{name}: {message}", [Problem(message, file=name)])


def unsafe_xml(name: str) -> ImportRejected:
    """The parser met entity declarations or external references: an XML attack."""
    return refused(
        name,
        "the workbook's XML declares entities or external references (a known attack on "
        "XML parsers); nothing was read. Save it again from a spreadsheet program and upload "
        "the new file",
    )


def caused_by_xml_attack(exc: BaseException) -> bool:
    """Did defusedxml refuse the XML, however deep openpyxl wrapped its error?"""
    seen: BaseException | None = exc
    for _depth in range(20):  # a chain can loop; real ones are two or three deep
        if seen is None:
            return False
        if isinstance(seen, DefusedXmlException):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def save_upload(source: IO[bytes], target: Path, limits: UploadLimits) -> Path:
    """Copy an upload to `target` a chunk at a time, stopping as soon as it is too large."""
    written = 0
    with target.open("wb") as out:
        for chunk in _chunks(source):
            written += len(chunk)
            if written > limits.max_bytes:
                out.close()
                target.unlink()
                raise too_large(target.name, limits)
            out.write(chunk)
    return target


def too_large(name: str, limits: UploadLimits) -> UploadTooLarge:
    size = f"{limits.max_bytes / MIB:g} MiB"
    return UploadTooLarge(
        f"{name}: the file is larger than the limit of {size} (MATERIEL_MAX_UPLOAD_BYTES); "
        "split it into smaller files and upload them one by one",
        [Problem(f"larger than {size}", file=name)],
    )


def check_upload(path: Path, limits: UploadLimits) -> None:
    """Refuse a file that is not safe to hand to a parser; return quietly otherwise."""
    if not path.is_file():
        return  # the importer reports a missing file in its own words
    name = path.name
    if path.stat().st_size > limits.max_bytes:
        raise too_large(name, limits)
    with path.open("rb") as handle:
        head = handle.read(len(OLE2_SIGNATURE))
    if head == OLE2_SIGNATURE:
        raise refused(name, ENCRYPTED_MESSAGE)
    suffix = path.suffix.casefold()
    if suffix in MACRO_SUFFIXES:
        raise refused(name, MACRO_MESSAGE)
    if suffix == ".xlsx":
        _check_workbook(path, limits)
    elif suffix == ".csv":
        _check_csv(path, limits)


def _check_workbook(path: Path, limits: UploadLimits) -> None:
    name = path.name
    if not openpyxl.DEFUSEDXML:
        raise RuntimeError("openpyxl must parse through defusedxml; install defusedxml")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_members(name, members, limits)
            _check_content_types(name, archive)
            rows = _count_rows(archive, members)
    except zipfile.BadZipFile as exc:
        raise refused(name, f"not an .xlsx workbook ({exc}); save it as .xlsx") from exc
    if rows > limits.max_rows:
        raise too_many_rows(name, limits)


def _check_members(name: str, members: list[zipfile.ZipInfo], limits: UploadLimits) -> None:
    """Judge the zip from its central directory: nothing is decompressed yet."""
    if len(members) > limits.max_members:
        raise refused(name, f"{len(members)} parts inside; a workbook has a few dozen")
    if any(m.flag_bits & 0x1 for m in members):
        raise refused(name, ENCRYPTED_MESSAGE)
    if any(m.filename.casefold().endswith("vbaproject.bin") for m in members):
        raise refused(name, MACRO_MESSAGE)
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed_bytes:
        raise refused(
            name,
            f"unpacks to {total / MIB:.0f} MiB, over the limit of "
            f"{limits.max_uncompressed_bytes / MIB:.0f} MiB; split it into smaller files",
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise refused(
                name,
                f"part '{member.filename}' expands {ratio:.0f} times (limit {limits.max_ratio}): "
                "refused as a likely zip bomb. Save the workbook again from a spreadsheet "
                "program and upload the new file",
            )


def _check_content_types(name: str, archive: zipfile.ZipFile) -> None:
    """Macro-enabled and binary workbooks declare themselves in [Content_Types].xml."""
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        raise refused(name, "not an .xlsx workbook (no [Content_Types].xml)") from None
    if info.file_size > MIB:
        raise refused(name, "not an .xlsx workbook ([Content_Types].xml is too large)")
    if b"macroenabled" in archive.read(info).lower():
        raise refused(name, MACRO_MESSAGE)


def _count_rows(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> int:
    """Rows the worksheets declare (count or highest index), streamed, without an XML parser.

    The parser fills gaps up to a row's index, so an index counts as much as the rows.
    """
    rows = 0
    for member in members:
        if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
            with archive.open(member) as handle:
                rows = max(rows, _rows_in(_chunks(handle)))
    return rows


def _rows_in(chunks: Iterable[bytes]) -> int:
    count = highest = 0
    carry = b""
    for chunk in _with_end(chunks):
        buffer = carry + chunk
        final = chunk == b""
        cut = len(buffer) if final else max(len(buffer) - _TAG_OVERLAP, 0)
        for match in _ROW_TAG.finditer(buffer):
            if match.start() >= cut:
                break
            count += 1
            index = _ROW_INDEX.search(match.group(1))
            if index:
                highest = max(highest, int(index.group(1)))
        carry = buffer[cut:]
    return max(count, highest)


def _with_end(chunks: Iterable[bytes]) -> Iterable[bytes]:
    yield from chunks
    yield b""


def too_many_rows(name: str, limits: UploadLimits) -> UploadTooLarge:
    return UploadTooLarge(
        f"{name}: more than {limits.max_rows:,} rows, the limit (MATERIEL_MAX_IMPORT_ROWS); "
        "split it into smaller files and import them one by one",
        [Problem(f"more than {limits.max_rows:,} rows", file=name)],
    )


def _check_csv(path: Path, limits: UploadLimits) -> None:
    """Text in UTF-8, no NUL bytes, no absurd lines, no more rows than the limit."""
    name = path.name
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    lines = line = offset = 0
    last = b""
    with path.open("rb") as handle:
        for chunk in _chunks(handle):
            if offset == 0 and chunk.startswith(UTF16_BOMS):
                raise refused(name, "UTF-16 text; save it as 'CSV UTF-8' and upload again")
            if b"\x00" in chunk:
                raise refused(name, "binary data (NUL bytes), not CSV text; is it a CSV file?")
            _decode(name, decoder, chunk, lines)
            line = _longest_line(name, chunk, line, limits)
            lines += chunk.count(b"\n")
            offset += len(chunk)
            last = chunk[-1:]
    _decode(name, decoder, b"", lines, final=True)
    rows = lines + (1 if last not in (b"", b"\n") else 0)
    if rows > limits.max_rows:
        raise too_many_rows(name, limits)


def _decode(
    name: str, decoder: codecs.IncrementalDecoder, chunk: bytes, lines: int, final: bool = False
) -> None:
    """Decode on; a byte that is not UTF-8 is refused with its line (`lines` ended before)."""
    try:
        decoder.decode(chunk, final)
    except UnicodeDecodeError as exc:
        line = lines + chunk[: max(exc.start, 0)].count(b"\n") + 1
        raise refused(
            name,
            f"line {line} is not UTF-8 text; save the file as 'CSV UTF-8' and upload again",
        ) from exc


def _longest_line(name: str, chunk: bytes, running: int, limits: UploadLimits) -> int:
    """Track the current line's length across chunks; refuse one that never ends."""
    parts = chunk.split(b"\n")
    lengths = [running + len(parts[0]), *(len(p) for p in parts[1:])]
    if max(lengths) > limits.max_line_bytes:
        raise refused(
            name,
            f"a line longer than {limits.max_line_bytes / MIB:g} MiB; is it really a CSV "
            "table with one record per line?",
        )
    return lengths[-1]


def _chunks(source: IO[bytes]) -> Iterable[bytes]:
    while chunk := source.read(CHUNK_BYTES):
        yield chunk
