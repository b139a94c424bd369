"""Spreadsheet upload: preview what would be imported and what is rejected, then confirm.

An upload waits on disk under `uploads/` only between its preview and its
confirmation: it is removed once imported or refused, when its preview
has nothing to import, and, when a new upload arrives, if it waited
longer than `UPLOAD_LIFETIME` (it holds marked data).
"""

from __future__ import annotations

import secrets
import shutil
import time
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from materiel.api.problems import status_for
from materiel.core.errors import InvalidInput, MaterielError, Problem
from materiel.donations.io import ImportOptions
from materiel.exchange import KINDS, Mode
from materiel.platform.http import UowDep
from materiel.platform.imports import ImportReport, RowsRejected
from materiel.platform.upload_safety import UploadLimits, check_upload, save_upload
from materiel.web.rendering import page

router = APIRouter(include_in_schema=False)
SUFFIXES = (".csv", ".xlsx")
UPLOAD_LIFETIME_S = 24 * 60 * 60
GONE = (
    "that upload is no longer kept (it was imported or refused already, or it waited more "
    "than a day); upload it again"
)


def _uploads(request: Request) -> Path:
    folder: Path = request.app.state.runtime.data_dir / "uploads"
    return folder


def _expired(folder: Path, now: float) -> bool:
    try:
        return now - folder.stat().st_mtime > UPLOAD_LIFETIME_S
    except FileNotFoundError:
        return False


def _remove_expired(request: Request) -> None:
    """Uploads left waiting (a preview never confirmed) are removed after a day."""
    now = time.time()
    uploads = _uploads(request)
    if not uploads.is_dir():
        return
    for folder in uploads.iterdir():
        if folder.is_dir() and _expired(folder, now):
            shutil.rmtree(folder, ignore_errors=True)


def _stored(request: Request, token: str) -> Path:
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        raise InvalidInput("that upload is unknown; upload the file again")
    folder = _uploads(request) / token
    if _expired(folder, time.time()):
        shutil.rmtree(folder, ignore_errors=True)
    files = list(folder.glob("*")) if folder.is_dir() else []
    if not files:
        raise InvalidInput(GONE)
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
    _remove_expired(request)
    token = secrets.token_urlsafe(12)
    target = _uploads(request) / token / name
    target.parent.mkdir(parents=True)
    limits = UploadLimits.from_settings(request.app.state.runtime.settings)
    try:
        check_upload(save_upload(upload.file, target, limits), limits)
        report = KINDS[kind].importer(target, uow, ImportOptions(), Mode.PREVIEW)
    except MaterielError as error:
        shutil.rmtree(target.parent, ignore_errors=True)
        return _form_again(request, kind, error.message, status_for(error), error.problems)
    except BaseException:
        shutil.rmtree(target.parent, ignore_errors=True)
        raise
    if not report.accepted:  # nothing to confirm: the page offers no import
        shutil.rmtree(target.parent, ignore_errors=True)
    return page(request, "import_preview.html", {"report": report, "token": token, "kind": kind})


@router.post("/imports/confirm", response_class=HTMLResponse)
async def confirm(request: Request, uow: UowDep) -> Response:
    form = await request.form()
    kind, token = str(form.get("kind", "")), str(form.get("token", ""))
    if kind not in KINDS:
        return _form_again(request, "", "Choose what to import and upload the file again.")
    mode = Mode.PARTIAL if form.get("partial") == "yes" else Mode.ALL_OR_NOTHING
    try:
        path = _stored(request, token)
    except MaterielError as error:
        return _form_again(request, kind, error.message, status_for(error))
    try:
        report: ImportReport = KINDS[kind].importer(path, uow, ImportOptions(), mode)
    except RowsRejected as error:
        message = (
            f"{path.name}: {len(error.problems)} row(s) rejected, so nothing was imported. "
            "Fix them and upload the file again: its preview lists every rejected row and "
            "offers to import only the good ones."
        )
        return _form_again(request, kind, message, status_for(error), error.problems)
    except MaterielError as error:
        return _form_again(request, kind, error.message, status_for(error), error.problems)
    finally:
        shutil.rmtree(path.parent, ignore_errors=True)
    return page(request, "import_done.html", {"report": report, "kind": kind})


def _form_again(
    request: Request,
    kind: str,
    error: str,
    status: int = 422,
    problems: list[Problem] | None = None,
) -> Response:
    context = {"kinds": KINDS, "kind": kind, "error": error, "problems": problems or []}
    return page(request, "imports.html", context, status_code=status)
