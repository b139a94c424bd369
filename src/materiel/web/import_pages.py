"""Spreadsheet upload: preview what would be imported and what is rejected, then confirm."""

from __future__ import annotations

import secrets
import shutil
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from materiel.api.problems import status_for
from materiel.core.errors import InvalidInput, MaterielError
from materiel.donations.io import ImportOptions
from materiel.exchange import KINDS, Mode
from materiel.platform.http import UowDep
from materiel.platform.imports import ImportReport
from materiel.platform.upload_safety import UploadLimits, check_upload, save_upload
from materiel.web.rendering import page

router = APIRouter(include_in_schema=False)
SUFFIXES = (".csv", ".xlsx")


def _uploads(request: Request) -> Path:
    folder: Path = request.app.state.runtime.data_dir / "uploads"
    return folder


def _stored(request: Request, token: str) -> Path:
    if not token.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput("that upload is unknown; upload the file again")
    files = list((_uploads(request) / token).glob("*"))
    if not files:
        raise InvalidInput("that upload has expired or was already imported; upload it again")
    return files[0]


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request) -> Response:
    return page(request, "imports.html", {"kinds": KINDS, "kind": request.query_params.get("kind")})


@router.post("/imports/preview", response_class=HTMLResponse)
async def preview(request: Request, uow: UowDep) -> Response:
    form = await request.form()
    kind, upload = str(form.get("kind", "")), form.get("file")
    if kind not in KINDS or not isinstance(upload, UploadFile) or not upload.filename:
        return _form_again(request, kind, "Choose what to import and a .csv or .xlsx file.")
    name = Path(upload.filename).name
    if Path(name).suffix.casefold() not in SUFFIXES:
        return _form_again(request, kind, f"'{name}' is not a .csv or .xlsx file.")
    token = secrets.token_urlsafe(12)
    target = _uploads(request) / token / name
    target.parent.mkdir(parents=True)
    limits = UploadLimits.from_settings(request.app.state.runtime.settings)
    try:
        check_upload(save_upload(upload.file, target, limits), limits)
        report = KINDS[kind].importer(target, uow, ImportOptions(), Mode.PREVIEW)
    except MaterielError as error:
        shutil.rmtree(target.parent, ignore_errors=True)
        return _form_again(request, kind, error.message, status_for(error))
    return page(request, "import_preview.html", {"report": report, "token": token, "kind": kind})


@router.post("/imports/confirm", response_class=HTMLResponse)
async def confirm(request: Request, uow: UowDep) -> Response:
    form = await request.form()
    kind, token = str(form.get("kind", "")), str(form.get("token", ""))
    mode = Mode.PARTIAL if form.get("partial") == "yes" else Mode.ALL_OR_NOTHING
    try:
        path = _stored(request, token)
        report: ImportReport = KINDS[kind].importer(path, uow, ImportOptions(), mode)
    except MaterielError as error:
        return _form_again(request, kind, error.message)
    shutil.rmtree(path.parent, ignore_errors=True)
    return page(request, "import_done.html", {"report": report, "kind": kind})


def _form_again(request: Request, kind: str, error: str, status: int = 422) -> Response:
    context = {"kinds": KINDS, "kind": kind, "error": error}
    return page(request, "imports.html", context, status_code=status)
