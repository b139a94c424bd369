"""HTTP routes for spreadsheet import and export of every kind."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import FileResponse
from starlette.background import BackgroundTask

from materiel.core.errors import InvalidInput, NotFound
from materiel.donations.io import ImportOptions
from materiel.exchange import KINDS, Kind, Mode
from materiel.platform.http import UowDep
from materiel.platform.upload_safety import UploadLimits, check_upload, save_upload

router = APIRouter(prefix="/api", tags=["import and export"])

UPLOAD_SUFFIXES = (".csv", ".xlsx")


def _kind(name: str) -> Kind:
    if name not in KINDS:
        raise NotFound(f"no import kind '{name}'; use one of: {', '.join(KINDS)}")
    return KINDS[name]


@router.post("/imports/{kind}", summary="Import a .csv or .xlsx file")
def import_file(
    kind: str,
    file: Annotated[UploadFile, File(description="the spreadsheet")],
    uow: UowDep,
    request: Request,
    partial: Annotated[bool, Query(description="keep good rows when some are rejected")] = False,
) -> dict[str, Any]:
    chosen = _kind(kind)
    suffix = Path(file.filename or "").suffix.casefold()
    if suffix not in UPLOAD_SUFFIXES:
        raise InvalidInput(f"'{file.filename}': send a .csv or .xlsx file")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(file.filename or f"upload{suffix}").name
        limits = UploadLimits.from_settings(request.app.state.runtime.settings)
        check_upload(save_upload(file.file, path, limits), limits)
        mode = Mode.PARTIAL if partial else Mode.ALL_OR_NOTHING
        report = chosen.importer(path, uow, ImportOptions(), mode)
    return {
        "file": report.file,
        "kind": report.kind,
        "created": report.created,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "committed": report.committed,
        "ignored_columns": report.ignored_columns,
        "rejected": [
            {"row": p.row, "field": p.column, "message": p.message} for p in report.rejected
        ],
    }


@router.get("/exports/{kind}", summary="Export as .csv or .xlsx, marked")
def export_file(
    kind: str,
    uow: UowDep,
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "xlsx",
) -> FileResponse:
    chosen = _kind(kind)
    if chosen.exporter is None:
        raise NotFound(f"'{kind}' cannot be exported yet")
    folder = Path(tempfile.mkdtemp())
    path = folder / f"{kind}.{format}"
    report = chosen.exporter(path, uow)
    return FileResponse(
        path,
        filename=path.name,
        headers={"X-Marking": report.marking.banner},
        background=BackgroundTask(_remove, folder),
    )


def _remove(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink()
    folder.rmdir()
